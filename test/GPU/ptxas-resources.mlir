// The fused kernels at production shapes (9 sources; D = 4096, 7168, 8192;
// f32 and bf16) compiled by the CUDA toolkit's ptxas for sm_80 and sm_90:
// no spills, no stack frame, at most 128 registers per thread (the stated
// budget: 2+ CTAs per SM at up to 448 threads), 128-bit global loads.
// REQUIRES: ptxas
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa chip=sm_90 features=+ptx80" > %t.sm90.mlir
// RUN: %python %attnres_src_root/scripts/gpu_kernel_report.py ptxas %t.sm90.mlir --chip sm_90 | FileCheck %s --check-prefix=CHECK-RES
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa chip=sm_80 features=+ptx70" > %t.sm80.mlir
// RUN: %python %attnres_src_root/scripts/gpu_kernel_report.py ptxas %t.sm80.mlir --chip sm_80 | FileCheck %s --check-prefix=CHECK-RES
// RUN: %extract_ptx --all %t.sm90.mlir | FileCheck %s --check-prefix=CHECK-PTX
// The pipeline's own cubin and fatbin paths run ptxas/fatbinary as well.
// RUN: attnres-opt %s --attnres-to-nvvm="format=bin chip=sm_90 features=+ptx80" | FileCheck %s --check-prefix=CHECK-BIN --dump-input=never
// RUN: attnres-opt %s --attnres-to-nvvm="format=fatbin chip=sm_80 features=+ptx70" | FileCheck %s --check-prefix=CHECK-BIN --dump-input=never

// CHECK-RES-COUNT-6: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK-RES-NOT: bytes spill
// CHECK-RES-NOT: Used {{(129|1[3-9][0-9]|2[0-9][0-9])}} registers

// CHECK-PTX-COUNT-6: .visible .entry
// CHECK-PTX-NOT: ld.local
// CHECK-PTX-NOT: st.local
// CHECK-PTX-NOT: ld.global.f32
// CHECK-PTX-NOT: ld.global.b32
// CHECK-PTX-NOT: ld.global.v2

// CHECK-BIN: gpu.binary @
// CHECK-BIN-NOT: assembly =

func.func @site_f32_4096(%q: tensor<4096xf32>, %v0: tensor<?x4096xf32>, %v1: tensor<?x4096xf32>, %v2: tensor<?x4096xf32>, %v3: tensor<?x4096xf32>, %v4: tensor<?x4096xf32>, %v5: tensor<?x4096xf32>, %v6: tensor<?x4096xf32>, %v7: tensor<?x4096xf32>, %v8: tensor<?x4096xf32>) -> tensor<?x4096xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1, %v2, %v3, %v4, %v5, %v6, %v7, %v8] : tensor<4096xf32>, tensor<?x4096xf32> -> tensor<?x4096xf32>
  return %h : tensor<?x4096xf32>
}
func.func @site_f32_7168(%q: tensor<7168xf32>, %v0: tensor<?x7168xf32>, %v1: tensor<?x7168xf32>, %v2: tensor<?x7168xf32>, %v3: tensor<?x7168xf32>, %v4: tensor<?x7168xf32>, %v5: tensor<?x7168xf32>, %v6: tensor<?x7168xf32>, %v7: tensor<?x7168xf32>, %v8: tensor<?x7168xf32>) -> tensor<?x7168xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1, %v2, %v3, %v4, %v5, %v6, %v7, %v8] : tensor<7168xf32>, tensor<?x7168xf32> -> tensor<?x7168xf32>
  return %h : tensor<?x7168xf32>
}
func.func @site_bf16_4096(%q: tensor<4096xf32>, %v0: tensor<?x4096xbf16>, %v1: tensor<?x4096xbf16>, %v2: tensor<?x4096xbf16>, %v3: tensor<?x4096xbf16>, %v4: tensor<?x4096xbf16>, %v5: tensor<?x4096xbf16>, %v6: tensor<?x4096xbf16>, %v7: tensor<?x4096xbf16>, %v8: tensor<?x4096xbf16>) -> tensor<?x4096xbf16> {
  %h = attnres.depth_attn %q, [%v0, %v1, %v2, %v3, %v4, %v5, %v6, %v7, %v8] : tensor<4096xf32>, tensor<?x4096xbf16> -> tensor<?x4096xbf16>
  return %h : tensor<?x4096xbf16>
}
func.func @site_bf16_7168(%q: tensor<7168xf32>, %v0: tensor<?x7168xbf16>, %v1: tensor<?x7168xbf16>, %v2: tensor<?x7168xbf16>, %v3: tensor<?x7168xbf16>, %v4: tensor<?x7168xbf16>, %v5: tensor<?x7168xbf16>, %v6: tensor<?x7168xbf16>, %v7: tensor<?x7168xbf16>, %v8: tensor<?x7168xbf16>) -> tensor<?x7168xbf16> {
  %h = attnres.depth_attn %q, [%v0, %v1, %v2, %v3, %v4, %v5, %v6, %v7, %v8] : tensor<7168xf32>, tensor<?x7168xbf16> -> tensor<?x7168xbf16>
  return %h : tensor<?x7168xbf16>
}
func.func @site_f32_8192(%q: tensor<8192xf32>, %v0: tensor<?x8192xf32>, %v1: tensor<?x8192xf32>, %v2: tensor<?x8192xf32>, %v3: tensor<?x8192xf32>, %v4: tensor<?x8192xf32>, %v5: tensor<?x8192xf32>, %v6: tensor<?x8192xf32>, %v7: tensor<?x8192xf32>, %v8: tensor<?x8192xf32>) -> tensor<?x8192xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1, %v2, %v3, %v4, %v5, %v6, %v7, %v8] : tensor<8192xf32>, tensor<?x8192xf32> -> tensor<?x8192xf32>
  return %h : tensor<?x8192xf32>
}
func.func @site_bf16_8192(%q: tensor<8192xf32>, %v0: tensor<?x8192xbf16>, %v1: tensor<?x8192xbf16>, %v2: tensor<?x8192xbf16>, %v3: tensor<?x8192xbf16>, %v4: tensor<?x8192xbf16>, %v5: tensor<?x8192xbf16>, %v6: tensor<?x8192xbf16>, %v7: tensor<?x8192xbf16>, %v8: tensor<?x8192xbf16>) -> tensor<?x8192xbf16> {
  %h = attnres.depth_attn %q, [%v0, %v1, %v2, %v3, %v4, %v5, %v6, %v7, %v8] : tensor<8192xf32>, tensor<?x8192xbf16> -> tensor<?x8192xbf16>
  return %h : tensor<?x8192xbf16>
}
