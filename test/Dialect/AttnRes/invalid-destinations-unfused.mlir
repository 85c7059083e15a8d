// Verifier and parser errors of the destinations (`outs`) and the memref
// form of the unfused steps and block_summary.
// RUN: attnres-opt %s --split-input-file --verify-diagnostics

func.func @norm_mixed_forms(%x: tensor<8x64xf32>, %g: memref<64xf32>, %k: memref<8x64xf32>) {
  // expected-error @below {{'attnres.rms_norm' op expects all operands to be tensors or all to be memrefs (the form after bufferization)}}
  attnres.rms_norm %x, %g outs(%k : memref<8x64xf32>) : tensor<8x64xf32>, memref<64xf32>
  return
}

// -----

func.func @norm_memref_without_outs(%x: memref<8x64xf32>, %g: memref<64xf32>) {
  // expected-error @below {{'attnres.rms_norm' op expects destinations (outs) in the memref form}}
  attnres.rms_norm %x, %g : memref<8x64xf32>, memref<64xf32>
  return
}

// -----

func.func @norm_outs_type(%x: tensor<8x64xf32>, %g: tensor<64xf32>, %k: tensor<8x64xbf16>) {
  // expected-error @below {{'attnres.rms_norm' op expects the destination type to equal the result type 'tensor<8x64xf32>', got 'tensor<8x64xbf16>'}}
  %y = "attnres.rms_norm"(%x, %g, %k) : (tensor<8x64xf32>, tensor<64xf32>, tensor<8x64xbf16>) -> tensor<8x64xf32>
  return
}

// -----

func.func @norm_memref_outs_shape(%x: memref<8x64xf32>, %g: memref<64xf32>, %k: memref<4x64xf32>) {
  // expected-error @below {{'attnres.rms_norm' op expects dimension 0 of init to equal dimension 0 of input (same shape), got 4 in 'memref<4x64xf32>' and 8 in 'memref<8x64xf32>'}}
  attnres.rms_norm %x, %g outs(%k : memref<4x64xf32>) : memref<8x64xf32>, memref<64xf32>
  return
}

// -----

func.func @norm_memref_with_result(%x: memref<8x64xf32>, %g: memref<64xf32>, %k: memref<8x64xf32>) {
  // expected-error @below {{'attnres.rms_norm' op expects no results in the memref form, got 1}}
  %y = "attnres.rms_norm"(%x, %g, %k) : (memref<8x64xf32>, memref<64xf32>, memref<8x64xf32>) -> tensor<8x64xf32>
  return
}

// -----

func.func @norm_outs_count(%x: tensor<8x64xf32>, %g: tensor<64xf32>) {
  // expected-error @below {{expected 1 destination}}
  %y = attnres.rms_norm %x, %g outs(%x, %x : tensor<8x64xf32>, tensor<8x64xf32>) : tensor<8x64xf32>, tensor<64xf32>
  return
}

// -----

func.func @summary_memref_without_outs(%a: memref<8x64xf32>, %b: memref<8x64xf32>) {
  // expected-error @below {{'attnres.block_summary' op expects destinations (outs) in the memref form}}
  "attnres.block_summary"(%a, %b) : (memref<8x64xf32>, memref<8x64xf32>) -> ()
  return
}

// -----

func.func @summary_tensor_without_result(%a: tensor<8x64xf32>, %b: tensor<8x64xf32>) {
  // expected-error @below {{'attnres.block_summary' op expects 1 result on tensors, got 0}}
  "attnres.block_summary"(%a, %b) : (tensor<8x64xf32>, tensor<8x64xf32>) -> ()
  return
}

// -----

func.func @summary_outs_type(%a: tensor<8x64xf32>, %i: tensor<?x64xf32>) {
  // expected-error @below {{'attnres.block_summary' op expects dimension 0 of init to equal dimension 0 of output #0 (same shape), got ? in 'tensor<?x64xf32>' and 8 in 'tensor<8x64xf32>' (one static, one dynamic)}}
  %s = attnres.block_summary [%a, %a] outs(%i : tensor<?x64xf32>) : tensor<8x64xf32>
  return
}

// -----

func.func @summary_memref_outs_elem(%a: memref<8x64xf32>, %i: memref<8x64xf16>) {
  // expected-error @below {{'attnres.block_summary' op expects the destination to have the shape and element type of the output type 'memref<8x64xf32>', got 'memref<8x64xf16>'}}
  attnres.block_summary [%a, %a] outs(%i : memref<8x64xf16>) : memref<8x64xf32>
  return
}

// -----

