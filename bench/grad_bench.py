#!/usr/bin/env python3
"""Benchmark of the depth_attn backward on the CPU (issue 15).

For one site (n sources of rows x d, f32), measured in the same run,
interleaved round-robin:
  * fused:   depth_attn_grad through the fused kernel (attnres-to-llvm);
  * linalg:  the same op through the plain linalg lowering (fast-kernels=false);
  * stream:  attnres_stream_grad (bench/kernels.c): reads the n + 1 input
             streams once and writes n, on all cores: the traffic floor of
             the gradient, (2n + 1)·rows·d·4 bytes;
  * forward: the fused depth_attn (n + 1 streams) for scale;
  * torch:   eager PyTorch backward of the eager site (torch.autograd), when
             torch is importable.
The fused result is checked against a float64 numpy gradient before timing.

  PYTHONPATH=build/python_packages /usr/bin/python3 bench/grad_bench.py \
      --sources 9 --rows 2048 --hidden 4096 --reps 5
"""

import argparse
import ctypes
import os
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


def grad_ir(n, rows, d):
    src = f"memref<{rows}x{d}xf32>"
    srct = f"tensor<{rows}x{d}xf32>"
    args = [f"%q: memref<{d}xf32>"] + [f"%v{j}: {src}" for j in range(n)]
    args += [f"%g: {src}", f"%dq: memref<{d}xf32>"] + [f"%dv{j}: {src}" for j in range(n)]
    lines = [f"func.func @grad({', '.join(args)}) attributes {{llvm.emit_c_interface}} {{",
             f"  %qt = bufferization.to_tensor %q restrict : memref<{d}xf32> to tensor<{d}xf32>",
             f"  %gt = bufferization.to_tensor %g restrict : {src} to {srct}"]
    for j in range(n):
        lines.append(f"  %t{j} = bufferization.to_tensor %v{j} restrict : {src} to {srct}")
    vals = [f"%t{j}" for j in range(n)]
    lines.append("  " + B.IR.depth_attn_grad(f"%r:{n + 1}", "%qt", vals, "%gt", None,
                                             f"tensor<{d}xf32>", srct, srct))
    lines.append(f"  bufferization.materialize_in_destination %r#0 in restrict writable %dq : "
                 f"(tensor<{d}xf32>, memref<{d}xf32>) -> ()")
    for j in range(n):
        lines.append(f"  bufferization.materialize_in_destination %r#{j + 1} in restrict writable "
                     f"%dv{j} : ({srct}, {src}) -> ()")
    lines += ["  return", "}"]
    return "\n".join(lines) + "\n"


def interleaved(calls, reps):
    """Round-robin timing; medians per call."""
    times = {k: [] for k in calls}
    for f in calls.values():
        f()
    for _ in range(reps):
        for k, f in calls.items():
            t0 = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sources", type=int, default=9)
    ap.add_argument("--rows", type=int, default=2048)
    ap.add_argument("--hidden", type=int, default=4096)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--options", default="", help="attnres-to-llvm options of the fused kernel")
    ap.add_argument("--no-linalg", action="store_true")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="attnres-grad-bench-")
    tc = B.Toolchain(args.build_dir, work)
    print("\n".join(run(tc, args.sources, args.rows, args.hidden, args.reps, args.options,
                         not args.no_torch, not args.no_linalg)))


