// RUN: attnres-opt %s --attnres-to-llvm | %run_cpu | FileCheck %s

// Math §1, check 4 (hand case): d = 4, V_0 = e_1, V_1 = e_2, w = 2·e_1,
// γ = 1, ε = 1e-6. The logits are (3.999992, 0), so h[0] = sigmoid(3.999992)
// ≈ 0.982014 and h[1] ≈ 0.017986 (a 1/sqrt(d) scale would give 0.8808).
// Tolerance 1e-5 on each element: the spec constants have 6 decimals
// (rounding error <= 5e-7) and the f32 computation adds ~1e-7.

// CHECK: h = 0.98201{{[0-9]*}} 0.01798{{[0-9]*}} 0 0
// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL

func.func @site(%q: tensor<4xf32>, %v0: tensor<1x4xf32>, %v1: tensor<1x4xf32>)
    -> tensor<1x4xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] {eps = 1.0e-06 : f32}
      : tensor<4xf32>, tensor<1x4xf32> -> tensor<1x4xf32>
  return %h : tensor<1x4xf32>
}

func.func @main() {
  %q = arith.constant dense<[2.0, 0.0, 0.0, 0.0]> : tensor<4xf32>
  %e1 = arith.constant dense<[[1.0, 0.0, 0.0, 0.0]]> : tensor<1x4xf32>
  %e2 = arith.constant dense<[[0.0, 1.0, 0.0, 0.0]]> : tensor<1x4xf32>
  %h = func.call @site(%q, %e1, %e2)
      : (tensor<4xf32>, tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  // Expected values from the spec (math §1, check 4).
  %expected = arith.constant dense<[[0.982014, 0.017986, 0.0, 0.0]]> : tensor<1x4xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  vector.print str "h ="
  %err = scf.for %i = %c0 to %c4 step %c1 iter_args(%max = %zero) -> (f32) {
    %g = tensor.extract %h[%c0, %i] : tensor<1x4xf32>
    %e = tensor.extract %expected[%c0, %i] : tensor<1x4xf32>
    vector.print str " "
    vector.print %g : f32 punctuation <no_punctuation>
    %d = arith.subf %g, %e : f32
    %a = math.absf %d : f32
    %m = arith.maximumf %max, %a : f32
    scf.yield %m : f32
  }
  vector.print str "\n"
  vector.print str "max_abs_err = "
  vector.print %err : f32
  // NOT(err <= tol): a NaN fails too.
  %tol = arith.constant 1.0e-05 : f32
  %bad = arith.cmpf ugt, %err, %tol : f32
  scf.if %bad {
    vector.print str "FAIL\n"
  } else {
    vector.print str "PASS\n"
  }
  return
}
