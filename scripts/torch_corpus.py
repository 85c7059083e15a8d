#!/usr/bin/env python3
"""torch_corpus.py: PyTorch AttnRes modules written the ways people write them,
exported with torch-mlir's FX importer; the lit suite's frontend corpus.

Each entry of CORPUS is one PyTorch module (an AttnRes site in one idiom, a
whole Full/Block AttnRes model, or a negative that is not AttnRes). For each
one this script writes, into test/Frontend/Inputs/ (or --out):

  NAME.linalg.mlir   torch_mlir.fx.export_and_import(..., "linalg-on-tensors")
  NAME.tosa.mlir     the same as TOSA (entries with tosa=True; static shapes)
  NAME.npz           the example inputs (as float32, bf16 values exactly
                     representable) and `ref`: the module's output computed by
                     PyTorch in float64 from the same parameters and inputs

The reference is PyTorch's own float64 evaluation of the module, so it does not
come from attnres. `sites` in the npz is the number of AttnRes sites the module
computes (what `attnres-raise` must find), `tol` the tolerance its dtype gets.

Needs torch 2.15 and torch-mlir (not part of the default setup, ~3 GB):
  python3 -m venv V && V/bin/pip install torch==2.15.0 torch-mlir==20261001 ml_dtypes numpy
  V/bin/python scripts/torch_corpus.py [--out DIR] [--only NAME...] [--list]
Exports are deterministic (fixed seeds), so re-running rewrites identical files.
"""

import argparse
import os
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "test", "Frontend", "Inputs")

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

EPS = 1e-6
D = 16          # hidden size
T = 4           # tokens
B = 2           # batch


# ---------------------------------------------------------------------------
# Key norms, logits, softmax and combine in the idioms people use.
# ---------------------------------------------------------------------------

class Norm(nn.Module):
    """RMSNorm of the keys over the last axis, in one of several spellings."""

    def __init__(self, kind, d, eps=EPS, gain=True):
        super().__init__()
        self.kind = kind
        self.eps = eps
        if kind == "module":
            self.norm = nn.RMSNorm(d, eps=eps, elementwise_affine=gain)
            if gain:
                with torch.no_grad():
                    self.norm.weight.copy_(1 + 0.1 * torch.randn(d))
        elif gain:
            self.weight = nn.Parameter(1 + 0.1 * torch.randn(d))
        else:
            self.weight = None

    def forward(self, x):
        if self.kind == "module":
            return self.norm(x)
        if self.kind == "functional":
            return F.rms_norm(x, (x.shape[-1],), self.weight, self.eps)
        if self.kind == "rsqrt":
            y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        elif self.kind == "sqrt":
            y = x / torch.sqrt((x ** 2).mean(-1, keepdim=True) + self.eps)
        else:
            raise ValueError(self.kind)
        return y * self.weight if self.weight is not None else y


def logits_of(kind, K, w, axis_last_is_hidden=True):
    """Logits of keys K[..., D] against w[D] -> K.shape[:-1]."""
    if kind == "einsum":
        return torch.einsum("...d,d->...", K, w)
    if kind == "matvec":
        return K @ w
    if kind == "mulsum":
        return (K * w).sum(-1)
    raise ValueError(kind)


