// REQUIRES: cuda-gpu, ptxas, numpy
// The fused GPU kernels on a device, with the same numpy references and
// tolerances as the CPU integration tests.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f32 --sources 9 --rows 8 --hidden 4096 --seed 601 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype bf16 --sources 9 --rows 8 --hidden 7168 --seed 602 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f16 --sources 3 --rows 2x3 --hidden 96 --dynamic-rows --seed 603 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f32 --sources 3 --rows 4 --hidden 48 --scale-v 1e4 --scale-q 1e2 --seed 604 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --dtype bf16 --sources 4 --rows 3 --hidden 1024 --seed 605 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --dtype f32 --sources 3 --rows 4 --hidden 512 --seed 606 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --layers 12 --block-size 4 --hidden 64 --rows 4 --seed 607 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case full --layers 12 --hidden 64 --rows 4 --seed 608 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | %run_gpu | FileCheck %s

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
