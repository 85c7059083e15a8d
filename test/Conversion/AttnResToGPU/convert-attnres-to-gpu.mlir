// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-gpu))' --split-input-file | FileCheck %s
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-gpu{emulate=true}))' --split-input-file | FileCheck %s --check-prefix=EMU
// RUN: not attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-gpu{max-threads=48}))' --split-input-file 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: max-threads must be a multiple of 32 in [32, 1024], got 48

// D = 4096 bf16: 128-bit loads are 8 elements, 512 of them per row: 128
// threads with 4 chunks each; one CTA per row; the sources are streamed in
// a loop that must not be unrolled, picking the source by index.
// CHECK-LABEL: func.func @site_bf16
// CHECK-SAME: (%[[Q:.*]]: tensor<4096xf32>, %[[V0:.*]]: tensor<?x4096xbf16>, %[[V1:.*]]: tensor<?x4096xbf16>, %[[V2:.*]]: tensor<?x4096xbf16>)
// CHECK-DAG: %[[B0:.*]] = bufferization.to_buffer %[[V0]] read_only
// CHECK-DAG: %[[ROWS:.*]] = memref.dim %[[B0]], %{{.*}}
// CHECK-DAG: %[[OUT:.*]] = memref.alloc(%[[ROWS]]) : memref<?x4096xbf16>
// CHECK-DAG: %[[T:.*]] = arith.constant 128 : index
// CHECK: gpu.launch blocks(%[[ROW:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[ROWS]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads(%[[TID:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[T]], {{.*}} dynamic_shared_memory_size
// CHECK: gpu.dynamic_shared_memory
// CHECK-COUNT-4: vector.load {{.*}} {alignment = 16 : i64} : memref<4096xf32>, vector<8xf32>
// CHECK: scf.for {{.*}} iter_args
// CHECK: scf.index_switch
// CHECK: case 0 {
// CHECK-COUNT-4: vector.load %[[B0]][%[[ROW]], %{{.*}}] {alignment = 16 : i64} : memref<?x4096xbf16>, vector<8xbf16>
// CHECK: case 2 {
// CHECK: default {
// CHECK-COUNT-5: gpu.shuffle xor
// CHECK: llvm.inline_asm has_side_effects "bar.sync 0;", "~{memory}"
// CHECK: math.exp
// CHECK: llvm.loop_annotation = #{{.*}}
// CHECK-COUNT-4: vector.store {{.*}}, %[[OUT]][%[[ROW]], %{{.*}}] {alignment = 16 : i64} : memref<?x4096xbf16>, vector<8xbf16>
// CHECK: gpu.terminator
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-NOT: attnres.depth_attn
// EMU-LABEL: func.func @site_bf16
// EMU-NOT: gpu.launch
// EMU: scf.forall
// EMU: memref.alloca() : memref<128x4x8xf32>
// EMU: scf.for
func.func @site_bf16(%q: tensor<4096xf32>, %v0: tensor<?x4096xbf16>, %v1: tensor<?x4096xbf16>, %v2: tensor<?x4096xbf16>) -> tensor<?x4096xbf16> {
  %h = attnres.depth_attn %q, [%v0, %v1, %v2] : tensor<4096xf32>, tensor<?x4096xbf16> -> tensor<?x4096xbf16>
  return %h : tensor<?x4096xbf16>
}

// -----

// D = 7168 f32: 1792 vectors of 4 = 448 threads × 4 chunks. Rank-3 sources
// are flattened into rows.
// CHECK-LABEL: func.func @site_f32_rank3
// CHECK-DAG: tensor.collapse_shape
// CHECK-DAG: arith.constant 448 : index
// CHECK: gpu.launch
// CHECK-COUNT-4: vector.load {{.*}} : memref<?x7168xf32>, vector<4xf32>
func.func @site_f32_rank3(%q: tensor<7168xf32>, %v0: tensor<2x?x7168xf32>, %v1: tensor<2x?x7168xf32>) -> tensor<2x?x7168xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<7168xf32>, tensor<2x?x7168xf32> -> tensor<2x?x7168xf32>
  return %h : tensor<2x?x7168xf32>
}

