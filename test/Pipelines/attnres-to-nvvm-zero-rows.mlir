// The GPU pipeline runs attnres-two-phase like the CPU pipeline: a block of
// sites without token rows and one with queries of dynamic length compile
// (format=isa: no CUDA toolkit needed), in every two-phase mode. Token shapes
// mixing `?` and 0 (2x?x0) used to end in an invalid memref.collapse_shape.
//
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa" | FileCheck %s
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa two-phase=force" | FileCheck %s
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa two-phase=force" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR

// CHECK-NOT: attnres.
// CHECK-DAG: llvm.func @block_zero_rows(
// CHECK-DAG: llvm.func @block_dynamic_length_query(
// CHECK-DAG: llvm.func @stats_zero_queries(
// CHECK-DAG: llvm.func @site_zero_rows_mixed(
// CHECK-DAG: llvm.func @stats_zero_rows_mixed(
// CHECK-DAG: llvm.func @merge_zero_rows_mixed(
// CHECK-DAG: gpu.binary
// CHECK-NOT: attnres.
// LLVMIR-DAG: define {{.*}} @block_zero_rows(
// LLVMIR-DAG: define {{.*}} @block_dynamic_length_query(
// LLVMIR-DAG: define {{.*}} @stats_zero_queries(
// LLVMIR-DAG: define {{.*}} @merge_zero_rows_mixed(

func.func @block_zero_rows(%b0: tensor<0x16xf32>, %b1: tensor<0x16xf32>, %b2: tensor<0x16xf32>, %q1: tensor<16xf32>, %q2: tensor<16xf32>, %q3: tensor<16xf32>) -> tensor<0x16xf32> {
  %h1 = attnres.depth_attn %q1, [%b0, %b1, %b2] : tensor<16xf32>, tensor<0x16xf32> -> tensor<0x16xf32>
  %h2 = attnres.depth_attn %q2, [%b0, %b1, %b2, %h1] : tensor<16xf32>, tensor<0x16xf32> -> tensor<0x16xf32>
  %p = attnres.block_summary [%h1, %h2] : tensor<0x16xf32>
  %h3 = attnres.depth_attn %q3, [%b0, %b1, %b2, %p] : tensor<16xf32>, tensor<0x16xf32> -> tensor<0x16xf32>
  return %h3 : tensor<0x16xf32>
}

func.func @block_dynamic_length_query(%b0: tensor<4x16xf32>, %b1: tensor<4x16xf32>, %b2: tensor<4x16xf32>, %q1: tensor<?xf32>, %q2: tensor<?xf32>, %q3: tensor<?xf32>) -> tensor<4x16xf32> {
  %h1 = attnres.depth_attn %q1, [%b0, %b1, %b2] : tensor<?xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
  %h2 = attnres.depth_attn %q2, [%b0, %b1, %b2, %h1] : tensor<?xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
  %p = attnres.block_summary [%h1, %h2] : tensor<4x16xf32>
  %h3 = attnres.depth_attn %q3, [%b0, %b1, %b2, %p] : tensor<?xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
  return %h3 : tensor<4x16xf32>
}

func.func @stats_zero_queries(%Q: tensor<0x16xf32>, %b0: tensor<?x16xf32>, %b1: tensor<?x16xf32>) -> (tensor<0x?x16xf32>, tensor<0x?xf32>) {
  %o, %lse = attnres.depth_attn_stats %Q, [%b0, %b1] : tensor<0x16xf32>, tensor<?x16xf32> -> tensor<0x?x16xf32>, tensor<0x?xf32>
  return %o, %lse : tensor<0x?x16xf32>, tensor<0x?xf32>
}

func.func @site_zero_rows_mixed(%q: tensor<16xf32>, %v0: tensor<2x?x0x16xf32>, %v1: tensor<2x?x0x16xf32>) -> tensor<2x?x0x16xf32> {
  %r = attnres.depth_attn %q, [%v0, %v1] : tensor<16xf32>, tensor<2x?x0x16xf32> -> tensor<2x?x0x16xf32>
  return %r : tensor<2x?x0x16xf32>
}

func.func @stats_zero_rows_mixed(%Q: tensor<3x16xf32>, %v0: tensor<?x0x16xbf16>, %v1: tensor<?x0x16xbf16>) -> (tensor<3x?x0x16xbf16>, tensor<3x?x0xf32>) {
  %o, %lse = attnres.depth_attn_stats %Q, [%v0, %v1] : tensor<3x16xf32>, tensor<?x0x16xbf16> -> tensor<3x?x0x16xbf16>, tensor<3x?x0xf32>
  return %o, %lse : tensor<3x?x0x16xbf16>, tensor<3x?x0xf32>
}

func.func @merge_zero_rows_mixed(%o: tensor<?x0x16xf32>, %lse: tensor<?x0xf32>, %q: tensor<16xf32>, %s: tensor<?x0x16xf32>) -> tensor<?x0x16xf32> {
  %h = attnres.depth_attn_merge %o, %lse, %q, %s : tensor<?x0x16xf32>, tensor<?x0xf32>, tensor<16xf32>, tensor<?x0x16xf32>
  return %h : tensor<?x0x16xf32>
}
