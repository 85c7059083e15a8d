# REQUIRES: torch
# RUN: %python %s | FileCheck %s
#
# attnres.torch: compiled forward + backward autograd Functions of
# depth_attn, rms_norm, depth_attn_stats and depth_attn_merge, and the
# model helpers block_attnres / block_attnres_two_phase.
#
# References (independent of the compiled code): torch.autograd of the eager
# formulation (attnres.torch.*_eager) evaluated in float64, and float64
# central finite differences of the eager loss. The compiled kernels are
# f32/bf16 only, so torch.autograd.gradcheck runs in float64 on the eager
# reference itself (the reference is checked), and the compiled f32
# gradients are compared with that float64 reference.
#
# Tolerances (relative to max|ref| per tensor): f32 5e-5 (f32 statistics,
# sums of length D and n, one rounding of the result); bf16 3e-2 (bf16
# inputs, results and incoming gradient). Training: 5 SGD steps, losses of
# compiled and eager models equal within 1e-4 relative per step.

import warnings

import torch

import attnres
import attnres.torch as AT

torch.manual_seed(0)
# The submodule named torch does not shadow PyTorch inside the package.
# CHECK: attnres.torch is a submodule: True; torch is PyTorch: True
print("attnres.torch is a submodule: %s; torch is PyTorch: %s"
      % (attnres.torch is AT, hasattr(torch, "autograd") and torch.__name__ == "torch"))


def rel(a, b):
    return float((a.double() - b.double()).abs().max() / b.double().abs().max().clamp_min(1e-30))


def report(name, got, ref, tol):
    """got, ref: lists of tensors. Also checks that the comparison can fail."""
    err = max(rel(a, b) for a, b in zip(got, ref))
    bad = max(rel(a, b + 2.5 * tol * b.abs().max()) for a, b in zip(got, ref)) > tol
    print("%s: max rel err %.3g (tol %g) %s; perturbed reference %s"
          % (name, err, tol, "PASS" if err <= tol else "FAIL",
             "rejected" if bad else "ACCEPTED"))


def grads(fn, inputs, cot):
    outs = fn(*inputs)
    outs = outs if isinstance(outs, tuple) else (outs,)
    return list(outs), list(torch.autograd.grad(outs, inputs, cot, allow_unused=False))


def leaf(t, dtype=None):
    return t.detach().to(dtype or t.dtype).clone().requires_grad_()


def compare(name, compiled, eager, inputs, cots, tol):
    x = [leaf(t) for t in inputs]
    outs, g = grads(compiled, x, cots)
    x64 = [leaf(t, torch.float64) for t in x]
    outs64, g64 = grads(eager, x64, [c.double() for c in cots])
    report(name, outs + g, outs64 + g64, tol)


# --- depth_attn: peaked, flat, one token, many tokens, bf16
for name, T, D, n, sq in [("depth_attn moderate", 16, 64, 4, 0.3),
                          ("depth_attn peaked", 16, 64, 4, 4.0),
                          ("depth_attn flat", 8, 32, 3, 0.0),
                          ("depth_attn one token", 1, 64, 5, 0.3)]:
    q = sq * torch.randn(D)
    V = [torch.randn(T, D) for _ in range(n)]
    g = torch.randn(T, D)
    compare(name, lambda q, *V: AT.depth_attn(q, V, 1e-6),
            lambda q, *V: AT.depth_attn_eager(q, V, 1e-6), [q] + V, [g], 5e-5)
# CHECK: depth_attn moderate: {{.*}} PASS; perturbed reference rejected
# CHECK: depth_attn peaked: {{.*}} PASS; perturbed reference rejected
# CHECK: depth_attn flat: {{.*}} PASS; perturbed reference rejected
# CHECK: depth_attn one token: {{.*}} PASS; perturbed reference rejected

# --- rms_norm
x, gain, g = torch.randn(8, 48), 1 + 0.2 * torch.randn(48), torch.randn(8, 48)
compare("rms_norm", lambda x, gain: AT.rms_norm(x, gain, 1e-5),
        lambda x, gain: AT.rms_norm_eager(x, gain, 1e-5), [x, gain], [g], 5e-5)
