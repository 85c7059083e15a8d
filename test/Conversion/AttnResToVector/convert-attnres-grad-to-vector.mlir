// The fused depth_attn_grad kernel: a parallel loop over row tiles whose
// outputs are the dV_j rows and one dq accumulator row per tile; per row, one
// loop over D for the statistics of all sources (Σv², q·v, g·v), one that
// writes every dV_j and one that accumulates dq; after the tiles, dq is the
// sum of the accumulators.
//
// RUN: attnres-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector))' | FileCheck %s

// CHECK-LABEL: func.func @depth_attn_grad
// CHECK-NOT: attnres.depth_attn_grad
// CHECK: scf.forall ({{.*}}) in ({{.*}}) shared_outs({{.*}}) -> (tensor<64x128xf32>, tensor<64x128xf32>, tensor<?x128xf32>)
// CHECK: scf.for
// Pass 1: three accumulators per source.
// CHECK: scf.for {{.*}} iter_args({{.*}}, {{.*}}, {{.*}}, {{.*}}, {{.*}}, {{.*}}) -> (vector<[[W:[0-9]+]]xf32>, vector<[[W]]xf32>, vector<[[W]]xf32>, vector<[[W]]xf32>, vector<[[W]]xf32>, vector<[[W]]xf32>)
// CHECK: math.rsqrt
// Pass 2: both dV rows (tagged for non-temporal stores when large), then the
// accumulator.
// CHECK: scf.for {{.*}} -> (tensor<?x128xf32>, tensor<?x128xf32>)
// CHECK: scf.for {{.*}} -> (tensor<1x128xf32>)
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice
// The sum of the accumulators.
// CHECK: scf.for {{.*}} -> (tensor<128xf32>)
// CHECK: return
func.func @depth_attn_grad(%q: tensor<128xf32>, %v0: tensor<64x128xf32>, %v1: tensor<64x128xf32>, %g: tensor<64x128xf32>) -> (tensor<128xf32>, tensor<64x128xf32>, tensor<64x128xf32>) {
  %dq, %dv:2 = attnres.depth_attn_grad %q, [%v0, %v1], %g : tensor<128xf32>, tensor<64x128xf32>, tensor<64x128xf32> -> tensor<128xf32>, tensor<64x128xf32>
  return %dq, %dv#0, %dv#1 : tensor<128xf32>, tensor<64x128xf32>, tensor<64x128xf32>
}

// -----

// A static zero token dim: dq is zero, not empty; left to the linalg lowering.
// CHECK-LABEL: func.func @negative_depth_attn_grad_no_rows
// CHECK: attnres.depth_attn_grad
func.func @negative_depth_attn_grad_no_rows(%q: tensor<16xf32>, %v0: tensor<0x16xf32>, %g: tensor<0x16xf32>) -> tensor<16xf32> {
  %dq, %dv = attnres.depth_attn_grad %q, [%v0], %g : tensor<16xf32>, tensor<0x16xf32>, tensor<0x16xf32> -> tensor<16xf32>, tensor<0x16xf32>
  return %dq : tensor<16xf32>
}

// -----

// depth_attn_merge_grad: outputs do, du (rows), dlse (one float per row) and
// the dq accumulators; one statistics loop (Σu², q·u, g·(u − o)), one output
// loop, one accumulator loop per row.
// CHECK-LABEL: func.func @depth_attn_merge_grad
// CHECK-NOT: attnres.depth_attn_merge_grad
// CHECK: scf.forall ({{.*}}) in ({{.*}}) shared_outs({{.*}}) -> (tensor<64x128xf32>, tensor<64x128xf32>, tensor<64xf32>, tensor<?x128xf32>)
// CHECK: scf.for {{.*}} -> (vector<[[W:[0-9]+]]xf32>, vector<[[W]]xf32>, vector<[[W]]xf32>)
// CHECK: math.rsqrt
// CHECK: tensor.insert
// CHECK: scf.for {{.*}} -> (tensor<?x128xf32>, tensor<?x128xf32>)
// CHECK: scf.for {{.*}} -> (tensor<1x128xf32>)
// CHECK: return
func.func @depth_attn_merge_grad(%o: tensor<64x128xf32>, %lse: tensor<64xf32>, %q: tensor<128xf32>, %u: tensor<64x128xf32>, %g: tensor<64x128xf32>) -> (tensor<64x128xf32>, tensor<64xf32>, tensor<128xf32>, tensor<64x128xf32>) {
  %do, %dlse, %dq, %du = attnres.depth_attn_merge_grad %o, %lse, %q, %u, %g : tensor<64x128xf32>, tensor<64xf32>, tensor<128xf32>
  return %do, %dlse, %dq, %du : tensor<64x128xf32>, tensor<64xf32>, tensor<128xf32>, tensor<64x128xf32>
}

