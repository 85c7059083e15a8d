# RUN: %python %s | FileCheck %s
#
# attnres.compile on single sites (target cpu): numpy in, numpy out, checked
# against the independent float64 reference in Inputs/ref64.py.
#
# Tolerances (an element fails iff NOT |got - ref| <= atol + rtol·|ref|):
#   f32:  rtol 1e-5, atol 1e-5·max|V|: f32 statistics/softmax/sum, a few ulps
#   f16:  rtol 2e-3, atol 1e-4·max|V|: one final rounding (2^-11 = 4.9e-4)
#   bf16: rtol 1e-2, atol 1e-4·max|V|: one final rounding (2^-9 = 2.0e-3)
# (the same as the lit integration tests). Each tolerance is shown to catch a
# perturbation of the reference of a few ulps.

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
import ref64  # noqa: E402

import attnres  # noqa: E402

EPS = 1e-6
TOL = {"f32": (1e-5, 1e-5), "f16": (1e-4, 2e-3), "bf16": (1e-4, 1e-2)}
rng = np.random.default_rng(2026)


def site_ir(n, shape, dtype, qdtype="f32"):
    src = "tensor<%s%s>" % ("".join("%sx" % ("?" if s is None else s) for s in shape), dtype)
    d = shape[-1]
    args = ", ".join("%%v%d: %s" % (j, src) for j in range(n))
    vs = ", ".join("%%v%d" % j for j in range(n))
    return ("func.func @site(%%q: tensor<%dx%s>, %s) -> %s {\n"
            "  %%h = attnres.depth_attn %%q, [%s] {eps = 1.0e-06 : f32} : tensor<%dx%s>, %s -> %s\n"
            "  return %%h : %s\n}\n" % (d, qdtype, args, src, vs, d, qdtype, src, src, src))


def as_input(dtype, x):
    """(array to pass, float64 values the compiled code sees)."""
    if dtype == "bf16":
        bits = ref64.bf16_bits(x)
        return bits, ref64.bf16_value(bits)
    a = np.asarray(x, {"f32": np.float32, "f16": np.float16}[dtype])
    return a, a.astype(np.float64)


def as_values(dtype, out):
    return ref64.bf16_value(out) if dtype == "bf16" else out.astype(np.float64)


def run_case(name, n, rows, d, dtype, dynamic=False, query="random", scale=1.0):
    shape = list(rows) + [d]
    ir_shape = [None] * len(rows) + [d] if dynamic else shape
    f = attnres.compile(site_ir(n, ir_shape, dtype), "site")
    if query == "zero":
        q = np.zeros(d, np.float32)
    else:
        q = (2.0 / np.sqrt(d) * rng.standard_normal(d)).astype(np.float32)
    ins = [as_input(dtype, scale * rng.standard_normal(shape)) for _ in range(n)]
    arrays = [a for a, _ in ins]
    before = [a.copy() for a in arrays]
    out = f(q, *arrays)
    assert all(np.array_equal(a, b) for a, b in zip(arrays, before)), "inputs were modified"
    expected_dtype = {"f32": np.float32, "f16": np.float16, "bf16": np.uint16}[dtype]
    assert out.dtype == expected_dtype and out.shape == tuple(shape), (out.dtype, out.shape)
    got = as_values(dtype, out)
    vals = [v for _, v in ins]
    ref = ref64.site(vals, q.astype(np.float64), EPS)
    atol, rtol = TOL[dtype]
    atol *= max(float(np.abs(v).max()) for v in vals)
    ok = ref64.check(name, got, ref, atol, rtol)
    # The check can fail: a reference off by 4 units of the tolerance fails.
    assert not ref64.check(name + " (perturbed reference)", got, ref + 4 * (atol + rtol * np.abs(ref)),
                           atol, rtol)
    assert ok
    return got, vals


run_case("f32 3 sources 16x64", 3, [16], 64, "f32")
# CHECK: f32 3 sources 16x64: max_abs_err {{.*}}, mismatches 0 -> PASS
# CHECK: f32 3 sources 16x64 (perturbed reference): {{.*}} -> FAIL
run_case("f32 dynamic rows 2x3 tokens", 5, [2, 3], 32, "f32", dynamic=True)
# CHECK: f32 dynamic rows 2x3 tokens: {{.*}} -> PASS
run_case("f32 rank-1 sources", 4, [], 16, "f32")
# CHECK: f32 rank-1 sources: {{.*}} -> PASS
run_case("f16 4 sources", 4, [8], 64, "f16")
# CHECK: f16 4 sources: {{.*}} -> PASS
run_case("bf16 4 sources", 4, [8], 64, "bf16", dynamic=True)
# CHECK: bf16 4 sources: {{.*}} -> PASS
run_case("f32 large logits", 3, [4], 32, "f32", scale=1e4)
# CHECK: f32 large logits: {{.*}} -> PASS

# Math §1 check 1: a zero query gives the mean of the sources.
got, vals = run_case("f32 zero query", 3, [8], 32, "f32", query="zero")
assert ref64.check("zero query = mean", got, sum(vals) / 3, 1e-6, 1e-5)
# CHECK: zero query = mean: {{.*}} -> PASS

# Math §1 check 2: one source gives that source exactly.
f1 = attnres.compile(site_ir(1, [8, 16], "f32"), "site")
v = rng.standard_normal((8, 16)).astype(np.float32)
assert np.array_equal(f1(rng.standard_normal(16).astype(np.float32), v), v)

# Math §1 check 4, the hand case: h[0] = sigmoid(3.999992) ≈ 0.982014.
hand = attnres.compile(site_ir(2, [1, 4], "f32"), "site")
h = hand(np.array([2, 0, 0, 0], np.float32), np.array([[1, 0, 0, 0]], np.float32),
         np.array([[0, 1, 0, 0]], np.float32))
