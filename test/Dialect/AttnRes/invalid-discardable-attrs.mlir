// The dialect declares its discardable attributes (`discardableAttrs` in
// AttnResBase.td) and verifies every `attnres.*` attribute on every op: a
// misspelled name or a value of the wrong kind is an error, not silently
// ignored. (`attnres.chunk`'s range: invalid-chunk-attr.mlir.)
//
// RUN: attnres-opt %s -split-input-file -verify-diagnostics

func.func @misspelled(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{unknown attnres attribute 'attnres.chnk' (the dialect defines attnres.chunk, attnres.streaming_stores, attnres.chunks, attnres.pipeline, attnres.stage_traffic and attnres.vjp)}}
  %a = arith.addf %x, %x {attnres.chnk = 1 : i64} : tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}

// -----

func.func @streaming_not_unit(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @below {{'attnres.streaming_stores' must be a unit attribute, got true}}
  scf.for %i = %c0 to %n step %c1 {
  } {attnres.streaming_stores = true}
  return
}

// -----

// expected-error @below {{'attnres.chunks' must be an array<i64: ...> of chunk numbers, got [0, 4]}}
func.func @chunks_not_array() attributes {attnres.chunks = [0, 4]} {
  return
}

// -----

// expected-error @below {{'attnres.chunks' must hold chunks >= 0}}
func.func @chunks_negative() attributes {attnres.chunks = array<i64: 0, -4>} {
  return
}

// -----

// expected-error @below {{'attnres.pipeline' must be a dictionary, got 4 : i64}}
func.func @pipeline_not_dict() attributes {attnres.pipeline = 4 : i64} {
  return
}

// -----

// expected-error @below {{'attnres.stage_traffic' must be a dictionary, got "x"}}
func.func @traffic_not_dict() attributes {attnres.stage_traffic = "x"} {
  return
}

// -----

// expected-error @below {{'attnres.vjp' must be a flat symbol reference (@function), got "f_vjp"}}
func.func private @vjp_not_symbol(tensor<4x8xf32>) -> tensor<4x8xf32> attributes {attnres.vjp = "f_vjp"}

// -----

func.func @vjp_not_on_function(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{'attnres.vjp' must be on a function (the sublayer whose vector-Jacobian product it names)}}
  %a = arith.addf %x, %x {attnres.vjp = @f_vjp} : tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}

// -----

// The declared attributes with the right kinds verify.
func.func @valid(%x: tensor<4x8xf32>, %n: index) -> tensor<4x8xf32>
    attributes {attnres.chunks = array<i64: 0, 2>, attnres.pipeline = {stages = 2 : i64},
                attnres.stage_traffic = {naive_blocks = array<i64: 1>}} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
  } {attnres.streaming_stores}
  %a = arith.addf %x, %x {attnres.chunk = 1 : i64} : tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}

// -----

// A sublayer naming its vector-Jacobian product (resolved and checked by
// attnres-build-backward, not by the verifier, which is local).
func.func private @sublayer(tensor<4x8xf32>) -> tensor<4x8xf32> attributes {attnres.vjp = @sublayer_vjp}
func.func private @sublayer_vjp(tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
