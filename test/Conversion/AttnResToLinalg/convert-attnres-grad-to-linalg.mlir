// The gradient ops lower to linalg.generic on tensors: row statistics (a
// reduction over the hidden dim), per-row coefficients, the source-shaped
// gradients (elementwise), and the query/gain gradient (a reduction over the
// token rows, accumulated in f32 and truncated once); the memref form
// (after bufferization) lowers to the same generics on buffers.
//
// RUN: attnres-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg))' | FileCheck %s


// CHECK-LABEL: func.func @depth_attn_grad
// CHECK-NOT: attnres.
// Statistics: Σv², q·v, g·v of both sources, reduced over the hidden dim.
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} outs({{.*}} : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
// CHECK: math.rsqrt
// The source gradients, one elementwise generic with two bf16 results.
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]{{.*}} outs({{.*}} : tensor<8x64xbf16>, tensor<8x64xbf16>) {
// dq: rows reduced into an f32 accumulator, then truncated to bf16.
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]{{.*}} outs({{.*}} : tensor<64xf32>) {
// CHECK: arith.truncf {{.*}} : f32 to bf16
// CHECK: return {{.*}} : tensor<64xbf16>, tensor<8x64xbf16>, tensor<8x64xbf16>
func.func @depth_attn_grad(%q: tensor<64xbf16>, %v0: tensor<8x64xbf16>, %v1: tensor<8x64xbf16>, %g: tensor<8x64xbf16>) -> (tensor<64xbf16>, tensor<8x64xbf16>, tensor<8x64xbf16>) {
  %dq, %dv:2 = attnres.depth_attn_grad %q, [%v0, %v1], %g : tensor<64xbf16>, tensor<8x64xbf16>, tensor<8x64xbf16> -> tensor<64xbf16>, tensor<8x64xbf16>
  return %dq, %dv#0, %dv#1 : tensor<64xbf16>, tensor<8x64xbf16>, tensor<8x64xbf16>
}

// -----

// A dynamic query length: dq is computed as tensor<64xf32> and cast.
// CHECK-LABEL: func.func @depth_attn_grad_dynamic_query
// CHECK: tensor.cast {{.*}} : tensor<64xf32> to tensor<?xf32>
func.func @depth_attn_grad_dynamic_query(%q: tensor<?xf32>, %v0: tensor<?x64xf32>, %g: tensor<?x64xf32>) -> (tensor<?xf32>, tensor<?x64xf32>) {
  %dq, %dv = attnres.depth_attn_grad %q, [%v0], %g : tensor<?xf32>, tensor<?x64xf32>, tensor<?x64xf32> -> tensor<?xf32>, tensor<?x64xf32>
  return %dq, %dv : tensor<?xf32>, tensor<?x64xf32>
}

// -----

// CHECK-LABEL: func.func @rms_norm_grad
// CHECK-NOT: attnres.
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]
func.func @rms_norm_grad(%x: tensor<8x64xf32>, %gain: tensor<64xf32>, %g: tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<64xf32>) {
  %dx, %dgain = attnres.rms_norm_grad %x, %gain, %g : tensor<8x64xf32>, tensor<64xf32>
  return %dx, %dgain : tensor<8x64xf32>, tensor<64xf32>
}

// -----

