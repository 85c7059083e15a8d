// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector))' --split-input-file | FileCheck %s
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector{vector-width=8 rows-per-task=4}))' --split-input-file | FileCheck %s --check-prefix=W8
// RUN: not attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector{vector-width=12}))' --split-input-file 2>&1 | FileCheck %s --check-prefix=BADWIDTH
// BADWIDTH: vector-width must be a power of two, got 12
// RUN: not attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector{sources-per-loop=0}))' --split-input-file 2>&1 | FileCheck %s --check-prefix=BADGROUP
// BADGROUP: sources-per-loop must be positive
// RUN: not attnres-opt %s --attnres-to-llvm=streaming-min-bytes=-1 --split-input-file 2>&1 | FileCheck %s --check-prefix=BADSTREAM
// BADSTREAM: error: convert-attnres-to-vector: streaming-min-bytes must not be negative, got -1
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector{streaming-min-bytes=0 sources-per-loop=4}))' --split-input-file | FileCheck %s --check-prefix=NOSTREAM
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector{bf16-pairs=false}))' --split-input-file | FileCheck %s --check-prefix=NOPAIRS
// The output is valid IR that survives a round trip (custom and generic form).
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector))' --split-input-file | attnres-opt --split-input-file --verify-roundtrip > /dev/null

// The fused site: parallel row tiles; per row one loop over D reading every
// source once (both reductions per source), scalar softmax, then the
// weighted-sum loop. bf16 (default bf16-pairs): 32 elements per step, the
// i32 view of each pair split into the even (x << 16) and odd
// (x & 0xFFFF0000) f32 halves; the output halves are rounded to nearest even
// in integer ops and interleaved back.
// CHECK-LABEL: func.func @site_bf16
// CHECK-SAME: (%[[Q:.*]]: tensor<64xf32>, %[[V0:.*]]: tensor<?x64xbf16>, %[[V1:.*]]: tensor<?x64xbf16>)
// CHECK: %[[ROWS:.*]] = tensor.dim %[[V0]]
// CHECK: scf.if
// CHECK: } else {
// The task tiling comes from scf::tileUsingSCF on the op's TilingInterface:
// tiles of 8 rows (rows-per-task) of every source; the tiled op is lowered
// with its row loop writing the tile's slice of the shared output.
// CHECK: scf.forall (%[[IV:.*]]) = (0) to (%[[ROWS2:.*]]) step (8) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<?x64xbf16>)
// CHECK: %[[SZ:.*]] = affine.min #{{.*}}(%[[IV]])[%[[ROWS2]]]
// CHECK: %[[S0:.*]] = tensor.extract_slice %[[V0]][%[[IV]], 0] [%[[SZ]], 64] [1, 1] : tensor<?x64xbf16> to tensor<?x64xbf16>
// CHECK: %[[S1:.*]] = tensor.extract_slice %[[V1]][%[[IV]], 0] [%[[SZ]], 64] [1, 1] : tensor<?x64xbf16> to tensor<?x64xbf16>
// CHECK: %[[T:.*]] = tensor.extract_slice %[[OUT]][%[[IV]], 0] [%[[SZ]], 64] [1, 1] : tensor<?x64xbf16> to tensor<?x64xbf16>
// CHECK: %[[N:.*]] = tensor.dim %[[S0]]
// CHECK: scf.for %[[ROW:.*]] = %{{.*}} to %[[N]] step %{{.*}} iter_args(%{{.*}} = %[[T]]) -> (tensor<?x64xbf16>)
// CHECK: %[[C32:.*]] = arith.constant 32 : index
// CHECK: %[[STATS:.*]]:4 = scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step %[[C32]] iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: %[[QV:.*]] = vector.transfer_read %[[Q]][%[[C]]]{{.*}} : tensor<64xf32>, vector<32xf32>
// CHECK: %[[QE:.*]], %[[QO:.*]] = vector.deinterleave %[[QV]]
// CHECK: %[[X0:.*]] = vector.transfer_read %[[S0]][%[[ROW]], %[[C]]]{{.*}} : tensor<?x64xbf16>, vector<32xbf16>
// CHECK: %[[B0:.*]] = vector.bitcast %[[X0]] : vector<32xbf16> to vector<16xi32>
// CHECK: %[[SH:.*]] = arith.constant dense<16> : vector<16xi32>
// CHECK: %[[EI:.*]] = arith.shli %[[B0]], %[[SH]]
// CHECK: %[[HI:.*]] = arith.constant dense<-65536> : vector<16xi32>
// CHECK: %[[OI:.*]] = arith.andi %[[B0]], %[[HI]]
// CHECK: %[[E0:.*]] = arith.bitcast %[[EI]] : vector<16xi32> to vector<16xf32>
// CHECK: %[[O0:.*]] = arith.bitcast %[[OI]] : vector<16xi32> to vector<16xf32>
// CHECK: %[[SE:.*]] = vector.fma %[[E0]], %[[E0]]
// CHECK: vector.fma %[[O0]], %[[O0]], %[[SE]]
// CHECK: %[[DE:.*]] = vector.fma %[[QE]], %[[E0]]
// CHECK: vector.fma %[[QO]], %[[O0]], %[[DE]]
// CHECK: vector.transfer_read %[[S1]][%[[ROW]], %[[C]]]
// CHECK: scf.yield
// CHECK-COUNT-4: vector.reduction <add>
// CHECK: math.rsqrt
// CHECK: math.exp
// CHECK: scf.for {{.*}} -> (tensor<?x64xbf16>)
// CHECK: arith.cmpf uno
// CHECK: arith.shrui
// CHECK: arith.ori {{.*}} : vector<16xi32>
// CHECK: vector.bitcast {{.*}} : vector<16xi32> to vector<32xbf16>
// CHECK: vector.transfer_write {{.*}} : vector<32xbf16>, tensor<?x64xbf16>
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[OUT]][%[[IV]], 0] [%[[SZ]], 64] [1, 1]
// CHECK-NOT: attnres.depth_attn
// With bf16-pairs=false: extend 16 elements, truncate on the way out.
// NOPAIRS-LABEL: func.func @site_bf16
// NOPAIRS: %[[X0:.*]] = vector.transfer_read %{{.*}} : tensor<?x64xbf16>, vector<16xbf16>
// NOPAIRS: %[[E0:.*]] = arith.extf %[[X0]] : vector<16xbf16> to vector<16xf32>
// NOPAIRS: vector.fma %[[E0]], %[[E0]]
// NOPAIRS: arith.truncf {{.*}} : vector<16xf32> to vector<16xbf16>
// NOPAIRS: vector.transfer_write
// W8-LABEL: func.func @site_bf16
// W8: arith.constant 4 : index
// W8: vector.transfer_read {{.*}} : tensor<?x64xbf16>, vector<16xbf16>
// W8: vector.bitcast {{.*}} : vector<16xbf16> to vector<8xi32>
// W8: vector<8xf32>
func.func @site_bf16(%q: tensor<64xf32>, %v0: tensor<?x64xbf16>, %v1: tensor<?x64xbf16>) -> tensor<?x64xbf16> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf32>, tensor<?x64xbf16> -> tensor<?x64xbf16>
  return %h : tensor<?x64xbf16>
}

