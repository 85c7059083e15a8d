#!/usr/bin/env python3
"""Times the hand-written kernel variants of bench/experiments/variants.c next
to the streaming loop of bench/kernels.c, to judge a kernel structure before
building it in the lowering (docs/benchmarks.md quotes these numbers).

  dram:  9 sources x 2048 tokens x D=4096 (f32 and bf16), all cores,
         round-robin with the streaming loop, median of same-round ratios,
         repeated --runs times; every variant is checked against numpy.
  cache: one thread, 2 rows (in L2): time per row of each pass alone, the
         bytes per second it reads from cache and the FMA lanes per ns.

Usage: /usr/bin/python3 bench/experiments/run.py [--parts dram,cache] [--reps N] [--runs N]
(needs clang-22, libomp, an AVX-512 BF16 CPU; set MALLOC_MMAP_MAX_=0 as bench/run.sh does)
"""
import argparse
import ctypes
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import attnres_bench as ab  # noqa: E402
import numpy as np  # noqa: E402

K, D, T = 9, 4096, 2048
LLVM_LIB = "/usr/lib/llvm-22/lib"


def build(work, source, name, flags):
    out = os.path.join(work, name + ".so")
    subprocess.run(["clang-22", "-O3", "-march=native", "-fopenmp", "-shared", "-fPIC",
                    *flags, source, "-o", out, f"-L{LLVM_LIB}", "-lomp", "-lm",
                    f"-Wl,-rpath,{LLVM_LIB}"], check=True)
    return ctypes.CDLL(out)


def caller(lib, name, ptrs, q, out, rows):
    fn = getattr(lib, name)
    args = (ptrs, ctypes.c_void_p(q.ctypes.data), ctypes.c_void_p(out.ctypes.data),
            ctypes.c_long(rows))
    return lambda: fn(*args)


def dram(var, stream, reps, runs):
    rng = np.random.default_rng(0)
    q = rng.standard_normal(D).astype(np.float32)
    cases = [("f32", ["two_pass", "online", "pipelined", "prefetch", "backwards"]),
             ("bf16", ["bf16_extend", "bf16_pairs", "bf16_dpbf16"])]
    print(f"## DRAM: {K} sources x {T} tokens x D={D}, all cores; ratio = streaming loop "
          f"time / variant time (median of same-round ratios), {runs} runs of {reps} rounds")
    for dtype, names in cases:
        if dtype == "f32":
            buf = [rng.standard_normal((T, D)).astype(np.float32) for _ in range(K)]
            src = buf
        else:
            buf = [ab.to_bf16_bits(rng.standard_normal((T, D))) for _ in range(K)]
            src = [ab.from_bf16_bits(b) for b in buf]
        ref = ab.numpy_site([s.astype(np.float64) for s in src], q.astype(np.float64))
        ptrs = (ctypes.c_void_p * K)(*[b.ctypes.data for b in buf])
        out = ab.aligned_empty((T, D), buf[0].dtype)
        sink = ab.aligned_empty((T, D), buf[0].dtype)
        calls = {"stream": lambda: stream.attnres_stream(
            K, ptrs, ctypes.c_void_p(sink.ctypes.data), ctypes.c_long(sink.nbytes))}
        for name in names:
            calls[name] = caller(var, name, ptrs, q, out, T)
            calls[name]()
            got = out if dtype == "f32" else ab.from_bf16_bits(out)
            err = float(np.max(np.abs(got - ref) / (1 + np.abs(ref))))
            if not err < (1e-3 if dtype == "f32" else 2e-2):
                raise SystemExit(f"{name}: max rel error {err}")
        ratios = {name: [] for name in names}
        for _ in range(runs):
            times = ab.interleaved(calls, reps)
            for name in names:
                ratios[name].append(ab.median_ratio(times["stream"], times[name]))
        for name in names:
            r = ratios[name]
            print(f"{dtype:5s} {name:12s} median {statistics.median(r):.2f}  runs "
                  + " ".join(f"{x:.2f}" for x in r))


def cache(var):
    rows = 2
    rng = np.random.default_rng(1)
    q = rng.standard_normal(D).astype(np.float32)
    f32 = [rng.standard_normal((rows, D)).astype(np.float32) for _ in range(K)]
    b16 = [ab.to_bf16_bits(rng.standard_normal((rows, D))) for _ in range(K)]
    print(f"\n## Cache-resident: one thread, {rows} rows x {K} sources x D={D} "
          f"({rows * K * D * 4 // 1024} KB f32: in L2); per row")
    print("variant       us/row   GB/s read from cache   FMA lanes/ns")
    cases = [("pass1_only", f32, 4, 2), ("pass2_only", f32, 4, 1), ("two_pass", f32, 4, 3),
             ("bf16_extend", b16, 2, 3), ("bf16_pairs", b16, 2, 3), ("bf16_dpbf16", b16, 2, None)]
    for name, buf, elem, fmas in cases:
        ptrs = (ctypes.c_void_p * K)(*[b.ctypes.data for b in buf])
        out = ab.aligned_empty((rows, D), buf[0].dtype)
        fn = caller(var, name, ptrs, q, out, rows)
        block = 2000
        times = ab.interleaved({name: lambda: [fn() for _ in range(block)]}, 9)[name]
        per_row = statistics.median(times) / block / rows
        passes = 2 if name not in ("pass1_only", "pass2_only") else 1
        gbs = passes * K * D * elem / per_row / 1e9
        lanes = f"{fmas * K * D / per_row / 1e9:.1f}" if fmas else "-"
        print(f"{name:12s} {per_row * 1e6:7.2f}   {gbs:8.0f}               {lanes}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", default="dram,cache")
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    parts = args.parts.split(",")
    work = tempfile.mkdtemp(prefix="attnres-exp-")
    kernels = os.path.join(os.path.dirname(HERE), "kernels.c")
    if "dram" in parts:
        var = build(work, os.path.join(HERE, "variants.c"), "variants", [])
        stream = build(work, kernels, "stream", [])
        dram(var, stream, args.reps, args.runs)
    if "cache" in parts:
        # A separate process: one OpenMP thread for the whole run.
        if os.environ.get("OMP_NUM_THREADS") != "1":
            env = dict(os.environ, OMP_NUM_THREADS="1")
            subprocess.run([sys.executable, __file__, "--parts", "cache"], env=env, check=True)
        else:
            cache(build(work, os.path.join(HERE, "variants.c"), "variants", []))


if __name__ == "__main__":
    main()
