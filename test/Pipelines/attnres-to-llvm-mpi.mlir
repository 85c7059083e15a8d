// Compile-only: a model partitioned by attnres-pipeline-partition lowers with
// attnres-to-llvm (which runs attnres-convert-mpi-to-llvm) to pure LLVM dialect with
// MPI library calls, and translates to LLVM IR. No MPI needed to run this.
//
// RUN: attnres-opt %s --attnres-pipeline-partition="stages=2 virtual-stages=2" --attnres-to-llvm | FileCheck %s
// RUN: attnres-opt %s --attnres-pipeline-partition="stages=2 virtual-stages=2" --attnres-to-llvm | FileCheck %s --check-prefix=ONLY-LLVM
// RUN: attnres-opt %s --attnres-pipeline-partition="stages=2 virtual-stages=2" --attnres-to-llvm="fast-kernels=false parallel=false two-phase=off" | FileCheck %s
// RUN: attnres-opt %s --attnres-pipeline-partition="stages=2 virtual-stages=2" --attnres-to-llvm | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR
// MPI calls need 64-bit indices (the upstream lowering reads offsets as i64):
// RUN: not attnres-opt %s --attnres-pipeline-partition="stages=2 virtual-stages=2" --attnres-to-llvm="index-bitwidth=32 fast-kernels=false parallel=false" -o /dev/null 2>&1 | FileCheck %s --check-prefix=INDEX32
// INDEX32: error: attnres-convert-mpi-to-llvm: the MPI lowering reads memref offsets as i64; index-bitwidth 32 is not supported

// ONLY-LLVM-NOT: {{^ *(%[^=]+= )?"?(mpi|attnres|linalg|tensor|memref|bufferization|arith|math|scf|cf|vector|func)\.}}
// ONLY-LLVM-NOT: unrealized_conversion_cast

// CHECK-DAG: llvm.func @MPI_Init(!llvm.ptr, !llvm.ptr) -> i32
// CHECK-DAG: llvm.func @MPI_Send(!llvm.ptr, i32, i32, i32, i32, i32) -> i32
// CHECK-DAG: llvm.func @MPI_Recv(!llvm.ptr, i32, i32, i32, i32, i32, !llvm.ptr) -> i32
// CHECK-DAG: llvm.func @MPI_Comm_rank(i32, !llvm.ptr) -> i32
// CHECK-DAG: llvm.func @MPI_Finalize() -> i32
// CHECK-LABEL: llvm.func @model(
// CHECK: llvm.call @MPI_Comm_rank
// CHECK: llvm.switch
// CHECK-LABEL: llvm.func @model.rank0(
// Hop 0 and hop 2 send 32 f32 each (the count is an operand of the call).
// CHECK: llvm.call @MPI_Send
// CHECK: llvm.call @MPI_Recv
// CHECK-LABEL: llvm.func @model.rank1(
// CHECK: llvm.call @MPI_Recv
// CHECK-LABEL: llvm.func @main(
// CHECK: llvm.call @MPI_Init
// CHECK: llvm.call @model(
// CHECK: llvm.call @MPI_Finalize

// LLVMIR-DAG: declare i32 @MPI_Send(ptr, i32, i32, i32, i32, i32)
// LLVMIR-DAG: declare i32 @MPI_Recv(ptr, i32, i32, i32, i32, i32, ptr)
// LLVMIR-DAG: define i32 @main()
func.func @model(%emb: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %q = arith.constant dense<5.000000e-01> : tensor<8xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %f0 = linalg.map { math.tanh } ins(%emb : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {attnres.chunk = 0 : i64}
  %h1 = attnres.depth_attn %q, [%emb, %f0] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f1 = linalg.map { math.tanh } ins(%h1 : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>)
  %p1 = attnres.block_summary [%f0, %f1] : tensor<4x8xf32>
  %h2 = attnres.depth_attn %q, [%emb, %p1] {attnres.chunk = 1 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f2 = linalg.map { math.tanh } ins(%h2 : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>)
  %p2 = attnres.block_summary [%p1, %f2] : tensor<4x8xf32>
  %h3 = attnres.depth_attn %q, [%emb, %p2] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f3 = linalg.map { math.tanh } ins(%h3 : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>)
  %b1 = attnres.block_summary [%p2, %f3] : tensor<4x8xf32>
  %h4 = attnres.depth_attn %q, [%emb, %b1] {attnres.chunk = 2 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f4 = linalg.map { math.tanh } ins(%h4 : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>)
  %h5 = attnres.depth_attn %q, [%emb, %b1, %f4] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f5 = linalg.map { math.tanh } ins(%h5 : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>)
  %p5 = attnres.block_summary [%f4, %f5] : tensor<4x8xf32>
  %h6 = attnres.depth_attn %q, [%emb, %b1, %p5] {attnres.chunk = 3 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f6 = linalg.map { math.tanh } ins(%h6 : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>)
  %p6 = attnres.block_summary [%p5, %f6] : tensor<4x8xf32>
  %h7 = attnres.depth_attn %q, [%emb, %b1, %p6] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f7 = linalg.map { math.tanh } ins(%h7 : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>)
  %b2 = attnres.block_summary [%p6, %f7] : tensor<4x8xf32>
  %y = attnres.depth_attn %q, [%emb, %b1, %b2] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

func.func @main() -> i32 {
  %emb = arith.constant dense<1.000000e+00> : tensor<4x8xf32>
  %y = func.call @model(%emb) : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %c0 = arith.constant 0 : i32
  return %c0 : i32
}
