#!/usr/bin/env python3
"""difftest.py: differential tester of the attnres compiler.

Draws random valid AttnRes programs with scripts/attnres_gen.py, runs each
through CPU pipeline configurations of `attnres-to-llvm` and through the GPU
kernels' decomposition executed on the CPU (`convert-attnres-to-gpu{emulate=
true}`), and checks every result against the generator's independent float64
numpy reference (docs/attnres-math.md; the generator's tolerances).

    scripts/difftest.py --count 1000 --seed 7 --jobs 2 --out difftest-out
    scripts/difftest.py --seed 7 --only 412 --configs all -v   # one program, every config
    scripts/difftest.py --count 20 --list                       # what would be drawn

Everything is reproducible from (--seed, program index): program i is drawn
from its own RNG, so `--only i` redraws exactly the program of a long run.
Tools: <--build-dir>/bin/attnres-opt, mlir-runner from --llvm-bin-dir, the
attnres Python package from <--build-dir>/python_packages (optional).

What is generated (weights in draw_program):
  * site     one fused depth_attn: f32/bf16/f16 sources, the query in the
             sources' type or f32, 1-64 sources (over sources-per-loop = 12,
             so grouped statistics loops), D from 1 to 4096 (odd, not a
             multiple of the vector width, exact GPU splits), token shape
             rank-1 (none), zero rows, one row, many rows, 2-D and 3-D token
             shapes (some with a zero dimension), static or dynamic, queries
             of static or dynamic length, flat softmax (zero query), moderate
             logits (the default, ~N(0, 4)), peaked logits (std ~150: gaps
             > 100) and extreme ones (|V| ~ 1e4, |q| ~ 1e2), small/large
             sources, eps 1e-6/1e-5/1e-3, results
             written in place into a wider buffer (--output-column-offset),
             and exact bf16/f16 checks (--round-ref --atol 0 --rtol 0 on the
             mean of two sources);
  * unfused  rms_norm -> depth_logits -> depth_softmax -> depth_combine plus
             the fused site, in all three types (reference with keys in f32
             or rounded as the chain does, matched to the configuration);
  * stats    depth_attn_stats for 0-17 queries over 1-14 sources;
  * merge    depth_attn_stats for 1-5 queries, then one depth_attn_merge
             per query (compared with the naive site over n+1 sources);
  * full     Full AttnRes models (f32, 1-14 sublayers, 0-6 tokens, queries
             of static or dynamic length);
  * block    Block AttnRes models (f32, 1-16 sublayers, block sizes 1, L,
             > L, dividing L and leaving a partial last block), naive sites or
             explicit two-phase (--two-phase), running block sums
             (--incremental), pipeline-stage annotations (--stages/
             --virtual-stages, run unpartitioned), queries of static or
             dynamic length.
Each program runs in the generator's form (inputs are dense constants in
@main, which checks in IR and prints PASS/FAIL; lowered with attnres-opt, run
with mlir-runner) and, for about a third of the programs when the Python
package is built, through `attnres.compile` with the inputs as function
arguments (numpy arrays drawn here, dynamic token sizes drawn anew, zero
included; half of those sites in destination-passing form: memref arguments,
the result materialized into a caller's array), compared with the
generator's reference functions. Inputs are capped at MAX_ELEMENTS values per
program (larger D or more sources get fewer rows).

Configurations (--configs):
  random (default): the default pipeline, `fast-kernels=false parallel=false`,
    one GPU decomposition, and --random-configs more, each option drawn
    independently;
  all: the default plus every option value that changes code paths, one at a
    time: fuse=false, fuse-key-rounding=chain, two-phase=force|off,
    fast-kernels=false, parallel=false (and both), vector-width=1|2|4|8|32,
    rows-per-task=1|3|64, sources-per-loop=1|2|5, bf16-pairs=false (also with
    vector-width=4), streaming-min-bytes=0|1, and the GPU decomposition with
    max-threads=1024|32|64|96 and two-phase=off|force|auto.
  The GPU configurations run `func.func(canonicalize, [attnres-fuse],
  attnres-two-phase{mode}, convert-attnres-to-gpu{emulate=true max-threads}),
  attnres-to-llvm` (test/Integration/CPU/gpu-kernel-decomposition.mlir plus
  the fusion and two-phase steps attnres-to-nvvm runs before the kernels).
  Configurations that lower a program to the same LLVM dialect text as an
  earlier one are executed once (counted in `runs`, reported as deduplicated).
  Every program is also checked with `attnres-opt --verify-roundtrip`.

A run fails when the generator prints FAIL (or no PASS), the pipeline fails
on valid input, a tool crashes (signal, LLVM ERROR, "PLEASE submit a bug
report", stack dump), or a step exceeds --timeout. Each failure is printed
with the generator command, the pipeline command and the output, and saved
in --out DIR/p<index>-<config>/ (program.mlir, repro.sh, output.txt).
The last line is `difftest: N programs, R runs, F failures, T s`; exit 1 if
any run failed.

Exclusions (not generated, by design):
  * models (full/block) are f32 with static tokens (the generator's
    restriction); --stages does not combine with --two-phase (generator);
    stage-annotated programs run unpartitioned (partitioned MPI programs are
    test/Integration/MPI's) and not through attnres.compile (their function
    prints with printMemrefF32 from libmlir_runner_utils, which compile()
    does not load);
  * static zero-size token dimensions in programs whose IR slices them
    (merge, block --two-phase, --output-column-offset): MLIR 22's
    tensor.extract_slice/insert_slice verifier rejects every static slice of
    a zero-size dimension ("offset 0 is out-of-bounds: 0 >= 0"), so the
    generator's IR would be invalid; those programs get dynamic tokens or
    non-zero rows (zero-row models without slices are generated);
  * bf16/f16 unfused chains: the reference with f32 keys (--chain-ref f32)
    only with fuse=true and fuse-key-rounding=f32, the chain's reference
    only with fuse=false or fuse-key-rounding=chain (docs/pipelines.md: the
    two differ by a documented bound, not a tolerance);
  * f16 sources with |V| ~ 1e4 (beyond f16's range: the inputs would be
    inf); dynamic hidden sizes (rejected by the lowerings by design);
  * a query type other than f32 or the sources' type (the verifier rejects
    it, docs/semantics.md);
  * index-bitwidth=32 through attnres.compile (a ValueError by design:
    compile() needs 64-bit indices); the generator's --example (prints
    instead of checking) and --expected-traffic (no program).

Known issues (KNOWN_ISSUES): compiler issues this tester found that are not
fixed yet (K1, two-phase on static zero-row sources, was fixed by ae58af1;
K2 by the option check of attnres-to-llvm).
A failed run that one applies to and whose output matches its
signature is counted as known (listed in the summary), not as a failure,
unless --known-issues=fail; once the issue is fixed those runs pass.
  * none open. K2 (attnres-to-llvm{index-bitwidth=32} exited 0 leaving
    builtin.unrealized_conversion_cast ops with the fast kernels or OpenMP)
    is fixed: the pipeline now rejects that combination as an option error;
    --index-bitwidth32 adds a fast-kernels=false parallel=false
    configuration with 32-bit indices, which must lower and translate to
    LLVM IR (it is not run: 32-bit indices are for 32-bit hosts, and this
    one's libc and runner utilities take 64-bit sizes).
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(SCRIPTS)
GEN = os.path.join(SCRIPTS, "attnres_gen.py")

CRASH_RE = re.compile(r"PLEASE submit a bug report|LLVM ERROR|Stack dump|Assertion .* failed|"
                      r"UNREACHABLE executed|Segmentation fault|Aborted|core dumped")

# ===========================================================================
# Configurations
# ===========================================================================

LLVM_DEFAULTS = {
    "fuse": "true", "fuse-key-rounding": "f32", "two-phase": "auto", "fast-kernels": "true",
    "parallel": "true", "vector-width": "16", "rows-per-task": "8", "sources-per-loop": "12",
    "bf16-pairs": "true", "streaming-min-bytes": "4194304", "index-bitwidth": "0",
}
LLVM_ORDER = list(LLVM_DEFAULTS)


class Config:
    """One way to compile a program: `attnres-to-llvm{llvm}` on the CPU
    (target cpu), or the GPU decomposition on the CPU (target gpu: fusion,
    attnres-two-phase{mode=two_phase}, convert-attnres-to-gpu{emulate=true
    max-threads}, then attnres-to-llvm{llvm})."""

    def __init__(self, target="cpu", llvm=None, max_threads=1024, two_phase="auto"):
        self.target = target
        self.llvm = {k: str(v) for k, v in (llvm or {}).items()
                     if str(v) != LLVM_DEFAULTS[k]}
        self.max_threads = max_threads
        self.two_phase = two_phase

    def opt(self, key):
        return self.llvm.get(key, LLVM_DEFAULTS[key])

    def set(self, key, value):
        value = str(value)
        if value == LLVM_DEFAULTS[key]:
            self.llvm.pop(key, None)
        else:
            self.llvm[key] = value

    def llvm_options(self):
        return " ".join("%s=%s" % (k, self.llvm[k]) for k in LLVM_ORDER if k in self.llvm)

    def gpu_prefix(self):
        """The per-function passes before attnres-to-llvm (GPU target)."""
        fuse = ("attnres-fuse{key-rounding=%s}," % self.opt("fuse-key-rounding")
                if self.opt("fuse") == "true" else "")
        return ("canonicalize,%sattnres-two-phase{mode=%s},"
                "convert-attnres-to-gpu{emulate=true max-threads=%d}"
                % (fuse, self.two_phase, self.max_threads))

    def pipeline_arg(self):
        """The attnres-opt argument."""
        opts = self.llvm_options()
        if self.target == "cpu":
            return "--attnres-to-llvm" + ("=" + opts if opts else "")
        return ("--pass-pipeline=builtin.module(func.func(%s),attnres-to-llvm%s)"
                % (self.gpu_prefix(), "{%s}" % opts if opts else ""))

    @property
    def name(self):
        opts = ",".join("%s=%s" % (k, self.llvm[k]) for k in LLVM_ORDER if k in self.llvm)
        if self.target == "cpu":
            return "cpu:" + (opts or "default")
        gpu = "max-threads=%d,two-phase=%s" % (self.max_threads, self.two_phase)
        return "gpu:" + gpu + ("," + opts if opts else "")

    def copy(self):
        return Config(self.target, dict(self.llvm), self.max_threads, self.two_phase)

    def to_json(self):
        return {"target": self.target, "llvm": self.llvm, "max_threads": self.max_threads,
                "two_phase": self.two_phase}

    @staticmethod
    def from_json(d):
        return Config(d["target"], d["llvm"], d["max_threads"], d["two_phase"])


def all_configs():
    """The default and every option value that changes code paths, one at a
    time (--configs all)."""
    one = [{}, {"fuse": "false"}, {"fuse-key-rounding": "chain"},
           {"two-phase": "force"}, {"two-phase": "off"},
           {"fast-kernels": "false"}, {"parallel": "false"},
           {"fast-kernels": "false", "parallel": "false"}]
    one += [{"vector-width": w} for w in (1, 2, 4, 8, 32)]
    one += [{"rows-per-task": r} for r in (1, 3, 64)]
    one += [{"sources-per-loop": s} for s in (1, 2, 5)]
    one += [{"bf16-pairs": "false"}, {"bf16-pairs": "false", "vector-width": 4},
            {"streaming-min-bytes": 0}, {"streaming-min-bytes": 1}]
    cfgs = [Config("cpu", o) for o in one]
    cfgs += [Config("gpu", {}, 1024, "off"), Config("gpu", {}, 32, "force"),
             Config("gpu", {}, 64, "auto"), Config("gpu", {"fuse": "false"}, 96, "force")]
    return cfgs


def random_cpu_config(rng):
    c = Config("cpu")
    if rng.random() < 0.2:
        c.set("fuse", "false")
    if rng.random() < 0.25:
        c.set("fuse-key-rounding", "chain")
    c.set("two-phase", rng.choice(["auto", "auto", "force", "force", "off"]))
    if rng.random() < 0.2:
        c.set("fast-kernels", "false")
    if rng.random() < 0.3:
        c.set("parallel", "false")
    if rng.random() < 0.6:
        c.set("vector-width", rng.choice([1, 2, 4, 8, 32]))
    if rng.random() < 0.6:
        c.set("rows-per-task", rng.choice([1, 2, 3, 5, 64]))
    if rng.random() < 0.5:
        c.set("sources-per-loop", rng.choice([1, 2, 3, 4, 7, 100]))
    if rng.random() < 0.3:
        c.set("bf16-pairs", "false")
    r = rng.random()
    if r < 0.2:
        c.set("streaming-min-bytes", 0)
    elif r < 0.5:
        c.set("streaming-min-bytes", rng.choice([1, 64, 4096]))
    return c


def random_gpu_config(rng):
    c = Config("gpu", {}, rng.choice([32, 64, 96, 128, 256, 1024]),
               rng.choice(["auto", "force", "off"]))
    if rng.random() < 0.2:
        c.set("fuse", "false")
    if rng.random() < 0.2:
        c.set("fuse-key-rounding", "chain")
    if rng.random() < 0.3:
        c.set("parallel", "false")
    return c


# ===========================================================================
# Programs
# ===========================================================================


class Program:
    """One drawn program: the generator's arguments plus what the runs need."""

    def __init__(self, index, seed):
        self.index = index
        self.seed = seed
        self.kind = None
        self.argv = []  # generator arguments
        self.dtype = "f32"
        self.rows = []  # static token shape
        self.dynamic = False
        self.chain_ref = None
        self.stages = False
        self.zero_rows = False
        self.features = []  # coverage labels
        self.configs = []
        self.bind = None  # {"rows": [...], "seed": int, "configs": [Config]}

    @property
    def entry(self):
        return {"site": "site", "unfused": "unfused", "stats": "stats", "merge": "merge",
                "full": "full_attnres", "block": "block_attnres"}[self.kind]

    def gen_cmd(self, python):
        return [python, GEN] + self.argv

    def describe(self):
        return "p%d %s %s" % (self.index, self.kind, " ".join(self.argv))


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    r = rng.random() * total
    for v, w in pairs:
        r -= w
        if r < 0:
            return v
    return pairs[-1][0]


