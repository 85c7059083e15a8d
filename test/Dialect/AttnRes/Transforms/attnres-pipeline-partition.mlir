// RUN: attnres-opt %s --attnres-pipeline-partition="stages=2 virtual-stages=2" | FileCheck %s
// RUN: attnres-opt %s --attnres-pipeline-partition="stages=2 virtual-stages=2 reuse-own-blocks=true" | FileCheck %s --check-prefix=OWN
// RUN: attnres-opt %s --attnres-pipeline-partition="stages=2 virtual-stages=2 mpi-implementation=OpenMPI" | FileCheck %s --check-prefix=OMPI
// RUN: attnres-opt %s --attnres-pipeline-partition="stages=1 virtual-stages=4" | FileCheck %s --check-prefix=ONE
// RUN: attnres-opt %s --attnres-pipeline-partition="stages=2 virtual-stages=2 entry=setup" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOENTRY
// NOENTRY: warning: attnres-pipeline-partition: no function @setup with a body to initialize MPI in; call MPI_Init before and MPI_Finalize after the partitioned functions (option entry)
// The traffic the analysis predicts for the same options (the messages below):
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=2 virtual-stages=2}))' 2>/dev/null | FileCheck %s --check-prefix=TRAFFIC
// Idempotent: the rank functions carry no annotations, main is initialized once.
// RUN: attnres-opt %s --attnres-pipeline-partition="stages=2 virtual-stages=2" > %t.once.mlir
// RUN: attnres-opt %t.once.mlir --attnres-pipeline-partition="stages=2 virtual-stages=2" > %t.twice.mlir
// RUN: diff %t.once.mlir %t.twice.mlir

// L = 8 sublayers in blocks of 4, C = 4 chunks of 2 sublayers, P = 2 ranks:
// rank 0 runs chunks 0 and 2, rank 1 chunks 1 and 3 (and the return).
// Hop 0 (0 -> 1): b_0, partial p1.  Hop 1 (1 -> 0): b_1 (rank 0 holds b_0).
// Hop 2 (0 -> 1): b_1 again (rank 1 built it but never received it), p5.
// TRAFFIC-LABEL: func.func @model
// TRAFFIC-SAME: cached_blocks = array<i64: 1, 1, 1>
// TRAFFIC-SAME: naive_blocks = array<i64: 1, 2, 2>
// TRAFFIC-SAME: partials = array<i64: 1, 0, 1>

// CHECK: module attributes {dlti.map = #dlti.map<"MPI:Implementation" = "MPICH">}

// The original function dispatches on the rank; rank 1 owns the result.
// CHECK-LABEL: func.func @model
// CHECK-SAME: (%[[EMB:.*]]: tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-SAME: attnres.pipeline = {result_rank = 1 : i64, stages = 2 : i64, virtual_stages = 2 : i64}
// CHECK: %[[COMM:.*]] = mpi.comm_world : !mpi.comm
// CHECK: %[[RANK:.*]] = mpi.comm_rank(%[[COMM]]) : i32
// CHECK: %[[IDX:.*]] = arith.index_cast %[[RANK]] : i32 to index
// CHECK: %[[RES:.*]] = scf.index_switch %[[IDX]] -> tensor<4x8xf32>
// CHECK: case 0 {
// CHECK:   func.call @model.rank0(%[[EMB]]) : (tensor<4x8xf32>) -> ()
// CHECK:   %[[Z0:.*]] = arith.constant dense<0.000000e+00> : tensor<4x8xf32>
// CHECK:   scf.yield %[[Z0]]
// CHECK: case 1 {
// CHECK:   %[[Y:.*]] = func.call @model.rank1(%[[EMB]]) : (tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK:   scf.yield %[[Y]]
// CHECK: default {
// CHECK: return %[[RES]]

// Rank 0: parameters, chunk 0, send hop 0 (tags 0, 1), receive hop 1, chunk 2
// (using the received b_1), send hop 2.
// CHECK-LABEL: func.func private @model.rank0
// CHECK-SAME: (%[[E0:.*]]: tensor<4x8xf32>) attributes {attnres.chunks = array<i64: 0, 2>}
// CHECK-NOT: attnres.chunk =
// CHECK: %[[Q:.*]] = arith.constant dense<5.000000e-01> : tensor<8xf32>
// CHECK: %[[C0:.*]] = mpi.comm_world
// CHECK-DAG: %[[T0:.*]] = arith.constant 0 : i32
// CHECK-DAG: %[[T1:.*]] = arith.constant 1 : i32
// CHECK: %[[F0:.*]] = math.tanh %[[E0]]
// CHECK: %[[P1:.*]] = attnres.block_summary
// CHECK: %[[FLAT0:.*]] = tensor.collapse_shape %[[E0]] {{\[\[}}0, 1]] : tensor<4x8xf32> into tensor<32xf32>
// CHECK: %[[BUF0:.*]] = bufferization.to_buffer %[[FLAT0]] read_only : tensor<32xf32> to memref<32xf32>
// CHECK: mpi.send(%[[BUF0]], %[[T0]], %[[T1]], %[[C0]]) : memref<32xf32>, i32, i32
// CHECK: %[[FLAT1:.*]] = tensor.collapse_shape %[[P1]]
// CHECK: %[[BUF1:.*]] = bufferization.to_buffer %[[FLAT1]] read_only
// CHECK: mpi.send(%[[BUF1]], %[[T1]], %[[T1]], %[[C0]])
// CHECK: %[[ALLOC:.*]] = memref.alloc() : memref<32xf32>
// CHECK: mpi.recv(%[[ALLOC]], %[[T0]], %[[T1]], %[[C0]]) : memref<32xf32>, i32, i32
// CHECK: %[[RT:.*]] = bufferization.to_tensor %[[ALLOC]] restrict writable : memref<32xf32> to tensor<32xf32>
// CHECK: %[[B1:.*]] = tensor.expand_shape %[[RT]] {{\[\[}}0, 1]] output_shape [4, 8] : tensor<32xf32> into tensor<4x8xf32>
// CHECK: attnres.depth_attn %[[Q]], [%[[E0]], %[[B1]]]
// CHECK-COUNT-2: mpi.send
// CHECK-NOT: mpi.
// CHECK: return{{$}}

