#!/usr/bin/env python3
"""Forward + backward benchmark on the CPU (issue 15): a training step's
AttnRes work, measured against eager PyTorch (and torch.compile when
installed) and against a streaming loop with the same traffic, in one run.

Site: one depth_attn forward (fused kernel) then its depth_attn_grad (fused
kernel); traffic (n+1) + (2n+1) row tensors of T·D·4 bytes; bound: the
streaming loops `attnres_stream` (n reads, 1 write) then
`attnres_stream_grad` (n+1 reads, n writes), same run.

Model: Block AttnRes, L sublayers in blocks of S, sublayers
f_l(h) = h·s_l (elementwise, parameter s [L, D]) written as func.calls
with their VJP (attnres.vjp); the backward is built by attnres-build-backward
and recomputes the forward activations it needs (the gradient ops' policy:
nothing saved). Timed: the compiled forward, the compiled backward (with its
recomputation), their sum; eager PyTorch forward + backward (torch.autograd,
which saves activations); attnres.torch.block_attnres (compiled sites
called from PyTorch, PyTorch sublayers and sums). Bytes moved: every op of
the forward and backward functions that reads or writes row tensors
(T×D f32), counted from the IR the pass produced (sites n reads + 1 write,
gradients n+1 reads + n writes, sums k reads + 1 write, sublayer 1 + 1, VJP
3 + 1); the D-sized query/gain rows are not counted. Bound: one streaming
loop per such op with the same reads and writes, in order, same run.

  scripts/python.sh bench/train_bench.py --sources 9 --rows 2048 --hidden 4096 \
      --layers 32 --block-size 8 --model-tokens 1024 --model-hidden 4096 --reps 5
"""

import argparse
import ctypes
import os
import re
import statistics
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "scripts"))
import attnres_bench as B  # noqa: E402
import attnres_grad_gen as GG  # noqa: E402
import grad_bench as GB  # noqa: E402

EPS = 1e-5


def interleaved(calls, reps):
    return GB.interleaved(calls, reps)


def _torch():
    try:
        import torch
        return torch
    except ImportError:
        return None


def torch_compile_status(torch):
    if torch is None:
        return None, "torch not installed"
    if not hasattr(torch, "compile"):
        return None, f"torch.compile not installed (torch {torch.__version__} has none)"
    return torch.compile, None


# ---------------------------------------------------------------------------
# Site: forward + backward
# ---------------------------------------------------------------------------

