// RUN: attnres-opt %s --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{grad-row-groups=64}))' --split-input-file | FileCheck %s
// RUN: attnres-opt %s --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}))' --split-input-file | FileCheck %s --check-prefix=EMU
// RUN: not attnres-opt %s --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{grad-row-groups=0}))' --split-input-file 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: grad-row-groups must be at least 1
// The kernels take the memref form: the tensor-form ops below are bufferized
// first (one-shot-bufferize keeps them).

// depth_attn_grad, D = 1024 bf16: 128 vectors of 8, 64 threads x 2 chunks.
// min(rows, 64) CTAs, each taking every G-th row; shared memory: the
// [3, 32] reduction scratch and (s, ρ, a) of the 2 sources. Pass 1 streams
// the sources (loop picking the source by index, 3 CTA reductions), a
// barrier, pass 2 streams them again, storing dV_j by index and carrying the
// dq chunks; the CTA writes its dq partial row, then the column-sum kernel
// (256 threads: 32 vectors x 8 group slots) adds the partial rows.
// CHECK-LABEL: func.func @site_grad
// The outs buffers (one-shot-bufferize's allocations) are the kernels'
// outputs; the [G, D] partials are the lowering's workspace, freed after the
// column sum.
// CHECK-DAG: %[[DQ:.*]] = memref.alloc() {{.*}} : memref<1024xbf16>
// CHECK-DAG: %[[DV0:.*]] = memref.alloc(%{{.*}}) {{.*}} : memref<?x1024xbf16>
// CHECK-DAG: %[[DV1:.*]] = memref.alloc(%{{.*}}) {{.*}} : memref<?x1024xbf16>
// CHECK: %[[G:.*]] = arith.minui %[[ROWS:.*]], %{{.*}} : index
// CHECK: %[[PART:.*]] = memref.alloc(%[[G]]) : memref<?x1024xf32>
// CHECK: gpu.launch blocks(%[[CTA:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[G]], {{.*}} threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c64, {{.*}} dynamic_shared_memory_size %c408_i32
// CHECK: memref.view {{.*}} to memref<3x32xf32, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<6xf32, #gpu.address_space<workgroup>>
// CHECK: %[[ACC:.*]]:2 = scf.for %[[ROW:.*]] = %[[CTA]] to %[[ROWS]] step %[[G]] iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>)
// CHECK: scf.for
// CHECK: scf.index_switch
// CHECK-COUNT-2: vector.load %{{.*}}[%[[ROW]], %{{.*}}] {alignment = 16 : i64} : memref<?x1024xbf16>, vector<8xbf16>
// CHECK: gpu.shuffle xor
// CHECK: gpu.barrier
// CHECK: llvm.loop_annotation
// CHECK: gpu.barrier
// CHECK: scf.for {{.*}} iter_args
// CHECK: scf.index_switch
// CHECK: scf.index_switch
// CHECK-COUNT-2: vector.store %{{.*}}, %[[DV0]][%[[ROW]], %{{.*}}] {alignment = 16 : i64} : memref<?x1024xbf16>, vector<8xbf16>
// CHECK-COUNT-2: vector.store %{{.*}}, %[[DV1]][%[[ROW]], %{{.*}}] {alignment = 16 : i64} : memref<?x1024xbf16>, vector<8xbf16>
// CHECK: llvm.loop_annotation
// CHECK: gpu.barrier
// CHECK: vector.store %[[ACC]]#0, %[[PART]][%[[CTA]], %{{.*}}] {alignment = 16 : i64} : memref<?x1024xf32>, vector<8xf32>
// CHECK: vector.store %[[ACC]]#1, %[[PART]][%[[CTA]], %{{.*}}]
// CHECK: gpu.terminator
// CHECK: gpu.launch {{.*}} threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c256, {{.*}} dynamic_shared_memory_size
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c8 iter_args
// CHECK: vector.load %[[PART]]
// CHECK: gpu.barrier
// CHECK: vector.store %{{.*}}, %[[DQ]][%{{.*}}] {alignment = 16 : i64} : memref<1024xbf16>, vector<8xbf16>
// CHECK: memref.dealloc %[[PART]]
// CHECK-NOT: attnres.

// The emulation leaves its workspace to the deallocation that follows it.
// EMU-LABEL: func.func @site_grad
// EMU-NOT: gpu.launch
// EMU: scf.forall
// EMU: scf.for
// EMU: scf.forall
// EMU-NOT: attnres.
func.func @site_grad(%q: tensor<1024xbf16>, %v0: tensor<?x1024xbf16>, %v1: tensor<?x1024xbf16>, %g: tensor<?x1024xbf16>) -> (tensor<1024xbf16>, tensor<?x1024xbf16>, tensor<?x1024xbf16>) {
  %dq, %dv:2 = attnres.depth_attn_grad %q, [%v0, %v1], %g : tensor<1024xbf16>, tensor<?x1024xbf16>, tensor<?x1024xbf16> -> tensor<1024xbf16>, tensor<?x1024xbf16>
  return %dq, %dv#0, %dv#1 : tensor<1024xbf16>, tensor<?x1024xbf16>, tensor<?x1024xbf16>
}

// -----

