// RUN: attnres-opt %s --attnres-convert-mpi-to-llvm -split-input-file | FileCheck %s

// Upstream's MPI patterns as a pass: MPICH ABI (integer handles).
// CHECK: module attributes {dlti.map = #dlti.map<"MPI:Implementation" = "MPICH">}
// CHECK-DAG: llvm.func @MPI_Init(!llvm.ptr, !llvm.ptr) -> i32
// CHECK-DAG: llvm.func @MPI_Comm_rank(i32, !llvm.ptr) -> i32
// CHECK-DAG: llvm.func @MPI_Send(!llvm.ptr, i32, i32, i32, i32, i32) -> i32
// CHECK-DAG: llvm.func @MPI_Recv(!llvm.ptr, i32, i32, i32, i32, i32, !llvm.ptr) -> i32
// CHECK-DAG: llvm.func @MPI_Finalize() -> i32
// CHECK-LABEL: func.func @exchange
// CHECK: llvm.call @MPI_Init
// CHECK: llvm.mlir.constant(1140850688 : i64) : i64
// CHECK: llvm.call @MPI_Comm_rank
// CHECK: llvm.call @MPI_Send
// CHECK: llvm.call @MPI_Recv
// CHECK: llvm.call @MPI_Finalize
// CHECK-NOT: mpi.
module attributes {dlti.map = #dlti.map<"MPI:Implementation" = "MPICH">} {
  func.func @exchange(%buf: memref<32xf32>, %ints: memref<4xi64>) -> i32 {
    mpi.init
    %comm = mpi.comm_world : !mpi.comm
    %rank = mpi.comm_rank(%comm) : i32
    %c0 = arith.constant 0 : i32
    %c1 = arith.constant 1 : i32
    mpi.send(%buf, %c0, %c1, %comm) : memref<32xf32>, i32, i32
    mpi.recv(%ints, %c0, %c1, %comm) : memref<4xi64>, i32, i32
    mpi.finalize
    return %rank : i32
  }
}

// -----

// Open MPI: handles are addresses of the library's predefined objects.
// CHECK-LABEL: module attributes {dlti.map = #dlti.map<"MPI:Implementation" = "OpenMPI">}
// CHECK: llvm.mlir.global external @ompi_mpi_comm_world()
// CHECK: llvm.mlir.addressof @ompi_mpi_comm_world
module attributes {dlti.map = #dlti.map<"MPI:Implementation" = "OpenMPI">} {
  func.func @rank() -> i32 {
    %comm = mpi.comm_world : !mpi.comm
    %rank = mpi.comm_rank(%comm) : i32
    return %rank : i32
  }
}

// -----

// Without mpi ops the pass changes nothing (attnres-to-llvm always runs it).
// CHECK-LABEL: func.func @negative_no_mpi
// CHECK-NEXT: arith.addi
// CHECK-NEXT: return
// CHECK-NOT: llvm.func
func.func @negative_no_mpi(%x: i32) -> i32 {
  %y = arith.addi %x, %x : i32
  return %y : i32
}
