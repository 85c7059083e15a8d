// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=3}))' 2>/dev/null | FileCheck %s
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=3}))' -o /dev/null 2>&1 | FileCheck %s --check-prefix=DIAG

// What travels, with P = 3 and V = 1 (C = 3 chunks, hops 0 -> 1 -> 2).

// Not every value that crosses a hop is a block or the partial. With the
// non-running block sums of attnres_gen.py's default form,
// `%b1 = block_summary [%f0, %f1, %f2]` needs the raw outputs %f0 and %f1 of
// chunk 0 in chunk 1: they cross hop 0 as `others` (sent in both schemes).
// %f0 was the partial of site 1, but no site of a later chunk uses it.
// Hop 0: b_0 (block), %p1 (partial), %f0, %f1 (others); hop 1: b_0, b_1
// (blocks), %f3 (partial: the last source of site 4).
// CHECK-LABEL: func.func @raw_outputs
// CHECK-SAME: cached_blocks = array<i64: 1, 2>
// CHECK-SAME: naive_blocks = array<i64: 1, 2>
// CHECK-SAME: naive_bytes_per_rank = array<i64: 512, 384, 0>
// CHECK-SAME: naive_bytes_per_token = 224 : i64
// CHECK-SAME: others = array<i64: 2, 0>
// CHECK-SAME: partials = array<i64: 1, 1>
func.func @raw_outputs(%emb: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %q = arith.constant dense<5.000000e-01> : tensor<8xf32>
  %f0 = math.tanh %emb {attnres.chunk = 0 : i64} : tensor<4x8xf32>
  %h1 = attnres.depth_attn %q, [%emb, %f0] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f1 = math.tanh %h1 : tensor<4x8xf32>
  %p1 = attnres.block_summary [%f0, %f1] : tensor<4x8xf32>
  %h2 = attnres.depth_attn %q, [%emb, %p1] {attnres.chunk = 1 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f2 = math.tanh %h2 : tensor<4x8xf32>
  %b1 = attnres.block_summary [%f0, %f1, %f2] : tensor<4x8xf32>
  %h3 = attnres.depth_attn %q, [%emb, %b1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f3 = math.tanh %h3 : tensor<4x8xf32>
  %h4 = attnres.depth_attn %q, [%emb, %b1, %f3] {attnres.chunk = 2 : i64} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f4 = math.tanh %h4 : tensor<4x8xf32>
  %p4 = attnres.block_summary [%f3, %f4] : tensor<4x8xf32>
  %h5 = attnres.depth_attn %q, [%emb, %b1, %p4] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %f5 = math.tanh %h5 : tensor<4x8xf32>
  %b2 = attnres.block_summary [%f3, %f4, %f5] : tensor<4x8xf32>
  %y = attnres.depth_attn %q, [%emb, %b1, %b2] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
// Parameters never travel: constants, tensor.empty, and what side-effect-free
// ops compute from parameters only (%g). A plain hidden state (a standard
// residual stream) crosses every hop as one `other` value of 32 B per token.
// CHECK-LABEL: func.func @parameters
// CHECK-SAME: naive_blocks = array<i64: 0, 0>
// CHECK-SAME: naive_bytes_per_rank = array<i64: 128, 128, 0>
// CHECK-SAME: naive_bytes_per_token = 64 : i64
// CHECK-SAME: others = array<i64: 1, 1>
// CHECK-SAME: partials = array<i64: 0, 0>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @parameters(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %c = arith.constant dense<1.000000e+00> : tensor<4x8xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %in : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %a = arith.addf %x, %x {attnres.chunk = 0 : i64} : tensor<4x8xf32>
  %b = arith.addf %a, %c {attnres.chunk = 1 : i64} : tensor<4x8xf32>
  %d = arith.addf %b, %g {attnres.chunk = 2 : i64} : tensor<4x8xf32>
  return %d : tensor<4x8xf32>
}

// A use inside a region belongs to the chunk of the op holding the region
// (the scf.if of chunk 1 uses %a of chunk 0). Chunk 1 is the last one with
// ops: the return belongs to it, hop 1 moves nothing.
// CHECK-LABEL: func.func @nested_use
// CHECK-SAME: naive_bytes_per_rank = array<i64: 128, 0, 0>
// CHECK-SAME: others = array<i64: 1, 0>
func.func @nested_use(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %true = arith.constant true
  %a = arith.addf %x, %x {attnres.chunk = 0 : i64} : tensor<4x8xf32>
  %r = scf.if %true -> tensor<4x8xf32> {
    %s = arith.addf %a, %a : tensor<4x8xf32>
    scf.yield %s : tensor<4x8xf32>
  } else {
    scf.yield %a : tensor<4x8xf32>
  } {attnres.chunk = 1 : i64}
  return %r : tensor<4x8xf32>
}

// A value used two chunks later crosses both hops (relayed by the empty
// chunk 1). Dynamic token dims: bytes per token are known, totals are not
// (no per-rank fields).
// CHECK-LABEL: func.func @relay_dynamic_rows
// CHECK-SAME: {cached_blocks = array<i64: 0, 0>, cached_bytes_per_token = 64 : i64, chunks = 3 : i64,
// CHECK-SAME: naive_blocks = array<i64: 0, 0>, naive_bytes_per_token = 64 : i64, others = array<i64: 1, 1>
func.func @relay_dynamic_rows(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %a = arith.addf %x, %x : tensor<?x8xf32>
  %b = arith.addf %a, %a {attnres.chunk = 2 : i64} : tensor<?x8xf32>
  return %b : tensor<?x8xf32>
}

// A dynamic hidden dimension cannot be sized: a warning, no byte fields.
// DIAG: warning: cannot size a value of type 'tensor<4x?xf32>' that crosses chunk 0
// DIAG: note: value defined here
// CHECK-LABEL: func.func @dynamic_hidden
// CHECK-SAME: {cached_blocks = array<i64: 0, 0>, chunks = 3 : i64, naive_blocks = array<i64: 0, 0>, others = array<i64: 1, 0>
func.func @dynamic_hidden(%x: tensor<4x?xf32>) -> tensor<4x?xf32> {
  %a = arith.addf %x, %x : tensor<4x?xf32>
  %b = arith.addf %a, %a {attnres.chunk = 1 : i64} : tensor<4x?xf32>
  return %b : tensor<4x?xf32>
}

// Two-phase form (attnres-two-phase output): the shared sources of
// depth_attn_stats are blocks (hop 0: b_0 and %f0), the merged source of
// depth_attn_merge is the partial (hop 1: %u); the phase-1 rows are others.
// CHECK-LABEL: func.func @two_phase_form
// CHECK-SAME: naive_blocks = array<i64: 2, 0>
// CHECK-SAME: others = array<i64: 0, 2>
// CHECK-SAME: partials = array<i64: 0, 1>
func.func @two_phase_form(%emb: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %Q = arith.constant dense<5.000000e-01> : tensor<2x8xf32>
  %q = arith.constant dense<5.000000e-01> : tensor<8xf32>
  %f0 = math.tanh %emb {attnres.chunk = 0 : i64} : tensor<4x8xf32>
  %o, %lse = attnres.depth_attn_stats %Q, [%emb, %f0] {attnres.chunk = 1 : i64} : tensor<2x8xf32>, tensor<4x8xf32> -> tensor<2x4x8xf32>, tensor<2x4xf32>
  %o0 = tensor.extract_slice %o[0, 0, 0] [1, 4, 8] [1, 1, 1] : tensor<2x4x8xf32> to tensor<4x8xf32>
  %u = math.tanh %o0 : tensor<4x8xf32>
  %o1 = tensor.extract_slice %o[1, 0, 0] [1, 4, 8] [1, 1, 1] : tensor<2x4x8xf32> to tensor<4x8xf32>
  %l1 = tensor.extract_slice %lse[1, 0] [1, 4] [1, 1] : tensor<2x4xf32> to tensor<4xf32>
  %h = attnres.depth_attn_merge %o1, %l1, %q, %u {attnres.chunk = 2 : i64} : tensor<4x8xf32>, tensor<4xf32>, tensor<8xf32>, tensor<4x8xf32>
  return %h : tensor<4x8xf32>
}

// Without annotations a function is one chunk: left alone. Declarations are
// skipped.
// CHECK-LABEL: func.func @unannotated
// CHECK-NOT: attnres.stage_traffic
// CHECK: return
func.func @unannotated(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %a = arith.addf %x, %x : tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}
// CHECK-LABEL: func.func private @declaration
// CHECK-NOT: attnres.stage_traffic
func.func private @declaration(tensor<4x8xf32>) -> tensor<4x8xf32>
