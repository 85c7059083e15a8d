// A pipeline lowers every attnres op or fails naming the ones it could not:
// the lowerings run on the functions directly in the module, so a site inside
// a gpu.func (or a nested module) is an error, not silently left behind.
// RUN: not attnres-opt %s --attnres-to-llvm -o /dev/null 2>&1 | FileCheck %s
// RUN: not attnres-opt %s --pass-pipeline='builtin.module(attnres-check-lowered)' -o /dev/null 2>&1 | FileCheck %s --check-prefix=PASS

// CHECK: [[@LINE+7]]:12: error: 'attnres.depth_attn' op was not lowered: the attnres lowerings run on the functions directly in the module
// CHECK: note: inside this 'gpu.func', which is not directly in the module
// CHECK-NOT: error
// PASS-COUNT-2: error: 'attnres.depth_attn' op was not lowered
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @site(%q: tensor<8xf32>, %v0: tensor<4x8xf32>, %v1: tensor<4x8xf32>) {
      %h = attnres.depth_attn %q, [%v0, %v1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
      gpu.return
    }
  }
  // The function directly in the module is lowered as usual.
  func.func @main(%q: tensor<8xf32>, %v0: tensor<4x8xf32>) -> tensor<4x8xf32> {
    %h = attnres.depth_attn %q, [%v0, %v0] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
    return %h : tensor<4x8xf32>
  }
}
