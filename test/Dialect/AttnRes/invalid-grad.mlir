// Every verifier branch of the gradient ops (and their ODS type constraints).
//
// RUN: attnres-opt %s -split-input-file -verify-diagnostics=all

func.func @depth_attn_grad_no_sources(%q: tensor<64xf32>, %g: tensor<8x64xf32>) {
  // expected-error @below {{expects at least one source}}
  %dq = "attnres.depth_attn_grad"(%q, %g) : (tensor<64xf32>, tensor<8x64xf32>) -> tensor<64xf32>
  return
}

// -----

func.func @depth_attn_grad_mixed_sources(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<4x64xf32>, %g: tensor<8x64xf32>) {
  // expected-error @below {{expects dimension 0 of source #1 to equal dimension 0 of source #0 (one shape for all sources), got 4 in 'tensor<4x64xf32>' and 8 in 'tensor<8x64xf32>'}}
  %dq, %d0, %d1 = "attnres.depth_attn_grad"(%q, %v0, %v1, %g) : (tensor<64xf32>, tensor<8x64xf32>, tensor<4x64xf32>, tensor<8x64xf32>) -> (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>)
  return
}

// -----

func.func @depth_attn_grad_rank0(%q: tensor<64xf32>, %v0: tensor<f32>, %g: tensor<f32>) {
  // expected-error @below {{expects source to have rank >= 1 (token dims, then the hidden size), got 'tensor<f32>'}}
  %dq, %dv = attnres.depth_attn_grad %q, [%v0], %g : tensor<64xf32>, tensor<f32>, tensor<f32> -> tensor<64xf32>, tensor<f32>
  return
}

// -----

func.func @depth_attn_grad_zero_hidden(%q: tensor<0xf32>, %v0: tensor<8x0xf32>, %g: tensor<8x0xf32>) {
  // expected-error @below {{expects dimension 1 of source #0 (hidden size) to be non-zero, got 'tensor<8x0xf32>'}}
  %dq, %dv = attnres.depth_attn_grad %q, [%v0], %g : tensor<0xf32>, tensor<8x0xf32>, tensor<8x0xf32> -> tensor<0xf32>, tensor<8x0xf32>
  return
}

// -----

func.func @depth_attn_grad_query_length(%q: tensor<32xf32>, %v0: tensor<8x64xf32>, %g: tensor<8x64xf32>) {
  // expected-error @below {{expects dimension 0 of query to equal dimension 1 of source #0 (hidden size), got 32 in 'tensor<32xf32>' and 64 in 'tensor<8x64xf32>'}}
  %dq, %dv = attnres.depth_attn_grad %q, [%v0], %g : tensor<32xf32>, tensor<8x64xf32>, tensor<8x64xf32> -> tensor<32xf32>, tensor<8x64xf32>
  return
}

// -----

func.func @depth_attn_grad_query_rank(%q: tensor<1x64xf32>, %v0: tensor<8x64xf32>, %g: tensor<8x64xf32>) {
  // expected-error @below {{expects query to be a 1-D tensor of the hidden size, got 'tensor<1x64xf32>'}}
  %dq, %dv = attnres.depth_attn_grad %q, [%v0], %g : tensor<1x64xf32>, tensor<8x64xf32>, tensor<8x64xf32> -> tensor<1x64xf32>, tensor<8x64xf32>
  return
}

// -----

func.func @depth_attn_grad_query_elem(%q: tensor<64xf16>, %v0: tensor<8x64xbf16>, %g: tensor<8x64xbf16>) {
  // expected-error @below {{expects query element type to be 'bf16' or f32, got 'f16'}}
  %dq, %dv = attnres.depth_attn_grad %q, [%v0], %g : tensor<64xf16>, tensor<8x64xbf16>, tensor<8x64xbf16> -> tensor<64xf16>, tensor<8x64xbf16>
  return
}

// -----

