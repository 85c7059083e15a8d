// A host bufferizes gradient programs with upstream's one-shot-bufferize
// alone: the gradient ops stay (their memref form, one destination buffer
// per result, through their BufferizableOpInterface models), without
// destinations, with tensor.empty destinations, and with their operands as
// destinations (written out of place); then the bufferized program lowers
// with attnres-to-llvm (the memref form gets the CPU gradient kernels, or
// with fast-kernels=false convert-attnres-to-linalg's decomposition on
// buffers) and its results match the float64 numpy gradients of
// scripts/attnres_grad_gen.py, themselves checked against finite
// differences of the forward references. Tolerances (the generator's):
// atol = 1e-4 x max|ref| for f32, 1e-2 x max|ref| for bf16, per result.
//
// REQUIRES: numpy
//
// depth_attn_grad: many rows, f32; bf16 with tensor.empty destinations and
// dynamic rows; peaked softmax (large |q|) with the operands as
// destinations; flat softmax (zero query) with one token row (rank 1).
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 3 --rows 64 --hidden 32 --seed 601 > %t.site.mlir
// RUN: attnres-opt %t.site.mlir --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=SITE
// RUN: attnres-opt %t.site.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.site.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dtype bf16 --sources 4 --rows 2x5 --hidden 32 --dynamic-rows --outs empty --seed 602 > %t.site-empty.mlir
// RUN: attnres-opt %t.site-empty.mlir --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=EMPTY
// RUN: attnres-opt %t.site-empty.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
// Dynamic rows and query length without destinations: the result buffers
// are sized by the ops' reifyResultShapes (from their shape relations).
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 2 --rows 3x4 --hidden 16 --dynamic-rows --seed 605 > %t.site-dynamic.mlir
// RUN: attnres-opt %t.site-dynamic.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 5 --rows 6 --hidden 16 --scale-q 10 --outs inplace --seed 603 > %t.site-peaked.mlir
// RUN: attnres-opt %t.site-peaked.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 3 --rows "" --hidden 16 --query zero --outs empty --seed 604 > %t.site-flat.mlir
// RUN: attnres-opt %t.site-flat.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
//
// rms_norm_grad: f32 many rows; bf16 with destinations (the gain's
// gradient accumulated in f32, then rounded into its bf16 buffer).
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --rows 4x16 --hidden 32 --seed 611 > %t.norm.mlir
// RUN: attnres-opt %t.norm.mlir --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=NORM
// RUN: attnres-opt %t.norm.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --dtype bf16 --rows 1 --hidden 64 --outs inplace --seed 612 > %t.norm16.mlir
// RUN: attnres-opt %t.norm16.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
//
// depth_attn_stats_grad (after depth_attn_stats, whose LSE it reads from a
// buffer): f32 with tensor.empty destinations; bf16, peaked, operands as
// destinations.
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --sources 3 --queries 2 --rows 7 --hidden 16 --outs empty --seed 621 > %t.stats.mlir
// RUN: attnres-opt %t.stats.mlir --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=STATS
// RUN: attnres-opt %t.stats.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.stats.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --dtype bf16 --sources 4 --queries 3 --rows 2x3 --hidden 32 --scale-q 8 --outs inplace --seed 622 > %t.stats16.mlir
// RUN: attnres-opt %t.stats16.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
//
// depth_attn_merge_grad: f32 without destinations, many rows; bf16 with the
// operands as destinations; flat (zero query), one row.
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --rows 48 --hidden 32 --seed 631 > %t.merge.mlir
// RUN: attnres-opt %t.merge.mlir --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=MERGE
// RUN: attnres-opt %t.merge.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --dtype bf16 --rows 3x4 --hidden 16 --outs inplace --seed 632 > %t.merge16.mlir
// RUN: attnres-opt %t.merge16.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --rows 1 --hidden 16 --query zero --outs empty --seed 633 > %t.merge-flat.mlir
// RUN: attnres-opt %t.merge-flat.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s
//
// The comparison can fail: expected values moved by 0.05 must print FAIL.
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 3 --rows 8 --hidden 16 --outs empty --perturb 0.05 --seed 641 > %t.perturbed.mlir
// RUN: attnres-opt %t.perturbed.mlir --one-shot-bufferize="bufferize-function-boundaries" --attnres-to-llvm | %run_cpu | FileCheck %s --check-prefix=PERTURBED

// SITE-LABEL: func.func @grad(
// SITE-COUNT-4: memref.alloc()
// SITE: attnres.depth_attn_grad %{{.*}}, [%{{.*}}, %{{.*}}, %{{.*}}], %{{.*}} outs(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : memref<32xf32>, memref<64x32xf32>, memref<64x32xf32>, memref<64x32xf32>)

// EMPTY-LABEL: func.func @grad(
// EMPTY-NOT: memref.copy
// EMPTY: attnres.depth_attn_grad {{.*}} outs({{.*}} : memref<?xbf16>, memref<?x?x32xbf16>, memref<?x?x32xbf16>, memref<?x?x32xbf16>, memref<?x?x32xbf16>)

// NORM-LABEL: func.func @grad(
// NORM: attnres.rms_norm_grad {{.*}} outs({{.*}} : memref<4x16x32xf32>, memref<32xf32>)

// STATS-LABEL: func.func @grad(
// STATS: attnres.depth_attn_stats {{.*}} outs(%{{.*}}, %[[L:.*]] : memref<2x7x16xf32>, memref<2x7xf32>)
// STATS: attnres.depth_attn_stats_grad %{{.*}}, [%{{.*}}, %{{.*}}, %{{.*}}], %[[L]], {{.*}} outs({{.*}} : memref<2x16xf32>, memref<7x16xf32>, memref<7x16xf32>, memref<7x16xf32>)

// MERGE-LABEL: func.func @grad(
// MERGE: attnres.depth_attn_merge_grad {{.*}} outs({{.*}} : memref<48x32xf32>, memref<48xf32>, memref<32xf32>, memref<48x32xf32>)

// CHECK: PASS
// CHECK-NOT: FAIL

// PERTURBED: FAIL
