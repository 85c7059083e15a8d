// RUN: attnres-opt %s --canonicalize="test-convergence=true" --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @one_source_attn
// CHECK-SAME: (%[[Q:.*]]: tensor<8xf32>, %[[V:.*]]: tensor<?x8xbf16>)
// CHECK-NEXT: return %[[V]]
func.func @one_source_attn(%q: tensor<8xf32>, %v: tensor<?x8xbf16>) -> tensor<?x8xbf16> {
  %h = attnres.depth_attn %q, [%v] : tensor<8xf32>, tensor<?x8xbf16> -> tensor<?x8xbf16>
  return %h : tensor<?x8xbf16>
}

// -----

// CHECK-LABEL: func.func @negative_two_source_attn
// CHECK: attnres.depth_attn
func.func @negative_two_source_attn(%q: tensor<8xf32>, %v: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // A repeated source is not foldable: each copy takes softmax mass.
  %h = attnres.depth_attn %q, [%v, %v] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @one_operand_summary
// CHECK-SAME: (%[[O:.*]]: tensor<4x8xf16>)
// CHECK-NEXT: return %[[O]]
func.func @one_operand_summary(%o: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %b = attnres.block_summary [%o] : tensor<4x8xf16>
  return %b : tensor<4x8xf16>
}

// -----

// A running partial sum written as a chain flattens into one sum in f32 (the
// same left-to-right order).
// CHECK-LABEL: func.func @flatten_partial_sums
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<4x8xf32>, %[[C:.*]]: tensor<4x8xf32>, %[[D:.*]]: tensor<4x8xf32>)
// CHECK-NEXT: %[[S:.*]] = attnres.block_summary [%[[A]], %[[B]], %[[C]], %[[D]]] : tensor<4x8xf32>
// CHECK-NEXT: return %[[S]]
func.func @flatten_partial_sums(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>, %c: tensor<4x8xf32>, %d: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %p1 = attnres.block_summary [%a, %b] : tensor<4x8xf32>
  %p2 = attnres.block_summary [%p1, %c] : tensor<4x8xf32>
  %p3 = attnres.block_summary [%p2, %d] : tensor<4x8xf32>
  return %p3 : tensor<4x8xf32>
}

// -----

// The inner partial is used elsewhere (as a site's source): keep the chain.
// CHECK-LABEL: func.func @negative_flatten_multi_use
// CHECK: %[[P:.*]] = attnres.block_summary [%{{.*}}, %{{.*}}]
// CHECK: attnres.block_summary [%[[P]], %{{.*}}]
func.func @negative_flatten_multi_use(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>, %c: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %p1 = attnres.block_summary [%a, %b] : tensor<4x8xf32>
  %p2 = attnres.block_summary [%p1, %c] : tensor<4x8xf32>
  return %p1, %p2 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// bf16 partials round after every step; flattening would change the result.
// CHECK-LABEL: func.func @negative_flatten_bf16
// CHECK: %[[P:.*]] = attnres.block_summary [%{{.*}}, %{{.*}}]
// CHECK: attnres.block_summary [%[[P]], %{{.*}}]
func.func @negative_flatten_bf16(%a: tensor<4x8xbf16>, %b: tensor<4x8xbf16>, %c: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  %p1 = attnres.block_summary [%a, %b] : tensor<4x8xbf16>
  %p2 = attnres.block_summary [%p1, %c] : tensor<4x8xbf16>
  return %p2 : tensor<4x8xbf16>
}

// -----

// The nested sum is not the first operand: the order would change.
// CHECK-LABEL: func.func @negative_flatten_not_first
// CHECK: %[[P:.*]] = attnres.block_summary [%{{.*}}, %{{.*}}]
// CHECK: attnres.block_summary [%{{.*}}, %[[P]]]
func.func @negative_flatten_not_first(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>, %c: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %p1 = attnres.block_summary [%a, %b] : tensor<4x8xf32>
  %p2 = attnres.block_summary [%c, %p1] : tensor<4x8xf32>
  return %p2 : tensor<4x8xf32>
}

// -----

// Softmax over a depth axis of length 1 is exactly 1; combining one value
// with weight 1 is that value.
// CHECK-LABEL: func.func @one_source_unfused
// CHECK-SAME: (%[[W:.*]]: tensor<8xf32>, %[[V:.*]]: tensor<4x8xf32>, %[[G:.*]]: tensor<8xf32>)
// CHECK-NEXT: return %[[V]]
func.func @one_source_unfused(%w: tensor<8xf32>, %v: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  %k = attnres.rms_norm %v, %g : tensor<4x8xf32>, tensor<8xf32>
  %s = attnres.depth_logits %w, [%k] : tensor<8xf32>, tensor<4x8xf32> -> tensor<1x4xf32>
  %a = attnres.depth_softmax %s : tensor<1x4xf32>
  %h = attnres.depth_combine %a, [%v] : tensor<1x4xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @negative_softmax_two_sources
// CHECK: attnres.depth_softmax
func.func @negative_softmax_two_sources(%s: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %a = attnres.depth_softmax %s : tensor<2x4xf32>
  return %a : tensor<2x4xf32>
}

// -----

// Dynamic token dims: no constant can be built; the op stays.
// CHECK-LABEL: func.func @negative_softmax_dynamic
// CHECK: attnres.depth_softmax
func.func @negative_softmax_dynamic(%s: tensor<1x?xf32>) -> tensor<1x?xf32> {
  %a = attnres.depth_softmax %s : tensor<1x?xf32>
  return %a : tensor<1x?xf32>
}

// -----

// CHECK-LABEL: func.func @negative_combine_weight_not_one
// CHECK: attnres.depth_combine
func.func @negative_combine_weight_not_one(%v: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %a = arith.constant dense<0.5> : tensor<1x4xf32>
  %h = attnres.depth_combine %a, [%v] : tensor<1x4xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h : tensor<4x8xf32>
}
