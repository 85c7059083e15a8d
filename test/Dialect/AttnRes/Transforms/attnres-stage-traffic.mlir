// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=4 virtual-stages=2}))' 2>/dev/null | FileCheck %s
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=4 virtual-stages=2 reuse-own-blocks=true}))' 2>/dev/null | FileCheck %s --check-prefix=OWN
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=4 virtual-stages=2}))' -o /dev/null 2>&1 | FileCheck %s --check-prefix=TABLE
// The analysis only adds a discardable attribute: the IR is otherwise unchanged.
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=4 virtual-stages=2}))' 2>/dev/null | sed -e 's/ attributes {attnres.stage_traffic = .*} {$/ {/' > %t.after.mlir
// RUN: attnres-opt %s > %t.before.mlir
// RUN: diff %t.before.mlir %t.after.mlir

// The paper's Fig. 3 (math §5): P = 4 ranks, V = 2 virtual stages, C = 8
// chunks of two sublayers each, 16 sublayers in blocks of S = 4, so every
// block spans two chunks. Sublayer f(h) = tanh(h); block sums are running
// partials; the output site is in chunk 7. Only the first op of each chunk
// carries `attnres.chunk`.
//
// Blocks per hop (b_0 counted, the running partial not): naive 1,2,2,3,3,4,4
// (19); cached 1,2,2,2,2,2,2 (13): the second virtual stage receives only the
// two newest blocks. With reuse-own-blocks, ranks 1 and 3 also keep b_1 and
// b_2 they completed themselves: 1,2,2,2,1,2,1 (11).
// Bytes: rows of 8 f32 = 32 B per token; each value is 4 x 8 f32 = 128 B.
// naive (19 + 4 partials) x 32 = 736 B/token, cached (13 + 4) x 32 = 544.

// CHECK-LABEL: func.func @fig3
// CHECK-SAME: attnres.stage_traffic = {cached_blocks = array<i64: 1, 2, 2, 2, 2, 2, 2>
// CHECK-SAME: cached_bytes_per_rank = array<i64: 640, 512, 768, 256>
// CHECK-SAME: cached_bytes_per_token = 544 : i64
// CHECK-SAME: chunks = 8 : i64
// CHECK-SAME: naive_blocks = array<i64: 1, 2, 2, 3, 3, 4, 4>
// CHECK-SAME: naive_bytes_per_rank = array<i64: 768, 768, 1024, 384>
// CHECK-SAME: naive_bytes_per_token = 736 : i64
// CHECK-SAME: others = array<i64: 0, 0, 0, 0, 0, 0, 0>
// CHECK-SAME: partials = array<i64: 1, 0, 1, 0, 1, 0, 1>
// CHECK-SAME: stages = 4 : i64, virtual_stages = 2 : i64}

// OWN-LABEL: func.func @fig3
// OWN-SAME: cached_blocks = array<i64: 1, 2, 2, 2, 1, 2, 1>
// OWN-SAME: cached_bytes_per_rank = array<i64: 512, 512, 640, 256>
// OWN-SAME: cached_bytes_per_token = 480 : i64
// OWN-SAME: naive_blocks = array<i64: 1, 2, 2, 3, 3, 4, 4>
// OWN-SAME: reuse_own_blocks

// TABLE: remark: stage traffic of @fig3: P = 4 stages, V = 2 virtual stages, C = 8 chunks; cache holds received blocks
// TABLE-NEXT: hop   chunks   ranks   naive  cached  partial   other   naive B/tok  cached B/tok
// TABLE-NEXT:   0     0->1    0->1       1       1        1       0            64            64
// TABLE-NEXT:   1     1->2    1->2       2       2        0       0            64            64
// TABLE-NEXT:   2     2->3    2->3       2       2        1       0            96            96
// TABLE-NEXT:   3     3->4    3->0       3       2        0       0            96            64
// TABLE-NEXT:   4     4->5    0->1       3       2        1       0           128            96
// TABLE-NEXT:   5     5->6    1->2       4       2        0       0           128            64
// TABLE-NEXT:   6     6->7    2->3       4       2        1       0           160            96
// TABLE-NEXT: total                       19      13        4       0           736           544
// TABLE-NEXT: rank 0 sends 768 bytes naive, 640 bytes cached per forward
// TABLE-NEXT: rank 1 sends 768 bytes naive, 512 bytes cached per forward
// TABLE-NEXT: rank 2 sends 1024 bytes naive, 768 bytes cached per forward
// TABLE-NEXT: rank 3 sends 384 bytes naive, 256 bytes cached per forward
func.func @fig3(%emb: tensor<4x8xf32>) -> tensor<4x8xf32> {
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
  %h8 = attnres.depth_attn %q, [%emb, %b1, %b2] {attnres.chunk = 4 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f8 = math.tanh %h8 : tensor<4x8xf32>
  %h9 = attnres.depth_attn %q, [%emb, %b1, %b2, %f8] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f9 = math.tanh %h9 : tensor<4x8xf32>
  %p9 = attnres.block_summary [%f8, %f9] : tensor<4x8xf32>
  %h10 = attnres.depth_attn %q, [%emb, %b1, %b2, %p9] {attnres.chunk = 5 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f10 = math.tanh %h10 : tensor<4x8xf32>
  %p10 = attnres.block_summary [%p9, %f10] : tensor<4x8xf32>
  %h11 = attnres.depth_attn %q, [%emb, %b1, %b2, %p10] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f11 = math.tanh %h11 : tensor<4x8xf32>
  %b3 = attnres.block_summary [%p10, %f11] : tensor<4x8xf32>
  %h12 = attnres.depth_attn %q, [%emb, %b1, %b2, %b3] {attnres.chunk = 6 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f12 = math.tanh %h12 : tensor<4x8xf32>
  %h13 = attnres.depth_attn %q, [%emb, %b1, %b2, %b3, %f12] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f13 = math.tanh %h13 : tensor<4x8xf32>
  %p13 = attnres.block_summary [%f12, %f13] : tensor<4x8xf32>
  %h14 = attnres.depth_attn %q, [%emb, %b1, %b2, %b3, %p13] {attnres.chunk = 7 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f14 = math.tanh %h14 : tensor<4x8xf32>
  %p14 = attnres.block_summary [%p13, %f14] : tensor<4x8xf32>
  %h15 = attnres.depth_attn %q, [%emb, %b1, %b2, %b3, %p14] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f15 = math.tanh %h15 : tensor<4x8xf32>
  %b4 = attnres.block_summary [%p14, %f15] : tensor<4x8xf32>
  %y = attnres.depth_attn %q, [%emb, %b1, %b2, %b3, %b4] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}