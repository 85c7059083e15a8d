#!/usr/bin/env python3
"""attnres_grad_gen.py: float64 gradient references for the attnres gradient
ops, checked by finite differences, and a generator of self-checking MLIR test
programs for them (the harness of attnres_gen.py: @main compares in IR, prints
max_abs_err, mismatches and PASS/FAIL).

The reference gradients are written from the derivation in docs/semantics.md
("Gradients") in float64 numpy. Before a program is emitted, every reference
gradient is checked against central finite differences of the *forward*
references of attnres_gen.py (attnres-math.md §1/§4, written independently of
the gradients): for a few random directions d, <grad, d> must equal
(L(x + h·d) − L(x − h·d)) / 2h, with L = Σ (incoming gradient ⊙ forward), to
a relative 1e-6. The program is not written if that fails.

Usage:
  attnres_grad_gen.py --case site-grad  --dtype f32|bf16 --sources 3 --rows 4 --hidden 32 --seed 1
  attnres_grad_gen.py --case norm-grad  ...
  attnres_grad_gen.py --case stats-grad ... --queries 3   (depth_attn_stats, then its gradient)
  attnres_grad_gen.py --case merge-grad ...
  attnres_grad_gen.py --case block-grad --layers 6 --block-size 2 --rows 4 --hidden 16
      (a Block AttnRes model with linear sublayers: forward and backward in IR)
  flags: --query zero (flat softmax), --scale-q X (large: peaked softmax), --perturb P
  (adds P to every expected value: the program must print FAIL), --self-test,
  --outs none|empty|inplace (site/norm/stats/merge-grad: the gradient op gets
  destinations, one per result: tensor.empty, or the operands whose gradients
  they are).
"""

import argparse
import os
import shlex
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attnres_gen as G  # noqa: E402  (forward references and the IR harness)
import importlib  # noqa: E402
# attnres.grad_builders from the source tree (loaded as attnres_gen loads ir
# and builders, without the native module; only its pure-Python parts are used).
GB = importlib.import_module(G.B.__name__.rsplit(".", 1)[0] + ".grad_builders")

# ===========================================================================
# Part 1: float64 gradient references (docs/semantics.md, "Gradients")
# ===========================================================================


def rho_of(v, eps):
    v = np.asarray(v, np.float64)
    return 1.0 / np.sqrt((v * v).mean(axis=-1) + eps)


def softmax0(s):
    m = s.max(axis=0)
    e = np.exp(s - m)
    return e / e.sum(axis=0)


def site_grad(q, V, g, eps):
    """depth_attn: (dq, [dV_j]) for incoming gradient g."""
    q = np.asarray(q, np.float64)
    V = [np.asarray(v, np.float64) for v in V]
    g = np.asarray(g, np.float64)
    D = q.shape[0]
    rho = np.stack([rho_of(v, eps) for v in V])           # [n, T...]
    s = np.stack([r * (v @ q) for r, v in zip(rho, V)])   # [n, T...]
    a = np.stack([(v * g).sum(-1) for v in V])            # [n, T...]
    al = softmax0(s)
    abar = (al * a).sum(0)
    ds = al * (a - abar)
    dV = [al[j][..., None] * g + (ds[j] * rho[j])[..., None] * q
          - (ds[j] * s[j] * rho[j] ** 2 / D)[..., None] * V[j] for j in range(len(V))]
    dq = sum(((ds[j] * rho[j])[..., None] * V[j]).reshape(-1, D).sum(0)
             for j in range(len(V)))
    return dq, dV


def norm_grad(x, gain, g, eps):
    x, gain, g = (np.asarray(a, np.float64) for a in (x, gain, g))
    D = x.shape[-1]
    r = rho_of(x, eps)[..., None]
    p = (gain * g * x).sum(-1, keepdims=True)
    dx = r * gain * g - r ** 3 / D * x * p
    dgain = (r * x * g).reshape(-1, D).sum(0)
    return dx, dgain


