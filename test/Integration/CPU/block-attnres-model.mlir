// REQUIRES: numpy
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --layers 12 --block-size 4 --hidden 16 --rows 4 --seed 241 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s

// Block AttnRes (math §3): L = 12 sublayers in blocks of S = 4, plus the output
// site over [b_0, b_1, b_2, b_3], end to end against the numpy reference.

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
