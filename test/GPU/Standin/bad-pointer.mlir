// The checker catches a kernel argument the device cannot reach: with
// memory=none nothing makes the dense constants (read-only pages of the
// JIT-compiled program) device-accessible, and a real GPU would fault
// (CUDA_ERROR_ILLEGAL_ADDRESS, a sticky error). The stand-in reports the
// parameter and the mapping; the runtime names the error and its code and
// exits 1. The default memory=managed passes the same program.
// REQUIRES: cuda-standin, ptxas
// RUN: attnres-opt %s --attnres-to-nvvm="memory=none" > %t.none.mlir
// RUN: not %run_standin %t.none.mlir 2>&1 | FileCheck %s
// RUN: attnres-opt %s --attnres-to-nvvm > %t.managed.mlir
// RUN: %run_standin %t.managed.mlir 2>&1 | FileCheck %s --check-prefix=MANAGED

// CHECK: cuda-standin: error: site_kernel: parameter {{[0-9]+}} = 0x{{[0-9a-f]+}} is host memory the device cannot reach (mapping r{{.*}}): neither device nor managed memory nor a live registration -> CUDA_ERROR_ILLEGAL_ADDRESS (700)
// CHECK: attnres-cuda-runtime: 'drv.cuLaunchKernel({{.*}})' failed: CUDA_ERROR_ILLEGAL_ADDRESS (700): an illegal memory access was encountered
// MANAGED: cuda-standin: {{[0-9]+}} calls, 1 launches, {{[1-9][0-9]*}} pointer arguments checked, 0 errors

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
