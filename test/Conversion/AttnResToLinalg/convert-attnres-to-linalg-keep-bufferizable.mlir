// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}))' | FileCheck %s
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),attnres-check-lowered{keep-bufferizable=true})' -o /dev/null
// RUN: not attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),attnres-check-lowered)' -o /dev/null 2>&1 | FileCheck %s --check-prefix=LEFT

// keep-bufferizable: ops with a BufferizableOpInterface model (a memref
// form that one-shot-bufferize keeps) are left for a lowering after
// bufferization, in both forms; every other attnres op is lowered. Every
// attnres op has such a model when the dialect's bufferization models are
// registered (attnres-opt registers them), so here all of them stay.
// CHECK-LABEL: func.func @mixed
// CHECK-NOT: linalg.generic
// CHECK: attnres.block_summary
// CHECK: attnres.rms_norm
// CHECK: attnres.depth_attn %{{.*}} : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
// CHECK: attnres.depth_attn_stats
// CHECK: attnres.depth_attn_merge
// CHECK-NOT: linalg.generic
// LEFT: error: 'attnres.block_summary' op was not lowered
func.func @mixed(%q: tensor<64xf32>, %g: tensor<64xf32>, %v: tensor<8x64xf32>, %Q: tensor<1x64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>) {
  %s = attnres.block_summary [%v, %v] : tensor<8x64xf32>
  %n = attnres.rms_norm %s, %g : tensor<8x64xf32>, tensor<64xf32>
  %h = attnres.depth_attn %q, [%n, %v] : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  %o, %lse = attnres.depth_attn_stats %Q, [%v, %h] : tensor<1x64xf32>, tensor<8x64xf32> -> tensor<1x8x64xf32>, tensor<1x8xf32>
  %o0 = tensor.extract_slice %o[0, 0, 0] [1, 8, 64] [1, 1, 1] : tensor<1x8x64xf32> to tensor<8x64xf32>
  %l0 = tensor.extract_slice %lse[0, 0] [1, 8] [1, 1] : tensor<1x8xf32> to tensor<8xf32>
  %m = attnres.depth_attn_merge %o0, %l0, %q, %h : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
  return %h, %m : tensor<8x64xf32>, tensor<8x64xf32>
}