// -----

// D = 12: the width drops to 4, the largest power of two dividing D.
// Token dims are flattened into rows and restored.
// CHECK-LABEL: func.func @site_rank3_odd_hidden
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<2x3x12xf32> into tensor<6x12xf32>
// CHECK: vector<4xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2]] output_shape [2, 3, 12] : tensor<6x12xf32> into tensor<2x3x12xf32>
func.func @site_rank3_odd_hidden(%q: tensor<12xf32>, %v0: tensor<2x3x12xf32>, %v1: tensor<2x3x12xf32>) -> tensor<2x3x12xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<12xf32>, tensor<2x3x12xf32> -> tensor<2x3x12xf32>
  return %h : tensor<2x3x12xf32>
}

// -----

// Phase 1 with 3 static queries: one loop over D loads each source chunk
// once and accumulates Σ v² and the 3 dot products; one weighted-sum loop
// writes the 3 output rows; the LSE is stored per query and row.
// CHECK-LABEL: func.func @stats
// CHECK: scf.forall {{.*}} -> (tensor<3x?x32xf32>, tensor<3x?xf32>)
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-3: : tensor<3x32xf32>, vector<16xf32>
// CHECK: math.log
// CHECK: tensor.insert
// CHECK: math.log
// CHECK: tensor.insert
// CHECK: math.log
// CHECK: tensor.insert
// CHECK: scf.for {{.*}} -> (tensor<3x?x32xf32>)
// CHECK-COUNT-3: vector.transfer_write
func.func @stats(%Q: tensor<3x32xf32>, %b0: tensor<?x32xf32>, %b1: tensor<?x32xf32>) -> (tensor<3x?x32xf32>, tensor<3x?xf32>) {
  %o, %lse = attnres.depth_attn_stats %Q, [%b0, %b1] : tensor<3x32xf32>, tensor<?x32xf32> -> tensor<3x?x32xf32>, tensor<3x?xf32>
  return %o, %lse : tensor<3x?x32xf32>, tensor<3x?xf32>
}