// -----

// rms_norm_grad: dx rows and the dgain accumulators; statistics (Σx², Σγgx),
// output loop, accumulator loop per row.
// CHECK-LABEL: func.func @rms_norm_grad
// CHECK-NOT: attnres.rms_norm_grad
// CHECK: scf.forall ({{.*}}) in ({{.*}}) shared_outs({{.*}}) -> (tensor<64x128xbf16>, tensor<?x128xf32>)
// CHECK: scf.for {{.*}} -> (vector<[[W:[0-9]+]]xf32>, vector<[[W]]xf32>)
// CHECK: math.rsqrt
// CHECK: scf.for {{.*}} -> (tensor<?x128xbf16>)
// CHECK: scf.for {{.*}} -> (tensor<1x128xf32>)
// dgain: summed in f32, written as bf16.
// CHECK: scf.for {{.*}} -> (tensor<128xbf16>)
func.func @rms_norm_grad(%x: tensor<64x128xbf16>, %gain: tensor<128xbf16>, %g: tensor<64x128xbf16>) -> (tensor<64x128xbf16>, tensor<128xbf16>) {
  %dx, %dgain = attnres.rms_norm_grad %x, %gain, %g : tensor<64x128xbf16>, tensor<128xbf16>
  return %dx, %dgain : tensor<64x128xbf16>, tensor<128xbf16>
}

// -----

// depth_attn_stats_grad with 2 static queries: dV rows and [tasks, 2, D]
// accumulators; per source 1 + 2·2 statistics accumulators; the weights from
// the saved LSE (no max).
// CHECK-LABEL: func.func @depth_attn_stats_grad
// CHECK-NOT: attnres.depth_attn_stats_grad
// CHECK: scf.forall ({{.*}}) in ({{.*}}) shared_outs({{.*}}) -> (tensor<64x128xf32>, tensor<64x128xf32>, tensor<?x2x128xf32>)
// CHECK: scf.for {{.*}} -> (vector<[[W:[0-9]+]]xf32>, vector<[[W]]xf32>, vector<[[W]]xf32>, vector<[[W]]xf32>, vector<[[W]]xf32>, vector<[[W]]xf32>, vector<[[W]]xf32>, vector<[[W]]xf32>, vector<[[W]]xf32>, vector<[[W]]xf32>)
// CHECK-NOT: arith.maximumf
// CHECK: math.exp
// CHECK: scf.for {{.*}} -> (tensor<?x128xf32>, tensor<?x128xf32>)
// CHECK: scf.for {{.*}} -> (tensor<1x2x128xf32>)
// CHECK: return
func.func @depth_attn_stats_grad(%Q: tensor<2x128xf32>, %b0: tensor<64x128xf32>, %b1: tensor<64x128xf32>,
                                 %lse: tensor<2x64xf32>, %do: tensor<2x64x128xf32>, %dlse: tensor<2x64xf32>) -> (tensor<2x128xf32>, tensor<64x128xf32>, tensor<64x128xf32>) {
  %dQ, %dv:2 = attnres.depth_attn_stats_grad %Q, [%b0, %b1], %lse, %do, %dlse
      : tensor<2x128xf32>, tensor<64x128xf32>, tensor<2x64xf32>, tensor<2x64x128xf32> -> tensor<2x128xf32>, tensor<64x128xf32>
  return %dQ, %dv#0, %dv#1 : tensor<2x128xf32>, tensor<64x128xf32>, tensor<64x128xf32>
}

// -----

// More than 8 (or a dynamic number of) queries: left to the linalg lowering.
// CHECK-LABEL: func.func @negative_depth_attn_stats_grad_dynamic_queries
// CHECK: attnres.depth_attn_stats_grad
func.func @negative_depth_attn_stats_grad_dynamic_queries(%Q: tensor<?x16xf32>, %b0: tensor<8x16xf32>,
    %lse: tensor<?x8xf32>, %do: tensor<?x8x16xf32>) -> tensor<8x16xf32> {
  %dQ, %dv = attnres.depth_attn_stats_grad %Q, [%b0], %lse, %do, %lse
      : tensor<?x16xf32>, tensor<8x16xf32>, tensor<?x8xf32>, tensor<?x8x16xf32> -> tensor<?x16xf32>, tensor<8x16xf32>
  return %dv : tensor<8x16xf32>
}
