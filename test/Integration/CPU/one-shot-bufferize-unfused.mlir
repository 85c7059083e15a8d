// A host bufferizes programs with rms_norm, block_summary and the unfused
// steps (depth_logits, depth_softmax, depth_combine) using upstream's
// one-shot-bufferize alone: the ops stay (their
// memref form), without destinations, with tensor.empty destinations and
// with in-place destinations; the bufferized program lowers with
// attnres-to-llvm (the memref form through convert-attnres-to-linalg's
// decomposition on buffers) and its results match the float64 references of
// scripts/attnres_gen.py (the generator's tolerances: per dtype, e.g. f32
// atol 1e-5 x max|ref|, bf16 rtol 1e-2, plus the propagated error of h for
// the norm of a site's output).
//
// REQUIRES: numpy
//
// A site followed by the next sublayer's PreNorm (rms_norm of h): f32 many
// rows; bf16 with dynamic rows and tensor.empty destinations; peaked
// softmax with the norm writing into h (which is also returned: a new
// buffer); flat softmax (zero query), one row.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --then-norm --sources 4 --rows 40 --hidden 32 --seed 701 > %t.norm.mlir
// RUN: attnres-opt %t.norm.mlir --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=NORM
// RUN: attnres-opt %t.norm.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.norm.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --then-norm --dtype bf16 --sources 3 --rows 2x5 --dynamic-rows --hidden 32 --outs empty --seed 702 > %t.norm16.mlir
// RUN: attnres-opt %t.norm16.mlir --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=NORM16
// RUN: attnres-opt %t.norm16.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --then-norm --sources 5 --rows 6 --hidden 16 --scale-q 30 --outs inplace --seed 703 > %t.peaked.mlir
// RUN: attnres-opt %t.peaked.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --then-norm --sources 3 --rows 1 --hidden 16 --query zero --outs empty --seed 704 > %t.flat.mlir
// RUN: attnres-opt %t.flat.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
//
// A Block AttnRes model (block_summary of each block's sublayer outputs,
// rms_norm and depth_attn per sublayer, linalg sublayers): no destinations;
// tensor.empty destinations, tiled after bufferization (tile_using_forall
// on the memref form); one row, running sums, the last summand as
// destination. (The model cases are f32.)
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --layers 6 --block-size 3 --rows 7 --hidden 16 --seed 711 > %t.block.mlir
// RUN: attnres-opt %t.block.mlir --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=BLOCK
// RUN: attnres-opt %t.block.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --layers 6 --block-size 3 --rows 7 --hidden 16 --outs empty --seed 712 > %t.block-empty.mlir
// RUN: attnres-opt %t.block-empty.mlir --one-shot-bufferize="bufferize-function-boundaries" --transform-preload-library="transform-library-paths=%S/Inputs/tile-rows.mlir" --transform-interpreter | FileCheck %s --check-prefix=TILED
// RUN: attnres-opt %t.block-empty.mlir --one-shot-bufferize="bufferize-function-boundaries" --transform-preload-library="transform-library-paths=%S/Inputs/tile-rows.mlir" --transform-interpreter --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --layers 4 --block-size 2 --rows 1 --hidden 32 --outs inplace --incremental --seed 713 > %t.block-inplace.mlir
// RUN: attnres-opt %t.block-inplace.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
//
// The unfused chain (rms_norm keys, depth_logits, depth_softmax,
// depth_combine; and the fused site beside it): f32 without destinations
// (every step survives bufferization; after it attnres-fuse has no value
// form to fuse, so the chain runs step by step and matches its reference);
// bf16 with dynamic rows and tensor.empty destinations; peaked softmax with
// the steps writing over their inputs; flat softmax (zero query), one row;
// f16 tiled after bufferization.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case unfused --sources 4 --rows 24 --hidden 32 --seed 721 > %t.unfused.mlir
// RUN: attnres-opt %t.unfused.mlir --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=UNFUSED
// RUN: attnres-opt %t.unfused.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.unfused.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case unfused --dtype bf16 --sources 3 --rows 2x3 --dynamic-rows --hidden 16 --outs empty --seed 722 > %t.unfused-empty.mlir
// RUN: attnres-opt %t.unfused-empty.mlir --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=EMPTY
// RUN: attnres-opt %t.unfused-empty.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case unfused --sources 5 --rows 6 --hidden 16 --scale-q 30 --outs inplace --seed 723 > %t.unfused-peaked.mlir
// RUN: attnres-opt %t.unfused-peaked.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case unfused --sources 3 --rows none --hidden 16 --query zero --outs empty --seed 724 > %t.unfused-flat.mlir
// RUN: attnres-opt %t.unfused-flat.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case unfused --dtype f16 --sources 3 --rows 8 --hidden 16 --outs empty --seed 725 > %t.unfused16.mlir
// RUN: attnres-opt %t.unfused16.mlir --one-shot-bufferize="bufferize-function-boundaries" --transform-preload-library="transform-library-paths=%S/Inputs/tile-rows.mlir" --transform-interpreter --attnres-to-llvm | %run_cpu | FileCheck %s
//
// The comparison can fail: a perturbed reference must print FAIL.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --then-norm --sources 3 --rows 4 --hidden 16 --outs empty --perturb 0.05 --seed 705 > %t.perturbed.mlir
// RUN: attnres-opt %t.perturbed.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s --check-prefix=PERTURBED

// NORM-LABEL: func.func @site(
// NORM: attnres.depth_attn {{.*}} outs(%[[H:.*]] : memref<40x32xf32>)
// NORM: attnres.rms_norm %[[H]], %{{.*}} outs(%{{.*}} : memref<40x32xf32>)

// NORM16-LABEL: func.func @site(
// NORM16-NOT: memref.copy
// NORM16: attnres.rms_norm {{.*}} outs(%{{.*}} : memref<?x?x32xbf16>)

// BLOCK-LABEL: func.func @block_attnres(
// BLOCK: attnres.block_summary [%{{.*}}, %{{.*}}] outs(%{{.*}} : memref<7x16xf32>)
// BLOCK: attnres.block_summary [%{{.*}}, %{{.*}}, %{{.*}}] outs(%{{.*}} : memref<7x16xf32>)

// TILED-LABEL: func.func @block_attnres(
// TILED: scf.forall
// TILED: attnres.block_summary [%{{.*}}, %{{.*}}] outs(%{{.*}} : memref<?x16xf32, strided<[16, 1], offset: ?>>)

// UNFUSED-LABEL: func.func @unfused(
// UNFUSED-COUNT-4: attnres.rms_norm {{.*}} outs({{.*}} : memref<24x32xf32>)
// UNFUSED: attnres.depth_logits {{.*}} outs(%[[S:.*]] : memref<4x24xf32>)
// UNFUSED: attnres.depth_softmax %[[S]] outs(%{{.*}} : memref<4x24xf32>)
// UNFUSED: attnres.depth_combine {{.*}} outs(%{{.*}} : memref<24x32xf32>)

// EMPTY-LABEL: func.func @unfused(
// EMPTY-NOT: memref.copy
// EMPTY: attnres.depth_combine {{.*}} outs(%{{.*}} : memref<?x?x16xbf16>)

// CHECK: PASS
// CHECK-NOT: FAIL

// PERTURBED: FAIL
