// RUN: attnres-opt %s --attnres-convert-mpi-to-llvm -split-input-file -verify-diagnostics=all -o /dev/null
// RUN: not attnres-opt %s --attnres-convert-mpi-to-llvm="index-bitwidth=32" -split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=INDEX
// INDEX: error: attnres-convert-mpi-to-llvm: the MPI lowering reads memref offsets as i64; index-bitwidth 32 is not supported

// Upstream counts dimension 0 only: a 4x8 buffer would send 4 elements.
func.func @two_dims(%buf: memref<4x8xf32>) {
  %comm = mpi.comm_world : !mpi.comm
  %c0 = arith.constant 0 : i32
  // expected-error @below {{attnres-convert-mpi-to-llvm: buffer of type 'memref<4x8xf32>' must be a rank-1 memref with an identity layout (the MPI lowering counts dimension 0 only)}}
  mpi.send(%buf, %c0, %c0, %comm) : memref<4x8xf32>, i32, i32
  return
}

// -----

func.func @strided(%buf: memref<8xf32, strided<[2]>>) {
  %comm = mpi.comm_world : !mpi.comm
  %c0 = arith.constant 0 : i32
  // expected-error @below {{must be a rank-1 memref with an identity layout}}
  mpi.recv(%buf, %c0, %c0, %comm) : memref<8xf32, strided<[2]>>, i32, i32
  return
}

// -----

// No MPI datatype for f16 in the upstream lowering (a release build of LLVM
// would silently send datatype 0).
func.func @half(%buf: memref<8xf16>) {
  %comm = mpi.comm_world : !mpi.comm
  %c0 = arith.constant 0 : i32
  // expected-error @below {{attnres-convert-mpi-to-llvm: element type 'f16' has no MPI datatype in the MPI lowering (f32, f64, 8/16/32/64-bit integers)}}
  mpi.send(%buf, %c0, %c0, %comm) : memref<8xf16>, i32, i32
  return
}

// -----

func.func @size() -> i32 {
  %comm = mpi.comm_world : !mpi.comm
  // expected-error @below {{attnres-convert-mpi-to-llvm: mpi.comm_size has no lowering to LLVM in MLIR 22.1}}
  %size = mpi.comm_size(%comm) : i32
  return %size : i32
}
