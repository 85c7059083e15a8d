// ReifyRankedShapedTypeOpInterface: a dimension of an attnres result is
// the matching dimension of an operand, so upstream's
// resolve-ranked-shaped-type-result-dims answers tensor.dim of a result
// without the op (which can then be dropped or tiled).
// RUN: attnres-opt %s --resolve-ranked-shaped-type-result-dims --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @site(
// CHECK-SAME: %{{[^:]*}}: tensor<16xf32>, %[[V0:[^:]*]]: tensor<?x?x16xf32>, %{{[^:]*}}: tensor<?x?x16xf32>)
// CHECK: %[[C1:.*]] = arith.constant 1 : index
// CHECK: %[[D:.*]] = tensor.dim %[[V0]], %[[C1]]
// CHECK: return %[[D]]
func.func @site(%q: tensor<16xf32>, %v0: tensor<?x?x16xf32>, %v1: tensor<?x?x16xf32>) -> index {
  %c1 = arith.constant 1 : index
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<16xf32>, tensor<?x?x16xf32> -> tensor<?x?x16xf32>
  %d = tensor.dim %h, %c1 : tensor<?x?x16xf32>
  return %d : index
}

// -----

// Phase 1: output [S, T, D] and lse [S, T]: S from the queries, T from the
// sources.
// CHECK-LABEL: func.func @stats(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<?x16xf32>, %[[B:[^:]*]]: tensor<?x16xf32>)
// CHECK-DAG: %[[S:.*]] = tensor.dim %[[Q]], %c0
// CHECK-DAG: %[[T:.*]] = tensor.dim %[[B]], %c0
// CHECK: return %[[S]], %[[T]]
func.func @stats(%qs: tensor<?x16xf32>, %b: tensor<?x16xf32>) -> (index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %o, %lse = attnres.depth_attn_stats %qs, [%b, %b] : tensor<?x16xf32>, tensor<?x16xf32> -> tensor<?x?x16xf32>, tensor<?x?xf32>
  %s = tensor.dim %lse, %c0 : tensor<?x?xf32>
  %t = tensor.dim %o, %c1 : tensor<?x?x16xf32>
  return %s, %t : index, index
}

// -----

// Logits and softmax weights [n, T]: T from the keys.
// CHECK-LABEL: func.func @logits(
// CHECK-SAME: %{{.*}}: tensor<16xf32>, %[[K:[^:]*]]: tensor<?x16xf32>)
// CHECK: %[[T:.*]] = tensor.dim %[[K]], %c0
// CHECK: return %[[T]]
func.func @logits(%q: tensor<16xf32>, %k: tensor<?x16xf32>) -> index {
  %c1 = arith.constant 1 : index
  %s = attnres.depth_logits %q, [%k, %k, %k] : tensor<16xf32>, tensor<?x16xf32> -> tensor<3x?xf32>
  %a = attnres.depth_softmax %s : tensor<3x?xf32>
  %t = tensor.dim %a, %c1 : tensor<3x?xf32>
  return %t : index
}
