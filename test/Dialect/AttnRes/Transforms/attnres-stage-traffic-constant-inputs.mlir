// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=4 virtual-stages=2}))' 2>/dev/null | FileCheck %s
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=4 virtual-stages=2 reuse-own-blocks=true}))' 2>/dev/null | FileCheck %s --check-prefix=OWN
// RUN: attnres-opt %s --attnres-stage-traffic="stages=4 virtual-stages=2" -o /dev/null 2>&1 | FileCheck %s --check-prefix=TABLE

// Models whose inputs are constants of the function (an integration-test
// main, a model with baked-in inputs). What counts as a parameter
// (docs/pipeline-parallel.md §1): constants and cheap folds of parameters;
// never an AttnRes op, never annotated compute, never a site source. A
// constant (or a fold of constants) that a site reads as a source is an
// input, like a function argument: it travels, and the rank of its chunk
// holds it. So the embedding b_0 counts the same whether it is an argument
// or a constant.

// The paper's Fig. 3 (attnres-stage-traffic.mlir's @fig3) with the embedding
// a dense constant: the same counts and bytes as with the embedding an
// argument. Blocks per hop: naive 1,2,2,3,3,4,4; cached 1,2,2,2,2,2,2 (hop 3
// enters rank 0, which holds b_0, its own input); reuse-own-blocks
// 1,2,2,2,1,2,1.
// CHECK-LABEL: func.func @fig3_constant_embedding
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

// OWN-LABEL: func.func @fig3_constant_embedding
// OWN-SAME: cached_blocks = array<i64: 1, 2, 2, 2, 1, 2, 1>
// OWN-SAME: naive_blocks = array<i64: 1, 2, 2, 3, 3, 4, 4>

// TABLE: remark: stage traffic of @fig3_constant_embedding: P = 4 stages, V = 2 virtual stages, C = 8 chunks; cache holds received blocks
// TABLE-NEXT: hop   chunks   ranks   naive  cached  partial   other   naive B/tok  cached B/tok
// TABLE-NEXT:   0     0->1    0->1       1       1        1       0            64            64
// TABLE-NEXT:   1     1->2    1->2       2       2        0       0            64            64
// TABLE-NEXT:   2     2->3    2->3       2       2        1       0            96            96
// TABLE-NEXT:   3     3->4    3->0       3       2        0       0            96            64
// TABLE-NEXT:   4     4->5    0->1       3       2        1       0           128            96
// TABLE-NEXT:   5     5->6    1->2       4       2        0       0           128            64
// TABLE-NEXT:   6     6->7    2->3       4       2        1       0           160            96
// TABLE-NEXT: total                       19      13        4       0           736           544

