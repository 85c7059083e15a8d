// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-gpu))' --split-input-file | FileCheck %s
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-gpu{emulate=true}))' --split-input-file | FileCheck %s --check-prefix=EMU
// RUN: not attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-gpu{max-threads=48}))' --split-input-file 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: max-threads must be a multiple of 32 in [32, 1024], got 48

// The kernels take the memref form (after bufferization): the outs buffer
// is the kernel's output (no temporary, no copy, no tensor).
// D = 4096 bf16: 128-bit loads are 8 elements, 512 of them per row: 128
// threads with 4 chunks each; one CTA per row; the sources are streamed in
// a loop that must not be unrolled, picking the source by index.
// CHECK-LABEL: func.func @site_bf16
// CHECK-SAME: (%[[Q:[^:]*]]: memref<4096xf32>, %[[V0:[^:]*]]: memref<?x4096xbf16>, %[[V1:[^:]*]]: memref<?x4096xbf16>, %[[V2:[^:]*]]: memref<?x4096xbf16>, %[[OUT:[^:]*]]: memref<?x4096xbf16>)
// CHECK-NOT: memref.alloc
// CHECK-NOT: bufferization
// CHECK-DAG: %[[ROWS:.*]] = memref.dim %[[V0]], %{{.*}}
// CHECK-DAG: %[[T:.*]] = arith.constant 128 : index
// CHECK: gpu.launch blocks(%[[ROW:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[ROWS]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads(%[[TID:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[T]], {{.*}} dynamic_shared_memory_size
// CHECK: gpu.dynamic_shared_memory
// CHECK-COUNT-4: vector.load %[[Q]]{{.*}} {alignment = 16 : i64} : memref<4096xf32>, vector<8xf32>
// CHECK: scf.for {{.*}} iter_args
// CHECK: scf.index_switch
// CHECK: case 0 {
// CHECK-COUNT-4: vector.load %[[V0]][%[[ROW]], %{{.*}}] {alignment = 16 : i64} : memref<?x4096xbf16>, vector<8xbf16>
// CHECK: case 2 {
// CHECK: default {
// CHECK-COUNT-5: gpu.shuffle xor
// CHECK: gpu.barrier
// CHECK: math.exp
// CHECK: llvm.loop_annotation = #{{.*}}
// CHECK-COUNT-4: vector.store {{.*}}, %[[OUT]][%[[ROW]], %{{.*}}] {alignment = 16 : i64} : memref<?x4096xbf16>, vector<8xbf16>
// CHECK: gpu.terminator
// CHECK-NOT: attnres.depth_attn
// CHECK-NOT: memref.copy
// EMU-LABEL: func.func @site_bf16
// EMU-NOT: gpu.launch
// EMU: scf.forall
// EMU: memref.alloca() : memref<128x4x8xf32>
// EMU: scf.for
func.func @site_bf16(%q: memref<4096xf32>, %v0: memref<?x4096xbf16>, %v1: memref<?x4096xbf16>, %v2: memref<?x4096xbf16>, %out: memref<?x4096xbf16>) {
  attnres.depth_attn %q, [%v0, %v1, %v2] outs(%out : memref<?x4096xbf16>) : memref<4096xf32>, memref<?x4096xbf16>
  return
}

// -----

// D = 7168 f32: 1792 vectors of 4 = 448 threads × 4 chunks. Rank-3 buffers
// are collapsed into rows (memref.collapse_shape: their layout allows it).
// CHECK-LABEL: func.func @site_f32_rank3
// CHECK-DAG: memref.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : memref<2x?x7168xf32> into memref<?x7168xf32>
// CHECK-DAG: arith.constant 448 : index
// CHECK: gpu.launch
// CHECK-COUNT-4: vector.load {{.*}} : memref<?x7168xf32>, vector<4xf32>
func.func @site_f32_rank3(%q: memref<7168xf32>, %v0: memref<2x?x7168xf32>, %v1: memref<2x?x7168xf32>, %out: memref<2x?x7168xf32>) {
  attnres.depth_attn %q, [%v0, %v1] outs(%out : memref<2x?x7168xf32>) : memref<7168xf32>, memref<2x?x7168xf32>
  return
}

// -----

// One token: a [D] source is viewed as one row.
// CHECK-LABEL: func.func @site_rank1
// CHECK: memref.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [1, 256] : memref<256xf32> into memref<1x256xf32>
// CHECK: gpu.launch
func.func @site_rank1(%q: memref<256xf32>, %v0: memref<256xf32>, %v1: memref<256xf32>, %out: memref<256xf32>) {
  attnres.depth_attn %q, [%v0, %v1] outs(%out : memref<256xf32>) : memref<256xf32>, memref<256xf32>
  return
}

// -----

