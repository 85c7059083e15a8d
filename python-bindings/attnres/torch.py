"""attnres.torch: AttnRes ops as PyTorch autograd functions on CPU tensors.

    import attnres.torch as AT
    h = AT.depth_attn(q, [v0, v1, v2])             # differentiable in q and every v
    y = AT.block_attnres(emb, queries, sublayers, block_size)
    o, lse = AT.depth_attn_stats(Q, blocks)        # two-phase, phase 1
    h = AT.depth_attn_merge(o[i], lse[i], q, u)    # phase 2
    k = AT.rms_norm(x, gain)

Each function is a `torch.autograd.Function` whose forward runs the attnres
op and whose backward runs its gradient op (`depth_attn_grad`,
`depth_attn_stats_grad`, `depth_attn_merge_grad`, `rms_norm_grad`;
docs/semantics.md, "Gradients"), both compiled for the CPU with
`attnres-to-llvm` (JIT, cached per shape, dtype and eps). Tensors are
float32 or bfloat16 CPU tensors (queries and gains float32 or the sources'
dtype; log-sum-exp float32). The forward saves its inputs (phase 1 also its
LSE, which phase 1's backward reads: the policy of the gradient ops); the
backward recomputes the statistics.

`depth_attn` and `block_attnres` are `attnres.autograd`'s (this module is
the home of the PyTorch API; `attnres.autograd` stays as it was).
`block_attnres_two_phase` is the same model with one `depth_attn_stats`
per block and one `depth_attn_merge` per sublayer (attnres-math.md §4).
The `*_eager` functions are the same math in eager PyTorch, the references
the tests differentiate with torch.autograd.

This module is named `torch` inside the package; the package imports the
real PyTorch with absolute imports (`import torch` in a module of the
package always means PyTorch), and so does this module.
"""

import importlib

from attnres import compile as _compile
from attnres import ir
from attnres import torch_interop as _ti
from attnres.autograd import (_elem, _tensor_type, block_attnres, depth_attn,
                              depth_attn_eager)

_real_torch = None


def _torch():
    global _real_torch
    if _real_torch is None:
        _real_torch = importlib.import_module("torch")
    return _real_torch


# ---------------------------------------------------------------------------
# IR of the compiled forward/backward pairs
# ---------------------------------------------------------------------------

def rms_norm_ir(shape, elem, gain_elem, eps):
    """@forward(x, gain) -> y and @backward(x, gain, g) -> (dx, dgain)."""
    xt = _tensor_type(shape, elem)
    gt = _tensor_type([shape[-1]], gain_elem)
    return "\n".join([
        "func.func @forward(%%x: %s, %%gain: %s) -> %s {" % (xt, gt, xt),
        "  " + ir.rms_norm("%y", "%x", "%gain", eps, xt, gt),
        "  return %%y : %s" % xt,
        "}",
        "func.func @backward(%%x: %s, %%gain: %s, %%g: %s) -> (%s, %s) {" % (xt, gt, xt, xt, gt),
        "  " + ir.rms_norm_grad("%dx, %dgain", "%x", "%gain", "%g", eps, xt, gt),
        "  return %%dx, %%dgain : %s, %s" % (xt, gt),
        "}",
    ]) + "\n"


def stats_ir(n, S, shape, elem, query_elem, eps):
    """@forward(Q, v_0..v_{n-1}) -> (o, lse) and
    @backward(Q, v.., lse, dO, dlse) -> (dQ, dv..)."""
    D = shape[-1]
    src = _tensor_type(shape, elem)
    Qt = _tensor_type([S, D], query_elem)
    ot = _tensor_type([S] + list(shape), elem)
    lt = _tensor_type([S] + list(shape[:-1]), "f32")
    vs = ["%%v%d" % j for j in range(n)]
    params = ", ".join("%s: %s" % (v, src) for v in vs)
    dv_lhs = "%%dv:%d" % n if n > 1 else "%dv"
    dvs = ", ".join("%%dv#%d" % j for j in range(n)) if n > 1 else "%dv"
    return "\n".join([
        "func.func @forward(%%Q: %s, %s) -> (%s, %s) {" % (Qt, params, ot, lt),
        "  " + ir.depth_attn_stats("%o, %lse", "%Q", vs, eps, Qt, src, ot, lt),
        "  return %%o, %%lse : %s, %s" % (ot, lt),
        "}",
        "func.func @backward(%%Q: %s, %s, %%lse: %s, %%dO: %s, %%dlse: %s) -> (%s, %s) {"
        % (Qt, params, lt, ot, lt, Qt, ", ".join([src] * n)),
        "  " + ir.depth_attn_stats_grad("%%dQ, %s" % dv_lhs, "%Q", vs, "%lse", "%dO", "%dlse", eps,
                                       Qt, src, lt, ot),
        "  return %%dQ, %s : %s, %s" % (dvs, Qt, ", ".join([src] * n)),
        "}",
    ]) + "\n"


