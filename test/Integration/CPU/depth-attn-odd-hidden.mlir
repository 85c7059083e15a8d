// REQUIRES: numpy
// Hidden sizes that are not multiples of any vector width (D = 1, 3, 17, 33):
// the CPU kernels fall back to narrower vectors, the GPU decomposition to
// guarded chunks; both match the numpy reference.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f32 --sources 3 --rows 3 --hidden 1 --seed 801 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype bf16 --sources 3 --rows 3 --hidden 3 --seed 802 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f16 --sources 4 --rows 2x3 --hidden 17 --dynamic-rows --seed 803 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --dtype f32 --sources 3 --rows 3 --hidden 33 --seed 804 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
