// REQUIRES: numpy
// Visible input: Inputs/gen-block-model.mlir, the generator's output checked in (kept equal to
// it by attnres-gen-check-input.mlir), run like the generated ones below.
// RUN: attnres-opt %S/Inputs/gen-block-model.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %S/Inputs/gen-block-model.mlir --attnres-to-llvm="two-phase=off" | %run_cpu | FileCheck %s
// RUN: attnres-opt %S/Inputs/gen-block-model.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --layers 12 --block-size 4 --hidden 16 --rows 4 --seed 241 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="two-phase=force" | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="two-phase=off" | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=true parallel=false vector-width=4 rows-per-task=1" | %run_cpu | FileCheck %s

// Block AttnRes (math §3): L = 12 sublayers in blocks of S = 4, plus the output
// site over [b_0, b_1, b_2, b_3], end to end against the numpy reference.

// Every schedule and lowering gives the same numbers: two-phase forced or off,
// the plain linalg loops, and the vector kernels sequential with other tiling.

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
