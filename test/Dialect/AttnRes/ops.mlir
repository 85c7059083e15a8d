// Round trip of every attnres op: custom form, generic form, bytecode, and the
// built-in printer/parser cross-check of --verify-roundtrip.
//
// RUN: attnres-opt %s | attnres-opt | FileCheck %s
// RUN: attnres-opt %s --mlir-print-op-generic | attnres-opt | FileCheck %s
// RUN: attnres-opt %s --emit-bytecode | attnres-opt | FileCheck %s
// RUN: attnres-opt %s --verify-roundtrip | FileCheck %s
// RUN: attnres-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

//===----------------------------------------------------------------------===//
// depth_attn
//===----------------------------------------------------------------------===//

// Default eps is elided; the generic form always carries it as a property.
// CHECK-LABEL: func.func @depth_attn_f32(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<64xf32>, %[[V0:[^:]+]]: tensor<8x64xf32>, %[[V1:[^:]+]]: tensor<8x64xf32>)
// CHECK:         %[[H:.*]] = attnres.depth_attn %[[Q]], [%[[V0]], %[[V1]]] : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
// CHECK:         return %[[H]]
// GENERIC-LABEL: sym_name = "depth_attn_f32"}>
// GENERIC:         "attnres.depth_attn"(%{{[^,]+}}, %{{[^,]+}}, %{{[^)]+}}) <{eps = 9.99999974E-6 : f32}> : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
func.func @depth_attn_f32(%q: tensor<64xf32>, %v0: tensor<8x64xf32>,
                          %v1: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// An explicit eps equal to the default is elided as well.
// CHECK-LABEL: func.func @depth_attn_explicit_default_eps(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<64xf32>, %[[V0:[^:]+]]: tensor<8x64xf32>)
// CHECK:         attnres.depth_attn %[[Q]], [%[[V0]]] : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
func.func @depth_attn_explicit_default_eps(%q: tensor<64xf32>, %v0: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %h = attnres.depth_attn %q, [%v0] {eps = 1.0e-05 : f32} : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// A non-default eps is kept.
// CHECK-LABEL: func.func @depth_attn_eps(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<64xf32>, %[[V0:[^:]+]]: tensor<8x64xf32>, %[[V1:[^:]+]]: tensor<8x64xf32>, %[[V2:[^:]+]]: tensor<8x64xf32>)
// CHECK:         attnres.depth_attn %[[Q]], [%[[V0]], %[[V1]], %[[V2]]] {eps = 1.000000e-03 : f32} : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
// GENERIC-LABEL: sym_name = "depth_attn_eps"}>
// GENERIC:         "attnres.depth_attn"({{.*}}) <{eps = 1.000000e-03 : f32}>
func.func @depth_attn_eps(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>,
                          %v2: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1, %v2] {eps = 1.0e-03 : f32} : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// eps = 0 is allowed.
// CHECK-LABEL: func.func @depth_attn_eps_zero(
// CHECK:         attnres.depth_attn %{{.*}} {eps = 0.000000e+00 : f32}
func.func @depth_attn_eps_zero(%q: tensor<64xf32>, %v0: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %h = attnres.depth_attn %q, [%v0] {eps = 0.0 : f32} : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// eps = -0.0 is >= 0 and allowed.
// CHECK-LABEL: func.func @depth_attn_eps_negative_zero(
// CHECK:         attnres.depth_attn %{{.*}} {eps = -0.000000e+00 : f32}
func.func @depth_attn_eps_negative_zero(%q: tensor<64xf32>, %v0: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %h = attnres.depth_attn %q, [%v0] {eps = -0.0 : f32} : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// CHECK-LABEL: func.func @depth_attn_f16(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<64xf16>, %[[V0:[^:]+]]: tensor<8x64xf16>, %[[V1:[^:]+]]: tensor<8x64xf16>)
// CHECK:         attnres.depth_attn %[[Q]], [%[[V0]], %[[V1]]] : tensor<64xf16>, tensor<8x64xf16> -> tensor<8x64xf16>
func.func @depth_attn_f16(%q: tensor<64xf16>, %v0: tensor<8x64xf16>, %v1: tensor<8x64xf16>) -> tensor<8x64xf16> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf16>, tensor<8x64xf16> -> tensor<8x64xf16>
  return %h : tensor<8x64xf16>
}

// CHECK-LABEL: func.func @depth_attn_bf16(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<64xbf16>, %[[V0:[^:]+]]: tensor<8x64xbf16>, %[[V1:[^:]+]]: tensor<8x64xbf16>)
// CHECK:         attnres.depth_attn %[[Q]], [%[[V0]], %[[V1]]] : tensor<64xbf16>, tensor<8x64xbf16> -> tensor<8x64xbf16>
func.func @depth_attn_bf16(%q: tensor<64xbf16>, %v0: tensor<8x64xbf16>, %v1: tensor<8x64xbf16>) -> tensor<8x64xbf16> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xbf16>, tensor<8x64xbf16> -> tensor<8x64xbf16>
  return %h : tensor<8x64xbf16>
}

// An f32 query with bf16 sources.
// CHECK-LABEL: func.func @depth_attn_f32_query_bf16_sources(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<64xf32>, %[[V0:[^:]+]]: tensor<8x64xbf16>, %[[V1:[^:]+]]: tensor<8x64xbf16>)
// CHECK:         attnres.depth_attn %[[Q]], [%[[V0]], %[[V1]]] : tensor<64xf32>, tensor<8x64xbf16> -> tensor<8x64xbf16>
func.func @depth_attn_f32_query_bf16_sources(%q: tensor<64xf32>, %v0: tensor<8x64xbf16>,
                                             %v1: tensor<8x64xbf16>) -> tensor<8x64xbf16> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf32>, tensor<8x64xbf16> -> tensor<8x64xbf16>
  return %h : tensor<8x64xbf16>
}

// Dynamic token dims.
// CHECK-LABEL: func.func @depth_attn_dynamic_tokens(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<64xf32>, %[[V0:[^:]+]]: tensor<?x?x64xf32>, %[[V1:[^:]+]]: tensor<?x?x64xf32>)
// CHECK:         attnres.depth_attn %[[Q]], [%[[V0]], %[[V1]]] : tensor<64xf32>, tensor<?x?x64xf32> -> tensor<?x?x64xf32>
func.func @depth_attn_dynamic_tokens(%q: tensor<64xf32>, %v0: tensor<?x?x64xf32>,
                                     %v1: tensor<?x?x64xf32>) -> tensor<?x?x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf32>, tensor<?x?x64xf32> -> tensor<?x?x64xf32>
  return %h : tensor<?x?x64xf32>
}