def run_site(tc, n, rows, d, reps, torch=None):
    stream = tc.compile_c(os.path.join(HERE, "kernels.c"), "stream",
                          ["-O3", "-march=native", "-fopenmp"])
    grad_lib = tc.compile(GB.grad_ir(n, rows, d), "--attnres-to-llvm", "tb_grad")
    fwd_lib = tc.compile(B.site_ir(n, rows, d, "f32", "fused"), "--attnres-to-llvm", "tb_fwd")
    rng = np.random.default_rng(0)
    V = [rng.standard_normal((rows, d)).astype(np.float32) for _ in range(n)]
    q = (0.5 * rng.standard_normal(d) / np.sqrt(d) * 8).astype(np.float32)
    g = rng.standard_normal((rows, d)).astype(np.float32)
    h = np.zeros((rows, d), np.float32)
    dq = np.zeros(d, np.float32)
    dV = [np.zeros((rows, d), np.float32) for _ in range(n)]
    gain = np.ones(d, np.float32)
    fwd = B.bind(fwd_lib, "site", [q, gain] + V + [h])
    bwd = B.bind(grad_lib, "grad", [q] + V + [g, dq] + dV)
    fwd()
    bwd()
    k = min(rows, 64)
    rq, rV = GG.site_grad(q, [v[:k] for v in V], g[:k], EPS)
    err = max(float(np.abs(dv[:k] - r).max() / np.abs(r).max()) for dv, r in zip(dV, rV))
    href = GG.G.site([v[:k].astype(np.float64) for v in V], q.astype(np.float64), EPS)
    err = max(err, float(np.abs(h[:k] - href).max() / np.abs(href).max()))
    if err > 1e-4:
        raise SystemExit("train_bench: site results differ from float64 (%g)" % err)

    nbytes = rows * d * 4
    src_f = (ctypes.c_void_p * n)(*[v.ctypes.data for v in V])
    sink = np.empty((rows, d), np.float32)
    src_g = (ctypes.c_void_p * (n + 1))(*[v.ctypes.data for v in V + [g]])
    sinks = [np.empty((rows, d), np.float32) for _ in range(n)]
    dst_g = (ctypes.c_void_p * n)(*[s.ctypes.data for s in sinks])
    stream.attnres_stream.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                                      ctypes.c_long]
    stream.attnres_stream_grad.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                                           ctypes.c_long]

    def stream_call():
        stream.attnres_stream(n, src_f, ctypes.c_void_p(sink.ctypes.data), nbytes)
        stream.attnres_stream_grad(n + 1, src_g, dst_g, nbytes)

    def attnres_call():
        fwd()
        bwd()

    calls = {"stream": stream_call, "attnres": attnres_call}
    skipped = {}
    if torch is not None:
        tq = torch.from_numpy(q)
        tV = [torch.from_numpy(v) for v in V]
        tg = torch.from_numpy(g)

        def eager_site(q, V):
            Vs = torch.stack(V)
            rho = torch.rsqrt(Vs.pow(2).mean(-1) + EPS)
            a = torch.softmax(rho * (Vs @ q), dim=0)
            return (a.unsqueeze(-1) * Vs).sum(0)

        def torch_call(site=eager_site):
            qq = tq.clone().requires_grad_()
            vv = [v.detach().requires_grad_() for v in tV]
            hh = site(qq, vv)
            torch.autograd.grad(hh, [qq] + vv, tg)
        calls["torch"] = torch_call
        compile_fn, why = torch_compile_status(torch)
        if compile_fn is None:
            skipped["torch_compile"] = why
        else:
            try:
                compiled = compile_fn(eager_site)
                torch_call(compiled)
                calls["torch_compile"] = lambda: torch_call(compiled)
            except Exception as e:  # a missing C++ toolchain, an Inductor error
                skipped["torch_compile"] = f"torch.compile failed: {type(e).__name__}"
    else:
        skipped["torch"] = "torch not installed"
    t = interleaved(calls, reps)
    traffic = (3 * n + 2) * nbytes
    out = [f"\n### Forward + backward: depth_attn then depth_attn_grad, {n} sources × {rows} "
           f"tokens × D={d}, f32\n",
           f"`bench/train_bench.py` (`--parts train`). Traffic (n+1)·T·D·4 (forward: n sources "
           f"read, h written) + (2n+1)·T·D·4 (backward: n sources and g read, n dV_j written) "
           f"= {traffic / 1e6:.0f} MB. Streaming loop: `attnres_stream` (n reads, 1 write) then "
           f"`attnres_stream_grad` (n+1 reads, n writes), same run. Results checked against "
           f"float64 numpy (first {k} rows; max relative error {err:.2g}). Inputs: sources "
           f"N(0,1), query N(0, (4/√D)²), g N(0,1) (seed 0). Medians of {reps} round-robin "
           f"repetitions.\n",
           "| implementation | median time | GB/s | vs streaming loop |", "|---|---|---|---|"]
    names = [("stream", "streaming loops, same traffic"),
             ("attnres", "attnres: fused `depth_attn` + fused `depth_attn_grad`"),
             ("torch", f"eager PyTorch forward + torch.autograd backward"
                       + (f" (torch {torch.__version__})" if torch is not None else "")),
             ("torch_compile", "torch.compile (Inductor) forward + backward")]
    for key, name in names:
        if key in t:
            out.append(f"| {name} | {t[key] * 1e3:.1f} ms | {traffic / t[key] / 1e9:.1f} | "
                       f"{t['stream'] / t[key]:.2f} |")
        else:
            out.append(f"| {name} | — | — | {skipped.get(key, 'not run')} |")
    return out, t["stream"] / t["attnres"]


# ---------------------------------------------------------------------------
# Model: Block AttnRes forward + backward
# ---------------------------------------------------------------------------

