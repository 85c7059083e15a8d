// The ops whose math divides by the hidden size D need it static. The pass
// checks every op before rewriting anything, reports each offending op and
// fails.
//
// RUN: attnres-opt %s -split-input-file -verify-diagnostics=all \
// RUN:   --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg),gpu.module(gpu.func(convert-attnres-to-linalg)))'
// RUN: not attnres-opt %s -split-input-file \
// RUN:   --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg),gpu.module(gpu.func(convert-attnres-to-linalg)))' 2>&1 \
// RUN:   | FileCheck %s
// keep-bufferizable checks the ops it keeps alike (every lowering after
// bufferization has the same needs), on their tensor types.
// RUN: attnres-opt %s -split-input-file -verify-diagnostics=all \
// RUN:   --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),gpu.module(gpu.func(convert-attnres-to-linalg{keep-bufferizable=true})))'
// The IR after the failed pass is the input: nothing was rewritten.
// RUN: not attnres-opt %s -split-input-file --mlir-print-ir-after-failure \
// RUN:   --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg),gpu.module(gpu.func(convert-attnres-to-linalg)))' 2>&1 \
// RUN:   | FileCheck %s --check-prefix=AFTER

// CHECK: error: 'attnres.depth_attn' op cannot be lowered: the hidden (last) dimension of 'tensor<8x?xf32>' must be static
func.func @depth_attn_dynamic_hidden(%q: tensor<?xf32>, %v0: tensor<8x?xf32>) -> tensor<8x?xf32> {
  // expected-error @below {{'attnres.depth_attn' op cannot be lowered: the hidden (last) dimension of 'tensor<8x?xf32>' must be static}}
  %h = attnres.depth_attn %q, [%v0] : tensor<?xf32>, tensor<8x?xf32> -> tensor<8x?xf32>
  return %h : tensor<8x?xf32>
}

// -----

// CHECK: error: 'attnres.rms_norm' op cannot be lowered: the hidden (last) dimension of 'tensor<?x?xbf16>' must be static
func.func @rms_norm_dynamic_hidden(%x: tensor<?x?xbf16>, %g: tensor<?xf32>) -> tensor<?x?xbf16> {
  // expected-error @below {{'attnres.rms_norm' op cannot be lowered: the hidden (last) dimension of 'tensor<?x?xbf16>' must be static}}
  %y = attnres.rms_norm %x, %g : tensor<?x?xbf16>, tensor<?xf32>
  return %y : tensor<?x?xbf16>
}

// -----

// CHECK: error: 'attnres.depth_attn_stats' op cannot be lowered: the hidden (last) dimension of 'tensor<8x?xf32>' must be static
func.func @depth_attn_stats_dynamic_hidden(%q: tensor<4x?xf32>, %b0: tensor<8x?xf32>) -> (tensor<4x8x?xf32>, tensor<4x8xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats' op cannot be lowered: the hidden (last) dimension of 'tensor<8x?xf32>' must be static}}
  %o, %lse = attnres.depth_attn_stats %q, [%b0] : tensor<4x?xf32>, tensor<8x?xf32> -> tensor<4x8x?xf32>, tensor<4x8xf32>
  return %o, %lse : tensor<4x8x?xf32>, tensor<4x8xf32>
}

// -----

// CHECK: error: 'attnres.depth_attn_merge' op cannot be lowered: the hidden (last) dimension of 'tensor<?xf16>' must be static
func.func @depth_attn_merge_dynamic_hidden(%o: tensor<?xf16>, %lse: tensor<f32>, %q: tensor<?xf16>, %u: tensor<?xf16>) -> tensor<?xf16> {
  // expected-error @below {{'attnres.depth_attn_merge' op cannot be lowered: the hidden (last) dimension of 'tensor<?xf16>' must be static}}
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<?xf16>, tensor<f32>, tensor<?xf16>, tensor<?xf16>
  return %h : tensor<?xf16>
}

// -----

