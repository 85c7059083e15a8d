// REQUIRES: numpy
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f32 --rows 2x3 --sources 4 --hidden 16 --seed 191 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f16 --rows 3x2 --dynamic-rows --sources 3 --hidden 32 --seed 192 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s

// Rank-3 sources tensor<B x T x D x E>: two token dimensions, static and dynamic.

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
