# REQUIRES: torch
# RUN: %python %s | FileCheck %s
#
# attnres-build-backward on a Block AttnRes model written in IR: attnres ops,
# glue (rows of the stacked queries and weights: tensor.extract_slice) and
# linear sublayers as func.calls whose callee names its vector-Jacobian
# product (attnres.vjp; the VJP returns dh and dW). The pass builds
# @model_backward(emb, queries, W, dy) -> (d_emb, d_queries, d_W); it is
# compiled with attnres-to-llvm (attnres.compile: fused kernels, and the
# linalg lowering) and compared with torch.autograd of an eager float64
# model (attnres.torch.depth_attn_eager; its float64 gradients are checked
# by torch.autograd.gradcheck, i.e. against finite differences).
#
# Cases: several blocks with a partial last block (L=7, S=3), Full AttnRes
# (S=1), one block (S=L), one token, peaked queries; PreNorm sublayers with
# every site fused with its norm (depth_attn_norm) before the backward is
# built. Tolerance: 2e-4 x
# max|ref| per gradient (f32 through L + 1 sites and L sublayers).

import warnings

import numpy as np
import torch

import attnres
import attnres.torch as AT

EPS = 1e-5


def model_ir(L, S, T, D, gain=None):
    ht, dd = "tensor<%dx%dxf32>" % (T, D), "tensor<%dx%dxf32>" % (D, D)
    qt, qq, ww = "tensor<%dxf32>" % D, "tensor<%dx%dxf32>" % (L + 1, D), \
        "tensor<%dx%dx%dxf32>" % (L, D, D)
    lines = [
        "func.func private @lin(%%h: %s, %%w: %s) -> %s attributes {attnres.vjp = @lin_vjp} {"
        % (ht, dd, ht),
        "  %zero = arith.constant 0.0 : f32",
        "  %%e = tensor.empty() : %s" % ht,
        "  %%z = linalg.fill ins(%%zero : f32) outs(%%e : %s) -> %s" % (ht, ht),
        "  %%y = linalg.matmul ins(%%h, %%w : %s, %s) outs(%%z : %s) -> %s" % (ht, dd, ht, ht),
        "  return %%y : %s" % ht,
        "}",
        # dh = dout W^T, dW = h^T dout
        "func.func private @lin_vjp(%%h: %s, %%w: %s, %%dout: %s) -> (%s, %s) {"
        % (ht, dd, ht, ht, dd),
        "  %zero = arith.constant 0.0 : f32",
        "  %%et = tensor.empty() : %s" % dd,
        "  %%wt = linalg.transpose ins(%%w : %s) outs(%%et : %s) permutation = [1, 0]" % (dd, dd),
        "  %%e = tensor.empty() : %s" % ht,
        "  %%z = linalg.fill ins(%%zero : f32) outs(%%e : %s) -> %s" % (ht, ht),
        "  %%dh = linalg.matmul ins(%%dout, %%wt : %s, %s) outs(%%z : %s) -> %s"
        % (ht, dd, ht, ht),
        "  %%eh = tensor.empty() : tensor<%dx%dxf32>" % (D, T),
        "  %%ht = linalg.transpose ins(%%h : %s) outs(%%eh : tensor<%dx%dxf32>) permutation = [1, 0]"
        % (ht, D, T),
        "  %%ed = tensor.empty() : %s" % dd,
        "  %%zd = linalg.fill ins(%%zero : f32) outs(%%ed : %s) -> %s" % (dd, dd),
        "  %%dw = linalg.matmul ins(%%ht, %%dout : tensor<%dx%dxf32>, %s) outs(%%zd : %s) -> %s"
        % (D, T, ht, dd, dd),
        "  return %%dh, %%dw : %s, %s" % (ht, dd),
        "}",
        "func.func @model(%%emb: %s, %%queries: %s, %%W: %s) -> %s {" % (ht, qq, ww, ht),
    ]
    if gain is not None:
        # The sublayers' PreNorm gain (a constant: not differentiated).
        lines.append("  %%gn = arith.constant dense<[%s]> : %s"
                     % (", ".join("%.9e" % x for x in gain), qt))
    counter = [0]

    def fresh(stem):
        counter[0] += 1
        return "%%%s%d" % (stem, counter[0])

    def row_q(l):
        v = fresh("q")
        lines.append("  %s = tensor.extract_slice %%queries[%d, 0] [1, %d] [1, 1] : %s to %s"
                     % (v, l, D, qq, qt))
        return v

    def row_w(l):
        v = fresh("w")
        lines.append("  %s = tensor.extract_slice %%W[%d, 0, 0] [1, %d, %d] [1, 1, 1] : %s to %s"
                     % (v, l, D, D, ww, dd))
        return v

    def total(vals):
        if len(vals) == 1:
            return vals[0]
        v = fresh("b")
        lines.append("  %s = attnres.block_summary [%s] : %s" % (v, ", ".join(vals), ht))
        return v

    def site(q, srcs):
        v = fresh("h")
        lines.append("  %s = attnres.depth_attn %s, [%s] {eps = %.6e : f32} : %s, %s -> %s"
                     % (v, q, ", ".join(srcs), EPS, qt, ht, ht))
        return v

    blocks, partial = [["%emb"]], None
    for l in range(L):
        if l > 0 and l % S == 0:
            blocks.append(partial)
            partial = None
        src = [total(s) for s in blocks + ([partial] if partial else [])]
        h = src[0] if len(src) == 1 else site(row_q(l), src)
        if gain is not None:
            # PreNorm: the sublayer reads rms_norm(h).
            n = fresh("n")
            lines.append("  %s = attnres.rms_norm %s, %%gn {eps = %.6e : f32} : %s, %s"
                         % (n, h, EPS, ht, qt))
            h = n
        f = fresh("f")
        lines.append("  %s = func.call @lin(%s, %s) : (%s, %s) -> %s" % (f, h, row_w(l), ht, dd, ht))
        partial = [f] if partial is None else partial + [f]
    y = site(row_q(L), [total(s) for s in blocks + [partial]])
    lines += ["  return %s : %s" % (y, ht), "}"]
    return "\n".join(lines) + "\n"