// -----

// D = 48 f32: 12 vectors, no exact split into warps: one warp, guarded
// chunks.
// CHECK-LABEL: func.func @site_guarded
// CHECK-DAG: arith.constant 32 : index
// CHECK: gpu.launch
// CHECK: arith.cmpi ult
// CHECK: scf.if
func.func @site_guarded(%q: tensor<48xf32>, %v0: tensor<4x48xf32>, %v1: tensor<4x48xf32>) -> tensor<4x48xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<48xf32>, tensor<4x48xf32> -> tensor<4x48xf32>
  return %h : tensor<4x48xf32>
}

// -----

// Phase 1: a (query, row) grid, the query fastest; writes the output row and
// the LSE (thread 0). The grid is linear in gridDim.x (queries × rows CTAs):
// gridDim.y stops at 65,535, and rows are tokens (128K in a long prefill).
// CHECK-LABEL: func.func @stats
// CHECK: %[[S:.*]] = memref.dim %{{.*}}, %{{.*}} : memref<4x1024xf32>
// CHECK: %[[N:.*]] = arith.muli %[[S]], %[[ROWS:.*]] : index
// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[N]], %{{.*}} = %[[C1:.*]], %{{.*}} = %[[C1]])
// CHECK: arith.remui %[[BX]], %[[S]] : index
// CHECK: arith.divui %[[BX]], %[[S]] : index
// CHECK: math.log
// CHECK: memref.store
// CHECK: bufferization.to_tensor {{.*}} : memref<4x?x1024xf32> to tensor<4x?x1024xf32>
func.func @stats(%Q: tensor<4x1024xf32>, %b0: tensor<?x1024xf32>, %b1: tensor<?x1024xf32>, %b2: tensor<?x1024xf32>) -> (tensor<4x?x1024xf32>, tensor<4x?xf32>) {
  %o, %lse = attnres.depth_attn_stats %Q, [%b0, %b1, %b2] : tensor<4x1024xf32>, tensor<?x1024xf32> -> tensor<4x?x1024xf32>, tensor<4x?xf32>
  return %o, %lse : tensor<4x?x1024xf32>, tensor<4x?xf32>
}

// -----

// Phase 2: one reduction over u, then h = o + w·(u − o) per chunk.
// CHECK-LABEL: func.func @merge
// CHECK: gpu.launch
// CHECK: memref.load %{{.*}}[%{{.*}}] : memref<?xf32>
// CHECK: gpu.shuffle xor
// CHECK: vector.fma
func.func @merge(%o: tensor<?x2048xf16>, %lse: tensor<?xf32>, %q: tensor<2048xf16>, %u: tensor<?x2048xf16>) -> tensor<?x2048xf16> {
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<?x2048xf16>, tensor<?xf32>, tensor<2048xf16>, tensor<?x2048xf16>
  return %h : tensor<?x2048xf16>
}

// -----

// Left for convert-attnres-to-linalg to report: a dynamic hidden size.
// CHECK-LABEL: func.func @negative_dynamic_hidden
// CHECK-NOT: gpu.launch
// CHECK: attnres.depth_attn
func.func @negative_dynamic_hidden(%q: tensor<?xf32>, %v0: tensor<4x?xf32>) -> tensor<4x?xf32> {
  %h = attnres.depth_attn %q, [%v0, %v0] : tensor<?xf32>, tensor<4x?xf32> -> tensor<4x?xf32>
  return %h : tensor<4x?xf32>
}

// -----

