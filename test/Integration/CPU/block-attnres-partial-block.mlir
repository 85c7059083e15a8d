// REQUIRES: numpy
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --layers 13 --block-size 4 --hidden 16 --rows 4 --seed 251 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="two-phase=force" | %run_cpu | FileCheck %s

// Block AttnRes (math §3) with a partial last block: L = 13, S = 4, so the
// output site sees [b_0, b_1, b_2, b_3, partial of sublayer 12].

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
