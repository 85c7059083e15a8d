// The GPU pipeline end to end, compile only (no GPU needed): host LLVM IR
// plus a gpu.binary whose PTX has one fused kernel per site with 128-bit
// global loads, warp shuffles, CTA barriers and no local memory.
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa chip=sm_90 features=+ptx80" | FileCheck %s --check-prefix=HOST --dump-input=never
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa chip=sm_90 features=+ptx80" | %extract_ptx | FileCheck %s --check-prefix=PTX
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa chip=sm_80 features=+ptx70" | %extract_ptx | FileCheck %s --check-prefix=SM80
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR
// The stages: the mapped kernel after outlining, and the kernel in NVVM.
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa" --mlir-print-ir-after=gpu-kernel-outlining -o /dev/null 2>&1 | FileCheck %s --check-prefix=OUTLINED
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa" --mlir-print-ir-after=convert-gpu-to-nvvm -o /dev/null 2>&1 | FileCheck %s --check-prefix=NVVM

// OUTLINED: gpu.launch_func @site_kernel::@site_kernel blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}})
// OUTLINED: gpu.module @site_kernel
// OUTLINED: gpu.func @site_kernel(
// OUTLINED-SAME: kernel
// OUTLINED: gpu.dynamic_shared_memory
// OUTLINED: scf.index_switch
// OUTLINED: gpu.shuffle xor
// OUTLINED: gpu.barrier
// NVVM: llvm.func @site_kernel(
// NVVM-SAME: nvvm.kernel
// NVVM: nvvm.read.ptx.sreg.tid.x
// NVVM: nvvm.shfl.sync bfly
// NVVM: nvvm.barrier

// HOST-NOT: attnres.
// HOST-NOT: linalg.
// HOST: llvm.func @site(
// HOST: llvm.call @mgpuMemAlloc
// HOST: gpu.launch_func
// HOST: gpu.binary @site_kernel
// HOST-SAME: #nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">

// PTX: .target sm_90
// PTX: .visible .entry site_kernel(
// PTX-DAG: ld.global.v4.b32
// PTX-DAG: shfl.sync.bfly.b32
// PTX-DAG: bar.sync 0
// PTX-DAG: ex2.approx
// PTX-DAG: st.global.v4.b32
// PTX-NOT: ld.local
// PTX-NOT: st.local

// SM80: .target sm_80

// LLVMIR: define {{.*}} @site(
// LLVMIR: call void @mgpuLaunchKernel(

func.func @site(%q: tensor<4096xf32>, %v0: tensor<?x4096xbf16>, %v1: tensor<?x4096xbf16>, %v2: tensor<?x4096xbf16>) -> tensor<?x4096xbf16> attributes {llvm.emit_c_interface} {
  %h = attnres.depth_attn %q, [%v0, %v1, %v2] : tensor<4096xf32>, tensor<?x4096xbf16> -> tensor<?x4096xbf16>
  return %h : tensor<?x4096xbf16>
}
