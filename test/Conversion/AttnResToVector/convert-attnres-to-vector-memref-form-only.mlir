// memref-form-only: every value-form op is left alone (attnres-to-llvm
// lowers them on their memref form after bufferization), the forward ops
// and the gradient ops alike; the memref form is lowered as without the
// option.
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector{memref-form-only=true}))' | FileCheck %s
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

// The gradient ops' value form is left alone too.
// CHECK-LABEL: func.func @gradient_values(
// CHECK-NOT:     scf.forall
// CHECK:         attnres.depth_attn_grad %{{.*}} : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32> -> tensor<64xf32>, tensor<8x64xf32>
// CHECK:         attnres.rms_norm_grad
// CHECK-NOT:     scf.forall
// ALL-LABEL: func.func @gradient_values(
// ALL:         scf.forall
// ALL:         scf.forall
func.func @gradient_values(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>, %dh: tensor<8x64xf32>)
    -> (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>) {
  %dq, %dv:2 = attnres.depth_attn_grad %q, [%v0, %v1], %dh : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32> -> tensor<64xf32>, tensor<8x64xf32>
  %dx, %dg = attnres.rms_norm_grad %v0, %q, %dh : tensor<8x64xf32>, tensor<64xf32>
  return %dq, %dv#0, %dv#1, %dx, %dg : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>
}

// The memref form is lowered (the option is about the value form only).
// CHECK-LABEL: func.func @buffers(
// CHECK-NOT:     attnres.
// CHECK:         vector.transfer_write
// CHECK-NOT:     attnres.
// ALL-LABEL: func.func @buffers(
// ALL:         vector.transfer_write
func.func @buffers(%q: memref<64xf32>, %v: memref<8x64xf32>, %h: memref<8x64xf32>,
                   %dq: memref<64xf32>, %dv: memref<8x64xf32>) {
  attnres.depth_attn %q, [%v, %v] outs(%h : memref<8x64xf32>) : memref<64xf32>, memref<8x64xf32>
  attnres.depth_attn_grad %q, [%v], %h outs(%dq, %dv : memref<64xf32>, memref<8x64xf32>) : memref<64xf32>, memref<8x64xf32>, memref<8x64xf32>
  return
}
