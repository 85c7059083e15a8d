// RUN: attnres-opt %s --attnres-build-backward -verify-diagnostics

// Without functions=..., the pass has nothing to differentiate: an error,
// not a silent no-op.

// expected-error @below {{attnres-build-backward: no function to differentiate (set functions=<name>,...)}}
module {
  func.func @f(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
    return %x : tensor<4x16xf32>
  }
}
