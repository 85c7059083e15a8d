// Destinations (`outs`) and the memref form of the unfused steps
// (rms_norm, depth_logits, depth_softmax, depth_combine) and
// block_summary: custom form, generic form, bytecode round trips; the
// generic form of an op without destination is the one from before
// destinations existed.
//
// RUN: attnres-opt %s | attnres-opt | FileCheck %s
// RUN: attnres-opt %s --mlir-print-op-generic | attnres-opt | FileCheck %s
// RUN: attnres-opt %s --emit-bytecode | attnres-opt | FileCheck %s
// RUN: attnres-opt %s --verify-roundtrip | FileCheck %s
// RUN: attnres-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// CHECK-LABEL: func.func @tensor_outs(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<8x64xbf16>, %[[G:[^:]+]]: tensor<64xf32>, %[[V0:[^:]+]]: tensor<8x64xf32>, %[[V1:[^:]+]]: tensor<8x64xf32>)
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<8x64xbf16>
// CHECK:         attnres.rms_norm %[[X]], %[[G]] outs(%[[E]] : tensor<8x64xbf16>) {eps = 9.99999997E-7 : f32} : tensor<8x64xbf16>, tensor<64xf32>
// CHECK:         attnres.rms_norm %[[X]], %[[G]] outs(%[[X]] : tensor<8x64xbf16>) : tensor<8x64xbf16>, tensor<64xf32>
// CHECK:         attnres.block_summary [%[[V0]], %[[V1]]] outs(%[[V1]] : tensor<8x64xf32>) : tensor<8x64xf32>
// GENERIC-LABEL: sym_name = "tensor_outs"
// GENERIC: "attnres.rms_norm"(%{{.*}}, %{{.*}}, %{{.*}}) <{eps = 9.99999997E-7 : f32}> : (tensor<8x64xbf16>, tensor<64xf32>, tensor<8x64xbf16>) -> tensor<8x64xbf16>
// GENERIC: "attnres.block_summary"(%{{.*}}, %{{.*}}, %{{.*}}) <{has_outs}> : (tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
func.func @tensor_outs(%x: tensor<8x64xbf16>, %g: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>)
    -> (tensor<8x64xbf16>, tensor<8x64xbf16>, tensor<8x64xf32>) {
  %e = tensor.empty() : tensor<8x64xbf16>
  %k = attnres.rms_norm %x, %g outs(%e : tensor<8x64xbf16>) {eps = 1.0e-06 : f32} : tensor<8x64xbf16>, tensor<64xf32>
  // The destination may be the input.
  %k2 = attnres.rms_norm %x, %g outs(%x : tensor<8x64xbf16>) : tensor<8x64xbf16>, tensor<64xf32>
  %b = attnres.block_summary [%v0, %v1] outs(%v1 : tensor<8x64xf32>) : tensor<8x64xf32>
  return %k, %k2, %b : tensor<8x64xbf16>, tensor<8x64xbf16>, tensor<8x64xf32>
}

