// Device memory is not host memory on a GPU, and not in the stand-in either
// (it maps device allocations without access): a memory=device program whose
// host code reads a kernel's result directly is reported, not silently run.
// With memory=managed the same program reads managed memory and runs.
// REQUIRES: cuda-standin, ptxas
// RUN: attnres-opt %s --attnres-to-nvvm="memory=device" > %t.device.mlir
// RUN: not %run_standin %t.device.mlir 2>&1 | FileCheck %s
// RUN: attnres-opt %s --attnres-to-nvvm="memory=managed" > %t.managed.mlir
// RUN: %run_standin %t.managed.mlir 2>&1 | FileCheck %s --check-prefix=MANAGED

// CHECK: cuda-standin: error: host code accessed device memory at 0x{{[0-9a-f]+}} (device allocation 0x{{[0-9a-f]+}} of 1024 bytes) -> SIGSEGV
// MANAGED-NOT: error
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
