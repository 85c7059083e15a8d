// REQUIRES: numpy
// Visible input: Inputs/gen-block-two-phase.mlir, the generator's output checked in (kept equal to
// it by attnres-gen-check-input.mlir), run like the generated ones below.
// RUN: attnres-opt %S/Inputs/gen-block-two-phase.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %S/Inputs/gen-block-two-phase.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --two-phase --layers 12 --block-size 4 --hidden 16 --rows 4 --seed 271 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --two-phase --layers 13 --block-size 4 --hidden 16 --rows 4 --seed 272 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s

// Block AttnRes computed two-phase (math §4): per block one depth_attn_stats for
// all of the block's queries over the completed blocks, then depth_attn_merge
// of the running partial; equals the naive per-site reference.

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
