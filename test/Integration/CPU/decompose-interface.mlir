// Upstream's transform.structured.decompose_interface decomposes attnres ops
// through linalg::AggregatedOpInterface (Inputs/decompose-attnres.mlir: the
// forward ops with one result) into the linalg generics
// convert-attnres-to-linalg emits (one copy of that code: the pass replaces
// each op by the same decomposition). The decomposed programs lower with
// attnres-to-llvm and match the float64 reference of scripts/attnres_gen.py.
// After one-shot-bufferize, convert-attnres-to-linalg decomposes the memref
// form into generics on buffers (the upstream transform needs one result).
//
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --sources 4 --rows 10 --hidden 32 --seed 91 > %t.site.mlir
// RUN: attnres-opt %t.site.mlir --transform-preload-library="transform-library-paths=%S/Inputs/decompose-attnres.mlir" --transform-interpreter | FileCheck %s --check-prefix=DECOMPOSED
// RUN: attnres-opt %t.site.mlir --transform-preload-library="transform-library-paths=%S/Inputs/decompose-attnres.mlir" --transform-interpreter --attnres-to-llvm | %run_cpu | FileCheck %s
//
// Peaked logits, f16, the destination a source; flat softmax with one row.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f16 --sources 3 --rows 2x3 --hidden 16 --scale-q 30 --outs inplace --seed 92 > %t.f16.mlir
// RUN: attnres-opt %t.f16.mlir --transform-preload-library="transform-library-paths=%S/Inputs/decompose-attnres.mlir" --transform-interpreter --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --sources 2 --rows 1 --hidden 8 --query zero --seed 93 > %t.flat.mlir
// RUN: attnres-opt %t.flat.mlir --transform-preload-library="transform-library-paths=%S/Inputs/decompose-attnres.mlir" --transform-interpreter --attnres-to-llvm | %run_cpu | FileCheck %s
//
// The unfused steps (rms_norm, depth_logits, depth_softmax, depth_combine).
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case unfused --sources 3 --rows 8 --hidden 16 --seed 94 > %t.unfused.mlir
// RUN: attnres-opt %t.unfused.mlir --transform-preload-library="transform-library-paths=%S/Inputs/decompose-attnres.mlir" --transform-interpreter | FileCheck %s --check-prefix=UNFUSED
// RUN: attnres-opt %t.unfused.mlir --transform-preload-library="transform-library-paths=%S/Inputs/decompose-attnres.mlir" --transform-interpreter --attnres-to-llvm | %run_cpu | FileCheck %s
//
// Two-phase with destinations, dynamic rows (the merges are decomposed;
// depth_attn_stats has two results, which the upstream transform cannot
// return, and is lowered by attnres-to-llvm).
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --sources 3 --queries 2 --rows 7 --hidden 16 --dynamic-rows --outs empty --seed 95 > %t.merge.mlir
// RUN: attnres-opt %t.merge.mlir --transform-preload-library="transform-library-paths=%S/Inputs/decompose-attnres.mlir" --transform-interpreter --attnres-to-llvm | %run_cpu | FileCheck %s
//
// The Block AttnRes model (block_summary, rms_norm, sites).
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --layers 8 --block-size 4 --hidden 16 --rows 5 --seed 96 > %t.block.mlir
// RUN: attnres-opt %t.block.mlir --transform-preload-library="transform-library-paths=%S/Inputs/decompose-attnres.mlir" --transform-interpreter --attnres-to-llvm | %run_cpu | FileCheck %s
//
// Bufferized first (memref form), then decomposed on buffers.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --sources 3 --queries 2 --rows 7 --hidden 16 --outs inplace --seed 97 > %t.bufmerge.mlir
// RUN: attnres-opt %t.bufmerge.mlir --one-shot-bufferize="bufferize-function-boundaries" --convert-attnres-to-linalg | FileCheck %s --check-prefix=BUFFERS
// RUN: attnres-opt %t.bufmerge.mlir --one-shot-bufferize="bufferize-function-boundaries" --convert-attnres-to-linalg --attnres-to-llvm | %run_cpu | FileCheck %s

// DECOMPOSED-LABEL: func.func @site(
// DECOMPOSED-NOT: attnres.
// DECOMPOSED: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// DECOMPOSED: linalg.generic {{.*}} iterator_types = ["parallel"]
// DECOMPOSED: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// DECOMPOSED-NOT: attnres.
// DECOMPOSED: return

// UNFUSED-LABEL: func.func @unfused(
// UNFUSED-NOT: attnres.
// UNFUSED: return

// BUFFERS-LABEL: func.func @merge(
// BUFFERS-NOT: attnres.
// BUFFERS: linalg.generic {{.*}} outs({{.*}} : memref<7xf32>, memref<7xf32>, memref<7xf32>)
// BUFFERS-NOT: attnres.
// BUFFERS: return

// CHECK: PASS
// CHECK-NOT: FAIL
