# RUN: %python %s | FileCheck %s
#
# attnres.compile checks call arguments against the size relations the ops
# state about themselves (ShapeRelationsOpInterface, the same statements the
# verifiers, value bounds and runtime-checks use): dynamic sizes that an op
# relates must agree, and a ValueError names both arguments. Result sizes
# that the relations tie to argument sizes make out= available. Numbers are
# compared with an independent float64 numpy reference (f32: an element
# fails iff NOT |got - ref| <= 1e-5 + 1e-5·|ref|, a few ulps of f32
# statistics and sums).

import numpy as np

import attnres

rng = np.random.default_rng(14)
EPS = 1e-6


def expect(what, fn):
    try:
        fn()
        print("%s: no error" % what)
    except (TypeError, ValueError) as e:
        print("%s: %s: %s" % (what, type(e).__name__, e))


def close(got, ref):
    return bool(np.all(np.abs(got - ref) <= 1e-5 + 1e-5 * np.abs(ref)))


def stats_ref(Q, sources, eps):
    """float64 phase 1 of two-phase AttnRes: per query, softmax over sources."""
    V = np.stack([s.astype(np.float64) for s in sources])        # n, T, D
    rho = 1.0 / np.sqrt((V * V).mean(axis=-1) + eps)               # n, T
    s = np.einsum("qc,ntc->qnt", Q.astype(np.float64), V) * rho    # S, n, T
    m = s.max(axis=1, keepdims=True)
    e = np.exp(s - m)
    l = e.sum(axis=1, keepdims=True)
    o = np.einsum("qnt,ntc->qtc", e / l, V)
    return o, (m + np.log(l))[:, 0, :]


# A dynamic-length query against sources of static hidden size 32.
DYNQ = """
func.func @site(%q: tensor<?xf32>, %v0: tensor<?x32xf32>, %v1: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] {eps = 1.0e-06 : f32} : tensor<?xf32>, tensor<?x32xf32> -> tensor<?x32xf32>
  return %h : tensor<?x32xf32>
}
"""
f = attnres.compile(DYNQ, "site")
a = np.ones((4, 32), np.float32)
expect("query length", lambda: f(np.ones(16, np.float32), a, a))
# CHECK: query length: ValueError: argument #0 of @site (tensor<?xf32>): dimension 0 is 16, but @site needs it to be 32

# Phase 1 with the query count and the rows dynamic: out= gets the result
# sizes from the queries (S) and the sources (T).
STATS = """
func.func @stats(%Q: tensor<?x16xf32>, %b0: tensor<?x16xf32>, %b1: tensor<?x16xf32>) -> (tensor<?x?x16xf32>, tensor<?x?xf32>) {
  %o, %lse = attnres.depth_attn_stats %Q, [%b0, %b1] {eps = 1.0e-06 : f32} : tensor<?x16xf32>, tensor<?x16xf32> -> tensor<?x?x16xf32>, tensor<?x?xf32>
  return %o, %lse : tensor<?x?x16xf32>, tensor<?x?xf32>
}
"""
stats = attnres.compile(STATS, "stats")
print("stats supports_out:", stats.supports_out)
# CHECK: stats supports_out: True
Q = rng.standard_normal((3, 16)).astype(np.float32)
B = [rng.standard_normal((5, 16)).astype(np.float32) for _ in range(2)]
ro, rlse = stats_ref(Q, B, EPS)
outs = (np.empty((3, 5, 16), np.float32), np.empty((3, 5), np.float32))
stats(Q, *B, out=outs)
print("stats out=:", "PASS" if close(outs[0], ro) and close(outs[1], rlse) else "FAIL")
# CHECK: stats out=: PASS
# The reference is not trivially met: a perturbed one fails.
print("stats perturbed:", "FAIL" if close(outs[1], rlse * (1 + 1e-4)) else "caught")
# CHECK: stats perturbed: caught
expect("stats rows", lambda: stats(Q, B[0], B[1][:4]))
# CHECK: stats rows: ValueError: argument #2 of @stats (tensor<?x16xf32>): dimension 0 is 4, but @stats needs it to equal dimension 0 of argument #1, which is 5
expect("stats out rows", lambda: stats(Q, *B, out=(np.empty((3, 4, 16), np.float32), outs[1])))
# CHECK: stats out rows: ValueError: out[0] (result #0 of @stats, tensor<?x?x16xf32>): expected shape (3, 5, 16) for these arguments, got (3, 4, 16)