// Every offending op is reported, not only the first, and the lowerable op
// before them is not rewritten either: the pass fails before it changes IR.
// CHECK: error: 'attnres.depth_attn' op cannot be lowered: the hidden (last) dimension of 'tensor<8x?xf32>' must be static
// CHECK: error: 'attnres.rms_norm' op cannot be lowered: the hidden (last) dimension of 'tensor<8x?xf32>' must be static
// AFTER:       IR Dump After ConvertAttnResToLinalgPass Failed
// AFTER-LABEL: func.func @all_offending_ops_reported(
// AFTER-NOT:   linalg
// AFTER:         attnres.block_summary
// AFTER-NEXT:    attnres.depth_attn
// AFTER-NEXT:    attnres.rms_norm
// AFTER-NEXT:    return
func.func @all_offending_ops_reported(%q: tensor<?xf32>, %v0: tensor<8x?xf32>, %w: tensor<8x64xf32>)
    -> (tensor<8x64xf32>, tensor<8x?xf32>, tensor<8x?xf32>) {
  %b = attnres.block_summary [%w, %w] : tensor<8x64xf32>
  // expected-error @below {{'attnres.depth_attn' op cannot be lowered: the hidden (last) dimension of 'tensor<8x?xf32>' must be static}}
  %h = attnres.depth_attn %q, [%v0] : tensor<?xf32>, tensor<8x?xf32> -> tensor<8x?xf32>
  // expected-error @below {{'attnres.rms_norm' op cannot be lowered: the hidden (last) dimension of 'tensor<8x?xf32>' must be static}}
  %y = attnres.rms_norm %h, %q : tensor<8x?xf32>, tensor<?xf32>
  return %b, %h, %y : tensor<8x64xf32>, tensor<8x?xf32>, tensor<8x?xf32>
}

// -----

// Inside a gpu.func the same diagnostic is given.
// CHECK: error: 'attnres.depth_attn' op cannot be lowered: the hidden (last) dimension of 'tensor<2x?xf32>' must be static
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @in_gpu_func(%q: tensor<?xf32>, %v0: tensor<2x?xf32>) -> tensor<2x?xf32> {
      // expected-error @below {{'attnres.depth_attn' op cannot be lowered: the hidden (last) dimension of 'tensor<2x?xf32>' must be static}}
      %h = attnres.depth_attn %q, [%v0] : tensor<?xf32>, tensor<2x?xf32> -> tensor<2x?xf32>
      gpu.return %h : tensor<2x?xf32>
    }
  }
}

// -----

// Tensor encodings cannot be carried by the lowering: reported before any
// rewrite (also by the pipeline, which leaves such ops to this pass).
func.func @encoded_sources(%q: tensor<64xf32>, %v0: tensor<8x64xf32, "enc">, %v1: tensor<8x64xf32, "enc">) -> tensor<8x64xf32, "enc"> {
  // expected-error @below {{'attnres.depth_attn' op cannot be lowered: tensor encodings are not supported, got 'tensor<8x64xf32, "enc">'}}
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf32>, tensor<8x64xf32, "enc"> -> tensor<8x64xf32, "enc">
  return %h : tensor<8x64xf32, "enc">
}

// -----

// CHECK: error: 'attnres.depth_attn_grad' op cannot be lowered: the hidden (last) dimension of 'tensor<8x?xf32>' must be static
func.func @depth_attn_grad_dynamic_hidden(%q: tensor<?xf32>, %v0: tensor<8x?xf32>) -> tensor<?xf32> {
  // expected-error @below {{'attnres.depth_attn_grad' op cannot be lowered: the hidden (last) dimension of 'tensor<8x?xf32>' must be static}}
  %dq, %dv = attnres.depth_attn_grad %q, [%v0], %v0 : tensor<?xf32>, tensor<8x?xf32>, tensor<8x?xf32> -> tensor<?xf32>, tensor<8x?xf32>
  return %dq : tensor<?xf32>
}

// -----

// CHECK: error: 'attnres.rms_norm_grad' op cannot be lowered: the hidden (last) dimension of 'tensor<?x?xf32>' must be static
func.func @rms_norm_grad_dynamic_hidden(%x: tensor<?x?xf32>, %g: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @below {{'attnres.rms_norm_grad' op cannot be lowered: the hidden (last) dimension of 'tensor<?x?xf32>' must be static}}
  %dx, %dg = attnres.rms_norm_grad %x, %g, %x : tensor<?x?xf32>, tensor<?xf32>
  return %dg : tensor<?xf32>
}