def stats_grad(Q, V, lse, dO, dlse, eps):
    """depth_attn_stats: (dQ, [dV_j]) given the saved lse and (dO, dlse)."""
    Q = np.asarray(Q, np.float64)
    V = [np.asarray(v, np.float64) for v in V]
    D = Q.shape[1]
    dQ = np.zeros_like(Q)
    dV = [np.zeros_like(v) for v in V]
    for qi in range(Q.shape[0]):
        rho = np.stack([rho_of(v, eps) for v in V])
        s = np.stack([r * (v @ Q[qi]) for r, v in zip(rho, V)])
        al = np.exp(s - lse[qi])
        a = np.stack([(v * dO[qi]).sum(-1) for v in V])
        abar = (al * a).sum(0)
        ds = al * (a - abar + dlse[qi])
        for j in range(len(V)):
            dV[j] += (al[j][..., None] * dO[qi] + (ds[j] * rho[j])[..., None] * Q[qi]
                      - (ds[j] * s[j] * rho[j] ** 2 / D)[..., None] * V[j])
            dQ[qi] += ((ds[j] * rho[j])[..., None] * V[j]).reshape(-1, D).sum(0)
    return dQ, dV


def merge_grad(o, lse, q, u, g, eps):
    o, lse, q, u, g = (np.asarray(a, np.float64) for a in (o, lse, q, u, g))
    D = q.shape[0]
    r = rho_of(u, eps)
    s = r * (u @ q)
    beta = 1.0 / (1.0 + np.exp(-(s - lse)))
    ds = beta * (1 - beta) * (g * (u - o)).sum(-1)
    do = (1 - beta)[..., None] * g
    dlse = -ds
    du = beta[..., None] * g + (ds * r)[..., None] * q - (ds * s * r * r / D)[..., None] * u
    dq = ((ds * r)[..., None] * u).reshape(-1, D).sum(0)
    return do, dlse, dq, du


# ---------------------------------------------------------------------------
# Block AttnRes model (linear sublayers f_l(h) = h @ W_l): forward and
# reverse-mode gradient with respect to the embedding and every query
# ---------------------------------------------------------------------------


def block_trace(emb, Q, W, S):
    """The state machine of attnres-math.md §3. Each source is a list of
    leaves ('emb' or 'o<l>', a sublayer output) whose sum it is (a block
    summary or the running partial). Returns the sources of every sublayer
    and of the output site."""
    blocks, partial, sites = [["emb"]], None, []
    for l in range(len(W)):
        if l > 0 and l % S == 0:
            blocks.append(partial)
            partial = None
        sites.append(blocks + ([partial] if partial is not None else []))
        partial = ["o%d" % l] if partial is None else partial + ["o%d" % l]
    return sites, blocks + [partial]


def block_forward(emb, Q, W, S, eps):
    sites, out_src = block_trace(emb, Q, W, S)
    vals = {"emb": np.asarray(emb, np.float64)}

    def value(src):
        return sum(vals[x] for x in src)
    for l, src in enumerate(sites):
        srcv = [value(s) for s in src]
        h = srcv[0] if len(src) == 1 else G.site(srcv, Q[l], eps)
        vals["o%d" % l] = h @ W[l]
    return G.site([value(s) for s in out_src], Q[len(W)], eps), vals


def block_grad(emb, Q, W, S, eps, dy):
    """(d emb, dQ) of L = Σ dy ⊙ y, by the rules of docs/semantics.md: each
    site's depth_attn_grad; a block summary passes its gradient to every
    output it sums; the sublayer's vector-Jacobian product dh = dout @ W^T."""
    sites, out_src = block_trace(emb, Q, W, S)
    _, vals = block_forward(emb, Q, W, S, eps)
    L, D = len(W), emb.shape[-1]
    g = {k: np.zeros_like(v) for k, v in vals.items()}
    dQ = np.zeros((L + 1, D))

    def value(src):
        return sum(vals[x] for x in src)

    def site_back(l, src, grad):
        dq, dsrc = site_grad(Q[l], [value(s) for s in src], grad, eps)
        dQ[l] = dq
        for s, ds in zip(src, dsrc):
            for leaf in s:
                g[leaf] += ds
    site_back(L, out_src, dy)
    for l in reversed(range(L)):
        dh = g["o%d" % l] @ np.asarray(W[l], np.float64).T
        if len(sites[l]) == 1:
            for leaf in sites[l][0]:
                g[leaf] += dh
        else:
            site_back(l, sites[l], dh)
    return g["emb"], dQ


