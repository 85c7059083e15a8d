// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=3 virtual-stages=2}))' 2>/dev/null | FileCheck %s

// Blocks not aligned to chunks: L = 12 sublayers in blocks of S = 3, C = 6
// chunks of 2 (P = 3, V = 2). Blocks complete inside chunks 1 (b_1, after
// sublayer 2), 2 (b_2, after 5) and 4 (b_3, after 8); b_4 completes in the
// last chunk and only feeds the output site. The running partial crosses
// every hop that splits a block (hops 0, 1, 3, 4); hop 2 (after sublayer 5)
// is a block boundary, where b_2 crosses as a block.
//   hop      0   1   2   3   4
//   naive    1   2   3   3   4    b_0 | b_0,b_1 | b_0..b_2 | b_0..b_2 | b_0..b_3
//   cached   1   2   2   2   2    rank 0 holds b_0; ranks 1, 2 hold what they got in stage 1
//   partial  1   1   0   1   1
// The ops of chunk 0 carry no annotation: they belong to chunk 0.

// CHECK-LABEL: func.func @unaligned
// CHECK-SAME: cached_blocks = array<i64: 1, 2, 2, 2, 2>
// CHECK-SAME: cached_bytes_per_rank = array<i64: 640, 768, 256>
// CHECK-SAME: cached_bytes_per_token = 416 : i64
// CHECK-SAME: chunks = 6 : i64
// CHECK-SAME: naive_blocks = array<i64: 1, 2, 3, 3, 4>
// CHECK-SAME: naive_bytes_per_rank = array<i64: 768, 1024, 384>
// CHECK-SAME: naive_bytes_per_token = 544 : i64
// CHECK-SAME: others = array<i64: 0, 0, 0, 0, 0>
// CHECK-SAME: partials = array<i64: 1, 1, 0, 1, 1>
func.func @unaligned(%emb: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %q = arith.constant dense<5.000000e-01> : tensor<8xf32>
  %f0 = math.tanh %emb : tensor<4x8xf32>
  %h1 = attnres.depth_attn %q, [%emb, %f0] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f1 = math.tanh %h1 : tensor<4x8xf32>
  %p1 = attnres.block_summary [%f0, %f1] : tensor<4x8xf32>
  %h2 = attnres.depth_attn %q, [%emb, %p1] {attnres.chunk = 1 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f2 = math.tanh %h2 : tensor<4x8xf32>
  %b1 = attnres.block_summary [%p1, %f2] : tensor<4x8xf32>
  %h3 = attnres.depth_attn %q, [%emb, %b1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f3 = math.tanh %h3 : tensor<4x8xf32>
  %h4 = attnres.depth_attn %q, [%emb, %b1, %f3] {attnres.chunk = 2 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f4 = math.tanh %h4 : tensor<4x8xf32>
  %p4 = attnres.block_summary [%f3, %f4] : tensor<4x8xf32>
  %h5 = attnres.depth_attn %q, [%emb, %b1, %p4] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f5 = math.tanh %h5 : tensor<4x8xf32>
  %b2 = attnres.block_summary [%p4, %f5] : tensor<4x8xf32>
  %h6 = attnres.depth_attn %q, [%emb, %b1, %b2] {attnres.chunk = 3 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f6 = math.tanh %h6 : tensor<4x8xf32>
  %h7 = attnres.depth_attn %q, [%emb, %b1, %b2, %f6] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f7 = math.tanh %h7 : tensor<4x8xf32>
  %p7 = attnres.block_summary [%f6, %f7] : tensor<4x8xf32>
  %h8 = attnres.depth_attn %q, [%emb, %b1, %b2, %p7] {attnres.chunk = 4 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f8 = math.tanh %h8 : tensor<4x8xf32>
  %b3 = attnres.block_summary [%p7, %f8] : tensor<4x8xf32>
  %h9 = attnres.depth_attn %q, [%emb, %b1, %b2, %b3] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f9 = math.tanh %h9 : tensor<4x8xf32>
  %h10 = attnres.depth_attn %q, [%emb, %b1, %b2, %b3, %f9] {attnres.chunk = 5 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f10 = math.tanh %h10 : tensor<4x8xf32>
  %p10 = attnres.block_summary [%f9, %f10] : tensor<4x8xf32>
  %h11 = attnres.depth_attn %q, [%emb, %b1, %b2, %b3, %p10] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f11 = math.tanh %h11 : tensor<4x8xf32>
  %b4 = attnres.block_summary [%p10, %f11] : tensor<4x8xf32>
  %y = attnres.depth_attn %q, [%emb, %b1, %b2, %b3, %b4] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}