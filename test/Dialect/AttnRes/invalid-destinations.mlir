// Verifier errors of destinations (`outs`) and of the memref form.
// RUN: attnres-opt %s --split-input-file --verify-diagnostics

func.func @mixed_forms(%q: tensor<64xf32>, %v: memref<8x64xf32>, %o: memref<8x64xf32>) {
  // expected-error @below {{'attnres.depth_attn' op expects all operands to be tensors or all to be memrefs (the form after bufferization)}}
  attnres.depth_attn %q, [%v] outs(%o : memref<8x64xf32>) : tensor<64xf32>, memref<8x64xf32>
  return
}

// -----

func.func @memref_without_outs(%q: memref<64xf32>, %v: memref<8x64xf32>) {
  // expected-error @below {{'attnres.depth_attn' op expects destinations (outs) in the memref form}}
  "attnres.depth_attn"(%q, %v) : (memref<64xf32>, memref<8x64xf32>) -> ()
  return
}

// -----

func.func @memref_with_result(%q: memref<64xf32>, %v: memref<8x64xf32>, %o: memref<8x64xf32>) {
  // expected-error @below {{'attnres.depth_attn' op result #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'memref<8x64xf32>'}}
  %r = "attnres.depth_attn"(%q, %v, %o) <{has_outs}> : (memref<64xf32>, memref<8x64xf32>, memref<8x64xf32>) -> memref<8x64xf32>
  return
}

// -----

func.func @memref_result_tensor(%q: memref<64xf32>, %v: memref<8x64xf32>, %o: memref<8x64xf32>) {
  // expected-error @below {{'attnres.depth_attn' op expects no results in the memref form, got 1}}
  %r = "attnres.depth_attn"(%q, %v, %o) <{has_outs}> : (memref<64xf32>, memref<8x64xf32>, memref<8x64xf32>) -> tensor<8x64xf32>
  return
}

// -----

func.func @tensor_without_result(%q: tensor<64xf32>, %v: tensor<8x64xf32>) {
  // expected-error @below {{'attnres.depth_attn' op expects 1 result on tensors, got 0}}
  "attnres.depth_attn"(%q, %v) : (tensor<64xf32>, tensor<8x64xf32>) -> ()
  return
}

// -----

func.func @outs_type(%q: tensor<64xf32>, %v: tensor<8x64xf32>, %o: tensor<8x64xbf16>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn' op expects the destination type to equal the result type 'tensor<8x64xf32>', got 'tensor<8x64xbf16>'}}
  %h = "attnres.depth_attn"(%q, %v, %o) <{has_outs}> : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xbf16>) -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @outs_shape_memref(%q: memref<64xf32>, %v: memref<8x64xf32>, %o: memref<4x64xf32>) {
  // expected-error @below {{'attnres.depth_attn' op expects dimension 0 of init to equal dimension 0 of source #0 (same shape), got 4 in 'memref<4x64xf32>' and 8 in 'memref<8x64xf32>'}}
  attnres.depth_attn %q, [%v] outs(%o : memref<4x64xf32>) : memref<64xf32>, memref<8x64xf32>
  return
}

// -----

func.func @outs_count(%q: tensor<64xf32>, %v: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{expected 1 destination}}
  %h = attnres.depth_attn %q, [%v] outs(%v, %v : tensor<8x64xf32>, tensor<8x64xf32>) : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @stats_outs_count(%qs: tensor<4x64xf32>, %v: tensor<8x64xf32>, %o: tensor<4x8x64xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats' op expects two destinations (output, lse), got 1}}
  %r:2 = "attnres.depth_attn_stats"(%qs, %o) <{has_outs}> : (tensor<4x64xf32>, tensor<4x8x64xf32>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>)
  return
}

// -----

func.func @stats_outs_type(%qs: tensor<4x64xf32>, %v: tensor<8x64xf32>, %o: tensor<4x8x64xf32>, %l: tensor<4x8xf32>) {
  %c = tensor.cast %o : tensor<4x8x64xf32> to tensor<?x8x64xf32>
  // expected-error @below {{'attnres.depth_attn_stats' op expects dimension 0 of output init to equal dimension 0 of queries (query count), got ? in 'tensor<?x8x64xf32>' and 4 in 'tensor<4x64xf32>' (one static, one dynamic)}}
  %r:2 = "attnres.depth_attn_stats"(%qs, %v, %c, %l) <{has_outs}> : (tensor<4x64xf32>, tensor<8x64xf32>, tensor<?x8x64xf32>, tensor<4x8xf32>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>)
  return
}

// -----

func.func @stats_memref_lse(%qs: memref<4x64xf32>, %v: memref<8x64xf32>, %o: memref<4x8x64xf32>, %l: memref<4x7xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats' op expects dimension 1 of lse init to equal dimension 0 of source #0 (token dimension), got 7 in 'memref<4x7xf32>' and 8 in 'memref<8x64xf32>'}}
  attnres.depth_attn_stats %qs, [%v] outs(%o, %l : memref<4x8x64xf32>, memref<4x7xf32>) : memref<4x64xf32>, memref<8x64xf32>
  return
}

// -----

func.func @merge_outs_type(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>, %i: tensor<8x32xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn_merge' op expects dimension 1 of init to equal dimension 1 of source (same shape), got 32 in 'tensor<8x32xf32>' and 64 in 'tensor<8x64xf32>'}}
  %h = attnres.depth_attn_merge %o, %lse, %q, %o outs(%i : tensor<8x32xf32>) : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @merge_memref_without_outs(%o: memref<8x64xf32>, %lse: memref<8xf32>, %q: memref<64xf32>) {
  // expected-error @below {{'attnres.depth_attn_merge' op expects destinations (outs) in the memref form}}
  attnres.depth_attn_merge %o, %lse, %q, %o : memref<8x64xf32>, memref<8xf32>, memref<64xf32>, memref<8x64xf32>
  return
}
