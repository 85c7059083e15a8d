// Round trip of the gradient ops: custom form, generic form, bytecode, and the
// built-in printer/parser cross-check of --verify-roundtrip.
//
// RUN: attnres-opt %s | attnres-opt | FileCheck %s
// RUN: attnres-opt %s --mlir-print-op-generic | attnres-opt | FileCheck %s
// RUN: attnres-opt %s --emit-bytecode | attnres-opt | FileCheck %s
// RUN: attnres-opt %s --verify-roundtrip | FileCheck %s
// RUN: attnres-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// CHECK-LABEL: func.func @depth_attn_grad
// CHECK-SAME: (%[[Q:.*]]: tensor<64xf32>, %[[V0:.*]]: tensor<8x64xbf16>, %[[V1:.*]]: tensor<8x64xbf16>, %[[G:.*]]: tensor<8x64xbf16>)
// CHECK: %{{.*}}, %{{.*}}:2 = attnres.depth_attn_grad %[[Q]], [%[[V0]], %[[V1]]], %[[G]] {eps = 9.99999997E-7 : f32} : tensor<64xf32>, tensor<8x64xbf16>, tensor<8x64xbf16> -> tensor<64xf32>, tensor<8x64xbf16>
// GENERIC-DAG: "attnres.depth_attn_grad"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{eps = 9.99999997E-7 : f32}> : (tensor<64xf32>, tensor<8x64xbf16>, tensor<8x64xbf16>, tensor<8x64xbf16>) -> (tensor<64xf32>, tensor<8x64xbf16>, tensor<8x64xbf16>)
func.func @depth_attn_grad(%q: tensor<64xf32>, %v0: tensor<8x64xbf16>, %v1: tensor<8x64xbf16>, %g: tensor<8x64xbf16>) -> (tensor<64xf32>, tensor<8x64xbf16>, tensor<8x64xbf16>) {
  %dq, %dv:2 = attnres.depth_attn_grad %q, [%v0, %v1], %g {eps = 1.0e-06 : f32}
      : tensor<64xf32>, tensor<8x64xbf16>, tensor<8x64xbf16> -> tensor<64xf32>, tensor<8x64xbf16>
  return %dq, %dv#0, %dv#1 : tensor<64xf32>, tensor<8x64xbf16>, tensor<8x64xbf16>
}

// CHECK-LABEL: func.func @depth_attn_grad_dynamic
// CHECK: attnres.depth_attn_grad %{{.*}}, [%{{.*}}], %{{.*}} : tensor<?xf32>, tensor<?x2x16xf32>, tensor<?x2x16xf32> -> tensor<?xf32>, tensor<?x2x16xf32>
func.func @depth_attn_grad_dynamic(%q: tensor<?xf32>, %v0: tensor<?x2x16xf32>, %g: tensor<?x2x16xf32>) -> (tensor<?xf32>, tensor<?x2x16xf32>) {
  %dq, %dv = attnres.depth_attn_grad %q, [%v0], %g : tensor<?xf32>, tensor<?x2x16xf32>, tensor<?x2x16xf32> -> tensor<?xf32>, tensor<?x2x16xf32>
  return %dq, %dv : tensor<?xf32>, tensor<?x2x16xf32>
}

// CHECK-LABEL: func.func @rms_norm_grad
// CHECK: attnres.rms_norm_grad %{{.*}}, %{{.*}}, %{{.*}} : tensor<8x64xf32>, tensor<64xf32>
// GENERIC-DAG: "attnres.rms_norm_grad"(%{{.*}}, %{{.*}}, %{{.*}}) <{eps = 9.99999974E-6 : f32}> : (tensor<8x64xf32>, tensor<64xf32>, tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<64xf32>)
func.func @rms_norm_grad(%x: tensor<8x64xf32>, %gain: tensor<64xf32>, %g: tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<64xf32>) {
  %dx, %dgain = attnres.rms_norm_grad %x, %gain, %g {eps = 1.0e-05 : f32} : tensor<8x64xf32>, tensor<64xf32>
  return %dx, %dgain : tensor<8x64xf32>, tensor<64xf32>
}

// CHECK-LABEL: func.func @depth_attn_stats_grad
// CHECK: %{{.*}}, %{{.*}}:3 = attnres.depth_attn_stats_grad %{{.*}}, [%{{.*}}, %{{.*}}, %{{.*}}], %{{.*}}, %{{.*}}, %{{.*}} : tensor<4x64xf32>, tensor<8x64xf32>, tensor<4x8xf32>, tensor<4x8x64xf32> -> tensor<4x64xf32>, tensor<8x64xf32>
func.func @depth_attn_stats_grad(%Q: tensor<4x64xf32>, %b0: tensor<8x64xf32>, %b1: tensor<8x64xf32>, %b2: tensor<8x64xf32>,
                                 %lse: tensor<4x8xf32>, %do: tensor<4x8x64xf32>, %dlse: tensor<4x8xf32>) -> tensor<8x64xf32> {
  %dQ, %dv:3 = attnres.depth_attn_stats_grad %Q, [%b0, %b1, %b2], %lse, %do, %dlse
      : tensor<4x64xf32>, tensor<8x64xf32>, tensor<4x8xf32>, tensor<4x8x64xf32> -> tensor<4x64xf32>, tensor<8x64xf32>
  return %dv#2 : tensor<8x64xf32>
}

// CHECK-LABEL: func.func @depth_attn_merge_grad
// CHECK: attnres.depth_attn_merge_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<8x64xbf16>, tensor<8xf32>, tensor<64xbf16>
// GENERIC-DAG: "attnres.depth_attn_merge_grad"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{eps = 9.99999974E-6 : f32}> : (tensor<8x64xbf16>, tensor<8xf32>, tensor<64xbf16>, tensor<8x64xbf16>, tensor<8x64xbf16>) -> (tensor<8x64xbf16>, tensor<8xf32>, tensor<64xbf16>, tensor<8x64xbf16>)
func.func @depth_attn_merge_grad(%o: tensor<8x64xbf16>, %lse: tensor<8xf32>, %q: tensor<64xbf16>, %u: tensor<8x64xbf16>, %g: tensor<8x64xbf16>) -> tensor<8x64xbf16> {
  %do, %dlse, %dq, %du = attnres.depth_attn_merge_grad %o, %lse, %q, %u, %g : tensor<8x64xbf16>, tensor<8xf32>, tensor<64xbf16>
  return %du : tensor<8x64xbf16>
}
