// Upstream's one-shot-bufferize keeps the gradient ops through their
// BufferizableOpInterface models: each becomes its memref form, with one
// destination buffer per result. Results without destinations get new
// buffers; a tensor.empty destination becomes the allocation the op writes;
// a destination that the op also reads (an operand as its own gradient's
// destination) is written out of place, since the gradient ops read their
// operands again after writing some results.
// RUN: attnres-opt %s --one-shot-bufferize="bufferize-function-boundaries" --split-input-file | FileCheck %s

// No destinations: a new buffer per result.
// CHECK-LABEL: func.func @site_grad(
// CHECK-SAME:    %[[Q:[^:]+]]: memref<64xf32, {{[^>]*}}>>, %[[V0:[^:]+]]: memref<8x64xbf16, {{[^>]*}}>>, %[[V1:[^:]+]]: memref<8x64xbf16, {{[^>]*}}>>, %[[G:[^:]+]]: memref<8x64xbf16, {{[^>]*}}>>)
// CHECK:         %[[DQ:.*]] = memref.alloc() {{.*}} : memref<64xf32>
// CHECK:         %[[D0:.*]] = memref.alloc() {{.*}} : memref<8x64xbf16>
// CHECK:         %[[D1:.*]] = memref.alloc() {{.*}} : memref<8x64xbf16>
// CHECK:         attnres.depth_attn_grad %[[Q]], [%[[V0]], %[[V1]]], %[[G]] outs(%[[DQ]], %[[D0]], %[[D1]] : memref<64xf32>, memref<8x64xbf16>, memref<8x64xbf16>) {eps = 9.99999997E-7 : f32} : memref<64xf32, {{.*}}>, memref<8x64xbf16, {{.*}}>, memref<8x64xbf16, {{.*}}>
// CHECK:         return %[[DQ]], %[[D0]], %[[D1]]
func.func @site_grad(%q: tensor<64xf32>, %v0: tensor<8x64xbf16>, %v1: tensor<8x64xbf16>, %g: tensor<8x64xbf16>)
    -> (tensor<64xf32>, tensor<8x64xbf16>, tensor<8x64xbf16>) {
  %dq, %dv:2 = attnres.depth_attn_grad %q, [%v0, %v1], %g {eps = 1.0e-06 : f32}
      : tensor<64xf32>, tensor<8x64xbf16>, tensor<8x64xbf16> -> tensor<64xf32>, tensor<8x64xbf16>
  return %dq, %dv#0, %dv#1 : tensor<64xf32>, tensor<8x64xbf16>, tensor<8x64xbf16>
}

// -----

// tensor.empty destinations with dynamic rows: the allocations, no copies.
// CHECK-LABEL: func.func @norm_grad_outs(
// CHECK-SAME:    %[[X:[^:]+]]: memref<?x64xf32, {{[^>]*}}>>
// CHECK:         %[[D:.*]] = memref.dim %[[X]], %{{.*}}
// CHECK:         %[[DX:.*]] = memref.alloc(%[[D]]) {{.*}} : memref<?x64xf32>
// CHECK:         %[[DG:.*]] = memref.alloc() {{.*}} : memref<64xf32>
// CHECK-NOT:     memref.copy
// CHECK:         attnres.rms_norm_grad %[[X]], %{{.*}}, %{{.*}} outs(%[[DX]], %[[DG]] : memref<?x64xf32>, memref<64xf32>)
// CHECK:         return %[[DX]], %[[DG]]
func.func @norm_grad_outs(%x: tensor<?x64xf32>, %gain: tensor<64xf32>, %g: tensor<?x64xf32>) -> (tensor<?x64xf32>, tensor<64xf32>) {
  %c0 = arith.constant 0 : index
  %d = tensor.dim %x, %c0 : tensor<?x64xf32>
  %ex = tensor.empty(%d) : tensor<?x64xf32>
  %eg = tensor.empty() : tensor<64xf32>
  %dx, %dgain = attnres.rms_norm_grad %x, %gain, %g outs(%ex, %eg : tensor<?x64xf32>, tensor<64xf32>) : tensor<?x64xf32>, tensor<64xf32>
  return %dx, %dgain : tensor<?x64xf32>, tensor<64xf32>
}