def check_block(emb, Q, W, S, eps, dy, rng):
    demb, dQ = block_grad(emb, Q, W, S, eps, dy)
    fd_check(lambda xs: float((dy * block_forward(xs[0], xs[1], W, S, eps)[0]).sum()),
             [np.asarray(emb, np.float64), np.asarray(Q, np.float64)], [demb, dQ], rng,
             "Block AttnRes model gradient")
    return demb, dQ


# ---------------------------------------------------------------------------
# Finite-difference check of the references against the forward references
# ---------------------------------------------------------------------------


def fd_check(loss, xs, grads, rng, what, h=1e-6, tol=1e-6, directions=3):
    """<grads, d> vs the central difference of loss(xs) along random d."""
    for _ in range(directions):
        d = [rng.standard_normal(np.shape(x)) for x in xs]
        plus = loss([x + h * dx for x, dx in zip(xs, d)])
        minus = loss([x - h * dx for x, dx in zip(xs, d)])
        fd = (plus - minus) / (2 * h)
        an = sum(float((np.asarray(gr) * dx).sum()) for gr, dx in zip(grads, d))
        scale = max(abs(fd), abs(an),
                    sum(float(np.abs(np.asarray(gr) * dx).sum()) for gr, dx in zip(grads, d)),
                    1e-300)
        if abs(fd - an) > tol * scale:
            raise SystemExit("%s: reference gradient fails the finite-difference check: "
                             "analytic %r vs finite difference %r" % (what, an, fd))


def check_site(q, V, g, eps, rng):
    dq, dV = site_grad(q, V, g, eps)
    fd_check(lambda xs: float((g * G.site(xs[1:], xs[0], eps)).sum()),
             [np.asarray(q, np.float64)] + [np.asarray(v, np.float64) for v in V],
             [dq] + dV, rng, "depth_attn_grad")
    return dq, dV


def check_norm(x, gain, g, eps, rng):
    dx, dgain = norm_grad(x, gain, g, eps)
    fd_check(lambda xs: float((g * G.rms_norm(xs[0], xs[1], eps)).sum()),
             [np.asarray(x, np.float64), np.asarray(gain, np.float64)],
             [dx, dgain], rng, "rms_norm_grad")
    return dx, dgain


def check_stats(Q, V, dO, dlse, eps, rng):
    o, lse = G.depth_attn_stats(Q, V, eps)
    dQ, dV = stats_grad(Q, V, lse, dO, dlse, eps)

    def loss(xs):
        o2, l2 = G.depth_attn_stats(xs[0], xs[1:], eps)
        return float((dO * o2).sum() + (dlse * l2).sum())
    fd_check(loss, [np.asarray(Q, np.float64)] + [np.asarray(v, np.float64) for v in V],
             [dQ] + dV, rng, "depth_attn_stats_grad")
    return o, lse, dQ, dV


def check_merge(o, lse, q, u, g, eps, rng):
    grads = merge_grad(o, lse, q, u, g, eps)
    fd_check(lambda xs: float((g * G.depth_attn_merge(xs[0], xs[1], xs[2], xs[3], eps)).sum()),
             [np.asarray(a, np.float64) for a in (o, lse, q, u)], list(grads), rng,
             "depth_attn_merge_grad")
    return grads