// Rank 1: receive hop 0 (b_0, p1), chunk 1, send b_1, receive hop 2, chunk 3.
// CHECK-LABEL: func.func private @model.rank1
// CHECK-SAME: -> tensor<4x8xf32> attributes {attnres.chunks = array<i64: 1, 3>}
// CHECK-COUNT-2: mpi.recv
// CHECK: attnres.depth_attn
// CHECK: attnres.block_summary
// CHECK: mpi.send
// CHECK-NOT: mpi.send
// CHECK-COUNT-2: mpi.recv
// CHECK-NOT: mpi.
// CHECK-COUNT-3: attnres.depth_attn
// CHECK-NEXT: return %{{.*}} : tensor<4x8xf32>

// With reuse-own-blocks rank 1 keeps the b_1 it built: hop 2 carries p5 only.
// OWN-LABEL: func.func private @model.rank0
// OWN-COUNT-3: mpi.send
// OWN-NOT: mpi.send
// OWN-LABEL: func.func private @model.rank1
// OWN-COUNT-3: mpi.recv
// OWN-NOT: mpi.recv
// OWN-LABEL: func.func @shapes(

// OMPI: module attributes {dlti.map = #dlti.map<"MPI:Implementation" = "OpenMPI">}

// P = 1: one rank runs every chunk; nothing is sent.
// ONE-LABEL: func.func @model
// ONE: case 0 {
// ONE-NOT: case 1
// ONE-LABEL: func.func private @model.rank0
// ONE-SAME: attnres.chunks = array<i64: 0, 1, 2, 3>
// ONE-NOT: mpi.
// ONE: return
func.func @model(%emb: tensor<4x8xf32>) -> tensor<4x8xf32> {
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

// Values of other shapes and element types travel as rank-1 buffers; f16 and
// bf16 as i16 (the MPI lowering has no 16-bit float datatype).
// CHECK-LABEL: func.func private @shapes.rank0
// CHECK: %[[S:.*]] = tensor.expand_shape %{{.*}} [] output_shape [1] : tensor<f32> into tensor<1xf32>
// CHECK: bufferization.to_buffer %[[S]] read_only : tensor<1xf32> to memref<1xf32>
// CHECK: %[[VE:.*]] = tensor.empty() : tensor<8xi16>
// CHECK: %[[V:.*]] = linalg.map { arith.bitcast } ins(%{{.*}} : tensor<8xbf16>) outs(%[[VE]] : tensor<8xi16>)
// CHECK: bufferization.to_buffer %[[V]] read_only : tensor<8xi16> to memref<8xi16>
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2]] : tensor<2x3x4xi32> into tensor<24xi32>
// CHECK-LABEL: func.func private @shapes.rank1
// CHECK: tensor.collapse_shape %{{.*}} [] : tensor<1xf32> into tensor<f32>
// CHECK: linalg.map { arith.bitcast } ins(%{{.*}} : tensor<8xi16>) outs(%{{.*}} : tensor<8xbf16>)
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1, 2]] output_shape [2, 3, 4] : tensor<24xi32> into tensor<2x3x4xi32>
func.func @shapes(%x: tensor<f32>, %v: tensor<8xbf16>, %m: tensor<2x3x4xi32>) -> (tensor<f32>, tensor<8xbf16>, tensor<2x3x4xi32>) {
  %x1 = arith.addf %x, %x {attnres.chunk = 0 : i64} : tensor<f32>
  %v1 = arith.addf %v, %v : tensor<8xbf16>
  %m1 = arith.addi %m, %m : tensor<2x3x4xi32>
  %x2 = arith.addf %x1, %x1 {attnres.chunk = 1 : i64} : tensor<f32>
  %v2 = arith.addf %v1, %v1 : tensor<8xbf16>
  %m2 = arith.addi %m1, %m1 : tensor<2x3x4xi32>
  return %x2, %v2, %m2 : tensor<f32>, tensor<8xbf16>, tensor<2x3x4xi32>
}

// Functions without annotations are left alone.
// CHECK-LABEL: func.func @negative_unannotated
// CHECK-NEXT: arith.addf
// CHECK-NEXT: return
func.func @negative_unannotated(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %a = arith.addf %x, %x : tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}

// The entry function (option entry, default main) initializes MPI first and
// finalizes it before every return.
// CHECK-LABEL: func.func @main
// CHECK-NEXT: mpi.init
// CHECK: call @model
// CHECK: mpi.finalize
// CHECK-NEXT: return
func.func @main() -> i32 {
  %emb = arith.constant dense<1.000000e+00> : tensor<4x8xf32>
  %y = func.call @model(%emb) : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %c0 = arith.constant 0 : i32
  return %c0 : i32
}