// D = 48 f32: 12 vectors, no exact split into warps: one warp, guarded
// chunks.
// CHECK-LABEL: func.func @site_guarded
// CHECK-DAG: arith.constant 32 : index
// CHECK: gpu.launch
// CHECK: arith.cmpi ult
// CHECK: scf.if
func.func @site_guarded(%q: memref<48xf32>, %v0: memref<4x48xf32>, %v1: memref<4x48xf32>, %out: memref<4x48xf32>) {
  attnres.depth_attn %q, [%v0, %v1] outs(%out : memref<4x48xf32>) : memref<48xf32>, memref<4x48xf32>
  return
}

// -----

// In place: the destination is a source (one-shot-bufferize allows it:
// every thread reads its chunks of all sources before writing them).
// CHECK-LABEL: func.func @site_in_place
// CHECK-SAME: %[[V1:[^:]*]]: memref<4x64xf32>)
// CHECK: gpu.launch
// CHECK: vector.store %{{.*}}, %[[V1]]
func.func @site_in_place(%q: memref<64xf32>, %v0: memref<4x64xf32>, %v1: memref<4x64xf32>) {
  attnres.depth_attn %q, [%v0, %v1] outs(%v1 : memref<4x64xf32>) : memref<64xf32>, memref<4x64xf32>
  return
}

// -----

// Views: a subview at whole vectors with static strides keeps the aligned
// 128-bit accesses; a dynamic offset (alignment unknown) or rows that do not
// collapse are left for convert-attnres-to-linalg.
// CHECK-LABEL: func.func @site_views
// CHECK: gpu.launch
// CHECK: vector.store {{.*}} {alignment = 16 : i64} : memref<4x64xf32, strided<[128, 1], offset: 64>>, vector<4xf32>
// CHECK-NOT: attnres.depth_attn
// CHECK-LABEL: func.func @negative_dynamic_offset
// CHECK-NOT: gpu.launch
// CHECK: attnres.depth_attn
// CHECK-LABEL: func.func @negative_not_collapsible
// CHECK-NOT: gpu.launch
// CHECK: attnres.depth_attn
func.func @site_views(%q: memref<64xf32>, %v0: memref<4x64xf32>, %big: memref<4x128xf32>) {
  %out = memref.subview %big[0, 64] [4, 64] [1, 1] : memref<4x128xf32> to memref<4x64xf32, strided<[128, 1], offset: 64>>
  attnres.depth_attn %q, [%v0, %v0] outs(%out : memref<4x64xf32, strided<[128, 1], offset: 64>>) : memref<64xf32>, memref<4x64xf32>
  return
}
func.func @negative_dynamic_offset(%q: memref<64xf32>, %v0: memref<4x64xf32, strided<[64, 1], offset: ?>>, %out: memref<4x64xf32>) {
  attnres.depth_attn %q, [%v0, %v0] outs(%out : memref<4x64xf32>) : memref<64xf32>, memref<4x64xf32, strided<[64, 1], offset: ?>>
  return
}
func.func @negative_not_collapsible(%q: memref<64xf32>, %v0: memref<2x4x64xf32, strided<[1024, 128, 1]>>, %out: memref<2x4x64xf32>) {
  attnres.depth_attn %q, [%v0, %v0] outs(%out : memref<2x4x64xf32>) : memref<64xf32>, memref<2x4x64xf32, strided<[1024, 128, 1]>>
  return
}

// -----

// Phase 1: a (query, row) grid, the query fastest; writes the output row and
// the LSE (thread 0) into the outs buffers. The grid is linear in gridDim.x
// (queries × rows CTAs): gridDim.y stops at 65,535, and rows are tokens
// (128K in a long prefill).
// CHECK-LABEL: func.func @stats
// CHECK-SAME: %[[O:[^:]*]]: memref<4x?x1024xf32>, %[[L:[^:]*]]: memref<4x?xf32>)
// CHECK-NOT: memref.alloc
// CHECK: %[[S:.*]] = memref.dim %{{.*}}, %{{.*}} : memref<4x1024xf32>
// CHECK: %[[N:.*]] = arith.muli %[[S]], %[[ROWS:.*]] : index
// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[N]], %{{.*}} = %[[C1:.*]], %{{.*}} = %[[C1]])
// CHECK: arith.remui %[[BX]], %[[S]] : index
// CHECK: arith.divui %[[BX]], %[[S]] : index
// CHECK: vector.store {{.*}}, %[[O]]
// CHECK: math.log
// CHECK: memref.store {{.*}}, %[[L]]
func.func @stats(%Q: memref<4x1024xf32>, %b0: memref<?x1024xf32>, %b1: memref<?x1024xf32>, %b2: memref<?x1024xf32>, %o: memref<4x?x1024xf32>, %lse: memref<4x?xf32>) {
  attnres.depth_attn_stats %Q, [%b0, %b1, %b2] outs(%o, %lse : memref<4x?x1024xf32>, memref<4x?xf32>) : memref<4x1024xf32>, memref<?x1024xf32>
  return
}

// -----