def self_test():
    """The references against finite differences, and the identities of the
    derivation (docs/semantics.md): n = 1 gives dV_0 = g and dq = 0; q = 0
    gives dV_j = g/n; Σ_j ds_j = 0 shows as dq orthogonal to nothing, so
    instead: the merge gradients equal the site gradients through the
    two-phase identity."""
    rng = np.random.default_rng(0)
    T, D, n, eps = 5, 8, 3, 1e-6
    V = [rng.standard_normal((T, D)) for _ in range(n)]
    q, g = rng.standard_normal(D), rng.standard_normal((T, D))
    check_site(q, V, g, eps, rng)
    dq, dV = site_grad(q, V[:1], g, eps)
    assert np.array_equal(dV[0], g) and np.abs(dq).max() == 0
    _, dV = site_grad(np.zeros(D), V, g, eps)
    assert all(np.allclose(d, g / n, atol=1e-15) for d in dV)
    check_norm(V[0], rng.standard_normal(D), g, 1e-5, rng)
    Q = rng.standard_normal((2, D))
    check_stats(Q, V, rng.standard_normal((2, T, D)), rng.standard_normal((2, T)), eps, rng)
    # Two-phase chain rule: site over [V..., u] = merge(stats(V), u); the
    # gradients of the chain equal the site's.
    u = rng.standard_normal((T, D))
    o, lse = G.depth_attn_stats(q[None], V, eps)
    do, dlse, dq_m, du = check_merge(o[0], lse[0], q, u, g, eps, rng)
    dQ, dVs = stats_grad(q[None], V, lse, do[None], dlse[None], eps)
    dq_site, dV_site = site_grad(q, V + [u], g, eps)
    assert np.allclose(dq_m + dQ[0], dq_site, atol=1e-12, rtol=1e-10)
    assert all(np.allclose(a, b, atol=1e-12, rtol=1e-10) for a, b in zip(dVs + [du], dV_site))
    print("attnres_grad_gen self-test: PASS")
    return 0


# ===========================================================================
# Part 2: MLIR emission
# ===========================================================================

# Tolerances. Per element: |got − ref| <= atol + rtol·|ref| with atol
# relative to max|ref| of that result (a normwise bound: a gradient element is
# a sum of terms of either sign, so its f32 error scales with the terms, not
# with the element).
#   f32: dot products of length D and sums over rows in f32 (errors a few
#        1e-7 of the terms), softmax weights from f32 logits: rtol = 1e-4,
#        atol = 1e-4 x max|ref|.
#   bf16: inputs are bf16 (the reference sees the same values), every result
#        is rounded once to bf16 (unit roundoff 2^-9 = 2e-3): rtol = 1e-2,
#        atol = 1e-2 x max|ref|.
GRAD_TOL = {"f32": 1e-4, "bf16": 1e-2}


def grad_tol(dtype, ref, what):
    t = GRAD_TOL[dtype]
    scale = float(np.abs(ref).max()) if np.size(ref) else 0.0
    return G.Tol(t * scale if scale > 0 else t, t,
                 "%s: %s, atol = %g x max|ref| = %g" % (what, dtype, t, scale))


def f32_shape(shape):
    return G.tensor_type(shape, "f32")


def outs_clause(args, results, pre):
    """The destinations (name, type) for a gradient op whose results are `results`, a list of
    (operand name, its shape with None for dynamic dims, dtype, its type
    string): with --outs empty a tensor.empty per result (appending its lines
    to `pre`), with --outs inplace the operand itself."""
    if args.outs == "none":
        return None
    names = []
    for i, (operand, dims, dt, t) in enumerate(results):
        if args.outs == "inplace":
            names.append(operand)
            continue
        var = "init%d" % i
        pre.extend(G.empty_like(var, dims, dt, operand, t, lambda d: d))
        names.append("%" + var)
    return list(zip(names, (r[3] for r in results)))


