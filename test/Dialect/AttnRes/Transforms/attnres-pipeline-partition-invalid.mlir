// RUN: attnres-opt %s --attnres-pipeline-partition="stages=2 virtual-stages=2 entry=" -split-input-file -verify-diagnostics=all -o /dev/null
// Bad options: errors, never a crash.
// RUN: not attnres-opt %s --attnres-pipeline-partition="stages=0" -split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=STAGES
// RUN: not attnres-opt %s --attnres-pipeline-partition="stages=2 mpi-implementation=LAM" -split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=IMPL
// A chunking that cannot be honoured: located errors, nothing partitioned.
// RUN: not attnres-opt %s --attnres-pipeline-partition="stages=2 virtual-stages=2 entry=" -split-input-file 2>&1 | FileCheck %s --check-prefix=HONOUR
// STAGES: error: attnres-pipeline-partition: stages and virtual-stages must be >= 1, got stages = 0 and virtual-stages = 1
// IMPL: error: attnres-pipeline-partition: unknown mpi-implementation 'LAM' (expected MPICH or OpenMPI)

// A value crossing a hop needs a static shape (the receiver allocates it).
func.func @dynamic_rows(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @below {{attnres-pipeline-partition: a value of type 'tensor<?x8xf32>' defined in chunk 0 is used in chunk 1; only statically shaped tensors of f32, f64, f16, bf16 or 8/16/32/64-bit integers (at most 2^31-1 elements) can travel}}
  %a = arith.addf %x, %x {attnres.chunk = 0 : i64} : tensor<?x8xf32>
  // expected-note @below {{used here, in chunk 1 (rank 1)}}
  %b = arith.addf %a, %a {attnres.chunk = 1 : i64} : tensor<?x8xf32>
  return %b : tensor<?x8xf32>
}

// -----

// Scalars and i1 have no MPI message form here.
func.func @scalar(%x: f32) -> f32 {
  // expected-error @below {{a value of type 'f32' defined in chunk 0 is used in chunk 1}}
  %a = arith.addf %x, %x : f32
  // expected-note @below {{used here, in chunk 1 (rank 1)}}
  %b = arith.addf %a, %a {attnres.chunk = 1 : i64} : f32
  return %b : f32
}

// -----

func.func @predicate(%x: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @below {{a value of type 'tensor<4xi1>' defined in chunk 0 is used in chunk 1}}
  %a = arith.xori %x, %x : tensor<4xi1>
  // expected-note @below {{used here, in chunk 1 (rank 1)}}
  %b = arith.xori %a, %a {attnres.chunk = 1 : i64} : tensor<4xi1>
  return %b : tensor<4xi1>
}

// -----

// The ranks that do not compute the results return zeros: that needs a
// static type.
// expected-error @below {{attnres-pipeline-partition: result #0 of type 'tensor<?xf32>' has no zero value for the ranks that do not compute it (needs a static tensor or a scalar of int, index or float)}}
func.func @dynamic_result() -> tensor<?xf32> {
  %c = arith.constant dense<1.000000e+00> : tensor<3xf32>
  %d = tensor.cast %c : tensor<3xf32> to tensor<?xf32>
  %a = arith.addf %d, %d {attnres.chunk = 1 : i64} : tensor<?xf32>
  return %a : tensor<?xf32>
}

// -----

// The chunk annotations are checked by the analysis.
func.func @out_of_range(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @below {{'attnres.chunk' = 7 is out of range: stages = 2 and virtual-stages = 2 give 4 chunks (0 to 3)}}
  %a = arith.addf %x, %x {attnres.chunk = 7 : i64} : tensor<4xf32>
  return %a : tensor<4xf32>
}

// -----

// Only func.func: the pass creates func.func rank functions and calls.
// expected-error @below {{attnres-pipeline-partition: only func.func can be partitioned, not llvm.func}}
llvm.func @llvm_function(%x: f32) -> f32 {
  %a = llvm.fadd %x, %x {attnres.chunk = 1 : i64} : f32
  llvm.return %a : f32
}

// -----

