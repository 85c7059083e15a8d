// REQUIRES: numpy
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --dynamic-query --layers 12 --block-size 4 --hidden 16 --rows 4 --seed 301 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm=two-phase=off | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case full --dynamic-query --layers 6 --hidden 16 --rows 3 --seed 302 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --dynamic-query --two-phase --layers 8 --block-size 4 --hidden 16 --rows 4 --seed 303 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dynamic-query --dtype bf16 --sources 4 --rows 3 --hidden 32 --seed 304 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// The auto mode batches the Block model's third block (three shared sources).
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --dynamic-query --layers 12 --block-size 4 --hidden 16 --rows 4 --seed 301 \
// RUN:   | attnres-opt --pass-pipeline='builtin.module(func.func(attnres-two-phase))' | FileCheck %s --check-prefix=GROUPED

// Queries of dynamic length (tensor<?xf32>, as a frontend that slices them
// from a parameter tensor may produce) work like static ones: the models
// batched by attnres-two-phase (auto), per site, and computed two-phase by
// hand (depth_attn_merge with a dynamic query) agree with the numpy reference.

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL

// GROUPED: tensor.cast %{{.*}} : tensor<?xf32> to tensor<16xf32>
// GROUPED: attnres.depth_attn_stats %{{.*}} : tensor<5x16xf32>, tensor<4x16xf32> -> tensor<5x4x16xf32>, tensor<5x4xf32>
// GROUPED: attnres.depth_attn_merge {{.*}} tensor<?xf32>
