// REQUIRES: numpy
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --sources 3 --queries 3 --rows 4 --hidden 32 --seed 531 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --dtype bf16 --sources 3 --queries 2 --rows 8 --hidden 64 --seed 532 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --sources 2 --queries 4 --rows 1 --hidden 32 --scale-q 3 --seed 533 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --sources 4 --queries 2 --rows 2x3 --hidden 16 --query zero --seed 534 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --rows 8 --hidden 32 --seed 535 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --dtype bf16 --rows 8 --hidden 64 --seed 536 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --rows 1 --hidden 32 --scale-q 3 --seed 537 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// The fused merge-gradient kernel with many row tiles (several dq
// accumulators), a rank-3 and a rank-1 source:
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --dtype bf16 --rows 37 --hidden 64 --seed 517 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm="rows-per-task=3" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --rows 2x3 --hidden 16 --seed 518 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm="rows-per-task=2" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --rows '' --hidden 16 --seed 519 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// The fused phase-1 gradient kernel with 9 sources and 4 queries, many row
// tiles and small source groups, and a rank-1 source:
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --sources 9 --queries 4 --rows 37 --hidden 32 --seed 538 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="rows-per-task=3 sources-per-loop=4" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --sources 3 --queries 1 --rows '' --hidden 16 --seed 539 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// The check can fail: the first case with every expected value moved by 1e-2.
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --sources 3 --queries 3 --rows 4 --hidden 32 --seed 531 --perturb 1e-2 > %t.bad.mlir
// RUN: attnres-opt %t.bad.mlir --attnres-to-llvm | %run_cpu | FileCheck %s --check-prefix=CHECK-BAD

// The two-phase backward: depth_attn_stats (its LSE saved) then
// depth_attn_stats_grad, and depth_attn_merge_grad, against float64 numpy
// gradients checked by finite differences of the forward references
// (scripts/attnres_grad_gen.py; its --self-test also checks that the chained
// merge and stats gradients equal the site gradients). Tolerance: f32 1e-4,
// bf16 1e-2. Every case runs the fused kernels of depth_attn_stats_grad and
// depth_attn_merge_grad (default) and the linalg lowering (fast-kernels=false).

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
// CHECK-BAD: FAIL
