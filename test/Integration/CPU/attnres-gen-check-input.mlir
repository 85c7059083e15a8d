// REQUIRES: numpy
// The checked-in generated inputs under Inputs/gen-*.mlir (the visible IR of
// each integration family: sites f32/bf16/f16, stats, merge, the unfused
// chain, the Block model, the two-phase model, gradients; the GPU emulation
// tests run some of them too) must be exactly what the generators write for
// the arguments in their headers, so they cannot drift from the generators
// and their float64 references. After an intended generator change:
// scripts/attnres_gen.py --update-input FILE (docs/testing.md).
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --check-input %S/Inputs/gen-site-f32.mlir | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --check-input %S/Inputs/gen-site-bf16.mlir | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --check-input %S/Inputs/gen-site-f16.mlir | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --check-input %S/Inputs/gen-stats.mlir | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --check-input %S/Inputs/gen-merge.mlir | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --check-input %S/Inputs/gen-unfused.mlir | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --check-input %S/Inputs/gen-block-model.mlir | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --check-input %S/Inputs/gen-block-two-phase.mlir | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --check-input %S/Inputs/gen-site-grad.mlir | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --check-input %S/Inputs/gen-block-grad.mlir | FileCheck %s
// CHECK: reproduced by the generator
//
// The check can fail: an edited copy (one constant changed) is reported with
// a diff and a non-zero exit.
// RUN: sed 's/dense<\[\[\(-\{0,1\}\)0\./dense<[[\11./' %S/Inputs/gen-site-f32.mlir > %t.edited.mlir
// RUN: not %python %attnres_src_root/scripts/attnres_gen.py --check-input %t.edited.mlir | FileCheck %s --check-prefix=EDITED
// EDITED: +++ generated now
// EDITED: differs from what the generator writes now
//
// The generators need no build: they load attnres.ir and attnres.builders
// from python-bindings/ without the package's __init__ (no native module),
// whatever PYTHONPATH holds.
// RUN: env PYTHONPATH= %python -c "import sys; sys.path.insert(0, '%attnres_src_root/scripts'); import attnres_gen; print('loaded', attnres_gen.IR.__name__, attnres_gen.B.__name__, 'attnres' in sys.modules, any(m.endswith('_attnres') for m in sys.modules))" | FileCheck %s --check-prefix=NOBUILD
// NOBUILD: loaded _attnres_pure.ir _attnres_pure.builders False False
//
// A file without a generator header is rejected.
// RUN: not %python %attnres_src_root/scripts/attnres_gen.py --check-input %s 2>&1 | FileCheck %s --check-prefix=NOHEADER
// NOHEADER: no '// attnres_gen.py args:' or '// attnres_grad_gen.py' header line