MAX_ELEMENTS = 250000  # inputs of a program (dense constants: ~10 bytes of text each)


def draw_rows(rng, p, allow_zero=True, row_elements=1):
    """A token shape: rank-1 (none), zero rows, one row, many, 2-D, 3-D;
    at most MAX_ELEMENTS / row_elements rows in all."""
    cls = weighted(rng, [("none", 8), ("zero", 6 if allow_zero else 0), ("one", 12),
                         ("many", 44), ("2d", 20), ("3d", 10)])
    if cls == "none":
        rows = []
    elif cls == "zero":
        rows = [0] if rng.random() < 0.6 else rng.choice([[2, 0], [0, 3]])
    elif cls == "one":
        rows = [1]
    elif cls == "many":
        rows = [weighted(rng, [(rng.randint(2, 9), 6), (rng.randint(10, 40), 3),
                               (rng.randint(41, 130), 1)])]
    elif cls == "2d":
        rows = [rng.randint(1, 5), rng.randint(1, 6)]
    else:
        rows = [rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 4)]
    limit = max(1, MAX_ELEMENTS // row_elements)
    while _prod(rows) > limit and max(rows) > 1:
        i = rows.index(max(rows))
        rows[i] //= 2
    p.rows = rows
    p.zero_rows = 0 in rows
    p.features.append("rows:" + ("zero" if p.zero_rows else cls))
    return "none" if not rows else "x".join(str(r) for r in rows)


def _prod(xs):
    r = 1
    for x in xs:
        r *= x
    return r


def draw_hidden(rng, big=True):
    return weighted(rng, [(rng.choice([1, 2, 3, 5, 7]), 8), (rng.choice([8, 16, 32]), 30),
                          (rng.choice([15, 17, 24, 31, 33, 40, 48]), 20),
                          (rng.choice([64, 96, 128]), 25),
                          (rng.choice([192, 256, 384]), 12 if big else 0),
                          (rng.choice([512, 1024]), 5 if big else 0),
                          (rng.choice([2048, 4096]), 2 if big else 0)])


def draw_site_like(rng, p, kind):
    a = p.argv
    dt = weighted(rng, [("f32", 40), ("bf16", 30), ("f16", 30)])
    p.dtype = dt
    a += ["--dtype", dt]
    # The query is the sources' type or f32 (docs/semantics.md).
    if dt != "f32" and rng.random() < 0.3:
        a += ["--query-dtype", "f32"]
        p.features.append("query-dtype:f32")
    if kind == "site":
        n = weighted(rng, [(1, 7), (rng.randint(2, 5), 50), (rng.randint(6, 13), 28),
                           (rng.randint(14, 30), 12), (rng.randint(31, 64), 3)])
    elif kind == "unfused":
        n = weighted(rng, [(1, 10), (rng.randint(2, 8), 90)])
    elif kind == "stats":
        n = weighted(rng, [(1, 10), (rng.randint(2, 6), 60), (rng.randint(7, 14), 30)])
        a += ["--queries", str(weighted(rng, [(1, 20), (rng.randint(2, 6), 60),
                                              (rng.randint(7, 17), 20), (0, 4)]))]
    else:  # merge
        n = weighted(rng, [(1, 15), (rng.randint(2, 6), 65), (rng.randint(7, 11), 20)])
        a += ["--queries", str(rng.randint(1, 5))]
    a += ["--sources", str(n)]
    p.features.append("sources:" + ("1" if n == 1 else "2-12" if n <= 12 else ">12"))
    D = draw_hidden(rng, big=kind in ("site", "stats"))
    a += ["--hidden", str(D)]
    p.dynamic = rng.random() < 0.3
    # Static slices of zero-size dims do not verify (module docstring):
    # merge slices its phase-1 results, --output-column-offset the output.
    offset = kind == "site" and rng.random() < 0.1
    allow_zero = p.dynamic or not (kind == "merge" or offset)
    queries = int(a[a.index("--queries") + 1]) if "--queries" in a else 0
    rows = draw_rows(rng, p, allow_zero, D * (n + 2 * queries + 2))
    a += ["--rows", rows]
    if p.dynamic:
        a += ["--dynamic-rows"]
        p.features.append("dynamic")
    if kind == "site" and rng.random() < 0.15:
        a += ["--dynamic-query"]
        p.features.append("dynamic-query")
    if offset and not p.dynamic:
        a += ["--output-column-offset", str(rng.choice([1, 3, 8]))]
        p.features.append("output-column-offset")
    # Exact checks: the mean of two sources rounded once (zero query).
    if kind == "site" and dt != "f32" and rng.random() < 0.08:
        a[a.index("--sources") + 1] = "2"
        if "--query-dtype" not in a:
            a += ["--query-dtype", "f32"]
        a += ["--query", "zero", "--round-ref", "--atol", "0", "--rtol", "0"]
        p.features.append("exact")
        return
    # Logits: flat (zero query), moderate (default), peaked, extreme.
    lg = weighted(rng, [("flat", 10), ("moderate", 60), ("peaked", 22), ("extreme", 8)])
    p.features.append("logits:" + lg)
    if lg == "flat":
        a += ["--query", "zero"]
    elif lg == "peaked":
        a += ["--scale-q", "%.4g" % (150.0 / D ** 0.5)]
    elif lg == "extreme":
        a += ["--scale-q", "1e2", "--scale-v", "1e3" if dt == "f16" else "1e4"]
    if lg != "extreme":
        sv = weighted(rng, [(None, 75), ("1e-3", 10), ("1e3", 10),
                            ("1e4" if dt != "f16" else "30", 5)])
        if sv:
            a += ["--scale-v", sv]
    eps = weighted(rng, [(None, 60), ("1e-5", 30), ("1e-3", 10)])
    if eps:
        a += ["--eps", eps]
    if kind == "unfused":
        if dt == "f32":
            p.chain_ref = "chain"
        else:
            p.chain_ref = rng.choice(["f32", "chain"])
            a += ["--chain-ref", p.chain_ref]
            p.features.append("chain-ref:" + p.chain_ref)


def draw_model(rng, p, kind):
    a = p.argv
    L = weighted(rng, [(1, 6), (rng.randint(2, 6), 44), (rng.randint(7, 16 if kind == "block" else 14), 50)])
    D = rng.choice([3, 4, 8, 8, 12, 16, 16, 20, 24, 32, 33, 48])
    two_phase = kind == "block" and rng.random() < 0.3
    M = weighted(rng, [(0, 0 if two_phase else 6), (1, 15), (rng.randint(2, 6), 79)])
    p.rows = [M]
    p.zero_rows = M == 0
    p.features.append("rows:" + ("zero" if M == 0 else "one" if M == 1 else "many"))
    a += ["--layers", str(L), "--hidden", str(D), "--rows", str(M)]
    if kind == "block":
        S = weighted(rng, [(1, 12), (L, 14), (L + rng.randint(1, 3), 5),
                           (rng.randint(2, max(2, L - 1)), 69)])
        a += ["--block-size", str(S)]
        p.features.append("block:" + ("1" if S == 1 else "L" if S == L else ">L" if S > L
                                      else "divides" if L % S == 0 else "partial"))
        if two_phase:
            a += ["--two-phase"]
            p.features.append("two-phase-ir")
        if rng.random() < 0.3:
            a += ["--incremental"]
            p.features.append("incremental")
    if rng.random() < 0.15:
        a += ["--dynamic-query"]
        p.features.append("dynamic-query")
    if not two_phase and rng.random() < 0.15:
        P = rng.randint(1, 3)
        V = rng.randint(1, 2)
        while P * V > max(1, L):
            P, V = max(1, P - 1), 1
        a += ["--stages", str(P), "--virtual-stages", str(V)]
        p.stages = True
        p.features.append("stages")


def adjust_config(p, c):
    """A configuration the program supports (module docstring: exclusions)."""
    c = c.copy()
    if p.kind == "unfused" and p.dtype != "f32":
        if p.chain_ref == "f32":
            c.set("fuse", "true")
            c.set("fuse-key-rounding", "f32")
        elif c.opt("fuse") == "true" and c.opt("fuse-key-rounding") == "f32":
            c.set("fuse-key-rounding", "chain")
    return c


class KnownIssue:
    """A compiler issue the tester finds and that is reported but not fixed
    yet: a failure of a run it `applies` to whose output matches `signature`
    is counted as known, not as a failure (unless --known-issues=fail). When
    the issue is fixed those runs simply pass; then delete the entry."""

    def __init__(self, key, summary, applies, signature):
        self.key = key
        self.summary = summary
        self.applies = applies
        self.signature = re.compile(signature)


def _two_phase(c):
    return c.opt("two-phase") if c.target == "cpu" else c.two_phase


KNOWN_ISSUES = [
]


def known_issue(p, c, output):
    """The key of the known issue a failed run matches, or None."""
    for k in KNOWN_ISSUES:
        if c is not None and k.applies(p, c) and k.signature.search(output):
            return k.key
    return None


def draw_program(seed, index, opts):
    rng = random.Random("difftest:%d:%d" % (seed, index))
    p = Program(index, seed)
    kinds = [("site", 30), ("unfused", 14), ("stats", 12), ("merge", 12), ("full", 10),
             ("block", 22)]
    if opts.kinds:
        kinds = [(k, w) for k, w in kinds if k in opts.kinds]
    p.kind = weighted(rng, kinds)
    p.argv = ["--case", p.kind]
    if p.kind in ("full", "block"):
        draw_model(rng, p, p.kind)
    else:
        draw_site_like(rng, p, p.kind)
    p.argv += ["--seed", str(rng.randint(1, 999999))]
    if opts.perturb:
        p.argv += ["--perturb", repr(opts.perturb)]
    p.features.insert(0, "dtype:" + p.dtype)
    p.features.insert(0, "kind:" + p.kind)

    # Configurations (their own RNG: --configs does not change the program).
    rng = random.Random("difftest-configs:%d:%d" % (seed, index))
    if opts.configs == "all":
        cfgs = all_configs()
    else:
        cfgs = [Config("cpu"), Config("cpu", {"fast-kernels": "false", "parallel": "false"}),
                random_gpu_config(rng)]
        cfgs += [random_cpu_config(rng) for _ in range(opts.random_configs)]
    if opts.index_bitwidth32:
        c = random_cpu_config(rng)
        c.set("index-bitwidth", 32)
        c.set("fast-kernels", "false")
        c.set("parallel", "false")
        cfgs.append(c)
    seen = set()
    for c in cfgs:
        c = adjust_config(p, c)
        if c.name not in seen:
            seen.add(c.name)
            p.configs.append(c)

    # Function arguments through attnres.compile (about a third).
    rng = random.Random("difftest-bindings:%d:%d" % (seed, index))
    if rng.random() < opts.bindings_fraction and not p.stages:
        rows = list(p.rows)
        if p.dynamic:
            rows = [weighted(rng, [(0, 12), (1, 18), (rng.randint(2, 9), 70)]) for _ in rows]
        cpu = [c for c in p.configs if c.target == "cpu" and c.opt("index-bitwidth") == "0"]
        gpu = [c for c in p.configs if c.target == "gpu"]
        bc = [cpu[0]] + ([rng.choice(cpu[1:])] if len(cpu) > 1 else []) + gpu[:1]
        p.bind = {"rows": rows, "seed": rng.randint(1, 999999), "configs": bc}
        p.features.append("bindings")
        # Sites also as destination passing: memref arguments, the result
        # materialized into a memref the caller passes (written in place).
        p.bind["dps"] = (p.kind == "site" and "--output-column-offset" not in p.argv
                         and rng.random() < 0.5)
        if p.bind["dps"]:
            p.features.append("bindings:destination-passing")
        if 0 in rows and p.dynamic:
            p.features.append("bindings:runtime-zero-rows")
    return p


# ===========================================================================
# Running
# ===========================================================================


class Tools:
    def __init__(self, opts):
        self.opt = os.path.join(opts.build_dir, "bin", "attnres-opt")
        self.runner = opts.mlir_runner or os.path.join(opts.llvm_bin_dir, "mlir-runner")
        if not opts.mlir_runner and not os.access(self.runner, os.X_OK):
            self.runner = shutil.which("mlir-runner") or shutil.which("mlir-runner-22") or self.runner
        self.translate = os.path.join(opts.llvm_bin_dir, "mlir-translate")
        if not os.access(self.translate, os.X_OK):
            self.translate = shutil.which("mlir-translate-22") or self.translate
        libs = ["libmlir_runner_utils.so", "libmlir_c_runner_utils.so", "libomp.so"]
        self.shared_libs = opts.shared_libs or ",".join(os.path.join(opts.llvm_lib_dir, l)
                                                        for l in libs)
        self.python = opts.python
        self.packages = os.path.join(opts.build_dir, "python_packages")
        self.timeout = opts.timeout
        self.env = dict(os.environ)
        self.env.setdefault("OMP_NUM_THREADS", str(opts.omp_threads))
        self.env.setdefault("KMP_BLOCKTIME", "0")  # no spinning OpenMP workers
        self.bind_env = dict(self.env)
        self.bind_env["PYTHONPATH"] = self.packages + (
            os.pathsep + self.env["PYTHONPATH"] if self.env.get("PYTHONPATH") else "")
        # Sanitizer builds run this script with the shared ASan runtime
        # preloaded (for the instrumented Python package, loaded by the
        # bindings worker only); the tools link their own ASan runtime and
        # abort if another one is preloaded, so they run without it.
        self.env.pop("LD_PRELOAD", None)

    def runner_cmd(self, p):
        return [self.runner, "-e", "main",
                "-entry-point-result=%s" % ("i32" if p.stages else "void"),
                "-shared-libs=" + self.shared_libs]


TOOL_RETRIES = 5  # a tool that cannot be started (a rebuild in progress): tries, 30 s apart


def run_cmd(cmd, timeout, env=None, stdin=None, cwd=None):
    """(returncode or 'timeout', stdout, stderr). The child runs in its own
    process group, which is killed on timeout. A tool that cannot be started
    (missing, not executable, being relinked) is retried for two minutes,
    then reported as exit 127."""
    for attempt in range(TOOL_RETRIES):
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin is not None
                                    else subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=env, cwd=cwd,
                                    start_new_session=True)
            break
        except OSError as e:
            if attempt == TOOL_RETRIES - 1:
                return 127, b"", ("difftest: cannot start %s: %s\n" % (cmd[0], e)).encode()
            time.sleep(30)
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
        return proc.returncode, out, err
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        return "timeout", out, err