func.func @fig3_constant_embedding() -> tensor<4x8xf32> {
  %emb = arith.constant dense<[[-0.9, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3], [0.2, 0.1, 0.0, -0.1, -0.2, -0.3, -0.4, -0.5], [-0.6, -0.7, -0.8, -0.9, 0.9, 0.8, 0.7, 0.6], [0.5, 0.4, 0.3, 0.2, 0.1, 0.0, -0.1, -0.2]]> : tensor<4x8xf32>
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
// The embedding folded from a constant (a reshape of a rank-3 constant) is
// an input too: b_0 crosses hops 0 to 4, rank 0 holds it (hop 3, 3 -> 0,
// does not resend it), rank 1 received it at hop 0 (hop 4 does not either).
// Every hop also carries the partial (the last source of the next site).
// CHECK-LABEL: func.func @folded_embedding
// CHECK-SAME: cached_blocks = array<i64: 1, 1, 1, 0, 0, 0, 0>
// CHECK-SAME: naive_blocks = array<i64: 1, 1, 1, 1, 1, 0, 0>
// CHECK-SAME: partials = array<i64: 1, 1, 1, 1, 1, 0, 0>
func.func @folded_embedding() -> tensor<4x8xf32> {
  %emb3 = arith.constant dense<[[[0.5, -0.5, 0.25, -0.25, 1.0, -1.0, 0.75, -0.75], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], [-0.8, -0.7, -0.6, -0.5, -0.4, -0.3, -0.2, -0.1], [1.0, 0.0, -1.0, 0.0, 1.0, 0.0, -1.0, 0.0]]]> : tensor<1x4x8xf32>
  %emb = tensor.collapse_shape %emb3 [[0, 1], [2]] : tensor<1x4x8xf32> into tensor<4x8xf32>
  %q = arith.constant dense<5.000000e-01> : tensor<8xf32>
  %f0 = math.tanh %emb {attnres.chunk = 0 : i64} : tensor<4x8xf32>
  %h1 = attnres.depth_attn %q, [%emb, %f0] {attnres.chunk = 1 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f1 = math.tanh %h1 : tensor<4x8xf32>
  %h2 = attnres.depth_attn %q, [%emb, %f1] {attnres.chunk = 2 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f2 = math.tanh %h2 : tensor<4x8xf32>
  %h3 = attnres.depth_attn %q, [%emb, %f2] {attnres.chunk = 3 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f3 = math.tanh %h3 : tensor<4x8xf32>
  %h4 = attnres.depth_attn %q, [%emb, %f3] {attnres.chunk = 4 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f4 = math.tanh %h4 : tensor<4x8xf32>
  %y = attnres.depth_attn %q, [%emb, %f4] {attnres.chunk = 5 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// Which ops of parameters are recomputed per rank. Cheap folds are
// parameters and never travel: tensor.empty, linalg.fill, the gamma * w
// generic attnres-fuse builds, linalg.transpose, reshapes, casts, slices (all
// defined before chunk 1 and used in chunks 1 and 2 here). Not parameters:
// annotated compute (%a, chunk 0, used in chunk 2) and a contraction
// (%WW = W @ W, chunk 0, used in chunk 1): they run in their chunk and cross
// hops as `other` values.
// Hop 0: b_0 = %x (block), %f0 (partial), %WW and %a (others).
// Hop 1: %a and %m2 (others).
// Bytes per token: hop 0 4 x 32, hop 1 2 x 32; rank 0 sends 128 (%x) + 128
// (%f0) + 256 (%WW, 8 x 8 f32) + 128 (%a), rank 1 sends 128 (%a) + 128 (%m2).
// CHECK-LABEL: func.func @parameter_rule
// CHECK-SAME: cached_blocks = array<i64: 1, 0, 0, 0, 0, 0, 0>
// CHECK-SAME: cached_bytes_per_rank = array<i64: 640, 256, 0, 0>
// CHECK-SAME: naive_blocks = array<i64: 1, 0, 0, 0, 0, 0, 0>
// CHECK-SAME: naive_bytes_per_token = 192 : i64
// CHECK-SAME: others = array<i64: 2, 2, 0, 0, 0, 0, 0>
// CHECK-SAME: partials = array<i64: 1, 0, 0, 0, 0, 0, 0>
#id1 = affine_map<(d0) -> (d0)>
func.func @parameter_rule(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %w = arith.constant dense<5.000000e-01> : tensor<8xf32>
  %gamma = arith.constant dense<2.000000e+00> : tensor<8xf32>
  %W = arith.constant dense<1.000000e-01> : tensor<8x8xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %c0 = arith.constant 0 : index
  %e = tensor.empty() : tensor<8xf32>
  %q = linalg.generic {indexing_maps = [#id1, #id1, #id1], iterator_types = ["parallel"]}
      ins(%gamma, %w : tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%g: f32, %v: f32, %o: f32):
    %p = arith.mulf %g, %v : f32
    linalg.yield %p : f32
  } -> tensor<8xf32>
  %q2 = tensor.expand_shape %q [[0, 1]] output_shape [1, 8] : tensor<8xf32> into tensor<1x8xf32>
  %q3 = tensor.collapse_shape %q2 [[0, 1]] : tensor<1x8xf32> into tensor<8xf32>
  %qd = tensor.cast %q3 : tensor<8xf32> to tensor<?xf32>
  %qs = tensor.extract_slice %qd[0] [8] [1] : tensor<?xf32> to tensor<8xf32>
  %s = tensor.extract %qs[%c0] : tensor<8xf32>
  %s2 = arith.mulf %s, %s : f32
  %e2 = tensor.empty() : tensor<4x8xf32>
  %z = linalg.fill ins(%s2 : f32) outs(%e2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %e3 = tensor.empty() : tensor<8x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<8x8xf32>) -> tensor<8x8xf32>
  %Wt = linalg.transpose ins(%W : tensor<8x8xf32>) outs(%e3 : tensor<8x8xf32>) permutation = [1, 0]
  %WW = linalg.matmul ins(%W, %W : tensor<8x8xf32>, tensor<8x8xf32>) outs(%z3 : tensor<8x8xf32>) -> tensor<8x8xf32>
  %a = arith.addf %z, %z {attnres.chunk = 0 : i64} : tensor<4x8xf32>
  %f0 = math.tanh %x : tensor<4x8xf32>
  %h1 = attnres.depth_attn %qs, [%x, %f0] {attnres.chunk = 1 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %m = linalg.matmul ins(%h1, %Wt : tensor<4x8xf32>, tensor<8x8xf32>) outs(%z : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m2 = linalg.matmul ins(%m, %WW : tensor<4x8xf32>, tensor<8x8xf32>) outs(%z : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = arith.addf %m2, %a {attnres.chunk = 2 : i64} : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
