// REQUIRES: numpy
// depth_attn_merge_norm: two-phase merges each followed by the next
// sublayer's PreNorm (attnres_gen.py --case merge --then-norm), fused by
// attnres-fuse-norm-epilogues and run against float64 references (h, and
// rms_norm of the reference h with h's error propagated): the CPU merge
// kernel (h kept or not), the plain linalg lowering, the emulated GPU merge
// kernel, and the fused op bufferized (memref form, destinations) and then
// decomposed on buffers. f32/bf16, 1 row and many, dynamic rows, flat
// (zero queries) and peaked (scale-q 20) logits.
//
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --then-norm --sources 3 --queries 2 --rows 7 --hidden 64 --seed 601 > %t.1.mlir
// RUN: attnres-opt %t.1.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.1.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.1.mlir --pass-pipeline='builtin.module(func.func(attnres-fuse-norm-epilogues{producers=merges},convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.1.mlir --pass-pipeline='builtin.module(func.func(attnres-fuse-norm-epilogues))' | FileCheck %s --check-prefix=FUSED
// RUN: attnres-opt %t.1.mlir --pass-pipeline='builtin.module(func.func(attnres-fuse-norm-epilogues))' | attnres-opt --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=BUFFERS
// RUN: attnres-opt %t.1.mlir --pass-pipeline='builtin.module(func.func(attnres-fuse-norm-epilogues))' | attnres-opt --one-shot-bufferize="bufferize-function-boundaries" --convert-attnres-to-linalg --attnres-to-llvm | %run_cpu | FileCheck %s
//
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --then-norm --norm-only --dtype bf16 --sources 3 --queries 3 --rows 2x3 --dynamic-rows --hidden 64 --scale-q 20 --seed 602 > %t.2.mlir
// RUN: attnres-opt %t.2.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.2.mlir --pass-pipeline='builtin.module(func.func(attnres-fuse-norm-epilogues{producers=merges},convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.2.mlir --pass-pipeline='builtin.module(func.func(attnres-fuse-norm-epilogues))' | attnres-opt --one-shot-bufferize="bufferize-function-boundaries" --convert-attnres-to-linalg --attnres-to-llvm | %run_cpu | FileCheck %s
//
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --then-norm --norm-only --sources 4 --queries 1 --rows 1 --hidden 256 --query zero --seed 603 > %t.3.mlir
// RUN: attnres-opt %t.3.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.3.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL

// FUSED-LABEL: func.func @merge
// FUSED-COUNT-2: attnres.depth_attn_merge_norm {{.*}} -> tensor<7x64xf32>, tensor<7x64xf32>
// FUSED-NOT: attnres.rms_norm
// BUFFERS-LABEL: func.func @merge
// BUFFERS: attnres.depth_attn_merge_norm {{.*}} outs(%{{.*}}, %{{.*}} : memref<7x64xf32>, memref<7x64xf32>)