def decode(b):
    return b.decode("utf-8", "replace") if isinstance(b, bytes) else (b or "")


def rc_text(rc):
    if rc == "timeout":
        return "no exit within --timeout"
    if isinstance(rc, int) and rc < 0:
        try:
            return "killed by %s" % signal.Signals(-rc).name
        except ValueError:
            return "killed by signal %d" % -rc
    return "exit %s" % rc


def classify(rc, out, err):
    """None if the step succeeded (rc 0, no crash text), else a category."""
    if rc == "timeout":
        return "timeout"
    if rc < 0 or rc >= 128 or CRASH_RE.search(err):
        return "crash"
    if rc != 0:
        return "error"
    return None


class Failure:
    def __init__(self, p, config, stage, category, detail, commands, output, files=None):
        self.p = p
        self.config = config
        self.stage = stage
        self.category = category
        self.detail = detail
        self.commands = commands
        self.output = output
        self.files = files or {}


class Result:
    def __init__(self, p):
        self.p = p
        self.runs = 0  # pipeline runs (one per program and configuration, plus bindings)
        self.executed = 0  # distinct lowered programs executed with mlir-runner
        self.dedup = 0
        self.bind_runs = 0
        self.known = {}  # issue -> runs that failed with it
        self.failures = []
        self.opts = None
        self.skipped_bindings = False
        self.config_names = []
        self.max_err = {}

    def fail(self, f):
        """Records a failure, or counts it as a known issue it matches."""
        issue = known_issue(f.p, f.config, f.output)
        if issue and self.opts.known_issues == "expect":
            self.known[issue] = self.known.get(issue, 0) + 1
            if self.opts.verbose:
                print("  p%d %s: known issue %s" % (f.p.index, f.config.name, issue), flush=True)
        else:
            self.failures.append(f)


