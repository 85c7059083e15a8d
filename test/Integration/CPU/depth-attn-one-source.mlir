// REQUIRES: numpy
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --sources 1 --dtype f32 --rows 4 --hidden 32 --seed 141 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --sources 1 --dtype bf16 --rows 4 --hidden 32 --seed 142 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --sources 1 --dtype f16 --rows 2x3 --hidden 16 --dynamic-rows --seed 143 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s

// Math §1, check 2: one source gives h = V_0 exactly (tolerance 0) in every type.

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
