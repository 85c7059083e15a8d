# REQUIRES: torch
# RUN: %python %s | FileCheck %s
#
# attnres.run_torch on torch CPU tensors, checked against an eager PyTorch
# implementation written the usual way: stack the sources, RMSNorm the keys,
# einsum with the pseudo-query, softmax over dim 0, einsum with the values.
#
# Tolerances: f32 atol = rtol = 1e-5 (PyTorch computes in f32 too, in another
# order); bf16: PyTorch gets the same bf16 inputs upcast to f32 and its
# result is compared before rounding: the compiled result has one bf16
# rounding (2^-9 relative), so rtol 1e-2, atol 1e-2 (values are O(1)).

import numpy as np
import torch

import attnres
from attnres import torch_interop

EPS = 1e-6


def eager_site(sources, w, gamma, eps=EPS):
    V = torch.stack(sources)                                              # [n, T, d]
    K = V * torch.rsqrt(V.pow(2).mean(dim=-1, keepdim=True) + eps) * gamma  # RMSNorm keys
    s = torch.einsum("ntd,d->nt", K, w)                                   # logits
    a = torch.softmax(s, dim=0)                                           # over the sources
    return torch.einsum("nt,ntd->td", a, V)


def report(what, got, ref, atol, rtol):
    got, ref = got.double(), ref.double()
    ok = bool(torch.all((got - ref).abs() <= atol + rtol * ref.abs()))
    print("%s: max_abs_err %.3g -> %s" % (what, float((got - ref).abs().max()), "PASS" if ok else "FAIL"))
    return ok


UNFUSED = """
func.func @unfused(%w: tensor<64xf32>, %g: tensor<64xf32>, %v0: tensor<?x64xf32>, %v1: tensor<?x64xf32>, %v2: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %k0 = attnres.rms_norm %v0, %g {eps = 1.0e-06 : f32} : tensor<?x64xf32>, tensor<64xf32>
  %k1 = attnres.rms_norm %v1, %g {eps = 1.0e-06 : f32} : tensor<?x64xf32>, tensor<64xf32>
  %k2 = attnres.rms_norm %v2, %g {eps = 1.0e-06 : f32} : tensor<?x64xf32>, tensor<64xf32>
  %s = attnres.depth_logits %w, [%k0, %k1, %k2] : tensor<64xf32>, tensor<?x64xf32> -> tensor<3x?xf32>
  %a = attnres.depth_softmax %s : tensor<3x?xf32>
  %h = attnres.depth_combine %a, [%v0, %v1, %v2] : tensor<3x?xf32>, tensor<?x64xf32> -> tensor<?x64xf32>
  return %h : tensor<?x64xf32>
}
"""

torch.manual_seed(0)
T, D = 32, 64
sources = [torch.randn(T, D) for _ in range(3)]
w = torch.randn(D) / 4
gamma = 1 + 0.25 * torch.randn(D)
with torch.no_grad():
    ref = eager_site(sources, w, gamma)

# The unfused chain a frontend emits (attnres-to-llvm fuses it).
unfused = attnres.compile(UNFUSED, "unfused")
h = attnres.run_torch(unfused, w, gamma, *sources)
assert isinstance(h, torch.Tensor) and h.dtype == torch.float32 and h.shape == (T, D)
assert report("unfused chain f32 vs eager", h, ref, 1e-5, 1e-5)
# CHECK: unfused chain f32 vs eager: {{.*}} -> PASS

# The fused site with the folded query q = γ ⊙ w, on f32 and on bf16 tensors.
for dtype, tol in [("f32", 1e-5), ("bf16", 1e-2)]:
    site = attnres.site(3, D, tokens=None, dtype=dtype, eps=EPS).compile()
    tdtype = torch.float32 if dtype == "f32" else torch.bfloat16
    src = [s.to(tdtype) for s in sources]
    with torch.no_grad():
        expected = eager_site([s.float() for s in src], w, gamma)
    got = attnres.run_torch(site, (gamma * w).float(), *src)
    assert got.dtype == tdtype
    assert report("fused site %s vs eager" % dtype, got, expected, tol, tol)
    # A result off by the tolerance is caught.
    assert not report("fused site %s vs perturbed eager" % dtype, got, expected + 4 * tol, tol, tol)
# CHECK: fused site f32 vs eager: {{.*}} -> PASS
# CHECK: fused site f32 vs perturbed eager: {{.*}} -> FAIL
# CHECK: fused site bf16 vs eager: {{.*}} -> PASS

