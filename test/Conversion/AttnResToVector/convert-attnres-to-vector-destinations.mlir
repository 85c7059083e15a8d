// The fast kernels take value-form ops without destinations, and the forward
// ops in their memref form (convert-attnres-to-vector-memref.mlir); a
// value-form op with destinations (outs), and a memref-form op whose buffers
// have no rows view (token dims that a memref.collapse_shape cannot merge:
// dynamic strides), are left for convert-attnres-to-linalg (attnres-to-llvm
// runs both), never rewritten or rejected here.
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector))' | FileCheck %s
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector,convert-attnres-to-linalg))' | FileCheck %s --check-prefix=LINALG

// CHECK-LABEL: func.func @kept(
// CHECK-NOT:     memref.collapse_shape
// CHECK:         attnres.depth_attn %{{.*}} outs(%{{.*}} : tensor<8x64xf32>)
// CHECK:         attnres.depth_attn_stats %{{.*}} outs(%{{.*}}, %{{.*}} : tensor<2x8x64xf32>, tensor<2x8xf32>)
// CHECK:         attnres.depth_attn_merge %{{.*}} outs(%{{.*}} : memref<2x4x64xf32, strided<[?, ?, 1]>>)
// CHECK:         attnres.depth_attn %{{.*}} outs(%{{.*}} : memref<2x4x64xf32, strided<[?, ?, 1]>>)
// LINALG-LABEL: func.func @kept(
// LINALG-NOT:    attnres.
// LINALG:        linalg.generic {{.*}} outs(%{{.*}} : tensor<8x64xf32>)
// LINALG:        linalg.generic {{.*}} outs(%{{.*}} : memref<2x4x64xf32, strided<[?, ?, 1]>>)
// LINALG-NOT:    attnres.
func.func @kept(%q: tensor<64xf32>, %v: tensor<8x64xf32>, %qs: tensor<2x64xf32>,
                %mq: memref<64xf32>, %mv: memref<2x4x64xf32, strided<[?, ?, 1]>>,
                %ml: memref<2x4xf32, strided<[?, ?]>>,
                %mo: memref<2x4x64xf32, strided<[?, ?, 1]>>)
    -> (tensor<8x64xf32>, tensor<2x8x64xf32>, tensor<2x8xf32>) {
  %e = tensor.empty() : tensor<8x64xf32>
  %h = attnres.depth_attn %q, [%v, %v] outs(%e : tensor<8x64xf32>) : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  %oi = tensor.empty() : tensor<2x8x64xf32>
  %li = tensor.empty() : tensor<2x8xf32>
  %o, %l = attnres.depth_attn_stats %qs, [%v] outs(%oi, %li : tensor<2x8x64xf32>, tensor<2x8xf32>)
      : tensor<2x64xf32>, tensor<8x64xf32> -> tensor<2x8x64xf32>, tensor<2x8xf32>
  attnres.depth_attn_merge %mv, %ml, %mq, %mv outs(%mo : memref<2x4x64xf32, strided<[?, ?, 1]>>)
      : memref<2x4x64xf32, strided<[?, ?, 1]>>, memref<2x4xf32, strided<[?, ?]>>, memref<64xf32>, memref<2x4x64xf32, strided<[?, ?, 1]>>
  attnres.depth_attn %mq, [%mv, %mv] outs(%mo : memref<2x4x64xf32, strided<[?, ?, 1]>>) : memref<64xf32>, memref<2x4x64xf32, strided<[?, ?, 1]>>
  return %h, %o, %l : tensor<8x64xf32>, tensor<2x8x64xf32>, tensor<2x8xf32>
}

// The gradient kernels likewise leave gradient ops with destinations alone.
// CHECK-LABEL: func.func @grad_kept(
// CHECK:         attnres.depth_attn_grad {{.*}} outs(
// CHECK:         attnres.rms_norm_grad {{.*}} outs(
// LINALG-LABEL: func.func @grad_kept(
// LINALG-NOT:    attnres.
// LINALG:        linalg.generic
// LINALG-NOT:    attnres.
func.func @grad_kept(%q: tensor<64xf32>, %v: tensor<8x64xf32>, %g: tensor<8x64xf32>, %gain: tensor<64xf32>)
    -> (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>) {
  %eq = tensor.empty() : tensor<64xf32>
  %ev0 = tensor.empty() : tensor<8x64xf32>
  %ev1 = tensor.empty() : tensor<8x64xf32>
  %dq, %dv:2 = attnres.depth_attn_grad %q, [%v, %v], %g outs(%eq, %ev0, %ev1 : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>)
      : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32> -> tensor<64xf32>, tensor<8x64xf32>
  %ex = tensor.empty() : tensor<8x64xf32>
  %eg = tensor.empty() : tensor<64xf32>
  %dx, %dgain = attnres.rms_norm_grad %v, %gain, %g outs(%ex, %eg : tensor<8x64xf32>, tensor<64xf32>) : tensor<8x64xf32>, tensor<64xf32>
  return %dq, %dv#0, %dx, %dgain : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>
}