// The weights come from the saved LSE: exp(s − lse), no max or sum.
// CHECK-LABEL: func.func @depth_attn_stats_grad
// CHECK-NOT: attnres.
// CHECK-NOT: arith.maximumf
// CHECK: math.exp
// dV: the queries are the reduction (first) loop.
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "parallel"]{{.*}} outs({{.*}} : tensor<8x64xf32>, tensor<8x64xf32>) {
// dQ: the token rows are the reduction loop.
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]{{.*}} outs({{.*}} : tensor<4x64xf32>) {
func.func @depth_attn_stats_grad(%Q: tensor<4x64xf32>, %b0: tensor<8x64xf32>, %b1: tensor<8x64xf32>,
                                 %lse: tensor<4x8xf32>, %do: tensor<4x8x64xf32>, %dlse: tensor<4x8xf32>) -> (tensor<4x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) {
  %dQ, %dv:2 = attnres.depth_attn_stats_grad %Q, [%b0, %b1], %lse, %do, %dlse
      : tensor<4x64xf32>, tensor<8x64xf32>, tensor<4x8xf32>, tensor<4x8x64xf32> -> tensor<4x64xf32>, tensor<8x64xf32>
  return %dQ, %dv#0, %dv#1 : tensor<4x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>
}

// -----

// CHECK-LABEL: func.func @depth_attn_merge_grad
// CHECK-NOT: attnres.
// CHECK: linalg.generic {{.*}} outs({{.*}} : tensor<8x64xf32>, tensor<8x64xf32>) {
// CHECK: return {{.*}} : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
func.func @depth_attn_merge_grad(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>, %u: tensor<8x64xf32>, %g: tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>) {
  %do, %dlse, %dq, %du = attnres.depth_attn_merge_grad %o, %lse, %q, %u, %g : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>
  return %do, %dlse, %dq, %du : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
}

// -----

// The memref form (after bufferization) lowers to the same generics on
// buffers: temporaries are memref.allocs, the results go into the
// destinations (dlse is written by the per-row generic, du and do by the
// elementwise one, dq accumulated in f32 and rounded into its bf16 buffer).
// CHECK-LABEL: func.func @merge_grad_buffers(
// CHECK-SAME:    %[[DO:[^:]+]]: memref<8x64xbf16>, %[[DL:[^:]+]]: memref<8xf32>, %[[DQ:[^:]+]]: memref<64xbf16>, %[[DU:[^:]+]]: memref<8x64xbf16>)
// CHECK-NOT:     attnres.
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} outs({{.*}} : memref<8xf32>, memref<8xf32>, memref<8xf32>)
// CHECK:         linalg.generic {{.*}} outs(%{{.*}}, %[[DL]], %{{.*}}, %{{.*}} : memref<8xf32>, memref<8xf32>, memref<8xf32>, memref<8xf32>)
// CHECK:         linalg.generic {{.*}} outs(%[[DO]], %[[DU]] : memref<8x64xbf16>, memref<8x64xbf16>)
// CHECK:         %[[ACC:.*]] = memref.alloc() : memref<64xf32>
// CHECK:         linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]{{.*}} outs(%[[ACC]] : memref<64xf32>)
// CHECK:         linalg.generic {{.*}} ins(%[[ACC]] : memref<64xf32>) outs(%[[DQ]] : memref<64xbf16>)
// CHECK:         return
func.func @merge_grad_buffers(%o: memref<8x64xbf16>, %lse: memref<8xf32>, %q: memref<64xbf16>, %u: memref<8x64xbf16, strided<[?, 1], offset: ?>>, %g: memref<8x64xbf16>,
                              %do: memref<8x64xbf16>, %dl: memref<8xf32>, %dq: memref<64xbf16>, %du: memref<8x64xbf16>) {
  attnres.depth_attn_merge_grad %o, %lse, %q, %u, %g outs(%do, %dl, %dq, %du : memref<8x64xbf16>, memref<8xf32>, memref<64xbf16>, memref<8x64xbf16>)
      : memref<8x64xbf16>, memref<8xf32>, memref<64xbf16>, memref<8x64xbf16, strided<[?, 1], offset: ?>>, memref<8x64xbf16>
  return
}

// -----

// Tensor destinations: an f32 gain gradient accumulates in its destination
// (filled with zeros), the input gradient is written into its destination.
// CHECK-LABEL: func.func @norm_grad_outs(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<8x64xf32>, %{{[^:]+}}: tensor<64xf32>, %{{[^:]+}}: tensor<8x64xf32>, %[[DGI:[^:]+]]: tensor<64xf32>)
// CHECK:         %[[DX:.*]] = linalg.generic {{.*}} outs(%[[X]] : tensor<8x64xf32>)
// CHECK:         %[[F:.*]] = linalg.fill {{.*}} outs(%[[DGI]] : tensor<64xf32>)
// CHECK:         %[[DG:.*]] = linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]{{.*}} outs(%[[F]] : tensor<64xf32>)
// CHECK:         return %[[DX]], %[[DG]]
func.func @norm_grad_outs(%x: tensor<8x64xf32>, %gain: tensor<64xf32>, %g: tensor<8x64xf32>, %dgi: tensor<64xf32>) -> (tensor<8x64xf32>, tensor<64xf32>) {
  %dx, %dg = attnres.rms_norm_grad %x, %gain, %g outs(%x, %dgi : tensor<8x64xf32>, tensor<64xf32>) : tensor<8x64xf32>, tensor<64xf32>
  return %dx, %dg : tensor<8x64xf32>, tensor<64xf32>
}
