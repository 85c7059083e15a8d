// The CPU gradient kernels on the memref form: gradient programs bufferized
// with upstream's one-shot-bufferize (the gradient ops keep their memref
// form, one destination buffer per result), then
// func.func(convert-attnres-to-vector) lowers every gradient op on its
// buffers (no gradient op is left: --implicit-check-not; rows-per-task=4
// makes many-row calls several tasks whose partial dq/dγ rows are summed),
// then attnres-to-llvm (nothing attnres left for it but the deallocation of
// the kernels' task accumulators) and the results match the float64 numpy
// gradients of scripts/attnres_grad_gen.py, themselves checked against
// finite differences of the forward references. Tolerances (the
// generator's): atol = 1e-4 x max|ref| for f32, 1e-2 x max|ref| for bf16,
// per result.
//
// REQUIRES: numpy
//
// DEFINE: %{kernels} = attnres-opt --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-vector{rows-per-task=4}))'
// DEFINE: %{nograd} = --implicit-check-not=attnres.depth_attn_grad --implicit-check-not=attnres.rms_norm_grad --implicit-check-not=attnres.depth_attn_stats_grad --implicit-check-not=attnres.depth_attn_merge_grad
//
// depth_attn_grad: many rows (16 tasks), f32, no destinations; bf16 with
// dynamic rows and query length and tensor.empty destinations; peaked
// softmax (large |q|) with the operands as destinations; flat softmax (zero
// query) with one token row (rank 1).
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 3 --rows 64 --hidden 32 --seed 601 > %t.site.mlir
// RUN: %{kernels} %t.site.mlir -o %t.site.vec.mlir
// RUN: FileCheck %s --check-prefix=SITE %{nograd} < %t.site.vec.mlir
// RUN: attnres-opt %t.site.vec.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dtype bf16 --sources 4 --rows 2x5 --hidden 32 --dynamic-rows --outs empty --seed 602 > %t.site-dyn.mlir
// RUN: %{kernels} %t.site-dyn.mlir -o %t.site-dyn.vec.mlir
// RUN: FileCheck %s --check-prefix=DYN %{nograd} < %t.site-dyn.vec.mlir
// RUN: attnres-opt %t.site-dyn.vec.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 5 --rows 6 --hidden 16 --scale-q 10 --outs inplace --seed 603 > %t.site-peaked.mlir
// RUN: %{kernels} %t.site-peaked.mlir -o %t.site-peaked.vec.mlir
// RUN: FileCheck %s --check-prefix=KERNEL %{nograd} < %t.site-peaked.vec.mlir
// RUN: attnres-opt %t.site-peaked.vec.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 3 --rows "" --hidden 16 --query zero --outs empty --seed 604 > %t.site-flat.mlir
// RUN: %{kernels} %t.site-flat.mlir -o %t.site-flat.vec.mlir
// RUN: FileCheck %s --check-prefix=KERNEL %{nograd} < %t.site-flat.vec.mlir
// RUN: attnres-opt %t.site-flat.vec.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
//
// rms_norm_grad: f32, many rows; bf16, one row, the operands as
// destinations (dγ summed in f32, rounded into its bf16 buffer).
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --rows 4x16 --hidden 32 --seed 611 > %t.norm.mlir
// RUN: %{kernels} %t.norm.mlir -o %t.norm.vec.mlir
// RUN: FileCheck %s --check-prefix=NORM %{nograd} < %t.norm.vec.mlir
// RUN: attnres-opt %t.norm.vec.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --dtype bf16 --rows 1 --hidden 64 --outs inplace --seed 612 > %t.norm16.mlir
// RUN: %{kernels} %t.norm16.mlir -o %t.norm16.vec.mlir
// RUN: FileCheck %s --check-prefix=KERNEL %{nograd} < %t.norm16.vec.mlir
// RUN: attnres-opt %t.norm16.vec.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
//
// depth_attn_stats_grad (after depth_attn_stats, also on its memref form):
// f32 with tensor.empty destinations; bf16, peaked, the operands as
// destinations.
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --sources 3 --queries 2 --rows 7 --hidden 16 --outs empty --seed 621 > %t.stats.mlir
// RUN: %{kernels} %t.stats.mlir -o %t.stats.vec.mlir
// RUN: FileCheck %s --check-prefix=STATS %{nograd} < %t.stats.vec.mlir
// RUN: attnres-opt %t.stats.vec.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --dtype bf16 --sources 4 --queries 3 --rows 2x3 --hidden 32 --scale-q 8 --outs inplace --seed 622 > %t.stats16.mlir
// RUN: %{kernels} %t.stats16.mlir -o %t.stats16.vec.mlir
// RUN: FileCheck %s --check-prefix=KERNEL %{nograd} < %t.stats16.vec.mlir
// RUN: attnres-opt %t.stats16.vec.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
//
// depth_attn_merge_grad: f32, many rows; bf16, the operands as
// destinations; flat (zero query), one row.
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --rows 48 --hidden 32 --seed 631 > %t.merge.mlir
// RUN: %{kernels} %t.merge.mlir -o %t.merge.vec.mlir
// RUN: FileCheck %s --check-prefix=MERGE %{nograd} < %t.merge.vec.mlir
// RUN: attnres-opt %t.merge.vec.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --dtype bf16 --rows 3x4 --hidden 16 --outs inplace --seed 632 > %t.merge16.mlir
// RUN: %{kernels} %t.merge16.mlir -o %t.merge16.vec.mlir
// RUN: FileCheck %s --check-prefix=KERNEL %{nograd} < %t.merge16.vec.mlir
// RUN: attnres-opt %t.merge16.vec.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --rows 1 --hidden 16 --query zero --outs empty --seed 633 > %t.merge-flat.mlir
// RUN: %{kernels} %t.merge-flat.mlir -o %t.merge-flat.vec.mlir
// RUN: FileCheck %s --check-prefix=KERNEL %{nograd} < %t.merge-flat.vec.mlir
// RUN: attnres-opt %t.merge-flat.vec.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
//
// The comparison can fail: expected values moved by 0.05 must print FAIL.
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 3 --rows 8 --hidden 16 --outs empty --perturb 0.05 --seed 641 > %t.perturbed.mlir
// RUN: %{kernels} %t.perturbed.mlir | attnres-opt --attnres-to-llvm | %run_cpu | FileCheck %s --check-prefix=PERTURBED

