// REQUIRES: numpy
// The fast CPU kernels on the memref form of the forward ops: a program
// bufferized by upstream's one-shot-bufferize (which keeps the attnres ops,
// in their memref form), then convert-attnres-to-vector (the row kernels
// written into the ops' buffers; no attnres kernel op is left: the
// --implicit-check-not runs), then attnres-to-llvm, executed and compared
// with the float64 numpy reference of scripts/attnres_gen.py (its
// tolerances). Default function-boundary layouts (fully dynamic strides) for
// row-major sources of one token dim; identity layouts where token dims are
// collapsed into rows (a memref.collapse_shape of dynamically strided
// buffers is not guaranteed: such ops stay for convert-attnres-to-linalg,
// convert-attnres-to-vector-destinations.mlir).
//
// Many rows (40: tasks of the forall), peaked logits (|q| scaled by 30).
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --sources 5 --rows 40 --hidden 64 --scale-q 30 --seed 701 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-attnres-to-vector))' | FileCheck %s --check-prefix=KERNEL --implicit-check-not=attnres.depth_attn
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-attnres-to-vector),attnres-to-llvm)' | %run_cpu | FileCheck %s
//
// bf16 pairs (D = 256), 3 rows.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype bf16 --sources 9 --rows 3 --hidden 256 --seed 702 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-attnres-to-vector))' | FileCheck %s --check-prefix=KERNEL --implicit-check-not=attnres.depth_attn
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-attnres-to-vector),attnres-to-llvm)' | %run_cpu | FileCheck %s
//
// Flat softmax (a zero query), one token row (rank-1 sources: a unit row dim), a tensor.empty destination.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --sources 3 --rows none --hidden 8 --query zero --outs empty --seed 703 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-attnres-to-vector))' | FileCheck %s --check-prefix=KERNEL --implicit-check-not=attnres.depth_attn
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-attnres-to-vector),attnres-to-llvm)' | %run_cpu | FileCheck %s
//
// Dynamic rows: 40 (the forall branch of the scf.if) and 1 (the untiled branch).
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --sources 4 --rows 40 --hidden 64 --dynamic-rows --seed 704 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-attnres-to-vector))' | FileCheck %s --check-prefix=KERNEL --implicit-check-not=attnres.depth_attn
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-attnres-to-vector),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --sources 4 --rows 1 --hidden 64 --dynamic-rows --seed 705 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-attnres-to-vector))' | FileCheck %s --check-prefix=KERNEL --implicit-check-not=attnres.depth_attn
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-attnres-to-vector),attnres-to-llvm)' | %run_cpu | FileCheck %s
//
// Two dynamic token dims collapsed into rows (identity layouts: memref.collapse_shape), f16, in-place destination (the last source).
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f16 --sources 3 --rows 2x3 --hidden 96 --dynamic-rows --outs inplace --seed 706 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-vector))' | FileCheck %s --check-prefix=KERNEL --implicit-check-not=attnres.depth_attn
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-vector),attnres-to-llvm)' | %run_cpu | FileCheck %s
//
// depth_attn_stats: two static queries sharing the loops over D (bf16, 2x2 dynamic rows), 20 queries (the per-query loop), a zero query on rank-1 sources.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --dtype bf16 --sources 4 --rows 2x2 --hidden 64 --dynamic-rows --seed 707 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-vector))' | FileCheck %s --check-prefix=KERNEL --implicit-check-not=attnres.depth_attn
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-vector),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --sources 5 --queries 20 --rows 30 --hidden 64 --seed 708 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-attnres-to-vector))' | FileCheck %s --check-prefix=KERNEL --implicit-check-not=attnres.depth_attn
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-attnres-to-vector),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --sources 3 --queries 2 --rows none --hidden 32 --query zero --seed 709 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-attnres-to-vector))' | FileCheck %s --check-prefix=KERNEL --implicit-check-not=attnres.depth_attn
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-attnres-to-vector),attnres-to-llvm)' | %run_cpu | FileCheck %s
//
// depth_attn_merge: the merge of phase 2 in place into the phase-1 output (dynamic rows), and 4 static rows.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --sources 3 --queries 2 --rows 7 --hidden 16 --dynamic-rows --outs inplace --seed 710 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-attnres-to-vector))' | FileCheck %s --check-prefix=KERNEL --implicit-check-not=attnres.depth_attn
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-attnres-to-vector),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --sources 3 --rows 4 --hidden 128 --seed 711 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-attnres-to-vector))' | FileCheck %s --check-prefix=KERNEL --implicit-check-not=attnres.depth_attn
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-attnres-to-vector),attnres-to-llvm)' | %run_cpu | FileCheck %s
//
// The fused ops: a 12-layer Block AttnRes model in two phases whose merges
// carry the next sublayer's PreNorm (depth_attn_merge_norm), and a site with
// its PreNorm (depth_attn_norm, bf16, 2x7 dynamic rows); the fused ops that
// do not keep h get a scratch h buffer.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --layers 12 --block-size 4 --hidden 32 --rows 4 --seed 712 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(canonicalize,attnres-two-phase{mode=force},attnres-fuse-norm-epilogues{producers=merges},convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-vector))' | FileCheck %s --check-prefix=KERNEL --implicit-check-not=attnres.depth_attn
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(canonicalize,attnres-two-phase{mode=force},attnres-fuse-norm-epilogues{producers=merges},convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-vector),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --then-norm --dtype bf16 --sources 5 --rows 2x7 --hidden 128 --dynamic-rows --seed 713 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(attnres-fuse-norm-epilogues,convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-vector))' | FileCheck %s --check-prefix=KERNEL --implicit-check-not=attnres.depth_attn --implicit-check-not=attnres.rms_norm
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(attnres-fuse-norm-epilogues,convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-vector),attnres-to-llvm)' | %run_cpu | FileCheck %s
// The fusion did make the fused ops (checked above to be all lowered):
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(attnres-fuse-norm-epilogues))' | FileCheck %s --check-prefix=FUSED
// FUSED: attnres.depth_attn_norm

// KERNEL: vector.transfer_write
// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
