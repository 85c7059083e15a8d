// REQUIRES: numpy
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --layers 12 --block-size 4 --hidden 16 --rows 0 --seed 291 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm=two-phase=force | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case full --layers 6 --hidden 16 --rows 0 --seed 292 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm=two-phase=force | %run_cpu | FileCheck %s
// Phase 1 without queries, and without token rows (static and dynamic).
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --sources 3 --queries 0 --rows 4 --hidden 16 --seed 293 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --dtype bf16 --sources 3 --queries 2 --rows 2x0 --hidden 32 --seed 294 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --sources 3 --rows 0 --dynamic-rows --hidden 16 --seed 295 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s

// Models and sites without token rows (the docs: zero-row inputs lower): the
// Block model's third block groups three shared sources, so attnres-two-phase
// batches it in auto mode too. Every configuration compiles, runs and agrees
// with the (empty) reference.

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