x1, g1 = torch.randn(1, 48), torch.randn(1, 48)
compare("rms_norm one token", lambda x, gain: AT.rms_norm(x, gain, 1e-5),
        lambda x, gain: AT.rms_norm_eager(x, gain, 1e-5), [x1, gain], [g1], 5e-5)
# CHECK: rms_norm: {{.*}} PASS; perturbed reference rejected
# CHECK: rms_norm one token: {{.*}} PASS; perturbed reference rejected

# --- depth_attn_stats (both results get cotangents), peaked and flat
for name, sq in [("stats moderate", 0.4), ("stats peaked", 4.0), ("stats flat", 0.0)]:
    S, T, D, n = 3, 8, 32, 4
    Q = sq * torch.randn(S, D)
    V = [torch.randn(T, D) for _ in range(n)]
    dO, dlse = torch.randn(S, T, D), torch.randn(S, T)
    compare(name, lambda Q, *V: AT.depth_attn_stats(Q, V, 1e-6),
            lambda Q, *V: AT.depth_attn_stats_eager(Q, V, 1e-6), [Q] + V, [dO, dlse], 5e-5)
# CHECK: stats moderate: {{.*}} PASS; perturbed reference rejected
# CHECK: stats peaked: {{.*}} PASS; perturbed reference rejected
# CHECK: stats flat: {{.*}} PASS; perturbed reference rejected

# --- depth_attn_merge
T, D = 8, 32
o, u, q, g = torch.randn(T, D), torch.randn(T, D), 0.5 * torch.randn(D), torch.randn(T, D)
lse = torch.randn(T)
compare("merge", lambda o, lse, q, u: AT.depth_attn_merge(o, lse, q, u, 1e-6),
        lambda o, lse, q, u: AT.depth_attn_merge_eager(o, lse, q, u, 1e-6),
        [o, lse, q, u], [g], 5e-5)
# CHECK: merge: {{.*}} PASS; perturbed reference rejected

# --- bf16 sources (f32 query)
q = 0.3 * torch.randn(64)
V = [torch.randn(16, 64).bfloat16() for _ in range(4)]
g = torch.randn(16, 64)
qb = leaf(q)
Vb = [leaf(v) for v in V]
hb = AT.depth_attn(qb, Vb, 1e-6)
gb = torch.autograd.grad(hb, [qb] + Vb, g.bfloat16())
q64 = leaf(q, torch.float64)
V64 = [leaf(v, torch.float64) for v in V]
h64 = AT.depth_attn_eager(q64, V64, 1e-6)
g64 = torch.autograd.grad(h64, [q64] + V64, g.bfloat16().double())
report("depth_attn bf16", [hb] + list(gb), [h64] + list(g64), 3e-2)
# CHECK: depth_attn bf16: {{.*}} PASS; perturbed reference rejected

# --- gradcheck: the float64 eager references are right (float64 finite
# differences), so the comparisons above compare against true gradients.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    d = lambda *s: torch.randn(*s, dtype=torch.float64).requires_grad_()  # noqa: E731
    ok = [torch.autograd.gradcheck(lambda q, a, b, c: AT.depth_attn_eager(q, [a, b, c], 1e-6),
                                   (d(8), d(3, 8), d(3, 8), d(3, 8))),
          torch.autograd.gradcheck(lambda x, gn: AT.rms_norm_eager(x, gn, 1e-5), (d(3, 8), d(8))),
          torch.autograd.gradcheck(lambda Q, a, b: AT.depth_attn_stats_eager(Q, [a, b], 1e-6),
                                   (d(2, 8), d(3, 8), d(3, 8))),
          torch.autograd.gradcheck(lambda o, l, q, u: AT.depth_attn_merge_eager(o, l, q, u, 1e-6),
                                   (d(3, 8), d(3), d(8), d(3, 8)))]
    # The compiled f32 functions against float64 finite differences of
    # themselves (step 1e-3 in f32, so atol = rtol = 2e-2).
    fq = (0.3 * torch.randn(16)).requires_grad_()
    fV = [torch.randn(3, 16).requires_grad_() for _ in range(3)]
    ok.append(torch.autograd.gradcheck(lambda q, *V: AT.depth_attn(q, V, 1e-5), (fq, *fV),
                                       eps=1e-3, atol=2e-2, rtol=2e-2))
    fQ = (0.3 * torch.randn(2, 16)).requires_grad_()
    ok.append(torch.autograd.gradcheck(lambda Q, *V: AT.depth_attn_stats(Q, V, 1e-5),
                                       (fQ, *fV), eps=1e-3, atol=2e-2, rtol=2e-2))