// Destination passing: the kernel writes the destination buffer directly
// (no temporary, no copy); the materialization is gone.
// CHECK-LABEL: func.func @dps_site
// CHECK-SAME: %[[OUT:[^:]*]]: memref<?x256xf32>)
// CHECK-NOT: memref.alloc
// CHECK: gpu.launch
// CHECK: vector.store %{{.*}}, %[[OUT]]
// CHECK-NOT: bufferization.materialize_in_destination
func.func @dps_site(%q: memref<256xf32>, %v0: memref<?x256xf32>, %v1: memref<?x256xf32>, %out: memref<?x256xf32>) {
  %qt = bufferization.to_tensor %q restrict : memref<256xf32> to tensor<256xf32>
  %a = bufferization.to_tensor %v0 restrict : memref<?x256xf32> to tensor<?x256xf32>
  %b = bufferization.to_tensor %v1 restrict : memref<?x256xf32> to tensor<?x256xf32>
  %h = attnres.depth_attn %qt, [%a, %b] : tensor<256xf32>, tensor<?x256xf32> -> tensor<?x256xf32>
  bufferization.materialize_in_destination %h in restrict writable %out : (tensor<?x256xf32>, memref<?x256xf32>) -> ()
  return
}

// -----

// depth_attn_merge_norm (the next PreNorm of a merged value, from
// attnres-fuse-norm-epilogues; math §4: phase 2 is elementwise per row) is
// one merge kernel: one launch, a second CTA reduction for Σ h², the
// normalized row written; h itself is not written (not a result).
// CHECK-LABEL: func.func @merge_then_norm
// CHECK-COUNT-1: gpu.launch
// CHECK-NOT: gpu.launch
// CHECK-NOT: attnres.
func.func @merge_then_norm(%o: tensor<?x512xbf16>, %lse: tensor<?xf32>, %q: tensor<512xf32>, %u: tensor<?x512xbf16>, %g: tensor<512xbf16>) -> tensor<?x512xbf16> {
  %y = attnres.depth_attn_merge_norm %o, %lse, %q, %u, %g : tensor<?x512xbf16>, tensor<?xf32>, tensor<512xf32>, tensor<?x512xbf16>, tensor<512xbf16> -> tensor<?x512xbf16>
  return %y : tensor<?x512xbf16>
}

// -----

// h kept as a result: the same launch also writes it.
// CHECK-LABEL: func.func @merge_then_norm_keeps_h
// CHECK-COUNT-1: gpu.launch
// CHECK-NOT: gpu.launch
// CHECK-NOT: attnres.
func.func @merge_then_norm_keeps_h(%o: tensor<?x512xf32>, %lse: tensor<?xf32>, %q: tensor<512xf32>, %u: tensor<?x512xf32>, %g: tensor<512xf32>) -> (tensor<?x512xf32>, tensor<?x512xf32>) {
  %y:2 = attnres.depth_attn_merge_norm %o, %lse, %q, %u, %g : tensor<?x512xf32>, tensor<?xf32>, tensor<512xf32>, tensor<?x512xf32>, tensor<512xf32> -> tensor<?x512xf32>, tensor<?x512xf32>
  return %y#0, %y#1 : tensor<?x512xf32>, tensor<?x512xf32>
}

// -----

// The kernels do not look at users: an unfused merge + rms_norm stays two
// ops (the norm is lowered by linalg).
// CHECK-LABEL: func.func @unfused_merge_then_norm
// CHECK: gpu.launch
// CHECK: attnres.rms_norm
func.func @unfused_merge_then_norm(%o: tensor<?x512xf32>, %lse: tensor<?xf32>, %q: tensor<512xf32>, %u: tensor<?x512xf32>, %g: tensor<512xf32>) -> tensor<?x512xf32> {
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<?x512xf32>, tensor<?xf32>, tensor<512xf32>, tensor<?x512xf32>
  %y = attnres.rms_norm %h, %g : tensor<?x512xf32>, tensor<512xf32>
  return %y : tensor<?x512xf32>
}
