// Verifier and parser errors of the gradient ops' destinations (`outs`) and
// memref form.
// RUN: attnres-opt %s --split-input-file --verify-diagnostics

func.func @mixed_forms(%q: tensor<64xf32>, %v: memref<8x64xf32>, %g: memref<8x64xf32>, %dq: memref<64xf32>) {
  // expected-error @below {{'attnres.depth_attn_grad' op expects all operands to be tensors or all to be memrefs (the form after bufferization)}}
  attnres.depth_attn_grad %q, [%v], %g outs(%dq, %v : memref<64xf32>, memref<8x64xf32>) : tensor<64xf32>, memref<8x64xf32>, memref<8x64xf32>
  return
}

// -----

func.func @memref_without_outs(%q: memref<64xf32>, %v: memref<8x64xf32>) {
  // expected-error @below {{'attnres.depth_attn_grad' op expects destinations (outs) in the memref form}}
  "attnres.depth_attn_grad"(%q, %v, %v) : (memref<64xf32>, memref<8x64xf32>, memref<8x64xf32>) -> ()
  return
}

// -----

func.func @memref_with_result(%q: memref<64xf32>, %v: memref<8x64xf32>, %dq: memref<64xf32>) {
  // expected-error @below {{'attnres.depth_attn_grad' op expects no results in the memref form, got 2}}
  %r:2 = "attnres.depth_attn_grad"(%q, %v, %v, %dq, %v) <{has_outs}> : (memref<64xf32>, memref<8x64xf32>, memref<8x64xf32>, memref<64xf32>, memref<8x64xf32>) -> (tensor<64xf32>, tensor<8x64xf32>)
  return
}

// -----

func.func @tensor_without_results(%q: tensor<64xf32>, %v: tensor<8x64xf32>) {
  // expected-error @below {{'attnres.depth_attn_grad' op expects 2 results on tensors, got 0}}
  "attnres.depth_attn_grad"(%q, %v, %v) : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> ()
  return
}

// -----

func.func @outs_count(%q: tensor<64xf32>, %v: tensor<8x64xf32>) {
  // expected-error @below {{expected 2 destinations, one per result}}
  %dq, %dv = attnres.depth_attn_grad %q, [%v], %v outs(%q : tensor<64xf32>) : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32> -> tensor<64xf32>, tensor<8x64xf32>
  return
}

// -----

func.func @outs_count_generic(%q: tensor<64xf32>, %v: tensor<8x64xf32>) {
  // Five operands after the query with has_outs: n sources, the result
  // gradient and n + 1 destinations cannot add up to an even count, so the
  // group reads as one source, the result gradient and three destinations.
  // expected-error @below {{'attnres.depth_attn_grad' op expects 2 destinations (the query's gradient, then one per source), got 3}}
  %r:2 = "attnres.depth_attn_grad"(%q, %v, %v, %v, %q, %v) <{has_outs}> : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>, tensor<8x64xf32>) -> (tensor<64xf32>, tensor<8x64xf32>)
  return
}

// -----

func.func @outs_type(%q: tensor<64xf32>, %v: tensor<8x64xf32>, %d: tensor<8x64xbf16>) {
  // expected-error @below {{'attnres.depth_attn_grad' op expects each destination to have its result's type 'tensor<8x64xf32>', got 'tensor<8x64xbf16>'}}
  %r:2 = "attnres.depth_attn_grad"(%q, %v, %v, %q, %d) <{has_outs}> : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>, tensor<8x64xbf16>) -> (tensor<64xf32>, tensor<8x64xf32>)
  return
}

// -----

func.func @memref_query_grad_shape(%q: memref<64xf32>, %v: memref<8x64xf32>, %dq: memref<32xf32>) {
  // expected-error @below {{'attnres.depth_attn_grad' op expects dimension 0 of init #0 to equal dimension 0 of query (same shape), got 32 in 'memref<32xf32>' and 64 in 'memref<64xf32>'}}
  attnres.depth_attn_grad %q, [%v], %v outs(%dq, %v : memref<32xf32>, memref<8x64xf32>) : memref<64xf32>, memref<8x64xf32>, memref<8x64xf32>
  return
}

// -----

func.func @memref_source_grad_elem(%q: memref<64xf32>, %v: memref<8x64xf32>, %dv: memref<8x64xbf16>) {
  // expected-error @below {{'attnres.depth_attn_grad' op expects the destination to have the shape and element type of the source type 'memref<8x64xf32>', got 'memref<8x64xbf16>'}}
  attnres.depth_attn_grad %q, [%v], %v outs(%q, %dv : memref<64xf32>, memref<8x64xbf16>) : memref<64xf32>, memref<8x64xf32>, memref<8x64xf32>
  return
}

// -----

func.func @memref_grad_shape(%q: memref<64xf32>, %v: memref<8x64xf32>, %g: memref<4x64xf32>) {
  // expected-error @below {{'attnres.depth_attn_grad' op expects dimension 0 of grad to equal dimension 0 of source #0 (same shape), got 4 in 'memref<4x64xf32>' and 8 in 'memref<8x64xf32>'}}
  attnres.depth_attn_grad %q, [%v], %g outs(%q, %v : memref<64xf32>, memref<8x64xf32>) : memref<64xf32>, memref<8x64xf32>, memref<4x64xf32>
  return
}

// -----

func.func @norm_outs_count(%x: tensor<8x64xf32>, %gain: tensor<64xf32>) {
  // expected-error @below {{'attnres.rms_norm_grad' op expects 2 destinations (the input's and the gain's gradients), got 1}}
  %r:2 = "attnres.rms_norm_grad"(%x, %gain, %x, %x) : (tensor<8x64xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<64xf32>)
  return
}