def model_ir(L, S, T, D):
    """@model(emb [T,D], queries [L+1,D], s [L,D]) -> y, sublayers
    f_l(h) = h·s_l as calls of @sub (attnres.vjp = @sub_vjp)."""
    ht, qt = f"tensor<{T}x{D}xf32>", f"tensor<{D}xf32>"
    qq, ss = f"tensor<{L + 1}x{D}xf32>", f"tensor<{L}x{D}xf32>"
    row = "affine_map<(i, j) -> (i, j)>"
    col = "affine_map<(i, j) -> (j)>"
    lines = [
        f"func.func private @sub(%h: {ht}, %s: {qt}) -> {ht} attributes {{attnres.vjp = @sub_vjp}} {{",
        f"  %e = tensor.empty() : {ht}",
        f"  %y = linalg.generic {{indexing_maps = [{row}, {col}, {row}], iterator_types = "
        f"[\"parallel\", \"parallel\"]}} ins(%h, %s : {ht}, {qt}) outs(%e : {ht}) {{",
        "  ^bb0(%x: f32, %c: f32, %o: f32):",
        "    %m = arith.mulf %x, %c : f32",
        "    linalg.yield %m : f32",
        f"  }} -> {ht}",
        f"  return %y : {ht}",
        "}",
        # dh = dout·s, ds = Σ_t dout·h
        f"func.func private @sub_vjp(%h: {ht}, %s: {qt}, %g: {ht}) -> ({ht}, {qt}) {{",
        "  %zero = arith.constant 0.0 : f32",
        f"  %e = tensor.empty() : {ht}",
        f"  %dh = linalg.generic {{indexing_maps = [{row}, {col}, {row}, {row}], iterator_types = "
        f"[\"parallel\", \"parallel\"]}} ins(%h, %s, %g : {ht}, {qt}, {ht}) outs(%e : {ht}) {{",
        "  ^bb0(%x: f32, %c: f32, %gg: f32, %o: f32):",
        "    %r = arith.mulf %gg, %c : f32",
        "    linalg.yield %r : f32",
        f"  }} -> {ht}",
        f"  %es = tensor.empty() : {qt}",
        f"  %zs = linalg.fill ins(%zero : f32) outs(%es : {qt}) -> {qt}",
        f"  %ds = linalg.generic {{indexing_maps = [{row}, {row}, {col}], iterator_types = "
        f"[\"reduction\", \"parallel\"]}} ins(%h, %g : {ht}, {ht}) outs(%zs : {qt}) {{",
        "  ^bb0(%x: f32, %gg: f32, %acc: f32):",
        "    %m = arith.mulf %gg, %x : f32",
        "    %a = arith.addf %acc, %m : f32",
        "    linalg.yield %a : f32",
        f"  }} -> {qt}",
        f"  return %dh, %ds : {ht}, {qt}",
        "}",
        f"func.func @model(%emb: {ht}, %queries: {qq}, %s: {ss}) -> {ht} {{",
    ]
    counter = [0]

    def fresh(stem):
        counter[0] += 1
        return f"%{stem}{counter[0]}"

    def row_of(param, shape, l):
        v = fresh("r")
        lines.append(f"  {v} = tensor.extract_slice {param}[{l}, 0] [1, {D}] [1, 1] : "
                     f"{shape} to {qt}")
        return v

    blocks, partial = ["%emb"], None
    for l in range(L):
        if l > 0 and l % S == 0:
            blocks.append(partial)
            partial = None
        src = blocks + ([partial] if partial else [])
        if len(src) == 1:
            h = src[0]
        else:
            h = fresh("h")
            lines.append("  " + B.IR.depth_attn(h, row_of('%queries', qq, l), src, f"{EPS:.6e}",
                                                qt, ht))
        f = fresh("f")
        lines.append(f"  {f} = func.call @sub({h}, {row_of('%s', ss, l)}) : ({ht}, {qt}) -> {ht}")
        if partial is None:
            partial = f
        else:
            p = fresh("p")
            lines.append("  " + B.IR.block_summary(p, [partial, f], ht))
            partial = p
    y = fresh("y")
    lines.append("  " + B.IR.depth_attn(y, row_of('%queries', qq, L), blocks + [partial],
                                        f"{EPS:.6e}", qt, ht))
    lines += [f"  return {y} : {ht}", "}"]
    return "\n".join(lines) + "\n"


