// Destinations (`outs`, one per result) and the memref form of the gradient
// ops (depth_attn_grad, rms_norm_grad, depth_attn_stats_grad,
// depth_attn_merge_grad): custom form, generic form, bytecode round trips;
// the generic form of an op without destinations is the one from before
// destinations existed (no `has_outs`).
//
// RUN: attnres-opt %s | attnres-opt | FileCheck %s
// RUN: attnres-opt %s --mlir-print-op-generic | attnres-opt | FileCheck %s
// RUN: attnres-opt %s --emit-bytecode | attnres-opt | FileCheck %s
// RUN: attnres-opt %s --verify-roundtrip | FileCheck %s
// RUN: attnres-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// CHECK-LABEL: func.func @tensor_outs(
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<64xf32>
// CHECK:         %{{.*}}, %{{.*}}:2 = attnres.depth_attn_grad %{{.*}}, [%[[V0:[a-z0-9_]+]], %[[V1:[a-z0-9_]+]]], %{{.*}} outs(%[[E]], %[[V0]], %[[V1]] : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) {eps = 9.99999997E-7 : f32} : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32> -> tensor<64xf32>, tensor<8x64xf32>
// CHECK:         attnres.rms_norm_grad %{{.*}}, %{{.*}}, %{{.*}} outs(%{{.*}}, %{{.*}} : tensor<8x64xf32>, tensor<64xf32>) : tensor<8x64xf32>, tensor<64xf32>
// CHECK:         attnres.depth_attn_stats_grad %{{.*}}, [%{{.*}}, %{{.*}}], %{{.*}}, %{{.*}}, %{{.*}} outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<4x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) : tensor<4x64xf32>, tensor<8x64xf32>, tensor<4x8xf32>, tensor<4x8x64xf32> -> tensor<4x64xf32>, tensor<8x64xf32>
// CHECK:         attnres.depth_attn_merge_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} outs(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>) : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>
// GENERIC-LABEL: sym_name = "tensor_outs"
// GENERIC: "attnres.depth_attn_grad"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{eps = 9.99999997E-7 : f32, has_outs}> : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>)
// GENERIC: "attnres.rms_norm_grad"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{eps = 9.99999974E-6 : f32}> : (tensor<8x64xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>) -> (tensor<8x64xf32>, tensor<64xf32>)
// GENERIC: "attnres.depth_attn_stats_grad"({{.*}}) <{eps = 9.99999974E-6 : f32, has_outs}> : (tensor<4x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<4x8xf32>, tensor<4x8x64xf32>, tensor<4x8xf32>, tensor<4x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> (tensor<4x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>)
// GENERIC: "attnres.depth_attn_merge_grad"({{.*}}) <{eps = 9.99999974E-6 : f32}> : (tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>)
func.func @tensor_outs(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>, %g: tensor<8x64xf32>,
                       %gain: tensor<64xf32>, %qs: tensor<4x64xf32>, %lse4: tensor<4x8xf32>,
                       %do: tensor<4x8x64xf32>, %lse: tensor<8xf32>)
    -> (tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32>, tensor<4x64xf32>, tensor<8x64xf32>) {
  %e = tensor.empty() : tensor<64xf32>
  // The destinations may be operands (their values are never read).
  %dq, %dv:2 = attnres.depth_attn_grad %q, [%v0, %v1], %g outs(%e, %v0, %v1 : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) {eps = 1.0e-06 : f32}
      : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32> -> tensor<64xf32>, tensor<8x64xf32>
  %dx, %dgain = attnres.rms_norm_grad %v0, %gain, %g outs(%v1, %gain : tensor<8x64xf32>, tensor<64xf32>)
      : tensor<8x64xf32>, tensor<64xf32>
  %dQ, %dvs:2 = attnres.depth_attn_stats_grad %qs, [%v0, %v1], %lse4, %do, %lse4 outs(%qs, %v0, %v1 : tensor<4x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>)
      : tensor<4x64xf32>, tensor<8x64xf32>, tensor<4x8xf32>, tensor<4x8x64xf32> -> tensor<4x64xf32>, tensor<8x64xf32>
  %mo, %ml, %mq, %mu = attnres.depth_attn_merge_grad %v0, %lse, %q, %v1, %g outs(%v0, %lse, %q, %v1 : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>)
      : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>
  return %dq, %dv#1, %dgain, %dQ, %mu : tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32>, tensor<4x64xf32>, tensor<8x64xf32>
}

