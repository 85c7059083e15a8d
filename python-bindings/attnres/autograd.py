"""PyTorch autograd for AttnRes sites: compiled forward and backward.

`depth_attn(q, sources, eps=1e-5)` is a `torch.autograd.Function` whose
forward runs `attnres.depth_attn` and whose backward runs
`attnres.depth_attn_grad` (docs/semantics.md, "Gradients"), both compiled for
the CPU with `attnres-to-llvm` (JIT, cached per shape and dtype). Inputs are
CPU tensors: `q` of shape `[D]`, each source `[..., D]` (all of one shape),
float32 or bfloat16 (the query float32 or the sources' dtype). The forward
saves only its inputs; the backward recomputes the statistics (the policy of
the gradient op).

`block_attnres(emb, queries, sublayers, block_size, eps=1e-5)` is the
model-level helper: the Block AttnRes state machine of attnres-math.md §3
written with `depth_attn`, so any PyTorch sublayers `f_l` (modules or
callables) train through the compiled sites; the gradients of the block
summaries (sums) flow through PyTorch's own autograd.
"""

from . import compile as _compile
from . import ir
from . import torch_interop as _ti

_DTYPES = {"float32": "f32", "bfloat16": "bf16"}


def _torch():
    return _ti._torch()


def _elem(tensor):
    name = str(tensor.dtype).replace("torch.", "")
    if name not in _DTYPES:
        raise TypeError("attnres.autograd supports float32 and bfloat16 tensors, got %s"
                        % tensor.dtype)
    return _DTYPES[name]


def _tensor_type(shape, elem):
    return "tensor<%s%s>" % ("".join("%dx" % d for d in shape), elem)


def site_ir(n, shape, elem, query_elem, eps):
    """MLIR text of @forward(q, v_0..v_{n-1}) -> h and
    @backward(q, v_0..v_{n-1}, g) -> (dq, dv_0..dv_{n-1})."""
    D = shape[-1]
    src = _tensor_type(shape, elem)
    qt = _tensor_type([D], query_elem)
    vs = ["%%v%d" % j for j in range(n)]
    params = ", ".join("%s: %s" % (v, src) for v in vs)
    dvs = ", ".join("%%dv#%d" % j for j in range(n)) if n > 1 else "%dv"
    dv_lhs = "%%dv:%d" % n if n > 1 else "%dv"
    return "\n".join([
        "func.func @forward(%%q: %s, %s) -> %s {" % (qt, params, src),
        "  " + ir.depth_attn("%h", "%q", vs, eps, qt, src),
        "  return %%h : %s" % src,
        "}",
        "func.func @backward(%%q: %s, %s, %%g: %s) -> (%s, %s) {"
        % (qt, params, src, qt, ", ".join([src] * n)),
        "  " + ir.depth_attn_grad("%%dq, %s" % dv_lhs, "%q", vs, "%g", eps, qt, src, src),
        "  return %%dq, %s : %s, %s" % (dvs, qt, ", ".join([src] * n)),
        "}",
    ]) + "\n"


def _compiled(n, shape, elem, query_elem, eps):
    ir = site_ir(n, shape, elem, query_elem, eps)
    return _compile(ir, "forward"), _compile(ir, "backward")


def _make_function():
    torch = _torch()

    class DepthAttnFunction(torch.autograd.Function):
        """forward(ctx, eps, q, *sources) -> h; backward -> (None, dq, *dV)."""

        @staticmethod
        def forward(ctx, eps, q, *sources):
            elem = _elem(sources[0])
            fwd, bwd = _compiled(len(sources), tuple(sources[0].shape), elem, _elem(q), eps)
            ctx.backward_fn = bwd
            ctx.save_for_backward(q, *sources)
            return _ti.run_torch(fwd, q, *sources).clone()

        @staticmethod
        def backward(ctx, grad):
            q, *sources = ctx.saved_tensors
            grad = grad.to(sources[0].dtype).contiguous()
            out = _ti.run_torch(ctx.backward_fn, q, *sources, grad)
            dq, dvs = out[0], out[1:]
            return (None, dq.clone()) + tuple(d.clone() for d in dvs)

    return DepthAttnFunction


_function = None


def depth_attn(q, sources, eps=1e-5):
    """One AttnRes site on torch CPU tensors, differentiable in `q` and
    every source (compiled forward and backward)."""
    global _function
    if _function is None:
        _function = _make_function()
    sources = list(sources)
    if not sources:
        raise ValueError("depth_attn needs at least one source")
    shape = tuple(sources[0].shape)
    for j, v in enumerate(sources):
        if tuple(v.shape) != shape or v.dtype != sources[0].dtype:
            raise ValueError("source #%d has shape %s and dtype %s, source #0 %s and %s"
                             % (j, tuple(v.shape), v.dtype, shape, sources[0].dtype))
    if q.dim() != 1 or q.shape[0] != shape[-1]:
        raise ValueError("the query must have shape [%d], got %s" % (shape[-1], tuple(q.shape)))
    return _function.apply(float(eps), q.contiguous(), *[v.contiguous() for v in sources])


def depth_attn_eager(q, sources, eps=1e-5):
    """The same site in eager PyTorch (stack, RMS-normalize the keys, logits,
    softmax over the sources, weighted sum), in the inputs' dtype: the
    reference the tests differentiate with torch.autograd."""
    torch = _torch()
    V = torch.stack(list(sources))
    rho = torch.rsqrt(V.pow(2).mean(-1) + eps)
    s = rho * (V @ q)
    a = torch.softmax(s, dim=0)
    return (a.unsqueeze(-1) * V).sum(0)


def block_attnres(emb, queries, sublayers, block_size, eps=1e-5, site=None):
    """Block AttnRes (attnres-math.md §3) with differentiable sites.

    `queries[l]` is the query of sublayer l (`len(sublayers)` of them) and
    `queries[-1]` the output site's; `sublayers[l]` maps h to f_l(h). `site`
    defaults to `depth_attn` (compiled); `depth_attn_eager` gives the eager
    model with the same structure."""
    site = site or depth_attn
    blocks, partial = [emb], None
    for l, f in enumerate(sublayers):
        if l > 0 and l % block_size == 0:
            blocks.append(partial)
            partial = None
        src = blocks + ([partial] if partial is not None else [])
        h = src[0] if len(src) == 1 else site(queries[l], src, eps)
        out = f(h)
        partial = out if partial is None else partial + out
    return site(queries[len(sublayers)], blocks + [partial], eps)


__all__ = ["depth_attn", "depth_attn_eager", "block_attnres", "site_ir"]