# CHECK: gradcheck: [True, True, True, True, True, True]
print("gradcheck:", ok)

# --- Block AttnRes: compiled per-site and two-phase models vs the eager model
# in float64, every gradient (embedding, queries, sublayer weights).
L, S, D, T = 7, 3, 32, 8   # blocks of 3, partial last block
emb0 = torch.randn(T, D)
W0 = [torch.randn(D, D) / D ** 0.5 for _ in range(L)]
Q0 = 0.5 * torch.randn(L + 1, D)
dy = torch.randn(T, D)


def model(helper, site_fn, dtype, **kw):
    emb, Q = leaf(emb0, dtype), leaf(Q0, dtype)
    W = [leaf(w, dtype) for w in W0]
    subs = [lambda h, w=w: torch.tanh(h @ w) for w in W]
    if helper == "sites":
        y = AT.block_attnres(emb, [Q[i] for i in range(L + 1)], subs, S, 1e-5, site=site_fn)
    else:
        y = AT.block_attnres_two_phase(emb, Q, subs, S, 1e-5, **kw)
    return [y] + list(torch.autograd.grad(y, [emb, Q] + W, dy.to(dtype)))


ref = model("sites", AT.depth_attn_eager, torch.float64)
report("block sites", model("sites", AT.depth_attn, torch.float32), ref, 2e-4)
report("block two-phase", model("two-phase", None, torch.float32), ref, 2e-4)
report("block two-phase eager", model("two-phase", None, torch.float64, eager=True), ref, 1e-10)
# CHECK: block sites: {{.*}} PASS; perturbed reference rejected
# CHECK: block two-phase: {{.*}} PASS; perturbed reference rejected
# CHECK: block two-phase eager: {{.*}} PASS; perturbed reference rejected


# --- Training: the same initial parameters with compiled and eager sites.
def train(step_model):
    g = torch.Generator().manual_seed(1)
    W = [(torch.randn(D, D, generator=g) / D ** 0.5).requires_grad_() for _ in range(L)]
    Q = (0.1 * torch.randn(L + 1, D, generator=g)).requires_grad_()
    gain = torch.ones(D, requires_grad=True)
    opt = torch.optim.SGD(W + [Q, gain], lr=0.1)
    target = torch.randn(T, D, generator=g)
    losses = []
    for _ in range(5):
        loss = step_model(W, Q, gain, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def step(two_phase, compiled):
    norm = AT.rms_norm if compiled else AT.rms_norm_eager

    def run(W, Q, gain, target):
        subs = [lambda h, w=w: torch.tanh(norm(h, gain, 1e-5) @ w) for w in W]
        if two_phase:
            y = AT.block_attnres_two_phase(emb0, Q, subs, S, 1e-5, eager=not compiled)
        else:
            y = AT.block_attnres(emb0, [Q[i] for i in range(L + 1)], subs, S, 1e-5,
                                 site=AT.depth_attn if compiled else AT.depth_attn_eager)
        return ((y - target) ** 2).mean()
    return run


for name, two_phase in [("training sites", False), ("training two-phase", True)]:
    c = train(step(two_phase, True))
    e = train(step(two_phase, False))
    diff = max(abs(a - b) / abs(b) for a, b in zip(c, e))
    print("%s losses compiled: %s" % (name, " ".join("%.6f" % v for v in c)))
    print("%s losses eager:    %s" % (name, " ".join("%.6f" % v for v in e)))
    print("%s: max rel loss diff %.3g %s, loss decreases: %s"
          % (name, diff, "PASS" if diff <= 1e-4 else "FAIL", c[-1] < c[0]))
# CHECK: training sites: max rel loss diff {{.*}} PASS, loss decreases: True
# CHECK: training two-phase: max rel loss diff {{.*}} PASS, loss decreases: True
