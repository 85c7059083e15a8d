"""Runs attnres sites or a Block AttnRes model compiled by iree-compile (from
attnres-export-linalg output) with iree.runtime on the CPU, and compares each
result with the float64 numpy reference of scripts/attnres_gen.py.

Usage: iree_check.py MODULE.vmfb sites|block [--perturb R]

Prints one line per call: name, tokens, max |got - ref|, the tolerance and
PASS/FAIL (an element passes when |got - ref| <= atol + rtol |ref|; NaN
fails), then `all N PASS` or `FAILED: k of N`; exits 1 on any failure.
--perturb R scales the reference by (1 + R) to show the check can fail.
Needs numpy, ml_dtypes and iree-base-runtime (the lit feature `iree`).
"""

import argparse
import os
import sys

import ml_dtypes
import numpy as np
import iree.runtime as ireert

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts"))
import attnres_gen as ref  # noqa: E402  (float64 reference, math §1-§4)

SITE_EPS = 1e-6
# The Python builder's models: RMSNorm and site epsilon 1e-5.
MODEL_EPS = 1e-5
# Tolerances of the suite (scripts/attnres_gen.py: RTOL, ATOL; MODEL_TOL).
TOL = {"f32": (1e-5, 1e-5), "bf16": (1e-2, 1e-4)}  # (rtol, atol x max|V|)
MODEL_TOL = (5e-5, 5e-5)


def load(path):
    config = ireert.Config("local-task")
    ctx = ireert.SystemContext(config=config)
    with open(path, "rb") as f:
        ctx.add_vm_module(ireert.VmModule.copy_buffer(ctx.instance, f.read()))
    return ctx.modules.module


def compare(name, tokens, got, expected, rtol, atol, perturb):
    got = np.asarray(got, np.float64)
    expected = np.asarray(expected, np.float64) * (1.0 + perturb)
    err = np.abs(got - expected)
    ok = got.shape == expected.shape and bool(
        np.all(err <= atol + rtol * np.abs(expected)))
    print("%s T=%d max_abs_err=%.3g (atol %.3g, rtol %.3g) %s"
          % (name, tokens, float(np.nanmax(err)) if err.size else 0.0, atol, rtol,
             "PASS" if ok else "FAIL"))
    return ok


def to_host(x):
    return x.to_host() if hasattr(x, "to_host") else np.asarray(x)


def check_sites(module, rng, perturb):
    results = []
    d = 64

    def site(name, fn, n, tokens, dtype):
        q = rng.standard_normal(d).astype(np.float32)
        np_dtype = ml_dtypes.bfloat16 if dtype == "bf16" else np.float32
        V = [rng.standard_normal((tokens, d)).astype(np_dtype) for _ in range(n)]
        got = to_host(fn(q, *V)).astype(np.float64)
        expected = ref.site([v.astype(np.float64) for v in V], q, SITE_EPS)
        rtol, atol = TOL[dtype]
        scale = max(float(np.abs(v.astype(np.float64)).max()) for v in V)
        results.append(compare(name, tokens, got, expected, rtol, atol * scale,
                               perturb))

    site("site_f32", module.site_f32, 5, 6, "f32")
    site("site_bf16", module.site_bf16, 4, 6, "bf16")
    for tokens in (1, 7, 33):
        site("site_dynamic", module.site_dynamic, 3, tokens, "f32")
    return results


def check_block(module, rng, perturb):
    L, S, d = 12, 4, 32
    results = []
    for tokens in (1, 8, 37):
        emb = rng.standard_normal((tokens, d)).astype(np.float32)
        queries = rng.standard_normal((L + 1, d)).astype(np.float32)
        W = (rng.standard_normal((L, d, d)) / np.sqrt(d)).astype(np.float32)
        g = (1 + 0.1 * rng.standard_normal((L, d))).astype(np.float32)
        got = to_host(module.block_attnres(emb, queries, W, g))
        f64 = lambda a: a.astype(np.float64)
        params = {"W": list(f64(W)), "g": list(f64(g)),
                  "q": list(f64(queries[:L])), "q_out": f64(queries[L])}
        expected = ref.block_attnres(f64(emb), params, S, MODEL_EPS, MODEL_EPS)
        rtol, atol = MODEL_TOL
        results.append(compare("block_attnres", tokens, got, expected, rtol,
                               atol, perturb))
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("vmfb")
    ap.add_argument("case", choices=["sites", "block"])
    ap.add_argument("--perturb", type=float, default=0.0)
    args = ap.parse_args()
    module = load(args.vmfb)
    rng = np.random.default_rng(2026)
    check = check_sites if args.case == "sites" else check_block
    results = check(module, rng, args.perturb)
    failed = results.count(False)
    if failed:
        print("FAILED: %d of %d" % (failed, len(results)))
        return 1
    print("all %d PASS" % len(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
