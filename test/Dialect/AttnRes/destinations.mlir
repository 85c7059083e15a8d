// Destinations (`outs`) and the memref form of depth_attn, depth_attn_stats
// and depth_attn_merge: custom form, generic form, bytecode round trips; the
// generic form of an op without destinations is the one from before
// destinations existed (no `has_outs`, no operandSegmentSizes).
//
// RUN: attnres-opt %s | attnres-opt | FileCheck %s
// RUN: attnres-opt %s --mlir-print-op-generic | attnres-opt | FileCheck %s
// RUN: attnres-opt %s --emit-bytecode | attnres-opt | FileCheck %s
// RUN: attnres-opt %s --verify-roundtrip | FileCheck %s
// RUN: attnres-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// CHECK-LABEL: func.func @tensor_outs(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<64xf32>, %[[V0:[^:]+]]: tensor<8x64xf32>, %[[V1:[^:]+]]: tensor<8x64xf32>, %[[QS:[^:]+]]: tensor<4x64xf32>, %[[LSE:[^:]+]]: tensor<8xf32>)
// CHECK:         %[[I:.*]] = tensor.empty() : tensor<8x64xf32>
// CHECK:         %[[H:.*]] = attnres.depth_attn %[[Q]], [%[[V0]], %[[V1]]] outs(%[[I]] : tensor<8x64xf32>) {eps = 9.99999997E-7 : f32} : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
// CHECK:         %[[H2:.*]] = attnres.depth_attn %[[Q]], [%[[V0]], %[[V1]]] outs(%[[V1]] : tensor<8x64xf32>) : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
// CHECK:         %[[OI:.*]] = tensor.empty() : tensor<4x8x64xf32>
// CHECK:         %[[LI:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK:         %[[O:.*]], %[[L:.*]] = attnres.depth_attn_stats %[[QS]], [%[[V0]], %[[V1]]] outs(%[[OI]], %[[LI]] : tensor<4x8x64xf32>, tensor<4x8xf32>) : tensor<4x64xf32>, tensor<8x64xf32> -> tensor<4x8x64xf32>, tensor<4x8xf32>
// CHECK:         %[[M:.*]] = attnres.depth_attn_merge %[[V0]], %[[LSE]], %[[Q]], %[[V1]] outs(%[[V0]] : tensor<8x64xf32>) : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
// GENERIC-LABEL: sym_name = "tensor_outs"
// GENERIC: "attnres.depth_attn"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{eps = 9.99999997E-7 : f32, has_outs}> : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
// GENERIC: "attnres.depth_attn_stats"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{eps = 9.99999974E-6 : f32, has_outs}> : (tensor<4x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<4x8x64xf32>, tensor<4x8xf32>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>)
// GENERIC: "attnres.depth_attn_merge"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{eps = 9.99999974E-6 : f32}> : (tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
func.func @tensor_outs(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>,
                       %qs: tensor<4x64xf32>, %lse: tensor<8xf32>)
    -> (tensor<8x64xf32>, tensor<8x64xf32>, tensor<4x8x64xf32>, tensor<4x8xf32>, tensor<8x64xf32>) {
  %i = tensor.empty() : tensor<8x64xf32>
  %h = attnres.depth_attn %q, [%v0, %v1] outs(%i : tensor<8x64xf32>) {eps = 1.0e-06 : f32}
      : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  // The destination may be a source.
  %h2 = attnres.depth_attn %q, [%v0, %v1] outs(%v1 : tensor<8x64xf32>)
      : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  %oi = tensor.empty() : tensor<4x8x64xf32>
  %li = tensor.empty() : tensor<4x8xf32>
  %o, %l = attnres.depth_attn_stats %qs, [%v0, %v1] outs(%oi, %li : tensor<4x8x64xf32>, tensor<4x8xf32>)
      : tensor<4x64xf32>, tensor<8x64xf32> -> tensor<4x8x64xf32>, tensor<4x8xf32>
  %m = attnres.depth_attn_merge %v0, %lse, %q, %v1 outs(%v0 : tensor<8x64xf32>)
      : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
  return %h, %h2, %o, %l, %m : tensor<8x64xf32>, tensor<8x64xf32>, tensor<4x8x64xf32>, tensor<4x8xf32>, tensor<8x64xf32>
}

