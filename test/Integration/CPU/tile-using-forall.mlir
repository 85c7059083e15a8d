// Upstream tiling on attnres ops: `transform.structured.tile_using_forall`
// (Inputs/tile-rows.mlir: tiles of 3 rows over the first token dimension,
// the last tile partial) tiles depth_attn, depth_attn_stats,
// depth_attn_merge, rms_norm and block_summary through their
// TilingInterface; the tiled programs lower with attnres-to-llvm (fast
// kernels, and plain linalg loops) and their results match the float64
// reference of scripts/attnres_gen.py (the generator's tolerances).
//
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --sources 4 --rows 10 --hidden 32 --seed 71 > %t.site.mlir
// RUN: attnres-opt %t.site.mlir --transform-preload-library="transform-library-paths=%S/Inputs/tile-rows.mlir" --transform-interpreter | FileCheck %s --check-prefix=TILED
// RUN: attnres-opt %t.site.mlir --transform-preload-library="transform-library-paths=%S/Inputs/tile-rows.mlir" --transform-interpreter --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.site.mlir --transform-preload-library="transform-library-paths=%S/Inputs/tile-rows.mlir" --transform-interpreter --attnres-to-llvm="fast-kernels=false" | %run_cpu | FileCheck %s
//
// With destinations: each tile writes the rows of the destination.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --sources 3 --rows 10 --hidden 16 --outs empty --seed 77 > %t.outs.mlir
// RUN: attnres-opt %t.outs.mlir --transform-preload-library="transform-library-paths=%S/Inputs/tile-rows.mlir" --transform-interpreter | FileCheck %s --check-prefix=OUTS
// RUN: attnres-opt %t.outs.mlir --transform-preload-library="transform-library-paths=%S/Inputs/tile-rows.mlir" --transform-interpreter --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --sources 2 --queries 2 --rows 7 --hidden 16 --outs inplace --seed 78 > %t.mergeouts.mlir
// RUN: attnres-opt %t.mergeouts.mlir --transform-preload-library="transform-library-paths=%S/Inputs/tile-rows.mlir" --transform-interpreter --attnres-to-llvm | %run_cpu | FileCheck %s
//
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype bf16 --sources 3 --rows 2x5 --hidden 32 --dynamic-rows --seed 72 > %t.bf16.mlir
// RUN: attnres-opt %t.bf16.mlir --transform-preload-library="transform-library-paths=%S/Inputs/tile-rows.mlir" --transform-interpreter --attnres-to-llvm | %run_cpu | FileCheck %s
//
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --sources 3 --queries 2 --rows 7 --hidden 16 --seed 73 > %t.stats.mlir
// RUN: attnres-opt %t.stats.mlir --transform-preload-library="transform-library-paths=%S/Inputs/tile-rows.mlir" --transform-interpreter --attnres-to-llvm | %run_cpu | FileCheck %s
//
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --sources 3 --queries 2 --rows 7 --hidden 16 --seed 74 > %t.merge.mlir
// RUN: attnres-opt %t.merge.mlir --transform-preload-library="transform-library-paths=%S/Inputs/tile-rows.mlir" --transform-interpreter --attnres-to-llvm | %run_cpu | FileCheck %s
//
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case unfused --sources 3 --rows 8 --hidden 16 --seed 75 > %t.unfused.mlir
// RUN: attnres-opt %t.unfused.mlir --transform-preload-library="transform-library-paths=%S/Inputs/tile-rows.mlir" --transform-interpreter --attnres-to-llvm | %run_cpu | FileCheck %s
//
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --layers 8 --block-size 4 --hidden 16 --rows 5 --seed 76 > %t.block.mlir
// RUN: attnres-opt %t.block.mlir --transform-preload-library="transform-library-paths=%S/Inputs/tile-rows.mlir" --transform-interpreter --attnres-to-llvm | %run_cpu | FileCheck %s

// TILED: scf.forall (%{{.*}}) in (4) shared_outs(%{{.*}} = %{{.*}}) -> (tensor<10x32xf32>)
// TILED-COUNT-4: tensor.extract_slice %{{.*}}[%{{.*}}, 0] [%{{.*}}, 32] [1, 1] : tensor<10x32xf32> to tensor<?x32xf32>
// TILED: attnres.depth_attn {{.*}} : tensor<32xf32>, tensor<?x32xf32> -> tensor<?x32xf32>
// TILED: tensor.parallel_insert_slice

// OUTS: %[[INIT:.*]] = tensor.empty() : tensor<10x16xf32>
// OUTS: scf.forall
// OUTS: %[[TILE:.*]] = tensor.extract_slice %[[INIT]][%{{.*}}, 0] [%{{.*}}, 16] [1, 1] : tensor<10x16xf32> to tensor<?x16xf32>
// OUTS: attnres.depth_attn {{.*}} outs(%[[TILE]] : tensor<?x16xf32>) {{.*}} -> tensor<?x16xf32>

// CHECK: PASS
// CHECK-NOT: FAIL