// -----

// A dynamic number of queries: a loop over queries re-reads the cached row.
// CHECK-LABEL: func.func @stats_dynamic_queries
// CHECK: scf.forall
// CHECK: scf.for {{.*}} -> (tensor<?x?x32xf32>, tensor<?x?xf32>)
// CHECK: math.log
// CHECK: tensor.insert
func.func @stats_dynamic_queries(%Q: tensor<?x32xf32>, %b0: tensor<?x32xf32>, %b1: tensor<?x32xf32>) -> (tensor<?x?x32xf32>, tensor<?x?xf32>) {
  %o, %lse = attnres.depth_attn_stats %Q, [%b0, %b1] : tensor<?x32xf32>, tensor<?x32xf32> -> tensor<?x?x32xf32>, tensor<?x?xf32>
  return %o, %lse : tensor<?x?x32xf32>, tensor<?x?xf32>
}

// -----

// Phase 2: one statistics loop over u, then h = o + w·(u − o) per vector.
// CHECK-LABEL: func.func @merge
// CHECK: scf.forall
// CHECK: tensor.extract %{{.*}}[%{{.*}}] : tensor<?xf32>
// CHECK: arith.subf {{.*}} : vector<16xf32>
// CHECK: vector.fma
func.func @merge(%o: tensor<?x32xf16>, %lse: tensor<?xf32>, %q: tensor<32xf16>, %u: tensor<?x32xf16>) -> tensor<?x32xf16> {
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<?x32xf16>, tensor<?xf32>, tensor<32xf16>, tensor<?x32xf16>
  return %h : tensor<?x32xf16>
}

// -----

// A dynamic hidden size is left for convert-attnres-to-linalg to report.
// CHECK-LABEL: func.func @negative_dynamic_hidden
// CHECK: attnres.depth_attn
func.func @negative_dynamic_hidden(%q: tensor<?xf32>, %v0: tensor<4x?xf32>) -> tensor<4x?xf32> {
  %h = attnres.depth_attn %q, [%v0, %v0] : tensor<?xf32>, tensor<4x?xf32> -> tensor<4x?xf32>
  return %h : tensor<4x?xf32>
}

// -----

// Rank-1 sources (one row, no token dims).
// CHECK-LABEL: func.func @single_row
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [1, 16] : tensor<16xf32> into tensor<1x16xf32>
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<1x16xf32> into tensor<16xf32>
func.func @single_row(%q: tensor<16xf32>, %v0: tensor<16xf32>, %v1: tensor<16xf32>) -> tensor<16xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<16xf32>, tensor<16xf32> -> tensor<16xf32>
  return %h : tensor<16xf32>
}

// -----

// A static output of 16 MiB (>= streaming-min-bytes, 4 MiB by default): the
// weighted-sum loop is tagged for attnres-streaming-stores; the statistics
// loop is not. Small (site_rank3_odd_hidden) and dynamic outputs are never
// tagged, nor anything with streaming-min-bytes=0. Nine sources fit one
// statistics loop (at most 12 by default); with sources-per-loop=4 they are
// split into three balanced groups of three.
// CHECK-LABEL: func.func @large_site
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK-NOT: attnres.streaming_stores
// CHECK: scf.for {{.*}} -> (tensor<8x4096xf32>) {
// CHECK: vector.transfer_write
// CHECK: } {attnres.streaming_stores}
// NOSTREAM-NOT: attnres.streaming_stores
// NOSTREAM-LABEL: func.func @large_site
// NOSTREAM-COUNT-3: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// NOSTREAM-NOT: attnres.streaming_stores
func.func @large_site(%q: tensor<4096xf32>, %v0: tensor<1024x4096xf32>, %v1: tensor<1024x4096xf32>, %v2: tensor<1024x4096xf32>, %v3: tensor<1024x4096xf32>, %v4: tensor<1024x4096xf32>, %v5: tensor<1024x4096xf32>, %v6: tensor<1024x4096xf32>, %v7: tensor<1024x4096xf32>, %v8: tensor<1024x4096xf32>) -> tensor<1024x4096xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1, %v2, %v3, %v4, %v5, %v6, %v7, %v8] : tensor<4096xf32>, tensor<1024x4096xf32> -> tensor<1024x4096xf32>
  return %h : tensor<1024x4096xf32>
}

// -----

