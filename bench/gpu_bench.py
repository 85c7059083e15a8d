#!/usr/bin/env python3
"""attnres GPU benchmark (needs an NVIDIA GPU and driver).

Compiles fused sites with `attnres-opt --attnres-to-nvvm="memory=device"`
(inputs and output stay in device memory, the kernel writes the destination
directly), calls them through their C interface with device pointers from the
project's CUDA runtime library, checks the result against numpy, and reports
per shape: kernel time (median of CUDA-event intervals around each call),
bytes moved, GB/s, and the ratio to a device-to-device copy of the same bytes
measured in the same run. Appends a section to docs/benchmarks.md.

  bench/gpu_bench.py [--chip sm_90] [--reps 50] [--output docs/benchmarks.md]
"""
import argparse
import ctypes
import datetime
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "bench"))
from attnres_bench import from_bf16_bits, numpy_site, to_bf16_bits  # noqa: E402

LLVM_LIB = "/usr/lib/llvm-22/lib"
MARK_BEGIN = "<!-- gpu-bench:begin -->"
MARK_END = "<!-- gpu-bench:end -->"
SHAPES = [(9, 8192, 7168, "bf16"), (9, 8192, 4096, "bf16"), (9, 2048, 4096, "f32")]


def site_ir(n, d, dtype):
    src = f"memref<?x{d}x{dtype}>"
    t = f"tensor<?x{d}x{dtype}>"
    args = [f"%q: memref<{d}xf32>"] + [f"%v{j}: {src}" for j in range(n)] + [f"%out: {src}"]
    lines = [f"func.func @site({', '.join(args)}) attributes {{llvm.emit_c_interface}} {{",
             f"  %qt = bufferization.to_tensor %q restrict : memref<{d}xf32> to tensor<{d}xf32>"]
    for j in range(n):
        lines.append(f"  %t{j} = bufferization.to_tensor %v{j} restrict : {src} to {t}")
    vals = ", ".join(f"%t{j}" for j in range(n))
    lines.append(f"  %h = attnres.depth_attn %qt, [{vals}] : tensor<{d}xf32>, {t} -> {t}")
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    ap.add_argument("--chip", default="sm_90")
    ap.add_argument("--features", default="+ptx80")
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--output", default=os.path.join(REPO, "docs", "benchmarks.md"))
    args = ap.parse_args()
    runtime_path = os.path.join(args.build_dir, "lib", "libattnres_cuda_runtime.so")
    rt = Runtime(runtime_path)
    if rt.lib.attnresCudaDeviceCount() < 1:
        sys.exit("gpu_bench: no CUDA device answers here (needs an NVIDIA GPU and driver)")
    opt = os.path.join(args.build_dir, "bin", "attnres-opt")
    work = tempfile.mkdtemp(prefix="attnres-gpu-bench-")
    rows = []
    for n, tokens, d, dtype in SHAPES:
        stem = os.path.join(work, f"site_{n}_{d}_{dtype}")
        with open(stem + ".mlir", "w") as f:
            f.write(site_ir(n, d, dtype))
        subprocess.run([opt, stem + ".mlir",
                        f"--attnres-to-nvvm=chip={args.chip} features={args.features} "
                        f"format=bin memory=device", "-o", stem + ".llvm.mlir"], check=True)
        subprocess.run([os.path.join("/usr/lib/llvm-22/bin", "mlir-translate"), "--mlir-to-llvmir",
                        stem + ".llvm.mlir", "-o", stem + ".ll"], check=True)
        subprocess.run(["clang-22", "-O2", "-shared", "-fPIC", "-Wno-override-module", stem + ".ll",
                        "-o", stem + ".so", runtime_path, f"-Wl,-rpath,{os.path.dirname(runtime_path)}"],
                       check=True)
        lib = ctypes.CDLL(stem + ".so")
        rng = np.random.default_rng(0)
        q = (rng.standard_normal(d) / np.sqrt(d)).astype(np.float32)
        if dtype == "f32":
            host = [rng.standard_normal((tokens, d)).astype(np.float32) for _ in range(n)]
            vals = host
            out_host = np.empty((tokens, d), np.float32)
        else:
            host = [to_bf16_bits(rng.standard_normal((tokens, d))) for _ in range(n)]
            vals = [from_bf16_bits(h) for h in host]
            out_host = np.empty((tokens, d), np.uint16)
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
        got = out_host if dtype == "f32" else from_bf16_bits(out_host)
        ref = numpy_site([v[:256].astype(np.float64) for v in vals], q.astype(np.float64))
        err = float(np.max(np.abs(got[:256] - ref) / (1 + np.abs(ref))))
        nbytes = (n + 1) * tokens * d * item
        # A device-to-device copy moving the same bytes (read + write).
        half = nbytes // 2
        a = rt.lib.mgpuMemAlloc(half, None, False)
        b = rt.lib.mgpuMemAlloc(half, None, False)
        tc = rt.timed(lambda: rt.lib.mgpuMemcpy(b, a, half, None), args.reps)
        rows.append((n, tokens, d, dtype, t, nbytes, tc, err))
        for p in dsrc + [dq, dout, a, b]:
            rt.lib.mgpuMemFree(p, None)
    lines = [MARK_BEGIN, "", "## GPU kernels, measured", "",
             f"Produced by `bench/gpu_bench.py --chip {args.chip}` on {datetime.date.today().isoformat()}. "
             "Kernel time: median of CUDA-event intervals around each call (includes the per-call "
             "stream setup of the host wrapper). The copy moves the same bytes device to device.", "",
             "| sources | tokens | D | dtype | time | bytes | GB/s | vs D2D copy | max rel err (256 rows) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for n, tokens, d, dtype, t, nbytes, tc, err in rows:
        lines.append(f"| {n} | {tokens} | {d} | {dtype} | {t * 1e6:.0f} µs | {nbytes / 1e6:.0f} MB | "
                     f"{nbytes / t / 1e9:.0f} | {tc / t:.2f} | {err:.1e} |")
    lines += ["", MARK_END]
    section = "\n".join(lines) + "\n"
    print(section)
    text = open(args.output).read() if os.path.exists(args.output) else ""
    if MARK_BEGIN in text:
        pre, rest = text.split(MARK_BEGIN, 1)
        text = pre + section + rest.split(MARK_END, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(args.output, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
