// RUN: attnres-opt %s --split-input-file --attnres-raise | FileCheck %s
// RUN: attnres-opt %s --split-input-file --attnres-raise=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=CHECK-REPORT
// RUN: not attnres-opt %s --split-input-file --attnres-raise=max-sources=1 -o /dev/null 2>&1 | FileCheck %s --check-prefix=CHECK-OPTION

// attnres-raise on hand-written linalg, not torch-mlir's spelling: a site whose
// statistics, logits and softmax live in a few fused generics, normalized after
// the sum (Σ_j e_j V_j / Σ_j e_j), with a binary max instead of a reduction.
// (The torch-mlir and TOSA spellings are tested on the corpus in test/Frontend.)

#tc = affine_map<(t, c) -> (t, c)>
#t = affine_map<(t, c) -> (t)>
#c = affine_map<(t, c) -> (c)>
#t1 = affine_map<(t) -> (t)>

// CHECK-LABEL: func.func @fused_generics(
// CHECK-SAME:      %[[V0:[a-z0-9]+]]: tensor<2x4xf32>, %[[V1:[a-z0-9]+]]: tensor<2x4xf32>, %[[W:[a-z0-9]+]]: tensor<4xf32>
// CHECK:         %[[H:.*]] = attnres.depth_attn %[[W]], [%[[V0]], %[[V1]]] : tensor<4xf32>, tensor<2x4xf32> -> tensor<2x4xf32>
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[H]]
// CHECK-REPORT: remark: raised an AttnRes site: 2 sources, hidden size 4, eps 1.000000e-05
// CHECK-REPORT: remark: attnres-raise: 1 sites raised in @fused_generics (1 depth_attn ops)
func.func @fused_generics(%v0: tensor<2x4xf32>, %v1: tensor<2x4xf32>, %w: tensor<4xf32>) -> tensor<2x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<2xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2xf32>) -> tensor<2xf32>
  // Per source: Σ_c v² and Σ_c v·w in one reduction each.
  %ss0 = linalg.generic {indexing_maps = [#tc, #t], iterator_types = ["parallel", "reduction"]}
      ins(%v0 : tensor<2x4xf32>) outs(%z : tensor<2xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %sq = arith.mulf %x, %x : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  %ss1 = linalg.generic {indexing_maps = [#tc, #t], iterator_types = ["parallel", "reduction"]}
      ins(%v1 : tensor<2x4xf32>) outs(%z : tensor<2xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %sq = arith.mulf %x, %x : f32
    %s = arith.addf %sq, %acc : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  %d0 = linalg.generic {indexing_maps = [#tc, #c, #t], iterator_types = ["parallel", "reduction"]}
      ins(%v0, %w : tensor<2x4xf32>, tensor<4xf32>) outs(%z : tensor<2xf32>) {
  ^bb0(%x: f32, %q: f32, %acc: f32):
    %p = arith.mulf %q, %x : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  %d1 = linalg.generic {indexing_maps = [#tc, #c, #t], iterator_types = ["parallel", "reduction"]}
      ins(%v1, %w : tensor<2x4xf32>, tensor<4xf32>) outs(%z : tensor<2xf32>) {
  ^bb0(%x: f32, %q: f32, %acc: f32):
    %p = arith.mulf %x, %q : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  // Logits s_j = (Σ v·w) · rsqrt(Σ v² / D + eps), both sources in one generic each.
  %s0 = linalg.generic {indexing_maps = [#t1, #t1, #t1], iterator_types = ["parallel"]}
      ins(%ss0, %d0 : tensor<2xf32>, tensor<2xf32>) outs(%e1 : tensor<2xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.constant 4.0 : f32
    %eps = arith.constant 1.0e-5 : f32
    %m = arith.divf %a, %d : f32
    %me = arith.addf %m, %eps : f32
    %r = math.rsqrt %me : f32
    %s = arith.mulf %b, %r : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  %s1 = linalg.generic {indexing_maps = [#t1, #t1, #t1], iterator_types = ["parallel"]}
      ins(%ss1, %d1 : tensor<2xf32>, tensor<2xf32>) outs(%e1 : tensor<2xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.constant 0.25 : f32
    %eps = arith.constant 1.0e-5 : f32
    %m = arith.mulf %a, %d : f32
    %me = arith.addf %eps, %m : f32
    %sq = math.sqrt %me : f32
    %s = arith.divf %b, %sq : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  // h = (e0·v0 + e1·v1) / (e0 + e1) with e_j = exp(s_j − max(s0, s1)).
  %e2 = tensor.empty() : tensor<2x4xf32>
  %h = linalg.generic {indexing_maps = [#t, #t, #tc, #tc, #tc], iterator_types = ["parallel", "parallel"]}
      ins(%s0, %s1, %v0, %v1 : tensor<2xf32>, tensor<2xf32>, tensor<2x4xf32>, tensor<2x4xf32>)
      outs(%e2 : tensor<2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %x0: f32, %x1: f32, %o: f32):
    %mx = arith.maximumf %a, %b : f32
    %da = arith.subf %a, %mx : f32
    %db = arith.subf %b, %mx : f32
    %ea = math.exp %da : f32
    %eb = math.exp %db : f32
    %pa = arith.mulf %ea, %x0 : f32
    %pb = arith.mulf %x1, %eb : f32
    %num = arith.addf %pa, %pb : f32
    %den = arith.addf %ea, %eb : f32
    %r = arith.divf %num, %den : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  return %h : tensor<2x4xf32>
}

// -----

// Sources that are constants (an integration test's baked-in inputs) are
// sources like any other value; the sum over sources is explicit.

#tc = affine_map<(t, c) -> (t, c)>
#t = affine_map<(t, c) -> (t)>
#c = affine_map<(t, c) -> (c)>

// CHECK-LABEL: func.func @constant_sources(
// CHECK-SAME:      %[[W:[a-z0-9]+]]: tensor<4xf32>
// CHECK-DAG:     %[[V0:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00
// CHECK-DAG:     %[[V1:.*]] = arith.constant dense<{{\[\[}}-1.000000e+00, 5.000000e-01
// CHECK:         attnres.depth_attn %[[W]], [%[[V0]], %[[V1]]] {eps = 9.99999997E-7 : f32}
func.func @constant_sources(%w: tensor<4xf32>) -> tensor<2x4xf32> {
  %v0 = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [0.5, -1.0, 2.0, 0.0]]> : tensor<2x4xf32>
  %v1 = arith.constant dense<[[-1.0, 0.5, 0.25, 8.0], [3.0, 1.0, -2.0, 1.0]]> : tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e1 = tensor.empty() : tensor<2x2xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2x2xf32>) -> tensor<2x2xf32>
  // Stack the sources [2(sources), 2, 4] and work on the stack.
  %stack = tensor.concat dim(0) %v0, %v1 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<4x4xf32>
  %V = tensor.expand_shape %stack [[0, 1], [2]] output_shape [2, 2, 4] : tensor<4x4xf32> into tensor<2x2x4xf32>
  %ss = linalg.generic {indexing_maps = [affine_map<(j, t, c) -> (j, t, c)>, affine_map<(j, t, c) -> (j, t)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%V : tensor<2x2x4xf32>) outs(%z : tensor<2x2xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %two = arith.constant 2 : i64
    %sq = math.fpowi %x, %two : f32, i64
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  } -> tensor<2x2xf32>
  %dot = linalg.generic {indexing_maps = [affine_map<(j, t, c) -> (j, t, c)>, affine_map<(j, t, c) -> (c)>, affine_map<(j, t, c) -> (j, t)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%V, %w : tensor<2x2x4xf32>, tensor<4xf32>) outs(%z : tensor<2x2xf32>) {
  ^bb0(%x: f32, %q: f32, %acc: f32):
    %p = arith.mulf %x, %q : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x2xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(j, t) -> (j, t)>, affine_map<(j, t) -> (j, t)>, affine_map<(j, t) -> (j, t)>], iterator_types = ["parallel", "parallel"]}
      ins(%ss, %dot : tensor<2x2xf32>, tensor<2x2xf32>) outs(%e1 : tensor<2x2xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.constant 4.0 : f32
    %eps = arith.constant 1.0e-6 : f64
    %epsf = arith.truncf %eps : f64 to f32
    %m = arith.divf %a, %d : f32
    %me = arith.addf %m, %epsf : f32
    %r = math.rsqrt %me : f32
    %l = arith.mulf %r, %b : f32
    linalg.yield %l : f32
  } -> tensor<2x2xf32>
  %e2 = tensor.empty() : tensor<2xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%e2 : tensor<2xf32>) -> tensor<2xf32>
  %max = linalg.reduce ins(%s : tensor<2x2xf32>) outs(%mi : tensor<2xf32>) dimensions = [0]
    (%in: f32, %init: f32) {
      %m = arith.maxnumf %in, %init : f32
      linalg.yield %m : f32
    }
  %zi = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2xf32>) -> tensor<2xf32>
  %ex = linalg.generic {indexing_maps = [affine_map<(j, t) -> (j, t)>, affine_map<(j, t) -> (t)>, affine_map<(j, t) -> (j, t)>], iterator_types = ["parallel", "parallel"]}
      ins(%s, %max : tensor<2x2xf32>, tensor<2xf32>) outs(%e1 : tensor<2x2xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %x = math.exp %d : f32
    linalg.yield %x : f32
  } -> tensor<2x2xf32>
  %sum = linalg.reduce ins(%ex : tensor<2x2xf32>) outs(%zi : tensor<2xf32>) dimensions = [0]
    (%in: f32, %init: f32) {
      %a = arith.addf %in, %init : f32
      linalg.yield %a : f32
    }
  %alpha = linalg.generic {indexing_maps = [affine_map<(j, t) -> (j, t)>, affine_map<(j, t) -> (t)>, affine_map<(j, t) -> (j, t)>], iterator_types = ["parallel", "parallel"]}
      ins(%ex, %sum : tensor<2x2xf32>, tensor<2xf32>) outs(%e1 : tensor<2x2xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %q = arith.divf %a, %b : f32
    linalg.yield %q : f32
  } -> tensor<2x2xf32>
  %a0 = tensor.extract_slice %alpha[0, 0] [1, 2] [1, 1] : tensor<2x2xf32> to tensor<2xf32>
  %a1 = tensor.extract_slice %alpha[1, 0] [1, 2] [1, 1] : tensor<2x2xf32> to tensor<2xf32>
  %e3 = tensor.empty() : tensor<2x4xf32>
  %h = linalg.generic {indexing_maps = [#t, #t, #tc, #tc, #tc], iterator_types = ["parallel", "parallel"]}
      ins(%a0, %a1, %v0, %v1 : tensor<2xf32>, tensor<2xf32>, tensor<2x4xf32>, tensor<2x4xf32>)
      outs(%e3 : tensor<2x4xf32>) {
  ^bb0(%p: f32, %q: f32, %x0: f32, %x1: f32, %o: f32):
    %u = arith.mulf %p, %x0 : f32
    %v = arith.mulf %q, %x1 : f32
    %r = arith.addf %u, %v : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  return %h : tensor<2x4xf32>
}

// -----

// Not AttnRes: the weights mix the sources, but the second source's key is
// normalized with another eps. The rewrite is all or nothing: nothing changes.

#tc = affine_map<(t, c) -> (t, c)>
#t = affine_map<(t, c) -> (t)>
#c = affine_map<(t, c) -> (c)>
#t1 = affine_map<(t) -> (t)>

// CHECK-LABEL: func.func @different_eps(
// CHECK-NOT:     attnres.
// CHECK:         return
// CHECK-REPORT: remark: not raised: a softmax-weighted sum that is not an AttnRes site: source 1 is normalized with a different eps
// CHECK-REPORT: remark: attnres-raise: 0 sites raised in @different_eps
func.func @different_eps(%v0: tensor<2x4xf32>, %v1: tensor<2x4xf32>, %w: tensor<4xf32>) -> tensor<2x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<2xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2xf32>) -> tensor<2xf32>
  %ss0 = linalg.generic {indexing_maps = [#tc, #t], iterator_types = ["parallel", "reduction"]}
      ins(%v0 : tensor<2x4xf32>) outs(%z : tensor<2xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %sq = arith.mulf %x, %x : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  %ss1 = linalg.generic {indexing_maps = [#tc, #t], iterator_types = ["parallel", "reduction"]}
      ins(%v1 : tensor<2x4xf32>) outs(%z : tensor<2xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %sq = arith.mulf %x, %x : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  %d0 = linalg.generic {indexing_maps = [#tc, #c, #t], iterator_types = ["parallel", "reduction"]}
      ins(%v0, %w : tensor<2x4xf32>, tensor<4xf32>) outs(%z : tensor<2xf32>) {
  ^bb0(%x: f32, %q: f32, %acc: f32):
    %p = arith.mulf %q, %x : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  %d1 = linalg.generic {indexing_maps = [#tc, #c, #t], iterator_types = ["parallel", "reduction"]}
      ins(%v1, %w : tensor<2x4xf32>, tensor<4xf32>) outs(%z : tensor<2xf32>) {
  ^bb0(%x: f32, %q: f32, %acc: f32):
    %p = arith.mulf %x, %q : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  %s0 = linalg.generic {indexing_maps = [#t1, #t1, #t1], iterator_types = ["parallel"]}
      ins(%ss0, %d0 : tensor<2xf32>, tensor<2xf32>) outs(%e1 : tensor<2xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.constant 4.0 : f32
    %eps = arith.constant 1.0e-5 : f32
    %m = arith.divf %a, %d : f32
    %me = arith.addf %m, %eps : f32
    %r = math.rsqrt %me : f32
    %s = arith.mulf %b, %r : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  %s1 = linalg.generic {indexing_maps = [#t1, #t1, #t1], iterator_types = ["parallel"]}
      ins(%ss1, %d1 : tensor<2xf32>, tensor<2xf32>) outs(%e1 : tensor<2xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.constant 4.0 : f32
    %eps = arith.constant 1.0e-3 : f32
    %m = arith.divf %a, %d : f32
    %me = arith.addf %m, %eps : f32
    %r = math.rsqrt %me : f32
    %s = arith.mulf %b, %r : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  %e2 = tensor.empty() : tensor<2x4xf32>
  %h = linalg.generic {indexing_maps = [#t, #t, #tc, #tc, #tc], iterator_types = ["parallel", "parallel"]}
      ins(%s0, %s1, %v0, %v1 : tensor<2xf32>, tensor<2xf32>, tensor<2x4xf32>, tensor<2x4xf32>)
      outs(%e2 : tensor<2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %x0: f32, %x1: f32, %o: f32):
    %mx = arith.maximumf %a, %b : f32
    %da = arith.subf %a, %mx : f32
    %db = arith.subf %b, %mx : f32
    %ea = math.exp %da : f32
    %eb = math.exp %db : f32
    %pa = arith.mulf %ea, %x0 : f32
    %pb = arith.mulf %x1, %eb : f32
    %num = arith.addf %pa, %pb : f32
    %den = arith.addf %ea, %eb : f32
    %r = arith.divf %num, %den : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  return %h : tensor<2x4xf32>
}

// -----

// Not AttnRes, and unfolding it would take 2^30 sum terms of 2^30 factors
// each: the matcher stops early (sums over at most 2·max-sources terms,
// products of at most 64 factors) and leaves it alone.

// CHECK-LABEL: func.func @squares(
// CHECK-NOT:     attnres.
#id = affine_map<(t, c) -> (t, c)>
func.func @squares(%v0: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %e = tensor.empty() : tensor<2x4xf32>
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%v0 : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %x1 = arith.mulf %x, %x : f32
    %x2 = arith.mulf %x1, %x1 : f32
    %x3 = arith.mulf %x2, %x2 : f32
    %x4 = arith.mulf %x3, %x3 : f32
    %x5 = arith.mulf %x4, %x4 : f32
    %x6 = arith.mulf %x5, %x5 : f32
    %x7 = arith.mulf %x6, %x6 : f32
    %x8 = arith.mulf %x7, %x7 : f32
    %x9 = arith.mulf %x8, %x8 : f32
    %x10 = arith.mulf %x9, %x9 : f32
    %x11 = arith.mulf %x10, %x10 : f32
    %x12 = arith.mulf %x11, %x11 : f32
    %x13 = arith.mulf %x12, %x12 : f32
    %x14 = arith.mulf %x13, %x13 : f32
    %x15 = arith.mulf %x14, %x14 : f32
    %x16 = arith.mulf %x15, %x15 : f32
    %x17 = arith.mulf %x16, %x16 : f32
    %x18 = arith.mulf %x17, %x17 : f32
    %x19 = arith.mulf %x18, %x18 : f32
    %x20 = arith.mulf %x19, %x19 : f32
    %x21 = arith.mulf %x20, %x20 : f32
    %x22 = arith.mulf %x21, %x21 : f32
    %x23 = arith.mulf %x22, %x22 : f32
    %x24 = arith.mulf %x23, %x23 : f32
    %x25 = arith.mulf %x24, %x24 : f32
    %x26 = arith.mulf %x25, %x25 : f32
    %x27 = arith.mulf %x26, %x26 : f32
    %x28 = arith.mulf %x27, %x27 : f32
    %x29 = arith.mulf %x28, %x28 : f32
    %x30 = arith.mulf %x29, %x29 : f32
    %a1 = arith.addf %x30, %x30 : f32
    %a2 = arith.addf %a1, %a1 : f32
    %a3 = arith.addf %a2, %a2 : f32
    %a4 = arith.addf %a3, %a3 : f32
    %a5 = arith.addf %a4, %a4 : f32
    %a6 = arith.addf %a5, %a5 : f32
    %a7 = arith.addf %a6, %a6 : f32
    %a8 = arith.addf %a7, %a7 : f32
    %a9 = arith.addf %a8, %a8 : f32
    %a10 = arith.addf %a9, %a9 : f32
    %a11 = arith.addf %a10, %a10 : f32
    %a12 = arith.addf %a11, %a11 : f32
    %a13 = arith.addf %a12, %a12 : f32
    %a14 = arith.addf %a13, %a13 : f32
    %a15 = arith.addf %a14, %a14 : f32
    %a16 = arith.addf %a15, %a15 : f32
    %a17 = arith.addf %a16, %a16 : f32
    %a18 = arith.addf %a17, %a17 : f32
    %a19 = arith.addf %a18, %a18 : f32
    %a20 = arith.addf %a19, %a19 : f32
    %a21 = arith.addf %a20, %a20 : f32
    %a22 = arith.addf %a21, %a21 : f32
    %a23 = arith.addf %a22, %a22 : f32
    %a24 = arith.addf %a23, %a23 : f32
    %a25 = arith.addf %a24, %a24 : f32
    %a26 = arith.addf %a25, %a25 : f32
    %a27 = arith.addf %a26, %a26 : f32
    %a28 = arith.addf %a27, %a27 : f32
    %a29 = arith.addf %a28, %a28 : f32
    %a30 = arith.addf %a29, %a29 : f32
    linalg.yield %a30 : f32
  } -> tensor<2x4xf32>
  return %h : tensor<2x4xf32>
}

// CHECK-OPTION: error: attnres-raise: max-sources must be >= 2, got 1