def eager(emb, Q, W, S, gain=None):
    if gain is None:
        subs = [lambda h, w=w: h @ w for w in W]
    else:
        g = torch.from_numpy(gain).double()

        def norm(h):
            return h * torch.rsqrt((h * h).mean(-1, keepdim=True) + EPS) * g
        subs = [lambda h, w=w: norm(h) @ w for w in W]
    return AT.block_attnres(emb, [Q[i] for i in range(len(W) + 1)], subs, S, EPS,
                            site=AT.depth_attn_eager)


def check(name, got, ref, tol=2e-4):
    err = float(np.abs(got - ref).max() / np.abs(ref).max())
    bad = float(np.abs(got - (ref + 2.5 * tol * np.abs(ref).max())).max()
                / np.abs(ref).max()) > tol
    print("%s: rel err %.3g (tol %g) %s; perturbed reference %s"
          % (name, err, tol, "PASS" if err <= tol else "FAIL",
             "rejected" if bad else "ACCEPTED"))


def case(L, S, T, D, seed, qscale=0.5, prenorm=False):
    """prenorm: every sublayer reads rms_norm(h) (a constant gain), and
    attnres-fuse-norm-epilogues fuses each site with that norm before the
    backward is built: the fused ops are differentiated."""
    rng = np.random.default_rng(seed)
    emb = rng.standard_normal((T, D)).astype(np.float32)
    Q = (qscale * rng.standard_normal((L + 1, D))).astype(np.float32)
    W = (rng.standard_normal((L, D, D)) / np.sqrt(D)).astype(np.float32)
    dy = rng.standard_normal((T, D)).astype(np.float32)
    gain = (1.0 + 0.25 * rng.standard_normal(D)).astype(np.float32) if prenorm else None
    m = attnres.Module.parse(model_ir(L, S, T, D, gain))
    if prenorm:
        m.run_pipeline("builtin.module(attnres-fuse-norm-epilogues)")
        assert "attnres.depth_attn_norm" in str(m)
    m.run_pipeline("builtin.module(attnres-build-backward{functions=model})")
    text = str(m)
    assert "func.func @model_backward" in text
    e, q, w = (torch.from_numpy(x).double().requires_grad_() for x in (emb, Q, W))
    y = eager(e, q, list(w), S, gain)
    ref = torch.autograd.grad(y, [e, q, w], torch.from_numpy(dy).double())
    ref = [r.numpy() for r in ref]
    for options, tag in [("", "fused"), ("fast-kernels=false", "linalg")]:
        got = attnres.compile(text, "model_backward", options=options)(emb, Q, W, dy)
        for what, g, r in zip(["d_emb", "d_queries", "d_W"], got, ref):
            check("L=%d S=%d T=%d%s %s %s" % (L, S, T, " prenorm" if prenorm else "", tag,
                                              what), g, r)


# CHECK-COUNT-6: L=7 S=3 T=4 {{.*}} PASS; perturbed reference rejected
case(7, 3, 4, 16, 0)
# CHECK-COUNT-6: L=4 S=1 T=4 {{.*}} PASS; perturbed reference rejected
case(4, 1, 4, 16, 1)
# CHECK-COUNT-6: L=4 S=4 T=1 {{.*}} PASS; perturbed reference rejected
case(4, 4, 1, 16, 2)
# CHECK-COUNT-6: L=5 S=2 T=8 {{.*}} PASS; perturbed reference rejected
case(5, 2, 8, 32, 3, qscale=3.0)
# With PreNorm sublayers, the sites fused with their norms
# (depth_attn_norm) before differentiation.
# CHECK-COUNT-6: L=7 S=3 T=4 prenorm {{.*}} PASS; perturbed reference rejected
case(7, 3, 4, 16, 4, prenorm=True)
# CHECK-COUNT-6: L=4 S=4 T=1 prenorm {{.*}} PASS; perturbed reference rejected
case(4, 4, 1, 16, 5, qscale=3.0, prenorm=True)

# The float64 reference's gradients are right (finite differences).
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    torch.manual_seed(0)
    args = (torch.randn(3, 8, dtype=torch.float64, requires_grad=True),
            (0.5 * torch.randn(5, 8, dtype=torch.float64)).requires_grad_(),
            (torch.randn(4, 8, 8, dtype=torch.float64) / 3).requires_grad_())
    ok = torch.autograd.gradcheck(lambda e, q, w: eager(e, q, list(w), 3), args)
# CHECK: gradcheck of the float64 reference: True
print("gradcheck of the float64 reference:", ok)
