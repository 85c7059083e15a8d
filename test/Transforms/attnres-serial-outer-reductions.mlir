// RUN: attnres-opt %s --attnres-serial-outer-reductions -split-input-file | FileCheck %s

// An outer reduction (a sublayer gradient ds[d] = sum_t g[t, d] h[t, d]):
// sequential loops in the op's order, so no parallel region is opened per
// reduction step later.
#map = affine_map<(d0, d1) -> (d0, d1)>
#mapr = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @outer_reduction
// CHECK-NOT: linalg.generic
// CHECK-NOT: scf.parallel
// CHECK: scf.for %[[T:.*]] = %{{.*}} to %{{.*}}
// CHECK-NEXT: scf.for %[[D:.*]] = %{{.*}} to %{{.*}}
// CHECK: memref.load %{{.*}}[%[[T]], %[[D]]]
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[D]]]
func.func @outer_reduction(%g: memref<16x32xf32>, %h: memref<16x32xf32>,
                           %ds: memref<32xf32>) {
  linalg.generic {indexing_maps = [#map, #map, #mapr],
                  iterator_types = ["reduction", "parallel"]}
      ins(%g, %h : memref<16x32xf32>, memref<16x32xf32>)
      outs(%ds : memref<32xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Parallel outermost (a row reduction), all-reduction ops and ops on
// tensors are left for convert-linalg-to-parallel-loops.
#map = affine_map<(d0, d1) -> (d0, d1)>
#mapp = affine_map<(d0, d1) -> (d0)>
#map1 = affine_map<(d0) -> (d0)>
#map0 = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: scf.for
func.func @left_alone(%x: memref<16x32xf32>, %rows: memref<16xf32>,
                      %v: memref<32xf32>, %total: memref<f32>,
                      %t: tensor<16x32xf32>, %tr: tensor<32xf32>) -> tensor<32xf32> {
  linalg.generic {indexing_maps = [#map, #mapp],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<16x32xf32>) outs(%rows : memref<16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#map1, #map0], iterator_types = ["reduction"]}
      ins(%v : memref<32xf32>) outs(%total : memref<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  }
  %r = linalg.generic {indexing_maps = [#map, affine_map<(d0, d1) -> (d1)>],
                       iterator_types = ["reduction", "parallel"]}
      ins(%t : tensor<16x32xf32>) outs(%tr : tensor<32xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  } -> tensor<32xf32>
  return %r : tensor<32xf32>
}