// Zero queries: both results are empty, nothing is computed (no row tiles,
// whose slices would start at offset 0 of the empty query dim).
// CHECK-LABEL: func.func @stats_zero_queries
// CHECK-NOT: scf.forall
// CHECK: %[[O:.*]] = tensor.empty() : tensor<0x4x16xf32>
// CHECK: %[[L:.*]] = tensor.empty() : tensor<0x4xf32>
// CHECK-NOT: scf.forall
// CHECK: return %[[O]], %[[L]]
func.func @stats_zero_queries(%Q: tensor<0x16xf32>, %b0: tensor<4x16xf32>, %b1: tensor<4x16xf32>) -> (tensor<0x4x16xf32>, tensor<0x4xf32>) {
  %o, %lse = attnres.depth_attn_stats %Q, [%b0, %b1] : tensor<0x16xf32>, tensor<4x16xf32> -> tensor<0x4x16xf32>, tensor<0x4xf32>
  return %o, %lse : tensor<0x4x16xf32>, tensor<0x4xf32>
}

// -----

// Zero queries with dynamic token dims: the dynamic sizes of the empty
// results are read from the first source.
// CHECK-LABEL: func.func @stats_zero_queries_dynamic_rows
// CHECK-SAME: (%[[Q:.*]]: tensor<0x16xf32>, %[[B0:.*]]: tensor<?x16xf32>, %[[B1:.*]]: tensor<?x16xf32>)
// CHECK: %[[T:.*]] = tensor.dim %[[B0]], %{{.*}} : tensor<?x16xf32>
// CHECK: %[[O:.*]] = tensor.empty(%[[T]]) : tensor<0x?x16xf32>
// CHECK: %[[L:.*]] = tensor.empty(%[[T]]) : tensor<0x?xf32>
// CHECK-NOT: scf.forall
// CHECK: return %[[O]], %[[L]]
func.func @stats_zero_queries_dynamic_rows(%Q: tensor<0x16xf32>, %b0: tensor<?x16xf32>, %b1: tensor<?x16xf32>) -> (tensor<0x?x16xf32>, tensor<0x?xf32>) {
  %o, %lse = attnres.depth_attn_stats %Q, [%b0, %b1] : tensor<0x16xf32>, tensor<?x16xf32> -> tensor<0x?x16xf32>, tensor<0x?xf32>
  return %o, %lse : tensor<0x?x16xf32>, tensor<0x?xf32>
}

// -----

// Token dims mixing dynamic and zero sizes: the result is an empty tensor of
// the same shape; no reshapes (tensor<2x?x0x16xf32> collapses to
// tensor<?x16xf32>, which bufferizes to an invalid memref.collapse_shape).
// CHECK-LABEL: func.func @site_zero_rows_mixed
// CHECK-SAME: (%[[Q:.*]]: tensor<16xf32>, %[[V0:.*]]: tensor<2x?x0x16xf32>, %[[V1:.*]]: tensor<2x?x0x16xf32>)
// CHECK-NOT: tensor.collapse_shape
// CHECK: %[[C1:.*]] = arith.constant 1 : index
// CHECK: %[[T:.*]] = tensor.dim %[[V0]], %[[C1]] : tensor<2x?x0x16xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[T]]) : tensor<2x?x0x16xf32>
// CHECK-NOT: scf.forall
// CHECK: return %[[E]]
func.func @site_zero_rows_mixed(%q: tensor<16xf32>, %v0: tensor<2x?x0x16xf32>, %v1: tensor<2x?x0x16xf32>) -> tensor<2x?x0x16xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<16xf32>, tensor<2x?x0x16xf32> -> tensor<2x?x0x16xf32>
  return %h : tensor<2x?x0x16xf32>
}

// -----

// Phase 1 and phase 2 without token rows: empty results.
// CHECK-LABEL: func.func @zero_rows_stats_merge
// CHECK-NOT: scf.forall
// CHECK-DAG: tensor.empty() : tensor<3x0x16xbf16>
// CHECK-DAG: tensor.empty() : tensor<3x0xf32>
// CHECK-DAG: tensor.empty() : tensor<0x16xbf16>
// CHECK-NOT: scf.forall
func.func @zero_rows_stats_merge(%Q: tensor<3x16xf32>, %b0: tensor<0x16xbf16>, %b1: tensor<0x16xbf16>, %lse: tensor<0xf32>, %q: tensor<16xf32>) -> (tensor<3x0x16xbf16>, tensor<3x0xf32>, tensor<0x16xbf16>) {
  %o, %l = attnres.depth_attn_stats %Q, [%b0, %b1] : tensor<3x16xf32>, tensor<0x16xbf16> -> tensor<3x0x16xbf16>, tensor<3x0xf32>
  %h = attnres.depth_attn_merge %b0, %lse, %q, %b1 : tensor<0x16xbf16>, tensor<0xf32>, tensor<16xf32>, tensor<0x16xbf16>
  return %o, %l, %h : tensor<3x0x16xbf16>, tensor<3x0xf32>, tensor<0x16xbf16>
}

