// Every verifier branch of every attnres op, plus the ODS constraints
// (element types, ranked tensors, eps attribute type) and a few parser errors.
//
// RUN: attnres-opt %s -split-input-file -verify-diagnostics=all

//===----------------------------------------------------------------------===//
// ODS constraints (shared by all ops)
//===----------------------------------------------------------------------===//

func.func @depth_attn_integer_elements(%q: tensor<64xi32>, %v0: tensor<8x64xi32>) -> tensor<8x64xi32> {
  // expected-error @below {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values or memref of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<64xi32>'}}
  %h = attnres.depth_attn %q, [%v0] : tensor<64xi32>, tensor<8x64xi32> -> tensor<8x64xi32>
  return %h : tensor<8x64xi32>
}

// -----

func.func @depth_attn_f64_elements(%q: tensor<64xf64>, %v0: tensor<8x64xf64>) -> tensor<8x64xf64> {
  // expected-error @below {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values or memref of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<64xf64>'}}
  %h = attnres.depth_attn %q, [%v0] : tensor<64xf64>, tensor<8x64xf64> -> tensor<8x64xf64>
  return %h : tensor<8x64xf64>
}

// -----

func.func @depth_attn_unranked_generic(%q: tensor<64xf32>, %v0: tensor<*xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{operand #1 must be variadic of ranked tensor of 32-bit float or 16-bit float or bfloat16 type values or memref of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<*xf32>'}}
  %h = "attnres.depth_attn"(%q, %v0) : (tensor<64xf32>, tensor<*xf32>) -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_unranked_custom(%q: tensor<64xf32>, %v0: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @below {{operand #1 must be variadic of ranked tensor of 32-bit float or 16-bit float or bfloat16 type values or memref of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<*xf32>'}}
  %h = attnres.depth_attn %q, [%v0] : tensor<64xf32>, tensor<*xf32> -> tensor<*xf32>
  return %h : tensor<*xf32>
}

// -----

func.func @depth_attn_memref(%q: tensor<64xf32>, %v0: memref<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{expects all operands to be tensors or all to be memrefs (the form after bufferization)}}
  %h = "attnres.depth_attn"(%q, %v0) : (tensor<64xf32>, memref<8x64xf32>) -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_eps_f64(%q: tensor<64xf32>, %v0: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{attribute 'eps' failed to satisfy constraint: 32-bit float attribute}}
  %h = attnres.depth_attn %q, [%v0] {eps = 1.0e-05 : f64} : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_eps_not_float(%q: tensor<64xf32>, %v0: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{invalid properties {eps = 1 : i32} for op attnres.depth_attn: Invalid attribute `eps` in property conversion: 1 : i32}}
  %h = "attnres.depth_attn"(%q, %v0) <{eps = 1 : i32}> : (tensor<64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Parser
//===----------------------------------------------------------------------===//

func.func @depth_attn_sources_without_brackets(%q: tensor<64xf32>, %v0: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{expected '['}}
  %h = attnres.depth_attn %q, %v0 : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @block_summary_empty_without_none(%v0: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // With no outputs the printer writes `none T`; a lone `T` is missing the
  // result type.
  // expected-error @below {{expected non-function type}}
  %b = attnres.block_summary [] : tensor<8x64xf32>
  return %b : tensor<8x64xf32>
}

// -----

//===----------------------------------------------------------------------===//
// depth_attn
//===----------------------------------------------------------------------===//

func.func @depth_attn_no_sources(%q: tensor<64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn' op expects at least one source}}
  %h = attnres.depth_attn %q, [] : tensor<64xf32>, none -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_unequal_sources(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<4x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn' op expects dimension 0 of source #1 to equal dimension 0 of source #0 (one shape for all sources), got 4 in 'tensor<4x64xf32>' and 8 in 'tensor<8x64xf32>'}}
  %h = "attnres.depth_attn"(%q, %v0, %v1) : (tensor<64xf32>, tensor<8x64xf32>, tensor<4x64xf32>) -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_unequal_source_element_types(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xbf16>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn' op expects all sources to have the same type, but source #1 has type 'tensor<8x64xbf16>' and source #0 has type 'tensor<8x64xf32>'}}
  %h = "attnres.depth_attn"(%q, %v0, %v1) : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xbf16>) -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_rank0_sources(%q: tensor<64xf32>, %v0: tensor<f32>) -> tensor<f32> {
  // expected-error @below {{'attnres.depth_attn' op expects source to have rank >= 1 (token dims, then the hidden size), got 'tensor<f32>'}}
  %h = attnres.depth_attn %q, [%v0] : tensor<64xf32>, tensor<f32> -> tensor<f32>
  return %h : tensor<f32>
}

// -----

func.func @depth_attn_zero_hidden(%q: tensor<0xf32>, %v0: tensor<8x0xf32>) -> tensor<8x0xf32> {
  // expected-error @below {{'attnres.depth_attn' op expects dimension 1 of source #0 (hidden size) to be non-zero, got 'tensor<8x0xf32>'}}
  %h = attnres.depth_attn %q, [%v0] : tensor<0xf32>, tensor<8x0xf32> -> tensor<8x0xf32>
  return %h : tensor<8x0xf32>
}

// -----

func.func @depth_attn_query_length(%q: tensor<32xf32>, %v0: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn' op expects dimension 0 of query to equal dimension 1 of source #0 (hidden size), got 32 in 'tensor<32xf32>' and 64 in 'tensor<8x64xf32>'}}
  %h = attnres.depth_attn %q, [%v0] : tensor<32xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_query_element_type(%q: tensor<64xf16>, %v0: tensor<8x64xbf16>) -> tensor<8x64xbf16> {
  // expected-error @below {{'attnres.depth_attn' op expects query element type to be 'bf16' or f32, got 'f16'}}
  %h = attnres.depth_attn %q, [%v0] : tensor<64xf16>, tensor<8x64xbf16> -> tensor<8x64xbf16>
  return %h : tensor<8x64xbf16>
}

// -----

func.func @depth_attn_query_element_type_f32_sources(%q: tensor<64xbf16>, %v0: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn' op expects query element type to be f32, got 'bf16'}}
  %h = attnres.depth_attn %q, [%v0] : tensor<64xbf16>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_query_rank2(%q: tensor<1x64xf32>, %v0: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn' op expects query to be a 1-D tensor of the hidden size, got 'tensor<1x64xf32>'}}
  %h = attnres.depth_attn %q, [%v0] : tensor<1x64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_query_rank0(%q: tensor<f32>, %v0: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn' op expects query to be a 1-D tensor of the hidden size, got 'tensor<f32>'}}
  %h = attnres.depth_attn %q, [%v0] : tensor<f32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_result_shape(%q: tensor<64xf32>, %v0: tensor<8x64xf32>) -> tensor<4x64xf32> {
  // expected-error @below {{'attnres.depth_attn' op expects dimension 0 of result to equal dimension 0 of source #0 (same shape), got 4 in 'tensor<4x64xf32>' and 8 in 'tensor<8x64xf32>'}}
  %h = attnres.depth_attn %q, [%v0] : tensor<64xf32>, tensor<8x64xf32> -> tensor<4x64xf32>
  return %h : tensor<4x64xf32>
}

// -----

func.func @depth_attn_result_element_type(%q: tensor<64xf32>, %v0: tensor<8x64xbf16>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn' op expects the result type to equal the source type 'tensor<8x64xbf16>', got 'tensor<8x64xf32>'}}
  %h = attnres.depth_attn %q, [%v0] : tensor<64xf32>, tensor<8x64xbf16> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_result_dynamic(%q: tensor<64xf32>, %v0: tensor<8x64xf32>) -> tensor<?x64xf32> {
  // expected-error @below {{'attnres.depth_attn' op expects dimension 0 of result to equal dimension 0 of source #0 (same shape), got ? in 'tensor<?x64xf32>' and 8 in 'tensor<8x64xf32>' (one static, one dynamic)}}
  %h = attnres.depth_attn %q, [%v0] : tensor<64xf32>, tensor<8x64xf32> -> tensor<?x64xf32>
  return %h : tensor<?x64xf32>
}

// -----

func.func @depth_attn_eps_negative(%q: tensor<64xf32>, %v0: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn' op expects eps to be finite and >= 0, got -1.000000e-05}}
  %h = attnres.depth_attn %q, [%v0] {eps = -1.0e-05 : f32} : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_eps_nan(%q: tensor<64xf32>, %v0: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn' op expects eps to be finite and >= 0, got nan}}
  %h = attnres.depth_attn %q, [%v0] {eps = 0x7FC00000 : f32} : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_eps_inf(%q: tensor<64xf32>, %v0: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn' op expects eps to be finite and >= 0, got INF}}
  %h = attnres.depth_attn %q, [%v0] {eps = 0x7F800000 : f32} : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_eps_negative_inf(%q: tensor<64xf32>, %v0: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn' op expects eps to be finite and >= 0, got -INF}}
  %h = "attnres.depth_attn"(%q, %v0) <{eps = 0xFF800000 : f32}> : (tensor<64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

//===----------------------------------------------------------------------===//
// rms_norm
//===----------------------------------------------------------------------===//

func.func @rms_norm_integer(%x: tensor<8x64xi8>, %g: tensor<64xf32>) -> tensor<8x64xi8> {
  // expected-error @below {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values or memref of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<8x64xi8>'}}
  %y = attnres.rms_norm %x, %g : tensor<8x64xi8>, tensor<64xf32>
  return %y : tensor<8x64xi8>
}

// -----

func.func @rms_norm_unranked(%x: tensor<*xf32>, %g: tensor<64xf32>) -> tensor<*xf32> {
  // expected-error @below {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values or memref of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<*xf32>'}}
  %y = "attnres.rms_norm"(%x, %g) : (tensor<*xf32>, tensor<64xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

func.func @rms_norm_result_type(%x: tensor<8x64xf32>, %g: tensor<64xf32>) -> tensor<8x64xbf16> {
  // expected-error @below {{'attnres.rms_norm' op failed to verify that all of {input, result} have same type}}
  %y = "attnres.rms_norm"(%x, %g) : (tensor<8x64xf32>, tensor<64xf32>) -> tensor<8x64xbf16>
  return %y : tensor<8x64xbf16>
}

// -----

func.func @rms_norm_rank0(%x: tensor<f32>, %g: tensor<64xf32>) -> tensor<f32> {
  // expected-error @below {{'attnres.rms_norm' op expects input to have rank >= 1 (token dims, then the hidden size), got 'tensor<f32>'}}
  %y = attnres.rms_norm %x, %g : tensor<f32>, tensor<64xf32>
  return %y : tensor<f32>
}

// -----

func.func @rms_norm_zero_hidden(%x: tensor<8x0xf32>, %g: tensor<0xf32>) -> tensor<8x0xf32> {
  // expected-error @below {{'attnres.rms_norm' op expects dimension 1 of input (hidden size) to be non-zero, got 'tensor<8x0xf32>'}}
  %y = attnres.rms_norm %x, %g : tensor<8x0xf32>, tensor<0xf32>
  return %y : tensor<8x0xf32>
}

// -----

func.func @rms_norm_gain_length(%x: tensor<8x64xf32>, %g: tensor<63xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.rms_norm' op expects dimension 0 of gain to equal dimension 1 of input (hidden size), got 63 in 'tensor<63xf32>' and 64 in 'tensor<8x64xf32>'}}
  %y = attnres.rms_norm %x, %g : tensor<8x64xf32>, tensor<63xf32>
  return %y : tensor<8x64xf32>
}

// -----

func.func @rms_norm_gain_element_type(%x: tensor<8x64xf16>, %g: tensor<64xbf16>) -> tensor<8x64xf16> {
  // expected-error @below {{'attnres.rms_norm' op expects gain element type to be 'f16' or f32, got 'bf16'}}
  %y = attnres.rms_norm %x, %g : tensor<8x64xf16>, tensor<64xbf16>
  return %y : tensor<8x64xf16>
}

// -----

func.func @rms_norm_gain_rank(%x: tensor<8x64xf32>, %g: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.rms_norm' op expects gain to be a 1-D tensor of the hidden size, got 'tensor<8x64xf32>'}}
  %y = attnres.rms_norm %x, %g : tensor<8x64xf32>, tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

func.func @rms_norm_eps_negative(%x: tensor<8x64xf32>, %g: tensor<64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.rms_norm' op expects eps to be finite and >= 0, got -1.000000e+00}}
  %y = attnres.rms_norm %x, %g {eps = -1.0 : f32} : tensor<8x64xf32>, tensor<64xf32>
  return %y : tensor<8x64xf32>
}

// -----

func.func @rms_norm_eps_nan(%x: tensor<8x64xf32>, %g: tensor<64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.rms_norm' op expects eps to be finite and >= 0, got nan}}
  %y = attnres.rms_norm %x, %g {eps = 0x7FC00000 : f32} : tensor<8x64xf32>, tensor<64xf32>
  return %y : tensor<8x64xf32>
}

// -----

func.func @rms_norm_eps_inf(%x: tensor<8x64xf32>, %g: tensor<64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.rms_norm' op expects eps to be finite and >= 0, got INF}}
  %y = attnres.rms_norm %x, %g {eps = 0x7F800000 : f32} : tensor<8x64xf32>, tensor<64xf32>
  return %y : tensor<8x64xf32>
}

// -----

//===----------------------------------------------------------------------===//
// depth_logits
//===----------------------------------------------------------------------===//

func.func @depth_logits_integer_keys(%w: tensor<64xf32>, %k0: tensor<8x64xi32>) -> tensor<1x8xf32> {
  // expected-error @below {{operand #1 must be variadic of ranked tensor of 32-bit float or 16-bit float or bfloat16 type values or memref of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<8x64xi32>'}}
  %s = attnres.depth_logits %w, [%k0] : tensor<64xf32>, tensor<8x64xi32> -> tensor<1x8xf32>
  return %s : tensor<1x8xf32>
}

// -----

func.func @depth_logits_unranked_keys(%w: tensor<64xf32>, %k0: tensor<*xf32>) -> tensor<1x8xf32> {
  // expected-error @below {{operand #1 must be variadic of ranked tensor of 32-bit float or 16-bit float or bfloat16 type values or memref of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<*xf32>'}}
  %s = "attnres.depth_logits"(%w, %k0) : (tensor<64xf32>, tensor<*xf32>) -> tensor<1x8xf32>
  return %s : tensor<1x8xf32>
}

// -----

func.func @depth_logits_bf16_result(%w: tensor<64xbf16>, %k0: tensor<8x64xbf16>) -> tensor<1x8xbf16> {
  // expected-error @below {{result #0 must be ranked tensor of 32-bit float values, but got 'tensor<1x8xbf16>'}}
  %s = attnres.depth_logits %w, [%k0] : tensor<64xbf16>, tensor<8x64xbf16> -> tensor<1x8xbf16>
  return %s : tensor<1x8xbf16>
}

// -----

func.func @depth_logits_no_keys(%w: tensor<64xf32>) -> tensor<0x8xf32> {
  // expected-error @below {{'attnres.depth_logits' op expects at least one key}}
  %s = attnres.depth_logits %w, [] : tensor<64xf32>, none -> tensor<0x8xf32>
  return %s : tensor<0x8xf32>
}

// -----

func.func @depth_logits_unequal_keys(%w: tensor<64xf32>, %k0: tensor<8x64xf32>, %k1: tensor<8x64xf16>) -> tensor<2x8xf32> {
  // expected-error @below {{'attnres.depth_logits' op expects all keys to have the same type, but key #1 has type 'tensor<8x64xf16>' and key #0 has type 'tensor<8x64xf32>'}}
  %s = "attnres.depth_logits"(%w, %k0, %k1) : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf16>) -> tensor<2x8xf32>
  return %s : tensor<2x8xf32>
}

// -----

func.func @depth_logits_rank0_keys(%w: tensor<64xf32>, %k0: tensor<f32>) -> tensor<1xf32> {
  // expected-error @below {{'attnres.depth_logits' op expects key to have rank >= 1 (token dims, then the hidden size), got 'tensor<f32>'}}
  %s = attnres.depth_logits %w, [%k0] : tensor<64xf32>, tensor<f32> -> tensor<1xf32>
  return %s : tensor<1xf32>
}

// -----

func.func @depth_logits_zero_hidden(%w: tensor<0xf32>, %k0: tensor<8x0xf32>) -> tensor<1x8xf32> {
  // expected-error @below {{'attnres.depth_logits' op expects dimension 1 of key #0 (hidden size) to be non-zero, got 'tensor<8x0xf32>'}}
  %s = attnres.depth_logits %w, [%k0] : tensor<0xf32>, tensor<8x0xf32> -> tensor<1x8xf32>
  return %s : tensor<1x8xf32>
}

// -----

func.func @depth_logits_query_length(%w: tensor<65xf32>, %k0: tensor<8x64xf32>) -> tensor<1x8xf32> {
  // expected-error @below {{'attnres.depth_logits' op expects dimension 0 of query to equal dimension 1 of key #0 (hidden size), got 65 in 'tensor<65xf32>' and 64 in 'tensor<8x64xf32>'}}
  %s = attnres.depth_logits %w, [%k0] : tensor<65xf32>, tensor<8x64xf32> -> tensor<1x8xf32>
  return %s : tensor<1x8xf32>
}

// -----

func.func @depth_logits_query_element_type(%w: tensor<64xbf16>, %k0: tensor<8x64xf16>) -> tensor<1x8xf32> {
  // expected-error @below {{'attnres.depth_logits' op expects query element type to be 'f16' or f32, got 'bf16'}}
  %s = attnres.depth_logits %w, [%k0] : tensor<64xbf16>, tensor<8x64xf16> -> tensor<1x8xf32>
  return %s : tensor<1x8xf32>
}

// -----

func.func @depth_logits_query_rank(%w: tensor<8x64xf32>, %k0: tensor<8x64xf32>) -> tensor<1x8xf32> {
  // expected-error @below {{'attnres.depth_logits' op expects query to be a 1-D tensor of the hidden size, got 'tensor<8x64xf32>'}}
  %s = attnres.depth_logits %w, [%k0] : tensor<8x64xf32>, tensor<8x64xf32> -> tensor<1x8xf32>
  return %s : tensor<1x8xf32>
}

// -----

func.func @depth_logits_result_count(%w: tensor<64xf32>, %k0: tensor<8x64xf32>, %k1: tensor<8x64xf32>) -> tensor<3x8xf32> {
  // expected-error @below {{'attnres.depth_logits' op expects dimension 0 of result (key count) to be 2, got 3 in 'tensor<3x8xf32>'}}
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<64xf32>, tensor<8x64xf32> -> tensor<3x8xf32>
  return %s : tensor<3x8xf32>
}

// -----

func.func @depth_logits_result_dynamic_count(%w: tensor<64xf32>, %k0: tensor<8x64xf32>, %k1: tensor<8x64xf32>) -> tensor<?x8xf32> {
  // expected-error @below {{'attnres.depth_logits' op expects dimension 0 of result (key count) to be 2, got ? in 'tensor<?x8xf32>'}}
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<64xf32>, tensor<8x64xf32> -> tensor<?x8xf32>
  return %s : tensor<?x8xf32>
}

// -----

func.func @depth_logits_result_token_dims(%w: tensor<64xf32>, %k0: tensor<?x8x64xf32>) -> tensor<1x8x8xf32> {
  // expected-error @below {{'attnres.depth_logits' op expects dimension 1 of result to equal dimension 0 of key #0 (token dimension), got 8 in 'tensor<1x8x8xf32>' and ? in 'tensor<?x8x64xf32>' (one static, one dynamic)}}
  %s = attnres.depth_logits %w, [%k0] : tensor<64xf32>, tensor<?x8x64xf32> -> tensor<1x8x8xf32>
  return %s : tensor<1x8x8xf32>
}

// -----

func.func @depth_logits_result_hidden_kept(%w: tensor<64xf32>, %k0: tensor<8x64xf32>) -> tensor<1x8x64xf32> {
  // expected-error @below {{'attnres.depth_logits' op expects the result (source count, then token dims) to have shape [1, 8], got 'tensor<1x8x64xf32>'}}
  %s = attnres.depth_logits %w, [%k0] : tensor<64xf32>, tensor<8x64xf32> -> tensor<1x8x64xf32>
  return %s : tensor<1x8x64xf32>
}

// -----

func.func @depth_logits_result_missing_source_axis(%w: tensor<64xf32>, %k0: tensor<64xf32>) -> tensor<f32> {
  // expected-error @below {{'attnres.depth_logits' op expects the result (source count, then token dims) to have shape [1], got 'tensor<f32>'}}
  %s = attnres.depth_logits %w, [%k0] : tensor<64xf32>, tensor<64xf32> -> tensor<f32>
  return %s : tensor<f32>
}

// -----

//===----------------------------------------------------------------------===//
// depth_softmax
//===----------------------------------------------------------------------===//

func.func @depth_softmax_bf16(%s: tensor<3x8xbf16>) -> tensor<3x8xbf16> {
  // expected-error @below {{operand #0 must be ranked tensor of 32-bit float values or memref of 32-bit float values, but got 'tensor<3x8xbf16>'}}
  %a = attnres.depth_softmax %s : tensor<3x8xbf16>
  return %a : tensor<3x8xbf16>
}

// -----

func.func @depth_softmax_unranked(%s: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @below {{operand #0 must be ranked tensor of 32-bit float values or memref of 32-bit float values, but got 'tensor<*xf32>'}}
  %a = "attnres.depth_softmax"(%s) : (tensor<*xf32>) -> tensor<*xf32>
  return %a : tensor<*xf32>
}

// -----

func.func @depth_softmax_result_type(%s: tensor<3x8xf32>) -> tensor<3x?xf32> {
  // expected-error @below {{'attnres.depth_softmax' op expects dimension 1 of result to equal dimension 1 of logits (same shape), got ? in 'tensor<3x?xf32>' and 8 in 'tensor<3x8xf32>' (one static, one dynamic)}}
  %a = "attnres.depth_softmax"(%s) : (tensor<3x8xf32>) -> tensor<3x?xf32>
  return %a : tensor<3x?xf32>
}

// -----

func.func @depth_softmax_rank0(%s: tensor<f32>) -> tensor<f32> {
  // expected-error @below {{'attnres.depth_softmax' op expects logits of rank >= 1 (the depth axis, then token dims), got 'tensor<f32>'}}
  %a = attnres.depth_softmax %s : tensor<f32>
  return %a : tensor<f32>
}

// -----

func.func @depth_softmax_empty_depth(%s: tensor<0x8xf32>) -> tensor<0x8xf32> {
  // expected-error @below {{'attnres.depth_softmax' op expects dimension 0 of logits (depth axis) to be non-zero, got 'tensor<0x8xf32>'}}
  %a = attnres.depth_softmax %s : tensor<0x8xf32>
  return %a : tensor<0x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// depth_combine
//===----------------------------------------------------------------------===//

func.func @depth_combine_bf16_weights(%a: tensor<1x8xbf16>, %v0: tensor<8x64xbf16>) -> tensor<8x64xbf16> {
  // expected-error @below {{operand #0 must be ranked tensor of 32-bit float values or memref of 32-bit float values, but got 'tensor<1x8xbf16>'}}
  %h = attnres.depth_combine %a, [%v0] : tensor<1x8xbf16>, tensor<8x64xbf16> -> tensor<8x64xbf16>
  return %h : tensor<8x64xbf16>
}

// -----

func.func @depth_combine_integer_values(%a: tensor<1x8xf32>, %v0: tensor<8x64xi16>) -> tensor<8x64xi16> {
  // expected-error @below {{operand #1 must be variadic of ranked tensor of 32-bit float or 16-bit float or bfloat16 type values or memref of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<8x64xi16>'}}
  %h = attnres.depth_combine %a, [%v0] : tensor<1x8xf32>, tensor<8x64xi16> -> tensor<8x64xi16>
  return %h : tensor<8x64xi16>
}

// -----

func.func @depth_combine_unranked_weights(%a: tensor<*xf32>, %v0: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{operand #0 must be ranked tensor of 32-bit float values or memref of 32-bit float values, but got 'tensor<*xf32>'}}
  %h = "attnres.depth_combine"(%a, %v0) : (tensor<*xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_combine_no_values(%a: tensor<0x8xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_combine' op expects at least one value}}
  %h = attnres.depth_combine %a, [] : tensor<0x8xf32>, none -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_combine_unequal_values(%a: tensor<2x8xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x32xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_combine' op expects dimension 1 of value #1 to equal dimension 1 of value #0 (one shape for all values), got 32 in 'tensor<8x32xf32>' and 64 in 'tensor<8x64xf32>'}}
  %h = "attnres.depth_combine"(%a, %v0, %v1) : (tensor<2x8xf32>, tensor<8x64xf32>, tensor<8x32xf32>) -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_combine_rank0_values(%a: tensor<1xf32>, %v0: tensor<f32>) -> tensor<f32> {
  // expected-error @below {{'attnres.depth_combine' op expects value to have rank >= 1 (token dims, then the hidden size), got 'tensor<f32>'}}
  %h = attnres.depth_combine %a, [%v0] : tensor<1xf32>, tensor<f32> -> tensor<f32>
  return %h : tensor<f32>
}

// -----

func.func @depth_combine_zero_hidden(%a: tensor<1x8xf32>, %v0: tensor<8x0xf32>) -> tensor<8x0xf32> {
  // expected-error @below {{'attnres.depth_combine' op expects dimension 1 of value #0 (hidden size) to be non-zero, got 'tensor<8x0xf32>'}}
  %h = attnres.depth_combine %a, [%v0] : tensor<1x8xf32>, tensor<8x0xf32> -> tensor<8x0xf32>
  return %h : tensor<8x0xf32>
}

// -----

func.func @depth_combine_weights_count(%a: tensor<3x8xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_combine' op expects dimension 0 of weights (value count) to be 2, got 3 in 'tensor<3x8xf32>'}}
  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<3x8xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_combine_weights_token_dims(%a: tensor<2x4xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_combine' op expects dimension 1 of weights to equal dimension 0 of value #0 (token dimension), got 4 in 'tensor<2x4xf32>' and 8 in 'tensor<8x64xf32>'}}
  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<2x4xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_combine_weights_rank(%a: tensor<2xf32>, %v0: tensor<?x64xf32>, %v1: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // expected-error @below {{'attnres.depth_combine' op expects weights (source count, then token dims) to have shape [2, ?], got 'tensor<2xf32>'}}
  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<2xf32>, tensor<?x64xf32> -> tensor<?x64xf32>
  return %h : tensor<?x64xf32>
}

// -----

func.func @depth_combine_result_type(%a: tensor<1x8xf32>, %v0: tensor<8x64xbf16>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_combine' op expects the result type to equal the value type 'tensor<8x64xbf16>', got 'tensor<8x64xf32>'}}
  %h = attnres.depth_combine %a, [%v0] : tensor<1x8xf32>, tensor<8x64xbf16> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

//===----------------------------------------------------------------------===//
// block_summary
//===----------------------------------------------------------------------===//

func.func @block_summary_integer(%o0: tensor<8x64xi32>) -> tensor<8x64xi32> {
  // expected-error @below {{operand #0 must be variadic of ranked tensor of 32-bit float or 16-bit float or bfloat16 type values or memref of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<8x64xi32>'}}
  %b = attnres.block_summary [%o0] : tensor<8x64xi32>
  return %b : tensor<8x64xi32>
}

// -----

func.func @block_summary_unranked(%o0: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @below {{operand #0 must be variadic of ranked tensor of 32-bit float or 16-bit float or bfloat16 type values or memref of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<*xf32>'}}
  %b = "attnres.block_summary"(%o0) : (tensor<*xf32>) -> tensor<*xf32>
  return %b : tensor<*xf32>
}

// -----

func.func @block_summary_no_outputs() -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.block_summary' op expects at least one output}}
  %b = attnres.block_summary [] : none tensor<8x64xf32>
  return %b : tensor<8x64xf32>
}

// -----

func.func @block_summary_unequal_outputs(%o0: tensor<8x64xf32>, %o1: tensor<?x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.block_summary' op expects dimension 0 of output #1 to equal dimension 0 of output #0 (one shape for all outputs), got ? in 'tensor<?x64xf32>' and 8 in 'tensor<8x64xf32>' (one static, one dynamic)}}
  %b = "attnres.block_summary"(%o0, %o1) : (tensor<8x64xf32>, tensor<?x64xf32>) -> tensor<8x64xf32>
  return %b : tensor<8x64xf32>
}

// -----

func.func @block_summary_rank0(%o0: tensor<f32>) -> tensor<f32> {
  // expected-error @below {{'attnres.block_summary' op expects output to have rank >= 1 (token dims, then the hidden size), got 'tensor<f32>'}}
  %b = attnres.block_summary [%o0] : tensor<f32>
  return %b : tensor<f32>
}

// -----

func.func @block_summary_zero_hidden(%o0: tensor<8x0xf32>) -> tensor<8x0xf32> {
  // expected-error @below {{'attnres.block_summary' op expects dimension 1 of output #0 (hidden size) to be non-zero, got 'tensor<8x0xf32>'}}
  %b = attnres.block_summary [%o0] : tensor<8x0xf32>
  return %b : tensor<8x0xf32>
}

// -----

func.func @block_summary_result_type(%o0: tensor<8x64xf32>) -> tensor<8x64xf16> {
  // expected-error @below {{'attnres.block_summary' op expects the result type to equal the output type 'tensor<8x64xf32>', got 'tensor<8x64xf16>'}}
  %b = "attnres.block_summary"(%o0) : (tensor<8x64xf32>) -> tensor<8x64xf16>
  return %b : tensor<8x64xf16>
}

// -----

//===----------------------------------------------------------------------===//
// depth_attn_stats
//===----------------------------------------------------------------------===//

func.func @depth_attn_stats_integer_queries(%q: tensor<4x64xi32>, %b0: tensor<8x64xf32>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>) {
  // expected-error @below {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values or memref of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<4x64xi32>'}}
  %o, %lse = attnres.depth_attn_stats %q, [%b0] : tensor<4x64xi32>, tensor<8x64xf32> -> tensor<4x8x64xf32>, tensor<4x8xf32>
  return %o, %lse : tensor<4x8x64xf32>, tensor<4x8xf32>
}

// -----

func.func @depth_attn_stats_unranked_sources(%q: tensor<4x64xf32>, %b0: tensor<*xf32>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>) {
  // expected-error @below {{operand #1 must be variadic of ranked tensor of 32-bit float or 16-bit float or bfloat16 type values or memref of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<*xf32>'}}
  %o, %lse = "attnres.depth_attn_stats"(%q, %b0) : (tensor<4x64xf32>, tensor<*xf32>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>)
  return %o, %lse : tensor<4x8x64xf32>, tensor<4x8xf32>
}

// -----

func.func @depth_attn_stats_bf16_lse(%q: tensor<4x64xbf16>, %b0: tensor<8x64xbf16>) -> (tensor<4x8x64xbf16>, tensor<4x8xbf16>) {
  // expected-error @below {{expects lse to have element type f32, got 'tensor<4x8xbf16>'}}
  %o, %lse = attnres.depth_attn_stats %q, [%b0] : tensor<4x64xbf16>, tensor<8x64xbf16> -> tensor<4x8x64xbf16>, tensor<4x8xbf16>
  return %o, %lse : tensor<4x8x64xbf16>, tensor<4x8xbf16>
}

// -----

func.func @depth_attn_stats_no_sources(%q: tensor<4x64xf32>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats' op expects at least one source}}
  %o, %lse = attnres.depth_attn_stats %q, [] : tensor<4x64xf32>, none -> tensor<4x8x64xf32>, tensor<4x8xf32>
  return %o, %lse : tensor<4x8x64xf32>, tensor<4x8xf32>
}

// -----

func.func @depth_attn_stats_unequal_sources(%q: tensor<4x64xf32>, %b0: tensor<8x64xf32>, %b1: tensor<16x64xf32>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats' op expects dimension 0 of source #1 to equal dimension 0 of source #0 (one shape for all sources), got 16 in 'tensor<16x64xf32>' and 8 in 'tensor<8x64xf32>'}}
  %o, %lse = "attnres.depth_attn_stats"(%q, %b0, %b1) : (tensor<4x64xf32>, tensor<8x64xf32>, tensor<16x64xf32>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>)
  return %o, %lse : tensor<4x8x64xf32>, tensor<4x8xf32>
}

// -----

func.func @depth_attn_stats_rank0_sources(%q: tensor<4x1xf32>, %b0: tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats' op expects source to have rank >= 1 (token dims, then the hidden size), got 'tensor<f32>'}}
  %o, %lse = attnres.depth_attn_stats %q, [%b0] : tensor<4x1xf32>, tensor<f32> -> tensor<4xf32>, tensor<4xf32>
  return %o, %lse : tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @depth_attn_stats_zero_hidden(%q: tensor<4x0xf32>, %b0: tensor<8x0xf32>) -> (tensor<4x8x0xf32>, tensor<4x8xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats' op expects dimension 1 of source #0 (hidden size) to be non-zero, got 'tensor<8x0xf32>'}}
  %o, %lse = attnres.depth_attn_stats %q, [%b0] : tensor<4x0xf32>, tensor<8x0xf32> -> tensor<4x8x0xf32>, tensor<4x8xf32>
  return %o, %lse : tensor<4x8x0xf32>, tensor<4x8xf32>
}

// -----

func.func @depth_attn_stats_queries_rank1(%q: tensor<64xf32>, %b0: tensor<8x64xf32>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats' op expects queries of shape [S, D], got 'tensor<64xf32>'}}
  %o, %lse = attnres.depth_attn_stats %q, [%b0] : tensor<64xf32>, tensor<8x64xf32> -> tensor<4x8x64xf32>, tensor<4x8xf32>
  return %o, %lse : tensor<4x8x64xf32>, tensor<4x8xf32>
}

// -----

func.func @depth_attn_stats_queries_element_type(%q: tensor<4x64xf16>, %b0: tensor<8x64xbf16>) -> (tensor<4x8x64xbf16>, tensor<4x8xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats' op expects queries element type to be 'bf16' or f32, got 'f16'}}
  %o, %lse = attnres.depth_attn_stats %q, [%b0] : tensor<4x64xf16>, tensor<8x64xbf16> -> tensor<4x8x64xbf16>, tensor<4x8xf32>
  return %o, %lse : tensor<4x8x64xbf16>, tensor<4x8xf32>
}

// -----

func.func @depth_attn_stats_queries_element_type_f32_sources(%q: tensor<4x64xbf16>, %b0: tensor<8x64xf32>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats' op expects queries element type to be f32, got 'bf16'}}
  %o, %lse = attnres.depth_attn_stats %q, [%b0] : tensor<4x64xbf16>, tensor<8x64xf32> -> tensor<4x8x64xf32>, tensor<4x8xf32>
  return %o, %lse : tensor<4x8x64xf32>, tensor<4x8xf32>
}

// -----

func.func @depth_attn_stats_query_length(%q: tensor<4x32xf32>, %b0: tensor<8x64xf32>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats' op expects dimension 1 of queries to equal dimension 1 of source #0 (hidden size), got 32 in 'tensor<4x32xf32>' and 64 in 'tensor<8x64xf32>'}}
  %o, %lse = attnres.depth_attn_stats %q, [%b0] : tensor<4x32xf32>, tensor<8x64xf32> -> tensor<4x8x64xf32>, tensor<4x8xf32>
  return %o, %lse : tensor<4x8x64xf32>, tensor<4x8xf32>
}

// -----

func.func @depth_attn_stats_output_shape(%q: tensor<4x64xf32>, %b0: tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<4x8xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats' op expects the output (queries, then source shape) to have shape [4, 8, 64], got 'tensor<8x64xf32>'}}
  %o, %lse = attnres.depth_attn_stats %q, [%b0] : tensor<4x64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>, tensor<4x8xf32>
  return %o, %lse : tensor<8x64xf32>, tensor<4x8xf32>
}

// -----

func.func @depth_attn_stats_output_query_count(%q: tensor<?x64xf32>, %b0: tensor<8x64xf32>) -> (tensor<4x8x64xf32>, tensor<?x8xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats' op expects dimension 0 of output to equal dimension 0 of queries (query count), got 4 in 'tensor<4x8x64xf32>' and ? in 'tensor<?x64xf32>' (one static, one dynamic)}}
  %o, %lse = attnres.depth_attn_stats %q, [%b0] : tensor<?x64xf32>, tensor<8x64xf32> -> tensor<4x8x64xf32>, tensor<?x8xf32>
  return %o, %lse : tensor<4x8x64xf32>, tensor<?x8xf32>
}

// -----

func.func @depth_attn_stats_output_element_type(%q: tensor<4x64xf32>, %b0: tensor<8x64xbf16>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats' op expects the output element type to be the source element type 'bf16', got 'f32'}}
  %o, %lse = attnres.depth_attn_stats %q, [%b0] : tensor<4x64xf32>, tensor<8x64xbf16> -> tensor<4x8x64xf32>, tensor<4x8xf32>
  return %o, %lse : tensor<4x8x64xf32>, tensor<4x8xf32>
}

// -----

func.func @depth_attn_stats_lse_shape(%q: tensor<4x64xf32>, %b0: tensor<8x64xf32>) -> (tensor<4x8x64xf32>, tensor<8xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats' op expects lse (queries, then token dims) to have shape [4, 8], got 'tensor<8xf32>'}}
  %o, %lse = attnres.depth_attn_stats %q, [%b0] : tensor<4x64xf32>, tensor<8x64xf32> -> tensor<4x8x64xf32>, tensor<8xf32>
  return %o, %lse : tensor<4x8x64xf32>, tensor<8xf32>
}

// -----

func.func @depth_attn_stats_eps_negative(%q: tensor<4x64xf32>, %b0: tensor<8x64xf32>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats' op expects eps to be finite and >= 0, got -1.000000e+00}}
  %o, %lse = attnres.depth_attn_stats %q, [%b0] {eps = -1.0 : f32} : tensor<4x64xf32>, tensor<8x64xf32> -> tensor<4x8x64xf32>, tensor<4x8xf32>
  return %o, %lse : tensor<4x8x64xf32>, tensor<4x8xf32>
}

// -----

func.func @depth_attn_stats_eps_nan(%q: tensor<4x64xf32>, %b0: tensor<8x64xf32>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats' op expects eps to be finite and >= 0, got nan}}
  %o, %lse = attnres.depth_attn_stats %q, [%b0] {eps = 0x7FC00000 : f32} : tensor<4x64xf32>, tensor<8x64xf32> -> tensor<4x8x64xf32>, tensor<4x8xf32>
  return %o, %lse : tensor<4x8x64xf32>, tensor<4x8xf32>
}

// -----

func.func @depth_attn_stats_eps_inf(%q: tensor<4x64xf32>, %b0: tensor<8x64xf32>) -> (tensor<4x8x64xf32>, tensor<4x8xf32>) {
  // expected-error @below {{'attnres.depth_attn_stats' op expects eps to be finite and >= 0, got INF}}
  %o, %lse = attnres.depth_attn_stats %q, [%b0] {eps = 0x7F800000 : f32} : tensor<4x64xf32>, tensor<8x64xf32> -> tensor<4x8x64xf32>, tensor<4x8xf32>
  return %o, %lse : tensor<4x8x64xf32>, tensor<4x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// depth_attn_merge
//===----------------------------------------------------------------------===//

func.func @depth_attn_merge_integer(%o: tensor<8x64xi32>, %lse: tensor<8xf32>, %q: tensor<64xf32>, %u: tensor<8x64xi32>) -> tensor<8x64xi32> {
  // expected-error @below {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values or memref of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<8x64xi32>'}}
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<8x64xi32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xi32>
  return %h : tensor<8x64xi32>
}

// -----

func.func @depth_attn_merge_f16_lse(%o: tensor<8x64xf16>, %lse: tensor<8xf16>, %q: tensor<64xf16>, %u: tensor<8x64xf16>) -> tensor<8x64xf16> {
  // expected-error @below {{operand #1 must be ranked tensor of 32-bit float values or memref of 32-bit float values, but got 'tensor<8xf16>'}}
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<8x64xf16>, tensor<8xf16>, tensor<64xf16>, tensor<8x64xf16>
  return %h : tensor<8x64xf16>
}

// -----

func.func @depth_attn_merge_unranked_source(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>, %u: tensor<*xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{operand #3 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values or memref of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<*xf32>'}}
  %h = "attnres.depth_attn_merge"(%o, %lse, %q, %u) : (tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<*xf32>) -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_merge_source_type(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>, %u: tensor<8x64xbf16>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn_merge' op failed to verify that all of {output, source, result} have same type}}
  %h = "attnres.depth_attn_merge"(%o, %lse, %q, %u) : (tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xbf16>) -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_merge_result_type(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>, %u: tensor<8x64xf32>) -> tensor<?x64xf32> {
  // expected-error @below {{'attnres.depth_attn_merge' op expects dimension 0 of result to equal dimension 0 of source (same shape), got ? in 'tensor<?x64xf32>' and 8 in 'tensor<8x64xf32>' (one static, one dynamic)}}
  %h = "attnres.depth_attn_merge"(%o, %lse, %q, %u) : (tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>) -> tensor<?x64xf32>
  return %h : tensor<?x64xf32>
}

// -----

func.func @depth_attn_merge_rank0(%o: tensor<f32>, %lse: tensor<f32>, %q: tensor<1xf32>, %u: tensor<f32>) -> tensor<f32> {
  // expected-error @below {{'attnres.depth_attn_merge' op expects source to have rank >= 1 (token dims, then the hidden size), got 'tensor<f32>'}}
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<f32>, tensor<f32>, tensor<1xf32>, tensor<f32>
  return %h : tensor<f32>
}

// -----

func.func @depth_attn_merge_zero_hidden(%o: tensor<8x0xf32>, %lse: tensor<8xf32>, %q: tensor<0xf32>, %u: tensor<8x0xf32>) -> tensor<8x0xf32> {
  // expected-error @below {{'attnres.depth_attn_merge' op expects dimension 1 of source (hidden size) to be non-zero, got 'tensor<8x0xf32>'}}
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<8x0xf32>, tensor<8xf32>, tensor<0xf32>, tensor<8x0xf32>
  return %h : tensor<8x0xf32>
}

// -----

func.func @depth_attn_merge_query_length(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<8xf32>, %u: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn_merge' op expects dimension 0 of query to equal dimension 1 of source (hidden size), got 8 in 'tensor<8xf32>' and 64 in 'tensor<8x64xf32>'}}
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<8x64xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_merge_query_element_type(%o: tensor<8x64xbf16>, %lse: tensor<8xf32>, %q: tensor<64xf16>, %u: tensor<8x64xbf16>) -> tensor<8x64xbf16> {
  // expected-error @below {{'attnres.depth_attn_merge' op expects query element type to be 'bf16' or f32, got 'f16'}}
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<8x64xbf16>, tensor<8xf32>, tensor<64xf16>, tensor<8x64xbf16>
  return %h : tensor<8x64xbf16>
}

// -----

func.func @depth_attn_merge_query_rank(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<1x64xf32>, %u: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn_merge' op expects query to be a 1-D tensor of the hidden size, got 'tensor<1x64xf32>'}}
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<8x64xf32>, tensor<8xf32>, tensor<1x64xf32>, tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_merge_lse_shape(%o: tensor<8x64xf32>, %lse: tensor<8x64xf32>, %q: tensor<64xf32>, %u: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn_merge' op expects lse (token dims of the source) to have shape [8], got 'tensor<8x64xf32>'}}
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>, tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_merge_lse_dynamic(%o: tensor<?x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>, %u: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // expected-error @below {{'attnres.depth_attn_merge' op expects dimension 0 of lse to equal dimension 0 of source (token dimension), got 8 in 'tensor<8xf32>' and ? in 'tensor<?x64xf32>' (one static, one dynamic)}}
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<?x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<?x64xf32>
  return %h : tensor<?x64xf32>
}

// -----

func.func @depth_attn_merge_eps_negative(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>, %u: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn_merge' op expects eps to be finite and >= 0, got -2.500000e-01}}
  %h = attnres.depth_attn_merge %o, %lse, %q, %u {eps = -0.25 : f32} : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_merge_eps_nan(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>, %u: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn_merge' op expects eps to be finite and >= 0, got nan}}
  %h = attnres.depth_attn_merge %o, %lse, %q, %u {eps = 0x7FC00000 : f32} : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

func.func @depth_attn_merge_eps_inf(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>, %u: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{'attnres.depth_attn_merge' op expects eps to be finite and >= 0, got INF}}
  %h = attnres.depth_attn_merge %o, %lse, %q, %u {eps = 0x7F800000 : f32} : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}
