// The merge kernel with its norm epilogue (depth_attn_merge_norm, made by
// attnres-to-nvvm's attnres-fuse-norm-epilogues{producers=merges} from a
// merge followed by the next PreNorm) at production shapes, compiled by
// ptxas for sm_80 and sm_90: one kernel per merge (no separate norm
// launch), no spills, no stack frame, at most 128 registers, 128-bit global
// loads. h kept (also returned) and not. sm_90 registers:
// bf16 4096/7168 60/60, f32 4096 (h kept) 40, f32 7168 45 (sm_80 44); the PTX
// is identical to what the user-peeking pattern emitted before this change.
// REQUIRES: ptxas
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa chip=sm_90 features=+ptx80" > %t.sm90.mlir
// RUN: %python %attnres_src_root/scripts/gpu_kernel_report.py ptxas %t.sm90.mlir --chip sm_90 | FileCheck %s --check-prefix=CHECK-RES
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa chip=sm_80 features=+ptx70" > %t.sm80.mlir
// RUN: %python %attnres_src_root/scripts/gpu_kernel_report.py ptxas %t.sm80.mlir --chip sm_80 | FileCheck %s --check-prefix=CHECK-RES
// RUN: %extract_ptx --all %t.sm90.mlir | FileCheck %s --check-prefix=CHECK-PTX

// CHECK-RES-COUNT-4: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK-RES-NOT: bytes spill
// CHECK-RES-NOT: Used {{(129|1[3-9][0-9]|2[0-9][0-9])}} registers

// CHECK-PTX-COUNT-4: .visible .entry
// CHECK-PTX-NOT: .visible .entry
// CHECK-PTX-NOT: ld.local
// CHECK-PTX-NOT: st.local
// CHECK-PTX-NOT: ld.global.v2

func.func @merge_norm_bf16_4096(%o: tensor<?x4096xbf16>, %lse: tensor<?xf32>, %q: tensor<4096xf32>, %u: tensor<?x4096xbf16>, %g: tensor<4096xbf16>) -> tensor<?x4096xbf16> {
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<?x4096xbf16>, tensor<?xf32>, tensor<4096xf32>, tensor<?x4096xbf16>
  %y = attnres.rms_norm %h, %g : tensor<?x4096xbf16>, tensor<4096xbf16>
  return %y : tensor<?x4096xbf16>
}
func.func @merge_norm_bf16_7168(%o: tensor<?x7168xbf16>, %lse: tensor<?xf32>, %q: tensor<7168xf32>, %u: tensor<?x7168xbf16>, %g: tensor<7168xbf16>) -> tensor<?x7168xbf16> {
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<?x7168xbf16>, tensor<?xf32>, tensor<7168xf32>, tensor<?x7168xbf16>
  %y = attnres.rms_norm %h, %g : tensor<?x7168xbf16>, tensor<7168xbf16>
  return %y : tensor<?x7168xbf16>
}
func.func @merge_norm_keep_f32_4096(%o: tensor<?x4096xf32>, %lse: tensor<?xf32>, %q: tensor<4096xf32>, %u: tensor<?x4096xf32>, %g: tensor<4096xf32>) -> (tensor<?x4096xf32>, tensor<?x4096xf32>) {
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<?x4096xf32>, tensor<?xf32>, tensor<4096xf32>, tensor<?x4096xf32>
  %y = attnres.rms_norm %h, %g : tensor<?x4096xf32>, tensor<4096xf32>
  return %h, %y : tensor<?x4096xf32>, tensor<?x4096xf32>
}
func.func @merge_norm_f32_7168(%o: tensor<?x7168xf32>, %lse: tensor<?xf32>, %q: tensor<7168xf32>, %u: tensor<?x7168xf32>, %g: tensor<7168xf32>) -> tensor<?x7168xf32> {
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<?x7168xf32>, tensor<?xf32>, tensor<7168xf32>, tensor<?x7168xf32>
  %y = attnres.rms_norm %h, %g : tensor<?x7168xf32>, tensor<7168xf32>
  return %y : tensor<?x7168xf32>
}
