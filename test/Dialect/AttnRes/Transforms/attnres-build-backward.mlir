// RUN: attnres-opt %s -split-input-file --attnres-build-backward="functions=f" | FileCheck %s

// One site: the backward recomputes nothing it does not need (the gradient
// op recomputes the statistics) and returns dq and every dV_j.

// CHECK-LABEL: func.func @f_backward(
// CHECK-SAME:    %[[Q:[^:]*]]: tensor<16xf32>, %[[V0:[^:]*]]: tensor<4x16xf32>, %[[V1:[^:]*]]: tensor<4x16xf32>, %[[DH:[^:]*]]: tensor<4x16xf32>)
// CHECK-SAME:    -> (tensor<16xf32>, tensor<4x16xf32>, tensor<4x16xf32>)
// CHECK-NOT:     attnres.depth_attn %
// CHECK:         %[[DQ:.*]], %[[DV:.*]]:2 = attnres.depth_attn_grad %[[Q]], [%[[V0]], %[[V1]]], %[[DH]] {eps = 9.99999997E-7 : f32}
// CHECK:         return %[[DQ]], %[[DV]]#0, %[[DV]]#1
func.func @f(%q: tensor<16xf32>, %v0: tensor<4x16xf32>, %v1: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] {eps = 1.0e-06 : f32} : tensor<16xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
  return %h : tensor<4x16xf32>
}

// -----

// Block AttnRes through sublayer calls: f_0's output is a source of the
// second site directly and, inside the block summary, of the output site,
// so its gradient is the sum of both (one block_summary) before its VJP.
// The query rows come from a stacked parameter (extract_slice: gradient
// inserted back into zeros, rows added). Forward values the sweep reads
// (the sublayer inputs, the summary) are recomputed.