// rms_norm_grad and depth_attn_merge_grad: one CTA reduction per row (2 and
// 3 values), rows read once; static rows: min(8, 64) = 8 CTAs.
// CHECK-LABEL: func.func @norm_grad
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c8,
// CHECK: scf.for
// CHECK: gpu.shuffle xor
// CHECK: gpu.terminator
// CHECK: gpu.launch
// CHECK-NOT: attnres.
// EMU-LABEL: func.func @norm_grad
// EMU-NOT: attnres.
func.func @norm_grad(%x: tensor<8x256xf32>, %gain: tensor<256xf32>, %g: tensor<8x256xf32>) -> (tensor<8x256xf32>, tensor<256xf32>) {
  %dx, %dgain = attnres.rms_norm_grad %x, %gain, %g : tensor<8x256xf32>, tensor<256xf32>
  return %dx, %dgain : tensor<8x256xf32>, tensor<256xf32>
}

// -----

// CHECK-LABEL: func.func @merge_grad
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c6,
// CHECK: gpu.shuffle xor
// CHECK: gpu.launch
// CHECK-NOT: attnres.
// EMU-LABEL: func.func @merge_grad
// EMU-NOT: attnres.
func.func @merge_grad(%o: tensor<2x3x64xf32>, %lse: tensor<2x3xf32>, %q: tensor<64xf32>, %u: tensor<2x3x64xf32>, %g: tensor<2x3x64xf32>) -> (tensor<2x3x64xf32>, tensor<2x3xf32>, tensor<64xf32>, tensor<2x3x64xf32>) {
  %do, %dlse, %dq, %du = attnres.depth_attn_merge_grad %o, %lse, %q, %u, %g : tensor<2x3x64xf32>, tensor<2x3xf32>, tensor<64xf32>
  return %do, %dlse, %dq, %du : tensor<2x3x64xf32>, tensor<2x3xf32>, tensor<64xf32>, tensor<2x3x64xf32>
}

// -----

// depth_attn_stats_grad, 2 queries: [G, 2, D] partial dQ rows (each CTA
// zeroes and updates its own), summed as [G, 2·D] by the column-sum kernel.
// CHECK-LABEL: func.func @stats_grad
// CHECK: %[[PART:.*]] = memref.alloc() : memref<4x2x64xf32>
// CHECK: gpu.launch
// CHECK: gpu.shuffle xor
// CHECK: vector.store {{.*}}, %[[PART]]
// CHECK: gpu.terminator
// CHECK: memref.collapse_shape %[[PART]] {{\[}}[0], [1, 2]] : memref<4x2x64xf32> into memref<4x128xf32>
// CHECK: memref.collapse_shape %{{.*}} {{\[\[}}0, 1]] : memref<2x64xf32> into memref<128xf32>
// CHECK: gpu.launch
// CHECK: memref.dealloc %[[PART]]
// CHECK-NOT: attnres.
// EMU-LABEL: func.func @stats_grad
// EMU-NOT: attnres.
func.func @stats_grad(%Q: tensor<2x64xf32>, %v0: tensor<4x64xf32>, %v1: tensor<4x64xf32>, %lse: tensor<2x4xf32>, %do: tensor<2x4x64xf32>, %dlse: tensor<2x4xf32>) -> (tensor<2x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>) {
  %dQ, %dv:2 = attnres.depth_attn_stats_grad %Q, [%v0, %v1], %lse, %do, %dlse : tensor<2x64xf32>, tensor<4x64xf32>, tensor<2x4xf32>, tensor<2x4x64xf32> -> tensor<2x64xf32>, tensor<4x64xf32>
  return %dQ, %dv#0, %dv#1 : tensor<2x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>
}

// -----

// Left to convert-attnres-to-linalg (in their memref form): a dynamic hidden size, a dynamic
// number of queries, and static zero token rows (dq is then zero, not
// empty).
// CHECK-LABEL: func.func @dynamic_hidden
// CHECK: attnres.depth_attn_grad
// EMU-LABEL: func.func @dynamic_hidden
// EMU: attnres.depth_attn_grad
// CHECK-LABEL: func.func @zero_rows
// CHECK: attnres.rms_norm_grad
// CHECK-LABEL: func.func @dynamic_queries
// CHECK: attnres.depth_attn_stats_grad
func.func @dynamic_hidden(%q: tensor<?xf32>, %v0: tensor<4x?xf32>, %g: tensor<4x?xf32>) -> (tensor<?xf32>, tensor<4x?xf32>) {
  %dq, %dv = attnres.depth_attn_grad %q, [%v0], %g : tensor<?xf32>, tensor<4x?xf32>, tensor<4x?xf32> -> tensor<?xf32>, tensor<4x?xf32>
  return %dq, %dv : tensor<?xf32>, tensor<4x?xf32>
}
func.func @zero_rows(%x: tensor<0x64xf32>, %gain: tensor<64xf32>, %g: tensor<0x64xf32>) -> (tensor<0x64xf32>, tensor<64xf32>) {
  %dx, %dgain = attnres.rms_norm_grad %x, %gain, %g : tensor<0x64xf32>, tensor<64xf32>
  return %dx, %dgain : tensor<0x64xf32>, tensor<64xf32>
}
func.func @dynamic_queries(%Q: tensor<?x64xf32>, %v0: tensor<4x64xf32>, %lse: tensor<?x4xf32>, %do: tensor<?x4x64xf32>, %dlse: tensor<?x4xf32>) -> (tensor<?x64xf32>, tensor<4x64xf32>) {
  %dQ, %dv = attnres.depth_attn_stats_grad %Q, [%v0], %lse, %do, %dlse : tensor<?x64xf32>, tensor<4x64xf32>, tensor<?x4xf32>, tensor<?x4x64xf32> -> tensor<?x64xf32>, tensor<4x64xf32>
  return %dQ, %dv : tensor<?x64xf32>, tensor<4x64xf32>
}
