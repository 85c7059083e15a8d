"""Checks the frontend corpus (scripts/torch_corpus.py exports) end to end:
every file parses, `attnres-raise` finds exactly the module's AttnRes sites
(none in the negatives, whose IR must come out unchanged), and the frontend IR
and the raised IR both compile for the CPU (attnres-to-llvm) and match PyTorch's
own float64 evaluation of the module (stored next to each file, not computed by
attnres) within the file's stated tolerance: max |y - ref| / max(1, max |ref|).

Usage: corpus_check.py GLOB [--tosa]   (prints one line per file, then PASS)
GLOB is relative to this directory (e.g. "site-*"), or a path.
"""

import glob
import os
import sys

import numpy as np

import attnres

HERE = os.path.dirname(os.path.abspath(__file__))


def inputs(z):
    n = len([k for k in z.files if k.startswith("arr_")])
    args = [z["arr_%d" % i] for i in range(n)]
    if str(z["dtype"]) == "bf16":
        args = [attnres.f32_to_bf16(a) for a in args]
    return args


def run(ir, args, bf16):
    y = attnres.compile(ir, "forward")(*args)
    if bf16:
        y = attnres.bf16_to_f32(y)
    return np.asarray(y, np.float64)


def main():
    pattern = sys.argv[1]
    tosa = "--tosa" in sys.argv
    suffix = ".tosa.mlir" if tosa else ".linalg.mlir"
    files = sorted(glob.glob(os.path.join(HERE, pattern + suffix)))
    assert files, "no corpus files match %r" % pattern
    failures = 0
    for path in files:
        name = os.path.basename(path)[:-len(suffix)]
        z = np.load(os.path.join(os.path.dirname(path), name + ".npz"))
        bf16 = str(z["dtype"]) == "bf16"
        text = open(path).read()
        frontend = attnres.Module.parse(text)
        if tosa:
            frontend.run_pipeline("builtin.module(tosa-to-linalg-pipeline,"
                                  "func.func(tosa-to-tensor,tosa-to-arith))")
            raised = attnres.Module.parse(text)
            raised.run_pipeline("attnres-raise-tosa")
        else:
            raised = attnres.Module.parse(text)
            raised.run_pipeline("builtin.module(func.func(attnres-raise))")
        raised_text = str(raised)
        sites = raised_text.count("attnres.depth_attn")
        expected = int(z["sites"])
        ok = sites == expected
        if expected == 0:
            # A negative: the pass leaves the IR exactly as it was.
            ok = ok and raised_text == str(frontend)
        elif name.startswith("site-"):
            # A lone site is raised whole: no softmax or norm is left over.
            ok = ok and "math.exp" not in raised_text and "rsqrt" not in raised_text \
                and "math.sqrt" not in raised_text
        args = inputs(z)
        ref = z["ref"]
        scale = max(1.0, float(np.abs(ref).max()))
        err_frontend = np.abs(run(str(frontend), args, bf16) - ref).max() / scale
        err_raised = np.abs(run(raised_text, args, bf16) - ref).max() / scale
        tol = float(z["tol"])
        ok = ok and err_raised <= tol and err_frontend <= tol
        failures += not ok
        print("%s %-36s sites %d/%d  frontend err %.1e  raised err %.1e  (tol %.0e)"
              % ("ok  " if ok else "FAIL", name, sites, expected, err_frontend,
                 err_raised, tol))
    print("FAIL" if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