// -----

func.func @norm_memref_gain_grad(%x: memref<8x64xf32>, %gain: memref<64xf32>, %dg: memref<64xf16>) {
  // expected-error @below {{'attnres.rms_norm_grad' op expects the destination to have the shape and element type of the gain type 'memref<64xf32>', got 'memref<64xf16>'}}
  attnres.rms_norm_grad %x, %gain, %x outs(%x, %dg : memref<8x64xf32>, memref<64xf16>) : memref<8x64xf32>, memref<64xf32>
  return
}

// -----

func.func @norm_memref_grad(%x: memref<8x64xf32>, %gain: memref<64xf32>, %g: memref<8x32xf32>) {
  // expected-error @below {{'attnres.rms_norm_grad' op expects dimension 1 of grad to equal dimension 1 of input (same shape), got 32 in 'memref<8x32xf32>' and 64 in 'memref<8x64xf32>'}}
  attnres.rms_norm_grad %x, %gain, %g outs(%x, %gain : memref<8x64xf32>, memref<64xf32>) : memref<8x64xf32>, memref<64xf32>, memref<8x32xf32>
  return
}

// -----

func.func @norm_tensor_without_results(%x: tensor<8x64xf32>, %gain: tensor<64xf32>) {
  // expected-error @below {{'attnres.rms_norm_grad' op expects 2 results on tensors, got 0}}
  "attnres.rms_norm_grad"(%x, %gain, %x) : (tensor<8x64xf32>, tensor<64xf32>, tensor<8x64xf32>) -> ()
  return
}

// -----

func.func @stats_outs_count(%Q: tensor<4x64xf32>, %v: tensor<8x64xf32>, %lse: tensor<4x8xf32>, %do: tensor<4x8x64xf32>) {
  // expected-error @below {{expected 3 destinations, one per result}}
  %dQ, %dv:2 = attnres.depth_attn_stats_grad %Q, [%v, %v], %lse, %do, %lse outs(%Q, %v : tensor<4x64xf32>, tensor<8x64xf32>) : tensor<4x64xf32>, tensor<8x64xf32>, tensor<4x8xf32>, tensor<4x8x64xf32> -> tensor<4x64xf32>, tensor<8x64xf32>
  return
}

// -----

func.func @stats_memref_lse(%Q: memref<4x64xf32>, %v: memref<8x64xf32>, %lse: memref<4x8xf16>, %do: memref<4x8x64xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats_grad' op expects lse to have element type f32, got 'memref<4x8xf16>'}}
  attnres.depth_attn_stats_grad %Q, [%v], %lse, %do, %lse outs(%Q, %v : memref<4x64xf32>, memref<8x64xf32>) : memref<4x64xf32>, memref<8x64xf32>, memref<4x8xf16>, memref<4x8x64xf32>
  return
}

// -----

func.func @stats_memref_queries_grad(%Q: memref<4x64xf32>, %v: memref<8x64xf32>, %lse: memref<4x8xf32>, %do: memref<4x8x64xf32>, %dQ: memref<3x64xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats_grad' op expects dimension 0 of init #0 to equal dimension 0 of queries (same shape), got 3 in 'memref<3x64xf32>' and 4 in 'memref<4x64xf32>'}}
  attnres.depth_attn_stats_grad %Q, [%v], %lse, %do, %lse outs(%dQ, %v : memref<3x64xf32>, memref<8x64xf32>) : memref<4x64xf32>, memref<8x64xf32>, memref<4x8xf32>, memref<4x8x64xf32>
  return
}

// -----

func.func @merge_outs_count(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>) {
  // expected-error @below {{expected 4 destinations, one per result}}
  %r:4 = attnres.depth_attn_merge_grad %o, %lse, %q, %o, %o outs(%o : tensor<8x64xf32>) : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>
  return
}

// -----

func.func @merge_memref_lse_grad(%o: memref<8x64xf32>, %lse: memref<8xf32>, %q: memref<64xf32>, %dl: memref<4xf32>) {
  // expected-error @below {{'attnres.depth_attn_merge_grad' op expects dimension 0 of init #1 to equal dimension 0 of lse (same shape), got 4 in 'memref<4xf32>' and 8 in 'memref<8xf32>'}}
  attnres.depth_attn_merge_grad %o, %lse, %q, %o, %o outs(%o, %dl, %q, %o : memref<8x64xf32>, memref<4xf32>, memref<64xf32>, memref<8x64xf32>) : memref<8x64xf32>, memref<8xf32>, memref<64xf32>
  return
}

// -----

func.func @merge_memref_without_outs(%o: memref<8x64xf32>, %lse: memref<8xf32>, %q: memref<64xf32>) {
  // expected-error @below {{'attnres.depth_attn_merge_grad' op expects destinations (outs) in the memref form}}
  attnres.depth_attn_merge_grad %o, %lse, %q, %o, %o : memref<8x64xf32>, memref<8xf32>, memref<64xf32>
  return
}

// -----

func.func @merge_tensor_outs_type(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>, %dq: tensor<64xbf16>) {
  // expected-error @below {{'attnres.depth_attn_merge_grad' op expects each destination to have its result's type 'tensor<64xf32>', got 'tensor<64xbf16>'}}
  %r:4 = attnres.depth_attn_merge_grad %o, %lse, %q, %o, %o outs(%o, %lse, %dq, %o : tensor<8x64xf32>, tensor<8xf32>, tensor<64xbf16>, tensor<8x64xf32>) : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>
  return
}
