// The decomposition of depth_attn_norm / depth_attn_merge_norm
// (linalg::AggregatedOpInterface, through upstream's
// transform.structured.decompose_interface, which takes ops with one
// result): without destinations the site and the rms_norm it fuses; with
// destinations the site writing h into a new tensor, then the norm's
// generics writing the destination.
//
// RUN: attnres-opt %s --transform-interpreter | FileCheck %s --enable-var-scope

// CHECK-LABEL: func.func @decompose(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<64xf32>, %[[V0:[^:]+]]: tensor<8x64xf32>, %[[V1:[^:]+]]: tensor<8x64xf32>, %[[G:[^:]+]]: tensor<64xf32>, %[[L:[^:]+]]: tensor<8xf32>)
// CHECK-NOT:     _norm
// CHECK:         %[[H:.*]] = attnres.depth_attn %[[Q]], [%[[V0]], %[[V1]]] {eps = 9.99999997E-7 : f32}
// CHECK-NEXT:    %[[N:.*]] = attnres.rms_norm %[[H]], %[[G]] {eps = 2.000000e-03 : f32}
// CHECK:         %[[I:.*]] = tensor.empty() : tensor<8x64xf32>
// CHECK:         %[[T:.*]] = tensor.empty() : tensor<8x64xf32>
// CHECK:         %[[H2:.*]] = attnres.depth_attn_merge %[[V0]], %[[L]], %[[Q]], %[[V1]] outs(%[[T]] : tensor<8x64xf32>)
// CHECK:         linalg.generic {{.*}} ins(%[[H2]] :
// CHECK:         %[[N2:.*]] = linalg.generic {{.*}} ins(%[[H2]], %{{.*}}, %[[G]] : {{.*}}) outs(%[[I]] : tensor<8x64xf32>)
// CHECK-NOT:     _norm
// CHECK:         return %[[N]], %[[N2]]
func.func @decompose(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>,
                     %g: tensor<64xf32>, %lse: tensor<8xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>) {
  %n0 = attnres.depth_attn_norm %q, [%v0, %v1], %g {eps = 1.0e-06 : f32, norm_eps = 2.0e-03 : f32}
      : tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>
  %i = tensor.empty() : tensor<8x64xf32>
  %n1 = attnres.depth_attn_merge_norm %v0, %lse, %q, %v1, %g outs(%i : tensor<8x64xf32>)
      : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>
  return %n0, %n1 : tensor<8x64xf32>, tensor<8x64xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %ops = transform.structured.match ops{["attnres.depth_attn_norm", "attnres.depth_attn_merge_norm"]} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.foreach %ops : !transform.any_op {
    ^bb0(%op: !transform.any_op):
      %d = transform.structured.decompose_interface %op : (!transform.any_op) -> !transform.any_op
    }
    transform.yield
  }
}
