// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-fuse))' --split-input-file | FileCheck %s

// The chain a frontend emits becomes one depth_attn; the gain is folded into
// the query once (an f32 generic over D), the keys are never materialized.
// CHECK-LABEL: func.func @fuse_chain
// CHECK-SAME: (%[[V0:.*]]: tensor<4x8xf32>, %[[V1:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<8xf32>, %[[G:.*]]: tensor<8xf32>)
// CHECK: %[[Q:.*]] = linalg.generic {{.*}} ins(%[[G]], %[[W]] : tensor<8xf32>, tensor<8xf32>) outs(%{{.*}} : tensor<8xf32>)
// CHECK: arith.mulf
// CHECK: %[[H:.*]] = attnres.depth_attn %[[Q]], [%[[V0]], %[[V1]]] {eps = 9.99999997E-7 : f32} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
// CHECK-NOT: attnres.rms_norm
// CHECK-NOT: attnres.depth_logits
// CHECK-NOT: attnres.depth_softmax
// CHECK-NOT: attnres.depth_combine
// CHECK: return %[[H]]
func.func @fuse_chain(%v0: tensor<4x8xf32>, %v1: tensor<4x8xf32>, %w: tensor<8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  %k0 = attnres.rms_norm %v0, %g {eps = 1.0e-06 : f32} : tensor<4x8xf32>, tensor<8xf32>
  %k1 = attnres.rms_norm %v1, %g {eps = 1.0e-06 : f32} : tensor<4x8xf32>, tensor<8xf32>
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<2x4xf32>
  %a = attnres.depth_softmax %s : tensor<2x4xf32>
  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<2x4xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h : tensor<4x8xf32>
}

// -----

// bf16 sources, bf16 gain and query: the folded query is f32; a key with
// another user stays for that user.
// CHECK-LABEL: func.func @fuse_bf16_key_kept
// CHECK: %[[K0:.*]] = attnres.rms_norm
// CHECK: linalg.generic
// CHECK: arith.extf
// CHECK: %[[H:.*]] = attnres.depth_attn %{{.*}}, [%{{.*}}, %{{.*}}, %{{.*}}] : tensor<8xf32>, tensor<?x8xbf16> -> tensor<?x8xbf16>
// CHECK: return %[[H]], %[[K0]]
func.func @fuse_bf16_key_kept(%v0: tensor<?x8xbf16>, %v1: tensor<?x8xbf16>, %v2: tensor<?x8xbf16>, %w: tensor<8xbf16>, %g: tensor<8xbf16>) -> (tensor<?x8xbf16>, tensor<?x8xbf16>) {
  %k0 = attnres.rms_norm %v0, %g : tensor<?x8xbf16>, tensor<8xbf16>
  %k1 = attnres.rms_norm %v1, %g : tensor<?x8xbf16>, tensor<8xbf16>
  %k2 = attnres.rms_norm %v2, %g : tensor<?x8xbf16>, tensor<8xbf16>
  %s = attnres.depth_logits %w, [%k0, %k1, %k2] : tensor<8xbf16>, tensor<?x8xbf16> -> tensor<3x?xf32>
  %a = attnres.depth_softmax %s : tensor<3x?xf32>
  %h = attnres.depth_combine %a, [%v0, %v1, %v2] : tensor<3x?xf32>, tensor<?x8xbf16> -> tensor<?x8xbf16>
  return %h, %k0 : tensor<?x8xbf16>, tensor<?x8xbf16>
}

// -----

// The values are not the normalized sources.
// CHECK-LABEL: func.func @negative_values_not_sources
// CHECK-NOT: attnres.depth_attn
// CHECK: attnres.depth_combine
func.func @negative_values_not_sources(%v0: tensor<4x8xf32>, %v1: tensor<4x8xf32>, %u: tensor<4x8xf32>, %w: tensor<8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  %k0 = attnres.rms_norm %v0, %g : tensor<4x8xf32>, tensor<8xf32>
  %k1 = attnres.rms_norm %v1, %g : tensor<4x8xf32>, tensor<8xf32>
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<2x4xf32>
  %a = attnres.depth_softmax %s : tensor<2x4xf32>
  %h = attnres.depth_combine %a, [%v0, %u] : tensor<2x4xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h : tensor<4x8xf32>
}

// -----

// Same sources in another order.
// CHECK-LABEL: func.func @negative_values_reordered
// CHECK-NOT: attnres.depth_attn
// CHECK: attnres.depth_combine
func.func @negative_values_reordered(%v0: tensor<4x8xf32>, %v1: tensor<4x8xf32>, %w: tensor<8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  %k0 = attnres.rms_norm %v0, %g : tensor<4x8xf32>, tensor<8xf32>
  %k1 = attnres.rms_norm %v1, %g : tensor<4x8xf32>, tensor<8xf32>
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<2x4xf32>
  %a = attnres.depth_softmax %s : tensor<2x4xf32>
  %h = attnres.depth_combine %a, [%v1, %v0] : tensor<2x4xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h : tensor<4x8xf32>
}

