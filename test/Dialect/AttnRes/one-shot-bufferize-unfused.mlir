// Upstream's one-shot-bufferize keeps rms_norm, block_summary and the
// unfused steps through their BufferizableOpInterface models: each becomes
// its memref form. A destination is written in place when the analysis
// allows it (rms_norm and block_summary access their input/summands element
// by element); without one the op gets a new buffer.
// RUN: attnres-opt %s --one-shot-bufferize="bufferize-function-boundaries" --split-input-file | FileCheck %s

// No destination: a new buffer.
// CHECK-LABEL: func.func @norm(
// CHECK-SAME:    %[[X:[^:]+]]: memref<8x64xbf16, {{[^>]*}}>>, %[[G:[^:]+]]: memref<64xf32, {{[^>]*}}>>)
// CHECK:         %[[A:.*]] = memref.alloc() {{.*}} : memref<8x64xbf16>
// CHECK:         attnres.rms_norm %[[X]], %[[G]] outs(%[[A]] : memref<8x64xbf16>) : memref<8x64xbf16, {{.*}}>, memref<64xf32, {{.*}}>
// CHECK:         return %[[A]]
func.func @norm(%x: tensor<8x64xbf16>, %g: tensor<64xf32>) -> tensor<8x64xbf16> {
  %k = attnres.rms_norm %x, %g : tensor<8x64xbf16>, tensor<64xf32>
  return %k : tensor<8x64xbf16>
}

// -----

// In place: the norm overwrites its input (read nowhere else), the sum its
// last summand.
// CHECK-LABEL: func.func @in_place(
// CHECK-SAME:    %[[X:[^:]+]]: memref<?x64xf32, {{[^>]*}}>>, %[[G:[^:]+]]: memref<64xf32, {{[^>]*}}>>, %[[O:[^:]+]]: memref<?x64xf32, {{[^>]*}}>>)
// CHECK-NOT:     memref.alloc
// CHECK:         attnres.rms_norm %[[X]], %[[G]] outs(%[[X]] : memref<?x64xf32, {{.*}}>)
// CHECK:         attnres.block_summary [%[[O]], %[[X]]] outs(%[[X]] : memref<?x64xf32, {{.*}}>)
// CHECK:         return %[[X]]
func.func @in_place(%x: tensor<?x64xf32>, %g: tensor<64xf32>, %o: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %k = attnres.rms_norm %x, %g outs(%x : tensor<?x64xf32>) : tensor<?x64xf32>, tensor<64xf32>
  %b = attnres.block_summary [%o, %k] outs(%k : tensor<?x64xf32>) : tensor<?x64xf32>
  return %b : tensor<?x64xf32>
}

// -----

// Out of place: the destination is read after the op, so the op writes a
// new buffer (without copying the destination's values, which it never
// reads).
// CHECK-LABEL: func.func @out_of_place(
// CHECK-SAME:    %[[A:[^:]+]]: memref<8x64xf32, {{[^>]*}}>>, %[[B:[^:]+]]: memref<8x64xf32, {{[^>]*}}>>)
// CHECK:         %[[N:.*]] = memref.alloc() {{.*}} : memref<8x64xf32>
// CHECK-NOT:     memref.copy
// CHECK:         attnres.block_summary [%[[A]], %[[B]]] outs(%[[N]] : memref<8x64xf32>)
// CHECK:         attnres.block_summary [%[[N]], %[[B]]] outs(%{{.*}} : memref<8x64xf32>)
func.func @out_of_place(%a: tensor<8x64xf32>, %b: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %s = attnres.block_summary [%a, %b] outs(%b : tensor<8x64xf32>) : tensor<8x64xf32>
  %t = attnres.block_summary [%s, %b] : tensor<8x64xf32>
  return %t : tensor<8x64xf32>
}

// -----

// The unfused chain: the logits into a new buffer, the softmax in place
// over its logits, the combine into its destination (a tensor.empty).
// CHECK-LABEL: func.func @chain(
// CHECK-SAME:    %[[W:[^:]+]]: memref<64xf32, {{[^>]*}}>>, %[[V0:[^:]+]]: memref<8x64xf32, {{[^>]*}}>>, %[[V1:[^:]+]]: memref<8x64xf32, {{[^>]*}}>>)
// CHECK:         %[[S:.*]] = memref.alloc() {{.*}} : memref<2x8xf32>
// CHECK:         attnres.depth_logits %[[W]], [%[[V0]], %[[V1]]] outs(%[[S]] : memref<2x8xf32>)
// CHECK-NOT:     memref.alloc() {{.*}} : memref<2x8xf32>
// CHECK:         attnres.depth_softmax %[[S]] outs(%[[S]] : memref<2x8xf32>) : memref<2x8xf32>
// CHECK:         %[[H:.*]] = memref.alloc() {{.*}} : memref<8x64xf32>
// CHECK:         attnres.depth_combine %[[S]], [%[[V0]], %[[V1]]] outs(%[[H]] : memref<8x64xf32>)
// CHECK:         return %[[H]]
func.func @chain(%w: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %s = attnres.depth_logits %w, [%v0, %v1] : tensor<64xf32>, tensor<8x64xf32> -> tensor<2x8xf32>
  %a = attnres.depth_softmax %s outs(%s : tensor<2x8xf32>) : tensor<2x8xf32>
  %e = tensor.empty() : tensor<8x64xf32>
  %h = attnres.depth_combine %a, [%v0, %v1] outs(%e : tensor<8x64xf32>) : tensor<2x8xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}