// -----

// Destinations that are the op's own operands: copies of them are written
// (the op reads the originals), never the originals in place.
// CHECK-LABEL: func.func @merge_grad_inplace(
// CHECK-SAME:    %[[O:[^:]+]]: memref<8x64xf32, {{[^>]*}}>>, %[[L:[^:]+]]: memref<8xf32, {{[^>]*}}>>, %[[Q:[^:]+]]: memref<64xf32, {{[^>]*}}>>, %[[U:[^:]+]]: memref<8x64xf32, {{[^>]*}}>>, %[[G:[^:]+]]: memref<8x64xf32, {{[^>]*}}>>)
// CHECK-COUNT-4: memref.alloc()
// CHECK:         attnres.depth_attn_merge_grad %[[O]], %[[L]], %[[Q]], %[[U]], %[[G]] outs(%[[A0:[^,]+]], %[[A1:[^,]+]], %[[A2:[^,]+]], %[[A3:[^ ]+]] : memref<8x64xf32>, memref<8xf32>, memref<64xf32>, memref<8x64xf32>)
// CHECK:         return %[[A0]], %[[A1]], %[[A2]], %[[A3]]
func.func @merge_grad_inplace(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>, %u: tensor<8x64xf32>, %g: tensor<8x64xf32>)
    -> (tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>) {
  %do, %dlse, %dq, %du = attnres.depth_attn_merge_grad %o, %lse, %q, %u, %g outs(%o, %lse, %q, %u : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>)
      : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>
  return %do, %dlse, %dq, %du : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
}

// -----

// Two-phase backward: the saved LSE of depth_attn_stats (its destination
// buffer) feeds depth_attn_stats_grad, whose destinations are
// tensor.empty's: every op in its memref form, the LSE passed as a buffer.
// CHECK-LABEL: func.func @stats_grad(
// CHECK:         %[[O:.*]] = memref.alloc() {{.*}} : memref<2x8x64xf32>
// CHECK:         %[[L:.*]] = memref.alloc() {{.*}} : memref<2x8xf32>
// CHECK:         attnres.depth_attn_stats %{{.*}}, [%{{.*}}, %{{.*}}] outs(%[[O]], %[[L]] : memref<2x8x64xf32>, memref<2x8xf32>)
// CHECK:         attnres.depth_attn_stats_grad %{{.*}}, [%{{.*}}, %{{.*}}], %[[L]], %{{.*}}, %{{.*}} outs(%{{.*}}, %{{.*}}, %{{.*}} : memref<2x64xf32>, memref<8x64xf32>, memref<8x64xf32>)
func.func @stats_grad(%qs: tensor<2x64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>, %do: tensor<2x8x64xf32>, %dlse: tensor<2x8xf32>)
    -> (tensor<2x8x64xf32>, tensor<2x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) {
  %o, %l = attnres.depth_attn_stats %qs, [%v0, %v1] : tensor<2x64xf32>, tensor<8x64xf32> -> tensor<2x8x64xf32>, tensor<2x8xf32>
  %e0 = tensor.empty() : tensor<2x64xf32>
  %e1 = tensor.empty() : tensor<8x64xf32>
  %e2 = tensor.empty() : tensor<8x64xf32>
  %dQ, %dv:2 = attnres.depth_attn_stats_grad %qs, [%v0, %v1], %l, %do, %dlse outs(%e0, %e1, %e2 : tensor<2x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>)
      : tensor<2x64xf32>, tensor<8x64xf32>, tensor<2x8xf32>, tensor<2x8x64xf32> -> tensor<2x64xf32>, tensor<8x64xf32>
  return %o, %dQ, %dv#0, %dv#1 : tensor<2x8x64xf32>, tensor<2x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>
}