// Phase 2: one reduction over u, then h = o + w·(u − o) per chunk, in place
// of o (one-shot-bufferize allows it: every element is read before the
// thread that reads it writes it).
// CHECK-LABEL: func.func @merge
// CHECK-SAME: (%[[O:[^:]*]]: memref<?x2048xf16>
// CHECK: gpu.launch
// CHECK: memref.load %{{.*}}[%{{.*}}] : memref<?xf32>
// CHECK: gpu.shuffle xor
// CHECK: vector.fma
// CHECK: vector.store {{.*}}, %[[O]]
// CHECK-NOT: attnres.depth_attn_merge
func.func @merge(%o: memref<?x2048xf16>, %lse: memref<?xf32>, %q: memref<2048xf16>, %u: memref<?x2048xf16>) {
  attnres.depth_attn_merge %o, %lse, %q, %u outs(%o : memref<?x2048xf16>) : memref<?x2048xf16>, memref<?xf32>, memref<2048xf16>, memref<?x2048xf16>
  return
}

// -----

// No rows: nothing to write, no launch.
// CHECK-LABEL: func.func @zero_rows
// CHECK-NOT: gpu.launch
// CHECK-NOT: attnres.depth_attn
// CHECK: return
func.func @zero_rows(%q: memref<64xf32>, %v0: memref<0x64xf32>, %out: memref<0x64xf32>) {
  attnres.depth_attn %q, [%v0, %v0] outs(%out : memref<0x64xf32>) : memref<64xf32>, memref<0x64xf32>
  return
}

// -----

// Left for convert-attnres-to-linalg to report: a dynamic hidden size.
// CHECK-LABEL: func.func @negative_dynamic_hidden
// CHECK-NOT: gpu.launch
// CHECK: attnres.depth_attn
func.func @negative_dynamic_hidden(%q: memref<?xf32>, %v0: memref<4x?xf32>, %out: memref<4x?xf32>) {
  attnres.depth_attn %q, [%v0, %v0] outs(%out : memref<4x?xf32>) : memref<?xf32>, memref<4x?xf32>
  return
}

// -----

// The tensor form (with or without destinations) is left alone: the
// kernels run after bufferization, which keeps the op in its memref form.
// CHECK-LABEL: func.func @negative_tensor_form
// CHECK-NOT: gpu.launch
// CHECK: attnres.depth_attn
// CHECK: attnres.depth_attn {{.*}} outs(
func.func @negative_tensor_form(%q: tensor<64xf32>, %v: tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>) {
  %a = attnres.depth_attn %q, [%v, %v] : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  %e = tensor.empty() : tensor<8x64xf32>
  %b = attnres.depth_attn %q, [%v, %v] outs(%e : tensor<8x64xf32>) : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %a, %b : tensor<8x64xf32>, tensor<8x64xf32>
}

// -----

// depth_attn_merge_norm (attnres-fuse-norm-epilogues): the merge kernel with
// the next PreNorm: one launch, a second CTA reduction for Σ h², the
// normalized row written (h normalized in f32, before it is rounded:
// docs/semantics.md); h is written only when the op keeps it.
// CHECK-LABEL: func.func @merge_norm
// CHECK-SAME: %[[N:[^:]*]]: memref<?x512xbf16>)
// CHECK-COUNT-1: gpu.launch
// CHECK-COUNT-10: gpu.shuffle xor
// CHECK: math.rsqrt
// CHECK: vector.store %{{.*}}, %[[N]]
// CHECK-NOT: gpu.launch
// CHECK-NOT: attnres.depth_attn_merge_norm
// CHECK-LABEL: func.func @merge_norm_keep
// CHECK-SAME: %[[N:[^:]*]]: memref<?x512xbf16>, %[[H:[^:]*]]: memref<?x512xbf16>)
// CHECK: gpu.launch
// CHECK: vector.store %{{.*}}, %[[H]]
// CHECK: vector.store %{{.*}}, %[[N]]
// EMU-LABEL: func.func @merge_norm
// EMU: scf.forall
// EMU: memref.alloca() : memref<32x2x8xf32>
func.func @merge_norm(%o: memref<?x512xbf16>, %lse: memref<?xf32>, %q: memref<512xf32>, %u: memref<?x512xbf16>, %g: memref<512xbf16>, %n: memref<?x512xbf16>) {
  attnres.depth_attn_merge_norm %o, %lse, %q, %u, %g outs(%n : memref<?x512xbf16>) : memref<?x512xbf16>, memref<?xf32>, memref<512xf32>, memref<?x512xbf16>, memref<512xbf16>
  return
}
func.func @merge_norm_keep(%o: memref<?x512xbf16>, %lse: memref<?xf32>, %q: memref<512xf32>, %u: memref<?x512xbf16>, %g: memref<512xbf16>, %n: memref<?x512xbf16>, %h: memref<?x512xbf16>) {
  attnres.depth_attn_merge_norm %o, %lse, %q, %u, %g outs(%n, %h : memref<?x512xbf16>, memref<?x512xbf16>) : memref<?x512xbf16>, memref<?xf32>, memref<512xf32>, memref<?x512xbf16>, memref<512xbf16>
  return
}
