#!/usr/bin/env python3
"""GPU kernel report for attnres-to-nvvm output (no GPU needed).

Lowers fused AttnRes sites of given shapes with `attnres-opt --attnres-to-nvvm
format=isa`, extracts each kernel's PTX, runs the CUDA toolkit's `ptxas -v` on
it, and reports per kernel: registers, spills, stack, shared memory, 128-bit
load count, bytes moved per token row and the roofline time at H100
(3.35 TB/s) and H200 (4.8 TB/s) HBM bandwidth.

  gpu_kernel_report.py ptxas IN.mlir --chip sm_90   # ptxas -v on every kernel
  gpu_kernel_report.py report [--output docs/benchmarks.md]
  gpu_kernel_report.py ptx-loads IN.mlir              # global/local loads per kernel
  gpu_kernel_report.py grad-report [--output docs/gpu.md]   # the gradient kernels
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "scripts"))
import extract_ptx  # noqa: E402
from attnres_gen import IR  # noqa: E402  (attnres.ir of this tree: the op text)

PTX_FEATURES = {"sm_80": "+ptx70", "sm_90": "+ptx80"}
MARK_BEGIN = "<!-- gpu-kernel-report:begin -->"
MARK_END = "<!-- gpu-kernel-report:end -->"


def find_ptxas():
    for cand in [os.path.join(os.environ.get("CUDA_HOME", "/usr/local/cuda"), "bin", "ptxas"),
                 "/usr/local/cuda/bin/ptxas"]:
        if os.access(cand, os.X_OK):
            return cand
    from shutil import which
    return which("ptxas")


def lower(opt, mlir_text, chip):
    out = subprocess.run([opt, "-", f"--attnres-to-nvvm=format=isa chip={chip} "
                          f"features={PTX_FEATURES[chip]}"],
                         input=mlir_text, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr)
    return [o.decode() for o in extract_ptx.objects(out.stdout)]


def ptxas(ptx_text, chip):
    with tempfile.NamedTemporaryFile("w", suffix=".ptx", delete=False) as f:
        f.write(ptx_text)
        path = f.name
    try:
        res = subprocess.run([find_ptxas(), "-v", "--gpu-name", chip, path, "-o", os.devnull],
                             capture_output=True, text=True)
    finally:
        os.unlink(path)
    if res.returncode != 0:
        sys.exit(res.stderr)
    return res.stderr + res.stdout


def parse_ptxas(text):
    regs = int(re.search(r"Used (\d+) registers", text).group(1))
    m = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", text)
    smem = re.search(r"(\d+) bytes smem", text)
    return {"registers": regs, "stack": int(m.group(1)), "spill_stores": int(m.group(2)),
            "spill_loads": int(m.group(3)), "smem": int(smem.group(1)) if smem else 0}


def parse_ptxas_entries(text):
    """[(kernel name, parse_ptxas info)] for every entry ptxas -v reports."""
    parts = re.split(r"Compiling entry function '([^']+)'", text)
    return [(name, parse_ptxas(body)) for name, body in zip(parts[1::2], parts[2::2])]


def ptx_entries(ptx):
    """{kernel name: its PTX text} of one PTX module."""
    parts = re.split(r"\.visible \.entry (\w+)\(", ptx)
    return {name: body for name, body in zip(parts[1::2], parts[2::2])}


def site_grad_ir(n, d, dtype):
    t = f"tensor<?x{d}x{dtype}>"
    q = f"tensor<{d}x{dtype}>"
    args = ", ".join([f"%q: {q}"] + [f"%v{j}: {t}" for j in range(n)] + [f"%g: {t}"])
    srcs = [f"%v{j}" for j in range(n)]
    res = ", ".join([q] + [t] * n)
    rets = ", ".join(["%dq"] + [f"%dv#{j}" for j in range(n)])
    return (f"func.func @site_grad({args}) -> ({res}) {{\n"
            f"  {IR.depth_attn_grad(f'%dq, %dv:{n}', '%q', srcs, '%g', None, q, t, t)}\n"
            f"  return {rets} : {res}\n}}\n")


def norm_grad_ir(d, dtype):
    t = f"tensor<?x{d}x{dtype}>"
    g = f"tensor<{d}x{dtype}>"
    return (f"func.func @norm_grad(%x: {t}, %gain: {g}, %g: {t}) -> ({t}, {g}) {{\n"
            f"  {IR.rms_norm_grad(['%dx', '%dgain'], '%x', '%gain', '%g', None, t, g)}\n"
            f"  return %dx, %dgain : {t}, {g}\n}}\n")


def merge_grad_ir(d, dtype):
    t = f"tensor<?x{d}x{dtype}>"
    q = f"tensor<{d}x{dtype}>"
    grad = IR.depth_attn_merge_grad(["%do", "%dlse", "%dq", "%du"], "%o", "%lse", "%q", "%u", "%g",
                                    None, t, "tensor<?xf32>", q)
    return (f"func.func @merge_grad(%o: {t}, %lse: tensor<?xf32>, %q: {q}, %u: {t}, %g: {t}) -> "
            f"({t}, tensor<?xf32>, {q}, {t}) {{\n"
            f"  {grad}\n"
            f"  return %do, %dlse, %dq, %du : {t}, tensor<?xf32>, {q}, {t}\n}}\n")


def stats_grad_ir(queries, n, d, dtype):
    t = f"tensor<?x{d}x{dtype}>"
    Q, O, L = f"tensor<{queries}x{d}x{dtype}>", f"tensor<{queries}x?x{d}x{dtype}>", f"tensor<{queries}x?xf32>"
    args = ", ".join([f"%Q: {Q}"] + [f"%v{j}: {t}" for j in range(n)] + [f"%lse: {L}", f"%do: {O}", f"%dlse: {L}"])
    srcs = [f"%v{j}" for j in range(n)]
    res = ", ".join([Q] + [t] * n)
    rets = ", ".join(["%dQ"] + [f"%dv#{j}" for j in range(n)])
    grad = IR.depth_attn_stats_grad(f"%dQ, %dv:{n}", "%Q", srcs, "%lse", "%do", "%dlse", None,
                                    Q, t, L, O)
    return (f"func.func @stats_grad({args}) -> ({res}) {{\n"
            f"  {grad}\n"
            f"  return {rets} : {res}\n}}\n")


def site_ir(n, d, dtype):
    args = ", ".join([f"%q: tensor<{d}xf32>"] + [f"%v{j}: tensor<?x{d}x{dtype}>" for j in range(n)])
    srcs = [f"%v{j}" for j in range(n)]
    t = f"tensor<?x{d}x{dtype}>"
    return (f"func.func @site({args}) -> {t} {{\n"
            f"  {IR.depth_attn('%h', '%q', srcs, None, f'tensor<{d}xf32>', t)}\n"
            f"  return %h : tensor<?x{d}x{dtype}>\n}}\n")


def cmd_ptxas(args):
    text = open(args.input).read() if args.input != "-" else sys.stdin.read()
    for ptx in extract_ptx.objects(text):
        sys.stdout.write(ptxas(ptx.decode(), args.chip))


def cmd_ptx_loads(args):
    """Per kernel: 128-bit global loads, other global loads (with their
    kinds), local memory accesses; the loads a kernel's PTX text contains."""
    text = open(args.input).read() if args.input != "-" else sys.stdin.read()
    for ptx in extract_ptx.objects(text):
        for name, body in ptx_entries(ptx.decode()).items():
            loads = re.findall(r"ld\.global(?:\.nc)?\.([a-z0-9.]+)", body)
            v4 = sum(1 for kind in loads if kind.startswith("v4."))
            other = sorted(set(kind for kind in loads if not kind.startswith("v4.")))
            local = len(re.findall(r"\b(?:ld|st)\.local", body))
            print(f"{name}: ld.global.v4 {v4}, other ld.global {len(loads) - v4}"
                  f"{' (' + ', '.join(other) + ')' if other else ''}, local {local}")


