// REQUIRES: numpy
// Visible input: Inputs/gen-merge.mlir, the generator's output checked in (kept equal to
// it by attnres-gen-check-input.mlir), run like the generated ones below.
// RUN: attnres-opt %S/Inputs/gen-merge.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %S/Inputs/gen-merge.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --dtype f32 --sources 3 --queries 4 --rows 4 --hidden 32 --seed 221 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --dtype bf16 --sources 2 --queries 3 --rows 4 --hidden 32 --seed 222 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --dtype f32 --dynamic-rows --sources 2 --queries 2 --rows 2x3 --hidden 16 --seed 223 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --dtype f32 --sources 1 --queries 2 --rows 4 --hidden 16 --seed 224 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s

// Two-phase (math §4): depth_attn_stats over n sources, then depth_attn_merge
// of one more source per query, equals the naive site over the n+1 sources.

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
