// attnres-add-destinations: every attnres op with a memref form, in the value
// form without destinations, gets one tensor.empty destination per result,
// shaped like the result (dynamic sizes from the op's reified result shapes);
// properties and discardable attributes are kept. Ops with destinations and
// the memref form are left alone.
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-add-destinations))' | FileCheck %s
// The rewritten ops verify and keep their meaning: a program lowered with and
// without the pass is checked against numpy in the Integration tests; here,
// a destination-passing site bufferizes into the caller's buffer: no
// allocation, no copy (eliminate-empty-tensors replaces the destination;
// materialize_in_destination leaves a copy of the buffer onto itself, which
// canonicalize folds).
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-add-destinations),eliminate-empty-tensors,one-shot-bufferize{bufferize-function-boundaries},canonicalize)' | FileCheck %s --check-prefix=INPLACE
// Without the pass the same site gets a new buffer and a copy.
// RUN: attnres-opt %s --pass-pipeline='builtin.module(eliminate-empty-tensors,one-shot-bufferize{bufferize-function-boundaries},canonicalize)' | FileCheck %s --check-prefix=COPY

// CHECK-LABEL: func.func @site(
// CHECK-SAME:    %[[Q:[^:]*]]: tensor<64xf32>, %[[V0:[^:]*]]: tensor<8x64xf32>, %[[V1:[^:]*]]: tensor<8x64xf32>
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<8x64xf32>
// CHECK:         %[[H:.*]] = attnres.depth_attn %[[Q]], [%[[V0]], %[[V1]]] outs(%[[E]] : tensor<8x64xf32>) {attnres.chunk = 2 : i64, eps = 9.99999997E-7 : f32} : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
// CHECK:         return %[[H]]
func.func @site(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] {eps = 1.0e-06 : f32, attnres.chunk = 2 : i64} : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// Dynamic token dims: the destination's sizes come from the sources.
// CHECK-LABEL: func.func @dynamic_rows(
// CHECK-SAME:    %{{[^:]*}}: tensor<64xf32>, %[[V0:[^:]*]]: tensor<?x?x64xbf16>
// CHECK-DAG:     %[[D0:.*]] = tensor.dim %[[V0]], %c0
// CHECK-DAG:     %[[D1:.*]] = tensor.dim %[[V0]], %c1
// CHECK:         %[[E:.*]] = tensor.empty(%[[D0]], %[[D1]]) : tensor<?x?x64xbf16>
// CHECK:         attnres.depth_attn {{.*}} outs(%[[E]] : tensor<?x?x64xbf16>)
func.func @dynamic_rows(%q: tensor<64xf32>, %v0: tensor<?x?x64xbf16>, %v1: tensor<?x?x64xbf16>) -> tensor<?x?x64xbf16> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf32>, tensor<?x?x64xbf16> -> tensor<?x?x64xbf16>
  return %h : tensor<?x?x64xbf16>
}

// Two results: two destinations (the stats' outputs and LSE); the fused norm
// op's normalized rows and h.
// CHECK-LABEL: func.func @multi(
// CHECK-DAG:     %[[OE:.*]] = tensor.empty() : tensor<4x8x64xf32>
// CHECK-DAG:     %[[LE:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK:         attnres.depth_attn_stats {{.*}} outs(%[[OE]], %[[LE]] : tensor<4x8x64xf32>, tensor<4x8xf32>)
// CHECK:         attnres.depth_attn_norm {{.*}} outs(%{{.*}}, %{{.*}} : tensor<8x64xf32>, tensor<8x64xf32>)
func.func @multi(%qs: tensor<4x64xf32>, %q: tensor<64xf32>, %v0: tensor<8x64xf32>, %g: tensor<64xf32>)
    -> (tensor<4x8x64xf32>, tensor<4x8xf32>, tensor<8x64xf32>, tensor<8x64xf32>) {
  %o, %l = attnres.depth_attn_stats %qs, [%v0, %v0] : tensor<4x64xf32>, tensor<8x64xf32> -> tensor<4x8x64xf32>, tensor<4x8xf32>
  %n, %h = attnres.depth_attn_norm %q, [%v0, %v0], %g : tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>, tensor<8x64xf32>
  return %o, %l, %n, %h : tensor<4x8x64xf32>, tensor<4x8xf32>, tensor<8x64xf32>, tensor<8x64xf32>
}

// Unfused ops and gradients too.
// CHECK-LABEL: func.func @others(
// CHECK:         attnres.rms_norm {{.*}} outs(%{{.*}} : tensor<8x64xf32>)
// CHECK:         attnres.block_summary {{.*}} outs(%{{.*}} : tensor<8x64xf32>)
// CHECK:         attnres.depth_attn_grad {{.*}} outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>)
func.func @others(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %g: tensor<64xf32>, %dh: tensor<8x64xf32>)
    -> (tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) {
  %n = attnres.rms_norm %v0, %g : tensor<8x64xf32>, tensor<64xf32>
  %s = attnres.block_summary [%v0, %n] : tensor<8x64xf32>
  %dq, %dv:2 = attnres.depth_attn_grad %q, [%v0, %s], %dh : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32> -> tensor<64xf32>, tensor<8x64xf32>
  return %n, %s, %dq, %dv#0, %dv#1 : tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>
}

// Left alone: an op with a destination, the memref form.
// CHECK-LABEL: func.func @kept(
// CHECK-NOT:     tensor.empty
// CHECK:         attnres.depth_attn %{{.*}} outs(%{{.*}} : tensor<8x64xf32>)
// CHECK:         attnres.depth_attn %{{.*}} outs(%{{.*}} : memref<8x64xf32>)
// CHECK-NOT:     tensor.empty
// CHECK-LABEL: func.func @into_buffer(
func.func @kept(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %qm: memref<64xf32>, %m: memref<8x64xf32>, %out: memref<8x64xf32>) -> tensor<8x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v0] outs(%v0 : tensor<8x64xf32>) : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  attnres.depth_attn %qm, [%m, %m] outs(%out : memref<8x64xf32>) : memref<64xf32>, memref<8x64xf32>
  return %h : tensor<8x64xf32>
}

// A destination-passing site (as the Python package and the benchmarks
// build them): computed in the caller's buffer.
// INPLACE-LABEL: func.func @into_buffer(
// INPLACE-SAME:    %{{[^:]*}}: memref<64xf32>, %{{[^:]*}}: memref<8x64xf32>, %[[OUT:[^:]*]]: memref<8x64xf32>
// INPLACE-NOT:     memref.alloc
// INPLACE-NOT:     memref.copy
// INPLACE:         attnres.depth_attn {{.*}} outs(%[[OUT]] : memref<8x64xf32>)
// INPLACE-NOT:     memref.copy
// COPY-LABEL:  func.func @into_buffer(
// COPY:          %[[A:.*]] = memref.alloc
// COPY:          attnres.depth_attn {{.*}} outs(%[[A]] : memref<8x64xf32>)
// COPY:          memref.copy %[[A]]
func.func @into_buffer(%q: memref<64xf32>, %v: memref<8x64xf32>, %out: memref<8x64xf32>) {
  %qt = bufferization.to_tensor %q restrict : memref<64xf32> to tensor<64xf32>
  %vt = bufferization.to_tensor %v restrict : memref<8x64xf32> to tensor<8x64xf32>
  %h = attnres.depth_attn %qt, [%vt, %vt] : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  bufferization.materialize_in_destination %h in restrict writable %out : (tensor<8x64xf32>, memref<8x64xf32>) -> ()
  return
}
