// Without an NVIDIA driver the project's runtime library fails with one clear
// message and exit status 1 (no crash, no unresolved mgpu* symbols): the
// pipeline's output is JIT-compiled by mlir-runner against it.
// REQUIRES: cuda-runtime
// UNSUPPORTED: cuda-gpu
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa" > %t.mlir
// RUN: not %run_gpu %t.mlir 2>&1 | FileCheck %s
// CHECK: attnres-cuda-runtime: cannot load libcuda.so.1
// CHECK-NOT: Symbols not found
// CHECK-NOT: Stack dump

func.func @site(%q: tensor<64xf32>, %v0: tensor<4x64xf32>, %v1: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf32>, tensor<4x64xf32> -> tensor<4x64xf32>
  return %h : tensor<4x64xf32>
}
func.func @main() {
  %q = arith.constant dense<1.0> : tensor<64xf32>
  %v = arith.constant dense<2.0> : tensor<4x64xf32>
  %h = call @site(%q, %v, %v) : (tensor<64xf32>, tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
  %c0 = arith.constant 0 : index
  %x = tensor.extract %h[%c0, %c0] : tensor<4x64xf32>
  vector.print %x : f32
  return
}