def count_traffic(text, fn, T, D):
    # Counted on the pass's output (before `inline`): a sublayer call is
    # h·s (1 read, 1 write); a VJP call is dh = g·s and ds = Σ_t g·h (3
    # reads, 1 write).
    """Row-tensor streams of function `fn` in `text`: a list of (reads,
    writes) per op, in order (see the module docstring)."""
    ht = f"tensor<{T}x{D}xf32>"
    body = text.split(f"func.func @{fn}(")[1].split("\n  }")[0]
    ops = []
    for line in body.splitlines():
        m = re.search(r"attnres\.depth_attn_grad %[\w#]+, \[([^\]]*)\]", line)
        if m:
            n = m.group(1).count("%")
            ops.append((n + 1, n))
            continue
        m = re.search(r"attnres\.depth_attn %[\w#]+, \[([^\]]*)\]", line)
        if m:
            ops.append((m.group(1).count("%"), 1))
            continue
        m = re.search(r"attnres\.block_summary \[([^\]]*)\] : (\S+)", line)
        if m and m.group(2) == ht:
            ops.append((m.group(1).count("%"), 1))
            continue
        if "call @sub_vjp(" in line:
            ops.append((3, 1))
        elif "call @sub(" in line:
            ops.append((1, 1))
    return ops


def eager_model(torch, emb, Q, s, L, S, site):
    blocks, partial = [emb], None
    for l in range(L):
        if l > 0 and l % S == 0:
            blocks.append(partial)
            partial = None
        src = blocks + ([partial] if partial is not None else [])
        h = src[0] if len(src) == 1 else site(Q[l], src)
        f = h * s[l]
        partial = f if partial is None else partial + f
    return site(Q[L], blocks + [partial])


