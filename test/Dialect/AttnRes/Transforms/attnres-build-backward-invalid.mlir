// RUN: attnres-opt %s -split-input-file --attnres-build-backward="functions=f" -verify-diagnostics

// What attnres-build-backward cannot differentiate is a located error naming
// the op, reported before anything is built.

func.func @f(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %e = tensor.empty() : tensor<4x16xf32>
  // expected-error @below {{attnres-build-backward: cannot differentiate 'linalg.generic': no reverse rule}}
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = math.tanh %a : f32
    linalg.yield %t : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func private @sub(tensor<4x16xf32>) -> tensor<4x16xf32>
func.func @f(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @below {{attnres-build-backward: cannot differentiate the call of @sub: the callee has no 'attnres.vjp' attribute naming its vector-Jacobian product}}
  %y = func.call @sub(%x) : (tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func private @sub(tensor<4x16xf32>) -> tensor<4x16xf32> attributes {attnres.vjp = @sub_vjp}
func.func private @sub_vjp(tensor<4x16xf32>) -> tensor<4x16xf32>
func.func @f(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @below {{the vector-Jacobian product @sub_vjp of @sub has type '(tensor<4x16xf32>) -> tensor<4x16xf32>', expected '(tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>'}}
  %y = func.call @sub(%x) : (tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func private @sub(tensor<4x16xf32>) -> tensor<4x16xf32> attributes {attnres.vjp = @missing}
func.func @f(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @below {{'attnres.vjp' of @sub names @missing, which is not a func.func}}
  %y = func.call @sub(%x) : (tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// The unfused chain: fuse it first. (The softmax depends on the argument only
// through the logits, already reported.)
func.func @f(%w: tensor<16xf32>, %k0: tensor<4x16xf32>, %k1: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @below {{cannot differentiate 'attnres.depth_logits': the unfused site has no gradient ops; run attnres-fuse first}}
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<16xf32>, tensor<4x16xf32> -> tensor<2x4xf32>
  %a = attnres.depth_softmax %s : tensor<2x4xf32>
  // expected-error @below {{cannot differentiate 'attnres.depth_combine'}}
  %h = attnres.depth_combine %a, [%k0, %k1] : tensor<2x4xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
  return %h : tensor<4x16xf32>
}

// -----

// A value computed inside a region from an argument.
func.func @f(%x: tensor<4x16xf32>, %s: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  // expected-error @below {{cannot differentiate 'scf.for'}}
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %s) -> tensor<4x16xf32> {
    %n = arith.addf %acc, %x : tensor<4x16xf32>
    scf.yield %n : tensor<4x16xf32>
  }
  return %r : tensor<4x16xf32>
}

// -----

// An activation written to memory: the gradient would not reach the result.
func.func @f(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %m = memref.alloc() : memref<4x16xf32>
  // expected-error @below {{cannot differentiate 'bufferization.materialize_in_destination': it reads a value that depends on an argument and may write memory}}
  bufferization.materialize_in_destination %x in writable %m : (tensor<4x16xf32>, memref<4x16xf32>) -> ()
  return %x : tensor<4x16xf32>
}

// -----

// expected-error @below {{attnres-build-backward: argument #1 of @f has type 'index'; arguments must be ranked f32, f16 or bf16 tensors}}
func.func @f(%x: tensor<4x16xf32>, %n: index) -> tensor<4x16xf32> {
  return %x : tensor<4x16xf32>
}

// -----

// expected-error @below {{attnres-build-backward: @f is a declaration; it needs a body to differentiate}}
func.func private @f(tensor<4x16xf32>) -> tensor<4x16xf32>

// -----

// expected-error @below {{attnres-build-backward: the module already has a symbol @f_backward}}
func.func @f(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  return %x : tensor<4x16xf32>
}
func.func @f_backward(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  return %x : tensor<4x16xf32>
}

// -----

// expected-error @below {{attnres-build-backward: no func.func named @f}}
module {
  func.func @g(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
    return %x : tensor<4x16xf32>
  }
}

// -----

// A fused site with destinations (or in the memref form) is not
// differentiated.
func.func @f(%q: tensor<16xf32>, %v0: tensor<4x16xf32>, %v1: tensor<4x16xf32>, %g: tensor<16xf32>) -> tensor<4x16xf32> {
  %i = tensor.empty() : tensor<4x16xf32>
  // expected-error @below {{attnres-build-backward: cannot differentiate 'attnres.depth_attn_norm': destinations (outs) and the memref form are not differentiated}}
  %n = attnres.depth_attn_norm %q, [%v0, %v1], %g outs(%i : tensor<4x16xf32>)
      : tensor<16xf32>, tensor<4x16xf32>, tensor<16xf32> -> tensor<4x16xf32>
  return %n : tensor<4x16xf32>
}
