// The dialect verifies `attnres.chunk` wherever it appears: an integer of any
// type with 0 <= c <= 2^63 - 1. Wider values used to reach
// APInt::getSExtValue unchecked in the stage-traffic analysis.
//
// RUN: attnres-opt %s -split-input-file -verify-diagnostics=all
// RUN: attnres-opt %s -split-input-file --pass-pipeline="builtin.module(func.func(attnres-stage-traffic{stages=2}))" -verify-diagnostics=only-expected -o /dev/null

func.func @wide(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{'attnres.chunk' must be at most 2^63 - 1}}
  %a = arith.addf %x, %x {attnres.chunk = 18446744073709551616 : i128} : tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}

// -----

func.func @unsigned_max(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{'attnres.chunk' must be at most 2^63 - 1}}
  %a = arith.addf %x, %x {attnres.chunk = 18446744073709551615 : ui64} : tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}

// -----

func.func @wide_negative(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{'attnres.chunk' must be >= 0, got -170141183460469231731687303715884105728}}
  %a = arith.addf %x, %x {attnres.chunk = -170141183460469231731687303715884105728 : i128} : tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}

// -----

func.func @float(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{'attnres.chunk' must be an integer attribute (e.g. 3 : i64), got 1.000000e+00 : f32}}
  %a = arith.addf %x, %x {attnres.chunk = 1.0 : f32} : tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}

// -----

func.func @on_func(%x: tensor<4x8xf32>) -> tensor<4x8xf32> attributes {attnres.chunk = -2 : i8} {
  // expected-error @-1 {{'attnres.chunk' must be >= 0, got -2}}
  return %x : tensor<4x8xf32>
}

// -----

// Valid: any integer type, up to 2^63 - 1 (unsigned too).
func.func @valid(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %a = arith.addf %x, %x {attnres.chunk = 0 : ui8} : tensor<4x8xf32>
  %b = arith.addf %a, %a {attnres.chunk = 1 : index} : tensor<4x8xf32>
  return %b : tensor<4x8xf32>
}
