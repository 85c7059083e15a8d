// Verifier errors of depth_attn_norm and depth_attn_merge_norm.
// RUN: attnres-opt %s --split-input-file --verify-diagnostics

func.func @no_results(%q: tensor<64xf32>, %v: tensor<8x64xf32>, %g: tensor<64xf32>) {
  // expected-error @below {{'attnres.depth_attn_norm' op expects 1 result (the normalized value) or 2 (and the site's value) on tensors, got 0}}
  attnres.depth_attn_norm %q, [%v], %g : tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32>
  return
}

// -----

func.func @three_results(%q: tensor<64xf32>, %v: tensor<8x64xf32>, %g: tensor<64xf32>) {
  // expected-error @below {{'attnres.depth_attn_norm' op expects 1 result (the normalized value) or 2 (and the site's value) on tensors, got 3}}
  %n:3 = attnres.depth_attn_norm %q, [%v], %g : tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>
  return
}

// -----

func.func @result_type(%q: tensor<64xf32>, %v: tensor<8x64xf32>, %g: tensor<64xf32>) {
  // expected-error @below {{'attnres.depth_attn_norm' op expects every result type to equal the source type 'tensor<8x64xf32>', got 'tensor<8x64xbf16>'}}
  %n = attnres.depth_attn_norm %q, [%v], %g : tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xbf16>
  return
}

// -----

func.func @gain_length(%q: tensor<64xf32>, %v: tensor<8x64xf32>, %g: tensor<32xf32>) {
  // expected-error @below {{'attnres.depth_attn_norm' op expects dimension 0 of gain to equal dimension 1 of source #0 (hidden size), got 32 in 'tensor<32xf32>' and 64 in 'tensor<8x64xf32>'}}
  %n = attnres.depth_attn_norm %q, [%v], %g : tensor<64xf32>, tensor<8x64xf32>, tensor<32xf32> -> tensor<8x64xf32>
  return
}

// -----

func.func @gain_type(%q: tensor<64xbf16>, %v: tensor<8x64xbf16>, %g: tensor<64xf16>) {
  // expected-error @below {{'attnres.depth_attn_norm' op expects gain element type to be 'bf16' or f32, got 'f16'}}
  %n = attnres.depth_attn_norm %q, [%v], %g : tensor<64xbf16>, tensor<8x64xbf16>, tensor<64xf16> -> tensor<8x64xbf16>
  return
}

// -----

func.func @query_length(%q: tensor<32xf32>, %v: tensor<8x64xf32>, %g: tensor<64xf32>) {
  // expected-error @below {{'attnres.depth_attn_norm' op expects dimension 0 of query to equal dimension 1 of source #0 (hidden size), got 32 in 'tensor<32xf32>' and 64 in 'tensor<8x64xf32>'}}
  %n = attnres.depth_attn_norm %q, [%v], %g : tensor<32xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>
  return
}

// -----

func.func @no_sources(%q: tensor<64xf32>, %g: tensor<64xf32>) {
  // expected-error @below {{'attnres.depth_attn_norm' op expects at least one source}}
  %n = attnres.depth_attn_norm %q, [], %g : tensor<64xf32>, none, tensor<64xf32> -> tensor<8x64xf32>
  return
}

// -----

func.func @norm_eps(%q: tensor<64xf32>, %v: tensor<8x64xf32>, %g: tensor<64xf32>) {
  // expected-error @below {{'attnres.depth_attn_norm' op expects eps to be finite and >= 0, got -1.000000e+00}}
  %n = attnres.depth_attn_norm %q, [%v], %g {norm_eps = -1.0 : f32} : tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>
  return
}

// -----

func.func @outs_count(%q: tensor<64xf32>, %v: tensor<8x64xf32>, %g: tensor<64xf32>, %i: tensor<8x64xf32>) {
  // expected-error @below {{'attnres.depth_attn_norm' op expects one destination per result (2), got 1}}
  %n:2 = attnres.depth_attn_norm %q, [%v], %g outs(%i : tensor<8x64xf32>) : tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>, tensor<8x64xf32>
  return
}

// -----

func.func @outs_type(%q: tensor<64xf32>, %v: tensor<8x64xf32>, %g: tensor<64xf32>, %i: tensor<4x64xf32>) {
  // expected-error @below {{'attnres.depth_attn_norm' op expects dimension 0 of normed to equal dimension 0 of source #0 (same shape), got 4 in 'tensor<4x64xf32>' and 8 in 'tensor<8x64xf32>'}}
  %n = attnres.depth_attn_norm %q, [%v], %g outs(%i : tensor<4x64xf32>) : tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<4x64xf32>
  return
}

// -----

func.func @memref_no_outs(%q: memref<64xf32>, %v: memref<8x64xf32>, %g: memref<64xf32>) {
  // expected-error @below {{'attnres.depth_attn_norm' op expects 1 or 2 destinations (outs) in the memref form, got 0}}
  attnres.depth_attn_norm %q, [%v], %g : memref<64xf32>, memref<8x64xf32>, memref<64xf32>
  return
}

// -----

func.func @memref_outs_shape(%q: memref<64xf32>, %v: memref<8x64xf32>, %g: memref<64xf32>, %n: memref<4x64xf32>) {
  // expected-error @below {{'attnres.depth_attn_norm' op expects dimension 0 of normed init to equal dimension 0 of source #0 (same shape), got 4 in 'memref<4x64xf32>' and 8 in 'memref<8x64xf32>'}}
  attnres.depth_attn_norm %q, [%v], %g outs(%n : memref<4x64xf32>) : memref<64xf32>, memref<8x64xf32>, memref<64xf32>
  return
}

// -----

func.func @mixed(%q: tensor<64xf32>, %v: tensor<8x64xf32>, %g: tensor<64xf32>, %n: memref<8x64xf32>) {
  // expected-error @below {{'attnres.depth_attn_norm' op expects all operands to be tensors or all to be memrefs (the form after bufferization)}}
  attnres.depth_attn_norm %q, [%v], %g outs(%n : memref<8x64xf32>) : tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32>
  return
}

// -----

func.func @merge_lse(%o: tensor<8x64xf32>, %lse: tensor<4xf32>, %q: tensor<64xf32>, %u: tensor<8x64xf32>, %g: tensor<64xf32>) {
  // expected-error @below {{'attnres.depth_attn_merge_norm' op expects dimension 0 of lse to equal dimension 0 of source (token dimension), got 4 in 'tensor<4xf32>' and 8 in 'tensor<8x64xf32>'}}
  %n = attnres.depth_attn_merge_norm %o, %lse, %q, %u, %g : tensor<8x64xf32>, tensor<4xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>
  return
}

// -----

func.func @merge_output(%o: tensor<4x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>, %u: tensor<8x64xf32>, %g: tensor<64xf32>) {
  // expected-error @below {{'attnres.depth_attn_merge_norm' op expects dimension 0 of output to equal dimension 0 of source (same shape), got 4 in 'tensor<4x64xf32>' and 8 in 'tensor<8x64xf32>'}}
  %n = attnres.depth_attn_merge_norm %o, %lse, %q, %u, %g : tensor<4x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>
  return
}

// -----

func.func @merge_gain(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>, %u: tensor<8x64xf32>, %g: tensor<2x64xf32>) {
  // expected-error @below {{'attnres.depth_attn_merge_norm' op expects gain to be a 1-D tensor of the hidden size, got 'tensor<2x64xf32>'}}
  %n = attnres.depth_attn_merge_norm %o, %lse, %q, %u, %g : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<2x64xf32> -> tensor<8x64xf32>
  return
}
