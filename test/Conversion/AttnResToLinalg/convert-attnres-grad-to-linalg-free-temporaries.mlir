// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{free-temporaries=true}))' | FileCheck %s --implicit-check-not=memref.alloc --implicit-check-not=memref.dealloc
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg))' | FileCheck %s --check-prefix=KEEP

// free-temporaries on the memref form of the four gradient ops (as for the
// forward ops, convert-attnres-to-linalg-free-temporaries.mlir): every
// memref.alloc of the decomposition (row statistics, per-row coefficients,
// the f32 accumulator of a bf16 vector gradient) is deallocated right after
// the decomposition's last linalg op; the outs buffers are the caller's and
// are not freed (--implicit-check-not: no other alloc or dealloc). Dynamic
// token rows and a dynamic query count (what attnres-to-nvvm's gradient
// kernels leave to this lowering) allocate with dynamic sizes. Without the
// option the temporaries are left to upstream's buffer deallocation.
// KEEP-NOT: memref.dealloc

// depth_attn_grad, bf16, dynamic token rows: six row statistics, six
// per-row coefficients, the f32 accumulator of dq.
// CHECK-LABEL: func.func @site(
// CHECK: %[[S0:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: %[[S1:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: %[[S2:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: %[[S3:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: %[[S4:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: %[[S5:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: linalg.generic
// CHECK: %[[S6:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: %[[S7:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: %[[S8:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: %[[S9:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: %[[S10:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: %[[S11:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: %[[S12:.*]] = memref.alloc() : memref<64xf32>
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: linalg.yield
// CHECK-NEXT: }
// CHECK-NEXT: memref.dealloc %[[S0]] : memref<?xf32>
// CHECK-NEXT: memref.dealloc %[[S1]] : memref<?xf32>
// CHECK-NEXT: memref.dealloc %[[S2]] : memref<?xf32>
// CHECK-NEXT: memref.dealloc %[[S3]] : memref<?xf32>
// CHECK-NEXT: memref.dealloc %[[S4]] : memref<?xf32>
// CHECK-NEXT: memref.dealloc %[[S5]] : memref<?xf32>
// CHECK-NEXT: memref.dealloc %[[S6]] : memref<?xf32>
// CHECK-NEXT: memref.dealloc %[[S7]] : memref<?xf32>
// CHECK-NEXT: memref.dealloc %[[S8]] : memref<?xf32>
// CHECK-NEXT: memref.dealloc %[[S9]] : memref<?xf32>
// CHECK-NEXT: memref.dealloc %[[S10]] : memref<?xf32>
// CHECK-NEXT: memref.dealloc %[[S11]] : memref<?xf32>
// CHECK-NEXT: memref.dealloc %[[S12]] : memref<64xf32>
// CHECK-NEXT: return
func.func @site(%q: memref<64xbf16>, %v0: memref<?x64xbf16>, %v1: memref<?x64xbf16>, %g: memref<?x64xbf16>, %dq: memref<64xbf16>, %dv0: memref<?x64xbf16>, %dv1: memref<?x64xbf16>) {
  attnres.depth_attn_grad %q, [%v0, %v1], %g outs(%dq, %dv0, %dv1 : memref<64xbf16>, memref<?x64xbf16>, memref<?x64xbf16>) : memref<64xbf16>, memref<?x64xbf16>, memref<?x64xbf16>
  return
}

// rms_norm_grad, bf16: two row statistics, the f32 accumulator of dgain.
// CHECK-LABEL: func.func @norm(
// CHECK: %[[N0:.*]] = memref.alloc() : memref<4xf32>
// CHECK: %[[N1:.*]] = memref.alloc() : memref<4xf32>
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: %[[N2:.*]] = memref.alloc() : memref<64xf32>
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: linalg.yield
// CHECK-NEXT: }
// CHECK-NEXT: memref.dealloc %[[N0]] : memref<4xf32>
// CHECK-NEXT: memref.dealloc %[[N1]] : memref<4xf32>
// CHECK-NEXT: memref.dealloc %[[N2]] : memref<64xf32>
// CHECK-NEXT: return
func.func @norm(%x: memref<4x64xbf16>, %gain: memref<64xbf16>, %g: memref<4x64xbf16>, %dx: memref<4x64xbf16>, %dgain: memref<64xbf16>) {
  attnres.rms_norm_grad %x, %gain, %g outs(%dx, %dgain : memref<4x64xbf16>, memref<64xbf16>) : memref<4x64xbf16>, memref<64xbf16>
  return
}

