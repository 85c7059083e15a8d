// The DestinationForm trait (AttnResTraits.h) of every attnres op: the value
// form has no memory effects and is speculatable, so upstream passes drop it
// when unused and hoist it out of loops; the memref form reads its inputs
// and writes its destinations, so it stays where it is.
// RUN: attnres-opt %s --loop-invariant-code-motion --canonicalize --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @value_form_hoisted(
// CHECK: attnres.depth_attn
// CHECK: attnres.rms_norm
// CHECK: attnres.rms_norm_grad
// CHECK: attnres.depth_attn_norm
// CHECK: scf.for
// CHECK-NOT: attnres.
// CHECK: return
func.func @value_form_hoisted(%q: tensor<64xf32>, %v: tensor<8x64xf32>, %w: tensor<8x64xf32>, %g: tensor<64xf32>, %n: index) -> (tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r:4 = scf.for %i = %c0 to %n step %c1 iter_args(%a = %v, %b = %v, %c = %v, %d = %v) -> (tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) {
    %h = attnres.depth_attn %q, [%v, %w] : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
    %k = attnres.rms_norm %v, %g : tensor<8x64xf32>, tensor<64xf32>
    %dx, %dg = attnres.rms_norm_grad %v, %g, %v : tensor<8x64xf32>, tensor<64xf32>
    %m = attnres.depth_attn_norm %q, [%v], %g : tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>
    scf.yield %h, %k, %dx, %m : tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>
  }
  return %r#0, %r#1, %r#2, %r#3 : tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>
}

// -----

// Unused value-form ops are dead.
// CHECK-LABEL: func.func @value_form_dead(
// CHECK-NOT: attnres.
// CHECK: return
func.func @value_form_dead(%q: tensor<64xf32>, %v: tensor<8x64xf32>, %g: tensor<64xf32>, %o: tensor<8x64xf32>) {
  %h = attnres.depth_attn %q, [%v] outs(%o : tensor<8x64xf32>) : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  %s = attnres.depth_softmax %o : tensor<8x64xf32>
  %dq, %dv:1 = attnres.depth_attn_grad %q, [%v], %v : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32> -> tensor<64xf32>, tensor<8x64xf32>
  return
}

// -----

// The memref form writes its destination: neither hoisted nor dropped.
// CHECK-LABEL: func.func @memref_form_kept(
// CHECK: scf.for
// CHECK-NEXT: attnres.depth_attn
// CHECK-NEXT: attnres.rms_norm
// CHECK-NEXT: attnres.rms_norm_grad
// CHECK-NEXT: attnres.depth_attn_norm
// CHECK: attnres.block_summary
// CHECK: return
func.func @memref_form_kept(%q: memref<64xf32>, %v: memref<8x64xf32>, %g: memref<64xf32>, %o: memref<8x64xf32>, %dg: memref<64xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    attnres.depth_attn %q, [%v] outs(%o : memref<8x64xf32>) : memref<64xf32>, memref<8x64xf32>
    attnres.rms_norm %v, %g outs(%o : memref<8x64xf32>) : memref<8x64xf32>, memref<64xf32>
    attnres.rms_norm_grad %v, %g, %v outs(%o, %dg : memref<8x64xf32>, memref<64xf32>) : memref<8x64xf32>, memref<64xf32>
    attnres.depth_attn_norm %q, [%v], %g outs(%o : memref<8x64xf32>) : memref<64xf32>, memref<8x64xf32>, memref<64xf32>
  }
  attnres.block_summary [%v, %v] outs(%o : memref<8x64xf32>) : memref<8x64xf32>
  return
}
