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

// -----

// Every op's result sizes come from its shape relations
// (reifyResultShapesFromRelations): the combine's rows from value #0, the
// norm's from its input, the sum's from output #0.
// CHECK-LABEL: func.func @steps(
// CHECK-SAME: %{{[^:]*}}: tensor<2x?xf32>, %[[V:[^:]*]]: tensor<?x16xbf16>, %[[X:[^:]*]]: tensor<?x16xf32>, %{{[^:]*}}: tensor<16xf32>, %[[O:[^:]*]]: tensor<?x16xf32>)
// CHECK-DAG: %[[A:.*]] = tensor.dim %[[V]], %c0
// CHECK-DAG: %[[B:.*]] = tensor.dim %[[X]], %c0
// CHECK-DAG: %[[C:.*]] = tensor.dim %[[O]], %c0
// CHECK: return %[[A]], %[[B]], %[[C]]
func.func @steps(%a: tensor<2x?xf32>, %v: tensor<?x16xbf16>, %x: tensor<?x16xf32>, %g: tensor<16xf32>, %o: tensor<?x16xf32>) -> (index, index, index) {
  %c0 = arith.constant 0 : index
  %h = attnres.depth_combine %a, [%v, %v] : tensor<2x?xf32>, tensor<?x16xbf16> -> tensor<?x16xbf16>
  %k = attnres.rms_norm %x, %g : tensor<?x16xf32>, tensor<16xf32>
  %s = attnres.block_summary [%o, %o] : tensor<?x16xf32>
  %d0 = tensor.dim %h, %c0 : tensor<?x16xbf16>
  %d1 = tensor.dim %k, %c0 : tensor<?x16xf32>
  %d2 = tensor.dim %s, %c0 : tensor<?x16xf32>
  return %d0, %d1, %d2 : index, index, index
}

// -----

// The gradient ops: each gradient has the shape of what it is the gradient
// of (the query's length, the sources' rows).
// CHECK-LABEL: func.func @grads(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<?xf32>, %[[V:[^:]*]]: tensor<?x16xf32>, %{{[^:]*}}: tensor<?x16xf32>, %[[L:[^:]*]]: tensor<?xf32>)
// CHECK-DAG: %[[A:.*]] = tensor.dim %[[Q]], %c0
// CHECK-DAG: %[[B:.*]] = tensor.dim %[[V]], %c0
// CHECK-DAG: %[[C:.*]] = tensor.dim %[[L]], %c0
// CHECK: return %[[A]], %[[B]], %[[C]]
func.func @grads(%q: tensor<?xf32>, %v: tensor<?x16xf32>, %g: tensor<?x16xf32>, %lse: tensor<?xf32>) -> (index, index, index) {
  %c0 = arith.constant 0 : index
  %dq, %dv = attnres.depth_attn_grad %q, [%v], %g : tensor<?xf32>, tensor<?x16xf32>, tensor<?x16xf32> -> tensor<?xf32>, tensor<?x16xf32>
  %do, %dl, %dq2, %du = attnres.depth_attn_merge_grad %v, %lse, %q, %v, %g : tensor<?x16xf32>, tensor<?xf32>, tensor<?xf32>
  %d0 = tensor.dim %dq, %c0 : tensor<?xf32>
  %d1 = tensor.dim %dv, %c0 : tensor<?x16xf32>
  %d2 = tensor.dim %dl, %c0 : tensor<?xf32>
  return %d0, %d1, %d2 : index, index, index
}

// -----

// The fused sites: both results (normed, merged) have the source's shape.
// CHECK-LABEL: func.func @fused(
// CHECK-SAME: %{{[^:]*}}: tensor<16xf32>, %[[V0:[^:]*]]: tensor<?x16xf32>, %{{[^:]*}}: tensor<16xf32>, %[[O:[^:]*]]: tensor<?x16xf32>, %{{[^:]*}}: tensor<?xf32>, %[[U:[^:]*]]: tensor<?x16xf32>)
// CHECK-NOT: attnres.
// CHECK: %[[D0:.*]] = tensor.dim %[[V0]], %c0
// CHECK-NEXT: %[[D1:.*]] = tensor.dim %[[V0]], %c0
// CHECK-NEXT: %[[D2:.*]] = tensor.dim %[[U]], %c0
// CHECK-NEXT: return %[[D0]], %[[D1]], %[[D2]]
func.func @fused(%q: tensor<16xf32>, %v0: tensor<?x16xf32>, %g: tensor<16xf32>, %o: tensor<?x16xf32>, %lse: tensor<?xf32>, %u: tensor<?x16xf32>) -> (index, index, index) {
  %c0 = arith.constant 0 : index
  %n, %h = attnres.depth_attn_norm %q, [%v0], %g : tensor<16xf32>, tensor<?x16xf32>, tensor<16xf32> -> tensor<?x16xf32>, tensor<?x16xf32>
  %m = attnres.depth_attn_merge_norm %o, %lse, %q, %u, %g : tensor<?x16xf32>, tensor<?xf32>, tensor<16xf32>, tensor<?x16xf32>, tensor<16xf32> -> tensor<?x16xf32>
  %d0 = tensor.dim %n, %c0 : tensor<?x16xf32>
  %d1 = tensor.dim %h, %c0 : tensor<?x16xf32>
  %d2 = tensor.dim %m, %c0 : tensor<?x16xf32>
  return %d0, %d1, %d2 : index, index, index
}