def cmd_report(args):
    opt = os.path.join(args.build_dir, "bin", "attnres-opt")
    rows = []
    for dtype, bytes_el in [("f32", 4), ("bf16", 2)]:
        for d in (4096, 7168):
            for chip in ("sm_80", "sm_90"):
                ptx = lower(opt, site_ir(args.sources, d, dtype), chip)[0]
                info = parse_ptxas(ptxas(ptx, chip))
                threads = re.search(r"\.maxntid (\d+)", ptx)
                v4 = len(re.findall(r"ld\.global\.v4", ptx))
                per_token = (args.sources + 1) * d * bytes_el
                total = per_token * args.tokens
                rows.append((dtype, d, chip, info, v4, per_token, total / 3.35e12 * 1e6,
                             total / 4.8e12 * 1e6, threads.group(1) if threads else "-"))
    lines = [MARK_BEGIN, "", "## GPU kernels (compile-time report, no GPU needed)", "",
             f"Produced by `scripts/gpu_kernel_report.py report` ({args.sources} sources; the roofline "
             f"time is for {args.tokens} tokens: bytes moved / HBM bandwidth, H100 3.35 TB/s, "
             f"H200 4.8 TB/s). Registers, spills and shared memory are `ptxas -v` of the PTX the "
             f"`attnres-to-nvvm` pipeline emits (one fused kernel per site; loads counted in the PTX "
             f"text of the source loop, which picks sources by index).", "",
             "| dtype | D | chip | registers | spill st/ld | stack | smem (static) | 128-bit loads in PTX | bytes / token | roofline H100 | roofline H200 |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for dtype, d, chip, info, v4, per_token, h100, h200, _ in rows:
        lines.append(f"| {dtype} | {d} | {chip} | {info['registers']} | {info['spill_stores']}/{info['spill_loads']} "
                     f"| {info['stack']} | {info['smem']} B + 256 B dynamic | {v4} | {per_token} | "
                     f"{h100:.0f} µs | {h200:.0f} µs |")
    lines += ["", "No GPU was available where this was produced; measured kernel times come from "
              "`bench/gpu_bench.py` on a GPU machine.", "", MARK_END]
    section = "\n".join(lines) + "\n"
    print(section)
    if args.output:
        text = open(args.output).read() if os.path.exists(args.output) else ""
        if MARK_BEGIN in text:
            pre, rest = text.split(MARK_BEGIN, 1)
            post = rest.split(MARK_END, 1)[1] if MARK_END in rest else ""
            text = pre + section + post.lstrip("\n")
        else:
            text = text.rstrip("\n") + "\n\n" + section
        with open(args.output, "w") as f:
            f.write(text)


GRAD_BEGIN = "<!-- gpu-grad-kernel-report:begin -->"
GRAD_END = "<!-- gpu-grad-kernel-report:end -->"


def cmd_grad_report(args):
    opt = os.path.join(args.build_dir, "bin", "attnres-opt")
    n = args.sources
    rows = []
    for op, make, moved in [
            ("depth_attn_grad", lambda d, t: site_grad_ir(n, d, t), 2 * n + 1),
            ("rms_norm_grad", norm_grad_ir, 3),
            ("depth_attn_merge_grad", merge_grad_ir, 5),
            ("depth_attn_stats_grad (4 queries)", lambda d, t: stats_grad_ir(4, n, d, t), 2 * n + 4)]:
        for dtype, bytes_el in [("f32", 4), ("bf16", 2)]:
            for d in (4096, 7168):
                chip = args.chip
                ptx = lower(opt, make(d, dtype), chip)
                for module in ptx:
                    entries = ptx_entries(module)
                    for name, info in parse_ptxas_entries(ptxas(module, chip)):
                        body = entries.get(name, "")
                        threads = re.search(r"\.maxntid (\d+)", body)
                        v4 = len(re.findall(r"ld\.global(?:\.nc)?\.v4", body))
                        scalar = len(re.findall(r"ld\.global(?:\.nc)?\.(?:f32|b32|u16|b16)", body))
                        # The row-group kernels reduce with warp shuffles, the
                        # column-sum kernel does not.
                        kind = "row groups" if "shfl" in body else "column sum"
                        rows.append((op, dtype, d, kind, info, v4, scalar,
                                     threads.group(1) if threads else "-", moved * d * bytes_el))
    lines = [GRAD_BEGIN, "",
             f"Produced by `scripts/gpu_kernel_report.py grad-report` ({args.chip}; depth_attn_grad with "
             f"{n} sources). Registers, spills and shared memory (static; the dynamic shared memory of "
             f"each launch is in the text above) are `ptxas -v` of the PTX `attnres-to-nvvm` emits; "
             f"loads are counted in each kernel's PTX text (loops are not unrolled, so this counts load "
             f"instructions, not executions). Bytes / token: the minimum HBM traffic per token row "
             f"(inputs read once, outputs written once; depth_attn_grad's second read of the sources "
             f"is expected from L1/L2).", "",
             "| op | dtype | D | kernel | threads | registers | spill st/ld | stack | smem (static) | ld.global.v4 | scalar ld.global | bytes / token |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for op, dtype, d, kind, info, v4, scalar, threads, per_token in rows:
        lines.append(f"| {op} | {dtype} | {d} | {kind} | {threads} | {info['registers']} | "
                     f"{info['spill_stores']}/{info['spill_loads']} | {info['stack']} | {info['smem']} B | "
                     f"{v4} | {scalar} | {per_token if kind == 'row groups' else '-'} |")
    lines += ["", GRAD_END]
    section = "\n".join(lines) + "\n"
    print(section)
    if args.output:
        text = open(args.output).read() if os.path.exists(args.output) else ""
        if GRAD_BEGIN in text:
            pre, rest = text.split(GRAD_BEGIN, 1)
            post = rest.split(GRAD_END, 1)[1] if GRAD_END in rest else ""
            text = pre + section + post.lstrip("\n")
        else:
            text = text.rstrip("\n") + "\n\n" + section
        with open(args.output, "w") as f:
            f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("ptxas")
    p.add_argument("input")
    p.add_argument("--chip", default="sm_90")
    pl = sub.add_parser("ptx-loads")
    pl.add_argument("input")
    r = sub.add_parser("report")
    r.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    r.add_argument("--output", default=os.path.join(REPO, "docs", "benchmarks.md"))
    r.add_argument("--sources", type=int, default=9)
    r.add_argument("--tokens", type=int, default=8192)
    g = sub.add_parser("grad-report")
    g.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    g.add_argument("--output", default=os.path.join(REPO, "docs", "gpu.md"))
    g.add_argument("--sources", type=int, default=9)
    g.add_argument("--chip", default="sm_90", choices=sorted(PTX_FEATURES))
    args = ap.parse_args()
    if not find_ptxas():
        sys.exit("gpu_kernel_report: ptxas not found (CUDA toolkit)")
    {"ptxas": cmd_ptxas, "ptx-loads": cmd_ptx_loads, "report": cmd_report, "grad-report": cmd_grad_report}[args.cmd](args)


if __name__ == "__main__":
    main()
