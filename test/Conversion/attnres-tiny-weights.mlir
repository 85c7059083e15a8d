// Tiny softmax and merge weights (below 2^-60) are exactly 0 in every CPU
// lowering: the logit gap is compared with -60·ln 2 before the exponential
// (no subnormal exp results or weight-times-source products).
// RUN: attnres-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector))' | FileCheck %s --check-prefix=CHECK
// RUN: attnres-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg))' | FileCheck %s --check-prefixes=CHECK,LINALG

// CHECK-LABEL: func.func @site
// CHECK: %[[X:.*]] = arith.subf
// CHECK-NEXT: %[[GAP:.*]] = arith.constant -41.5888{{[0-9]*}} : f32
// CHECK-NEXT: %[[SMALL:.*]] = arith.cmpf olt, %[[X]], %[[GAP]] : f32
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[CLAMPED:.*]] = arith.select %[[SMALL]], %[[ZERO]], %[[X]] : f32
// CHECK-NEXT: %[[E:.*]] = math.exp %[[CLAMPED]] : f32
// CHECK-NEXT: arith.select %[[SMALL]], %[[ZERO]], %[[E]] : f32
func.func @site(%q: tensor<16xf32>, %v0: tensor<4x16xf32>, %v1: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<16xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
  return %h : tensor<4x16xf32>
}

// -----

// CHECK-LABEL: func.func @merge
// CHECK: %[[X:.*]] = arith.subf
// CHECK-NEXT: %[[GAP:.*]] = arith.constant 41.5888{{[0-9]*}} : f32
// CHECK-NEXT: %[[SMALL:.*]] = arith.cmpf ogt, %[[X]], %[[GAP]] : f32
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[CLAMPED:.*]] = arith.select %[[SMALL]], %[[ZERO]], %[[X]] : f32
// CHECK-NEXT: math.exp %[[CLAMPED]] : f32
// CHECK: %[[W:.*]] = arith.divf
// CHECK-NEXT: arith.select %[[SMALL]], %[[ZERO]], %[[W]] : f32
func.func @merge(%o: tensor<4x16xf32>, %lse: tensor<4xf32>, %q: tensor<16xf32>, %u: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<4x16xf32>, tensor<4xf32>, tensor<16xf32>, tensor<4x16xf32>
  return %h : tensor<4x16xf32>
}

// -----

// The unfused softmax flushes the same weights.
// LINALG-LABEL: func.func @softmax
// LINALG: arith.cmpf olt, %{{.*}}, %{{.*}} : f32
// LINALG: math.exp
// LINALG: arith.cmpf olt, %{{.*}}, %{{.*}} : f32
// LINALG: math.exp
func.func @softmax(%s: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %a = attnres.depth_softmax %s : tensor<3x4xf32>
  return %a : tensor<3x4xf32>
}
