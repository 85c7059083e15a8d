// REQUIRES: numpy
// attnres-to-llvm="runtime-checks=true": the size relations that the types
// leave dynamic are checked when the program runs (generate-runtime-
// verification over the attnres ops' RuntimeVerifiableOpInterface).
//
// Matching inputs run and agree with the float64 numpy reference of
// attnres_gen.py (dynamic rows and a dynamic query; the two-phase ops; the
// unfused chain, kept unfused so that its own checks run):
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f32 --dynamic-rows --dynamic-query --sources 4 --rows 5 --hidden 32 --seed 181 > %t.site.mlir
// RUN: attnres-opt %t.site.mlir --attnres-to-llvm="runtime-checks=true" | %run_cpu | FileCheck %s --check-prefix=PASS
// RUN: attnres-opt %t.site.mlir --attnres-to-llvm="runtime-checks=true fast-kernels=false parallel=false" | %run_cpu | FileCheck %s --check-prefix=PASS
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --dtype f32 --dynamic-rows --sources 3 --rows 6 --hidden 16 --seed 182 > %t.merge.mlir
// RUN: attnres-opt %t.merge.mlir --attnres-to-llvm="runtime-checks=true" | %run_cpu | FileCheck %s --check-prefix=PASS
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case unfused --dtype f32 --dynamic-rows --sources 3 --rows 4 --hidden 16 --seed 183 > %t.unfused.mlir
// RUN: attnres-opt %t.unfused.mlir --attnres-to-llvm="runtime-checks=true fuse=false" | %run_cpu | FileCheck %s --check-prefix=PASS
//
// Mismatched inputs abort with the op, the relation and its location. The
// message is written with puts(3) just before abort(3), which does not flush
// stdio buffers: stdbuf -o0 keeps it when stdout is a pipe.
// RUN: split-file %s %t
// RUN: attnres-opt %t/rows.mlir --attnres-to-llvm="runtime-checks=true" > %t/rows.ll.mlir
// RUN: stdbuf -o0 not --crash %run_cpu %t/rows.ll.mlir 2>/dev/null | FileCheck %s --check-prefix=ROWS
// RUN: attnres-opt %t/query.mlir --attnres-to-llvm="runtime-checks=true" > %t/query.ll.mlir
// RUN: stdbuf -o0 not --crash %run_cpu %t/query.ll.mlir 2>/dev/null | FileCheck %s --check-prefix=QUERY
// Without the option nothing is checked: the mismatched sources are read out
// of bounds (or not), the query case runs to the end.
// RUN: attnres-opt %t/query.mlir --attnres-to-llvm | %run_cpu | FileCheck %s --check-prefix=UNCHECKED

// PASS: max_abs_err = {{[0-9.e+-]+}}
// PASS-NEXT: mismatches = 0
// PASS-NEXT: PASS
// PASS-NOT: FAIL

// ROWS: ERROR: Runtime op verification failed
// ROWS-NEXT: attnres.depth_attn
// ROWS-NEXT: ^ dimension 0 of source #1 must equal dimension 0 of source #0 (one shape for all sources)
// ROWS-NEXT: Location: loc("{{.*}}rows.mlir":4:10)
// ROWS-NOT: returned

// QUERY: ERROR: Runtime op verification failed
// QUERY-NEXT: attnres.depth_attn
// QUERY-NEXT: ^ dimension 0 of query must equal dimension 1 of source #0 (hidden size)
// QUERY-NOT: returned

// UNCHECKED: returned

//--- rows.mlir
// Source #0 has 2 rows, source #1 has 3.
module {
  func.func @site(%q: tensor<4xf32>, %v0: tensor<?x4xf32>, %v1: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %h = attnres.depth_attn %q, [%v0, %v1] {eps = 1.0e-06 : f32} : tensor<4xf32>, tensor<?x4xf32> -> tensor<?x4xf32>
    return %h : tensor<?x4xf32>
  }
  func.func @main() {
    %q = arith.constant dense<[1.0, 0.5, -0.5, 0.25]> : tensor<4xf32>
    %a = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [0.5, 0.5, 0.5, 0.5]]> : tensor<2x4xf32>
    %b = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [0.5, 0.5, 0.5, 0.5], [1.0, 1.0, 1.0, 1.0]]> : tensor<3x4xf32>
    %ad = tensor.cast %a : tensor<2x4xf32> to tensor<?x4xf32>
    %bd = tensor.cast %b : tensor<3x4xf32> to tensor<?x4xf32>
    %h = func.call @site(%q, %ad, %bd) : (tensor<4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    vector.print str "returned\n"
    return
  }
}

//--- query.mlir
// A query of length 3 for sources of hidden size 4.
module {
  func.func @site(%q: tensor<?xf32>, %v0: tensor<2x4xf32>, %v1: tensor<2x4xf32>) -> tensor<2x4xf32> {
    %h = attnres.depth_attn %q, [%v0, %v1] {eps = 1.0e-06 : f32} : tensor<?xf32>, tensor<2x4xf32> -> tensor<2x4xf32>
    return %h : tensor<2x4xf32>
  }
  func.func @main() {
    %q = arith.constant dense<[1.0, 0.5, -0.5]> : tensor<3xf32>
    %a = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [0.5, 0.5, 0.5, 0.5]]> : tensor<2x4xf32>
    %qd = tensor.cast %q : tensor<3xf32> to tensor<?xf32>
    %h = func.call @site(%qd, %a, %a) : (tensor<?xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    vector.print str "returned\n"
    return
  }
}