// The module already targets another MPI implementation.
// expected-error @below {{attnres-pipeline-partition: the module already targets "OpenMPI" as "MPI:Implementation", not "MPICH"}}
module attributes {dlti.map = #dlti.map<"MPI:Implementation" = "OpenMPI">} {
  func.func @model(%x: tensor<4xf32>) -> tensor<4xf32> {
    %a = arith.addf %x, %x {attnres.chunk = 1 : i64} : tensor<4xf32>
    return %a : tensor<4xf32>
  }
}

// -----

// Annotated compute is never a parameter: %s runs in chunk 0, on rank 0. A
// scalar cannot travel to rank 1, so the chunking cannot be honoured; the
// pass fails instead of recomputing %s on rank 1.
func.func @annotated_scalar() -> tensor<4xf32> {
  %c = arith.constant 2.000000e+00 : f32
  // HONOUR: attnres-pipeline-partition-invalid.mlir:[[# @LINE + 4]]:8: error: attnres-pipeline-partition: a value of type 'f32' defined in chunk 0 is used in chunk 1; {{.*}}, so the chunking cannot be honoured (the value would cross hop 0, rank 0 -> rank 1)
  // HONOUR-NEXT: %s = arith.mulf %c, %c {attnres.chunk = 0 : i64} : f32
  // HONOUR: attnres-pipeline-partition-invalid.mlir:[[# @LINE + 4]]:8: note: used here, in chunk 1 (rank 1)
  // expected-error @below {{attnres-pipeline-partition: a value of type 'f32' defined in chunk 0 is used in chunk 1; only statically shaped tensors of f32, f64, f16, bf16 or 8/16/32/64-bit integers (at most 2^31-1 elements) can travel, so the chunking cannot be honoured (the value would cross hop 0, rank 0 -> rank 1)}}
  %s = arith.mulf %c, %c {attnres.chunk = 0 : i64} : f32
  // expected-note @below {{used here, in chunk 1 (rank 1)}}
  %t = tensor.splat %s {attnres.chunk = 1 : i64} : tensor<4xf32>
  return %t : tensor<4xf32>
}

// -----

// A constant embedding is data, not a parameter: chunk 0 runs on rank 0 and
// hands chunk 1 a tensor of dynamic shape, which the receiver cannot size.
func.func @constant_embedding_dynamic() -> tensor<4x8xf32> {
  %emb = arith.constant dense<1.000000e+00> : tensor<4x8xf32>
  %q = arith.constant dense<5.000000e-01> : tensor<8xf32>
  %f0 = math.tanh %emb {attnres.chunk = 0 : i64} : tensor<4x8xf32>
  // HONOUR: attnres-pipeline-partition-invalid.mlir:[[# @LINE + 3]]:8: error: attnres-pipeline-partition: a value of type 'tensor<?x8xf32>' defined in chunk 0 is used in chunk 1; {{.*}}, so the chunking cannot be honoured (the value would cross hop 0, rank 0 -> rank 1)
  // HONOUR: attnres-pipeline-partition-invalid.mlir:[[# @LINE + 4]]:8: note: used here, in chunk 1 (rank 1)
  // expected-error @below {{a value of type 'tensor<?x8xf32>' defined in chunk 0 is used in chunk 1; only statically shaped tensors}}
  %d = tensor.cast %f0 : tensor<4x8xf32> to tensor<?x8xf32>
  // expected-note @below {{used here, in chunk 1 (rank 1)}}
  %s = tensor.cast %d {attnres.chunk = 1 : i64} : tensor<?x8xf32> to tensor<4x8xf32>
  %y = attnres.depth_attn %q, [%emb, %s] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Byte counts are checked by the analysis: 2^64 elements do not fit in 64
// bits (nor would they in an MPI message), an error rather than a wrapped
// element count.
// expected-note @below {{in the stage traffic of this function}}
func.func @element_count_overflow(%x: tensor<4294967296x4294967296xi8>) -> tensor<4294967296x4294967296xi8> {
  // expected-error @below {{the byte count of a value of type 'tensor<4294967296x4294967296xi8>' that crosses chunk 0 does not fit in 64 bits}}
  %a = arith.addi %x, %x {attnres.chunk = 0 : i64} : tensor<4294967296x4294967296xi8>
  %b = arith.addi %a, %a {attnres.chunk = 1 : i64} : tensor<4294967296x4294967296xi8>
  return %b : tensor<4294967296x4294967296xi8>
}
