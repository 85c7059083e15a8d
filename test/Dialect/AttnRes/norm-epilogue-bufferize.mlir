// one-shot-bufferize keeps depth_attn_norm and depth_attn_merge_norm
// (BufferizableOpInterface): each becomes its memref form, with one
// destination per result (a new buffer per result without destinations);
// in place when the destination is a source nothing reads later.
// RUN: attnres-opt %s --one-shot-bufferize="bufferize-function-boundaries" --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @site_norm(
// CHECK-SAME:    %[[Q:[^:]+]]: memref<64xf32, {{[^>]*}}>>, %[[V0:[^:]+]]: memref<8x64xf32, {{[^>]*}}>>, %[[V1:[^:]+]]: memref<8x64xf32, {{[^>]*}}>>, %[[G:[^:]+]]: memref<64xf32, {{[^>]*}}>>)
// CHECK:         %[[A:.*]] = memref.alloc() {{.*}} : memref<8x64xf32>
// CHECK:         attnres.depth_attn_norm %[[Q]], [%[[V0]], %[[V1]]], %[[G]] outs(%[[A]] : memref<8x64xf32>) : memref<64xf32, {{[^>]*}}>>, memref<8x64xf32, {{[^>]*}}>>, memref<64xf32, {{[^>]*}}>>
// CHECK:         return %[[A]]
func.func @site_norm(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>, %g: tensor<64xf32>) -> tensor<8x64xf32> {
  %n = attnres.depth_attn_norm %q, [%v0, %v1], %g : tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>
  return %n : tensor<8x64xf32>
}

// -----

// Both results: two buffers, dynamic rows.
// CHECK-LABEL: func.func @merge_norm_keeps_h(
// CHECK-SAME:    %[[O:[^:]+]]: memref<?x64xbf16, {{[^>]*}}>>, %{{[^:]+}}: memref<?xf32, {{[^>]*}}>>, %{{[^:]+}}: memref<64xf32, {{[^>]*}}>>, %[[U:[^:]+]]: memref<?x64xbf16, {{[^>]*}}>>
// CHECK:         %[[A:.*]] = memref.alloc(%{{.*}}) {{.*}} : memref<?x64xbf16>
// CHECK:         %[[B:.*]] = memref.alloc(%{{.*}}) {{.*}} : memref<?x64xbf16>
// CHECK:         attnres.depth_attn_merge_norm %[[O]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} outs(%[[A]], %[[B]] : memref<?x64xbf16>, memref<?x64xbf16>)
// CHECK:         return %[[A]], %[[B]]
func.func @merge_norm_keeps_h(%o: tensor<?x64xbf16>, %lse: tensor<?xf32>, %q: tensor<64xf32>, %u: tensor<?x64xbf16>, %g: tensor<64xbf16>)
    -> (tensor<?x64xbf16>, tensor<?x64xbf16>) {
  %n:2 = attnres.depth_attn_merge_norm %o, %lse, %q, %u, %g : tensor<?x64xbf16>, tensor<?xf32>, tensor<64xf32>, tensor<?x64xbf16>, tensor<64xbf16> -> tensor<?x64xbf16>, tensor<?x64xbf16>
  return %n#0, %n#1 : tensor<?x64xbf16>, tensor<?x64xbf16>
}

// -----

// In place: the normalized value overwrites the merge's phase-1 output.
// CHECK-LABEL: func.func @merge_norm_in_place(
// CHECK-SAME:    %[[O:[^:]+]]: memref<8x64xf32, {{[^>]*}}>>
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     memref.copy
// CHECK:         attnres.depth_attn_merge_norm %[[O]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} outs(%[[O]] : memref<8x64xf32, {{[^>]*}}>>)
// CHECK:         return %[[O]]
func.func @merge_norm_in_place(%o: tensor<8x64xf32> {bufferization.writable = true}, %lse: tensor<8xf32>, %q: tensor<64xf32>, %u: tensor<8x64xf32>, %g: tensor<64xf32>)
    -> tensor<8x64xf32> {
  %n = attnres.depth_attn_merge_norm %o, %lse, %q, %u, %g outs(%o : tensor<8x64xf32>) : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>
  return %n : tensor<8x64xf32>
}