func.func @summary_memref_outputs(%a: memref<8x64xf32>, %b: memref<4x64xf32>, %i: memref<8x64xf32>) {
  // expected-error @below {{'attnres.block_summary' op expects dimension 0 of output #1 to equal dimension 0 of output #0 (one shape for all outputs), got 4 in 'memref<4x64xf32>' and 8 in 'memref<8x64xf32>'}}
  attnres.block_summary [%a, %b] outs(%i : memref<8x64xf32>) : (memref<8x64xf32>, memref<4x64xf32>)
  return
}

// -----

func.func @logits_memref_without_outs(%w: memref<64xf32>, %k: memref<8x64xf32>) {
  // expected-error @below {{'attnres.depth_logits' op expects destinations (outs) in the memref form}}
  "attnres.depth_logits"(%w, %k) : (memref<64xf32>, memref<8x64xf32>) -> ()
  return
}

// -----

func.func @logits_outs_type(%w: tensor<64xf32>, %k: tensor<8x64xf32>, %i: tensor<1x?xf32>) {
  // expected-error @below {{'attnres.depth_logits' op expects dimension 1 of init to equal dimension 0 of key #0 (token dimension), got ? in 'tensor<1x?xf32>' and 8 in 'tensor<8x64xf32>' (one static, one dynamic)}}
  %s = attnres.depth_logits %w, [%k] outs(%i : tensor<1x?xf32>) : tensor<64xf32>, tensor<8x64xf32> -> tensor<1x8xf32>
  return
}

// -----

func.func @logits_memref_outs_shape(%w: memref<64xf32>, %k: memref<8x64xf32>, %i: memref<2x8xf32>) {
  // expected-error @below {{'attnres.depth_logits' op expects dimension 0 of init (key count) to be 1, got 2 in 'memref<2x8xf32>'}}
  attnres.depth_logits %w, [%k] outs(%i : memref<2x8xf32>) : memref<64xf32>, memref<8x64xf32>
  return
}

// -----

func.func @logits_memref_outs_elem(%w: memref<64xf32>, %k: memref<8x64xf32>, %i: memref<1x8xbf16>) {
  // expected-error @below {{'attnres.depth_logits' op expects the destination to have element type f32, got 'memref<1x8xbf16>'}}
  attnres.depth_logits %w, [%k] outs(%i : memref<1x8xbf16>) : memref<64xf32>, memref<8x64xf32>
  return
}

// -----

func.func @softmax_mixed_forms(%s: tensor<2x8xf32>, %a: memref<2x8xf32>) {
  // expected-error @below {{'attnres.depth_softmax' op expects all operands to be tensors or all to be memrefs (the form after bufferization)}}
  attnres.depth_softmax %s outs(%a : memref<2x8xf32>) : tensor<2x8xf32>
  return
}

// -----

func.func @softmax_memref_outs_shape(%s: memref<2x8xf32>, %a: memref<2x4xf32>) {
  // expected-error @below {{'attnres.depth_softmax' op expects dimension 1 of init to equal dimension 1 of logits (same shape), got 4 in 'memref<2x4xf32>' and 8 in 'memref<2x8xf32>'}}
  attnres.depth_softmax %s outs(%a : memref<2x4xf32>) : memref<2x8xf32>
  return
}

// -----

func.func @softmax_memref_without_outs(%s: memref<2x8xf32>) {
  // expected-error @below {{'attnres.depth_softmax' op expects destinations (outs) in the memref form}}
  attnres.depth_softmax %s : memref<2x8xf32>
  return
}

// -----

func.func @combine_outs_type(%a: tensor<2x8xf32>, %v: tensor<8x64xbf16>, %i: tensor<8x64xf32>) {
  // expected-error @below {{'attnres.depth_combine' op expects the destination type to equal the result type 'tensor<8x64xbf16>', got 'tensor<8x64xf32>'}}
  %h = "attnres.depth_combine"(%a, %v, %v, %i) <{has_outs}> : (tensor<2x8xf32>, tensor<8x64xbf16>, tensor<8x64xbf16>, tensor<8x64xf32>) -> tensor<8x64xbf16>
  return
}

// -----

func.func @combine_memref_with_result(%a: memref<2x8xf32>, %v: memref<8x64xf32>) {
  // expected-error @below {{'attnres.depth_combine' op expects no results in the memref form, got 1}}
  %h = "attnres.depth_combine"(%a, %v, %v, %v) <{has_outs}> : (memref<2x8xf32>, memref<8x64xf32>, memref<8x64xf32>, memref<8x64xf32>) -> tensor<8x64xf32>
  return
}

// -----

func.func @combine_memref_weights(%a: memref<3x8xf32>, %v: memref<8x64xf32>) {
  // expected-error @below {{'attnres.depth_combine' op expects dimension 0 of weights (value count) to be 2, got 3 in 'memref<3x8xf32>'}}
  attnres.depth_combine %a, [%v, %v] outs(%v : memref<8x64xf32>) : memref<3x8xf32>, memref<8x64xf32>
  return
}