def run_model(tc, L, S, T, D, reps, torch=None, serial=False):
    sys.path.insert(0, os.path.join(os.path.dirname(tc.opt), "..", "python_packages"))
    import attnres
    stream = tc.compile_c(os.path.join(HERE, "kernels.c"), "stream",
                          ["-O3", "-march=native", "-fopenmp"])
    m = attnres.Module.parse(model_ir(L, S, T, D))
    # inline: the sublayer calls return fresh buffers, which attnres-plan-buffers
    # cannot plan; inlined, every intermediate lives in the planned arena (without
    # it the backward spends most of its time faulting in fresh pages).
    m.run_pipeline("builtin.module(attnres-build-backward{functions=model})")
    counted = str(m)
    m.run_pipeline("builtin.module(inline)")
    text = str(m)
    fwd = attnres.compile(text, "model")
    bwd = attnres.compile(text, "model_backward")
    ops_f = count_traffic(counted, "model", T, D)
    ops_b = count_traffic(counted, "model_backward", T, D)
    unit = T * D * 4
    bytes_f = sum(r + w for r, w in ops_f) * unit
    bytes_b = sum(r + w for r, w in ops_b) * unit

    rng = np.random.default_rng(0)
    emb = rng.standard_normal((T, D)).astype(np.float32)
    Q = (0.5 * rng.standard_normal((L + 1, D)) / np.sqrt(D) * 8).astype(np.float32)
    s = (1 + 0.2 * rng.standard_normal((L, D))).astype(np.float32)
    dy = rng.standard_normal((T, D)).astype(np.float32)
    y = fwd(emb, Q, s)
    d_emb, d_q, d_s = bwd(emb, Q, s, dy)
    err = None
    if torch is not None:
        # float64 reference (torch.autograd of the eager model) on the first rows.
        k = min(T, 64)
        e64 = torch.from_numpy(emb[:k]).double().requires_grad_()
        q64 = torch.from_numpy(Q).double().requires_grad_()
        s64 = torch.from_numpy(s).double().requires_grad_()

        def site64(q, V):
            Vs = torch.stack(V)
            rho = torch.rsqrt(Vs.pow(2).mean(-1) + EPS)
            a = torch.softmax(rho * (Vs @ q), dim=0)
            return (a.unsqueeze(-1) * Vs).sum(0)
        y64 = eager_model(torch, e64, q64, s64, L, S, site64)
        r_emb, = torch.autograd.grad(y64, [e64], torch.from_numpy(dy[:k]).double())
        err = max(float(np.abs(y[:k] - y64.detach().numpy()).max() / y64.abs().max()),
                  float(np.abs(d_emb[:k] - r_emb.numpy()).max() / r_emb.abs().max()))
        if err > 2e-4:
            raise SystemExit("train_bench: model results differ from float64 (%g)" % err)

    # Streaming loops with the same per-op traffic, in order.
    pool = [np.ones((T, D), np.float32) for _ in range(17)]
    sinks = [np.empty((T, D), np.float32) for _ in range(16)]
    src = (ctypes.c_void_p * 17)(*[a.ctypes.data for a in pool])
    dst = (ctypes.c_void_p * 16)(*[a.ctypes.data for a in sinks])
    stream.attnres_stream.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                                      ctypes.c_long]
    stream.attnres_stream_grad.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                                           ctypes.c_long]
    plan = []
    for r, w in ops_f + ops_b:
        if w > 1 and r > 16:
            raise SystemExit("train_bench: a gradient op reads more than 16 streams")
        # A sum of more than 16 streams (the embedding's gradient) becomes
        # several loops of at most 16 reads, each with its write.
        while w == 1 and r > 16:
            plan.append((16, 1))
            r -= 16
        plan.append((r, w))

    def stream_call():
        for r, w in plan:
            if w == 1:
                stream.attnres_stream(r, src, ctypes.c_void_p(sinks[0].ctypes.data), unit)
            else:
                stream.attnres_stream_grad(r, src, dst, unit)

    calls = {"stream": stream_call, "forward": lambda: fwd(emb, Q, s),
             "backward": lambda: bwd(emb, Q, s, dy)}
    calls["attnres"] = lambda: (fwd(emb, Q, s), bwd(emb, Q, s, dy))
    if serial:
        fwd1 = attnres.compile(text, "model", options="parallel=false")
        bwd1 = attnres.compile(text, "model_backward", options="parallel=false")
        calls["attnres_serial"] = lambda: (fwd1(emb, Q, s), bwd1(emb, Q, s, dy))
        calls["backward_serial"] = lambda: bwd1(emb, Q, s, dy)
    skipped = {}
    if torch is not None:
        import attnres.torch as AT
        te, tQ, ts, tdy = (torch.from_numpy(x) for x in (emb, Q, s, dy))

        def eager_site(q, V):
            return AT.depth_attn_eager(q, V, EPS)

        def torch_step(site):
            e = te.clone().requires_grad_()
            q = tQ.clone().requires_grad_()
            sp = ts.clone().requires_grad_()
            out = eager_model(torch, e, q, sp, L, S, site)
            torch.autograd.grad(out, [e, q, sp], tdy)
        calls["torch"] = lambda: torch_step(eager_site)
        calls["attnres_torch"] = lambda: torch_step(lambda q, V: AT.depth_attn(q, V, EPS))
        compile_fn, why = torch_compile_status(torch)
        if compile_fn is None:
            skipped["torch_compile"] = why
        else:
            try:
                cs = compile_fn(eager_site)
                torch_step(cs)
                calls["torch_compile"] = lambda: torch_step(cs)
            except Exception as e:
                skipped["torch_compile"] = f"torch.compile failed: {type(e).__name__}"
    else:
        skipped["torch"] = skipped["attnres_torch"] = "torch not installed"
    t = interleaved(calls, reps)
    total = bytes_f + bytes_b
    out = [f"\n### Forward + backward: Block AttnRes, {L} sublayers in blocks of {S}, {T} tokens "
           f"× D={D}, f32\n",
           f"`bench/train_bench.py` (`--parts train`). Sublayers f_l(h) = h·s_l (func.calls "
           f"with `attnres.vjp`); backward built by `attnres-build-backward` (recomputes the "
           f"forward activations it reads), then upstream `inline` (so that attnres-plan-buffers "
           f"plans the sublayers' intermediates too), compiled with `attnres.compile`. Bytes moved (row tensors of T·D·4 = {unit / 2**20:.0f} "
           f"MiB, counted per op from the IR: {len(ops_f)} forward ops, {len(ops_b)} backward ops): "
           f"forward {bytes_f / 1e9:.2f} GB, backward {bytes_b / 1e9:.2f} GB. Streaming loop: one "
           f"`attnres_stream`/`attnres_stream_grad` call per op with its reads and writes, in "
           f"order, same run (a sum of more than 16 streams: loops of at most 16 reads, each with a "
           f"write). Inputs: emb, g N(0,1); queries N(0, (4/√D)²); s_l 1 + N(0, 0.2²) "
           f"(seed 0)."
           + (f" Checked against torch.autograd of the eager model in float64 (first 64 rows: "
              f"max relative error {err:.2g})." if err is not None else "")
           + f" Medians of {reps} round-robin repetitions.\n",
           "| implementation | median time | GB/s (bytes above) | vs streaming loop |",
           "|---|---|---|---|"]
    rows = [("stream", "streaming loops, same traffic as forward + backward", total),
            ("forward", "attnres forward (`@model`)", bytes_f),
            ("backward", "attnres backward (`@model_backward`, with recomputation)", bytes_b),
            ("attnres", "attnres forward + backward", total),
            ("backward_serial", "attnres backward, `parallel=false` (one thread, no OpenMP)",
             bytes_b),
            ("attnres_serial", "attnres forward + backward, `parallel=false`", total),
            ("attnres_torch", "PyTorch model, attnres.torch compiled sites (`depth_attn` + "
                              "`depth_attn_grad`), PyTorch sublayers and sums", total),
            ("torch", "eager PyTorch forward + torch.autograd backward"
                      + (f" (torch {torch.__version__})" if torch is not None else ""), total),
            ("torch_compile", "torch.compile (Inductor) forward + backward", total)]
    for key, name, nbytes in rows:
        if key not in t:
            if key not in ("backward_serial", "attnres_serial"):
                out.append(f"| {name} | — | — | {skipped.get(key, 'not run')} |")
            continue
        ratio = t["stream"] * (nbytes / total) / t[key]
        out.append(f"| {name} | {t[key] * 1e3:.1f} ms | {nbytes / t[key] / 1e9:.1f} | "
                   f"{ratio:.2f} |")
    out.append("\nFor the forward and backward rows, 'vs streaming loop' scales the streaming "
               "time by their share of the bytes.")
    return out, t["stream"] / t["attnres"]