// Today's generic form (no has_outs) is the value form.
// CHECK-LABEL: func.func @generic_value_form(
// CHECK:         attnres.depth_attn %{{.*}}, [%{{.*}}, %{{.*}}] : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
// CHECK:         attnres.depth_attn_stats %{{.*}}, [%{{.*}}] : tensor<4x64xf32>, tensor<8x64xf32> -> tensor<4x8x64xf32>, tensor<4x8xf32>
// CHECK:         attnres.depth_attn_merge %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
func.func @generic_value_form(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>,
                              %qs: tensor<4x64xf32>, %lse: tensor<8xf32>)
    -> (tensor<8x64xf32>, tensor<4x8x64xf32>, tensor<4x8xf32>, tensor<8x64xf32>) {
  %h = "attnres.depth_attn"(%q, %v0, %v1) <{eps = 9.99999974E-6 : f32}> : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  %o:2 = "attnres.depth_attn_stats"(%qs, %v0) : (tensor<4x64xf32>, tensor<8x64xf32>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>)
  %m = "attnres.depth_attn_merge"(%v0, %lse, %q, %v1) <{eps = 9.99999974E-6 : f32}> : (tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  return %h, %o#0, %o#1, %m : tensor<8x64xf32>, tensor<4x8x64xf32>, tensor<4x8xf32>, tensor<8x64xf32>
}

// The memref form: no results, destinations required, any layout.
// CHECK-LABEL: func.func @memref_form(
// CHECK:         attnres.depth_attn %{{.*}}, [%{{.*}}, %{{.*}}] outs(%{{.*}} : memref<8x64xf32>) : memref<64xf32>, memref<8x64xf32, strided<[?, 1], offset: ?>>
// CHECK:         attnres.depth_attn_stats %{{.*}}, [%{{.*}}, %{{.*}}] outs(%{{.*}}, %{{.*}} : memref<4x8x64xf32>, memref<4x8xf32>) : memref<4x64xf32>, memref<8x64xf32, strided<[?, 1], offset: ?>>
// CHECK:         attnres.depth_attn_merge %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} outs(%{{.*}} : memref<8x64xbf16>) : memref<8x64xbf16>, memref<8xf32>, memref<64xf32>, memref<8x64xbf16>
// Sources whose layouts differ print a type each.
// CHECK:         attnres.depth_attn %{{.*}}, [%{{.*}}, %{{.*}}] outs(%{{.*}} : memref<8x64xf32, strided<[?, 1], offset: ?>>) : memref<64xf32>, (memref<8x64xf32>, memref<8x64xf32, strided<[?, 1], offset: ?>>)
// GENERIC-LABEL: sym_name = "memref_form"
// GENERIC: "attnres.depth_attn"({{.*}}) <{eps = 9.99999974E-6 : f32, has_outs}> : (memref<64xf32>, memref<8x64xf32, strided<[?, 1], offset: ?>>, memref<8x64xf32, strided<[?, 1], offset: ?>>, memref<8x64xf32>) -> ()
func.func @memref_form(%q: memref<64xf32>, %v0: memref<8x64xf32, strided<[?, 1], offset: ?>>,
                       %v1: memref<8x64xf32, strided<[?, 1], offset: ?>>, %out: memref<8x64xf32>,
                       %qs: memref<4x64xf32>, %o: memref<4x8x64xf32>, %l: memref<4x8xf32>,
                       %b: memref<8x64xbf16>, %lse: memref<8xf32>, %bout: memref<8x64xbf16>) {
  attnres.depth_attn %q, [%v0, %v1] outs(%out : memref<8x64xf32>)
      : memref<64xf32>, memref<8x64xf32, strided<[?, 1], offset: ?>>
  attnres.depth_attn_stats %qs, [%v0, %v1] outs(%o, %l : memref<4x8x64xf32>, memref<4x8xf32>)
      : memref<4x64xf32>, memref<8x64xf32, strided<[?, 1], offset: ?>>
  attnres.depth_attn_merge %b, %lse, %q, %b outs(%bout : memref<8x64xbf16>)
      : memref<8x64xbf16>, memref<8xf32>, memref<64xf32>, memref<8x64xbf16>
  attnres.depth_attn %q, [%out, %v0] outs(%v1 : memref<8x64xf32, strided<[?, 1], offset: ?>>)
      : memref<64xf32>, (memref<8x64xf32>, memref<8x64xf32, strided<[?, 1], offset: ?>>)
  return
}
