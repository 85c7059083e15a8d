// REQUIRES: numpy
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case full --layers 12 --hidden 16 --rows 4 --seed 231 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="two-phase=force" | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s

// Full AttnRes (math §2; block size 1): L = 12 sublayers plus the output site,
// end to end against the numpy reference.

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