def merge_ir(shape, elem, query_elem, eps):
    """@forward(o, lse, q, u) -> h and @backward(o, lse, q, u, g) ->
    (do, dlse, dq, du)."""
    D = shape[-1]
    src = _tensor_type(shape, elem)
    lt = _tensor_type(list(shape[:-1]), "f32")
    qt = _tensor_type([D], query_elem)
    return "\n".join([
        "func.func @forward(%%o: %s, %%lse: %s, %%q: %s, %%u: %s) -> %s {" % (src, lt, qt, src, src),
        "  " + ir.depth_attn_merge("%h", "%o", "%lse", "%q", "%u", eps, src, lt, qt, src),
        "  return %%h : %s" % src,
        "}",
        "func.func @backward(%%o: %s, %%lse: %s, %%q: %s, %%u: %s, %%g: %s) -> (%s, %s, %s, %s) {"
        % (src, lt, qt, src, src, src, lt, qt, src),
        "  " + ir.depth_attn_merge_grad("%do, %dlse, %dq, %du", "%o", "%lse", "%q", "%u", "%g",
                                       eps, src, lt, qt),
        "  return %%do, %%dlse, %%dq, %%du : %s, %s, %s, %s" % (src, lt, qt, src),
        "}",
    ]) + "\n"


def _pair(ir):
    return _compile(ir, "forward"), _compile(ir, "backward")


def _run(fn, *tensors):
    out = _ti.run_torch(fn, *tensors)
    if isinstance(out, tuple):
        return tuple(t.clone() for t in out)
    return out.clone()


# ---------------------------------------------------------------------------
# autograd Functions
# ---------------------------------------------------------------------------

_functions = {}


def _make_functions():
    torch = _torch()

    class RMSNormFunction(torch.autograd.Function):
        """forward(ctx, eps, x, gain) -> y; backward -> (None, dx, dgain)."""

        @staticmethod
        def forward(ctx, eps, x, gain):
            fwd, bwd = _pair(rms_norm_ir(tuple(x.shape), _elem(x), _elem(gain), eps))
            ctx.backward_fn = bwd
            ctx.save_for_backward(x, gain)
            return _run(fwd, x, gain)

        @staticmethod
        def backward(ctx, g):
            x, gain = ctx.saved_tensors
            dx, dgain = _run(ctx.backward_fn, x, gain, g.to(x.dtype).contiguous())
            return None, dx, dgain

    class StatsFunction(torch.autograd.Function):
        """forward(ctx, eps, Q, *sources) -> (o, lse); backward ->
        (None, dQ, *dV). The LSE is saved (the backward's weights are
        exp(s - lse))."""

        @staticmethod
        def forward(ctx, eps, Q, *sources):
            v = sources[0]
            fwd, bwd = _pair(stats_ir(len(sources), Q.shape[0], tuple(v.shape), _elem(v),
                                      _elem(Q), eps))
            o, lse = _run(fwd, Q, *sources)
            ctx.backward_fn = bwd
            ctx.save_for_backward(Q, lse, *sources)
            return o, lse

        @staticmethod
        def backward(ctx, dO, dlse):
            Q, lse, *sources = ctx.saved_tensors
            if dO is None:
                dO = torch.zeros((Q.shape[0],) + tuple(sources[0].shape), dtype=sources[0].dtype)
            if dlse is None:
                dlse = torch.zeros_like(lse)
            out = _run(ctx.backward_fn, Q, *sources, lse, dO.to(sources[0].dtype).contiguous(),
                       dlse.to(torch.float32).contiguous())
            return (None,) + tuple(out)

    class MergeFunction(torch.autograd.Function):
        """forward(ctx, eps, o, lse, q, u) -> h; backward ->
        (None, do, dlse, dq, du)."""

        @staticmethod
        def forward(ctx, eps, o, lse, q, u):
            fwd, bwd = _pair(merge_ir(tuple(u.shape), _elem(u), _elem(q), eps))
            ctx.backward_fn = bwd
            ctx.save_for_backward(o, lse, q, u)
            return _run(fwd, o, lse, q, u)

        @staticmethod
        def backward(ctx, g):
            o, lse, q, u = ctx.saved_tensors
            do, dlse, dq, du = _run(ctx.backward_fn, o, lse, q, u,
                                    g.to(u.dtype).contiguous())
            return None, do, dlse, dq, du

    _functions.update(rms_norm=RMSNormFunction, stats=StatsFunction, merge=MergeFunction)


def _function(name):
    if not _functions:
        _make_functions()
    return _functions[name]


def _check_row(t, D, what):
    if t.dim() != 1 or t.shape[0] != D:
        raise ValueError("%s must have shape [%d], got %s" % (what, D, tuple(t.shape)))


