// format=bin/fatbin need the toolkit's ptxas: a toolkit root with libdevice
// but without bin/ptxas (and no ptxas on PATH) gets a diagnostic, not an
// abort; format=isa still works there.
// REQUIRES: ptxas
// RUN: rm -rf %t && mkdir -p %t/cuda/nvvm/libdevice
// RUN: cp /usr/local/cuda/nvvm/libdevice/libdevice.10.bc %t/cuda/nvvm/libdevice/
// RUN: not env PATH=/usr/bin:/bin %attnres_obj_root/bin/attnres-opt %s --attnres-to-nvvm="format=bin cuda-path=%t/cuda" 2>&1 | FileCheck %s
// RUN: env PATH=/usr/bin:/bin %attnres_obj_root/bin/attnres-opt %s --attnres-to-nvvm="format=isa cuda-path=%t/cuda" | FileCheck %s --check-prefix=CHECK-ISA
// CHECK: error: attnres-to-nvvm: format 'bin' needs the CUDA toolkit's ptxas
// CHECK-NOT: LLVM ERROR
// CHECK-ISA: gpu.binary @site_kernel

func.func @site(%q: tensor<64xf32>, %v0: tensor<4x64xf32>, %v1: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf32>, tensor<4x64xf32> -> tensor<4x64xf32>
  return %h : tensor<4x64xf32>
}
