// Sites whose tensors span more than 2^63 - 1 bytes in their static dims
// cannot be addressed (and the offsets of later stages would wrap around into
// invalid IR): the pass reports every such site before rewriting anything and
// fails. With mode=off it does nothing.
//
// RUN: attnres-opt %s -split-input-file -verify-diagnostics=all \
// RUN:   --pass-pipeline='builtin.module(func.func(attnres-two-phase{mode=force}))'
// RUN: not attnres-opt %s -split-input-file \
// RUN:   --pass-pipeline='builtin.module(func.func(attnres-two-phase))' 2>&1 \
// RUN:   | FileCheck %s
// The IR after the failed pass is the input: nothing was rewritten.
// RUN: not attnres-opt %s -split-input-file --mlir-print-ir-after-failure \
// RUN:   --pass-pipeline='builtin.module(func.func(attnres-two-phase))' 2>&1 \
// RUN:   | FileCheck %s --check-prefix=AFTER
// RUN: attnres-opt %s -split-input-file \
// RUN:   --pass-pipeline='builtin.module(func.func(attnres-two-phase{mode=off}))' > /dev/null

// 2^62 rows of 16 f32: 2^68 bytes.
// CHECK: attnres-two-phase-invalid.mlir:[[# @LINE + 5]]:9: error: 'attnres.depth_attn' op operand #1 of type 'tensor<4611686018427387904x16xf32>' is too large: its static dimensions span more than 2^63 - 1 bytes
// AFTER-LABEL: func.func @huge_sources
// AFTER-NOT: attnres.depth_attn_stats
func.func @huge_sources(%b0: tensor<4611686018427387904x16xf32>, %b1: tensor<4611686018427387904x16xf32>, %b2: tensor<4611686018427387904x16xf32>, %q1: tensor<16xf32>, %q2: tensor<16xf32>) -> tensor<4611686018427387904x16xf32> {
  // expected-error @below {{'attnres.depth_attn' op operand #1 of type 'tensor<4611686018427387904x16xf32>' is too large: its static dimensions span more than 2^63 - 1 bytes}}
  %h1 = attnres.depth_attn %q1, [%b0, %b1, %b2] : tensor<16xf32>, tensor<4611686018427387904x16xf32> -> tensor<4611686018427387904x16xf32>
  // expected-error @below {{'attnres.depth_attn' op operand #1 of type 'tensor<4611686018427387904x16xf32>' is too large}}
  %h2 = attnres.depth_attn %q2, [%b0, %b1, %b2, %h1] : tensor<16xf32>, tensor<4611686018427387904x16xf32> -> tensor<4611686018427387904x16xf32>
  return %h2 : tensor<4611686018427387904x16xf32>
}

// -----

// A huge hidden size: the query alone spans 2^64 bytes.
// CHECK: error: 'attnres.depth_attn' op operand #0 of type 'tensor<4611686018427387904xf32>' is too large
func.func @huge_query(%b0: tensor<?x4611686018427387904xf32>, %b1: tensor<?x4611686018427387904xf32>, %q1: tensor<4611686018427387904xf32>) -> tensor<?x4611686018427387904xf32> {
  // expected-error @below {{'attnres.depth_attn' op operand #0 of type 'tensor<4611686018427387904xf32>' is too large}}
  %h1 = attnres.depth_attn %q1, [%b0, %b1] : tensor<4611686018427387904xf32>, tensor<?x4611686018427387904xf32> -> tensor<?x4611686018427387904xf32>
  return %h1 : tensor<?x4611686018427387904xf32>
}