func.func @depth_attn_grad_grad_type(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %g: tensor<4x64xf32>) {
  // expected-error @below {{expects dimension 0 of grad to equal dimension 0 of source #0 (same shape), got 4 in 'tensor<4x64xf32>' and 8 in 'tensor<8x64xf32>'}}
  %dq, %dv = attnres.depth_attn_grad %q, [%v0], %g : tensor<64xf32>, tensor<8x64xf32>, tensor<4x64xf32> -> tensor<64xf32>, tensor<8x64xf32>
  return
}

// -----

func.func @depth_attn_grad_result_count(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>, %g: tensor<8x64xf32>) {
  // expected-error @below {{expects one source gradient per source (2), got 1}}
  %dq, %d0 = "attnres.depth_attn_grad"(%q, %v0, %v1, %g) : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> (tensor<64xf32>, tensor<8x64xf32>)
  return
}

// -----

func.func @depth_attn_grad_result_type(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %g: tensor<8x64xf32>) {
  // expected-error @below {{expects source gradient #0 to have the source type 'tensor<8x64xf32>', got 'tensor<8x64xbf16>'}}
  %dq, %d0 = "attnres.depth_attn_grad"(%q, %v0, %g) : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> (tensor<64xf32>, tensor<8x64xbf16>)
  return
}

// -----

func.func @depth_attn_grad_query_grad_type(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %g: tensor<8x64xf32>) {
  // expected-error @below {{failed to verify that all of {query, query_grad} have same type}}
  %dq, %d0 = "attnres.depth_attn_grad"(%q, %v0, %g) : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> (tensor<64xbf16>, tensor<8x64xf32>)
  return
}

// -----

func.func @depth_attn_grad_negative_eps(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %g: tensor<8x64xf32>) {
  // expected-error @below {{expects eps to be finite and >= 0, got -1.000000e+00}}
  %dq, %dv = attnres.depth_attn_grad %q, [%v0], %g {eps = -1.0 : f32} : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32> -> tensor<64xf32>, tensor<8x64xf32>
  return
}

// -----

func.func @depth_attn_grad_integer(%q: tensor<64xi32>, %v0: tensor<8x64xf32>, %g: tensor<8x64xf32>) {
  // expected-error @below {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values or memref of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<64xi32>'}}
  %dq, %dv = "attnres.depth_attn_grad"(%q, %v0, %g) : (tensor<64xi32>, tensor<8x64xf32>, tensor<8x64xf32>) -> (tensor<64xi32>, tensor<8x64xf32>)
  return
}

// -----

func.func @rms_norm_grad_rank0(%x: tensor<f32>, %gain: tensor<64xf32>) {
  // expected-error @below {{expects input to have rank >= 1 (token dims, then the hidden size), got 'tensor<f32>'}}
  %dx, %dg = attnres.rms_norm_grad %x, %gain, %x : tensor<f32>, tensor<64xf32>
  return
}

// -----

func.func @rms_norm_grad_gain_length(%x: tensor<8x64xf32>, %gain: tensor<32xf32>) {
  // expected-error @below {{expects dimension 0 of gain to equal dimension 1 of input (hidden size), got 32 in 'tensor<32xf32>' and 64 in 'tensor<8x64xf32>'}}
  %dx, %dg = attnres.rms_norm_grad %x, %gain, %x : tensor<8x64xf32>, tensor<32xf32>
  return
}

// -----

func.func @rms_norm_grad_grad_type(%x: tensor<8x64xf32>, %gain: tensor<64xf32>, %g: tensor<8x64xbf16>) {
  // expected-error @below {{failed to verify that all of {input, grad, input_grad} have same type}}
  %dx, %dg = "attnres.rms_norm_grad"(%x, %gain, %g) : (tensor<8x64xf32>, tensor<64xf32>, tensor<8x64xbf16>) -> (tensor<8x64xf32>, tensor<64xf32>)
  return
}

// -----