def emit(args, em):
    rng = np.random.default_rng(args.seed)
    fd_rng = np.random.default_rng(args.seed + 1)
    dt = args.dtype
    D, rows = args.hidden, G.parse_rows(args.rows)
    shape = rows + [D]
    n = args.sources
    eps = float(np.float32(args.eps))
    src_t = G.tensor_type(shape, dt)
    q_t = G.tensor_type([D], dt)
    scale_q = args.scale_q if args.scale_q is not None else 2.0 / np.sqrt(D)

    def query(d):
        if args.query == "zero":
            return np.zeros(d)
        return G.round_to(dt, np.round(scale_q * rng.standard_normal(d), 4))

    if args.case == "site-grad":
        V = G.gen_inputs(rng, n, shape, dt, args.scale_v)
        q = query(D)
        g = G.gen_inputs(rng, 1, shape, dt, 1.0)[0]
        dq, dV = check_site(q, V, g, eps, fd_rng)
        names = ["%%v%d" % j for j in range(n)]
        # --dynamic-rows: the function takes dynamic token dims (and a
        # dynamic query length); @main casts to and from them.
        dyn = ([None] * len(rows) + [D]) if args.dynamic_rows else shape
        dq_dyn = [None] if args.dynamic_rows else [D]
        st, qs = src_t, q_t
        src_t, q_t = G.tensor_type(dyn, dt), G.tensor_type(dq_dyn, dt)
        pre = []
        outs = outs_clause(args, [("%q", [None] if args.dynamic_rows else [D], dt, q_t)]
                           + [(v, dyn, dt, src_t) for v in names], pre)
        em.funcs.append("\n".join([
            "  // Function under test: the gradient of one fused AttnRes site.",
            "  func.func @grad(%%q: %s, %s, %%g: %s) -> (%s, %s) {"
            % (q_t, ", ".join("%s: %s" % (v, src_t) for v in names), src_t, q_t,
               ", ".join([src_t] * n))] + pre + [
            "    " + G.IR.depth_attn_grad("%%dq, %%dv:%d" % n, "%q", names, "%g", eps, q_t, src_t,
                                     src_t, outs=outs),
            "    return %%dq, %s : %s, %s" % (", ".join("%%dv#%d" % j for j in range(n)),
                                             q_t, ", ".join([src_t] * n)),
            "  }"]))
        qc = G.cast_in(em, em.constant(q, dt, "q"), [D], dt, dq_dyn)
        vs = [G.cast_in(em, em.constant(v, dt, "v"), shape, dt, dyn) for v in V]
        gc = G.cast_in(em, em.constant(g, dt, "g"), shape, dt, dyn)
        r = em.fresh("r")
        em.m("%s:%d = func.call @grad(%s, %s, %s) : (%s, %s, %s) -> (%s, %s)"
             % (r, n + 1, qc, ", ".join(vs), gc, q_t, ", ".join([src_t] * n), src_t,
                q_t, ", ".join([src_t] * n)))
        em.check(G.cast_out(em, r + "#0", [D], dt, dq_dyn), [D], dt, dq,
                 grad_tol(dt, dq, "dq"), "dq")
        for j in range(n):
            em.check(G.cast_out(em, "%s#%d" % (r, j + 1), shape, dt, dyn), shape, dt, dV[j],
                     grad_tol(dt, dV[j], "dV_%d" % j), "dV_%d" % j)
        del st, qs
    elif args.case == "norm-grad":
        x = G.gen_inputs(rng, 1, shape, dt, args.scale_v)[0]
        gain = G.round_to(dt, np.round(1.0 + 0.25 * rng.standard_normal(D), 4))
        g = G.gen_inputs(rng, 1, shape, dt, 1.0)[0]
        dx, dgain = check_norm(x, gain, g, eps, fd_rng)
        pre = []
        outs = outs_clause(args, [("%x", shape, dt, src_t), ("%gain", [D], dt, q_t)], pre)
        em.funcs.append("\n".join([
            "  // Function under test: the gradient of rms_norm.",
            "  func.func @grad(%%x: %s, %%gain: %s, %%g: %s) -> (%s, %s) {"
            % (src_t, q_t, src_t, src_t, q_t)] + pre + [
            "    " + G.IR.rms_norm_grad("%dx, %dgain", "%x", "%gain", "%g", eps, src_t, q_t,
                                   outs=outs),
            "    return %%dx, %%dgain : %s, %s" % (src_t, q_t),
            "  }"]))
        xc, gnc, gc = (em.constant(x, dt, "x"), em.constant(gain, dt, "gain"),
                       em.constant(g, dt, "g"))
        r = em.fresh("r")
        em.m("%s:2 = func.call @grad(%s, %s, %s) : (%s, %s, %s) -> (%s, %s)"
             % (r, xc, gnc, gc, src_t, q_t, src_t, src_t, q_t))
        em.check(r + "#0", shape, dt, dx, grad_tol(dt, dx, "dx"), "dx")
        em.check(r + "#1", [D], dt, dgain, grad_tol(dt, dgain, "dgain"), "dgain")
    elif args.case == "stats-grad":
        S = args.queries
        V = G.gen_inputs(rng, n, shape, dt, args.scale_v)
        Q = np.stack([query(D) for _ in range(S)])
        dO = G.gen_inputs(rng, 1, [S] + shape, dt, 1.0)[0]
        dlse = G.round_to("f32", np.round(rng.standard_normal([S] + rows), 4))
        o, lse, dQ, dV = check_stats(Q, V, dO, dlse, eps, fd_rng)
        Q_t = G.tensor_type([S, D], dt)
        o_t = G.tensor_type([S] + shape, dt)
        l_t = f32_shape([S] + rows)
        names = ["%%v%d" % j for j in range(n)]
        pre = []
        outs = outs_clause(args, [("%Q", [S, D], dt, Q_t)]
                           + [(v, shape, dt, src_t) for v in names], pre)
        em.funcs.append("\n".join([
            "  // Function under test: phase 1 (its lse is saved), then its gradient.",
            "  func.func @grad(%%Q: %s, %s, %%do: %s, %%dlse: %s) -> (%s, %s) {"
            % (Q_t, ", ".join("%s: %s" % (v, src_t) for v in names), o_t, l_t, Q_t,
               ", ".join([src_t] * n)),
            "    " + G.IR.depth_attn_stats("%o, %lse", "%Q", names, eps, Q_t, src_t, o_t, l_t)]
            + pre + [
            "    " + G.IR.depth_attn_stats_grad("%%dQ, %%dv:%d" % n, "%Q", names, "%lse", "%do",
                                           "%dlse", eps, Q_t, src_t, l_t, o_t, outs=outs),
            "    return %%dQ, %s : %s, %s" % (", ".join("%%dv#%d" % j for j in range(n)),
                                             Q_t, ", ".join([src_t] * n)),
            "  }"]))
        Qc = em.constant(Q, dt, "Q")
        vs = [em.constant(v, dt, "v") for v in V]
        doc, dlc = em.constant(dO, dt, "do"), em.constant(dlse, "f32", "dlse")
        r = em.fresh("r")
        em.m("%s:%d = func.call @grad(%s, %s, %s, %s) : (%s, %s, %s, %s) -> (%s, %s)"
             % (r, n + 1, Qc, ", ".join(vs), doc, dlc, Q_t, ", ".join([src_t] * n), o_t,
                l_t, Q_t, ", ".join([src_t] * n)))
        em.check(r + "#0", [S, D], dt, dQ, grad_tol(dt, dQ, "dQ"), "dQ")
        for j in range(n):
            em.check("%s#%d" % (r, j + 1), shape, dt, dV[j], grad_tol(dt, dV[j], "dV_%d" % j),
                     "dV_%d" % j)
    elif args.case == "merge-grad":
        o = G.gen_inputs(rng, 1, shape, dt, args.scale_v)[0]
        u = G.gen_inputs(rng, 1, shape, dt, args.scale_v)[0]
        q = query(D)
        s_u = rho_of(u, eps) * (u @ q)
        # lse near the merged logit: moderate weights β (and some near 0/1).
        lse = G.round_to("f32", np.round(s_u + 2.0 * rng.standard_normal(rows), 4))
        g = G.gen_inputs(rng, 1, shape, dt, 1.0)[0]
        do, dlse, dq, du = check_merge(o, lse, q, u, g, eps, fd_rng)
        l_t = f32_shape(rows)
        pre = []
        outs = outs_clause(args, [("%o", shape, dt, src_t), ("%lse", rows, "f32", l_t),
                                  ("%q", [D], dt, q_t), ("%u", shape, dt, src_t)], pre)
        em.funcs.append("\n".join([
            "  // Function under test: the gradient of depth_attn_merge.",
            "  func.func @grad(%%o: %s, %%lse: %s, %%q: %s, %%u: %s, %%g: %s) -> (%s, %s, %s, %s) {"
            % (src_t, l_t, q_t, src_t, src_t, src_t, l_t, q_t, src_t)] + pre + [
            "    " + G.IR.depth_attn_merge_grad("%do, %dlse, %dq, %du", "%o", "%lse", "%q", "%u",
                                           "%g", eps, src_t, l_t, q_t, outs=outs),
            "    return %%do, %%dlse, %%dq, %%du : %s, %s, %s, %s" % (src_t, l_t, q_t, src_t),
            "  }"]))
        oc, lc, qc, uc, gc = (em.constant(o, dt, "o"), em.constant(lse, "f32", "lse"),
                              em.constant(q, dt, "q"), em.constant(u, dt, "u"),
                              em.constant(g, dt, "g"))
        r = em.fresh("r")
        em.m("%s:4 = func.call @grad(%s, %s, %s, %s, %s) : (%s, %s, %s, %s, %s) -> (%s, %s, %s, %s)"
             % (r, oc, lc, qc, uc, gc, src_t, l_t, q_t, src_t, src_t, src_t, l_t, q_t, src_t))
        em.check(r + "#0", shape, dt, do, grad_tol(dt, do, "do"), "do")
        em.check(r + "#1", rows, "f32", dlse, grad_tol("f32" if dt == "f32" else dt, dlse, "dlse"),
                 "dlse")
        em.check(r + "#2", [D], dt, dq, grad_tol(dt, dq, "dq"), "dq")
        em.check(r + "#3", shape, dt, du, grad_tol(dt, du, "du"), "du")


