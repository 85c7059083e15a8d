# RUN: %python %s | FileCheck %s
#
# attnres.block_attnres_grad: the backward of a Block AttnRes model built in
# IR (forward, then depth_attn_grad per site, gradients added through block
# summaries, the caller's sublayer vector-Jacobian products), compiled for
# the CPU and compared with float64 numpy gradients (block_grad of
# scripts/attnres_grad_gen.py, which is checked there against central finite
# differences of the float64 forward). Linear sublayers (the default) and a
# custom tanh sublayer with its own VJP. Tolerance: 2e-4 x max|ref| per
# result (f32 through L + 1 sites and L sublayers).

import os
import sys

import numpy as np

import attnres

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "scripts"))
import attnres_grad_gen as GG  # noqa: E402

EPS = 1e-5


def check(name, got, ref, tol=2e-4):
    err = float(np.abs(got - ref).max() / np.abs(ref).max())
    ok = err <= tol
    bad = float(np.abs(got - (ref + 2.5 * tol * np.abs(ref).max())).max()
                / np.abs(ref).max()) > tol
    print("%s: rel err %.3g (tol %g) %s; perturbed reference %s"
          % (name, err, tol, "PASS" if ok else "FAIL", "rejected" if bad else "ACCEPTED"))


def linear_case(L, S, T, D, seed):
    rng = np.random.default_rng(seed)
    emb = rng.standard_normal((T, D)).astype(np.float32)
    Q = (0.5 * rng.standard_normal((L + 1, D))).astype(np.float32)
    W = (rng.standard_normal((L, D, D)) / np.sqrt(D)).astype(np.float32)
    dy = rng.standard_normal((T, D)).astype(np.float32)
    model = attnres.block_attnres_grad(L, S, D, tokens=T, eps=EPS)
    d_emb, d_q = model.compile()(emb, Q, dy, W)
    r_emb, r_q = GG.check_block(emb.astype(np.float64), Q.astype(np.float64),
                                [w.astype(np.float64) for w in W], S, EPS,
                                dy.astype(np.float64), np.random.default_rng(1))
    check("linear L=%d S=%d d_emb" % (L, S), d_emb, r_emb)
    check("linear L=%d S=%d d_queries" % (L, S), d_q, r_q)


# CHECK: linear L=6 S=2 d_emb: {{.*}} PASS; perturbed reference rejected
# CHECK: linear L=6 S=2 d_queries: {{.*}} PASS; perturbed reference rejected
linear_case(6, 2, 8, 32, 0)
# CHECK: linear L=5 S=3 d_emb: {{.*}} PASS; perturbed reference rejected
# CHECK: linear L=5 S=3 d_queries: {{.*}} PASS; perturbed reference rejected
linear_case(5, 3, 4, 16, 1)
# CHECK: linear L=4 S=1 d_emb: {{.*}} PASS; perturbed reference rejected
# CHECK: linear L=4 S=1 d_queries: {{.*}} PASS; perturbed reference rejected
linear_case(4, 1, 4, 16, 2)


# A custom sublayer f_l(h) = tanh(h) * s_l (s: [layers, d]) and its VJP
# dh = dout * s_l * (1 - tanh(h)^2), written with linalg.generic.
def tanh_scale(b, l, h):
    s = b.layer(b.param("s", [b.layers, b.d], "f32"), l)
    v, e = b.fresh("f"), b.empty("f32")
    b.emit("%s = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, "
           "affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = "
           "[\"parallel\", \"parallel\"]} ins(%s, %s : %s, tensor<%dxf32>) outs(%s : %s) {\n"
           "^bb0(%%x: f32, %%sc: f32, %%o: f32):\n  %%t = math.tanh %%x : f32\n"
           "  %%y = arith.mulf %%t, %%sc : f32\n  linalg.yield %%y : f32\n} -> %s"
           % (v, h, s, b.hidden_type, b.d, e, b.hidden_type, b.hidden_type))
    return v


def tanh_scale_vjp(b, l, h, dout):
    s = b.layer(b.param("s", [b.layers, b.d], "f32"), l)
    v, e = b.fresh("dh"), b.empty("f32")
    b.emit("%s = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, "
           "affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], "
           "iterator_types = [\"parallel\", \"parallel\"]} ins(%s, %s, %s : %s, %s, tensor<%dxf32>) "
           "outs(%s : %s) {\n"
           "^bb0(%%x: f32, %%g: f32, %%sc: f32, %%o: f32):\n  %%t = math.tanh %%x : f32\n"
           "  %%t2 = arith.mulf %%t, %%t : f32\n  %%one = arith.constant 1.0 : f32\n"
           "  %%d = arith.subf %%one, %%t2 : f32\n  %%gs = arith.mulf %%g, %%sc : f32\n"
           "  %%y = arith.mulf %%gs, %%d : f32\n  linalg.yield %%y : f32\n} -> %s"
           % (v, h, dout, s, b.hidden_type, b.hidden_type, b.d, e, b.hidden_type, b.hidden_type))
    return v


L, S, T, D = 5, 2, 4, 16
rng = np.random.default_rng(3)
emb = rng.standard_normal((T, D)).astype(np.float32)
Q = (0.5 * rng.standard_normal((L + 1, D))).astype(np.float32)
sc = (1 + 0.3 * rng.standard_normal((L, D))).astype(np.float32)
dy = rng.standard_normal((T, D)).astype(np.float32)
model = attnres.block_attnres_grad(L, S, D, tokens=T, sublayer=tanh_scale,
                                   sublayer_vjp=tanh_scale_vjp, eps=EPS)
d_emb, d_q = model.compile()(emb, Q, dy, sc)


# float64 reference: the model's loss by finite differences (central, along
# every coordinate of emb and Q), from an independent float64 forward.
def forward(emb, Q):
    blocks, partial = [emb], None
    for l in range(L):
        if l > 0 and l % S == 0:
            blocks.append(partial)
            partial = None
        src = blocks + ([partial] if partial is not None else [])
        h = src[0] if len(src) == 1 else GG.G.site(src, Q[l], EPS)
        out = np.tanh(h) * sc[l]
        partial = out if partial is None else partial + out
    return GG.G.site(blocks + [partial], Q[L], EPS)


def loss(emb, Q):
    return float((dy * forward(emb, Q)).sum())


e64, q64, hstep = emb.astype(np.float64), Q.astype(np.float64), 1e-6
r_emb = np.zeros_like(e64)
for idx in np.ndindex(*e64.shape):
    p, m = e64.copy(), e64.copy()
    p[idx] += hstep
    m[idx] -= hstep
    r_emb[idx] = (loss(p, q64) - loss(m, q64)) / (2 * hstep)
r_q = np.zeros_like(q64)
for idx in np.ndindex(*q64.shape):
    p, m = q64.copy(), q64.copy()
    p[idx] += hstep
    m[idx] -= hstep
    r_q[idx] = (loss(e64, p) - loss(e64, m)) / (2 * hstep)
# CHECK: tanh sublayer d_emb: {{.*}} PASS; perturbed reference rejected
# CHECK: tanh sublayer d_queries: {{.*}} PASS; perturbed reference rejected
check("tanh sublayer d_emb", d_emb, r_emb)
check("tanh sublayer d_queries", d_q, r_q)