# Zero copy: contiguous CPU tensors are passed as views (bf16 as bit
# patterns); results share memory with the returned numpy array.
t = torch.randn(4, 8)
assert torch_interop.to_numpy(t).ctypes.data == t.data_ptr()
b = t.to(torch.bfloat16)
bits = torch_interop.to_numpy(b)
assert bits.dtype == np.uint16 and bits.ctypes.data == b.data_ptr()
assert torch.equal(torch_interop.from_numpy(bits, "bf16"), b)
arr = np.arange(4, dtype=np.float32)
assert torch_interop.from_numpy(arr, "f32").data_ptr() == arr.ctypes.data
# Non-contiguous tensors and tensors that require grad work (copied/detached).
x = torch.randn(T, 2 * D, requires_grad=True)
got = attnres.run_torch(unfused, w, gamma, x[:, ::2], *sources[1:])
with torch.no_grad():
    assert report("strided input", got, eager_site([x[:, ::2]] + sources[1:], w, gamma), 1e-5, 1e-5)
# CHECK: strided input: {{.*}} -> PASS


# out=: results computed into caller tensors (f32 and bf16), returned as is.
for dtype, tol in [("f32", 1e-5), ("bf16", 1e-2)]:
    site = attnres.site(3, D, tokens=None, dtype=dtype, eps=EPS).compile()
    tdtype = torch.float32 if dtype == "f32" else torch.bfloat16
    src = [s.to(tdtype) for s in sources]
    with torch.no_grad():
        expected = eager_site([s.float() for s in src], w, gamma)
    dest = torch.full((T, D), float("nan"), dtype=tdtype)
    got = attnres.run_torch(site, (gamma * w).float(), *src, out=dest)
    assert got is dest
    assert report("out= %s vs eager" % dtype, dest, expected, tol, tol)
    # Returned tensors are views of the memory the call produced (no copy).
    r = attnres.run_torch(site, (gamma * w).float(), *src)
    assert torch_interop.to_numpy(r).ctypes.data == r.data_ptr()
# CHECK: out= f32 vs eager: {{.*}} -> PASS
# CHECK: out= bf16 vs eager: {{.*}} -> PASS
site = attnres.site(3, D, tokens=None, eps=EPS).compile()
for bad in [torch.empty(D, T).t(), torch.empty(T, D, dtype=torch.float64),
            torch.empty(T, D, requires_grad=True)]:
    try:
        attnres.run_torch(site, (gamma * w).float(), *sources, out=bad)
        raise AssertionError("expected an error")
    except (TypeError, ValueError) as e:
        print("out= error:", type(e).__name__)
# CHECK: out= error: ValueError
# CHECK: out= error: TypeError
# CHECK: out= error: ValueError


# A whole Block AttnRes model vs the same model in eager PyTorch.
def eager_block(emb, queries, W, g, S, eps=1e-5):
    def site(srcs, q):
        V = torch.stack(srcs)
        s = torch.einsum("ntd,d->nt", V * torch.rsqrt(V.pow(2).mean(-1, keepdim=True) + eps), q)
        return torch.einsum("nt,ntd->td", torch.softmax(s, dim=0), V)

    def f(l, h):
        n = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps) * g[l]
        return torch.tanh(n @ W[l])

    L = W.shape[0]
    blocks, partial = [emb], None
    for l in range(L):
        if l > 0 and l % S == 0:
            blocks.append(partial)
            partial = None
        srcs = blocks + ([partial] if partial is not None else [])
        h = srcs[0] if len(srcs) == 1 else site(srcs, queries[l])
        out = f(l, h)
        partial = out if partial is None else partial + out
    return site(blocks + [partial], queries[L])


L, S = 8, 4
model = attnres.block_attnres(L, S, D, tokens=None)
emb = torch.randn(T, D)
queries = torch.randn(L + 1, D)
W = torch.randn(L, D, D) / D ** 0.5
g = 1 + 0.1 * torch.randn(L, D)
with torch.no_grad():
    expected = eager_block(emb, queries, W, g, S)
got = attnres.run_torch(model.compile(), emb, queries, W, g)
assert report("block model vs eager", got, expected, 5e-5, 5e-5)
# CHECK: block model vs eager: {{.*}} -> PASS

# Wrong inputs: TypeError / ValueError.
for bad in [(np.zeros(3),), (torch.zeros(3, dtype=torch.float64),)]:
    try:
        attnres.run_torch(unfused, *bad)
        raise AssertionError("expected an error")
    except (TypeError, ValueError) as e:
        print(type(e).__name__)
# CHECK: TypeError
# CHECK: ValueError
print("done")
# CHECK: done