// The task forall on the buffers, its task-partial dq rows a memref.alloc.
// SITE-LABEL: func.func @grad(
// SITE:         memref.alloc(%[[N:.*]]) {alignment = 64 : i64} : memref<?x32xf32>
// SITE:         scf.forall (%{{.*}}) in (%[[N]]) {
// SITE-COUNT-3:   memref.subview %{{.*}} : memref<64x32xf32> to memref<?x32xf32, strided<[32, 1], offset: ?>>
// SITE:           memref.subview %{{.*}} : memref<?x32xf32> to memref<1x32xf32, strided<[32, 1], offset: ?>>
// SITE-NOT:     tensor.
// SITE:         return

// DYN-LABEL: func.func @grad(
// DYN:         memref.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : memref<?x?x32xbf16> into memref<?x32xbf16>
// DYN:         scf.forall
// DYN:           vector.transfer_write %{{.*}} : vector<16xbf16>, memref<?x32xbf16, strided<[32, 1], offset: ?>>
// DYN:         return

// KERNEL-LABEL: func.func @grad(
// KERNEL:         scf.forall
// KERNEL:           memref.subview
// KERNEL:         return

// NORM-LABEL: func.func @grad(
// NORM:         memref.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : memref<4x16x32xf32> into memref<64x32xf32>
// NORM:         scf.forall
// NORM:         return

// The forward depth_attn_stats is lowered on its buffers too (a forall
// tiled by scf::tileUsingSCF), then the gradient with [tasks, 2, 16]
// accumulators.
// STATS-LABEL: func.func @grad(
// STATS:         scf.forall (%{{.*}}) = (0) to (7) step (4) {
// STATS:         memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x2x16xf32>
// STATS:         scf.forall (%{{.*}}) in (%{{.*}}) {
// STATS-NOT:     attnres.
// STATS:         return

// MERGE-LABEL: func.func @grad(
// MERGE:         scf.forall
// MERGE:           memref.store %{{.*}} : memref<?xf32, strided<[1], offset: ?>>
// MERGE:         return

// CHECK: PASS
// CHECK-NOT: FAIL

// PERTURBED: FAIL
