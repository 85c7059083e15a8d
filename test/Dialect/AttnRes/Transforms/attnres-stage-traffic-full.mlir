// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=2 virtual-stages=2}))' 2>/dev/null | FileCheck %s

// Full AttnRes (block size 1): every sublayer output is a block. L = 8
// sublayers in C = 4 chunks of 2 (P = 2, V = 2), so every chunk completes
// N_p = 2 blocks at its end and math §5's closed forms are exact. Counting
// b_0 on top of them (it crosses every hop naively; in the cached scheme only
// the first-stage hops, rank 0 holds it):
//   naive  = C(C-1)/2·N_p + (C-1)             = 6·2 + 3     = 15  (3, 5, 7)
//   cached = P(P-1)/2·N_p + (V-1)·P²·N_p + (P-1) = 1·2 + 1·4·2 + 1 = 11  (3, 4, 4)
// The last output f7 only feeds the output site in the same chunk: no partial
// ever crosses. Peak per hop: naive 7 = (C-1)·N_p + 1, cached 4 = P·N_p.

// CHECK-LABEL: func.func @full
// CHECK-SAME: cached_blocks = array<i64: 3, 4, 4>
// CHECK-SAME: cached_bytes_per_rank = array<i64: 896, 512>
// CHECK-SAME: cached_bytes_per_token = 352 : i64
// CHECK-SAME: naive_blocks = array<i64: 3, 5, 7>
// CHECK-SAME: naive_bytes_per_rank = array<i64: 1280, 640>
// CHECK-SAME: naive_bytes_per_token = 480 : i64
// CHECK-SAME: others = array<i64: 0, 0, 0>
// CHECK-SAME: partials = array<i64: 0, 0, 0>
func.func @full(%emb: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %q = arith.constant dense<5.000000e-01> : tensor<8xf32>
  %f0 = math.tanh %emb {attnres.chunk = 0 : i64} : tensor<4x8xf32>
  %h1 = attnres.depth_attn %q, [%emb, %f0] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f1 = math.tanh %h1 : tensor<4x8xf32>
  %h2 = attnres.depth_attn %q, [%emb, %f0, %f1] {attnres.chunk = 1 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f2 = math.tanh %h2 : tensor<4x8xf32>
  %h3 = attnres.depth_attn %q, [%emb, %f0, %f1, %f2] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f3 = math.tanh %h3 : tensor<4x8xf32>
  %h4 = attnres.depth_attn %q, [%emb, %f0, %f1, %f2, %f3] {attnres.chunk = 2 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f4 = math.tanh %h4 : tensor<4x8xf32>
  %h5 = attnres.depth_attn %q, [%emb, %f0, %f1, %f2, %f3, %f4] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f5 = math.tanh %h5 : tensor<4x8xf32>
  %h6 = attnres.depth_attn %q, [%emb, %f0, %f1, %f2, %f3, %f4, %f5] {attnres.chunk = 3 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f6 = math.tanh %h6 : tensor<4x8xf32>
  %h7 = attnres.depth_attn %q, [%emb, %f0, %f1, %f2, %f3, %f4, %f5, %f6] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f7 = math.tanh %h7 : tensor<4x8xf32>
  %y = attnres.depth_attn %q, [%emb, %f0, %f1, %f2, %f3, %f4, %f5, %f6, %f7] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}