print("hand case: %.6f %.6f" % (h[0, 0], h[0, 1]))
# CHECK: hand case: 0.982014 0.017986

# bf16 arguments may also be ml_dtypes.bfloat16 arrays (when installed).
try:
    import ml_dtypes
    fb = attnres.compile(site_ir(2, [4, 8], "bf16"), "site")
    x = [rng.standard_normal((4, 8)).astype(ml_dtypes.bfloat16) for _ in range(2)]
    q = rng.standard_normal(8).astype(np.float32)
    bits = fb(q, *[a.view(np.uint16) for a in x])
    assert np.array_equal(fb(q, *x), bits)
except ImportError:
    pass

# The cache: same (IR, entry, target, options) -> the same compiled object.
ir = site_ir(2, [None, 32], "f32")
assert attnres.compile(ir, "site") is attnres.compile(ir, "site")
assert attnres.compile(ir, "site") is not attnres.compile(ir, "site", options="parallel=false")

# Wrong calls: ValueError / TypeError with the argument named, never a crash.
f = attnres.compile(ir, "site")
q = np.ones(32, np.float32)
a = np.ones((4, 32), np.float32)
bad_calls = [
    ("count", (q, a)),
    ("dtype", (q, a, a.astype(np.float64))),
    ("not an array", (q, a, a.tolist())),
    ("rank", (q, a, np.ones((2, 2, 32), np.float32))),
    ("static size", (q, a, np.ones((4, 31), np.float32))),
    ("dynamic sizes disagree", (q, a, np.ones((5, 32), np.float32))),
    ("query length", (np.ones(16, np.float32), a, a)),
    ("byte order", (q, a, a.astype(">f4"))),
]
for what, args in bad_calls:
    try:
        f(*args)
        raise AssertionError("expected an error for " + what)
    except (TypeError, ValueError) as e:
        print("%s: %s: %s" % (what, type(e).__name__, e))
# CHECK: count: ValueError: @site takes 3 arguments (tensor<32xf32>, tensor<?x32xf32>, tensor<?x32xf32>), got 2
# CHECK: dtype: TypeError: argument #2 of @site (tensor<?x32xf32>): expected a numpy.ndarray of float32, got float64
# CHECK: not an array: TypeError: argument #2 of @site (tensor<?x32xf32>): expected a numpy.ndarray of float32, got list
# CHECK: rank: ValueError: argument #2 of @site (tensor<?x32xf32>): expected rank 2, got shape (2, 2, 32)
# CHECK: static size: ValueError: argument #2 of @site (tensor<?x32xf32>): expected shape (?, 32), got (4, 31)
# CHECK: dynamic sizes disagree: ValueError: argument #2 of @site (tensor<?x32xf32>): dimension 0 is 5, but @site needs it to equal dimension 0 of argument #1, which is 4
# CHECK: query length: ValueError: argument #0 of @site (tensor<32xf32>): expected shape (32,), got (16,)
# CHECK: byte order: TypeError: {{.*}}got float32 (byte-swapped)

# Non-contiguous inputs are copied, zero rows are fine.
strided = np.ones((4, 64), np.float32)[:, ::2]
assert np.allclose(f(q, a, strided), 1.0)
assert f(q, np.ones((0, 32), np.float32), np.ones((0, 32), np.float32)).shape == (0, 32)

# Destination passing with memrefs: the callee writes into the array. Several
# results come back as a tuple.
DPS = """
func.func @dps(%q: memref<8xf32>, %v0: memref<4x8xf32>, %v1: memref<4x8xf32>, %out: memref<4x8xf32>) {
  %qt = bufferization.to_tensor %q restrict : memref<8xf32> to tensor<8xf32>
  %t0 = bufferization.to_tensor %v0 restrict : memref<4x8xf32> to tensor<4x8xf32>
  %t1 = bufferization.to_tensor %v1 restrict : memref<4x8xf32> to tensor<4x8xf32>
  %h = attnres.depth_attn %qt, [%t0, %t1] {eps = 1.0e-06 : f32} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  bufferization.materialize_in_destination %h in restrict writable %out : (tensor<4x8xf32>, memref<4x8xf32>) -> ()
  return
}
func.func @both(%v0: tensor<4x8xf32>, %v1: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %s = attnres.block_summary [%v0, %v1] : tensor<4x8xf32>
  return %s, %v0, %s : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}
"""
dps = attnres.compile(DPS, "dps")
q = rng.standard_normal(8).astype(np.float32)
v0, v1 = (rng.standard_normal((4, 8)).astype(np.float32) for _ in range(2))
out = np.zeros((4, 8), np.float32)
assert dps(q, v0, v1, out) is None
assert ref64.check("memref destination", out, ref64.site([v0, v1], q, EPS), 1e-5 * 3, 1e-5)
# CHECK: memref destination: {{.*}} -> PASS
readonly = np.zeros((4, 8), np.float32)
readonly.flags.writeable = False
try:
    dps(q, v0, v1, readonly)
    raise AssertionError("expected ValueError")
except ValueError as e:
    print("read-only destination:", e)
# CHECK: read-only destination: argument #3 of @dps (memref<4x8xf32>) is written in place: pass a writable array
# A result that is an argument comes back as a copy; a buffer returned twice
# is freed once.
both = attnres.compile(DPS, "both")
for _ in range(3):
    s, first, again = both(v0, v1)
assert np.array_equal(first, v0) and first is not v0 and np.array_equal(s, again)
assert ref64.check("two results", s, v0.astype(np.float64) + v1, 1e-6, 1e-6)
# CHECK: two results: {{.*}} -> PASS
print("done")
# CHECK: done