// A dynamic hidden size and query length are valid IR (the lowering rejects
// them, not the verifier).
// CHECK-LABEL: func.func @depth_attn_dynamic_hidden(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<?xf32>, %[[V0:[^:]+]]: tensor<8x?xf32>)
// CHECK:         attnres.depth_attn %[[Q]], [%[[V0]]] : tensor<?xf32>, tensor<8x?xf32> -> tensor<8x?xf32>
func.func @depth_attn_dynamic_hidden(%q: tensor<?xf32>, %v0: tensor<8x?xf32>) -> tensor<8x?xf32> {
  %h = attnres.depth_attn %q, [%v0] : tensor<?xf32>, tensor<8x?xf32> -> tensor<8x?xf32>
  return %h : tensor<8x?xf32>
}

// Rank-1 sources: no token dims.
// CHECK-LABEL: func.func @depth_attn_rank1(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<64xf32>, %[[V0:[^:]+]]: tensor<64xf32>, %[[V1:[^:]+]]: tensor<64xf32>)
// CHECK:         attnres.depth_attn %[[Q]], [%[[V0]], %[[V1]]] : tensor<64xf32>, tensor<64xf32> -> tensor<64xf32>
func.func @depth_attn_rank1(%q: tensor<64xf32>, %v0: tensor<64xf32>, %v1: tensor<64xf32>) -> tensor<64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf32>, tensor<64xf32> -> tensor<64xf32>
  return %h : tensor<64xf32>
}

// Rank-3 sources (batch x sequence x hidden).
// CHECK-LABEL: func.func @depth_attn_rank3(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<64xbf16>, %[[V0:[^:]+]]: tensor<2x8x64xbf16>, %[[V1:[^:]+]]: tensor<2x8x64xbf16>)
// CHECK:         attnres.depth_attn %[[Q]], [%[[V0]], %[[V1]]] {eps = 9.99999997E-7 : f32} : tensor<64xbf16>, tensor<2x8x64xbf16> -> tensor<2x8x64xbf16>
func.func @depth_attn_rank3(%q: tensor<64xbf16>, %v0: tensor<2x8x64xbf16>,
                            %v1: tensor<2x8x64xbf16>) -> tensor<2x8x64xbf16> {
  %h = attnres.depth_attn %q, [%v0, %v1] {eps = 1.0e-06 : f32} : tensor<64xbf16>, tensor<2x8x64xbf16> -> tensor<2x8x64xbf16>
  return %h : tensor<2x8x64xbf16>
}

