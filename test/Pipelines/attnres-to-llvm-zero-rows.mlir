// Compile-only checks of the CPU pipeline on inputs without token rows and on
// queries of dynamic length: every configuration lowers to pure LLVM dialect
// that mlir-translate accepts. Execution: test/Integration/CPU/*-zero-rows.mlir
// and *-dynamic-query.mlir.
//
// RUN: attnres-opt %s --attnres-to-llvm | FileCheck %s --check-prefix=ONLY-LLVM
// RUN: attnres-opt %s --attnres-to-llvm=two-phase=force | FileCheck %s --check-prefix=ONLY-LLVM
// RUN: attnres-opt %s --attnres-to-llvm="fast-kernels=false parallel=false" | FileCheck %s --check-prefix=ONLY-LLVM
// RUN: attnres-opt %s --attnres-to-llvm | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR
// RUN: attnres-opt %s --attnres-to-llvm=two-phase=force | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR

// ONLY-LLVM-NOT: attnres.
// ONLY-LLVM-NOT: linalg.
// ONLY-LLVM-NOT: tensor.
// ONLY-LLVM-NOT: memref.
// ONLY-LLVM-NOT: bufferization.
// ONLY-LLVM-NOT: unrealized_conversion_cast
// ONLY-LLVM-NOT: {{^ *(%[^=]+= )?"?(arith|math|scf|cf|affine|vector|func|index|builtin)\.}}
// ONLY-LLVM: llvm.func @block_zero_rows(
// ONLY-LLVM: llvm.func @block_dynamic_length_query(
// ONLY-LLVM: llvm.func @stats_zero_queries(
// ONLY-LLVM: llvm.func @site_zero_rows_mixed(
// ONLY-LLVM-NOT: attnres.
// ONLY-LLVM-NOT: linalg.
// ONLY-LLVM-NOT: tensor.
// ONLY-LLVM-NOT: memref.
// ONLY-LLVM-NOT: {{^ *(%[^=]+= )?"?(arith|math|scf|cf|affine|vector|func|index|builtin)\.}}
// LLVMIR-DAG: define {{.*}} @block_zero_rows(
// LLVMIR-DAG: define {{.*}} @block_dynamic_length_query(
// LLVMIR-DAG: define {{.*}} @stats_zero_queries(
// LLVMIR-DAG: define {{.*}} @site_zero_rows_mixed(

// A Block AttnRes block (three shared sources) without token rows.
func.func @block_zero_rows(%b0: tensor<0x16xf32>, %b1: tensor<0x16xf32>, %b2: tensor<0x16xf32>, %q1: tensor<16xf32>, %q2: tensor<16xf32>, %q3: tensor<16xf32>) -> tensor<0x16xf32> {
  %h1 = attnres.depth_attn %q1, [%b0, %b1, %b2] : tensor<16xf32>, tensor<0x16xf32> -> tensor<0x16xf32>
  %h2 = attnres.depth_attn %q2, [%b0, %b1, %b2, %h1] : tensor<16xf32>, tensor<0x16xf32> -> tensor<0x16xf32>
  %p = attnres.block_summary [%h1, %h2] : tensor<0x16xf32>
  %h3 = attnres.depth_attn %q3, [%b0, %b1, %b2, %p] : tensor<16xf32>, tensor<0x16xf32> -> tensor<0x16xf32>
  return %h3 : tensor<0x16xf32>
}

// The same block with queries of dynamic length.
func.func @block_dynamic_length_query(%b0: tensor<4x16xf32>, %b1: tensor<4x16xf32>, %b2: tensor<4x16xf32>, %q1: tensor<?xf32>, %q2: tensor<?xf32>, %q3: tensor<?xf32>) -> tensor<4x16xf32> {
  %h1 = attnres.depth_attn %q1, [%b0, %b1, %b2] : tensor<?xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
  %h2 = attnres.depth_attn %q2, [%b0, %b1, %b2, %h1] : tensor<?xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
  %p = attnres.block_summary [%h1, %h2] : tensor<4x16xf32>
  %h3 = attnres.depth_attn %q3, [%b0, %b1, %b2, %p] : tensor<?xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
  return %h3 : tensor<4x16xf32>
}

// Phase 1 without queries.
func.func @stats_zero_queries(%Q: tensor<0x16xf32>, %b0: tensor<?x16xf32>, %b1: tensor<?x16xf32>) -> (tensor<0x?x16xf32>, tensor<0x?xf32>) {
  %o, %lse = attnres.depth_attn_stats %Q, [%b0, %b1] : tensor<0x16xf32>, tensor<?x16xf32> -> tensor<0x?x16xf32>, tensor<0x?xf32>
  return %o, %lse : tensor<0x?x16xf32>, tensor<0x?xf32>
}

// Token dims mixing dynamic and zero sizes.
func.func @site_zero_rows_mixed(%q: tensor<16xf32>, %v0: tensor<2x?x0x16xf32>, %v1: tensor<2x?x0x16xf32>) -> tensor<2x?x0x16xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<16xf32>, tensor<2x?x0x16xf32> -> tensor<2x?x0x16xf32>
  return %h : tensor<2x?x0x16xf32>
}
