#!/usr/bin/env python3
"""attnres GPU benchmark (needs an NVIDIA GPU and driver, or --host-flow).

Compiles kernels with `attnres-opt --attnres-to-nvvm="memory=device"`
(inputs and output stay in device memory, the kernel writes the destination
directly), calls them through their C interface with device pointers from the
project's CUDA runtime library, and reports per shape: kernel time (median of
CUDA-event intervals around each call), bytes moved, GB/s, the fraction of the
device's peak memory bandwidth, and the ratio to a device-to-device copy of
the same bytes measured in the same run. Sections:

  * fused sites, f32 and bf16, at the Kimi-K3 shape (9 sources, D = 7168,
    8192 tokens), checked against numpy on 256 rows;
  * two-phase Block AttnRes kernels (depth_attn_stats, depth_attn_merge);
  * decode sizes T = 1, 2, 4, ..., 128 (bf16 site);
  * the backward of a fused site (depth_attn_grad: row-group kernel and
    column-sum kernel), bf16 and f32 at the Kimi-K3 shape, dV checked
    against numpy float64 on 64 rows;
  * a Block AttnRes model program (attnres_gen.py) through mlir-runner, which
    checks its own result (PASS/FAIL).

  bench/gpu_bench.py [--chip sm_90] [--reps 50] [--results FILE] [--output docs/benchmarks.md]
  bench/gpu_bench.py --host-flow   (the same calls at small token counts, one
      repetition, no numeric checks: for the driver stand-in, which runs no
      kernels; see docs/testing.md)
"""
import argparse
import ctypes
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "bench"))
from attnres_bench import IR, R, from_bf16_bits, to_bf16_bits  # noqa: E402
import attnres_grad_gen as GG  # noqa: E402  (float64 gradient references)

LLVM_LIB = "/usr/lib/llvm-22/lib"
MARK_BEGIN = "<!-- gpu-bench:begin -->"
MARK_END = "<!-- gpu-bench:end -->"


def site_ir(n, d, dtype):
    src = f"memref<?x{d}x{dtype}>"
    t = f"tensor<?x{d}x{dtype}>"
    args = [f"%q: memref<{d}xf32>"] + [f"%v{j}: {src}" for j in range(n)] + [f"%out: {src}"]
    lines = [f"func.func @site({', '.join(args)}) attributes {{llvm.emit_c_interface}} {{",
             f"  %qt = bufferization.to_tensor %q restrict : memref<{d}xf32> to tensor<{d}xf32>"]
    for j in range(n):
        lines.append(f"  %t{j} = bufferization.to_tensor %v{j} restrict : {src} to {t}")
    vals = [f"%t{j}" for j in range(n)]
    lines.append("  " + IR.depth_attn("%h", "%qt", vals, None, f"tensor<{d}xf32>", t))
    lines.append(f"  bufferization.materialize_in_destination %h in restrict writable %out : ({t}, {src}) -> ()")
    lines += ["  return", "}"]
    return "\n".join(lines) + "\n"


class Runtime:
    def __init__(self, path):
        self.lib = ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
        L = self.lib
        L.attnresCudaDeviceCount.restype = ctypes.c_int
        L.mgpuMemAlloc.restype = ctypes.c_void_p
        L.mgpuMemAlloc.argtypes = [ctypes.c_uint64, ctypes.c_void_p, ctypes.c_bool]
        L.mgpuMemFree.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        L.mgpuMemcpy.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
        L.mgpuStreamCreate.restype = ctypes.c_void_p
        L.mgpuStreamSynchronize.argtypes = [ctypes.c_void_p]
        L.mgpuEventCreate.restype = ctypes.c_void_p
        L.mgpuEventRecord.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        L.mgpuEventSynchronize.argtypes = [ctypes.c_void_p]
        L.attnresEventElapsedMs.restype = ctypes.c_float
        L.attnresEventElapsedMs.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        L.attnresCudaDescribe.restype = ctypes.c_int
        L.attnresCudaDescribe.argtypes = [ctypes.c_char_p, ctypes.c_size_t,
                                          ctypes.POINTER(ctypes.c_double)]

    def to_device(self, array):
        ptr = self.lib.mgpuMemAlloc(array.nbytes, None, False)
        self.lib.mgpuMemcpy(ptr, array.ctypes.data, array.nbytes, None)
        self.lib.mgpuStreamSynchronize(None)
        return ptr

    def timed(self, fn, reps):
        start, stop = self.lib.mgpuEventCreate(), self.lib.mgpuEventCreate()
        fn()
        times = []
        for _ in range(reps):
            self.lib.mgpuEventRecord(start, None)
            fn()
            self.lib.mgpuEventRecord(stop, None)
            self.lib.mgpuEventSynchronize(stop)
            times.append(self.lib.attnresEventElapsedMs(start, stop) * 1e-3)
        return statistics.median(times)