//===----------------------------------------------------------------------===//
// rms_norm
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @rms_norm_f32(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<8x64xf32>, %[[G:[^:]+]]: tensor<64xf32>)
// CHECK:         %[[Y:.*]] = attnres.rms_norm %[[X]], %[[G]] : tensor<8x64xf32>, tensor<64xf32>
// CHECK:         return %[[Y]]
// GENERIC-LABEL: sym_name = "rms_norm_f32"}>
// GENERIC:         "attnres.rms_norm"(%{{[^,]+}}, %{{[^)]+}}) <{eps = 9.99999974E-6 : f32}> : (tensor<8x64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
func.func @rms_norm_f32(%x: tensor<8x64xf32>, %g: tensor<64xf32>) -> tensor<8x64xf32> {
  %y = attnres.rms_norm %x, %g : tensor<8x64xf32>, tensor<64xf32>
  return %y : tensor<8x64xf32>
}

// CHECK-LABEL: func.func @rms_norm_bf16_f32_gain_eps(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<8x64xbf16>, %[[G:[^:]+]]: tensor<64xf32>)
// CHECK:         attnres.rms_norm %[[X]], %[[G]] {eps = 1.000000e-03 : f32} : tensor<8x64xbf16>, tensor<64xf32>
func.func @rms_norm_bf16_f32_gain_eps(%x: tensor<8x64xbf16>, %g: tensor<64xf32>) -> tensor<8x64xbf16> {
  %y = attnres.rms_norm %x, %g {eps = 1.0e-03 : f32} : tensor<8x64xbf16>, tensor<64xf32>
  return %y : tensor<8x64xbf16>
}

// CHECK-LABEL: func.func @rms_norm_f16_rank1(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<64xf16>, %[[G:[^:]+]]: tensor<64xf16>)
// CHECK:         attnres.rms_norm %[[X]], %[[G]] : tensor<64xf16>, tensor<64xf16>
func.func @rms_norm_f16_rank1(%x: tensor<64xf16>, %g: tensor<64xf16>) -> tensor<64xf16> {
  %y = attnres.rms_norm %x, %g : tensor<64xf16>, tensor<64xf16>
  return %y : tensor<64xf16>
}

// CHECK-LABEL: func.func @rms_norm_dynamic_rank3(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<?x?x64xf32>, %[[G:[^:]+]]: tensor<64xf32>)
// CHECK:         attnres.rms_norm %[[X]], %[[G]] : tensor<?x?x64xf32>, tensor<64xf32>
func.func @rms_norm_dynamic_rank3(%x: tensor<?x?x64xf32>, %g: tensor<64xf32>) -> tensor<?x?x64xf32> {
  %y = attnres.rms_norm %x, %g : tensor<?x?x64xf32>, tensor<64xf32>
  return %y : tensor<?x?x64xf32>
}

