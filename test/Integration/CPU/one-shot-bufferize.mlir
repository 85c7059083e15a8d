// A host bufferizes attnres ops with upstream's one-shot-bufferize alone:
// the ops stay (their memref form, through the BufferizableOpInterface
// models), without destinations, with a tensor.empty destination, and with
// an in-place destination (depth_attn's last source, merge's phase-1 output
// row); then the bufferized program lowers with attnres-to-llvm (the fast
// kernels take the forward ops' memref form, writing their buffers; with
// fast-kernels=false, or where a buffer has no rows view, the memref form
// goes through convert-attnres-to-linalg's decomposition on buffers) and its
// results match the float64 reference of scripts/attnres_gen.py (the
// generator's tolerances).
//
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --sources 4 --rows 10 --hidden 32 --seed 81 > %t.site.mlir
// RUN: attnres-opt %t.site.mlir --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=SITE
// RUN: attnres-opt %t.site.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.site.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm="fast-kernels=false" | %run_cpu | FileCheck %s
//
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype bf16 --sources 3 --rows 2x5 --hidden 32 --dynamic-rows --outs empty --seed 82 > %t.empty.mlir
// RUN: attnres-opt %t.empty.mlir --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=EMPTY
// RUN: attnres-opt %t.empty.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
//
// Peaked logits (large |q|), the destination is the last source.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --sources 5 --rows 6 --hidden 16 --scale-q 30 --outs inplace --seed 83 > %t.inplace.mlir
// RUN: attnres-opt %t.inplace.mlir --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=INPLACE
// RUN: attnres-opt %t.inplace.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
//
// Flat softmax (a zero query), one token row (rank 1: no token dims).
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --sources 3 --rows "" --hidden 8 --query zero --outs empty --seed 84 > %t.flat.mlir
// RUN: attnres-opt %t.flat.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
//
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --sources 3 --queries 2 --rows 7 --hidden 16 --outs empty --seed 85 > %t.stats.mlir
// RUN: attnres-opt %t.stats.mlir --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=STATS
// RUN: attnres-opt %t.stats.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
//
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --sources 3 --queries 2 --rows 7 --hidden 16 --dynamic-rows --outs inplace --seed 86 > %t.merge.mlir
// RUN: attnres-opt %t.merge.mlir --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=MERGE
// RUN: attnres-opt %t.merge.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
//
// Tiled after bufferization: upstream's tile_using_forall on the memref form
// (tiles of 3 rows as memref.subviews).
// RUN: attnres-opt %t.merge.mlir --one-shot-bufferize="bufferize-function-boundaries" --transform-preload-library="transform-library-paths=%S/Inputs/tile-rows.mlir" --transform-interpreter | FileCheck %s --check-prefix=TILED
// RUN: attnres-opt %t.merge.mlir --one-shot-bufferize="bufferize-function-boundaries" --transform-preload-library="transform-library-paths=%S/Inputs/tile-rows.mlir" --transform-interpreter --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.site.mlir --one-shot-bufferize="bufferize-function-boundaries" --transform-preload-library="transform-library-paths=%S/Inputs/tile-rows.mlir" --transform-interpreter --attnres-to-llvm | %run_cpu | FileCheck %s
//
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --dtype f16 --sources 2 --queries 3 --rows 5 --hidden 16 --seed 87 > %t.merge16.mlir
// RUN: attnres-opt %t.merge16.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s

// SITE-LABEL: func.func @site(
// SITE: %[[A:.*]] = memref.alloc() {{.*}} : memref<10x32xf32>
// SITE: attnres.depth_attn %{{.*}}, [%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] outs(%[[A]] : memref<10x32xf32>) {{.*}}: memref<32xf32, {{.*}}>, memref<10x32xf32, {{.*}}>
// SITE: return %[[A]]

// EMPTY-LABEL: func.func @site(
// EMPTY: %[[A:.*]] = memref.alloc(%{{.*}}, %{{.*}}) {{.*}} : memref<?x?x32xbf16>
// EMPTY-NOT: memref.copy
// EMPTY: attnres.depth_attn %{{.*}} outs(%[[A]] : memref<?x?x32xbf16>)

// INPLACE-LABEL: func.func @site(
// INPLACE-SAME: %[[V4:[^:]*]]: memref<6x16xf32, {{[^>]*}}>>) -> memref<6x16xf32, {{[^>]*}}>> {
// INPLACE-NOT: memref.alloc
// INPLACE: attnres.depth_attn %{{.*}} outs(%[[V4]] : memref<6x16xf32, {{.*}}>)
// INPLACE: return %[[V4]]

// STATS-LABEL: func.func @stats(
// STATS: attnres.depth_attn_stats %{{.*}} outs(%{{.*}}, %{{.*}} : memref<2x7x16xf32>, memref<2x7xf32>)

// MERGE-LABEL: func.func @merge(
// MERGE: attnres.depth_attn_stats
// MERGE: %[[R:.*]] = memref.subview %{{.*}}[1, 0, 0]
// MERGE: attnres.depth_attn_merge %[[R]], %{{.*}}, %{{.*}}, %{{.*}} outs(%[[R]] : memref<?x16xf32, strided<[16, 1], offset: ?>>)

// TILED-LABEL: func.func @merge(
// TILED: scf.forall
// TILED: memref.subview
// TILED: attnres.depth_attn_stats {{.*}} outs({{.*}} : memref<2x?x16xf32, strided<[?, 16, 1], offset: ?>>, memref<2x?xf32, strided<[?, 1], offset: ?>>)
// TILED: scf.forall
// TILED: attnres.depth_attn_merge {{.*}} outs({{.*}} : memref<?x16xf32, strided<[16, 1], offset: ?>>)

// CHECK: PASS
// CHECK-NOT: FAIL
