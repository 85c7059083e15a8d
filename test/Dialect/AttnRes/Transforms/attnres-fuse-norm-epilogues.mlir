// attnres-fuse-norm-epilogues: an rms_norm of a site's or merge's result
// becomes part of that op (depth_attn_norm / depth_attn_merge_norm); `h`
// stays a result only when something else uses it.
//
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-fuse-norm-epilogues))' --split-input-file | FileCheck %s --enable-var-scope
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-fuse-norm-epilogues{producers=merges}))' --split-input-file | FileCheck %s --check-prefix=MERGES --enable-var-scope
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-fuse-norm-epilogues))' --split-input-file | attnres-opt --split-input-file --verify-roundtrip > /dev/null
// RUN: not attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-fuse-norm-epilogues{producers=sites}))' 2>&1 | FileCheck %s --check-prefix=BADOPT
// BADOPT: Cannot find option named 'sites'

// h only feeds the norm: one result, h is never materialized.
// CHECK-LABEL: func.func @site_norm_only(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<64xf32>, %[[V0:[^:]+]]: tensor<8x64xf32>, %[[V1:[^:]+]]: tensor<8x64xf32>, %[[G:[^:]+]]: tensor<64xf32>)
// CHECK-NEXT:    %[[N:.*]] = attnres.depth_attn_norm %[[Q]], [%[[V0]], %[[V1]]], %[[G]] {eps = 9.99999997E-7 : f32, norm_eps = 9.99999997E-7 : f32} : tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>
// CHECK-NEXT:    return %[[N]]
// MERGES-LABEL: func.func @site_norm_only(
// MERGES:         attnres.depth_attn %
// MERGES:         attnres.rms_norm
func.func @site_norm_only(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>,
                          %g: tensor<64xf32>) -> tensor<8x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] {eps = 1.0e-06 : f32} : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  %n = attnres.rms_norm %h, %g {eps = 1.0e-06 : f32} : tensor<8x64xf32>, tensor<64xf32>
  return %n : tensor<8x64xf32>
}

// -----

// h also returned: kept as the second result. Default eps elided.
// CHECK-LABEL: func.func @site_keeps_h(
// CHECK:         %[[N:.*]]:2 = attnres.depth_attn_norm %{{.*}}, [%{{.*}}, %{{.*}}], %{{.*}} : tensor<?xbf16>, tensor<?x2x32xbf16>, tensor<32xf32> -> tensor<?x2x32xbf16>, tensor<?x2x32xbf16>
// CHECK-NEXT:    return %[[N]]#1, %[[N]]#0
func.func @site_keeps_h(%q: tensor<?xbf16>, %v0: tensor<?x2x32xbf16>, %v1: tensor<?x2x32xbf16>, %g: tensor<32xf32>)
    -> (tensor<?x2x32xbf16>, tensor<?x2x32xbf16>) {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<?xbf16>, tensor<?x2x32xbf16> -> tensor<?x2x32xbf16>
  %n = attnres.rms_norm %h, %g : tensor<?x2x32xbf16>, tensor<32xf32>
  return %h, %n : tensor<?x2x32xbf16>, tensor<?x2x32xbf16>
}

// -----

// CHECK-LABEL: func.func @merge_norm(
// CHECK-SAME:    %[[O:[^:]+]]: tensor<8x64xf32>, %[[L:[^:]+]]: tensor<8xf32>, %[[Q:[^:]+]]: tensor<64xf32>, %[[U:[^:]+]]: tensor<8x64xf32>, %[[G:[^:]+]]: tensor<64xf32>)
// CHECK-NEXT:    %[[N:.*]] = attnres.depth_attn_merge_norm %[[O]], %[[L]], %[[Q]], %[[U]], %[[G]] {eps = 1.000000e-03 : f32, norm_eps = 2.000000e-03 : f32} : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>
// CHECK-NEXT:    return %[[N]]
// MERGES-LABEL: func.func @merge_norm(
// MERGES-NEXT:    attnres.depth_attn_merge_norm
func.func @merge_norm(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>,
                      %u: tensor<8x64xf32>, %g: tensor<64xf32>) -> tensor<8x64xf32> {
  %h = attnres.depth_attn_merge %o, %lse, %q, %u {eps = 1.0e-03 : f32} : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
  %n = attnres.rms_norm %h, %g {eps = 2.0e-03 : f32} : tensor<8x64xf32>, tensor<64xf32>
  return %n : tensor<8x64xf32>
}

// -----

// Two norms of one h: one fuses, the other reads the kept h.
// CHECK-LABEL: func.func @two_norms(
// CHECK:         %[[N:.*]]:2 = attnres.depth_attn_merge_norm
// CHECK-NEXT:    %[[N2:.*]] = attnres.rms_norm %[[N]]#1, %{{.*}}
// CHECK-NEXT:    return
func.func @two_norms(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>,
                     %u: tensor<8x64xf32>, %g: tensor<64xf32>, %g2: tensor<64xf32>)
    -> (tensor<8x64xf32>, tensor<8x64xf32>) {
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
  %n = attnres.rms_norm %h, %g : tensor<8x64xf32>, tensor<64xf32>
  %n2 = attnres.rms_norm %h, %g2 : tensor<8x64xf32>, tensor<64xf32>
  return %n, %n2 : tensor<8x64xf32>, tensor<8x64xf32>
}

// -----

// Not fused: the gain is computed after the site; the site has a
// destination; the norm's input is an argument.
// CHECK-LABEL: func.func @not_fused(
// CHECK-NOT:     _norm
// CHECK:         attnres.depth_attn %
// CHECK:         attnres.rms_norm
// CHECK:         attnres.depth_attn %{{.*}} outs(
// CHECK:         attnres.rms_norm
// CHECK:         attnres.rms_norm
// CHECK-NOT:     _norm
func.func @not_fused(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>, %g: tensor<64xf32>)
    -> (tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  %g2 = arith.addf %g, %g : tensor<64xf32>
  %n = attnres.rms_norm %h, %g2 : tensor<8x64xf32>, tensor<64xf32>
  %i = tensor.empty() : tensor<8x64xf32>
  %h2 = attnres.depth_attn %q, [%v0, %v1] outs(%i : tensor<8x64xf32>) : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  %n2 = attnres.rms_norm %h2, %g : tensor<8x64xf32>, tensor<64xf32>
  %n3 = attnres.rms_norm %v0, %g : tensor<8x64xf32>, tensor<64xf32>
  return %n, %n2, %n3 : tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>
}