func.func @rms_norm_grad_negative_eps(%x: tensor<8x64xf32>, %gain: tensor<64xf32>) {
  // expected-error @below {{expects eps to be finite and >= 0, got -1.000000e+00}}
  %dx, %dg = attnres.rms_norm_grad %x, %gain, %x {eps = -1.0 : f32} : tensor<8x64xf32>, tensor<64xf32>
  return
}

// -----

func.func @stats_grad_queries_rank(%Q: tensor<64xf32>, %v0: tensor<8x64xf32>, %lse: tensor<4x8xf32>, %do: tensor<4x8x64xf32>) {
  // expected-error @below {{expects queries of shape [S, D], got 'tensor<64xf32>'}}
  %dQ, %dv = attnres.depth_attn_stats_grad %Q, [%v0], %lse, %do, %lse : tensor<64xf32>, tensor<8x64xf32>, tensor<4x8xf32>, tensor<4x8x64xf32> -> tensor<64xf32>, tensor<8x64xf32>
  return
}

// -----

func.func @stats_grad_queries_elem(%Q: tensor<4x64xf16>, %v0: tensor<8x64xf32>, %lse: tensor<4x8xf32>, %do: tensor<4x8x64xf32>) {
  // expected-error @below {{expects queries element type to be f32, got 'f16'}}
  %dQ, %dv = attnres.depth_attn_stats_grad %Q, [%v0], %lse, %do, %lse : tensor<4x64xf16>, tensor<8x64xf32>, tensor<4x8xf32>, tensor<4x8x64xf32> -> tensor<4x64xf16>, tensor<8x64xf32>
  return
}

// -----

func.func @stats_grad_query_length(%Q: tensor<4x32xf32>, %v0: tensor<8x64xf32>, %lse: tensor<4x8xf32>, %do: tensor<4x8x64xf32>) {
  // expected-error @below {{expects dimension 1 of queries to equal dimension 1 of source #0 (hidden size), got 32 in 'tensor<4x32xf32>' and 64 in 'tensor<8x64xf32>'}}
  %dQ, %dv = attnres.depth_attn_stats_grad %Q, [%v0], %lse, %do, %lse : tensor<4x32xf32>, tensor<8x64xf32>, tensor<4x8xf32>, tensor<4x8x64xf32> -> tensor<4x32xf32>, tensor<8x64xf32>
  return
}

// -----

func.func @stats_grad_lse_shape(%Q: tensor<4x64xf32>, %v0: tensor<8x64xf32>, %lse: tensor<3x8xf32>, %do: tensor<4x8x64xf32>) {
  // expected-error @below {{expects dimension 0 of lse to equal dimension 0 of queries (query count), got 3 in 'tensor<3x8xf32>' and 4 in 'tensor<4x64xf32>'}}
  %dQ, %dv = attnres.depth_attn_stats_grad %Q, [%v0], %lse, %do, %lse : tensor<4x64xf32>, tensor<8x64xf32>, tensor<3x8xf32>, tensor<4x8x64xf32> -> tensor<4x64xf32>, tensor<8x64xf32>
  return
}

// -----

func.func @stats_grad_output_grad_shape(%Q: tensor<4x64xf32>, %v0: tensor<8x64xf32>, %lse: tensor<4x8xf32>, %do: tensor<8x64xf32>) {
  // expected-error @below {{expects the output gradient (queries, then source shape) to have shape [4, 8, 64], got 'tensor<8x64xf32>'}}
  %dQ, %dv = attnres.depth_attn_stats_grad %Q, [%v0], %lse, %do, %lse : tensor<4x64xf32>, tensor<8x64xf32>, tensor<4x8xf32>, tensor<8x64xf32> -> tensor<4x64xf32>, tensor<8x64xf32>
  return
}

// -----

