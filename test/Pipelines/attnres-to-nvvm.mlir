// The GPU pipeline end to end, compile only (no GPU needed): host LLVM IR
// plus a gpu.binary whose PTX has one fused kernel per site with 128-bit
// global loads, warp shuffles, CTA barriers and no local memory.
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa chip=sm_90 features=+ptx80" | FileCheck %s --check-prefix=CHECK-HOST --dump-input=never
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa chip=sm_90 features=+ptx80" | %extract_ptx | FileCheck %s --check-prefix=CHECK-PTX
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa chip=sm_80 features=+ptx70" | %extract_ptx | FileCheck %s --check-prefix=CHECK-SM80
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=CHECK-LLVMIR
// The stages: the mapped kernel after outlining, and the kernel in NVVM.
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa" --mlir-print-ir-after=gpu-kernel-outlining -o /dev/null 2>&1 | FileCheck %s --check-prefix=CHECK-OUTLINED
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa" --mlir-print-ir-after=convert-gpu-to-nvvm -o /dev/null 2>&1 | FileCheck %s --check-prefix=CHECK-NVVM

// CHECK-OUTLINED: gpu.launch_func @site_kernel::@site_kernel blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}})
// CHECK-OUTLINED: gpu.module @site_kernel
// CHECK-OUTLINED: gpu.func @site_kernel(
// CHECK-OUTLINED-SAME: kernel
// CHECK-OUTLINED: gpu.dynamic_shared_memory
// CHECK-OUTLINED: scf.index_switch
// CHECK-OUTLINED: gpu.shuffle xor
// CHECK-OUTLINED: gpu.barrier
// CHECK-NVVM: llvm.func @site_kernel(
// CHECK-NVVM-SAME: nvvm.kernel
// CHECK-NVVM: nvvm.read.ptx.sreg.tid.x
// CHECK-NVVM: nvvm.shfl.sync bfly
// CHECK-NVVM: nvvm.barrier

// CHECK-HOST-NOT: attnres.
// CHECK-HOST-NOT: linalg.
// CHECK-HOST: llvm.func @site(
// CHECK-HOST: llvm.call @mgpuMemAlloc
// CHECK-HOST: gpu.launch_func
// CHECK-HOST: gpu.binary @site_kernel
// CHECK-HOST-SAME: #nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">

// CHECK-PTX: .target sm_90
// CHECK-PTX: .visible .entry site_kernel(
// CHECK-PTX-DAG: ld.global.v4.b32
// CHECK-PTX-DAG: shfl.sync.bfly.b32
// CHECK-PTX-DAG: bar.sync 0
// CHECK-PTX-DAG: ex2.approx
// CHECK-PTX-DAG: st.global.v4.b32
// CHECK-PTX-NOT: ld.local
// CHECK-PTX-NOT: st.local

// CHECK-SM80: .target sm_80

// CHECK-LLVMIR: define {{.*}} @site(
// CHECK-LLVMIR: call void @mgpuLaunchKernel(

func.func @site(%q: tensor<4096xf32>, %v0: tensor<?x4096xbf16>, %v1: tensor<?x4096xbf16>, %v2: tensor<?x4096xbf16>) -> tensor<?x4096xbf16> attributes {llvm.emit_c_interface} {
  %h = attnres.depth_attn %q, [%v0, %v1, %v2] : tensor<4096xf32>, tensor<?x4096xbf16> -> tensor<?x4096xbf16>
  return %h : tensor<?x4096xbf16>
}
