// Upstream's one-shot-bufferize keeps the attnres ops through their
// BufferizableOpInterface models: each becomes its memref form. A
// destination is written in place when the analysis allows it (the result
// is equivalent to it); without one the op gets a new buffer.
// RUN: attnres-opt %s --one-shot-bufferize="bufferize-function-boundaries" --split-input-file | FileCheck %s

// No destination: a new buffer.
// CHECK-LABEL: func.func @site(
// CHECK-SAME:    %[[Q:[^:]+]]: memref<64xf32, strided<[?], offset: ?>>, %[[V0:[^:]+]]: memref<8x64xf32, strided<[?, ?], offset: ?>>, %[[V1:[^:]+]]: memref<8x64xf32, strided<[?, ?], offset: ?>>)
// CHECK:         %[[A:.*]] = memref.alloc() {{.*}} : memref<8x64xf32>
// CHECK:         attnres.depth_attn %[[Q]], [%[[V0]], %[[V1]]] outs(%[[A]] : memref<8x64xf32>) {eps = 9.99999997E-7 : f32} : memref<64xf32, strided<[?], offset: ?>>, memref<8x64xf32, strided<[?, ?], offset: ?>>
// CHECK:         return %[[A]]
func.func @site(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] {eps = 1.0e-06 : f32} : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

// A tensor.empty destination with dynamic rows: one allocation, no copy.
// CHECK-LABEL: func.func @site_outs_dynamic(
// CHECK-SAME:    %{{[^:]+}}: memref<64xf32, {{[^>]*}}>>, %[[V0:[^:]+]]: memref<?x64xbf16, {{[^>]*}}>>
// CHECK:         %[[D:.*]] = memref.dim %[[V0]], %{{.*}}
// CHECK:         %[[A:.*]] = memref.alloc(%[[D]]) {{.*}} : memref<?x64xbf16>
// CHECK-NOT:     memref.copy
// CHECK:         attnres.depth_attn %{{.*}}, [%[[V0]], %{{.*}}] outs(%[[A]] : memref<?x64xbf16>)
// CHECK:         return %[[A]]
func.func @site_outs_dynamic(%q: tensor<64xf32>, %v0: tensor<?x64xbf16>, %v1: tensor<?x64xbf16>) -> tensor<?x64xbf16> {
  %c0 = arith.constant 0 : index
  %d = tensor.dim %v0, %c0 : tensor<?x64xbf16>
  %e = tensor.empty(%d) : tensor<?x64xbf16>
  %h = attnres.depth_attn %q, [%v0, %v1] outs(%e : tensor<?x64xbf16>) : tensor<64xf32>, tensor<?x64xbf16> -> tensor<?x64xbf16>
  return %h : tensor<?x64xbf16>
}

// -----

// In place: the destination is a source (a writable argument) that nothing
// reads later, so the op overwrites it.
// CHECK-LABEL: func.func @site_in_place(
// CHECK-SAME:    %{{[^:]+}}: memref<64xf32, {{[^>]*}}>>, %[[V0:[^:]+]]: memref<8x64xf32, {{[^>]*}}>>, %[[V1:[^:]+]]: memref<8x64xf32, {{[^>]*}}>>)
// CHECK-NOT:     memref.alloc
// CHECK:         attnres.depth_attn %{{.*}}, [%[[V0]], %[[V1]]] outs(%[[V1]] : memref<8x64xf32, {{.*}}>)
// CHECK:         return %[[V1]]
func.func @site_in_place(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] outs(%v1 : tensor<8x64xf32>) : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

// Out of place: the destination is read after the op (by the second site),
// so the op writes a copy of it.
// CHECK-LABEL: func.func @site_out_of_place(
// CHECK-SAME:    %{{[^:]+}}: memref<64xf32, {{[^>]*}}>>, %[[V0:[^:]+]]: memref<8x64xf32, {{[^>]*}}>>, %[[V1:[^:]+]]: memref<8x64xf32, {{[^>]*}}>>)
// CHECK:         %[[A:.*]] = memref.alloc() {{.*}} : memref<8x64xf32>
// CHECK:         attnres.depth_attn %{{.*}}, [%[[V0]], %[[V1]]] outs(%[[A]] : memref<8x64xf32>)
// CHECK:         attnres.depth_attn %{{.*}}, [%[[A]], %[[V1]]] outs(%{{.*}} : memref<8x64xf32>)
func.func @site_out_of_place(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] outs(%v1 : tensor<8x64xf32>) : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  %h2 = attnres.depth_attn %q, [%h, %v1] : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h2 : tensor<8x64xf32>
}

// -----

// Two-phase: stats into its destinations, merges in place into the rows of
// the phase-1 output.
// CHECK-LABEL: func.func @two_phase(
// CHECK:         %[[O:.*]] = memref.alloc() {{.*}} : memref<2x8x64xf32>
// CHECK:         %[[L:.*]] = memref.alloc() {{.*}} : memref<2x8xf32>
// CHECK:         attnres.depth_attn_stats %{{.*}}, [%{{.*}}, %{{.*}}] outs(%[[O]], %[[L]] : memref<2x8x64xf32>, memref<2x8xf32>)
// CHECK:         %[[R:.*]] = memref.subview %[[O]][1, 0, 0] [1, 8, 64] [1, 1, 1]
// CHECK:         attnres.depth_attn_merge %[[R]], %{{.*}}, %{{.*}}, %{{.*}} outs(%[[R]] : memref<8x64xf32, strided<[64, 1], offset: 512>>)
func.func @two_phase(%qs: tensor<2x64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>, %q: tensor<64xf32>, %u: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %oi = tensor.empty() : tensor<2x8x64xf32>
  %li = tensor.empty() : tensor<2x8xf32>
  %o, %l = attnres.depth_attn_stats %qs, [%v0, %v1] outs(%oi, %li : tensor<2x8x64xf32>, tensor<2x8xf32>)
      : tensor<2x64xf32>, tensor<8x64xf32> -> tensor<2x8x64xf32>, tensor<2x8xf32>
  %row = tensor.extract_slice %o[1, 0, 0] [1, 8, 64] [1, 1, 1] : tensor<2x8x64xf32> to tensor<8x64xf32>
  %lse = tensor.extract_slice %l[1, 0] [1, 8] [1, 1] : tensor<2x8xf32> to tensor<8xf32>
  %h = attnres.depth_attn_merge %row, %lse, %q, %u outs(%row : tensor<8x64xf32>)
      : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}
