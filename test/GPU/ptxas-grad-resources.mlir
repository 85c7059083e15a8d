// The fused gradient kernels at production shapes (depth_attn_grad with 9
// sources; D = 4096 and 7168; f32 and bf16; rms_norm_grad and
// depth_attn_merge_grad; depth_attn_stats_grad with 4 queries) compiled by
// the CUDA toolkit's ptxas for sm_90 and sm_80: no spills, no stack frame, at most 128 registers per thread (the
// budget: a row kernel has at most 512 threads, 128 x 512 registers fill an
// SM's register file), 128-bit global loads of every row (ld.global.v4; the
// only scalar loads are the per-row lse (merge) and lse/dlse (stats)).
// Each op is a row-group kernel plus a column-sum kernel (20 kernels).
// REQUIRES: ptxas
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa chip=sm_90 features=+ptx80" > %t.sm90.mlir
// RUN: %python %attnres_src_root/scripts/gpu_kernel_report.py ptxas %t.sm90.mlir --chip sm_90 | FileCheck %s --check-prefix=CHECK-RES
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa chip=sm_80 features=+ptx70" > %t.sm80.mlir
// RUN: %python %attnres_src_root/scripts/gpu_kernel_report.py ptxas %t.sm80.mlir --chip sm_80 | FileCheck %s --check-prefix=CHECK-RES
// RUN: %extract_ptx --all %t.sm90.mlir | FileCheck %s --check-prefix=CHECK-PTX
// RUN: %python %attnres_src_root/scripts/gpu_kernel_report.py ptx-loads %t.sm90.mlir | FileCheck %s --check-prefix=CHECK-LOADS
// RUN: attnres-opt %s --attnres-to-nvvm="format=bin chip=sm_90 features=+ptx80" | FileCheck %s --check-prefix=CHECK-BIN --dump-input=never

// CHECK-RES-COUNT-20: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK-RES-NOT: bytes spill
// CHECK-RES-NOT: Used {{(129|1[3-9][0-9]|2[0-9][0-9])}} registers

// Per kernel (row-group kernel, then its column-sum kernel): every row is
// moved by 128-bit loads (q, g and the sources' chunks, 8 bf16 or 4 f32 per
// load); the per-row lse (merge; lse and dlse: stats) are the only scalar
// loads; nothing in local memory.
// CHECK-PTX-COUNT-20: .visible .entry
// CHECK-LOADS: site_grad_f32_4096_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global 0, local 0
// CHECK-LOADS-NEXT: site_grad_f32_4096_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global 0, local 0
// CHECK-LOADS-NEXT: site_grad_bf16_7168_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global 0, local 0
// CHECK-LOADS-NEXT: site_grad_bf16_7168_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global 0, local 0
// CHECK-LOADS-NEXT: site_grad_f32_7168_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global 0, local 0
// CHECK-LOADS-NEXT: site_grad_f32_7168_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global 0, local 0
// CHECK-LOADS-NEXT: site_grad_bf16_4096_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global 0, local 0
// CHECK-LOADS-NEXT: site_grad_bf16_4096_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global 0, local 0
// CHECK-LOADS-NEXT: norm_grad_f32_4096_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global 0, local 0
// CHECK-LOADS-NEXT: norm_grad_f32_4096_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global 0, local 0
// CHECK-LOADS-NEXT: norm_grad_bf16_7168_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global 0, local 0
// CHECK-LOADS-NEXT: norm_grad_bf16_7168_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global 0, local 0
// CHECK-LOADS-NEXT: merge_grad_f32_4096_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global 1 (b32), local 0
// CHECK-LOADS-NEXT: merge_grad_f32_4096_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global 0, local 0
// CHECK-LOADS-NEXT: merge_grad_bf16_7168_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global 1 (b32), local 0
// CHECK-LOADS-NEXT: merge_grad_bf16_7168_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global 0, local 0
// CHECK-LOADS-NEXT: stats_grad_f32_4096_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global {{[1-9]}} (b32), local 0
// CHECK-LOADS-NEXT: stats_grad_f32_4096_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global 0, local 0
// CHECK-LOADS-NEXT: stats_grad_bf16_7168_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global {{[1-9]}} (b32), local 0
// CHECK-LOADS-NEXT: stats_grad_bf16_7168_kernel: ld.global.v4 {{[1-9][0-9]*}}, other ld.global 0, local 0
// CHECK-LOADS-NOT: kernel

// CHECK-BIN: gpu.binary @
// CHECK-BIN-NOT: assembly =