// -----

// An output of 2^56 x 16 f32 (2^62 bytes, addressable) is far above
// streaming-min-bytes: its weighted-sum loop is tagged. (Its size in bits,
// 2^67, does not fit in 64 bits; the byte count is computed with checked
// arithmetic.)
// CHECK-LABEL: func.func @huge_site_streaming
// CHECK: scf.for {{.*}} -> (tensor<8x16xf32>) {
// CHECK: } {attnres.streaming_stores}
func.func @huge_site_streaming(%q: tensor<16xf32>, %v0: tensor<72057594037927936x16xf32>, %v1: tensor<72057594037927936x16xf32>) -> tensor<72057594037927936x16xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<16xf32>, tensor<72057594037927936x16xf32> -> tensor<72057594037927936x16xf32>
  return %h : tensor<72057594037927936x16xf32>
}

// -----

// Decode-sized calls (at most rows-per-task = 8 rows) run on the calling
// thread: no scf.forall (no OpenMP fork) for a static row count that fits one
// task; a dynamic row count picks at run time.
// CHECK-LABEL: func.func @decode_static
// CHECK-NOT: scf.forall
// CHECK: scf.for
// CHECK-NOT: scf.forall
// CHECK: return
func.func @decode_static(%q: tensor<64xf32>, %v0: tensor<4x64xf32>, %v1: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf32>, tensor<4x64xf32> -> tensor<4x64xf32>
  return %h : tensor<4x64xf32>
}

// CHECK-LABEL: func.func @decode_dynamic
// CHECK-SAME: (%{{.*}}: tensor<64xf32>, %[[V0:.*]]: tensor<?x64xf32>,
// CHECK: %[[ROWS:.*]] = tensor.dim %[[V0]]
// CHECK: %[[ONE:.*]] = arith.cmpi ule, %[[ROWS]], %[[C8:.*]] : index
// CHECK: scf.if %[[ONE]] -> (tensor<?x64xf32>) {
// CHECK-NOT: scf.forall
// CHECK: } else {
// CHECK: scf.forall
func.func @decode_dynamic(%q: tensor<64xf32>, %v0: tensor<?x64xf32>, %v1: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf32>, tensor<?x64xf32> -> tensor<?x64xf32>
  return %h : tensor<?x64xf32>
}

// -----

// The decode tail (depth_attn_norm, from attnres-fuse-norm-epilogues): the
// next sublayer's PreNorm runs in the kernel's row loop on the row just
// written; the tiles are those of the op's results (the normalized value,
// then the kept h).
// CHECK-LABEL: func.func @site_then_norm
// CHECK: %[[IF:.*]]:2 = scf.if
// CHECK: } else {
// CHECK: scf.forall {{.*}} shared_outs(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<?x64xbf16>, tensor<?x64xbf16>)
// CHECK: math.rsqrt
// CHECK: scf.for
// CHECK: vector.transfer_read %{{.*}} : tensor<64xbf16>, vector<16xbf16>
// CHECK: tensor.parallel_insert_slice
// CHECK: tensor.parallel_insert_slice
// CHECK: return %[[IF]]#1, %[[IF]]#0 : tensor<?x64xbf16>, tensor<?x64xbf16>
func.func @site_then_norm(%q: tensor<64xf32>, %v0: tensor<?x64xbf16>, %v1: tensor<?x64xbf16>, %g: tensor<64xbf16>) -> (tensor<?x64xbf16>, tensor<?x64xbf16>) {
  %n:2 = attnres.depth_attn_norm %q, [%v0, %v1], %g : tensor<64xf32>, tensor<?x64xbf16>, tensor<64xbf16> -> tensor<?x64xbf16>, tensor<?x64xbf16>
  return %n#1, %n#0 : tensor<?x64xbf16>, tensor<?x64xbf16>
}

// The kernels do not look at users: a depth_attn followed by an rms_norm
// (not fused by attnres-fuse-norm-epilogues) stays two ops.
// CHECK-LABEL: func.func @unfused_site_then_norm
// CHECK: scf.for
// CHECK: attnres.rms_norm
func.func @unfused_site_then_norm(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>, %g: tensor<64xf32>) -> tensor<8x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  %n = attnres.rms_norm %h, %g : tensor<8x64xf32>, tensor<64xf32>
  return %n : tensor<8x64xf32>
}
