// REQUIRES: numpy
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --rows 8 --hidden 64 --seed 521 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --dtype bf16 --rows 8 --hidden 64 --seed 522 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --rows 1 --hidden 48 --seed 523 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --rows 2x3 --hidden 16 --scale-v 100 --seed 524 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// No token rows (static 0): empty source gradients, a zero query/gain gradient.
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --rows 0 --hidden 16 --seed 9 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// The fused kernel with many row tiles (several dgain accumulators), rank 1:
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --dtype bf16 --rows 37 --hidden 64 --seed 527 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm="rows-per-task=3" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --rows '' --hidden 16 --seed 528 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// The check can fail: the first case with every expected value moved by 1e-2.
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --rows 8 --hidden 64 --seed 521 --perturb 1e-2 > %t.bad.mlir
// RUN: attnres-opt %t.bad.mlir --attnres-to-llvm | %run_cpu | FileCheck %s --check-prefix=CHECK-BAD

// rms_norm_grad against float64 numpy gradients checked by finite differences
// (scripts/attnres_grad_gen.py). Tolerance: f32 1e-4, bf16 1e-2 (rtol, and atol
// x max|ref| of each result). Every case runs the fused kernel (default) and
// the linalg lowering (fast-kernels=false).

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
// CHECK-BAD: FAIL