func.func @site_grad_f32_4096(%q: tensor<4096xf32>, %v0: tensor<?x4096xf32>, %v1: tensor<?x4096xf32>, %v2: tensor<?x4096xf32>, %v3: tensor<?x4096xf32>, %v4: tensor<?x4096xf32>, %v5: tensor<?x4096xf32>, %v6: tensor<?x4096xf32>, %v7: tensor<?x4096xf32>, %v8: tensor<?x4096xf32>, %g: tensor<?x4096xf32>) -> (tensor<4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>) {
  %dq, %dv:9 = attnres.depth_attn_grad %q, [%v0, %v1, %v2, %v3, %v4, %v5, %v6, %v7, %v8], %g : tensor<4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32> -> tensor<4096xf32>, tensor<?x4096xf32>
  return %dq, %dv#0, %dv#1, %dv#2, %dv#3, %dv#4, %dv#5, %dv#6, %dv#7, %dv#8 : tensor<4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>
}
func.func @site_grad_bf16_7168(%q: tensor<7168xbf16>, %v0: tensor<?x7168xbf16>, %v1: tensor<?x7168xbf16>, %v2: tensor<?x7168xbf16>, %v3: tensor<?x7168xbf16>, %v4: tensor<?x7168xbf16>, %v5: tensor<?x7168xbf16>, %v6: tensor<?x7168xbf16>, %v7: tensor<?x7168xbf16>, %v8: tensor<?x7168xbf16>, %g: tensor<?x7168xbf16>) -> (tensor<7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>) {
  %dq, %dv:9 = attnres.depth_attn_grad %q, [%v0, %v1, %v2, %v3, %v4, %v5, %v6, %v7, %v8], %g : tensor<7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16> -> tensor<7168xbf16>, tensor<?x7168xbf16>
  return %dq, %dv#0, %dv#1, %dv#2, %dv#3, %dv#4, %dv#5, %dv#6, %dv#7, %dv#8 : tensor<7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>
}
func.func @site_grad_f32_7168(%q: tensor<7168xf32>, %v0: tensor<?x7168xf32>, %v1: tensor<?x7168xf32>, %v2: tensor<?x7168xf32>, %v3: tensor<?x7168xf32>, %v4: tensor<?x7168xf32>, %v5: tensor<?x7168xf32>, %v6: tensor<?x7168xf32>, %v7: tensor<?x7168xf32>, %v8: tensor<?x7168xf32>, %g: tensor<?x7168xf32>) -> (tensor<7168xf32>, tensor<?x7168xf32>, tensor<?x7168xf32>, tensor<?x7168xf32>, tensor<?x7168xf32>, tensor<?x7168xf32>, tensor<?x7168xf32>, tensor<?x7168xf32>, tensor<?x7168xf32>, tensor<?x7168xf32>) {
  %dq, %dv:9 = attnres.depth_attn_grad %q, [%v0, %v1, %v2, %v3, %v4, %v5, %v6, %v7, %v8], %g : tensor<7168xf32>, tensor<?x7168xf32>, tensor<?x7168xf32> -> tensor<7168xf32>, tensor<?x7168xf32>
  return %dq, %dv#0, %dv#1, %dv#2, %dv#3, %dv#4, %dv#5, %dv#6, %dv#7, %dv#8 : tensor<7168xf32>, tensor<?x7168xf32>, tensor<?x7168xf32>, tensor<?x7168xf32>, tensor<?x7168xf32>, tensor<?x7168xf32>, tensor<?x7168xf32>, tensor<?x7168xf32>, tensor<?x7168xf32>, tensor<?x7168xf32>
}
func.func @site_grad_bf16_4096(%q: tensor<4096xbf16>, %v0: tensor<?x4096xbf16>, %v1: tensor<?x4096xbf16>, %v2: tensor<?x4096xbf16>, %v3: tensor<?x4096xbf16>, %v4: tensor<?x4096xbf16>, %v5: tensor<?x4096xbf16>, %v6: tensor<?x4096xbf16>, %v7: tensor<?x4096xbf16>, %v8: tensor<?x4096xbf16>, %g: tensor<?x4096xbf16>) -> (tensor<4096xbf16>, tensor<?x4096xbf16>, tensor<?x4096xbf16>, tensor<?x4096xbf16>, tensor<?x4096xbf16>, tensor<?x4096xbf16>, tensor<?x4096xbf16>, tensor<?x4096xbf16>, tensor<?x4096xbf16>, tensor<?x4096xbf16>) {
  %dq, %dv:9 = attnres.depth_attn_grad %q, [%v0, %v1, %v2, %v3, %v4, %v5, %v6, %v7, %v8], %g : tensor<4096xbf16>, tensor<?x4096xbf16>, tensor<?x4096xbf16> -> tensor<4096xbf16>, tensor<?x4096xbf16>
  return %dq, %dv#0, %dv#1, %dv#2, %dv#3, %dv#4, %dv#5, %dv#6, %dv#7, %dv#8 : tensor<4096xbf16>, tensor<?x4096xbf16>, tensor<?x4096xbf16>, tensor<?x4096xbf16>, tensor<?x4096xbf16>, tensor<?x4096xbf16>, tensor<?x4096xbf16>, tensor<?x4096xbf16>, tensor<?x4096xbf16>, tensor<?x4096xbf16>
}
func.func @norm_grad_f32_4096(%x: tensor<?x4096xf32>, %gain: tensor<4096xf32>, %g: tensor<?x4096xf32>) -> (tensor<?x4096xf32>, tensor<4096xf32>) {
  %dx, %dgain = attnres.rms_norm_grad %x, %gain, %g : tensor<?x4096xf32>, tensor<4096xf32>
  return %dx, %dgain : tensor<?x4096xf32>, tensor<4096xf32>
}
func.func @norm_grad_bf16_7168(%x: tensor<?x7168xbf16>, %gain: tensor<7168xbf16>, %g: tensor<?x7168xbf16>) -> (tensor<?x7168xbf16>, tensor<7168xbf16>) {
  %dx, %dgain = attnres.rms_norm_grad %x, %gain, %g : tensor<?x7168xbf16>, tensor<7168xbf16>
  return %dx, %dgain : tensor<?x7168xbf16>, tensor<7168xbf16>
}
func.func @merge_grad_f32_4096(%o: tensor<?x4096xf32>, %lse: tensor<?xf32>, %q: tensor<4096xf32>, %u: tensor<?x4096xf32>, %g: tensor<?x4096xf32>) -> (tensor<?x4096xf32>, tensor<?xf32>, tensor<4096xf32>, tensor<?x4096xf32>) {
  %do, %dlse, %dq, %du = attnres.depth_attn_merge_grad %o, %lse, %q, %u, %g : tensor<?x4096xf32>, tensor<?xf32>, tensor<4096xf32>
  return %do, %dlse, %dq, %du : tensor<?x4096xf32>, tensor<?xf32>, tensor<4096xf32>, tensor<?x4096xf32>
}
func.func @merge_grad_bf16_7168(%o: tensor<?x7168xbf16>, %lse: tensor<?xf32>, %q: tensor<7168xbf16>, %u: tensor<?x7168xbf16>, %g: tensor<?x7168xbf16>) -> (tensor<?x7168xbf16>, tensor<?xf32>, tensor<7168xbf16>, tensor<?x7168xbf16>) {
  %do, %dlse, %dq, %du = attnres.depth_attn_merge_grad %o, %lse, %q, %u, %g : tensor<?x7168xbf16>, tensor<?xf32>, tensor<7168xbf16>
  return %do, %dlse, %dq, %du : tensor<?x7168xbf16>, tensor<?xf32>, tensor<7168xbf16>, tensor<?x7168xbf16>
}
func.func @stats_grad_f32_4096(%Q: tensor<4x4096xf32>, %v0: tensor<?x4096xf32>, %v1: tensor<?x4096xf32>, %v2: tensor<?x4096xf32>, %v3: tensor<?x4096xf32>, %v4: tensor<?x4096xf32>, %v5: tensor<?x4096xf32>, %v6: tensor<?x4096xf32>, %v7: tensor<?x4096xf32>, %v8: tensor<?x4096xf32>, %lse: tensor<4x?xf32>, %do: tensor<4x?x4096xf32>, %dlse: tensor<4x?xf32>) -> (tensor<4x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>) {
  %dQ, %dv:9 = attnres.depth_attn_stats_grad %Q, [%v0, %v1, %v2, %v3, %v4, %v5, %v6, %v7, %v8], %lse, %do, %dlse : tensor<4x4096xf32>, tensor<?x4096xf32>, tensor<4x?xf32>, tensor<4x?x4096xf32> -> tensor<4x4096xf32>, tensor<?x4096xf32>
  return %dQ, %dv#0, %dv#1, %dv#2, %dv#3, %dv#4, %dv#5, %dv#6, %dv#7, %dv#8 : tensor<4x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<?x4096xf32>
}
func.func @stats_grad_bf16_7168(%Q: tensor<4x7168xbf16>, %v0: tensor<?x7168xbf16>, %v1: tensor<?x7168xbf16>, %v2: tensor<?x7168xbf16>, %v3: tensor<?x7168xbf16>, %v4: tensor<?x7168xbf16>, %v5: tensor<?x7168xbf16>, %v6: tensor<?x7168xbf16>, %v7: tensor<?x7168xbf16>, %v8: tensor<?x7168xbf16>, %lse: tensor<4x?xf32>, %do: tensor<4x?x7168xbf16>, %dlse: tensor<4x?xf32>) -> (tensor<4x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>) {
  %dQ, %dv:9 = attnres.depth_attn_stats_grad %Q, [%v0, %v1, %v2, %v3, %v4, %v5, %v6, %v7, %v8], %lse, %do, %dlse : tensor<4x7168xbf16>, tensor<?x7168xbf16>, tensor<4x?xf32>, tensor<4x?x7168xbf16> -> tensor<4x7168xbf16>, tensor<?x7168xbf16>
  return %dQ, %dv#0, %dv#1, %dv#2, %dv#3, %dv#4, %dv#5, %dv#6, %dv#7, %dv#8 : tensor<4x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>, tensor<?x7168xbf16>
}
