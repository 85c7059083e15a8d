// REQUIRES: numpy
// Bit-exact bf16 output rounding. With a zero query the site is the mean of
// its sources; for two bf16 sources (a + b) / 2 is exact in f32, so the only
// rounding is the final f32 -> bf16 one, which must be round-to-nearest-even
// (about half of these means are exact ties). Tolerance 0 against numpy's
// rounding of the float64 reference. Runs the bf16 pair path (default), the
// per-element path, the path for D not a multiple of two vectors, and the
// plain linalg lowering.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --query zero --dtype bf16 --query-dtype f32 --sources 2 --rows 16 --hidden 64 --seed 701 --round-ref --atol 0 --rtol 0 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm=bf16-pairs=false | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="streaming-min-bytes=1" | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --query zero --dtype bf16 --query-dtype f32 --sources 2 --rows 16 --hidden 48 --seed 702 --round-ref --atol 0 --rtol 0 > %t.odd.mlir
// RUN: attnres-opt %t.odd.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// The check can fail: the same reference perturbed by a quarter of a bf16 ulp.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --query zero --dtype bf16 --query-dtype f32 --sources 2 --rows 16 --hidden 64 --seed 701 --round-ref --atol 0 --rtol 0 --perturb 1e-3 > %t.bad.mlir
// RUN: attnres-opt %t.bad.mlir --attnres-to-llvm | %run_cpu | FileCheck %s --check-prefix=CHECK-BAD

// CHECK: max_abs_err = 0
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-BAD: FAIL
