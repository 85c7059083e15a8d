// attnres-build-backward differentiates the fused ops as the site followed
// by its rms_norm: rms_norm_grad of the normalized value's cotangent (at h,
// recomputed by the site when the fused op does not keep it), summed with
// h's own cotangent when kept, then the site's gradient op.
// RUN: attnres-opt %s -split-input-file --attnres-build-backward="functions=f" | FileCheck %s --enable-var-scope
// RUN: attnres-opt %s -split-input-file --attnres-build-backward="functions=f" --attnres-to-llvm > /dev/null

// CHECK-LABEL: func.func @f_backward(
// CHECK-SAME:    %[[Q:[^:]*]]: tensor<16xf32>, %[[V0:[^:]*]]: tensor<4x16xf32>, %[[V1:[^:]*]]: tensor<4x16xf32>, %[[G:[^:]*]]: tensor<16xf32>, %[[DN:[^:]*]]: tensor<4x16xf32>)
// CHECK:         %[[H:.*]] = attnres.depth_attn %[[Q]], [%[[V0]], %[[V1]]] {eps = 9.99999997E-7 : f32}
// CHECK:         %[[DX:.*]], %[[DG:.*]] = attnres.rms_norm_grad %[[H]], %[[G]], %[[DN]] {eps = 2.000000e-03 : f32}
// CHECK:         %[[DQ:.*]], %[[DV:.*]]:2 = attnres.depth_attn_grad %[[Q]], [%[[V0]], %[[V1]]], %[[DX]] {eps = 9.99999997E-7 : f32}
// CHECK-NOT:     attnres.rms_norm %
// CHECK:         return %[[DQ]], %[[DV]]#0, %[[DV]]#1, %[[DG]]
func.func @f(%q: tensor<16xf32>, %v0: tensor<4x16xf32>, %v1: tensor<4x16xf32>, %g: tensor<16xf32>) -> tensor<4x16xf32> {
  %n = attnres.depth_attn_norm %q, [%v0, %v1], %g {eps = 1.0e-06 : f32, norm_eps = 2.0e-03 : f32}
      : tensor<16xf32>, tensor<4x16xf32>, tensor<16xf32> -> tensor<4x16xf32>
  return %n : tensor<4x16xf32>
}

// -----

// h kept and returned: its cotangent and the norm's input gradient are
// summed (block_summary) before the merge's gradient.
// CHECK-LABEL: func.func @f_backward(
// CHECK-SAME:    %[[O:[^:]*]]: tensor<4x16xf32>, %[[L:[^:]*]]: tensor<4xf32>, %[[Q:[^:]*]]: tensor<16xf32>, %[[U:[^:]*]]: tensor<4x16xf32>, %[[G:[^:]*]]: tensor<16xf32>, %[[DN:[^:]*]]: tensor<4x16xf32>, %[[DH:[^:]*]]: tensor<4x16xf32>)
// CHECK:         %[[F:.*]]:2 = attnres.depth_attn_merge_norm %[[O]], %[[L]], %[[Q]], %[[U]], %[[G]]
// CHECK:         %[[DX:.*]], %[[DG:.*]] = attnres.rms_norm_grad %[[F]]#1, %[[G]], %[[DN]]
// CHECK:         %[[S:.*]] = attnres.block_summary [%[[DX]], %[[DH]]]
// CHECK:         %[[DO:.*]], %[[DL:.*]], %[[DQ:.*]], %[[DU:.*]] = attnres.depth_attn_merge_grad %[[O]], %[[L]], %[[Q]], %[[U]], %[[S]]
// CHECK:         return %[[DO]], %[[DL]], %[[DQ]], %[[DU]], %[[DG]]
func.func @f(%o: tensor<4x16xf32>, %lse: tensor<4xf32>, %q: tensor<16xf32>, %u: tensor<4x16xf32>, %g: tensor<16xf32>)
    -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %n:2 = attnres.depth_attn_merge_norm %o, %lse, %q, %u, %g
      : tensor<4x16xf32>, tensor<4xf32>, tensor<16xf32>, tensor<4x16xf32>, tensor<16xf32> -> tensor<4x16xf32>, tensor<4x16xf32>
  return %n#0, %n#1 : tensor<4x16xf32>, tensor<4x16xf32>
}