def emit_block(args, em):
    """A Block AttnRes model with linear sublayers, forward and backward in
    one function @grad(emb, queries, dy, W) -> (d emb, dq of every site with
    more than one source): the forward from attnres.builders' state machine,
    the backward built by the rules block_grad follows, with depth_attn_grad
    per site, block_summary to add gradients, and the sublayer's gradient
    dh = dout @ W^T (linalg.transpose, linalg.matmul)."""
    rng = np.random.default_rng(args.seed)
    fd_rng = np.random.default_rng(args.seed + 1)
    L, S, D = args.layers, args.block_size, args.hidden
    T = int(args.rows)
    eps = float(np.float32(args.eps))
    scale_q = args.scale_q if args.scale_q is not None else 2.0 / np.sqrt(D)
    emb = G.gen_inputs(rng, 1, [T, D], "f32", 1.0)[0]
    Q = G.round_to("f32", np.round(scale_q * rng.standard_normal((L + 1, D)), 4))
    W = [G.round_to("f32", np.round(rng.standard_normal((D, D)) / np.sqrt(D), 4)) for _ in range(L)]
    dy = G.gen_inputs(rng, 1, [T, D], "f32", 1.0)[0]
    demb, dQ = check_block(emb, Q, W, S, eps, dy, fd_rng)

    # The forward: attnres.builders' Block AttnRes with linear sublayers
    # (attnres.grad_builders.LinearSublayer, f_l(h) = h @ W_l); its trace
    # says which sublayer outputs each site's sources sum.
    b = G.B.IRBuilder(L, D, "f32", T, eps)
    b.fixed_argument("emb", b.hidden_shape, "f32")
    b.fixed_argument("queries", [L + 1, D], "f32")
    b.fixed_argument("dy", b.hidden_shape, "f32")
    lin = GB.LinearSublayer()
    trace = {}
    b.comment("forward: Block AttnRes, %d sublayers, block size %d" % (L, S))
    G.B._block_model(b, lin, S, output_site=True, two_phase=False, running_sums=False,
                     chunks=None, dynamic_query=False, epilogue=None, trace=trace)
    # The backward, by the rules block_grad follows: depth_attn_grad per site
    # (the output site first), block_summary to add the gradients reaching a
    # sublayer output, and the sublayer's VJP dh = dout @ W_l^T.
    b.comment("backward")
    ht, qt = b.hidden_type, G.tensor_type([D], "f32")
    grads = {}  # leaf ("emb" or sublayer index) -> its gradient terms
    dqs = {}

    def total(names):
        return names[0] if len(names) == 1 else b.block_summary(names, "dsum")

    def back(l, grad):
        _, sources, leaves = trace["sites"][l]
        if len(sources) == 1:
            terms = [grad]
        else:
            r = b.fresh("g")
            b.emit(G.IR.depth_attn_grad("%s:%d" % (r, len(sources) + 1),
                                        b.layer("%queries", l), sources, grad, eps, qt, ht, ht))
            dqs[l] = r + "#0"
            terms = ["%s#%d" % (r, j + 1) for j in range(len(sources))]
        for term, ls in zip(terms, leaves):
            for leaf in ls:
                grads.setdefault(leaf, []).append(term)
    back(L, "%dy")
    for l in reversed(range(L)):
        h, _ = trace["sublayers"][l]
        back(l, lin.vjp(b, l, h, total(grads[l])))
    grad_sites = sorted(dqs)
    rets = [total(grads["emb"])] + [dqs[l] for l in grad_sites]
    ret_t = [ht] + [qt] * len(grad_sites)
    function, _ = b.function_text("grad", rets, result_types=ret_t)
    em.funcs.append("\n".join(
        ["  // Function under test: Block AttnRes (L = %d, block size %d) with linear" % (L, S),
         "  // sublayers, its forward and its backward (d emb, dq of every site).",
         function]))
    args_v = [em.constant(emb, "f32", "emb"), em.constant(Q, "f32", "queries"),
              em.constant(dy, "f32", "dy"), em.constant(np.asarray(W), "f32", "w")]
    arg_t = [ht, G.tensor_type([L + 1, D], "f32"), ht, G.tensor_type([L, D, D], "f32")]
    r = em.fresh("r")
    em.m("%s:%d = func.call @grad(%s) : (%s) -> (%s)"
         % (r, len(rets), ", ".join(args_v), ", ".join(arg_t), ", ".join(ret_t)))
    tol = 2e-4
    em.check(r + "#0", [T, D], "f32", demb,
             G.Tol(tol * float(np.abs(demb).max()), tol,
                   "d emb: f32 through %d sites and sublayers, 2e-4 x max|ref|" % (L + 1)),
             "d emb")
    for i, l in enumerate(grad_sites):
        em.check("%s#%d" % (r, i + 1), [D], "f32", dQ[l],
                 G.Tol(tol * float(np.abs(dQ[l]).max()), tol, "dq: 2e-4 x max|ref|"),
                 "dq of site %d" % l)