// CHECK-LABEL: func.func @f_backward(
// CHECK-SAME:    %[[EMB:[^:]*]]: tensor<4x16xf32>, %[[QS:[^:]*]]: tensor<2x16xf32>, %[[W:[^:]*]]: tensor<16x16xf32>, %[[DY:[^:]*]]: tensor<4x16xf32>)
// CHECK-SAME:    -> (tensor<4x16xf32>, tensor<2x16xf32>, tensor<16x16xf32>)
// CHECK:         %[[F0:.*]] = call @lin(%[[EMB]], %[[W]])
// CHECK:         %[[Q0:.*]] = tensor.extract_slice %[[QS]][0, 0] [1, 16] [1, 1]
// CHECK:         %[[H1:.*]] = attnres.depth_attn %[[Q0]], [%[[EMB]], %[[F0]]]
// CHECK:         %[[F1:.*]] = call @lin(%[[H1]], %[[W]])
// CHECK:         %[[B:.*]] = attnres.block_summary [%[[F0]], %[[F1]]]
// CHECK:         %[[Q1:.*]] = tensor.extract_slice %[[QS]][1, 0] [1, 16] [1, 1]
// CHECK:         %[[DQ1:.*]], %[[DV1:.*]]:2 = attnres.depth_attn_grad %[[Q1]], [%[[EMB]], %[[B]]], %[[DY]]
// CHECK:         %[[ZQ1:.*]] = arith.constant dense<0.000000e+00> : tensor<2x16xf32>
// CHECK:         %[[DQS1:.*]] = tensor.insert_slice %[[DQ1]] into %[[ZQ1]][1, 0] [1, 16] [1, 1]
// CHECK:         %[[VJP1:.*]]:2 = call @lin_vjp(%[[H1]], %[[W]], %[[DV1]]#1)
// CHECK:         %[[DQ0:.*]], %[[DV0:.*]]:2 = attnres.depth_attn_grad %[[Q0]], [%[[EMB]], %[[F0]]], %[[VJP1]]#0
// CHECK:         %[[DQS0:.*]] = tensor.insert_slice %[[DQ0]] into %{{.*}}[0, 0] [1, 16] [1, 1]
// CHECK:         %[[DF0:.*]] = attnres.block_summary [%[[DV1]]#1, %[[DV0]]#1]
// CHECK:         %[[VJP0:.*]]:2 = call @lin_vjp(%[[EMB]], %[[W]], %[[DF0]])
// CHECK:         %[[DEMB:.*]] = attnres.block_summary [%[[DV1]]#0, %[[DV0]]#0, %[[VJP0]]#0]
// CHECK:         %[[DQS:.*]] = attnres.block_summary [%[[DQS1]], %[[DQS0]]]
// CHECK:         %[[DW:.*]] = attnres.block_summary [%[[VJP1]]#1, %[[VJP0]]#1]
// CHECK:         return %[[DEMB]], %[[DQS]], %[[DW]]
func.func private @lin(tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32> attributes {attnres.vjp = @lin_vjp}
func.func private @lin_vjp(tensor<4x16xf32>, tensor<16x16xf32>, tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16x16xf32>)
func.func @f(%emb: tensor<4x16xf32>, %qs: tensor<2x16xf32>, %w: tensor<16x16xf32>) -> tensor<4x16xf32> {
  %f0 = func.call @lin(%emb, %w) : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %q0 = tensor.extract_slice %qs[0, 0] [1, 16] [1, 1] : tensor<2x16xf32> to tensor<16xf32>
  %h1 = attnres.depth_attn %q0, [%emb, %f0] : tensor<16xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
  %f1 = func.call @lin(%h1, %w) : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %b = attnres.block_summary [%f0, %f1] : tensor<4x16xf32>
  %q1 = tensor.extract_slice %qs[1, 0] [1, 16] [1, 1] : tensor<2x16xf32> to tensor<16xf32>
  %y = attnres.depth_attn %q1, [%emb, %b] : tensor<16xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// Two-phase: the merge's gradient feeds the stats gradient's dO and dlse;
// the stats output no merge reads (query row 0's, used directly) gets its
// own cotangent, and an rms_norm sublayer input differentiates to
// rms_norm_grad.

// CHECK-LABEL: func.func @f_backward(
// CHECK-SAME:    %[[QS:[^:]*]]: tensor<1x16xf32>, %[[Q:[^:]*]]: tensor<16xf32>, %[[V:[^:]*]]: tensor<4x16xf32>, %[[U:[^:]*]]: tensor<4x16xf32>, %[[G:[^:]*]]: tensor<16xf32>, %[[DY:[^:]*]]: tensor<4x16xf32>)
// CHECK:         %[[O:.*]], %[[LSE:.*]] = attnres.depth_attn_stats %[[QS]], [%[[V]]]
// CHECK:         %[[O0:.*]] = tensor.collapse_shape %[[O]]
// CHECK:         %[[L0:.*]] = tensor.collapse_shape %[[LSE]]
// CHECK:         %[[H:.*]] = attnres.depth_attn_merge %[[O0]], %[[L0]], %[[Q]], %[[U]]
// CHECK:         %[[DX:.*]], %[[DGAIN:.*]] = attnres.rms_norm_grad %[[H]], %[[G]], %[[DY]]
// CHECK:         %[[DO:.*]], %[[DLSE:.*]], %[[DQ:.*]], %[[DU:.*]] = attnres.depth_attn_merge_grad %[[O0]], %[[L0]], %[[Q]], %[[U]], %[[DX]]
// CHECK:         %[[EDL:.*]] = tensor.expand_shape %[[DLSE]] {{\[}}[0, 1]] output_shape [1, 4]
// CHECK:         %[[EDO:.*]] = tensor.expand_shape %[[DO]] {{\[}}[0, 1], [2]] output_shape [1, 4, 16]
// CHECK:         %[[DQS:.*]], %[[DV:.*]] = attnres.depth_attn_stats_grad %[[QS]], [%[[V]]], %[[LSE]], %[[EDO]], %[[EDL]]
// CHECK:         return %[[DQS]], %[[DQ]], %[[DV]], %[[DU]], %[[DGAIN]]
func.func @f(%qs: tensor<1x16xf32>, %q: tensor<16xf32>, %v: tensor<4x16xf32>, %u: tensor<4x16xf32>, %g: tensor<16xf32>) -> tensor<4x16xf32> {
  %o, %lse = attnres.depth_attn_stats %qs, [%v] : tensor<1x16xf32>, tensor<4x16xf32> -> tensor<1x4x16xf32>, tensor<1x4xf32>
  %o0 = tensor.collapse_shape %o [[0, 1], [2]] : tensor<1x4x16xf32> into tensor<4x16xf32>
  %l0 = tensor.collapse_shape %lse [[0, 1]] : tensor<1x4xf32> into tensor<4xf32>
  %h = attnres.depth_attn_merge %o0, %l0, %q, %u : tensor<4x16xf32>, tensor<4xf32>, tensor<16xf32>, tensor<4x16xf32>
  %y = attnres.rms_norm %h, %g : tensor<4x16xf32>, tensor<16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// Linalg glue differentiated directly: matmul (dA = g·Bᵀ, dB = Aᵀ·g),
// elementwise arith (y = c·c − a·b + c: dc = dy + dy·c + dy·c); an argument
// no result depends on gets zeros.

// CHECK-LABEL: func.func @f_backward(
// CHECK-SAME:    %[[A:[^:]*]]: tensor<4x8xf32>, %[[B:[^:]*]]: tensor<8x16xf32>, %[[C:[^:]*]]: tensor<4x16xf32>, %[[UNUSED:[^:]*]]: tensor<3xf32>, %[[DY:[^:]*]]: tensor<4x16xf32>)
// CHECK:         %[[NEG:.*]] = arith.negf %[[DY]]
// CHECK:         %[[M1:.*]] = arith.mulf %[[DY]], %[[C]] : tensor<4x16xf32>
// CHECK:         %[[M2:.*]] = arith.mulf %[[DY]], %[[C]] : tensor<4x16xf32>
// CHECK:         %[[BT:.*]] = linalg.transpose ins(%[[B]] : tensor<8x16xf32>) outs(%{{.*}} : tensor<16x8xf32>) permutation = [1, 0]
// CHECK:         %[[DA:.*]] = linalg.matmul ins(%[[NEG]], %[[BT]] : tensor<4x16xf32>, tensor<16x8xf32>)
// CHECK:         %[[AT:.*]] = linalg.transpose ins(%[[A]] : tensor<4x8xf32>) outs(%{{.*}} : tensor<8x4xf32>) permutation = [1, 0]
// CHECK:         %[[DB:.*]] = linalg.matmul ins(%[[AT]], %[[NEG]] : tensor<8x4xf32>, tensor<4x16xf32>)
// CHECK:         %[[DC:.*]] = attnres.block_summary [%[[DY]], %[[M1]], %[[M2]]]
// CHECK:         %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK:         return %[[DA]], %[[DB]], %[[DC]], %[[Z]]
func.func @f(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<4x16xf32>, %unused: tensor<3xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %ab = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%z : tensor<4x16xf32>) -> tensor<4x16xf32>
  %cc = arith.mulf %c, %c : tensor<4x16xf32>
  %s = arith.subf %cc, %ab : tensor<4x16xf32>
  %y = arith.addf %s, %c : tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
