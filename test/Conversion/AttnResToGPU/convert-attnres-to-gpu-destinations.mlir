// The GPU kernels take value-form ops only: an op with destinations (outs)
// or in its memref form is an error naming it, and nothing is rewritten.
// RUN: not attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-gpu))' --split-input-file 2>&1 | FileCheck %s

// CHECK: error: 'attnres.depth_attn' op cannot be lowered by convert-attnres-to-gpu: destinations (outs) and the memref form are not supported on GPU yet
func.func @outs(%q: tensor<64xf32>, %v: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %e = tensor.empty() : tensor<8x64xf32>
  %h = attnres.depth_attn %q, [%v, %v] outs(%e : tensor<8x64xf32>) : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

// CHECK: error: 'attnres.depth_attn_merge' op cannot be lowered by convert-attnres-to-gpu
func.func @memref(%mv: memref<8x64xf32>, %ml: memref<8xf32>, %mq: memref<64xf32>, %mo: memref<8x64xf32>) {
  attnres.depth_attn_merge %mv, %ml, %mq, %mv outs(%mo : memref<8x64xf32>)
      : memref<8x64xf32>, memref<8xf32>, memref<64xf32>, memref<8x64xf32>
  return
}