# Phase 2: the saved lse has the rows of the merged source.
MERGE = """
func.func @merge(%o: tensor<?x16xf32>, %lse: tensor<?xf32>, %q: tensor<16xf32>, %u: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %h = attnres.depth_attn_merge %o, %lse, %q, %u {eps = 1.0e-06 : f32} : tensor<?x16xf32>, tensor<?xf32>, tensor<16xf32>, tensor<?x16xf32>
  return %h : tensor<?x16xf32>
}
"""
merge = attnres.compile(MERGE, "merge")
o = np.ones((5, 16), np.float32)
expect("merge lse rows", lambda: merge(o, np.zeros(6, np.float32), np.ones(16, np.float32), o))
# CHECK: merge lse rows: ValueError: argument #1 of @merge (tensor<?xf32>): dimension 0 is 6, but @merge needs it to equal dimension 0 of argument #0, which is 5

# A gradient op: the incoming gradient has the sources' rows (the gradient
# ops' relations are stated with the forward ones').
GRAD = """
func.func @grad(%q: tensor<16xf32>, %v0: tensor<?x16xf32>, %v1: tensor<?x16xf32>, %g: tensor<?x16xf32>) -> (tensor<16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) {
  %dq, %dv:2 = attnres.depth_attn_grad %q, [%v0, %v1], %g {eps = 1.0e-06 : f32} : tensor<16xf32>, tensor<?x16xf32>, tensor<?x16xf32> -> tensor<16xf32>, tensor<?x16xf32>
  return %dq, %dv#0, %dv#1 : tensor<16xf32>, tensor<?x16xf32>, tensor<?x16xf32>
}
"""
grad = attnres.compile(GRAD, "grad")
print("grad supports_out:", grad.supports_out)
# CHECK: grad supports_out: True
v = np.ones((5, 16), np.float32)
expect("grad rows", lambda: grad(np.ones(16, np.float32), v, v, np.ones((7, 16), np.float32)))
# CHECK: grad rows: ValueError: argument #3 of @grad (tensor<?x16xf32>): dimension 0 is 7, but @grad needs it to equal dimension 0 of argument #1, which is 5

# out= computes the same gradients as the call that allocates them.
g = rng.standard_normal((5, 16)).astype(np.float32)
qv = rng.standard_normal(16).astype(np.float32)
vs = [rng.standard_normal((5, 16)).astype(np.float32) for _ in range(2)]
ref = grad(qv, *vs, g)
outs = (np.empty(16, np.float32), np.empty((5, 16), np.float32), np.empty((5, 16), np.float32))
grad(qv, *vs, g, out=outs)
print("grad out=:", "PASS" if all(np.array_equal(a, b) for a, b in zip(outs, ref)) else "FAIL")
# CHECK: grad out=: PASS

# A dynamic depth axis may not be empty (a softmax over no logits).
SOFTMAX = """
func.func @softmax(%s: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %a = attnres.depth_softmax %s : tensor<?x3xf32>
  return %a : tensor<?x3xf32>
}
"""
softmax = attnres.compile(SOFTMAX, "softmax")
for what, s in (("peaked", np.array([[30.0, 0.0, -5.0], [0.0, 1.0, -5.0], [-30.0, 0.5, -5.0]])),
                ("flat", np.zeros((4, 3)))):
    e = np.exp(s - s.max(axis=0))
    ref = e / e.sum(axis=0)
    print("softmax %s:" % what, "PASS" if close(softmax(s.astype(np.float32)), ref) else "FAIL")
# CHECK: softmax peaked: PASS
# CHECK: softmax flat: PASS
expect("softmax empty", lambda: softmax(np.ones((0, 3), np.float32)))
# CHECK: softmax empty: ValueError: argument #0 of @softmax (tensor<?x3xf32>): dimension 0 is 0, but @softmax needs it to be non-zero
