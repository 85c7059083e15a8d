// REQUIRES: numpy
// The programs of Integration/GPU (which run only where a GPU answers)
// compile here: attnres-to-nvvm + mlir-translate accept them, so they are
// ready to run unchanged on a GPU machine.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f16 --sources 3 --rows 2x3 --hidden 96 --dynamic-rows --seed 603 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | mlir-translate --mlir-to-llvmir | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --dtype bf16 --sources 4 --rows 3 --hidden 1024 --seed 605 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | mlir-translate --mlir-to-llvmir | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --layers 12 --block-size 4 --hidden 64 --rows 4 --seed 607 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm | mlir-translate --mlir-to-llvmir | FileCheck %s

// CHECK-DAG: define void @main()
// CHECK-DAG: call void @mgpuLaunchKernel(
