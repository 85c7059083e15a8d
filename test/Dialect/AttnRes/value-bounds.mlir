// ValueBoundsOpInterface: a result dimension of an attnres op equals the
// operand dimensions the op relates it to, directly or through the op's other
// relations (the result of depth_attn has the rows of every source, not only
// of source #0). Upstream affine-simplify-min-max proves with it which bound
// of a min/max is the smaller one; without the relation no bound is provable
// and the ops stay as they are.
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(affine-simplify-min-max))' --split-input-file | FileCheck %s

// rows(h) == rows(b), so min(rows(h), rows(b) + 1) is rows(h) and
// max(rows(h) + 2, rows(b)) is rows(b) + 2.
// CHECK: #[[$MAP:.*]] = affine_map<()[s0, s1] -> (s0 + 2)>
// CHECK-LABEL: func.func @depth_attn(
// CHECK-SAME: %[[B:[^:]*]]: tensor<?x?x8xf32>)
// CHECK: %[[H:.*]] = attnres.depth_attn
// CHECK-DAG: %[[RH:.*]] = tensor.dim %[[H]], %c1
// CHECK-DAG: %[[RB:.*]] = tensor.dim %[[B]], %c1
// CHECK-NOT: affine.min
// CHECK-NOT: affine.max
// CHECK: %[[MAX:.*]] = affine.apply #[[$MAP]]()[%[[RB]], %[[RH]]]
// CHECK: return %[[RH]], %[[MAX]]
func.func @depth_attn(%q: tensor<8xf32>, %a: tensor<?x?x8xf32>, %b: tensor<?x?x8xf32>) -> (index, index) {
  %c1 = arith.constant 1 : index
  %h = attnres.depth_attn %q, [%a, %b] : tensor<8xf32>, tensor<?x?x8xf32> -> tensor<?x?x8xf32>
  %rh = tensor.dim %h, %c1 : tensor<?x?x8xf32>
  %rb = tensor.dim %b, %c1 : tensor<?x?x8xf32>
  %min = affine.min affine_map<(d0, d1) -> (d0, d1 + 1)>(%rh, %rb)
  %max = affine.max affine_map<(d0, d1) -> (d0 + 2, d1)>(%rb, %rh)
  return %min, %max : index, index
}

// -----

// Logits: dimension 1 is the keys' rows. Phase 1: output and lse lead with the
// query count, then the sources' rows.
// CHECK-LABEL: func.func @logits_and_stats(
// CHECK-DAG: %[[RS:.*]] = tensor.dim %{{.*}}, %c1 : tensor<2x?xf32>
// CHECK-DAG: %[[SO:.*]] = tensor.dim %{{.*}}, %c0 : tensor<?x?x8xf32>
// CHECK-DAG: %[[RL:.*]] = tensor.dim %{{.*}}, %c1 : tensor<?x?xf32>
// CHECK-NOT: affine.min
// CHECK: return %[[RS]], %[[SO]], %[[RL]] : index, index, index
func.func @logits_and_stats(%w: tensor<8xf32>, %k0: tensor<?x8xf32>, %k1: tensor<?x8xf32>, %qs: tensor<?x8xf32>) -> (index, index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<8xf32>, tensor<?x8xf32> -> tensor<2x?xf32>
  %o, %lse = attnres.depth_attn_stats %qs, [%k0, %k1] : tensor<?x8xf32>, tensor<?x8xf32> -> tensor<?x?x8xf32>, tensor<?x?xf32>
  %rs = tensor.dim %s, %c1 : tensor<2x?xf32>
  %rk = tensor.dim %k1, %c0 : tensor<?x8xf32>
  %so = tensor.dim %o, %c0 : tensor<?x?x8xf32>
  %sq = tensor.dim %qs, %c0 : tensor<?x8xf32>
  %rl = tensor.dim %lse, %c1 : tensor<?x?xf32>
  %m0 = affine.min affine_map<(d0, d1) -> (d0, d1 + 1)>(%rs, %rk)
  %m1 = affine.min affine_map<(d0, d1) -> (d0, d1 + 1)>(%so, %sq)
  %m2 = affine.min affine_map<(d0, d1) -> (d0, d1 + 1)>(%rl, %rk)
  return %m0, %m1, %m2 : index, index, index
}

// -----

// Unrelated sizes stay unresolved.
// CHECK-LABEL: func.func @unrelated(
// CHECK: affine.min
func.func @unrelated(%x: tensor<?x8xf32>, %g: tensor<8xf32>, %y: tensor<?x8xf32>) -> index {
  %c0 = arith.constant 0 : index
  %n = attnres.rms_norm %x, %g : tensor<?x8xf32>, tensor<8xf32>
  %rn = tensor.dim %n, %c0 : tensor<?x8xf32>
  %ry = tensor.dim %y, %c0 : tensor<?x8xf32>
  %m = affine.min affine_map<(d0, d1) -> (d0, d1 + 1)>(%rn, %ry)
  return %m : index
}
