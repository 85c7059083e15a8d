// forward-after-bufferization: the value form of the forward ops is left
// alone (attnres-to-llvm lowers them on their memref form after
// bufferization); the gradient kernels, which take the value form only, and
// the memref form of the forward ops are lowered as without the option.
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector{forward-after-bufferization=true}))' | FileCheck %s
// Without the option every op here gets its kernel.
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector))' | FileCheck %s --check-prefix=ALL --implicit-check-not=attnres.

// CHECK-LABEL: func.func @forward_values(
// CHECK-NOT:     scf.forall
// CHECK:         attnres.depth_attn %{{.*}} : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
// CHECK:         attnres.depth_attn_stats
// CHECK:         attnres.depth_attn_merge
// CHECK:         attnres.depth_attn_norm
// CHECK-NOT:     scf.forall
// ALL-LABEL: func.func @forward_values(
// ALL:         vector.transfer_read
func.func @forward_values(%q: tensor<64xf32>, %v: tensor<8x64xf32>, %qs: tensor<2x64xf32>, %g: tensor<64xf32>)
    -> (tensor<8x64xf32>, tensor<2x8x64xf32>, tensor<2x8xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) {
  %h = attnres.depth_attn %q, [%v, %v] : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  %o, %l = attnres.depth_attn_stats %qs, [%v, %h] : tensor<2x64xf32>, tensor<8x64xf32> -> tensor<2x8x64xf32>, tensor<2x8xf32>
  %o0 = tensor.extract_slice %o[0, 0, 0] [1, 8, 64] [1, 1, 1] : tensor<2x8x64xf32> to tensor<8x64xf32>
  %l0 = tensor.extract_slice %l[0, 0] [1, 8] [1, 1] : tensor<2x8xf32> to tensor<8xf32>
  %m = attnres.depth_attn_merge %o0, %l0, %q, %h : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
  %n, %hn = attnres.depth_attn_norm %q, [%v, %m], %g : tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>, tensor<8x64xf32>
  return %h, %o, %l, %m, %n, %hn : tensor<8x64xf32>, tensor<2x8x64xf32>, tensor<2x8xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>
}

// The gradient kernels are emitted.
// CHECK-LABEL: func.func @gradient(
// CHECK-NOT:     attnres.depth_attn_grad
// CHECK:         scf.forall
// CHECK-NOT:     attnres.depth_attn_grad
// ALL-LABEL: func.func @gradient(
// ALL:         vector.transfer_read
func.func @gradient(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>, %dh: tensor<8x64xf32>)
    -> (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) {
  %dq, %dv:2 = attnres.depth_attn_grad %q, [%v0, %v1], %dh : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32> -> tensor<64xf32>, tensor<8x64xf32>
  return %dq, %dv#0, %dv#1 : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>
}

// The memref form is lowered (the option is about the value form only).
// CHECK-LABEL: func.func @forward_buffers(
// CHECK-NOT:     attnres.depth_attn
// CHECK:         vector.transfer_write
// CHECK-NOT:     attnres.depth_attn
// ALL-LABEL: func.func @forward_buffers(
// ALL:         vector.transfer_write
func.func @forward_buffers(%q: memref<64xf32>, %v: memref<8x64xf32>, %h: memref<8x64xf32>) {
  attnres.depth_attn %q, [%v, %v] outs(%h : memref<8x64xf32>) : memref<64xf32>, memref<8x64xf32>
  return
}
