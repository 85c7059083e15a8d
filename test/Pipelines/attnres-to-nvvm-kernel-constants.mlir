// attnres-to-nvvm sinks the constants the canonicalizer hoisted out of the
// launches back into them before outlining
// (gpu-launch-sink-index-computations; MLIR 22's gpu-kernel-outlining no
// longer does): chunk offsets, vector widths and zero vectors are immediates
// in the kernels, not kernel parameters. Without it the outlined kernels
// took the zero vector as a vector<4xf32> parameter and multiplied every
// chunk index by a parameter holding the vector width.
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa" --mlir-print-ir-after=gpu-kernel-outlining -o /dev/null 2>&1 | FileCheck %s
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa chip=sm_90 features=+ptx80" | %extract_ptx --all | FileCheck %s --check-prefix=PTX

// CHECK-LABEL: gpu.func @site_kernel(
// CHECK-NOT: vector<
// CHECK-SAME: kernel
// CHECK: arith.constant dense<0.000000e+00> : vector<4xf32>
// CHECK-LABEL: gpu.func @site_grad_kernel(
// CHECK-NOT: vector<
// CHECK-SAME: kernel
// CHECK: arith.constant dense<0.000000e+00> : vector<4xf32>

// No 16-byte (vector) kernel parameters in the PTX.
// PTX-COUNT-3: .visible .entry
// PTX-NOT: .param .align 16 .b8

func.func @site(%q: tensor<4096xf32>, %v0: tensor<?x4096xf32>, %v1: tensor<?x4096xf32>) -> tensor<?x4096xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<4096xf32>, tensor<?x4096xf32> -> tensor<?x4096xf32>
  return %h : tensor<?x4096xf32>
}
func.func @site_grad(%q: tensor<4096xf32>, %v0: tensor<?x4096xf32>, %v1: tensor<?x4096xf32>, %g: tensor<?x4096xf32>) -> (tensor<4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>) {
  %dq, %dv:2 = attnres.depth_attn_grad %q, [%v0, %v1], %g : tensor<4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32> -> tensor<4096xf32>, tensor<?x4096xf32>
  return %dq, %dv#0, %dv#1 : tensor<4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>
}