def device_descriptor(ptr, shape, itemsize):
    """A ranked memref descriptor over device memory (contiguous)."""
    rank = len(shape)
    fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
              ("offset", ctypes.c_int64), ("sizes", ctypes.c_int64 * rank),
              ("strides", ctypes.c_int64 * rank)]
    cls = type(f"DevMemRef{rank}D", (ctypes.Structure,), {"_fields_": fields})
    strides = [int(np.prod(shape[i + 1:])) for i in range(rank)]
    return cls(ptr, ptr, 0, (ctypes.c_int64 * rank)(*shape), (ctypes.c_int64 * rank)(*strides))


def site_grad_ir(n, d, dtype):
    """depth_attn_grad over n sources: dq and every dV_j into destinations."""
    src, t = f"memref<?x{d}x{dtype}>", f"tensor<?x{d}x{dtype}>"
    qm, qt = f"memref<{d}x{dtype}>", f"tensor<{d}x{dtype}>"
    args = [f"%q: {qm}"] + [f"%v{j}: {src}" for j in range(n)] + [f"%g: {src}", f"%dq: {qm}"] + \
        [f"%dv{j}: {src}" for j in range(n)]
    lines = [f"func.func @site_grad({', '.join(args)}) attributes {{llvm.emit_c_interface}} {{",
             f"  %qt = bufferization.to_tensor %q restrict : {qm} to {qt}",
             f"  %gt = bufferization.to_tensor %g restrict : {src} to {t}"]
    for j in range(n):
        lines.append(f"  %t{j} = bufferization.to_tensor %v{j} restrict : {src} to {t}")
    vals = [f"%t{j}" for j in range(n)]
    lines.append("  " + IR.depth_attn_grad(f"%DQ, %DV:{n}", "%qt", vals, "%gt", None, qt, t, t))
    lines.append(f"  bufferization.materialize_in_destination %DQ in restrict writable %dq : ({qt}, {qm}) -> ()")
    for j in range(n):
        lines.append(f"  bufferization.materialize_in_destination %DV#{j} in restrict writable %dv{j} : ({t}, {src}) -> ()")
    lines += ["  return", "}"]
    return "\n".join(lines) + "\n"


def site_merge_ir(d, dtype):
    """depth_attn_merge (phase 2) into a destination."""
    t, m = f"tensor<?x{d}x{dtype}>", f"memref<?x{d}x{dtype}>"
    return "\n".join([
        f"func.func @merge(%o: {m}, %l: memref<?xf32>, %q: memref<{d}xf32>, %s: {m}, %out: {m}) "
        "attributes {llvm.emit_c_interface} {",
        f"  %ot = bufferization.to_tensor %o restrict : {m} to {t}",
        "  %lt = bufferization.to_tensor %l restrict : memref<?xf32> to tensor<?xf32>",
        f"  %qt = bufferization.to_tensor %q restrict : memref<{d}xf32> to tensor<{d}xf32>",
        f"  %st = bufferization.to_tensor %s restrict : {m} to {t}",
        "  " + IR.depth_attn_merge("%h", "%ot", "%lt", "%qt", "%st", None, t, "tensor<?xf32>",
                                   f"tensor<{d}xf32>", t),
        f"  bufferization.materialize_in_destination %h in restrict writable %out : ({t}, {m}) -> ()",
        "  return", "}"]) + "\n"


