// RUN: attnres-opt %s --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %s --attnres-to-llvm=two-phase=force | %run_cpu | FileCheck %s
// RUN: attnres-opt %s --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s

// Inputs without token rows run and give empty results of the right shape:
// token dims mixing dynamic and zero sizes, phase 1 without queries, and a
// Block AttnRes block (two-phase) whose dynamic token dim is 0 at run time.
// The values of these results are vacuous; numbers for zero rows and for
// the same programs with rows are checked against the numpy reference in
// block-attnres-zero-rows.mlir and the other tests of this directory.

// CHECK: site_zero_rows_mixed: 2 x 3 x 0 x 16
// CHECK-NEXT: stats_zero_queries: 0 x 5 x 16, lse 0 x 5
// CHECK-NEXT: block_zero_rows: 0 x 16
// CHECK-NEXT: PASS

func.func @site_zero_rows_mixed(%q: tensor<16xf32>, %v0: tensor<2x?x0x16xf32>, %v1: tensor<2x?x0x16xf32>) -> tensor<2x?x0x16xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<16xf32>, tensor<2x?x0x16xf32> -> tensor<2x?x0x16xf32>
  return %h : tensor<2x?x0x16xf32>
}

func.func @stats_zero_queries(%Q: tensor<0x16xf32>, %b0: tensor<?x16xf32>, %b1: tensor<?x16xf32>) -> (tensor<0x?x16xf32>, tensor<0x?xf32>) {
  %o, %lse = attnres.depth_attn_stats %Q, [%b0, %b1] : tensor<0x16xf32>, tensor<?x16xf32> -> tensor<0x?x16xf32>, tensor<0x?xf32>
  return %o, %lse : tensor<0x?x16xf32>, tensor<0x?xf32>
}

func.func @block_zero_rows(%b0: tensor<?x16xf32>, %b1: tensor<?x16xf32>, %b2: tensor<?x16xf32>, %q1: tensor<16xf32>, %q2: tensor<16xf32>, %q3: tensor<16xf32>) -> tensor<?x16xf32> {
  %h1 = attnres.depth_attn %q1, [%b0, %b1, %b2] : tensor<16xf32>, tensor<?x16xf32> -> tensor<?x16xf32>
  %o1 = math.tanh %h1 : tensor<?x16xf32>
  %h2 = attnres.depth_attn %q2, [%b0, %b1, %b2, %o1] : tensor<16xf32>, tensor<?x16xf32> -> tensor<?x16xf32>
  %o2 = math.tanh %h2 : tensor<?x16xf32>
  %p = attnres.block_summary [%o1, %o2] : tensor<?x16xf32>
  %h3 = attnres.depth_attn %q3, [%b0, %b1, %b2, %p] : tensor<16xf32>, tensor<?x16xf32> -> tensor<?x16xf32>
  return %h3 : tensor<?x16xf32>
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %q = arith.constant dense<0.25> : tensor<16xf32>

  %v = arith.constant dense<> : tensor<2x3x0x16xf32>
  %vd = tensor.cast %v : tensor<2x3x0x16xf32> to tensor<2x?x0x16xf32>
  %h = func.call @site_zero_rows_mixed(%q, %vd, %vd) : (tensor<16xf32>, tensor<2x?x0x16xf32>, tensor<2x?x0x16xf32>) -> tensor<2x?x0x16xf32>
  %h0 = tensor.dim %h, %c0 : tensor<2x?x0x16xf32>
  %h1 = tensor.dim %h, %c1 : tensor<2x?x0x16xf32>
  %h2 = tensor.dim %h, %c2 : tensor<2x?x0x16xf32>
  %h3 = tensor.dim %h, %c3 : tensor<2x?x0x16xf32>
  vector.print str "site_zero_rows_mixed: "
  vector.print %h0 : index punctuation <no_punctuation>
  vector.print str " x "
  vector.print %h1 : index punctuation <no_punctuation>
  vector.print str " x "
  vector.print %h2 : index punctuation <no_punctuation>
  vector.print str " x "
  vector.print %h3 : index

  %Q = arith.constant dense<> : tensor<0x16xf32>
  %b = arith.constant dense<1.5> : tensor<5x16xf32>
  %bd = tensor.cast %b : tensor<5x16xf32> to tensor<?x16xf32>
  %o, %lse = func.call @stats_zero_queries(%Q, %bd, %bd) : (tensor<0x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) -> (tensor<0x?x16xf32>, tensor<0x?xf32>)
  %o0 = tensor.dim %o, %c0 : tensor<0x?x16xf32>
  %o1 = tensor.dim %o, %c1 : tensor<0x?x16xf32>
  %o2 = tensor.dim %o, %c2 : tensor<0x?x16xf32>
  %l0 = tensor.dim %lse, %c0 : tensor<0x?xf32>
  %l1 = tensor.dim %lse, %c1 : tensor<0x?xf32>
  vector.print str "stats_zero_queries: "
  vector.print %o0 : index punctuation <no_punctuation>
  vector.print str " x "
  vector.print %o1 : index punctuation <no_punctuation>
  vector.print str " x "
  vector.print %o2 : index punctuation <no_punctuation>
  vector.print str ", lse "
  vector.print %l0 : index punctuation <no_punctuation>
  vector.print str " x "
  vector.print %l1 : index

  %e = arith.constant dense<> : tensor<0x16xf32>
  %ed = tensor.cast %e : tensor<0x16xf32> to tensor<?x16xf32>
  %y = func.call @block_zero_rows(%ed, %ed, %ed, %q, %q, %q) : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  %y0 = tensor.dim %y, %c0 : tensor<?x16xf32>
  %y1 = tensor.dim %y, %c1 : tensor<?x16xf32>
  vector.print str "block_zero_rows: "
  vector.print %y0 : index punctuation <no_punctuation>
  vector.print str " x "
  vector.print %y1 : index

  %s0 = arith.cmpi eq, %h1, %c3 : index
  %c5 = arith.constant 5 : index
  %s1 = arith.cmpi eq, %o1, %c5 : index
  %s2 = arith.cmpi eq, %y0, %c0 : index
  %s01 = arith.andi %s0, %s1 : i1
  %ok = arith.andi %s01, %s2 : i1
  scf.if %ok {
    vector.print str "PASS\n"
  } else {
    vector.print str "FAIL\n"
  }
  return
}
