// REQUIRES: numpy
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --query zero --dtype f32 --sources 6 --rows 4 --hidden 32 --seed 131 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --query zero --dtype bf16 --sources 3 --rows 4 --hidden 16 --seed 132 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s

// Math §1, check 1: a zero query gives the mean of the sources (the generator
// asserts that its reference is the mean). Catches a swap of keys and values.

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