def stats_ir(queries, n, d, dtype):
    """depth_attn_stats (phase 1) over n sources for `queries` queries."""
    src, t = f"memref<?x{d}x{dtype}>", f"tensor<?x{d}x{dtype}>"
    qm, qt = f"memref<{queries}x{d}xf32>", f"tensor<{queries}x{d}xf32>"
    om, ot = f"memref<{queries}x?x{d}x{dtype}>", f"tensor<{queries}x?x{d}x{dtype}>"
    lm, lt = f"memref<{queries}x?xf32>", f"tensor<{queries}x?xf32>"
    args = [f"%q: {qm}"] + [f"%v{j}: {src}" for j in range(n)] + [f"%o: {om}", f"%l: {lm}"]
    lines = [f"func.func @stats({', '.join(args)}) attributes {{llvm.emit_c_interface}} {{",
             f"  %qt = bufferization.to_tensor %q restrict : {qm} to {qt}"]
    for j in range(n):
        lines.append(f"  %t{j} = bufferization.to_tensor %v{j} restrict : {src} to {t}")
    vals = [f"%t{j}" for j in range(n)]
    lines.append("  " + IR.depth_attn_stats(["%O", "%L"], "%qt", vals, None, qt, t, ot, lt))
    lines.append(f"  bufferization.materialize_in_destination %O in restrict writable %o : ({ot}, {om}) -> ()")
    lines.append(f"  bufferization.materialize_in_destination %L in restrict writable %l : ({lt}, {lm}) -> ()")
    lines += ["  return", "}"]
    return "\n".join(lines) + "\n"


def tool_env():
    """The environment for attnres-opt: sanitizer builds run this script with
    the shared ASan runtime preloaded (for the instrumented CUDA runtime this
    process and mlir-runner load); attnres-opt links its own ASan runtime
    and aborts when another one is preloaded."""
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    return env


def compile_so(args, runtime_path, work, stem, ir):
    """attnres-opt (memory=device) -> mlir-translate -> clang: a shared object."""
    path = os.path.join(work, stem)
    with open(path + ".mlir", "w") as f:
        f.write(ir)
    opt = os.path.join(args.build_dir, "bin", "attnres-opt")
    subprocess.run([opt, path + ".mlir",
                    f"--attnres-to-nvvm=chip={args.chip} features={args.features} "
                    f"format={args.format} memory=device", "-o", path + ".llvm.mlir"],
                   check=True, env=tool_env())
    subprocess.run([os.path.join("/usr/lib/llvm-22/bin", "mlir-translate"), "--mlir-to-llvmir",
                    path + ".llvm.mlir", "-o", path + ".ll"], check=True)
    subprocess.run(["clang-22", "-O2", "-shared", "-fPIC", "-Wno-override-module", path + ".ll",
                    "-o", path + ".so", runtime_path, f"-Wl,-rpath,{os.path.dirname(runtime_path)}"],
                   check=True)
    return ctypes.CDLL(path + ".so")