// Today's generic forms are the value forms.
// CHECK-LABEL: func.func @generic_value_form(
// CHECK:         attnres.rms_norm %{{.*}}, %{{.*}} : tensor<8x64xf32>, tensor<64xf32>
// CHECK:         attnres.block_summary [%{{.*}}, %{{.*}}] : tensor<8x64xf32>
// GENERIC-LABEL: sym_name = "generic_value_form"
// GENERIC: "attnres.rms_norm"(%{{.*}}, %{{.*}}) <{eps = 9.99999974E-6 : f32}> : (tensor<8x64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
// GENERIC: "attnres.block_summary"(%{{.*}}, %{{.*}}) : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
func.func @generic_value_form(%x: tensor<8x64xf32>, %g: tensor<64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>) {
  %k = "attnres.rms_norm"(%x, %g) <{eps = 9.99999974E-6 : f32}> : (tensor<8x64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  %b = "attnres.block_summary"(%x, %k) : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  return %k, %b : tensor<8x64xf32>, tensor<8x64xf32>
}

// The memref form: no results, destinations required, any layout.
// CHECK-LABEL: func.func @memref_form(
// CHECK:         attnres.rms_norm %{{.*}}, %{{.*}} outs(%{{.*}} : memref<8x64xbf16>) : memref<8x64xbf16, strided<[?, 1], offset: ?>>, memref<64xf32>
// CHECK:         attnres.block_summary [%{{.*}}, %{{.*}}] outs(%{{.*}} : memref<8x64xf32>) : (memref<8x64xf32>, memref<8x64xf32, strided<[?, 1], offset: ?>>)
// CHECK:         attnres.block_summary [%{{.*}}, %{{.*}}] outs(%{{.*}} : memref<8x64xf32>) : memref<8x64xf32>
// GENERIC-LABEL: sym_name = "memref_form"
// GENERIC: "attnres.rms_norm"(%{{.*}}, %{{.*}}, %{{.*}}) <{eps = 9.99999974E-6 : f32}> : (memref<8x64xbf16, strided<[?, 1], offset: ?>>, memref<64xf32>, memref<8x64xbf16>) -> ()
// GENERIC: "attnres.block_summary"(%{{.*}}, %{{.*}}, %{{.*}}) <{has_outs}> : (memref<8x64xf32>, memref<8x64xf32, strided<[?, 1], offset: ?>>, memref<8x64xf32>) -> ()
func.func @memref_form(%x: memref<8x64xbf16, strided<[?, 1], offset: ?>>, %g: memref<64xf32>, %k: memref<8x64xbf16>,
                       %v0: memref<8x64xf32>, %v1: memref<8x64xf32, strided<[?, 1], offset: ?>>, %b: memref<8x64xf32>) {
  attnres.rms_norm %x, %g outs(%k : memref<8x64xbf16>) : memref<8x64xbf16, strided<[?, 1], offset: ?>>, memref<64xf32>
  attnres.block_summary [%v0, %v1] outs(%b : memref<8x64xf32>) : (memref<8x64xf32>, memref<8x64xf32, strided<[?, 1], offset: ?>>)
  attnres.block_summary [%v0, %b] outs(%b : memref<8x64xf32>) : memref<8x64xf32>
  return
}

// The unfused steps with destinations.
// CHECK-LABEL: func.func @steps_tensor_outs(
// CHECK:         %[[SI:.*]] = tensor.empty() : tensor<2x8xf32>
// CHECK:         %[[S:.*]] = attnres.depth_logits %{{.*}}, [%{{.*}}, %{{.*}}] outs(%[[SI]] : tensor<2x8xf32>) : tensor<64xf32>, tensor<8x64xf32> -> tensor<2x8xf32>
// CHECK:         %[[A:.*]] = attnres.depth_softmax %[[S]] outs(%[[S]] : tensor<2x8xf32>) : tensor<2x8xf32>
// CHECK:         attnres.depth_combine %[[A]], [%{{.*}}, %[[V1:.*]]] outs(%[[V1]] : tensor<8x64xf32>) : tensor<2x8xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
// GENERIC-LABEL: sym_name = "steps_tensor_outs"
// GENERIC: "attnres.depth_logits"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{has_outs}> : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
// GENERIC: "attnres.depth_softmax"(%{{.*}}, %{{.*}}) : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
// GENERIC: "attnres.depth_combine"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{has_outs}> : (tensor<2x8xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
func.func @steps_tensor_outs(%w: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %si = tensor.empty() : tensor<2x8xf32>
  %s = attnres.depth_logits %w, [%v0, %v1] outs(%si : tensor<2x8xf32>) : tensor<64xf32>, tensor<8x64xf32> -> tensor<2x8xf32>
  %a = attnres.depth_softmax %s outs(%s : tensor<2x8xf32>) : tensor<2x8xf32>
  %h = attnres.depth_combine %a, [%v0, %v1] outs(%v1 : tensor<8x64xf32>) : tensor<2x8xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// Today's generic forms of the steps are their value forms.
// CHECK-LABEL: func.func @steps_generic_value_form(
// CHECK:         attnres.depth_logits %{{.*}}, [%{{.*}}] : tensor<64xf32>, tensor<8x64xf32> -> tensor<1x8xf32>
// CHECK:         attnres.depth_softmax %{{.*}} : tensor<1x8xf32>
// CHECK:         attnres.depth_combine %{{.*}}, [%{{.*}}] : tensor<1x8xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
func.func @steps_generic_value_form(%w: tensor<64xf32>, %v0: tensor<8x64xf32>, %a: tensor<1x8xf32>) -> (tensor<1x8xf32>, tensor<1x8xf32>, tensor<8x64xf32>) {
  %s = "attnres.depth_logits"(%w, %v0) : (tensor<64xf32>, tensor<8x64xf32>) -> tensor<1x8xf32>
  %b = "attnres.depth_softmax"(%s) : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %h = "attnres.depth_combine"(%a, %v0) : (tensor<1x8xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  return %s, %b, %h : tensor<1x8xf32>, tensor<1x8xf32>, tensor<8x64xf32>
}

// The steps' memref form.
// CHECK-LABEL: func.func @steps_memref_form(
// CHECK:         attnres.depth_logits %{{.*}}, [%{{.*}}, %{{.*}}] outs(%{{.*}} : memref<2x8xf32>) : memref<64xbf16>, (memref<8x64xbf16>, memref<8x64xbf16, strided<[?, 1], offset: ?>>)
// CHECK:         attnres.depth_softmax %{{.*}} outs(%{{.*}} : memref<2x8xf32>) : memref<2x8xf32>
// CHECK:         attnres.depth_combine %{{.*}}, [%{{.*}}, %{{.*}}] outs(%{{.*}} : memref<8x64xbf16>) : memref<2x8xf32>, (memref<8x64xbf16>, memref<8x64xbf16, strided<[?, 1], offset: ?>>)
// GENERIC-LABEL: sym_name = "steps_memref_form"
// GENERIC: "attnres.depth_softmax"(%{{.*}}, %{{.*}}) : (memref<2x8xf32>, memref<2x8xf32>) -> ()
func.func @steps_memref_form(%w: memref<64xbf16>, %v0: memref<8x64xbf16>, %v1: memref<8x64xbf16, strided<[?, 1], offset: ?>>,
                             %s: memref<2x8xf32>, %a: memref<2x8xf32>, %h: memref<8x64xbf16>) {
  attnres.depth_logits %w, [%v0, %v1] outs(%s : memref<2x8xf32>) : memref<64xbf16>, (memref<8x64xbf16>, memref<8x64xbf16, strided<[?, 1], offset: ?>>)
  attnres.depth_softmax %s outs(%a : memref<2x8xf32>) : memref<2x8xf32>
  attnres.depth_combine %a, [%v0, %v1] outs(%h : memref<8x64xbf16>) : memref<2x8xf32>, (memref<8x64xbf16>, memref<8x64xbf16, strided<[?, 1], offset: ?>>)
  return
}