def run(tc, n, rows, d, reps, options="", with_torch=True, with_linalg=True):
    """Measures the gradient kernels; returns Markdown lines."""
    stream = tc.compile_c(os.path.join(HERE, "kernels.c"), "stream",
                          ["-O3", "-march=native", "-fopenmp"])
    ir = grad_ir(n, rows, d)
    fused_lib = tc.compile(ir, "--attnres-to-llvm=" + options if options
                           else "--attnres-to-llvm", "grad_fused")
    linalg_lib = tc.compile(ir, "--attnres-to-llvm=fast-kernels=false", "grad_linalg")
    fwd_lib = tc.compile(B.site_ir(n, rows, d, "f32", "fused"), "--attnres-to-llvm", "fwd")

    rng = np.random.default_rng(0)
    V = [rng.standard_normal((rows, d)).astype(np.float32) for _ in range(n)]
    q = (0.5 * rng.standard_normal(d) / np.sqrt(d) * 8).astype(np.float32)
    g = rng.standard_normal((rows, d)).astype(np.float32)
    dq = np.zeros(d, np.float32)
    dV = [np.zeros((rows, d), np.float32) for _ in range(n)]
    fused = B.bind(fused_lib, "grad", [q] + V + [g, dq] + dV)
    dq2 = np.zeros(d, np.float32)
    dV2 = [np.zeros((rows, d), np.float32) for _ in range(n)]
    linalg = B.bind(linalg_lib, "grad", [q] + V + [g, dq2] + dV2)
    h = np.zeros((rows, d), np.float32)
    gain = np.ones(d, np.float32)
    forward = B.bind(fwd_lib, "site", [q, gain] + V + [h])

    # Check against float64 on a slice of rows (the whole site in float64 is slow).
    fused()
    linalg()
    k = min(rows, 64)
    rq, rV = GG.site_grad(q, [v[:k] for v in V], g[:k], 1e-5)
    err = max(float(np.abs(dv[:k] - r).max() / np.abs(r).max()) for dv, r in zip(dV, rV))
    err2 = max(float(np.abs(dv[:k] - r).max() / np.abs(r).max()) for dv, r in zip(dV2, rV))
    if err > 1e-4 or err2 > 1e-4:
        raise SystemExit("grad_bench: results differ from float64 (%g, %g)" % (err, err2))
    _, rq_full = None, None
    rq_full = GG.site_grad(q, V, g, 1e-5)[0] if rows * d * n <= 2 ** 26 else None
    if rq_full is not None:
        e = float(np.abs(dq - rq_full).max() / np.abs(rq_full).max())
        if e > 1e-3:
            raise SystemExit("grad_bench: dq differs from float64 (%g)" % e)

    src = (ctypes.c_void_p * (n + 1))(*[v.ctypes.data for v in V + [g]])
    sinks = [np.empty((rows, d), np.float32) for _ in range(n)]
    dst = (ctypes.c_void_p * n)(*[s.ctypes.data for s in sinks])
    stream.attnres_stream_grad.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                                           ctypes.c_long]
    stream_call = lambda: stream.attnres_stream_grad(n + 1, src, dst, rows * d * 4)  # noqa: E731
    calls = {"fused": fused, "stream": stream_call, "linalg": linalg, "forward": forward}
    if not with_linalg:
        del calls["linalg"]
    if with_torch:
        try:
            import torch
            tq = torch.from_numpy(q).requires_grad_()
            tV = [torch.from_numpy(v).requires_grad_() for v in V]
            tg = torch.from_numpy(g)

            def torch_call():
                Vs = torch.stack(tV)
                rho = torch.rsqrt(Vs.pow(2).mean(-1) + 1e-5)
                a = torch.softmax(rho * (Vs @ tq), dim=0)
                hh = (a.unsqueeze(-1) * Vs).sum(0)
                torch.autograd.grad(hh, [tq] + tV, tg)
            calls["torch"] = torch_call
        except ImportError:
            pass
    t = interleaved(calls, reps)
    grad_bytes = (2 * n + 1) * rows * d * 4
    fwd_bytes = (n + 1) * rows * d * 4
    out = [f"\n### Backward: depth_attn_grad, {n} sources × {rows} tokens × D={d}, f32\n",
           f"`bench/grad_bench.py` (also `--parts grad`). Gradient traffic "
           f"(2n+1)·T·D·4 = {grad_bytes / 1e6:.0f} MB (n sources and g read, n dV_j written; the "
           f"dq accumulators are D floats per task). Max relative error against float64 numpy "
           f"(first {k} rows): fused {err:.2g}, linalg {err2:.2g}. Medians of {reps} round-robin "
           f"repetitions.\n",
           "| implementation | median time | GB/s (gradient traffic) | vs streaming loop |",
           "|---|---|---|---|"]
    for key, name, nbytes in [("stream", "streaming loop, (n+1) reads + n writes "
                               "(`attnres_stream_grad`)", grad_bytes),
                              ("fused", "attnres `depth_attn_grad`, fused kernel", grad_bytes),
                              ("linalg", "attnres `depth_attn_grad`, linalg "
                               "(`fast-kernels=false`)", grad_bytes),
                              ("torch", "eager PyTorch backward (torch.autograd)", grad_bytes),
                              ("forward", "attnres `depth_attn` forward, fused, (n+1)·T·D·4 "
                               "bytes", fwd_bytes)]:
        if key not in t:
            continue
        out.append(f"| {name} | {t[key] * 1e3:.1f} ms | {nbytes / t[key] / 1e9:.1f} | "
                   f"{t['stream'] / t[key]:.2f} |")
    return out


if __name__ == "__main__":
    main()