// depth_attn_stats_grad, f32, dynamic query count: the f32 gradients
// accumulate in their destinations; Σv² per source, dot products and
// coefficients per (query, row).
// CHECK-LABEL: func.func @stats(
// CHECK: %[[T0:.*]] = memref.alloc() : memref<8xf32>
// CHECK: %[[T1:.*]] = memref.alloc() : memref<8xf32>
// CHECK: linalg.generic
// CHECK: %[[T2:.*]] = memref.alloc(%{{.*}}) : memref<?x8xf32>
// CHECK: %[[T3:.*]] = memref.alloc(%{{.*}}) : memref<?x8xf32>
// CHECK: %[[T4:.*]] = memref.alloc(%{{.*}}) : memref<?x8xf32>
// CHECK: %[[T5:.*]] = memref.alloc(%{{.*}}) : memref<?x8xf32>
// CHECK: linalg.generic
// CHECK: %[[T6:.*]] = memref.alloc(%{{.*}}) : memref<?x8xf32>
// CHECK: %[[T7:.*]] = memref.alloc(%{{.*}}) : memref<?x8xf32>
// CHECK: %[[T8:.*]] = memref.alloc(%{{.*}}) : memref<?x8xf32>
// CHECK: %[[T9:.*]] = memref.alloc(%{{.*}}) : memref<?x8xf32>
// CHECK: %[[T10:.*]] = memref.alloc(%{{.*}}) : memref<?x8xf32>
// CHECK: %[[T11:.*]] = memref.alloc(%{{.*}}) : memref<?x8xf32>
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: linalg.yield
// CHECK-NEXT: }
// CHECK-NEXT: memref.dealloc %[[T0]] : memref<8xf32>
// CHECK-NEXT: memref.dealloc %[[T1]] : memref<8xf32>
// CHECK-NEXT: memref.dealloc %[[T2]] : memref<?x8xf32>
// CHECK-NEXT: memref.dealloc %[[T3]] : memref<?x8xf32>
// CHECK-NEXT: memref.dealloc %[[T4]] : memref<?x8xf32>
// CHECK-NEXT: memref.dealloc %[[T5]] : memref<?x8xf32>
// CHECK-NEXT: memref.dealloc %[[T6]] : memref<?x8xf32>
// CHECK-NEXT: memref.dealloc %[[T7]] : memref<?x8xf32>
// CHECK-NEXT: memref.dealloc %[[T8]] : memref<?x8xf32>
// CHECK-NEXT: memref.dealloc %[[T9]] : memref<?x8xf32>
// CHECK-NEXT: memref.dealloc %[[T10]] : memref<?x8xf32>
// CHECK-NEXT: memref.dealloc %[[T11]] : memref<?x8xf32>
// CHECK-NEXT: return
func.func @stats(%Q: memref<?x64xf32>, %v0: memref<8x64xf32>, %v1: memref<8x64xf32>, %lse: memref<?x8xf32>, %dO: memref<?x8x64xf32>, %dlse: memref<?x8xf32>, %dQ: memref<?x64xf32>, %dv0: memref<8x64xf32>, %dv1: memref<8x64xf32>) {
  attnres.depth_attn_stats_grad %Q, [%v0, %v1], %lse, %dO, %dlse outs(%dQ, %dv0, %dv1 : memref<?x64xf32>, memref<8x64xf32>, memref<8x64xf32>) : memref<?x64xf32>, memref<8x64xf32>, memref<?x8xf32>, memref<?x8x64xf32>, memref<?x8xf32>
  return
}

// depth_attn_merge_grad, f32: three row statistics and three per-row
// coefficients (dlse is written into its destination).
// CHECK-LABEL: func.func @merge(
// CHECK: %[[M0:.*]] = memref.alloc() : memref<8xf32>
// CHECK: %[[M1:.*]] = memref.alloc() : memref<8xf32>
// CHECK: %[[M2:.*]] = memref.alloc() : memref<8xf32>
// CHECK: linalg.generic
// CHECK: %[[M3:.*]] = memref.alloc() : memref<8xf32>
// CHECK: %[[M4:.*]] = memref.alloc() : memref<8xf32>
// CHECK: %[[M5:.*]] = memref.alloc() : memref<8xf32>
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: linalg.yield
// CHECK-NEXT: }
// CHECK-NEXT: memref.dealloc %[[M0]] : memref<8xf32>
// CHECK-NEXT: memref.dealloc %[[M1]] : memref<8xf32>
// CHECK-NEXT: memref.dealloc %[[M2]] : memref<8xf32>
// CHECK-NEXT: memref.dealloc %[[M3]] : memref<8xf32>
// CHECK-NEXT: memref.dealloc %[[M4]] : memref<8xf32>
// CHECK-NEXT: memref.dealloc %[[M5]] : memref<8xf32>
// CHECK-NEXT: return
func.func @merge(%o: memref<8x64xf32>, %lse: memref<8xf32>, %q: memref<64xf32>, %u: memref<8x64xf32>, %g: memref<8x64xf32>, %do: memref<8x64xf32>, %dl: memref<8xf32>, %dq: memref<64xf32>, %du: memref<8x64xf32>) {
  attnres.depth_attn_merge_grad %o, %lse, %q, %u, %g outs(%do, %dl, %dq, %du : memref<8x64xf32>, memref<8xf32>, memref<64xf32>, memref<8x64xf32>) : memref<8x64xf32>, memref<8xf32>, memref<64xf32>
  return
}
