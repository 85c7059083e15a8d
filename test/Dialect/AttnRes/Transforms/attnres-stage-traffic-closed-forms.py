# REQUIRES: numpy
# RUN: %python %s %attnres_src_root/scripts attnres-opt | FileCheck %s
#
# attnres-stage-traffic on generated Block/Full AttnRes models (attnres_gen.py
# --stages, real sublayers) of many shapes, against
#  1. the Block AttnRes state machine of math §3 replayed over the chunks
#     (attnres_gen.pipeline_traffic, which never looks at IR), every shape;
#  2. the closed forms of math §5 where they are exact: every chunk completes
#     N_p blocks at its end (chunks of k sublayers, S divides k, L = C·k):
#       Σ naive  - (C-1) = C(C-1)/2 · N_p
#       Σ cached - (P-1) = P(P-1)/2 · N_p + (V-1)·P²·N_p
#     (b_0 crosses every hop naively and the first-stage hops cached), and the
#     peak per hop falls from (C-1)·N_p + 1 to P·N_p.
# A deliberately wrong expectation must be reported (the check can fail).
#
# CHECK-NOT: MISMATCH
# CHECK: fig. 3: naive [1, 2, 2, 3, 3, 4, 4] cached [1, 2, 2, 2, 2, 2, 2]
# CHECK: fig. 3 reusing own blocks: cached [1, 2, 2, 2, 1, 2, 1]
# CHECK: state machine agrees on 16 shapes
# CHECK: closed forms hold on 9 aligned shapes
# CHECK: a wrong expectation is reported
# CHECK: PASS

import os
import re
import subprocess
import sys

scripts, opt = sys.argv[1], sys.argv[2]
sys.path.insert(0, scripts)
import attnres_gen as gen  # noqa: E402

ok = True


def traffic(case, L, S, P, V, reuse=False):
    args = ["--case", case, "--layers", str(L), "--hidden", "8", "--rows", "2",
            "--stages", str(P), "--virtual-stages", str(V), "--seed", str(L * 7 + S)]
    if case == "block":
        args += ["--block-size", str(S)]
    model = subprocess.run([sys.executable, os.path.join(scripts, "attnres_gen.py")] + args,
                           check=True, capture_output=True, text=True).stdout
    flags = "stages=%d virtual-stages=%d%s" % (P, V, " reuse-own-blocks=true" if reuse else "")
    # attnres-opt links its own ASan runtime in sanitizer builds: it must not
    # inherit the shared one `%python` preloads there.
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    out = subprocess.run([opt, "--pass-pipeline=builtin.module(func.func(attnres-stage-traffic{%s}))"
                          % flags, "-"], input=model, check=True, capture_output=True,
                         text=True, env=env).stdout
    m = re.search(r"attnres.stage_traffic = \{([^}]*)\}", out)
    if not m:
        raise SystemExit("MISMATCH: no attnres.stage_traffic for %s" % args)
    fields = {}
    for key, arr in re.findall(r"(\w+) = array<i64(?:: ([0-9, ]*))?>", m.group(1)):
        fields[key] = [int(x) for x in arr.split(",")] if arr else []
    return fields


def check(name, got, want):
    global ok
    if got != want:
        print("MISMATCH %s: got %s, expected %s" % (name, got, want))
        ok = False
        return False
    return True


# Fig. 3 with the paper's numbers.
f = traffic("block", 16, 4, 4, 2)
check("fig3 naive", f["naive_blocks"], [1, 2, 2, 3, 3, 4, 4])
check("fig3 cached", f["cached_blocks"], [1, 2, 2, 2, 2, 2, 2])
print("fig. 3: naive %s cached %s" % (f["naive_blocks"], f["cached_blocks"]))
f = traffic("block", 16, 4, 4, 2, reuse=True)
check("fig3 own", f["cached_blocks"], [1, 2, 2, 2, 1, 2, 1])
print("fig. 3 reusing own blocks: cached %s" % f["cached_blocks"])

# (case, L, S, P, V, N_p if aligned else None)
shapes = [
    ("block", 16, 2, 2, 2, 2),   # chunks of 4 sublayers, 2 blocks each
    ("block", 12, 3, 2, 2, 1),
    ("block", 24, 4, 3, 2, 1),
    ("block", 16, 2, 4, 2, 1),
    ("block", 18, 3, 3, 1, 2),   # V = 1: cached = naive
    ("block", 24, 2, 2, 3, 2),
    ("full", 12, 1, 3, 2, 2),    # Full AttnRes: every output is a block
    ("full", 8, 1, 2, 2, 2),
    ("full", 12, 1, 2, 3, 2),
    ("block", 16, 4, 2, 4, None),  # blocks span two chunks
    ("block", 10, 4, 2, 2, None),  # S does not divide L, uneven chunks
    ("block", 12, 3, 3, 2, None),  # chunks of 2, blocks of 3
    ("block", 6, 8, 2, 2, None),   # one block (N = 1): b_0 and the partial
    ("full", 7, 1, 2, 2, None),    # uneven chunks
    ("block", 5, 2, 2, 3, None),   # L < C: empty chunks relay
    ("block", 12, 4, 1, 3, None),  # P = 1: nothing leaves rank 0
]
closed = 0
for case, L, S, P, V, Np in shapes:
    C = P * V
    name = "%s L=%d S=%d P=%d V=%d" % (case, L, S, P, V)
    f = traffic(case, L, S, P, V)
    naive, cached, partials = gen.pipeline_traffic(L, S, gen.model_chunks(L, C), C, P)
    check(name + " naive", f["naive_blocks"], naive)
    check(name + " cached", f["cached_blocks"], cached)
    check(name + " partials", f["partials"], partials)
    check(name + " others", f["others"], [0] * (C - 1))
    if L >= 8 and case == "block" and P > 1:
        fo = traffic(case, L, S, P, V, reuse=True)
        _, cached_own, _ = gen.pipeline_traffic(L, S, gen.model_chunks(L, C), C, P, True)
        check(name + " cached (own)", fo["cached_blocks"], cached_own)
    if Np is not None:
        n, c = sum(f["naive_blocks"]), sum(f["cached_blocks"])
        check(name + " closed naive", n - (C - 1), C * (C - 1) // 2 * Np)
        check(name + " closed cached", c - (P - 1), P * (P - 1) // 2 * Np + (V - 1) * P * P * Np)
        check(name + " peak naive", max(f["naive_blocks"]), (C - 1) * Np + 1)
        if V > 1:
            check(name + " peak cached", max(f["cached_blocks"]), P * Np)
        closed += 1
print("state machine agrees on %d shapes" % len(shapes))
print("closed forms hold on %d aligned shapes" % closed)

# The comparison can fail.
saved = ok
caught = not check("deliberately wrong", [1, 2, 2, 3], [1, 2, 2, 2])
ok = saved
print("a wrong expectation is reported" if caught else "MISMATCH: wrong expectation not reported")
print("PASS" if ok and caught else "FAIL")
sys.exit(0 if ok and caught else 1)
