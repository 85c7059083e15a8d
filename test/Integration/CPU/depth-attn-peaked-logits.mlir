// REQUIRES: numpy
// Peaked softmax (query ~ N(0, (150/sqrt(D))^2): logits with std ~150, gaps
// of tens to hundreds between sources), where the tiny weights would be
// subnormal floats. Every lowering flushes weights below 2^-60 to exact zero
// (kSoftmaxFlushLogitGap); results stay within the float64 reference's
// tolerance for sites, stats, merges, the unfused chain and two-phase.
//
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f32 --sources 9 --rows 64 --hidden 64 --scale-q 18.75 --seed 3101 > %t.site32.mlir
// RUN: attnres-opt %t.site32.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.site32.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.site32.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype bf16 --sources 9 --rows 64 --hidden 64 --scale-q 18.75 --seed 3102 > %t.site16.mlir
// RUN: attnres-opt %t.site16.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.site16.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --dtype f32 --queries 3 --sources 8 --rows 32 --hidden 64 --scale-q 18.75 --seed 3103 > %t.stats.mlir
// RUN: attnres-opt %t.stats.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.stats.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --dtype bf16 --queries 3 --sources 8 --rows 32 --hidden 64 --scale-q 18.75 --seed 3104 > %t.merge.mlir
// RUN: attnres-opt %t.merge.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.merge.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case unfused --dtype f32 --sources 9 --rows 64 --hidden 64 --scale-q 4.6875 --seed 3105 > %t.unfused.mlir
// RUN: attnres-opt %t.unfused.mlir --attnres-to-llvm="two-phase=force" | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.unfused.mlir --attnres-to-llvm="fuse=false" | %run_cpu | FileCheck %s

// The generated programs print, per check, the max error and mismatches.
// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
