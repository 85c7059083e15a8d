// RUN: attnres-opt %s --attnres-pipeline-partition="stages=4 virtual-stages=2 entry=" | FileCheck %s

// The paper's Fig. 3 model (16 sublayers in blocks of 4, P = 4 ranks x V = 2
// virtual stages, chunks of 2 sublayers) with the embedding a constant of the
// function instead of an argument. The embedding is rank 0's input (it is a
// site source, not a parameter): every chunk runs on its rank (chunk c on
// rank c mod 4) and the messages are Fig. 3's cached ones, as with the
// embedding an argument. Site source counts below identify the sublayers.

// Rank 3 owns the last chunk and returns the result.
// CHECK-LABEL: func.func @fig3_constant_embedding() -> tensor<4x8xf32>
// CHECK-SAME: attnres.pipeline = {result_rank = 3 : i64, stages = 4 : i64, virtual_stages = 2 : i64}
// CHECK: case 0 {
// CHECK-NEXT: func.call @fig3_constant_embedding.rank0() : () -> ()
// CHECK: case 3 {
// CHECK-NEXT: %[[Y:.*]] = func.call @fig3_constant_embedding.rank3() : () -> tensor<4x8xf32>
// CHECK-NEXT: scf.yield %[[Y]]

// Rank 0, chunks 0 and 4 (sublayers 0, 1 and 8, 9): builds the embedding.
// CHECK-LABEL: func.func private @fig3_constant_embedding.rank0()
// CHECK-SAME: attnres.chunks = array<i64: 0, 4>
// CHECK-NOT: mpi.recv
// CHECK: %[[EMB:.*]] = arith.constant dense<{{.*}}> : tensor<4x8xf32>
// CHECK-NOT: mpi.recv
// CHECK: %[[F0:.*]] = math.tanh %[[EMB]]
// CHECK: attnres.depth_attn %{{.*}}, [%[[EMB]], %[[F0]]] :
// CHECK: %[[P1:.*]] = attnres.block_summary
// Hop 0 -> rank 1: b_0 (tag 0) and the partial p1 (tag 1).
// CHECK: tensor.collapse_shape %[[EMB]]
// CHECK: mpi.send
// CHECK: tensor.collapse_shape %[[P1]]
// CHECK: mpi.send
// Hop 3 <- rank 3: b_1 and b_2 only (rank 0 holds b_0, its own input).
// CHECK-COUNT-2: mpi.recv
// CHECK-NOT: mpi.recv
// CHECK: attnres.depth_attn %{{.*}}, [%[[EMB]], %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}] :
// CHECK: attnres.depth_attn %{{.*}}, [%[[EMB]], %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}] :
// CHECK: attnres.block_summary
// Hop 4 -> rank 1: b_1, b_2 and the partial p9.
// CHECK-COUNT-3: mpi.send
// CHECK-NOT: attnres.
// CHECK: return
// CHECK-NEXT: }

// Rank 1, chunks 1 and 5 (sublayers 2, 3 and 10, 11): receives the
// embedding, never builds it.
// CHECK-LABEL: func.func private @fig3_constant_embedding.rank1()
// CHECK-SAME: attnres.chunks = array<i64: 1, 5>
// CHECK-NOT: tensor<4x8xf32>
// Hop 0 <- rank 0: b_0, p1.
// CHECK-COUNT-2: mpi.recv
// CHECK-NOT: mpi.recv
// CHECK: attnres.depth_attn %{{.*}}, [%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}] :
// CHECK: attnres.block_summary
// CHECK: attnres.depth_attn %{{.*}}, [%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}] :
// CHECK: attnres.block_summary
// Hop 1 -> rank 2: b_0, b_1.
// CHECK-COUNT-2: mpi.send
// Hop 4 <- rank 0: b_1, b_2, p9 (b_0 received at hop 0 is held).
// CHECK-COUNT-3: mpi.recv
// CHECK-NOT: mpi.recv
// CHECK: attnres.depth_attn %{{.*}}, [%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}] :
// CHECK: attnres.block_summary
// CHECK: attnres.depth_attn %{{.*}}, [%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}] :
// CHECK: attnres.block_summary
// Hop 5 -> rank 2: b_2, b_3.
// CHECK-COUNT-2: mpi.send
// CHECK-NOT: attnres.
// CHECK: return
// CHECK-NEXT: }

// Rank 2, chunks 2 and 6 (sublayers 4, 5 and 12, 13).
// CHECK-LABEL: func.func private @fig3_constant_embedding.rank2()
// CHECK-SAME: attnres.chunks = array<i64: 2, 6>
// CHECK-NOT: tensor<4x8xf32>
// Hop 1 <- rank 1: b_0, b_1.
// CHECK-COUNT-2: mpi.recv
// CHECK-NOT: mpi.recv
// CHECK: attnres.depth_attn %{{.*}}, [%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}] :
// CHECK: attnres.depth_attn %{{.*}}, [%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}] :
// CHECK: attnres.block_summary
// Hop 2 -> rank 3: b_0, b_1, p5.
// CHECK-COUNT-3: mpi.send
// Hop 5 <- rank 1: b_2, b_3.
// CHECK-COUNT-2: mpi.recv
// CHECK-NOT: mpi.recv
// CHECK: attnres.depth_attn %{{.*}}, [%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}] :
// CHECK: attnres.depth_attn %{{.*}}, [%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}] :
// CHECK: attnres.block_summary
// Hop 6 -> rank 3: b_2, b_3, p13.
// CHECK-COUNT-3: mpi.send
// CHECK-NOT: attnres.
// CHECK: return
// CHECK-NEXT: }

// Rank 3, chunks 3 and 7 (sublayers 6, 7 and 14, 15, the output site).
// CHECK-LABEL: func.func private @fig3_constant_embedding.rank3() -> tensor<4x8xf32>
// CHECK-SAME: attnres.chunks = array<i64: 3, 7>
// CHECK-NOT: tensor<4x8xf32> = arith.constant
// Hop 2 <- rank 2: b_0, b_1, p5.
// CHECK-COUNT-3: mpi.recv
// CHECK-NOT: mpi.recv
// CHECK: attnres.depth_attn %{{.*}}, [%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}] :
// CHECK: attnres.block_summary
// CHECK: attnres.depth_attn %{{.*}}, [%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}] :
// CHECK: attnres.block_summary
// Hop 3 -> rank 0: b_1, b_2.
// CHECK-COUNT-2: mpi.send
// Hop 6 <- rank 2: b_2, b_3, p13.
// CHECK-COUNT-3: mpi.recv
// CHECK-NOT: mpi.recv
// CHECK: attnres.depth_attn %{{.*}}, [%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}] :
// CHECK: attnres.block_summary
// CHECK: attnres.depth_attn %{{.*}}, [%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}] :
// CHECK: attnres.block_summary
// CHECK: %[[OUT:.*]] = attnres.depth_attn %{{.*}}, [%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}] :
// CHECK-NOT: mpi.send
// CHECK: return %[[OUT]] : tensor<4x8xf32>

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