class Site(nn.Module):
    """One AttnRes site over `n` sources given as forward arguments.

    src:   stack    torch.stack(srcs, 0) -> [n, ..., D], softmax(0)
           cat1     torch.cat([s.unsqueeze(1)...], 1) -> [T, n, D] (or [B, T, n, D]
                    with cat along axis 2), softmax(-1) (Kimi-K3 style)
           loop     never stacked: per-source norm + logit, stack the logits only,
                    combine as a chain of mul/add
    norm:  module | functional | rsqrt | sqrt          (key RMSNorm spelling)
    logit: einsum | matvec | mulsum | linear
    comb:  einsum | matmul | mulsum | loop
    query: param | slice (row of a larger parameter) | arg (forward argument)
           | folded (γ ⊙ w computed in forward, norm without gain)
    upcast: bf16 sources, AttnRes math in f32 (x.float() ... .to(bf16))
    qscale: query ~ N(0, qscale²/D): 4 moderate logits, 0 a flat softmax (the
            mean of the sources), 200 a peaked one (logit gaps of hundreds)
    """

    def __init__(self, n, src="stack", norm="rsqrt", logit="einsum", comb="einsum",
                 query="param", gain=True, layer=1, layers=3, upcast=False, qscale=4.0):
        super().__init__()
        self.upcast = upcast
        self.n, self.src, self.logit, self.comb, self.query = n, src, logit, comb, query
        self.norm = Norm(norm, D, gain=gain)
        if logit == "linear":
            self.proj = nn.Linear(D, 1, bias=False)
        elif query == "param":
            self.w = nn.Parameter(torch.randn(D) / D ** 0.5 * qscale)
        elif query == "folded":
            self.w = nn.Parameter(torch.randn(D) / D ** 0.5 * 4)
            self.gamma = nn.Parameter(1 + 0.1 * torch.randn(D))
        elif query == "slice":
            self.W = nn.Parameter(torch.randn(layers, D) / D ** 0.5 * 4)
            self.layer = layer

    def w_of(self, extra):
        if self.query == "folded":
            # the key-norm gain folded into the query up front (γ ⊙ w)
            return self.gamma * self.w
        if self.query == "arg":
            return extra[0]
        if self.query == "slice":
            return self.W[self.layer]
        return self.w

    def score(self, K, extra):
        if self.logit == "linear":
            return self.proj(K).squeeze(-1)
        return logits_of(self.logit, K, self.w_of(extra))

    def forward(self, *args):
        if self.upcast:
            # bf16 model doing its AttnRes math in f32, result back in bf16
            up = [a.to(torch.promote_types(a.dtype, torch.float32)) for a in args]
            return self.site(*up).to(args[0].dtype)
        return self.site(*args)

    def site(self, *args):
        srcs, extra = list(args[:self.n]), args[self.n:]
        if self.src == "loop":
            s = torch.stack([self.score(self.norm(v), extra) for v in srcs], 0)
            a = torch.softmax(s, 0)
            if self.comb == "loop":
                h = a[0].unsqueeze(-1) * srcs[0]
                for j in range(1, self.n):
                    h = h + a[j].unsqueeze(-1) * srcs[j]
                return h
            V = torch.stack(srcs, 0)
            return (a.unsqueeze(-1) * V).sum(0)
        if self.src == "stack":
            V = torch.stack(srcs, 0)                      # [n, ..., D]
            a = torch.softmax(self.score(self.norm(V), extra), 0)   # [n, ...]
            if self.comb == "einsum":
                return torch.einsum("n...,n...d->...d", a, V)
            if self.comb == "mulsum":
                return (a[..., None] * V).sum(0)
            if self.comb == "matmul":
                # [..., 1, n] @ [..., n, D]
                Vt = V.movedim(0, -2)
                at = a.movedim(0, -1).unsqueeze(-2)
                return (at @ Vt).squeeze(-2)
            raise ValueError(self.comb)
        if self.src == "cat1":
            axis = srcs[0].dim() - 1                       # before the hidden axis
            V = torch.cat([v.unsqueeze(axis) for v in srcs], dim=axis)  # [..., n, D]
            a = torch.softmax(self.score(self.norm(V), extra), -1)      # [..., n]
            if self.comb == "mulsum":
                return (a.unsqueeze(-1) * V).sum(axis)
            if self.comb == "matmul":
                return (a.unsqueeze(-2) @ V).squeeze(-2)
            if self.comb == "einsum":
                return torch.einsum("...n,...nd->...d", a, V)
            raise ValueError(self.comb)
        raise ValueError(self.src)


# ---------------------------------------------------------------------------
# Whole models: Full and Block AttnRes with attention and MLP sublayers.
# ---------------------------------------------------------------------------