def q(cmd):
    return " ".join(shlex.quote(c) for c in cmd)


def short(text, lines=40):
    t = text.rstrip().splitlines()
    if len(t) > lines:
        t = t[:lines // 2] + ["... (%d lines)" % (len(t) - lines)] + t[-lines // 2:]
    return "\n".join(t)


def run_program(p, tools, opts, bindings_ok):
    res = Result(p)
    res.opts = opts
    tmp = tempfile.mkdtemp(prefix="difftest-p%d-" % p.index, dir=opts.tmp_dir)
    try:
        return _run_program(p, tools, opts, bindings_ok, res, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run_program(p, tools, opts, bindings_ok, res, tmp):
    gen = p.gen_cmd(tools.python)
    gen_display = ["python3", "scripts/attnres_gen.py"] + p.argv
    rc, out, err = run_cmd(gen, tools.timeout, env=tools.env)
    if rc != 0:
        res.runs += 1
        res.fail(Failure(p, None, "generate", classify(rc, "", decode(err)) or "error",
                         "the generator failed (%s)" % rc_text(rc), [q(gen_display)],
                         decode(out)[-2000:] + decode(err)))
        return res
    program = out
    prog_path = os.path.join(tmp, "program.mlir")
    with open(prog_path, "wb") as f:
        f.write(program)
    files = {"program.mlir": program}

    # Round trip (custom and generic forms, bytecode) of the input.
    rt = [tools.opt, prog_path, "--verify-roundtrip", "-o", os.devnull]
    rc, out, err = run_cmd(rt, tools.timeout, env=tools.env)
    res.runs += 1
    cat = classify(rc, decode(out), decode(err))
    if cat:
        res.fail(Failure(p, None, "roundtrip", cat, "attnres-opt --verify-roundtrip (%s)"
                         % rc_text(rc),
                         [q(gen_display) + " > program.mlir",
                          "attnres-opt program.mlir --verify-roundtrip -o /dev/null"],
                         decode(out) + decode(err), files))
        if "error:" in decode(err) and cat == "error":
            return res  # the input does not verify: every configuration would say the same

    seen = {}
    for c in p.configs:
        res.runs += 1
        res.config_names.append(c.name)
        opt_cmd = [tools.opt, prog_path, c.pipeline_arg()]
        run_display = q(tools.runner_cmd(p)).replace(tools.runner, "mlir-runner")
        pipe_display = "attnres-opt program.mlir %s | %s" % (shlex.quote(c.pipeline_arg()),
                                                           run_display)
        cmds = [q(gen_display) + " > program.mlir", pipe_display]
        rc, lowered, err = run_cmd(opt_cmd, tools.timeout, env=tools.env)
        cat = classify(rc, "", decode(err))
        if cat:
            res.fail(Failure(p, c, "attnres-opt", cat, "the pipeline failed (%s)" % rc_text(rc),
                             cmds, decode(err), files))
            continue
        key = hashlib.sha1(lowered).hexdigest()
        if key in seen:
            res.dedup += 1
            if opts.verbose:
                print("  p%d %s: same lowering as %s" % (p.index, c.name, seen[key]), flush=True)
            continue
        seen[key] = c.name
        if c.opt("index-bitwidth") != "0":
            # 32-bit indices target 32-bit hosts: this 64-bit one cannot run
            # them (libc and the runner utilities take 64-bit sizes and
            # descriptors), so the check is that they translate to LLVM IR.
            tr_cmd = [tools.translate, "--mlir-to-llvmir", "-o", os.devnull]
            rc, out, err = run_cmd(tr_cmd, tools.timeout, env=tools.env, stdin=lowered)
            cat = classify(rc, decode(out), decode(err))
            if cat:
                res.fail(Failure(p, c, "mlir-translate", cat,
                                 "mlir-translate --mlir-to-llvmir (%s)" % rc_text(rc),
                                 [q(gen_display) + " > program.mlir",
                                  "attnres-opt program.mlir %s | mlir-translate --mlir-to-llvmir"
                                  % shlex.quote(c.pipeline_arg())],
                                 decode(out) + decode(err), files))
            continue
        rc, out, err = run_cmd(tools.runner_cmd(p), tools.timeout, env=tools.env, stdin=lowered)
        res.executed += 1
        out, err = decode(out), decode(err)
        cat = classify(rc, out, err)
        lines = out.splitlines()
        m = re.search(r"max_abs_err = (\S+)", out)
        if m:
            res.max_err[c.name] = m.group(1)
        if cat:
            res.fail(Failure(p, c, "mlir-runner", cat, "mlir-runner: %s" % rc_text(rc),
                             cmds, out + err, files))
        elif "FAIL" in lines or "PASS" not in lines:
            mm = re.search(r"mismatches = (\d+)", out)
            res.fail(Failure(p, c, "mlir-runner", "wrong-result",
                             "wrong result (mismatches = %s, max_abs_err = %s)"
                             % (mm.group(1) if mm else "?", m.group(1) if m else "?"),
                             cmds, out + err, files))
        if opts.verbose:
            print("  p%d %s: %s" % (p.index, c.name, "FAIL" if cat or "PASS" not in lines
                                    else "PASS (max_abs_err %s)" % (m.group(1) if m else "?")),
                  flush=True)

    if p.bind and not bindings_ok:
        res.skipped_bindings = True
    elif p.bind:
        run_bindings(p, tools, opts, res, tmp, files, gen_display)
    return res


def run_bindings(p, tools, opts, res, tmp, files, gen_display):
    configs = [c for c in p.bind["configs"] if c.opt("index-bitwidth") == "0"]
    if not configs:
        return
    spec = {"argv": p.argv, "kind": p.kind, "entry": p.entry, "rows": p.bind["rows"],
            "seed": p.bind["seed"], "chain_ref": p.chain_ref, "dps": p.bind["dps"],
            "configs": [c.to_json() for c in configs]}
    spec_path = os.path.join(tmp, "spec.json")
    with open(spec_path, "w") as f:
        json.dump(spec, f)
    cmd = [tools.python, os.path.abspath(__file__), "--bindings-worker", spec_path]
    rc, out, err = run_cmd(cmd, tools.timeout * (1 + len(configs)), env=tools.bind_env)
    out, err = decode(out), decode(err)
    display = ["PYTHONPATH=%s python3 scripts/difftest.py --bindings-worker spec.json"
               % tools.packages]
    sfiles = dict(files, **{"spec.json": json.dumps(spec, indent=1).encode()})
    results = {}
    for line in out.splitlines():
        if line.startswith("{"):
            try:
                r = json.loads(line)
                results[r["config"]] = r
            except ValueError:
                pass
    for c in configs:
        res.runs += 1
        res.bind_runs += 1
        res.config_names.append("bindings/" + c.name)
        r = results.get(c.name)
        if r is None:
            cat = classify(rc, out, err) or "error"
            res.fail(Failure(p, c, "bindings", cat,
                             "the bindings worker died (%s)" % rc_text(rc),
                             display, out + err, sfiles))
            break
        if r["status"] != "pass":
            res.fail(Failure(p, c, "bindings", r["status"], r["detail"], display,
                             r.get("output", "") + out[-3000:] + err[-3000:], sfiles))
        if opts.verbose:
            print("  p%d bindings %s: %s %s" % (p.index, c.name, r["status"], r["detail"]),
                  flush=True)


def draw_flags(opts):
    """The flags that, with --only, redraw the same programs."""
    flags = ["--seed", str(opts.seed)]
    if opts.kinds:
        flags += ["--kinds", ",".join(opts.kinds)]
    if opts.configs != "random":
        flags += ["--configs", opts.configs]
    if opts.random_configs != 3:
        flags += ["--random-configs", str(opts.random_configs)]
    if opts.bindings_fraction != 0.33:
        flags += ["--bindings-fraction", repr(opts.bindings_fraction)]
    if opts.index_bitwidth32:
        flags += ["--index-bitwidth32"]
    if opts.perturb:
        flags += ["--perturb", repr(opts.perturb)]
    return " ".join(flags)


def save_failure(f, opts, index):
    slug = re.sub(r"[^A-Za-z0-9=.,-]+", "_", f.config.name if f.config else f.stage)[:80]
    d = os.path.join(opts.out, "p%05d-%s-%d" % (f.p.index, slug, index))
    os.makedirs(d, exist_ok=True)
    for name, data in f.files.items():
        with open(os.path.join(d, name), "wb") as fh:
            fh.write(data)
    with open(os.path.join(d, "repro.sh"), "w") as fh:
        fh.write("#!/bin/sh\n# scripts/difftest.py %s --only %d: %s %s (%s)\n# %s\n"
                 % (draw_flags(opts), f.p.index, f.p.kind, f.config.name if f.config else "",
                    f.category, f.detail))
        fh.write("# run from the repository root; attnres-opt and mlir-runner from the build\n")
        for c in f.commands:
            fh.write(c + "\n")
    with open(os.path.join(d, "output.txt"), "w") as fh:
        fh.write(f.output)
    return d


def report_failure(f, opts, index, brief=False):
    """Prints a failure (brief: one line, for the third and later failure
    of a program) and saves its reproducer in --out."""
    where = f.config.name if f.config else f.stage
    if f.stage == "bindings":
        where = "attnres.compile " + where
    print("FAIL p%d [%s] %s: %s: %s" % (f.p.index, f.p.kind, where, f.category, f.detail))
    if brief:
        if opts.out:
            print("  saved in " + save_failure(f, opts, index))
        return
    print("  reproduce: scripts/difftest.py %s --only %d -v --build-dir %s"
          % (draw_flags(opts), f.p.index, opts.build_dir))
    for c in f.commands:
        print("  $ " + c)
    for line in short(f.output, 30).splitlines():
        print("  | " + line)
    if opts.out:
        print("  saved in " + save_failure(f, opts, index))
    sys.stdout.flush()


NP_TYPES, NAN_BITS = {}, {}  # numpy types of the element types (set in the worker)

# ===========================================================================
# Bindings worker (a separate process: a crash must not take difftest down)
# ===========================================================================


def dps_site(G, args, eps):
    """The site in destination-passing form: memref arguments read through
    bufferization.to_tensor, the result materialized into the last one."""
    rows = G.parse_rows(args.rows)
    D, dt, qdt = args.hidden, args.dtype, args.query_dtype or args.dtype
    dyn = ([None] * len(rows) if args.dynamic_rows else rows) + [D]
    t_src, t_q = G.tensor_type(dyn, dt), G.tensor_type([D], qdt)
    m_src, m_q = "memref" + t_src[6:], "memref" + t_q[6:]
    n = args.sources
    lines = ["func.func @site_dps(%%q: %s, %s, %%out: %s) {"
             % (m_q, ", ".join("%%v%d: %s" % (j, m_src) for j in range(n)), m_src),
             "  %%qt = bufferization.to_tensor %%q restrict : %s to %s" % (m_q, t_q)]
    lines += ["  %%t%d = bufferization.to_tensor %%v%d restrict : %s to %s" % (j, j, m_src, t_src)
              for j in range(n)]
    lines += ["  %%h = attnres.depth_attn %%qt, [%s] %s : %s, %s -> %s"
              % (", ".join("%%t%d" % j for j in range(n)), G.eps_attr(eps), t_q, t_src, t_src),
              "  bufferization.materialize_in_destination %%h in restrict writable %%out : "
              "(%s, %s) -> ()" % (t_src, m_src),
              "  return", "}"]
    return "\n".join(lines) + "\n"


def bindings_worker(spec_path):
    import numpy as np
    sys.path.insert(0, SCRIPTS)
    import attnres_gen as G
    import attnres

    spec = json.load(open(spec_path))
    argv = spec["argv"]
    args = G.build_parser().parse_args(argv)
    if args.scale_q is None:
        args.scale_q = 2.0 / np.sqrt(args.hidden)
    text = G.generate(args, argv)
    kind = spec["kind"]
    rng = np.random.default_rng(spec["seed"])
    dt = args.dtype
    qdt = args.query_dtype or dt
    D = args.hidden
    eps = float(np.float32(args.eps))
    rows = spec["rows"]
    shape = rows + [D]

    NP_TYPES.update(f32=np.float32, f16=np.float16, bf16=np.uint16)
    NAN_BITS.update(f32=np.float32("nan"), f16=np.float16("nan"), bf16=np.uint16(0x7FC0))

    def arr(x, t):
        x = np.asarray(x, np.float64)
        if t == "bf16":
            return attnres.f32_to_bf16(x.astype(np.float32))
        return np.ascontiguousarray(x.astype(np.float32 if t == "f32" else np.float16))

    def val(y, t):
        y = np.asarray(y)
        return (attnres.bf16_to_f32(y) if t == "bf16" else y).astype(np.float64)

    entry = spec["entry"]
    inputs, checks = [], []  # checks: (label, result index, element type, ref, tol, post)
    if kind in ("site", "unfused", "stats", "merge"):
        n = args.sources
        V = G.gen_inputs(rng, n, shape, dt, args.scale_v)
    if kind == "site":
        qv = G.gen_query(args, rng, D, qdt)
        ref = G.site(V, qv, eps)
        if args.round_ref:
            ref = G.round_to(dt, ref)
        inputs = [arr(qv, qdt)] + [arr(v, dt) for v in V]
        K = args.output_column_offset
        post = (lambda y: y[..., K:K + D]) if K else None
        tol = G.site_tol(args, dt, V, exact=(n == 1))
        if n > 1 and args.atol is None:
            tol = tol.with_conditioning(G.logit_conditioning(V, qv, eps))
        checks = [("site", None, dt, ref, tol, post)]
        if spec.get("dps"):
            text, entry = dps_site(G, args, eps), "site_dps"
            inputs.append(np.zeros(shape, NP_TYPES[dt]))
            checks = [("site (destination)", "destination", dt, ref, tol, None)]
    elif kind == "unfused":
        gamma = G.round_to(qdt, np.round(1.0 + 0.25 * rng.standard_normal(D), 4))
        w = G.gen_query(args, rng, D, qdt)
        q32 = G.round_to("f32", gamma * w)
        ref_fused = G.site(V, q32, eps)
        if args.chain_ref == "f32":
            ref_unfused = ref_fused
        else:
            ref_unfused = G.unfused_site(V, w, gamma, eps, key_round=lambda k: G.round_to(
                dt, G.round_to("f32", k)))
        inputs = [arr(gamma, qdt), arr(w, qdt), arr(q32, "f32")] + [arr(v, dt) for v in V]
        # The generator's tolerances (emit_site): two-phase may batch the
        # fused chain with the site; ill-conditioned rows get a term each.
        extra = G.TWO_PHASE_EXTRA_ATOL[dt] if args.chain_ref == "f32" and n > 1 else 0.0
        tol = G.site_tol(args, dt, V, extra_atol=extra)
        if args.atol is None:
            tol = tol.with_conditioning(G.logit_conditioning(V, q32, eps))
        checks = [("unfused chain", 0, dt, ref_unfused, tol, None),
                  ("fused site", 1, dt, ref_fused, tol, None)]
    elif kind in ("stats", "merge"):
        S = args.queries
        Q = np.array([G.gen_query(args, rng, D, qdt) for _ in range(S)],
                     np.float64).reshape(S, D)  # S may be 0 (no queries)
        inputs = [arr(Q, qdt)] + [arr(v, dt) for v in V]
        if kind == "stats":
            o_ref, lse_ref = G.depth_attn_stats(Q, V, eps)
            lse_scale = max(1.0, float(np.abs(lse_ref).max()) if lse_ref.size else 1.0)
            o_tol = G.site_tol(args, dt, V)
            lse_tol = G.Tol(G.ATOL["f32"] * lse_scale, G.RTOL["f32"], "lse")
            if S and args.atol is None:
                o_tol = o_tol.with_conditioning(
                    np.stack([G.logit_conditioning(V, Q[s], eps) for s in range(S)]))
                lse_tol = lse_tol.with_conditioning(
                    np.stack([G.f32_logit_error(V, Q[s], eps).max(axis=0) for s in range(S)]))
            checks = [("stats output", 0, dt, o_ref, o_tol, None),
                      ("stats lse", 1, "f32", lse_ref, lse_tol, None)]
        else:
            U = G.gen_inputs(rng, 1, shape, dt, args.scale_v)[0]
            inputs.append(arr(U, dt))
            tol = G.site_tol(args, dt, V + [U], extra_atol=G.TWO_PHASE_EXTRA_ATOL[dt])
            cond = (lambda t, s: t.with_conditioning(G.logit_conditioning(V + [U], Q[s], eps))
                    if args.atol is None else t)
            checks = [("merge query %d" % s, s if S > 1 else None, dt, G.site(V + [U], Q[s], eps),
                       cond(tol, s), None) for s in range(S)]
    else:  # models
        L, M = args.layers, int(args.rows)
        S = 1 if kind == "full" else args.block_size
        p, _ = G.model_params(args.seed, L, D, M)
        emb = G.round_to("f32", np.round(rng.standard_normal((M, D)), 4))
        ref = G.block_attnres(emb, p, S, float(np.float32(G.MODEL_SITE_EPS)), G.MODEL_NORM_EPS)
        inputs = [arr(emb, "f32")]
        checks = [("model output", None, "f32", ref, G.MODEL_TOL, None)]

    if args.perturb:  # every check must fail (difftest --perturb)
        checks = [(l, i, t, ref + args.perturb, tol, post) for l, i, t, ref, tol, post in checks]
    for cj in spec["configs"]:
        c = Config.from_json(cj)
        rec = {"config": c.name, "status": "pass", "detail": ""}
        try:
            if c.target == "gpu":
                m = attnres.Module.parse(text)
                m.run_pipeline("builtin.module(func.func(%s))" % c.gpu_prefix())
                f = attnres.compile(m, entry, options=c.llvm_options())
            else:
                f = attnres.compile(text, entry, options=c.llvm_options())
            if checks[0][1] == "destination":
                inputs[-1][...] = NAN_BITS[dt]  # no stale result from the previous config
            outs = f(*inputs)
            worst, bad_total, details = 0.0, 0, []
            for label, idx, t, ref, tol, post in checks:
                y = outs if idx is None else inputs[-1] if idx == "destination" else outs[idx]
                y = val(y, t)
                if post:
                    y = post(y)
                if y.shape != ref.shape:
                    bad, err = ref.size or 1, float("inf")
                    details.append("%s: shape %s, expected %s" % (label, y.shape, ref.shape))
                else:
                    e = np.abs(y - ref)
                    atol = tol.atol + (np.float32(tol.elem) if tol.elem is not None else 0.0)
                    badm = ~(e <= atol + tol.rtol * np.abs(ref))
                    bad = int(badm.sum())
                    err = float("nan") if np.isnan(e).any() else float(e.max()) if e.size else 0.0
                    if bad:
                        details.append("%s: %d of %d elements off (max_abs_err %g, atol %g, "
                                       "rtol %g)" % (label, bad, e.size, err, tol.atol, tol.rtol))
                bad_total += bad
                worst = err if (err != err or err > worst) else worst
            rec["detail"] = "max_abs_err %g, mismatches %d" % (worst, bad_total)
            if bad_total:
                rec["status"] = "wrong-result"
                rec["output"] = "\n".join(details) + "\n"
        except attnres.Error as e:
            rec["status"] = "error"
            rec["detail"] = "attnres.Error"
            rec["output"] = str(e) + "\n"
        except Exception as e:  # noqa: BLE001 (argument checks and the like)
            rec["status"] = "error"
            rec["detail"] = "%s" % type(e).__name__
            rec["output"] = str(e) + "\n"
        attnres.clear_cache()
        print(json.dumps(rec), flush=True)
    return 0


# ===========================================================================
# Driver
# ===========================================================================


def build_parser():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100, help="programs to draw")
    ap.add_argument("--start", type=int, default=0, help="index of the first program")
    ap.add_argument("--only", help="comma-separated program indices to run (with --seed)")
    ap.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                    help="programs run concurrently (default: the CPU count)")
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build"),
                    help="attnres build directory (bin/attnres-opt, python_packages)")
    ap.add_argument("--llvm-bin-dir", default="/usr/lib/llvm-22/bin", help="mlir-runner's directory")
    ap.add_argument("--llvm-lib-dir", default="/usr/lib/llvm-22/lib",
                    help="directory of libmlir_runner_utils, libmlir_c_runner_utils, libomp")
    ap.add_argument("--mlir-runner", help="mlir-runner binary (default: <llvm-bin-dir>/mlir-runner, "
                    "else the one on PATH)")
    ap.add_argument("--shared-libs", help="mlir-runner's -shared-libs (default: the runner "
                    "utilities and libomp in --llvm-lib-dir)")
    ap.add_argument("--python", default=sys.executable,
                    help="interpreter with numpy for the generator and the bindings")
    ap.add_argument("--configs", choices=["random", "all"], default="random")
    ap.add_argument("--random-configs", type=int, default=3,
                    help="random CPU configurations per program besides the fixed ones")
    ap.add_argument("--kinds", help="comma-separated subset of site,unfused,stats,merge,full,block")
    ap.add_argument("--bindings", choices=["auto", "off", "require"], default="auto",
                    help="function-argument runs through the attnres package (auto: when built)")
    ap.add_argument("--bindings-fraction", type=float, default=0.33)
    ap.add_argument("--known-issues", choices=["expect", "fail"], default="expect",
                    help="failures that match KNOWN_ISSUES: counted as known (expect, the "
                    "default) or as failures (fail)")
    ap.add_argument("--index-bitwidth32", action="store_true",
                    help="add a configuration with index-bitwidth=32 (fast-kernels=false parallel=false)")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per step (a hang fails)")
    ap.add_argument("--omp-threads", type=int, default=2,
                    help="OMP_NUM_THREADS of the runs (unless set in the environment)")
    ap.add_argument("--perturb", type=float, default=0.0,
                    help="add this to every expected value (generator --perturb): every run "
                    "with a non-empty result must FAIL (checks the tester itself)")
    ap.add_argument("--out", help="save a reproducer of every failure in this directory")
    ap.add_argument("--tmp-dir", help="scratch directory (default: the system's)")
    ap.add_argument("--list", action="store_true", help="print the drawn programs and stop")
    ap.add_argument("--coverage", action="store_true",
                    help="print what the drawn programs and runs covered")
    ap.add_argument("--max-failures", type=int, default=0,
                    help="stop after this many failures (0: never)")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--bindings-worker", metavar="SPEC", help=argparse.SUPPRESS)
    return ap


