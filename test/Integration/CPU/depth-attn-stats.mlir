// REQUIRES: numpy
// Visible input: Inputs/gen-stats.mlir, the generator's output checked in (kept equal to
// it by attnres-gen-check-input.mlir), run like the generated ones below.
// RUN: attnres-opt %S/Inputs/gen-stats.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %S/Inputs/gen-stats.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --dtype f32 --sources 3 --queries 4 --rows 4 --hidden 32 --seed 211 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --dtype bf16 --dynamic-rows --sources 3 --queries 4 --rows 4 --hidden 16 --seed 212 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// bf16 with D = 64: the even/odd pair path, batched (3 static queries) and
// per query (17 queries, more than the batched kernel takes), and without it.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --dtype bf16 --query-dtype f32 --sources 5 --queries 3 --rows 6 --hidden 64 --seed 214 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm=bf16-pairs=false | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --dtype bf16 --sources 3 --queries 17 --rows 4 --hidden 64 --seed 215 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --dtype f32 --sources 1 --queries 2 --rows none --hidden 16 --seed 213 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s

// Two-phase, phase 1 (math §4): depth_attn_stats' normalized output and
// log-sum-exp for S queries against the reference.

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