class Attention(nn.Module):
    def __init__(self, d, heads=2):
        super().__init__()
        self.heads = heads
        self.norm = nn.RMSNorm(d, eps=1e-5)
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)

    def forward(self, x):          # x: [B, T, D], causal self-attention
        b, t, d = x.shape
        q, k, v = self.qkv(self.norm(x)).chunk(3, dim=-1)
        sh = lambda z: z.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = sh(q), sh(k), sh(v)
        s = (q @ k.transpose(-1, -2)) / (d // self.heads) ** 0.5
        mask = torch.triu(torch.ones(t, t, dtype=torch.bool), 1)
        s = s.masked_fill(mask, float("-inf"))
        o = torch.softmax(s, -1) @ v
        return self.out(o.transpose(1, 2).reshape(b, t, d))


class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = nn.RMSNorm(d, eps=1e-5)
        self.up = nn.Linear(d, 2 * d, bias=False)
        self.down = nn.Linear(2 * d, d, bias=False)

    def forward(self, x):
        return self.down(F.silu(self.up(self.norm(x))))


class AttnResOp(nn.Module):
    """The site as model code writes it: stack, RMSNorm module, einsum."""

    def __init__(self, d, eps=EPS):
        super().__init__()
        self.w = nn.Parameter(torch.randn(d) / d ** 0.5 * 4)
        self.norm = nn.RMSNorm(d, eps=eps)
        with torch.no_grad():
            self.norm.weight.copy_(1 + 0.1 * torch.randn(d))

    def forward(self, srcs):
        if len(srcs) == 1:
            return srcs[0]
        V = torch.stack(srcs, 0)
        a = torch.softmax(torch.einsum("d,n...d->n...", self.w, self.norm(V)), 0)
        return torch.einsum("n...,n...d->...d", a, V)


class Model(nn.Module):
    """Block AttnRes (paper Fig. 2 state machine, math §3); block_size=1 is Full."""

    def __init__(self, layers, block_size, d=D):
        super().__init__()
        self.block_size = block_size
        self.sub = nn.ModuleList([Attention(d) if l % 2 == 0 else MLP(d) for l in range(layers)])
        self.res = nn.ModuleList([AttnResOp(d) for _ in range(layers + 1)])

    def forward(self, emb):
        blocks, partial = [emb], None
        for l, f in enumerate(self.sub):
            if l > 0 and l % self.block_size == 0:
                blocks.append(partial)
                partial = None
            src = blocks + ([partial] if partial is not None else [])
            out = f(self.res[l](src))
            partial = out if partial is None else partial + out
        return self.res[-1](blocks + [partial])


def model_sites(layers, block_size):
    """Number of AttnRes sites with >= 2 sources (one-source sites are identities)."""
    blocks, partial, n = 1, False, 0
    for l in range(layers):
        if l > 0 and l % block_size == 0:
            blocks, partial = blocks + 1, False
        n += (blocks + partial) >= 2
        partial = True
    return n + ((blocks + 1) >= 2)


# ---------------------------------------------------------------------------
# Negatives: softmax/RMSNorm/weighted sums that are not AttnRes sites.
# ---------------------------------------------------------------------------

class MaskedAttention(nn.Module):
    """Ordinary causal attention softmax over [B, H, T, T] with a -inf mask."""

    def __init__(self):
        super().__init__()
        self.attn = Attention(D)

    def forward(self, x):
        return self.attn(x)


class TokenSoftmax(nn.Module):
    """Softmax over tokens of RMS-normalized logits: not over sources."""

    def __init__(self):
        super().__init__()
        self.norm = nn.RMSNorm(D, eps=EPS)
        self.w = nn.Parameter(torch.randn(D))

    def forward(self, x):              # x: [T, D]
        a = torch.softmax(self.norm(x) @ self.w, 0)   # over T
        return (a[:, None] * x).sum(0)


class PreNormMLP(nn.Module):
    """An RMSNorm whose output feeds a matmul, not depth logits."""

    def __init__(self):
        super().__init__()
        self.mlp = MLP(D)

    def forward(self, x):
        return x + self.mlp(x)


class NormalizedValues(nn.Module):
    """Weighted sum over the normalized keys instead of the raw sources."""

    def __init__(self, n=3):
        super().__init__()
        self.n = n
        self.norm = nn.RMSNorm(D, eps=EPS)
        self.w = nn.Parameter(torch.randn(D) / D ** 0.5 * 4)

    def forward(self, *srcs):
        K = self.norm(torch.stack(srcs, 0))
        a = torch.softmax(torch.einsum("d,ntd->nt", self.w, K), 0)
        return torch.einsum("nt,ntd->td", a, K)


class MixedEps(nn.Module):
    """Per-source norms with different eps: not one AttnRes site."""

    def __init__(self, n=3):
        super().__init__()
        self.norms = nn.ModuleList([nn.RMSNorm(D, eps=1e-6 * 10 ** j) for j in range(n)])
        self.w = nn.Parameter(torch.randn(D) / D ** 0.5 * 4)

    def forward(self, *srcs):
        s = torch.stack([nm(v) @ self.w for nm, v in zip(self.norms, srcs)], 0)
        a = torch.softmax(s, 0)
        return (a[..., None] * torch.stack(srcs, 0)).sum(0)


class PartialSite(nn.Module):
    """Depth softmax of normalized logits, but the mix is not Σ α_j V_j
    (it mixes the squares of the sources): all-or-nothing leaves it alone."""

    def __init__(self, n=3):
        super().__init__()
        self.n = n
        self.norm = nn.RMSNorm(D, eps=EPS)
        self.w = nn.Parameter(torch.randn(D) / D ** 0.5 * 4)

    def forward(self, *srcs):
        V = torch.stack(srcs, 0)
        a = torch.softmax(torch.einsum("d,ntd->nt", self.w, self.norm(V)), 0)
        return torch.einsum("nt,ntd->td", a, V * V)


# ---------------------------------------------------------------------------
# The corpus.
# ---------------------------------------------------------------------------

def site_entry(name, n=3, shape=(T, D), dtype="f32", dynamic=False, tosa=False, **kw):
    return dict(name=name, kind="site", n=n, shape=shape, dtype=dtype, dynamic=dynamic,
                tosa=tosa, kw=kw, sites=1)


CORPUS = [
    # sources: stack / cat along a non-leading axis / loop
    site_entry("site-stack-rsqrt-einsum", tosa=True),
    site_entry("site-stack-module-einsum-batch", shape=(B, T, D), norm="module", tosa=True),
    site_entry("site-cat1-mulsum-mulsum", src="cat1", logit="mulsum", comb="mulsum", tosa=True),
    site_entry("site-cat1-batch-functional-matmul", shape=(B, T, D), src="cat1",
               norm="functional", logit="matvec", comb="matmul"),
    site_entry("site-loop-sqrt-matvec-loop", src="loop", norm="sqrt", logit="matvec",
               comb="loop", tosa=True),
    site_entry("site-loop-module-linear-mulsum", src="loop", norm="module", logit="linear",
               comb="mulsum"),
    # key norms without a gain, logits through Linear(D, 1), combine by matmul
    site_entry("site-stack-nogain-linear-matmul", norm="rsqrt", gain=False, logit="linear",
               comb="matmul"),
    site_entry("site-stack-sqrt-mulsum-mulsum", norm="sqrt", logit="mulsum", comb="mulsum"),
    site_entry("site-stack-functional-matvec-einsum", norm="functional", logit="matvec"),
    # queries: slice of a larger parameter, forward argument
    site_entry("site-stack-query-slice", query="slice"),
    site_entry("site-stack-query-arg", query="arg"),
    site_entry("site-stack-query-folded", query="folded", gain=False, logit="mulsum"),
    # one source -> identity is not a site; two sources; many sources
    site_entry("site-stack-two-sources", n=2),
    # flat (zero query: the mean) and peaked (logit gaps > 100) softmax
    site_entry("site-stack-flat", qscale=0.0),
    site_entry("site-stack-peaked", qscale=200.0),
    site_entry("site-stack-nine-sources", n=9),
    # rank-1 sources (one token, no token dims) and a dynamic token dim
    site_entry("site-stack-one-token", shape=(D,)),
    site_entry("site-stack-dynamic-tokens", dynamic=True),
    site_entry("site-cat1-dynamic-tokens", src="cat1", logit="mulsum", comb="mulsum",
               dynamic=True),
    # bf16 models
    site_entry("site-stack-bf16", dtype="bf16", norm="module", tosa=True),
    site_entry("site-cat1-bf16", dtype="bf16", src="cat1", logit="mulsum", comb="mulsum"),
    site_entry("site-loop-bf16", dtype="bf16", src="loop", norm="rsqrt", logit="matvec",
               comb="loop"),
    site_entry("site-stack-bf16-f32-math", dtype="bf16", norm="functional", upcast=True),
    # whole models
    dict(name="model-full", kind="model", layers=4, block_size=1, dtype="f32", tosa=False),
    dict(name="model-block", kind="model", layers=6, block_size=2, dtype="f32", tosa=False),
    dict(name="model-block-bf16", kind="model", layers=4, block_size=2, dtype="bf16",
         tosa=False),
    # negatives
    dict(name="neg-masked-attention", kind="neg", cls=MaskedAttention, shape=(B, T, D)),
    dict(name="neg-token-softmax", kind="neg", cls=TokenSoftmax, shape=(T, D)),
    dict(name="neg-prenorm-mlp", kind="neg", cls=PreNormMLP, shape=(B, T, D)),
    dict(name="neg-normalized-values", kind="neg", cls=NormalizedValues, n=3, shape=(T, D)),
    dict(name="neg-mixed-eps", kind="neg", cls=MixedEps, n=3, shape=(T, D)),
    dict(name="neg-partial-site", kind="neg", cls=PartialSite, n=3, shape=(T, D)),
]


def tolerance(entry):
    """Max |y - ref| / max(1, max |ref|) allowed against the float64 reference:
    f32 1e-5; a bf16 site 1e-2 (inputs and result are bf16: ~2^-8 per rounding);
    a bf16 model 5e-2 (its attention/MLP sublayers also run in bf16)."""
    if entry.get("dtype", "f32") != "bf16":
        return 1e-5
    return 5e-2 if entry["kind"] == "model" else 1e-2


def round_bf16(t):
    return t.to(torch.bfloat16).to(torch.float32)


def build(entry):
    """(module in float32 with bf16-representable parameters when bf16,
    example inputs, dynamic_shapes or None, sites)."""
    torch.manual_seed(sum(map(ord, entry["name"])))
    kind, dtype = entry["kind"], entry.get("dtype", "f32")
    dyn = None
    if kind == "site":
        mod = Site(entry["n"], **entry["kw"])
        args = [torch.randn(*entry["shape"]) * (1 + j) for j in range(entry["n"])]
        if entry["kw"].get("query") == "arg":
            args.append(torch.randn(D) / D ** 0.5 * 4)
        if entry["dynamic"]:
            tok = torch.export.Dim("tokens", min=2, max=1024)
            # forward(*args): one dynamic-shape spec for the varargs tuple
            dyn = (tuple([{0: tok}] * entry["n"] +
                         ([None] if entry["kw"].get("query") == "arg" else [])),)
        sites = 1
    elif kind == "model":
        mod = Model(entry["layers"], entry["block_size"])
        args = [torch.randn(B, T, D)]
        sites = model_sites(entry["layers"], entry["block_size"])
    else:
        cls = entry["cls"]
        mod = cls(entry["n"]) if "n" in entry else cls()
        args = [torch.randn(*entry["shape"]) for _ in range(entry.get("n", 1))]
        sites = 0
    mod.eval()
    if dtype == "bf16":
        with torch.no_grad():
            for p in mod.parameters():
                p.copy_(round_bf16(p))
        args = [round_bf16(a) for a in args]
    return mod, args, dyn, sites


def export(mod, args, dtype, output_type, dynamic_shapes, f32_params=False):
    from torch_mlir import fx
    if dtype == "bf16":
        import copy
        if not f32_params:   # f32_params: a bf16 model keeping f32 parameters
            mod = copy.deepcopy(mod).to(torch.bfloat16)
        args = [a.to(torch.bfloat16) for a in args]
    m = fx.export_and_import(mod, *args, output_type=output_type, func_name="forward",
                             dynamic_shapes=dynamic_shapes)
    return m.operation.get_asm()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--example", help="also write the Block model example to this path")
    opts = ap.parse_args()
    if opts.list:
        for e in CORPUS:
            print(e["name"])
        return
    os.makedirs(opts.out, exist_ok=True)
    for entry in CORPUS:
        name = entry["name"]
        if opts.only and name not in opts.only:
            continue
        mod, args, dyn, sites = build(entry)
        dtype = entry.get("dtype", "f32")
        with torch.no_grad():
            ref = mod.double()(*[a.double() for a in args]).numpy()
            mod.float()
        header = ("// Generated by scripts/torch_corpus.py (torch %s, torch-mlir FX importer, "
                  "%s): %s\n" % (torch.__version__, "%s", name))
        for output_type, suffix, on in (("linalg-on-tensors", "linalg", True),
                                        ("tosa", "tosa", entry.get("tosa", False))):
            if not on:
                continue
            text = export(mod, args, dtype, output_type, dyn,
                          f32_params=entry.get("kw", {}).get("upcast", False))
            with open(os.path.join(opts.out, "%s.%s.mlir" % (name, suffix)), "w") as f:
                f.write(header % output_type)
                f.write(text)
        np.savez(os.path.join(opts.out, name + ".npz"),
                 *[a.numpy().astype(np.float32) for a in args], ref=ref,
                 sites=np.int64(sites), dtype=np.array(dtype),
                 tol=np.float64(tolerance(entry)))
        print("%-40s sites=%d" % (name, sites))


if __name__ == "__main__":
    main()