def probe_bindings(tools):
    rc, out, err = run_cmd([tools.python, "-c", "import attnres, numpy"], 120, env=tools.bind_env)
    return rc == 0, decode(err).strip().splitlines()[-1:] if rc != 0 else []


def main(argv):
    opts = build_parser().parse_args(argv)
    if opts.bindings_worker:
        return bindings_worker(opts.bindings_worker)
    if opts.kinds:
        opts.kinds = [k.strip() for k in opts.kinds.split(",") if k.strip()]
    opts.build_dir = os.path.abspath(opts.build_dir)
    if opts.bindings == "off":
        opts.bindings_fraction = 0.0
    indices = ([int(i) for i in opts.only.split(",")] if opts.only
               else list(range(opts.start, opts.start + opts.count)))
    programs = [draw_program(opts.seed, i, opts) for i in indices]
    if opts.list:
        for p in programs:
            print("%s\n    configs: %s%s" % (p.describe(), ", ".join(c.name for c in p.configs),
                                             "\n    bindings%s: rows %s, %s" % (
                                                 " (destination passing)" if p.bind["dps"]
                                                 else "", p.bind["rows"],
                                                 ", ".join(c.name for c in p.bind["configs"]))
                                             if p.bind else ""))
        return 0

    tools = Tools(opts)
    for path in (tools.opt, tools.runner):
        if not os.access(path, os.X_OK):
            print("difftest: %s not found (--build-dir / --llvm-bin-dir)" % path)
            return 2
    bindings_ok = False
    if any(p.bind for p in programs):
        bindings_ok, why = probe_bindings(tools)
        if not bindings_ok:
            msg = "difftest: the attnres package in %s does not import (%s)" % (
                tools.packages, " ".join(why) or "?")
            if opts.bindings == "require":
                print(msg)
                return 2
            print(msg + "; function-argument runs are skipped", flush=True)
    if opts.out:
        os.makedirs(opts.out, exist_ok=True)

    start = time.time()
    totals = {"programs": 0, "runs": 0, "executed": 0, "dedup": 0, "bind": 0, "failures": 0,
              "known": {}, "bind_skipped": 0}
    features, config_counts = {}, {}
    failed_programs = []
    lock = threading.Lock()
    stop = threading.Event()
    progress_every = max(1, min(100, len(programs) // 10)) if len(programs) >= 50 else 0

    def job(p):
        if stop.is_set():
            return None
        try:
            return run_program(p, tools, opts, bindings_ok)
        except Exception:  # noqa: BLE001 (a bug of this script: report it, go on)
            import traceback
            res = Result(p)
            res.opts = opts
            res.runs = 1
            res.failures.append(Failure(p, None, "difftest", "internal-error",
                                        "difftest.py raised an exception", [],
                                        traceback.format_exc()))
            return res

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs))
    futures = [pool.submit(job, p) for p in programs]
    try:
        for fut in concurrent.futures.as_completed(futures):
            res = fut.result()
            if res is None:
                continue
            with lock:
                totals["programs"] += 1
                totals["runs"] += res.runs
                totals["executed"] += res.executed
                totals["dedup"] += res.dedup
                totals["bind"] += res.bind_runs
                totals["bind_skipped"] += 1 if res.skipped_bindings else 0
                for k, v in res.known.items():
                    totals["known"][k] = totals["known"].get(k, 0) + v
                for feat in res.p.features:
                    features[feat] = features.get(feat, 0) + 1
                for name in res.config_names:
                    for part in name.replace(":", ",").split(","):
                        config_counts[part] = config_counts.get(part, 0) + 1
                for i, f in enumerate(res.failures):
                    totals["failures"] += 1
                    report_failure(f, opts, totals["failures"], brief=i >= 2)
                if res.failures:
                    failed_programs.append(res.p.index)
                if opts.max_failures and totals["failures"] >= opts.max_failures:
                    stop.set()
                if progress_every and totals["programs"] % progress_every == 0:
                    print("difftest: %d/%d programs, %d runs, %d failures, %.0f s"
                          % (totals["programs"], len(programs), totals["runs"],
                             totals["failures"], time.time() - start), flush=True)
    except KeyboardInterrupt:
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    elapsed = time.time() - start

    if opts.coverage:
        print("coverage (programs):")
        for k in sorted(features):
            print("  %-32s %d" % (k, features[k]))
        print("coverage (runs per configuration option):")
        for k in sorted(config_counts):
            print("  %-32s %d" % (k, config_counts[k]))
    known = ", ".join("%s: %d" % kv for kv in sorted(totals["known"].items()))
    print("difftest: seed %d, jobs %d: %d executed, %d same lowering as another configuration, "
          "%d through attnres.compile%s%s"
          % (opts.seed, opts.jobs, totals["executed"], totals["dedup"], totals["bind"],
             ", %d failed with known issues (%s)" % (sum(totals["known"].values()), known)
             if known else "",
             ", bindings unavailable for %d programs" % totals["bind_skipped"]
             if totals["bind_skipped"] else ""))
    if failed_programs:
        print("difftest: failing programs: scripts/difftest.py %s --only %s"
              % (draw_flags(opts), ",".join(str(i) for i in sorted(failed_programs))))
    print("difftest: %d programs, %d runs, %d failures, %.1f s"
          % (totals["programs"], totals["runs"], totals["failures"], elapsed))
    return 1 if totals["failures"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