def build_parser():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--case", choices=["site-grad", "norm-grad", "stats-grad", "merge-grad",
                                       "block-grad"])
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--block-size", type=int, default=2)
    ap.add_argument("--dtype", choices=["f32", "bf16"], default="f32")
    ap.add_argument("--sources", type=int, default=3)
    ap.add_argument("--queries", type=int, default=3)
    ap.add_argument("--rows", default="4")
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eps", type=float, default=1e-6)
    ap.add_argument("--query", choices=["random", "zero"], default="random")
    ap.add_argument("--scale-v", type=float, default=1.0)
    ap.add_argument("--scale-q", type=float)
    ap.add_argument("--perturb", type=float, default=0.0)
    ap.add_argument("--dynamic-rows", action="store_true",
                    help="site-grad: dynamic token dims and query length in the function")
    ap.add_argument("--outs", choices=["none", "empty", "inplace"], default="none",
                    help="site/norm/stats/merge-grad: destinations (outs) for the gradient op: "
                    "tensor.empty, or the operands whose gradients the results are")
    ap.add_argument("--self-test", action="store_true")
    return ap


def main(argv):
    args = build_parser().parse_args(argv)
    if args.self_test:
        return self_test()
    if not args.case:
        build_parser().error("--case is required")
    header = [
        "// Generated by scripts/attnres_grad_gen.py; do not edit. Regenerate with:",
        "// attnres_grad_gen.py %s" % " ".join(shlex.quote(a) for a in argv),
        "// Reference: float64 numpy gradients (docs/semantics.md, Gradients), checked",
        "// against finite differences of the forward references of attnres_gen.py.",
    ]
    em = G.Emitter(header)
    em.perturb = args.perturb
    if args.perturb:
        em.header.append("// NOTE: expected values perturbed by %g (--perturb): must FAIL"
                         % args.perturb)
    if args.case == "block-grad":
        emit_block(args, em)
    else:
        emit(args, em)
    em.finish_checks()
    sys.stdout.write(em.text())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