def run(tc, n, rows, d, L, S, T, D, reps, with_torch=True):
    torch = _torch() if with_torch else None
    if torch is not None:
        torch.set_num_threads(os.cpu_count())
    out, _ = run_site(tc, n, rows, d, reps, torch)
    more, _ = run_model(tc, L, S, T, D, reps, torch)
    return out + more


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sources", type=int, default=9)
    ap.add_argument("--rows", type=int, default=2048)
    ap.add_argument("--hidden", type=int, default=4096)
    ap.add_argument("--layers", type=int, default=32)
    ap.add_argument("--block-size", type=int, default=8)
    ap.add_argument("--model-tokens", type=int, default=1024)
    ap.add_argument("--model-hidden", type=int, default=4096)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--only", choices=["site", "model"])
    ap.add_argument("--serial", action="store_true",
                    help="model: also time the parallel=false compilation")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="attnres-train-bench-")
    tc = B.Toolchain(args.build_dir, work)
    torch = None if args.no_torch else _torch()
    if torch is not None:
        torch.set_num_threads(os.cpu_count())
    if args.only != "model":
        print("\n".join(run_site(tc, args.sources, args.rows, args.hidden, args.reps, torch)[0]),
              flush=True)
    if args.only != "site":
        print("\n".join(run_model(tc, args.layers, args.block_size, args.model_tokens,
                                   args.model_hidden, args.reps, torch, args.serial)[0]),
              flush=True)


if __name__ == "__main__":
    main()