// -----

// The softmax weights have another user.
// CHECK-LABEL: func.func @negative_softmax_other_user
// CHECK-NOT: attnres.depth_attn
// CHECK: attnres.depth_combine
func.func @negative_softmax_other_user(%v0: tensor<4x8xf32>, %v1: tensor<4x8xf32>, %w: tensor<8xf32>, %g: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<2x4xf32>) {
  %k0 = attnres.rms_norm %v0, %g : tensor<4x8xf32>, tensor<8xf32>
  %k1 = attnres.rms_norm %v1, %g : tensor<4x8xf32>, tensor<8xf32>
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<2x4xf32>
  %a = attnres.depth_softmax %s : tensor<2x4xf32>
  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<2x4xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h, %a : tensor<4x8xf32>, tensor<2x4xf32>
}

// -----

// The logits have another user.
// CHECK-LABEL: func.func @negative_logits_other_user
// CHECK-NOT: attnres.depth_attn
// CHECK: attnres.depth_combine
func.func @negative_logits_other_user(%v0: tensor<4x8xf32>, %v1: tensor<4x8xf32>, %w: tensor<8xf32>, %g: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<2x4xf32>) {
  %k0 = attnres.rms_norm %v0, %g : tensor<4x8xf32>, tensor<8xf32>
  %k1 = attnres.rms_norm %v1, %g : tensor<4x8xf32>, tensor<8xf32>
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<2x4xf32>
  %a = attnres.depth_softmax %s : tensor<2x4xf32>
  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<2x4xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h, %s : tensor<4x8xf32>, tensor<2x4xf32>
}

// -----

// The keys use different eps.
// CHECK-LABEL: func.func @negative_mismatched_eps
// CHECK-NOT: attnres.depth_attn
// CHECK: attnres.depth_combine
func.func @negative_mismatched_eps(%v0: tensor<4x8xf32>, %v1: tensor<4x8xf32>, %w: tensor<8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  %k0 = attnres.rms_norm %v0, %g {eps = 1.0e-06 : f32} : tensor<4x8xf32>, tensor<8xf32>
  %k1 = attnres.rms_norm %v1, %g : tensor<4x8xf32>, tensor<8xf32>
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<2x4xf32>
  %a = attnres.depth_softmax %s : tensor<2x4xf32>
  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<2x4xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h : tensor<4x8xf32>
}

// -----

// The keys use different gains.
// CHECK-LABEL: func.func @negative_mismatched_gains
// CHECK-NOT: attnres.depth_attn
// CHECK: attnres.depth_combine
func.func @negative_mismatched_gains(%v0: tensor<4x8xf32>, %v1: tensor<4x8xf32>, %w: tensor<8xf32>, %g0: tensor<8xf32>, %g1: tensor<8xf32>) -> tensor<4x8xf32> {
  %k0 = attnres.rms_norm %v0, %g0 : tensor<4x8xf32>, tensor<8xf32>
  %k1 = attnres.rms_norm %v1, %g1 : tensor<4x8xf32>, tensor<8xf32>
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<2x4xf32>
  %a = attnres.depth_softmax %s : tensor<2x4xf32>
  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<2x4xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h : tensor<4x8xf32>
}

// -----

// A softmax not fed by logits (e.g. logits from elsewhere).
// CHECK-LABEL: func.func @negative_no_logits
// CHECK-NOT: attnres.depth_attn
// CHECK: attnres.depth_combine
func.func @negative_no_logits(%v0: tensor<4x8xf32>, %v1: tensor<4x8xf32>, %s: tensor<2x4xf32>) -> tensor<4x8xf32> {
  %a = attnres.depth_softmax %s : tensor<2x4xf32>
  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<2x4xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h : tensor<4x8xf32>
}

// -----

// The same normalized key used twice: fused, the norm erased once.
// CHECK-LABEL: func.func @fuse_repeated_source
// CHECK: attnres.depth_attn %{{.*}}, [%[[V:.*]], %[[V]]]
// CHECK-NOT: attnres.rms_norm
func.func @fuse_repeated_source(%v0: tensor<4x8xf32>, %w: tensor<8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  %k0 = attnres.rms_norm %v0, %g : tensor<4x8xf32>, tensor<8xf32>
  %s = attnres.depth_logits %w, [%k0, %k0] : tensor<8xf32>, tensor<4x8xf32> -> tensor<2x4xf32>
  %a = attnres.depth_softmax %s : tensor<2x4xf32>
  %h = attnres.depth_combine %a, [%v0, %v0] : tensor<2x4xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h : tensor<4x8xf32>
}

// -----

// No attnres ops and an external declaration: nothing to do, no crash.
// CHECK-LABEL: func.func private @external
// CHECK-LABEL: func.func @no_attnres
func.func private @external(tensor<4xf32>) -> tensor<4xf32>
func.func @no_attnres(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
