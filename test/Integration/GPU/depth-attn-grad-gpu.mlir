// REQUIRES: cuda-gpu, ptxas, numpy
// The fused GPU gradient kernels on a device (row-group kernels and the
// column-sum kernel), with the float64 numpy references and tolerances of
// the CPU gradient tests (attnres_grad_gen.py: 1e-4 (f32) / 1e-2 (bf16) x
// max|ref|): production widths (9 sources, D = 4096 f32 and 7168 bf16),
// more rows than row groups (300 rows in 256 CTAs), 1 row, guarded tails
// (D = 48, 37), flat and peaked softmax, rms_norm_grad, depth_attn_merge_grad,
// depth_attn_stats_grad and a Block AttnRes model's backward.
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dtype f32 --sources 9 --rows 8 --hidden 4096 --seed 801 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dtype bf16 --sources 9 --rows 4 --hidden 7168 --seed 802 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dtype f32 --sources 4 --rows 300 --hidden 256 --seed 803 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dtype f32 --sources 5 --rows 1 --hidden 48 --seed 804 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dtype f32 --sources 3 --rows 2x3 --hidden 37 --dynamic-rows --seed 805 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --query zero --dtype bf16 --sources 4 --rows 4 --hidden 64 --seed 806 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --scale-q 3 --dtype f32 --sources 4 --rows 16 --hidden 128 --seed 807 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --dtype bf16 --rows 64 --hidden 7168 --seed 811 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --dtype f32 --rows 2x5 --hidden 37 --seed 812 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --dtype f32 --rows 40 --hidden 4096 --seed 821 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --dtype bf16 --rows 3x3 --hidden 48 --seed 822 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --dtype bf16 --sources 9 --queries 4 --rows 8 --hidden 7168 --seed 841 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --dtype f32 --sources 4 --queries 3 --rows 300 --hidden 37 --seed 842 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case block-grad --layers 6 --block-size 2 --rows 4 --hidden 64 --seed 831 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
