// REQUIRES: numpy
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f32 --rows none --sources 4 --hidden 32 --seed 181 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype bf16 --rows none --sources 3 --hidden 16 --seed 182 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s

// Rank-1 sources tensor<D x E>: no token dimensions (one row).

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