func.func @stats_grad_output_grad_elem(%Q: tensor<4x64xf32>, %v0: tensor<8x64xbf16>, %lse: tensor<4x8xf32>, %do: tensor<4x8x64xf32>) {
  // expected-error @below {{expects the output gradient element type to be the source element type 'bf16', got 'f32'}}
  %dQ, %dv = attnres.depth_attn_stats_grad %Q, [%v0], %lse, %do, %lse : tensor<4x64xf32>, tensor<8x64xbf16>, tensor<4x8xf32>, tensor<4x8x64xf32> -> tensor<4x64xf32>, tensor<8x64xbf16>
  return
}

// -----

func.func @stats_grad_lse_grad_type(%Q: tensor<4x64xf32>, %v0: tensor<8x64xf32>, %lse: tensor<4x8xf32>, %do: tensor<4x8x64xf32>, %dlse: tensor<4x?xf32>) {
  // expected-error @below {{expects dimension 1 of lse_grad to equal dimension 1 of lse (same shape), got ? in 'tensor<4x?xf32>' and 8 in 'tensor<4x8xf32>' (one static, one dynamic)}}
  %dQ, %dv = "attnres.depth_attn_stats_grad"(%Q, %v0, %lse, %do, %dlse) : (tensor<4x64xf32>, tensor<8x64xf32>, tensor<4x8xf32>, tensor<4x8x64xf32>, tensor<4x?xf32>) -> (tensor<4x64xf32>, tensor<8x64xf32>)
  return
}

// -----

func.func @stats_grad_no_sources(%Q: tensor<4x64xf32>, %lse: tensor<4x8xf32>, %do: tensor<4x8x64xf32>) {
  // expected-error @below {{expects at least one source}}
  %dQ = "attnres.depth_attn_stats_grad"(%Q, %lse, %do, %lse) : (tensor<4x64xf32>, tensor<4x8xf32>, tensor<4x8x64xf32>, tensor<4x8xf32>) -> tensor<4x64xf32>
  return
}

// -----

func.func @merge_grad_lse_shape(%o: tensor<8x64xf32>, %lse: tensor<4xf32>, %q: tensor<64xf32>) {
  // expected-error @below {{expects dimension 0 of lse to equal dimension 0 of source (token dimension), got 4 in 'tensor<4xf32>' and 8 in 'tensor<8x64xf32>'}}
  %do, %dlse, %dq, %du = attnres.depth_attn_merge_grad %o, %lse, %q, %o, %o : tensor<8x64xf32>, tensor<4xf32>, tensor<64xf32>
  return
}

// -----

func.func @merge_grad_query_length(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<16xf32>) {
  // expected-error @below {{expects dimension 0 of query to equal dimension 1 of source (hidden size), got 16 in 'tensor<16xf32>' and 64 in 'tensor<8x64xf32>'}}
  %do, %dlse, %dq, %du = attnres.depth_attn_merge_grad %o, %lse, %q, %o, %o : tensor<8x64xf32>, tensor<8xf32>, tensor<16xf32>
  return
}

// -----

func.func @merge_grad_rank0(%o: tensor<f32>, %lse: tensor<f32>, %q: tensor<16xf32>) {
  // expected-error @below {{expects source to have rank >= 1 (token dims, then the hidden size), got 'tensor<f32>'}}
  %do, %dlse, %dq, %du = attnres.depth_attn_merge_grad %o, %lse, %q, %o, %o : tensor<f32>, tensor<f32>, tensor<16xf32>
  return
}

// -----

func.func @merge_grad_types(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>, %u: tensor<8x64xbf16>) {
  // expected-error @below {{failed to verify that all of {output, source, grad, output_grad, source_grad} have same type}}
  %do, %dlse, %dq, %du = "attnres.depth_attn_merge_grad"(%o, %lse, %q, %u, %o) : (tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xbf16>, tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>)
  return
}

// -----

func.func @merge_grad_negative_eps(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>) {
  // expected-error @below {{expects eps to be finite and >= 0, got -1.000000e+00}}
  %do, %dlse, %dq, %du = attnres.depth_attn_merge_grad %o, %lse, %q, %o, %o {eps = -1.0 : f32} : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>
  return
}
