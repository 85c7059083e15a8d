// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=4 virtual-stages=1}))' 2>/dev/null | FileCheck %s
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=1 virtual-stages=4}))' 2>/dev/null | FileCheck %s --check-prefix=ONE

// V = 1: every rank runs one chunk and receives once, so the cache never
// helps: cached = naive. L = 8 sublayers in blocks of 4, C = 4 chunks of 2;
// rank 3 runs the last chunk and sends nothing.

// CHECK-LABEL: func.func @v1
// CHECK-SAME: cached_blocks = array<i64: 1, 2, 2>
// CHECK-SAME: cached_bytes_per_rank = array<i64: 256, 256, 384, 0>
// CHECK-SAME: cached_bytes_per_token = 224 : i64
// CHECK-SAME: naive_blocks = array<i64: 1, 2, 2>
// CHECK-SAME: naive_bytes_per_rank = array<i64: 256, 256, 384, 0>
// CHECK-SAME: naive_bytes_per_token = 224 : i64
// CHECK-SAME: partials = array<i64: 1, 0, 1>
// CHECK-SAME: stages = 4 : i64, virtual_stages = 1 : i64

// P = 1: all chunks run on rank 0; hops stay on the rank and move nothing.
// ONE-LABEL: func.func @v1
// ONE-SAME: cached_blocks = array<i64: 0, 0, 0>
// ONE-SAME: cached_bytes_per_rank = array<i64: 0>
// ONE-SAME: naive_blocks = array<i64: 0, 0, 0>
// ONE-SAME: naive_bytes_per_token = 0 : i64
// ONE-SAME: partials = array<i64: 0, 0, 0>
func.func @v1(%emb: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %q = arith.constant dense<5.000000e-01> : tensor<8xf32>
  %f0 = math.tanh %emb {attnres.chunk = 0 : i64} : tensor<4x8xf32>
  %h1 = attnres.depth_attn %q, [%emb, %f0] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f1 = math.tanh %h1 : tensor<4x8xf32>
  %p1 = attnres.block_summary [%f0, %f1] : tensor<4x8xf32>
  %h2 = attnres.depth_attn %q, [%emb, %p1] {attnres.chunk = 1 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f2 = math.tanh %h2 : tensor<4x8xf32>
  %p2 = attnres.block_summary [%p1, %f2] : tensor<4x8xf32>
  %h3 = attnres.depth_attn %q, [%emb, %p2] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f3 = math.tanh %h3 : tensor<4x8xf32>
  %b1 = attnres.block_summary [%p2, %f3] : tensor<4x8xf32>
  %h4 = attnres.depth_attn %q, [%emb, %b1] {attnres.chunk = 2 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f4 = math.tanh %h4 : tensor<4x8xf32>
  %h5 = attnres.depth_attn %q, [%emb, %b1, %f4] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f5 = math.tanh %h5 : tensor<4x8xf32>
  %p5 = attnres.block_summary [%f4, %f5] : tensor<4x8xf32>
  %h6 = attnres.depth_attn %q, [%emb, %b1, %p5] {attnres.chunk = 3 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f6 = math.tanh %h6 : tensor<4x8xf32>
  %p6 = attnres.block_summary [%p5, %f6] : tensor<4x8xf32>
  %h7 = attnres.depth_attn %q, [%emb, %b1, %p6] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f7 = math.tanh %h7 : tensor<4x8xf32>
  %b2 = attnres.block_summary [%p6, %f7] : tensor<4x8xf32>
  %y = attnres.depth_attn %q, [%emb, %b1, %b2] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}