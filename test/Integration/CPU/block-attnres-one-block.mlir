// REQUIRES: numpy
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --layers 12 --block-size 12 --hidden 16 --rows 4 --seed 261 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s

// Block AttnRes (math §3) with N = 1 block (S = L = 12): every site is a
// two-way softmax between the embedding and the running sum.

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
