// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=2 virtual-stages=2}))' -split-input-file -verify-diagnostics=all -o /dev/null
// Bad options: a located error on the function, never a crash.
// RUN: not attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=0}))' -split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=STAGES
// RUN: not attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=2 virtual-stages=-1}))' -split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=VIRTUAL
// RUN: not attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=100000 virtual-stages=100000}))' -split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=HUGE
// STAGES: error: stages must be >= 1, got 0
// VIRTUAL: error: virtual-stages must be >= 1, got -1
// HUGE: error: stages * virtual-stages must be <= 65536, got stages = 100000 and virtual-stages = 100000

// With stages = 2 and virtual-stages = 2 there are chunks 0 to 3.
func.func @out_of_range(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %a = arith.addf %x, %x {attnres.chunk = 1 : i64} : tensor<4x8xf32>
  // expected-error @below {{'attnres.chunk' = 4 is out of range: stages = 2 and virtual-stages = 2 give 4 chunks (0 to 3)}}
  %b = arith.addf %a, %a {attnres.chunk = 4 : i64} : tensor<4x8xf32>
  return %b : tensor<4x8xf32>
}

// -----

func.func @decreasing(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %a = arith.addf %x, %x {attnres.chunk = 2 : i64} : tensor<4x8xf32>
  // expected-error @below {{'attnres.chunk' decreases from 2 to 1 (chunks must not decrease along the function body)}}
  %b = arith.addf %a, %a {attnres.chunk = 1 : i64} : tensor<4x8xf32>
  return %b : tensor<4x8xf32>
}

// -----

func.func @negative(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{'attnres.chunk' must be >= 0, got -1}}
  %a = arith.addf %x, %x {attnres.chunk = -1 : i64} : tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}

// -----

func.func @not_an_integer(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{'attnres.chunk' must be an integer attribute (e.g. 3 : i64)}}
  %a = arith.addf %x, %x {attnres.chunk = "one"} : tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}

// -----

func.func @nested(%x: tensor<4x8xf32>, %c: i1) -> tensor<4x8xf32> {
  %r = scf.if %c -> tensor<4x8xf32> {
    // expected-error @below {{'attnres.chunk' must annotate an op of the function body, not an op nested in a region}}
    %a = arith.addf %x, %x {attnres.chunk = 1 : i64} : tensor<4x8xf32>
    scf.yield %a : tensor<4x8xf32>
  } else {
    scf.yield %x : tensor<4x8xf32>
  }
  return %r : tensor<4x8xf32>
}

// -----

func.func @two_blocks(%x: tensor<4x8xf32>, %c: i1) -> tensor<4x8xf32> {
  cf.cond_br %c, ^bb1, ^bb2
^bb1:
  // expected-error @below {{'attnres.chunk' needs a function body with a single block}}
  %a = arith.addf %x, %x {attnres.chunk = 1 : i64} : tensor<4x8xf32>
  return %a : tensor<4x8xf32>
^bb2:
  return %x : tensor<4x8xf32>
}

// -----

// Other integer types are fine; without other errors the pass reports.
func.func @i32_chunk(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-remark @above {{stage traffic of @i32_chunk: P = 2 stages, V = 2 virtual stages, C = 4 chunks}}
  %a = arith.addf %x, %x : tensor<4x8xf32>
  %b = arith.addf %a, %a {attnres.chunk = 3 : i32} : tensor<4x8xf32>
  return %b : tensor<4x8xf32>
}

// -----

// Byte counts are checked: a count that does not fit in 64 bits is a located
// error, never a wrapped number. A row of 2^62 f32 is 2^64 bytes.
// expected-note @below {{in the stage traffic of this function}}
func.func @row_bytes_overflow(%x: tensor<2x4611686018427387904xf32>) -> tensor<2x4611686018427387904xf32> {
  // expected-error @below {{the byte count of a value of type 'tensor<2x4611686018427387904xf32>' that crosses chunk 0 does not fit in 64 bits}}
  %a = math.tanh %x {attnres.chunk = 0 : i64} : tensor<2x4611686018427387904xf32>
  %b = math.tanh %a {attnres.chunk = 1 : i64} : tensor<2x4611686018427387904xf32>
  return %b : tensor<2x4611686018427387904xf32>
}

// -----

// Rows of 16 bytes, but 2^62 x 4 x 4 = 2^66 bytes in all (the element count
// alone, 2^64, overflows too).
// expected-note @below {{in the stage traffic of this function}}
func.func @total_bytes_overflow(%x: tensor<4611686018427387904x4x4xf32>) -> tensor<4611686018427387904x4x4xf32> {
  // expected-error @below {{the byte count of a value of type 'tensor<4611686018427387904x4x4xf32>' that crosses chunk 0 does not fit in 64 bits}}
  %a = math.tanh %x {attnres.chunk = 0 : i64} : tensor<4611686018427387904x4x4xf32>
  %b = math.tanh %a {attnres.chunk = 1 : i64} : tensor<4611686018427387904x4x4xf32>
  return %b : tensor<4611686018427387904x4x4xf32>
}

// -----

// Each value is 2^30 x 2^30 f32 = 2^62 bytes (fits); two of them cross hop 0
// (2^63 bytes, does not).
// expected-note @below {{in the stage traffic of this function}}
func.func @hop_bytes_overflow(%x: tensor<1073741824x1073741824xf32>) -> tensor<1073741824x1073741824xf32> {
  %a = math.tanh %x {attnres.chunk = 0 : i64} : tensor<1073741824x1073741824xf32>
  // expected-error @below {{the naive bytes of hop 0 do not fit in 64 bits}}
  %b = math.tanh %a : tensor<1073741824x1073741824xf32>
  %c = arith.addf %a, %b {attnres.chunk = 1 : i64} : tensor<1073741824x1073741824xf32>
  return %c : tensor<1073741824x1073741824xf32>
}

// -----

// One value of 2^62 bytes crosses hops 0, 1 and 2; rank 0 sends it at hops 0
// and 2: 2^63 bytes per forward.
// expected-error @below {{stage traffic: the bytes rank 0 sends per forward do not fit in 64 bits}}
func.func @rank_bytes_overflow(%x: tensor<1073741824x1073741824xf32>) -> tensor<1073741824x1073741824xf32> {
  %a = math.tanh %x {attnres.chunk = 0 : i64} : tensor<1073741824x1073741824xf32>
  %c = arith.addf %a, %a {attnres.chunk = 3 : i64} : tensor<1073741824x1073741824xf32>
  return %c : tensor<1073741824x1073741824xf32>
}
