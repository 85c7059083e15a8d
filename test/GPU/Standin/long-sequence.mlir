// Phase 1 of two-phase Block AttnRes over a 128K-token prefill (131,072 rows,
// dynamic): the stats kernel's (query, row) grid is one gridDim.x of
// queries × rows CTAs, inside the device's limits (gridDim.y stops at
// 65,535). The stand-in checks every launch dimension against H100 limits.
// REQUIRES: cuda-standin, ptxas
// RUN: attnres-opt %s --attnres-to-nvvm > %t.mlir
// RUN: rm -f %t.trace
// RUN: env ATTNRES_CUDA_STANDIN_LOG=%t.trace %run_standin %t.mlir 2>&1 | FileCheck %s
// RUN: FileCheck %s --check-prefix=TRACE --input-file %t.trace

// CHECK-NOT: error
// CHECK: cuda-standin: {{[0-9]+}} calls, {{[1-9][0-9]*}} launches, {{[0-9]+}} pointer arguments checked, 0 errors
// TRACE: cuLaunchKernel(stats_kernel, grid=(524288,1,1), block=(32,1,1), smem=256)

func.func @stats(%Q: tensor<4x64xf32>, %b0: tensor<?x64xf32>, %b1: tensor<?x64xf32>) -> (tensor<4x?x64xf32>, tensor<4x?xf32>) {
  %o, %lse = attnres.depth_attn_stats %Q, [%b0, %b1] : tensor<4x64xf32>, tensor<?x64xf32> -> tensor<4x?x64xf32>, tensor<4x?xf32>
  return %o, %lse : tensor<4x?x64xf32>, tensor<4x?xf32>
}
func.func @main() {
  %n = arith.constant 131072 : index
  %one = arith.constant 1.0 : f32
  %q = arith.constant dense<0.5> : tensor<4x64xf32>
  %e = tensor.empty(%n) : tensor<?x64xf32>
  %v = linalg.fill ins(%one : f32) outs(%e : tensor<?x64xf32>) -> tensor<?x64xf32>
  %o, %lse = call @stats(%q, %v, %v) : (tensor<4x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>) -> (tensor<4x?x64xf32>, tensor<4x?xf32>)
  %c0 = arith.constant 0 : index
  %x = tensor.extract %lse[%c0, %c0] : tensor<4x?xf32>
  vector.print %x : f32
  return
}