def rms_norm(x, gain, eps=1e-5):
    """`attnres.rms_norm`: x · ((1/D)Σx² + eps)^(-1/2) · gain, differentiable in
    x and gain."""
    _check_row(gain, x.shape[-1], "the gain")
    return _function("rms_norm").apply(float(eps), x.contiguous(), gain.contiguous())


def depth_attn_stats(Q, sources, eps=1e-5):
    """Phase 1 of two-phase AttnRes (`attnres.depth_attn_stats`): for the S
    rows of `Q` ([S, D]), the normalized output o [S, ..., D] over `sources`
    and its log-sum-exp lse [S, ...] (float32). Differentiable in Q and every
    source through both results."""
    sources = list(sources)
    if not sources:
        raise ValueError("depth_attn_stats needs at least one source")
    shape = tuple(sources[0].shape)
    for j, v in enumerate(sources):
        if tuple(v.shape) != shape or v.dtype != sources[0].dtype:
            raise ValueError("source #%d has shape %s and dtype %s, source #0 %s and %s"
                             % (j, tuple(v.shape), v.dtype, shape, sources[0].dtype))
    if Q.dim() != 2 or Q.shape[1] != shape[-1]:
        raise ValueError("the queries must have shape [S, %d], got %s" % (shape[-1],
                                                                          tuple(Q.shape)))
    return _function("stats").apply(float(eps), Q.contiguous(),
                                    *[v.contiguous() for v in sources])


def depth_attn_merge(o, lse, q, u, eps=1e-5):
    """Phase 2 (`attnres.depth_attn_merge`): h = o + sigmoid(ρ(u)(q·u) − lse)·(u − o),
    differentiable in all four inputs."""
    if tuple(o.shape) != tuple(u.shape):
        raise ValueError("o and u must have one shape, got %s and %s"
                         % (tuple(o.shape), tuple(u.shape)))
    if tuple(lse.shape) != tuple(u.shape[:-1]):
        raise ValueError("lse must have shape %s, got %s" % (tuple(u.shape[:-1]),
                                                             tuple(lse.shape)))
    _check_row(q, u.shape[-1], "the query")
    return _function("merge").apply(float(eps), o.contiguous(), lse.contiguous(),
                                    q.contiguous(), u.contiguous())


# ---------------------------------------------------------------------------
# eager references
# ---------------------------------------------------------------------------

def rms_norm_eager(x, gain, eps=1e-5):
    torch = _torch()
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * gain


def depth_attn_stats_eager(Q, sources, eps=1e-5):
    torch = _torch()
    V = torch.stack(list(sources))                      # [n, ..., D]
    rho = torch.rsqrt(V.pow(2).mean(-1) + eps)          # [n, ...]
    s = rho.unsqueeze(0) * torch.einsum("qd,n...d->qn...", Q, V)   # [S, n, ...]
    lse = torch.logsumexp(s, dim=1)
    a = torch.softmax(s, dim=1)
    o = torch.einsum("qn...,n...d->q...d", a, V)
    return o, lse


def depth_attn_merge_eager(o, lse, q, u, eps=1e-5):
    torch = _torch()
    rho = torch.rsqrt(u.pow(2).mean(-1) + eps)
    beta = torch.sigmoid(rho * (u @ q) - lse).unsqueeze(-1)
    return o + beta * (u - o)


def block_attnres_two_phase(emb, queries, sublayers, block_size, eps=1e-5, eager=False):
    """Block AttnRes (attnres-math.md §3) computed two-phase (§4): per block,
    one `depth_attn_stats` of the block's queries (and, for the last block,
    the output site's) against the completed blocks, then per sublayer after
    the first of its block one `depth_attn_merge` of the running partial.
    `queries` as in `block_attnres` (a [L + 1, D] tensor or a list of rows);
    `eager=True` uses the eager references."""
    torch = _torch()
    stats = depth_attn_stats_eager if eager else depth_attn_stats
    merge = depth_attn_merge_eager if eager else depth_attn_merge
    L = len(sublayers)
    Q = queries if torch.is_tensor(queries) else torch.stack(list(queries))
    blocks, partial = [emb], None
    out = None
    for start in range(0, L, block_size):
        if start > 0:
            blocks.append(partial)
            partial = None
        rows = list(range(start, min(start + block_size, L)))
        last = rows[-1] == L - 1
        sel = rows + ([L] if last else [])
        o, lse = stats(Q[sel], blocks, eps)
        for i, l in enumerate(rows):
            h = o[i] if partial is None else merge(o[i], lse[i], Q[l], partial, eps)
            f = sublayers[l](h)
            partial = f if partial is None else partial + f
        if last:
            out = merge(o[-1], lse[-1], Q[L], partial, eps)
    return out


__all__ = [
    "block_attnres", "block_attnres_two_phase", "depth_attn", "depth_attn_eager",
    "depth_attn_merge", "depth_attn_merge_eager", "depth_attn_stats",
    "depth_attn_stats_eager", "merge_ir", "rms_norm", "rms_norm_eager", "rms_norm_ir",
    "stats_ir",
]