// Today's generic forms (no has_outs, no destinations) are the value forms.
// CHECK-LABEL: func.func @generic_value_form(
// CHECK:         %{{.*}}, %{{.*}} = attnres.depth_attn_grad %{{.*}}, [%{{.*}}], %{{.*}} : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32> -> tensor<64xf32>, tensor<8x64xf32>
// CHECK:         attnres.rms_norm_grad %{{.*}}, %{{.*}}, %{{.*}} : tensor<8x64xf32>, tensor<64xf32>
// CHECK:         attnres.depth_attn_stats_grad %{{.*}}, [%{{.*}}], %{{.*}}, %{{.*}}, %{{.*}} : tensor<4x64xf32>, tensor<8x64xf32>, tensor<4x8xf32>, tensor<4x8x64xf32> -> tensor<4x64xf32>, tensor<8x64xf32>
// CHECK:         attnres.depth_attn_merge_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>
// GENERIC-LABEL: sym_name = "generic_value_form"
// GENERIC: "attnres.depth_attn_grad"(%{{.*}}, %{{.*}}, %{{.*}}) <{eps = 9.99999974E-6 : f32}> : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> (tensor<64xf32>, tensor<8x64xf32>)
func.func @generic_value_form(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %g: tensor<8x64xf32>, %gain: tensor<64xf32>,
                              %qs: tensor<4x64xf32>, %lse4: tensor<4x8xf32>, %do: tensor<4x8x64xf32>, %lse: tensor<8xf32>)
    -> (tensor<8x64xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) {
  %a:2 = "attnres.depth_attn_grad"(%q, %v0, %g) <{eps = 9.99999974E-6 : f32}> : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> (tensor<64xf32>, tensor<8x64xf32>)
  %b:2 = "attnres.rms_norm_grad"(%v0, %gain, %g) <{eps = 9.99999974E-6 : f32}> : (tensor<8x64xf32>, tensor<64xf32>, tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<64xf32>)
  %c:2 = "attnres.depth_attn_stats_grad"(%qs, %v0, %lse4, %do, %lse4) <{eps = 9.99999974E-6 : f32}> : (tensor<4x64xf32>, tensor<8x64xf32>, tensor<4x8xf32>, tensor<4x8x64xf32>, tensor<4x8xf32>) -> (tensor<4x64xf32>, tensor<8x64xf32>)
  %d:4 = "attnres.depth_attn_merge_grad"(%v0, %lse, %q, %v0, %g) <{eps = 9.99999974E-6 : f32}> : (tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>)
  return %a#1, %b#1, %c#1, %d#3 : tensor<8x64xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>
}

// The memref form: no results, destinations required, any layout; types
// that differ only in layout are printed each.
// CHECK-LABEL: func.func @memref_form(
// CHECK:         attnres.depth_attn_grad %{{.*}}, [%{{.*}}, %{{.*}}], %{{.*}} outs(%{{.*}}, %{{.*}}, %{{.*}} : memref<64xf32>, memref<8x64xf32>, memref<8x64xf32>) : memref<64xf32>, (memref<8x64xf32>, memref<8x64xf32, strided<[?, 1], offset: ?>>), memref<8x64xf32>
// CHECK:         attnres.rms_norm_grad %{{.*}}, %{{.*}}, %{{.*}} outs(%{{.*}}, %{{.*}} : memref<8x64xf32>, memref<64xf32>) : memref<8x64xf32>, memref<64xf32>, memref<8x64xf32, strided<[?, 1], offset: ?>>
// CHECK:         attnres.depth_attn_stats_grad %{{.*}}, [%{{.*}}], %{{.*}}, %{{.*}}, %{{.*}} outs(%{{.*}}, %{{.*}} : memref<4x64xf32>, memref<8x64xf32>) : memref<4x64xf32>, memref<8x64xf32>, memref<4x8xf32>, memref<4x8x64xf32>, memref<4x8xf32, strided<[?, ?], offset: ?>>
// CHECK:         attnres.depth_attn_merge_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} outs(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : memref<8x64xbf16>, memref<8xf32>, memref<64xf32>, memref<8x64xbf16>) : memref<8x64xbf16>, memref<8xf32>, memref<64xf32>
// GENERIC-LABEL: sym_name = "memref_form"
// GENERIC: "attnres.depth_attn_grad"({{.*}}) <{eps = 9.99999974E-6 : f32, has_outs}> : (memref<64xf32>, memref<8x64xf32>, memref<8x64xf32, strided<[?, 1], offset: ?>>, memref<8x64xf32>, memref<64xf32>, memref<8x64xf32>, memref<8x64xf32>) -> ()
func.func @memref_form(%q: memref<64xf32>, %v0: memref<8x64xf32>, %v1: memref<8x64xf32, strided<[?, 1], offset: ?>>,
                       %g: memref<8x64xf32>, %dq: memref<64xf32>, %d0: memref<8x64xf32>, %d1: memref<8x64xf32>,
                       %qs: memref<4x64xf32>, %lse4: memref<4x8xf32>, %do: memref<4x8x64xf32>, %dQ: memref<4x64xf32>,
                       %b: memref<8x64xbf16>, %lse: memref<8xf32>, %bo: memref<8x64xbf16>, %bl: memref<8xf32>, %bu: memref<8x64xbf16>) {
  attnres.depth_attn_grad %q, [%v0, %v1], %g outs(%dq, %d0, %d1 : memref<64xf32>, memref<8x64xf32>, memref<8x64xf32>)
      : memref<64xf32>, (memref<8x64xf32>, memref<8x64xf32, strided<[?, 1], offset: ?>>), memref<8x64xf32>
  attnres.rms_norm_grad %v0, %q, %v1 outs(%d0, %dq : memref<8x64xf32>, memref<64xf32>)
      : memref<8x64xf32>, memref<64xf32>, memref<8x64xf32, strided<[?, 1], offset: ?>>
  %l = memref.subview %do[0, 0, 0] [4, 8, 1] [1, 1, 1] : memref<4x8x64xf32> to memref<4x8xf32, strided<[512, 64]>>
  %lc = memref.cast %l : memref<4x8xf32, strided<[512, 64]>> to memref<4x8xf32, strided<[?, ?], offset: ?>>
  attnres.depth_attn_stats_grad %qs, [%v0], %lse4, %do, %lc outs(%dQ, %d0 : memref<4x64xf32>, memref<8x64xf32>)
      : memref<4x64xf32>, memref<8x64xf32>, memref<4x8xf32>, memref<4x8x64xf32>, memref<4x8xf32, strided<[?, ?], offset: ?>>
  attnres.depth_attn_merge_grad %b, %lse, %q, %b, %b outs(%bo, %bl, %dq, %bu : memref<8x64xbf16>, memref<8xf32>, memref<64xf32>, memref<8x64xbf16>)
      : memref<8x64xbf16>, memref<8xf32>, memref<64xf32>
  return
}
