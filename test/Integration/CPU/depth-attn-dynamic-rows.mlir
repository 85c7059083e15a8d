// REQUIRES: numpy
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f32 --dynamic-rows --sources 4 --rows 5 --hidden 32 --seed 171 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype bf16 --dynamic-rows --sources 3 --rows 7 --hidden 16 --seed 172 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s

// Dynamic token dimension: @site takes tensor<?xDxE>; @main tensor.casts the
// static inputs in and the result back out.

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
