// REQUIRES: ptxas
// attnres-to-nvvm, like attnres-to-llvm, fails naming an attnres op it could
// not lower (here: inside a gpu.func) instead of exiting 0 with it left over.
// RUN: not attnres-opt %s --attnres-to-nvvm=format=isa -o /dev/null 2>&1 | FileCheck %s

// CHECK: [[@LINE+5]]:12: error: 'attnres.depth_attn' op was not lowered
// CHECK: note: inside this 'gpu.func'
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @site(%q: tensor<8xf32>, %v0: tensor<4x8xf32>, %v1: tensor<4x8xf32>) {
      %h = attnres.depth_attn %q, [%v0, %v1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
      gpu.return
    }
  }
}