//===----------------------------------------------------------------------===//
// depth_logits
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @depth_logits_f32(
// CHECK-SAME:    %[[W:[^:]+]]: tensor<64xf32>, %[[K0:[^:]+]]: tensor<8x64xf32>, %[[K1:[^:]+]]: tensor<8x64xf32>, %[[K2:[^:]+]]: tensor<8x64xf32>)
// CHECK:         %[[S:.*]] = attnres.depth_logits %[[W]], [%[[K0]], %[[K1]], %[[K2]]] : tensor<64xf32>, tensor<8x64xf32> -> tensor<3x8xf32>
// CHECK:         return %[[S]]
// GENERIC-LABEL: sym_name = "depth_logits_f32"}>
// GENERIC:         "attnres.depth_logits"(%{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}}, %{{[^)]+}}) : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<3x8xf32>
func.func @depth_logits_f32(%w: tensor<64xf32>, %k0: tensor<8x64xf32>, %k1: tensor<8x64xf32>,
                            %k2: tensor<8x64xf32>) -> tensor<3x8xf32> {
  %s = attnres.depth_logits %w, [%k0, %k1, %k2] : tensor<64xf32>, tensor<8x64xf32> -> tensor<3x8xf32>
  return %s : tensor<3x8xf32>
}

// CHECK-LABEL: func.func @depth_logits_f32_query_bf16_keys(
// CHECK-SAME:    %[[W:[^:]+]]: tensor<64xf32>, %[[K0:[^:]+]]: tensor<8x64xbf16>)
// CHECK:         attnres.depth_logits %[[W]], [%[[K0]]] : tensor<64xf32>, tensor<8x64xbf16> -> tensor<1x8xf32>
func.func @depth_logits_f32_query_bf16_keys(%w: tensor<64xf32>, %k0: tensor<8x64xbf16>) -> tensor<1x8xf32> {
  %s = attnres.depth_logits %w, [%k0] : tensor<64xf32>, tensor<8x64xbf16> -> tensor<1x8xf32>
  return %s : tensor<1x8xf32>
}

// CHECK-LABEL: func.func @depth_logits_f16_rank1(
// CHECK-SAME:    %[[W:[^:]+]]: tensor<64xf16>, %[[K0:[^:]+]]: tensor<64xf16>, %[[K1:[^:]+]]: tensor<64xf16>)
// CHECK:         attnres.depth_logits %[[W]], [%[[K0]], %[[K1]]] : tensor<64xf16>, tensor<64xf16> -> tensor<2xf32>
func.func @depth_logits_f16_rank1(%w: tensor<64xf16>, %k0: tensor<64xf16>, %k1: tensor<64xf16>) -> tensor<2xf32> {
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<64xf16>, tensor<64xf16> -> tensor<2xf32>
  return %s : tensor<2xf32>
}

// CHECK-LABEL: func.func @depth_logits_dynamic_rank3(
// CHECK-SAME:    %[[W:[^:]+]]: tensor<64xf32>, %[[K0:[^:]+]]: tensor<?x8x64xf32>, %[[K1:[^:]+]]: tensor<?x8x64xf32>)
// CHECK:         attnres.depth_logits %[[W]], [%[[K0]], %[[K1]]] : tensor<64xf32>, tensor<?x8x64xf32> -> tensor<2x?x8xf32>
func.func @depth_logits_dynamic_rank3(%w: tensor<64xf32>, %k0: tensor<?x8x64xf32>,
                                      %k1: tensor<?x8x64xf32>) -> tensor<2x?x8xf32> {
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<64xf32>, tensor<?x8x64xf32> -> tensor<2x?x8xf32>
  return %s : tensor<2x?x8xf32>
}

//===----------------------------------------------------------------------===//
// depth_softmax
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @depth_softmax(
// CHECK-SAME:    %[[S:[^:]+]]: tensor<3x8xf32>, %[[S1:[^:]+]]: tensor<3xf32>, %[[SD:[^:]+]]: tensor<?x?xf32>, %[[S3:[^:]+]]: tensor<3x2x8xf32>)
// CHECK:         %[[A:.*]] = attnres.depth_softmax %[[S]] : tensor<3x8xf32>
// CHECK:         %[[A1:.*]] = attnres.depth_softmax %[[S1]] : tensor<3xf32>
// CHECK:         %[[AD:.*]] = attnres.depth_softmax %[[SD]] : tensor<?x?xf32>
// CHECK:         %[[A3:.*]] = attnres.depth_softmax %[[S3]] : tensor<3x2x8xf32>
// CHECK:         return %[[A]], %[[A1]], %[[AD]], %[[A3]]
// GENERIC-LABEL: sym_name = "depth_softmax"}>
// GENERIC:         "attnres.depth_softmax"(%{{[^)]+}}) : (tensor<3x8xf32>) -> tensor<3x8xf32>
func.func @depth_softmax(%s: tensor<3x8xf32>, %s1: tensor<3xf32>, %sd: tensor<?x?xf32>,
                         %s3: tensor<3x2x8xf32>)
    -> (tensor<3x8xf32>, tensor<3xf32>, tensor<?x?xf32>, tensor<3x2x8xf32>) {
  %a = attnres.depth_softmax %s : tensor<3x8xf32>
  %a1 = attnres.depth_softmax %s1 : tensor<3xf32>
  %ad = attnres.depth_softmax %sd : tensor<?x?xf32>
  %a3 = attnres.depth_softmax %s3 : tensor<3x2x8xf32>
  return %a, %a1, %ad, %a3 : tensor<3x8xf32>, tensor<3xf32>, tensor<?x?xf32>, tensor<3x2x8xf32>
}

//===----------------------------------------------------------------------===//
// depth_combine
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @depth_combine_f32(
// CHECK-SAME:    %[[A:[^:]+]]: tensor<3x8xf32>, %[[V0:[^:]+]]: tensor<8x64xf32>, %[[V1:[^:]+]]: tensor<8x64xf32>, %[[V2:[^:]+]]: tensor<8x64xf32>)
// CHECK:         %[[H:.*]] = attnres.depth_combine %[[A]], [%[[V0]], %[[V1]], %[[V2]]] : tensor<3x8xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
// CHECK:         return %[[H]]
// GENERIC-LABEL: sym_name = "depth_combine_f32"}>
// GENERIC:         "attnres.depth_combine"(%{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}}, %{{[^)]+}}) : (tensor<3x8xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
func.func @depth_combine_f32(%a: tensor<3x8xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>,
                             %v2: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %h = attnres.depth_combine %a, [%v0, %v1, %v2] : tensor<3x8xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// CHECK-LABEL: func.func @depth_combine_bf16_rank1(
// CHECK-SAME:    %[[A:[^:]+]]: tensor<2xf32>, %[[V0:[^:]+]]: tensor<64xbf16>, %[[V1:[^:]+]]: tensor<64xbf16>)
// CHECK:         attnres.depth_combine %[[A]], [%[[V0]], %[[V1]]] : tensor<2xf32>, tensor<64xbf16> -> tensor<64xbf16>
func.func @depth_combine_bf16_rank1(%a: tensor<2xf32>, %v0: tensor<64xbf16>, %v1: tensor<64xbf16>) -> tensor<64xbf16> {
  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<2xf32>, tensor<64xbf16> -> tensor<64xbf16>
  return %h : tensor<64xbf16>
}

// CHECK-LABEL: func.func @depth_combine_f16_dynamic_rank3(
// CHECK-SAME:    %[[A:[^:]+]]: tensor<2x?x8xf32>, %[[V0:[^:]+]]: tensor<?x8x64xf16>, %[[V1:[^:]+]]: tensor<?x8x64xf16>)
// CHECK:         attnres.depth_combine %[[A]], [%[[V0]], %[[V1]]] : tensor<2x?x8xf32>, tensor<?x8x64xf16> -> tensor<?x8x64xf16>
func.func @depth_combine_f16_dynamic_rank3(%a: tensor<2x?x8xf32>, %v0: tensor<?x8x64xf16>,
                                           %v1: tensor<?x8x64xf16>) -> tensor<?x8x64xf16> {
  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<2x?x8xf32>, tensor<?x8x64xf16> -> tensor<?x8x64xf16>
  return %h : tensor<?x8x64xf16>
}

//===----------------------------------------------------------------------===//
// block_summary
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @block_summary_f32(
// CHECK-SAME:    %[[O0:[^:]+]]: tensor<8x64xf32>, %[[O1:[^:]+]]: tensor<8x64xf32>, %[[O2:[^:]+]]: tensor<8x64xf32>, %[[O3:[^:]+]]: tensor<8x64xf32>)
// CHECK:         %[[B:.*]] = attnres.block_summary [%[[O0]], %[[O1]], %[[O2]], %[[O3]]] : tensor<8x64xf32>
// CHECK:         return %[[B]]
// GENERIC-LABEL: sym_name = "block_summary_f32"}>
// GENERIC:         "attnres.block_summary"(%{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}}, %{{[^)]+}}) : (tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
func.func @block_summary_f32(%o0: tensor<8x64xf32>, %o1: tensor<8x64xf32>, %o2: tensor<8x64xf32>,
                             %o3: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %b = attnres.block_summary [%o0, %o1, %o2, %o3] : tensor<8x64xf32>
  return %b : tensor<8x64xf32>
}

// CHECK-LABEL: func.func @block_summary_single_bf16(
// CHECK-SAME:    %[[O0:[^:]+]]: tensor<8x64xbf16>)
// CHECK:         attnres.block_summary [%[[O0]]] : tensor<8x64xbf16>
func.func @block_summary_single_bf16(%o0: tensor<8x64xbf16>) -> tensor<8x64xbf16> {
  %b = attnres.block_summary [%o0] : tensor<8x64xbf16>
  return %b : tensor<8x64xbf16>
}

// CHECK-LABEL: func.func @block_summary_f16_dynamic(
// CHECK-SAME:    %[[O0:[^:]+]]: tensor<?x?x64xf16>, %[[O1:[^:]+]]: tensor<?x?x64xf16>)
// CHECK:         attnres.block_summary [%[[O0]], %[[O1]]] : tensor<?x?x64xf16>
func.func @block_summary_f16_dynamic(%o0: tensor<?x?x64xf16>, %o1: tensor<?x?x64xf16>) -> tensor<?x?x64xf16> {
  %b = attnres.block_summary [%o0, %o1] : tensor<?x?x64xf16>
  return %b : tensor<?x?x64xf16>
}

// CHECK-LABEL: func.func @block_summary_rank1(
// CHECK-SAME:    %[[O0:[^:]+]]: tensor<64xf32>, %[[O1:[^:]+]]: tensor<64xf32>)
// CHECK:         attnres.block_summary [%[[O0]], %[[O1]]] : tensor<64xf32>
func.func @block_summary_rank1(%o0: tensor<64xf32>, %o1: tensor<64xf32>) -> tensor<64xf32> {
  %b = attnres.block_summary [%o0, %o1] : tensor<64xf32>
  return %b : tensor<64xf32>
}

//===----------------------------------------------------------------------===//
// depth_attn_stats
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @depth_attn_stats_f32(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<4x64xf32>, %[[B0:[^:]+]]: tensor<8x64xf32>, %[[B1:[^:]+]]: tensor<8x64xf32>, %[[B2:[^:]+]]: tensor<8x64xf32>)
// CHECK:         %[[O:.*]], %[[LSE:.*]] = attnres.depth_attn_stats %[[Q]], [%[[B0]], %[[B1]], %[[B2]]] : tensor<4x64xf32>, tensor<8x64xf32> -> tensor<4x8x64xf32>, tensor<4x8xf32>
// CHECK:         return %[[O]], %[[LSE]]
// GENERIC-LABEL: sym_name = "depth_attn_stats_f32"}>
// GENERIC:         "attnres.depth_attn_stats"(%{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}}, %{{[^)]+}}) <{eps = 9.99999974E-6 : f32}> : (tensor<4x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>)
func.func @depth_attn_stats_f32(%q: tensor<4x64xf32>, %b0: tensor<8x64xf32>, %b1: tensor<8x64xf32>,
                                %b2: tensor<8x64xf32>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>) {
  %o, %lse = attnres.depth_attn_stats %q, [%b0, %b1, %b2] : tensor<4x64xf32>, tensor<8x64xf32> -> tensor<4x8x64xf32>, tensor<4x8xf32>
  return %o, %lse : tensor<4x8x64xf32>, tensor<4x8xf32>
}

// CHECK-LABEL: func.func @depth_attn_stats_f32_queries_bf16_sources_eps(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<4x64xf32>, %[[B0:[^:]+]]: tensor<8x64xbf16>, %[[B1:[^:]+]]: tensor<8x64xbf16>)
// CHECK:         attnres.depth_attn_stats %[[Q]], [%[[B0]], %[[B1]]] {eps = 1.000000e-03 : f32} : tensor<4x64xf32>, tensor<8x64xbf16> -> tensor<4x8x64xbf16>, tensor<4x8xf32>
func.func @depth_attn_stats_f32_queries_bf16_sources_eps(%q: tensor<4x64xf32>, %b0: tensor<8x64xbf16>,
                                                         %b1: tensor<8x64xbf16>)
    -> (tensor<4x8x64xbf16>, tensor<4x8xf32>) {
  %o, %lse = attnres.depth_attn_stats %q, [%b0, %b1] {eps = 1.0e-03 : f32} : tensor<4x64xf32>, tensor<8x64xbf16> -> tensor<4x8x64xbf16>, tensor<4x8xf32>
  return %o, %lse : tensor<4x8x64xbf16>, tensor<4x8xf32>
}

// CHECK-LABEL: func.func @depth_attn_stats_f16_dynamic(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<?x64xf16>, %[[B0:[^:]+]]: tensor<?x?x64xf16>)
// CHECK:         attnres.depth_attn_stats %[[Q]], [%[[B0]]] : tensor<?x64xf16>, tensor<?x?x64xf16> -> tensor<?x?x?x64xf16>, tensor<?x?x?xf32>
func.func @depth_attn_stats_f16_dynamic(%q: tensor<?x64xf16>, %b0: tensor<?x?x64xf16>)
    -> (tensor<?x?x?x64xf16>, tensor<?x?x?xf32>) {
  %o, %lse = attnres.depth_attn_stats %q, [%b0] : tensor<?x64xf16>, tensor<?x?x64xf16> -> tensor<?x?x?x64xf16>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x64xf16>, tensor<?x?x?xf32>
}

// Rank-1 sources: the output is [S, D] and the LSE is [S].
// CHECK-LABEL: func.func @depth_attn_stats_rank1(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<4x64xf32>, %[[B0:[^:]+]]: tensor<64xf32>, %[[B1:[^:]+]]: tensor<64xf32>)
// CHECK:         attnres.depth_attn_stats %[[Q]], [%[[B0]], %[[B1]]] : tensor<4x64xf32>, tensor<64xf32> -> tensor<4x64xf32>, tensor<4xf32>
func.func @depth_attn_stats_rank1(%q: tensor<4x64xf32>, %b0: tensor<64xf32>, %b1: tensor<64xf32>)
    -> (tensor<4x64xf32>, tensor<4xf32>) {
  %o, %lse = attnres.depth_attn_stats %q, [%b0, %b1] : tensor<4x64xf32>, tensor<64xf32> -> tensor<4x64xf32>, tensor<4xf32>
  return %o, %lse : tensor<4x64xf32>, tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// depth_attn_merge
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @depth_attn_merge_f32(
// CHECK-SAME:    %[[O:[^:]+]]: tensor<8x64xf32>, %[[LSE:[^:]+]]: tensor<8xf32>, %[[Q:[^:]+]]: tensor<64xf32>, %[[U:[^:]+]]: tensor<8x64xf32>)
// CHECK:         %[[H:.*]] = attnres.depth_attn_merge %[[O]], %[[LSE]], %[[Q]], %[[U]] : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
// CHECK:         return %[[H]]
// GENERIC-LABEL: sym_name = "depth_attn_merge_f32"}>
// GENERIC:         "attnres.depth_attn_merge"(%{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}}, %{{[^)]+}}) <{eps = 9.99999974E-6 : f32}> : (tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
func.func @depth_attn_merge_f32(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>,
                                %u: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// CHECK-LABEL: func.func @depth_attn_merge_bf16_f32_query_eps(
// CHECK-SAME:    %[[O:[^:]+]]: tensor<8x64xbf16>, %[[LSE:[^:]+]]: tensor<8xf32>, %[[Q:[^:]+]]: tensor<64xf32>, %[[U:[^:]+]]: tensor<8x64xbf16>)
// CHECK:         attnres.depth_attn_merge %[[O]], %[[LSE]], %[[Q]], %[[U]] {eps = 1.000000e-03 : f32} : tensor<8x64xbf16>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xbf16>
func.func @depth_attn_merge_bf16_f32_query_eps(%o: tensor<8x64xbf16>, %lse: tensor<8xf32>, %q: tensor<64xf32>,
                                               %u: tensor<8x64xbf16>) -> tensor<8x64xbf16> {
  %h = attnres.depth_attn_merge %o, %lse, %q, %u {eps = 1.0e-03 : f32} : tensor<8x64xbf16>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xbf16>
  return %h : tensor<8x64xbf16>
}

// CHECK-LABEL: func.func @depth_attn_merge_f16_dynamic_rank3(
// CHECK-SAME:    %[[O:[^:]+]]: tensor<?x?x64xf16>, %[[LSE:[^:]+]]: tensor<?x?xf32>, %[[Q:[^:]+]]: tensor<64xf16>, %[[U:[^:]+]]: tensor<?x?x64xf16>)
// CHECK:         attnres.depth_attn_merge %[[O]], %[[LSE]], %[[Q]], %[[U]] : tensor<?x?x64xf16>, tensor<?x?xf32>, tensor<64xf16>, tensor<?x?x64xf16>
func.func @depth_attn_merge_f16_dynamic_rank3(%o: tensor<?x?x64xf16>, %lse: tensor<?x?xf32>, %q: tensor<64xf16>,
                                              %u: tensor<?x?x64xf16>) -> tensor<?x?x64xf16> {
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<?x?x64xf16>, tensor<?x?xf32>, tensor<64xf16>, tensor<?x?x64xf16>
  return %h : tensor<?x?x64xf16>
}

// Rank-1 source: the LSE is a 0-d tensor.
// CHECK-LABEL: func.func @depth_attn_merge_rank1(
// CHECK-SAME:    %[[O:[^:]+]]: tensor<64xf32>, %[[LSE:[^:]+]]: tensor<f32>, %[[Q:[^:]+]]: tensor<64xf32>, %[[U:[^:]+]]: tensor<64xf32>)
// CHECK:         attnres.depth_attn_merge %[[O]], %[[LSE]], %[[Q]], %[[U]] : tensor<64xf32>, tensor<f32>, tensor<64xf32>, tensor<64xf32>
func.func @depth_attn_merge_rank1(%o: tensor<64xf32>, %lse: tensor<f32>, %q: tensor<64xf32>,
                                  %u: tensor<64xf32>) -> tensor<64xf32> {
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<64xf32>, tensor<f32>, tensor<64xf32>, tensor<64xf32>
  return %h : tensor<64xf32>
}

//===----------------------------------------------------------------------===//
// The generic form is the contract: every op parses from it.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @generic_form(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<64xf32>, %[[V0:[^:]+]]: tensor<8x64xf32>, %[[V1:[^:]+]]: tensor<8x64xf32>, %[[QS:[^:]+]]: tensor<4x64xf32>, %[[LSE:[^:]+]]: tensor<8xf32>)
// CHECK:         %[[H:.*]] = attnres.depth_attn %[[Q]], [%[[V0]], %[[V1]]] : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
// CHECK:         %[[H2:.*]] = attnres.depth_attn %[[Q]], [%[[V0]], %[[V1]]] {eps = 1.000000e-03 : f32} : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
// CHECK:         %[[H3:.*]] = attnres.depth_attn %[[Q]], [%[[V0]]] : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
// CHECK:         %[[K:.*]] = attnres.rms_norm %[[V0]], %[[Q]] : tensor<8x64xf32>, tensor<64xf32>
// CHECK:         %[[S:.*]] = attnres.depth_logits %[[Q]], [%[[K]], %[[V1]]] : tensor<64xf32>, tensor<8x64xf32> -> tensor<2x8xf32>
// CHECK:         %[[A:.*]] = attnres.depth_softmax %[[S]] : tensor<2x8xf32>
// CHECK:         %[[C:.*]] = attnres.depth_combine %[[A]], [%[[V0]], %[[V1]]] : tensor<2x8xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
// CHECK:         %[[B:.*]] = attnres.block_summary [%[[V0]], %[[V1]]] : tensor<8x64xf32>
// CHECK:         %[[O:.*]], %[[L:.*]] = attnres.depth_attn_stats %[[QS]], [%[[V0]], %[[V1]]] : tensor<4x64xf32>, tensor<8x64xf32> -> tensor<4x8x64xf32>, tensor<4x8xf32>
// CHECK:         %[[M:.*]] = attnres.depth_attn_merge %[[V0]], %[[LSE]], %[[Q]], %[[V1]] : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
// CHECK:         return %[[H]], %[[H2]], %[[H3]], %[[C]], %[[B]], %[[O]], %[[L]], %[[M]]
func.func @generic_form(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>,
                        %qs: tensor<4x64xf32>, %lse: tensor<8xf32>)
    -> (tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>,
        tensor<4x8x64xf32>, tensor<4x8xf32>, tensor<8x64xf32>) {
  %h = "attnres.depth_attn"(%q, %v0, %v1) <{eps = 1.0e-05 : f32}> : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  %h2 = "attnres.depth_attn"(%q, %v0, %v1) <{eps = 1.0e-03 : f32}> : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  // Without properties the default eps applies.
  %h3 = "attnres.depth_attn"(%q, %v0) : (tensor<64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  %k = "attnres.rms_norm"(%v0, %q) <{eps = 1.0e-05 : f32}> : (tensor<8x64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  %s = "attnres.depth_logits"(%q, %k, %v1) : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<2x8xf32>
  %a = "attnres.depth_softmax"(%s) : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %c = "attnres.depth_combine"(%a, %v0, %v1) : (tensor<2x8xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  %b = "attnres.block_summary"(%v0, %v1) : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  %o, %l = "attnres.depth_attn_stats"(%qs, %v0, %v1) <{eps = 1.0e-05 : f32}> : (tensor<4x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>)
  %m = "attnres.depth_attn_merge"(%v0, %lse, %q, %v1) <{eps = 1.0e-05 : f32}> : (tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  return %h, %h2, %h3, %c, %b, %o, %l, %m : tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>,
      tensor<8x64xf32>, tensor<4x8x64xf32>, tensor<4x8xf32>, tensor<8x64xf32>
}
