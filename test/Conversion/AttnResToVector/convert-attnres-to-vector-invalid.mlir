// Ops whose tensors span more than 2^63 - 1 bytes in their static dims cannot
// be addressed (and the offsets of later stages would wrap around into invalid
// IR): the lowerings (vector, linalg, GPU kernels) report every such op
// before rewriting anything and fail.
//
// RUN: attnres-opt %s -split-input-file -verify-diagnostics=all \
// RUN:   --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector))'
// RUN: not attnres-opt %s -split-input-file \
// RUN:   --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector))' 2>&1 \
// RUN:   | FileCheck %s
// The IR after the failed pass is the input: nothing was rewritten.
// RUN: not attnres-opt %s -split-input-file --mlir-print-ir-after-failure \
// RUN:   --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector))' 2>&1 \
// RUN:   | FileCheck %s --check-prefix=AFTER
// The other lowerings check the same, up front.
// RUN: attnres-opt %s -split-input-file -verify-diagnostics=all \
// RUN:   --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg))'
// RUN: attnres-opt %s -split-input-file -verify-diagnostics=all \
// RUN:   --pass-pipeline='builtin.module(func.func(convert-attnres-to-gpu))'
// RUN: attnres-opt %s -split-input-file -verify-diagnostics=all \
// RUN:   --attnres-to-nvvm="format=isa two-phase=off"
// RUN: attnres-opt %s -split-input-file -verify-diagnostics=all \
// RUN:   --attnres-to-llvm="fast-kernels=false two-phase=off"
// The CPU pipeline stops with the same located error.
// RUN: not attnres-opt %s -split-input-file --attnres-to-llvm 2>&1 \
// RUN:   | FileCheck %s --check-prefix=PIPELINE

// 2^62 rows of 16 f32: 2^68 bytes.
// CHECK: convert-attnres-to-vector-invalid.mlir:[[# @LINE + 6]]:8: error: 'attnres.depth_attn' op operand #1 of type 'tensor<4611686018427387904x16xf32>' is too large: its static dimensions span more than 2^63 - 1 bytes
// PIPELINE: convert-attnres-to-vector-invalid.mlir:[[# @LINE + 5]]:8: error: 'attnres.depth_attn' op operand #1 of type 'tensor<4611686018427387904x16xf32>' is too large: its static dimensions span more than 2^63 - 1 bytes
// AFTER-LABEL: func.func @huge_site
// AFTER: attnres.depth_attn
func.func @huge_site(%q: tensor<16xf32>, %v0: tensor<4611686018427387904x16xf32>, %v1: tensor<4611686018427387904x16xf32>) -> tensor<4611686018427387904x16xf32> {
  // expected-error @below {{'attnres.depth_attn' op operand #1 of type 'tensor<4611686018427387904x16xf32>' is too large: its static dimensions span more than 2^63 - 1 bytes}}
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<16xf32>, tensor<4611686018427387904x16xf32> -> tensor<4611686018427387904x16xf32>
  return %h : tensor<4611686018427387904x16xf32>
}

// -----

// Every source spans 2^62 bytes, the output of three queries 3 * 2^62.
// CHECK: error: 'attnres.depth_attn_stats' op result #0 of type 'tensor<3x576460752303423488x2xf32>' is too large
// PIPELINE: error: 'attnres.depth_attn_stats' op result #0 of type 'tensor<3x576460752303423488x2xf32>' is too large
func.func @huge_stats_output(%Q: tensor<3x2xf32>, %b0: tensor<576460752303423488x2xf32>, %b1: tensor<576460752303423488x2xf32>) -> (tensor<3x576460752303423488x2xf32>, tensor<3x576460752303423488xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats' op result #0 of type 'tensor<3x576460752303423488x2xf32>' is too large}}
  %o, %lse = attnres.depth_attn_stats %Q, [%b0, %b1] : tensor<3x2xf32>, tensor<576460752303423488x2xf32> -> tensor<3x576460752303423488x2xf32>, tensor<3x576460752303423488xf32>
  return %o, %lse : tensor<3x576460752303423488x2xf32>, tensor<3x576460752303423488xf32>
}

// -----

// Token dims whose product overflows (a dynamic dim counts as 1), and a
// second offending op in the same function: both are reported.
// CHECK: error: 'attnres.depth_attn_merge' op operand #0 of type 'tensor<?x4294967296x4294967296x16xbf16>' is too large
// CHECK: error: 'attnres.depth_attn' op operand #1 of type 'tensor<?x4294967296x4294967296x16xbf16>' is too large
func.func @huge_merge(%o: tensor<?x4294967296x4294967296x16xbf16>, %lse: tensor<?x4294967296x4294967296xf32>, %q: tensor<16xf32>, %u: tensor<?x4294967296x4294967296x16xbf16>) -> tensor<?x4294967296x4294967296x16xbf16> {
  // expected-error @below {{'attnres.depth_attn_merge' op operand #0 of type 'tensor<?x4294967296x4294967296x16xbf16>' is too large}}
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<?x4294967296x4294967296x16xbf16>, tensor<?x4294967296x4294967296xf32>, tensor<16xf32>, tensor<?x4294967296x4294967296x16xbf16>
  // expected-error @below {{'attnres.depth_attn' op operand #1 of type 'tensor<?x4294967296x4294967296x16xbf16>' is too large}}
  %g = attnres.depth_attn %q, [%h, %u] : tensor<16xf32>, tensor<?x4294967296x4294967296x16xbf16> -> tensor<?x4294967296x4294967296x16xbf16>
  return %g : tensor<?x4294967296x4294967296x16xbf16>
}