def random_sources(rng, n, tokens, d, dtype):
    if dtype == "f32":
        host = [rng.standard_normal((tokens, d)).astype(np.float32) for _ in range(n)]
        return host, host
    host = [to_bf16_bits(rng.standard_normal((tokens, d))) for _ in range(n)]
    return host, [from_bf16_bits(h) for h in host]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    ap.add_argument("--chip", default="sm_90")
    ap.add_argument("--features", default="+ptx80")
    ap.add_argument("--format", default="isa", choices=["isa", "bin", "fatbin"],
                    help="binary format of the kernels (default isa: PTX, compiled by the driver)")
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--output", default=None,
                    help="also write the tables into this markdown file (e.g. docs/benchmarks.md)")
    ap.add_argument("--results", default=None, help="write the results (markdown) to this file")
    ap.add_argument("--host-flow", action="store_true",
                    help="small token counts, one repetition, no numeric checks (driver stand-in)")
    args = ap.parse_args()
    if args.host_flow:
        args.reps = 1
    runtime_path = os.path.join(args.build_dir, "lib", "libattnres_cuda_runtime.so")
    rt = Runtime(runtime_path)
    if rt.lib.attnresCudaDeviceCount() < 1:
        sys.exit("gpu_bench: no CUDA device answers here (needs an NVIDIA GPU and driver)")
    line = ctypes.create_string_buffer(512)
    peak = ctypes.c_double(0)
    rt.lib.attnresCudaDescribe(line, 512, ctypes.byref(peak))
    device = line.value.decode()
    peak = peak.value
    print("gpu_bench:", device, flush=True)
    work = tempfile.mkdtemp(prefix="attnres-gpu-bench-")
    tokens_full = 16 if args.host_flow else 8192
    failures = []

    def copy_time(nbytes):
        """A device-to-device copy moving the same bytes (read + write)."""
        half = max(nbytes // 2, 4)
        a = rt.lib.mgpuMemAlloc(half, None, False)
        b = rt.lib.mgpuMemAlloc(half, None, False)
        tc = rt.timed(lambda: rt.lib.mgpuMemcpy(b, a, half, None), args.reps)
        rt.lib.mgpuMemFree(a, None)
        rt.lib.mgpuMemFree(b, None)
        return tc

    def row(kind, n, tokens, d, dtype, t, nbytes, tc, err):
        frac = nbytes / t / peak if peak and t else 0.0
        return (kind, n, tokens, d, dtype, t, nbytes, frac, tc / t if t else 0.0, err)

    rows = []
    # Fused sites (f32, bf16) at the Kimi-K3 shape, then decode sizes.
    site_shapes = [("site", 9, tokens_full, 7168, "bf16"), ("site", 9, tokens_full, 7168, "f32")]
    site_shapes += [("decode", 9, t, 7168, "bf16") for t in (1, 2, 4, 8, 16, 32, 64, 128)]
    libs = {}
    rng = np.random.default_rng(0)
    for kind, n, tokens, d, dtype in site_shapes:
        key = (n, d, dtype)
        if key not in libs:
            libs[key] = compile_so(args, runtime_path, work, f"site_{n}_{d}_{dtype}", site_ir(n, d, dtype))
        lib = libs[key]
        q = (rng.standard_normal(d) / np.sqrt(d)).astype(np.float32)
        host, vals = random_sources(rng, n, tokens, d, dtype)
        out_host = np.empty((tokens, d), np.float32 if dtype == "f32" else np.uint16)
        item = out_host.itemsize
        dq = rt.to_device(q)
        dsrc = [rt.to_device(h) for h in host]
        dout = rt.lib.mgpuMemAlloc(out_host.nbytes, None, False)
        descs = [device_descriptor(dq, (d,), 4)] + \
            [device_descriptor(p, (tokens, d), item) for p in dsrc] + \
            [device_descriptor(dout, (tokens, d), item)]
        argv = [ctypes.byref(x) for x in descs]
        fn = lib._mlir_ciface_site
        t = rt.timed(lambda: fn(*argv), args.reps)
        rt.lib.mgpuMemcpy(out_host.ctypes.data, dout, out_host.nbytes, None)
        rt.lib.mgpuStreamSynchronize(None)
        err = None
        if not args.host_flow:
            got = out_host if dtype == "f32" else from_bf16_bits(out_host)
            k = min(tokens, 256)
            ref = R.site([v[:k] for v in vals], q)
            err = float(np.max(np.abs(got[:k] - ref) / (1 + np.abs(ref))))
            if not err < (1e-4 if dtype == "f32" else 2e-2):
                failures.append(f"{kind} T={tokens} {dtype}: max rel err {err:.1e}")
        nbytes = (n + 1) * tokens * d * item + d * 4
        rows.append(row(kind, n, tokens, d, dtype, t, nbytes, copy_time(nbytes), err))
        for p in dsrc + [dq, dout]:
            rt.lib.mgpuMemFree(p, None)
        print(f"gpu_bench: {kind} T={tokens} {dtype} done", flush=True)

    # The backward of a fused site (depth_attn_grad), bf16 and f32.
    for dtype in ("bf16", "f32"):
        n, d, tokens = 9, 7168, tokens_full
        lib = compile_so(args, runtime_path, work, f"site_grad_{dtype}", site_grad_ir(n, d, dtype))
        item = 4 if dtype == "f32" else 2
        q64 = rng.standard_normal(d) / np.sqrt(d)
        q_host = q64.astype(np.float32) if dtype == "f32" else to_bf16_bits(q64)
        q_val = q_host.astype(np.float64) if dtype == "f32" else from_bf16_bits(q_host).astype(np.float64)
        host, vals = random_sources(rng, n + 1, tokens, d, dtype)
        dq_dev = rt.to_device(q_host)
        dsrc = [rt.to_device(h) for h in host]
        ddq = rt.lib.mgpuMemAlloc(d * item, None, False)
        ddv = [rt.lib.mgpuMemAlloc(tokens * d * item, None, False) for _ in range(n)]
        descs = [device_descriptor(dq_dev, (d,), item)] + \
            [device_descriptor(p, (tokens, d), item) for p in dsrc] + \
            [device_descriptor(ddq, (d,), item)] + [device_descriptor(p, (tokens, d), item) for p in ddv]
        argv = [ctypes.byref(x) for x in descs]
        fn = lib._mlir_ciface_site_grad
        t = rt.timed(lambda: fn(*argv), args.reps)
        err = None
        if not args.host_flow:
            k = min(tokens, 64)
            ref = GG.site_grad(q_val, [v[:k] for v in vals[:n]], vals[n][:k], 1e-6)[1]
            err = 0.0
            for j in range(n):
                got = np.empty((k, d), np.float32 if dtype == "f32" else np.uint16)
                rt.lib.mgpuMemcpy(got.ctypes.data, ddv[j], got.nbytes, None)
                rt.lib.mgpuStreamSynchronize(None)
                got = got if dtype == "f32" else from_bf16_bits(got)
                scale = float(np.abs(ref[j]).max()) or 1.0
                err = max(err, float(np.max(np.abs(got - ref[j]))) / scale)
            if not err < (1e-4 if dtype == "f32" else 1e-2):
                failures.append(f"site-grad {dtype}: max err / max|ref| {err:.1e}")
        # Sources and g read, every dV_j written (the sources' second read is
        # expected from L1/L2), the dq partials written and read.
        nbytes = (2 * n + 1) * tokens * d * item + 2 * min(tokens, 256) * d * 4
        rows.append(row("site-grad", n, tokens, d, dtype, t, nbytes, copy_time(nbytes), err))
        for p in dsrc + ddv + [dq_dev, ddq]:
            rt.lib.mgpuMemFree(p, None)
        print(f"gpu_bench: site-grad {dtype} done", flush=True)

    # Two-phase Block AttnRes: stats (4 queries over 9 completed blocks), merge.
    queries, n, d, dtype, tokens = 4, 9, 7168, "bf16", tokens_full
    stats = compile_so(args, runtime_path, work, "stats", stats_ir(queries, n, d, dtype))
    merge = compile_so(args, runtime_path, work, "merge", site_merge_ir(d, dtype))
    host, _ = random_sources(rng, n, tokens, d, dtype)
    item = 2
    q = (rng.standard_normal((queries, d)) / np.sqrt(d)).astype(np.float32)
    dq = rt.to_device(q)
    dsrc = [rt.to_device(h) for h in host]
    do = rt.lib.mgpuMemAlloc(queries * tokens * d * item, None, False)
    dl = rt.lib.mgpuMemAlloc(queries * tokens * 4, None, False)
    descs = [device_descriptor(dq, (queries, d), 4)] + \
        [device_descriptor(p, (tokens, d), item) for p in dsrc] + \
        [device_descriptor(do, (queries, tokens, d), item), device_descriptor(dl, (queries, tokens), 4)]
    argv = [ctypes.byref(x) for x in descs]
    t = rt.timed(lambda: stats._mlir_ciface_stats(*argv), args.reps)
    nbytes = n * tokens * d * item + queries * tokens * (d * item + 4)
    rows.append(row("stats", n, tokens, d, dtype, t, nbytes, copy_time(nbytes), None))
    dout = rt.lib.mgpuMemAlloc(tokens * d * item, None, False)
    mdescs = [device_descriptor(do, (tokens, d), item), device_descriptor(dl, (tokens,), 4),
              device_descriptor(dq, (d,), 4), device_descriptor(dsrc[0], (tokens, d), item),
              device_descriptor(dout, (tokens, d), item)]
    margv = [ctypes.byref(x) for x in mdescs]
    t = rt.timed(lambda: merge._mlir_ciface_merge(*margv), args.reps)
    nbytes = 3 * tokens * d * item + tokens * 4
    rows.append(row("merge", 1, tokens, d, dtype, t, nbytes, copy_time(nbytes), None))
    for p in dsrc + [dq, do, dl, dout]:
        rt.lib.mgpuMemFree(p, None)
    print("gpu_bench: stats/merge done", flush=True)

    # A Block AttnRes model (two-phase), checking itself through mlir-runner.
    model = []
    gen = [sys.executable, os.path.join(REPO, "scripts", "attnres_gen.py"), "--case", "block",
           "--layers", "12", "--block-size", "4", "--two-phase", "--seed", "7"]
    gen += ["--hidden", "64", "--rows", "4"] if args.host_flow else ["--hidden", "512", "--rows", "8"]
    prog = os.path.join(work, "block_model")
    with open(prog + ".mlir", "w") as f:
        subprocess.run(gen, check=True, stdout=f)
    subprocess.run([os.path.join(args.build_dir, "bin", "attnres-opt"), prog + ".mlir",
                    f"--attnres-to-nvvm=chip={args.chip} features={args.features} format={args.format}",
                    "-o", prog + ".llvm.mlir"], check=True, env=tool_env())
    start = time.time()
    run = subprocess.run([os.path.join("/usr/lib/llvm-22/bin", "mlir-runner"), "-e", "main",
                          "-entry-point-result=void",
                          "-shared-libs=" + ",".join([runtime_path, LLVM_LIB + "/libmlir_runner_utils.so",
                                                      LLVM_LIB + "/libmlir_c_runner_utils.so"]),
                          prog + ".llvm.mlir"], capture_output=True, text=True, timeout=300)
    wall = time.time() - start
    verdict = "PASS" if "PASS" in run.stdout and "FAIL" not in run.stdout else "FAIL"
    if run.returncode != 0:
        sys.stderr.write(run.stderr)
        sys.exit(f"gpu_bench: the Block model exited with status {run.returncode}")
    if args.host_flow:
        verdict = "ran (host flow)"
    elif verdict != "PASS":
        failures.append("Block model: " + run.stdout.strip().splitlines()[-1] if run.stdout else "no output")
    model.append((" ".join(gen[2:]), verdict, wall))
    print("gpu_bench: Block model", verdict, flush=True)

    lines = [MARK_BEGIN, "", "## GPU kernels, measured", "",
             f"Produced by `bench/gpu_bench.py --chip {args.chip} --format {args.format}"
             f"{' --host-flow' if args.host_flow else ''}` on {datetime.date.today().isoformat()}: "
             f"{device}. Kernel time: median of CUDA-event intervals around each call (includes the "
             "per-call stream setup of the host wrapper). `of peak`: achieved bytes/s over the "
             "device's peak memory bandwidth (memory clock × bus width × 2). The copy moves the same "
             "bytes device to device.", ""]
    if args.host_flow:
        lines += ["**Host flow only** (driver stand-in: no kernel ran; times are placeholders).", ""]
    lines += ["| kernel | sources | tokens | D | dtype | time | bytes | GB/s | of peak | vs D2D copy | max rel err |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for kind, n, tokens, d, dtype, t, nbytes, frac, ratio, err in rows:
        lines.append(f"| {kind} | {n} | {tokens} | {d} | {dtype} | {t * 1e6:.1f} µs | "
                     f"{nbytes / 1e6:.2f} MB | {nbytes / t / 1e9:.0f} | {frac:.0%} | {ratio:.2f} | "
                     f"{'n/a' if err is None else f'{err:.1e}'} |")
    lines += ["", "| model | result | wall time (compile excluded) |", "|---|---|---|"]
    for desc, verdict, wall in model:
        lines.append(f"| `{desc}` | {verdict} | {wall:.1f} s |")
    lines += ["", MARK_END]
    section = "\n".join(lines) + "\n"
    print(section)
    if args.results:
        with open(args.results, "w") as f:
            f.write(section)
    if args.output:
        text = open(args.output).read() if os.path.exists(args.output) else ""
        if MARK_BEGIN in text:
            pre, rest = text.split(MARK_BEGIN, 1)
            text = pre + section + rest.split(MARK_END, 1)[1].lstrip("\n")
        else:
            text = text.rstrip("\n") + "\n\n" + section
        with open(args.output, "w") as f:
            f.write(text)
    if failures:
        sys.exit("gpu_bench: FAILED: " + "; ".join(failures))


if __name__ == "__main__":
    main()
