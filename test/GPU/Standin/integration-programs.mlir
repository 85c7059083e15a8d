// The GPU integration programs (test/Integration/GPU), the Block model (one-
// and two-phase: stats/merge kernels) and a Full AttnRes model, lowered with
// the default attnres-to-nvvm options and run against the driver stand-in:
// every driver call is valid, every pointer a kernel gets is device or
// managed memory (the inputs are dense constants: they are copied out of the
// read-only pages they live in), nothing is registered with the driver, and
// the programs exit 0. Kernels do not run, so results are not checked here.
// REQUIRES: cuda-standin, ptxas, numpy
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f32 --sources 9 --rows 8 --hidden 4096 --seed 601 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm > %t.llvm.mlir
// RUN: %run_standin %t.llvm.mlir 2> %t.err > /dev/null
// RUN: FileCheck %s --input-file %t.err
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype bf16 --sources 9 --rows 8 --hidden 7168 --seed 602 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm > %t.llvm.mlir
// RUN: %run_standin %t.llvm.mlir 2> %t.err > /dev/null
// RUN: FileCheck %s --input-file %t.err
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f16 --sources 3 --rows 2x3 --hidden 96 --dynamic-rows --seed 603 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm > %t.llvm.mlir
// RUN: %run_standin %t.llvm.mlir 2> %t.err > /dev/null
// RUN: FileCheck %s --input-file %t.err
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f32 --sources 3 --rows 4 --hidden 48 --scale-v 1e4 --scale-q 1e2 --seed 604 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm > %t.llvm.mlir
// RUN: %run_standin %t.llvm.mlir 2> %t.err > /dev/null
// RUN: FileCheck %s --input-file %t.err
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --dtype bf16 --sources 4 --rows 3 --hidden 1024 --seed 605 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm > %t.llvm.mlir
// RUN: %run_standin %t.llvm.mlir 2> %t.err > /dev/null
// RUN: FileCheck %s --input-file %t.err
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --dtype f32 --sources 3 --rows 4 --hidden 512 --seed 606 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm > %t.llvm.mlir
// RUN: %run_standin %t.llvm.mlir 2> %t.err > /dev/null
// RUN: FileCheck %s --input-file %t.err
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --layers 12 --block-size 4 --hidden 64 --rows 4 --seed 607 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm > %t.llvm.mlir
// RUN: %run_standin %t.llvm.mlir 2> %t.err > /dev/null
// RUN: FileCheck %s --input-file %t.err
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --layers 12 --block-size 4 --hidden 64 --rows 4 --two-phase --seed 609 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm > %t.llvm.mlir
// RUN: rm -f %t.trace
// RUN: env ATTNRES_CUDA_STANDIN_LOG=%t.trace %run_standin %t.llvm.mlir 2> %t.err > /dev/null
// RUN: FileCheck %s --input-file %t.err
// RUN: FileCheck %s --input-file %t.trace --check-prefix=TRACE
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case full --layers 12 --hidden 64 --rows 4 --seed 608 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm > %t.llvm.mlir
// RUN: %run_standin %t.llvm.mlir 2> %t.err > /dev/null
// RUN: FileCheck %s --input-file %t.err

// CHECK-NOT: error
// CHECK: cuda-standin: {{[0-9]+}} calls, {{[1-9][0-9]*}} launches, {{[1-9][0-9]*}} pointer arguments checked, 0 errors

// Two-phase Block AttnRes (stats and merge kernels): managed memory only;
// nothing is registered (no host pointer reaches a kernel).
// TRACE: cuModuleLoadDataEx
// TRACE: loaded PTX with {{[0-9]+}} kernel(s)
// TRACE: cuLaunchKernel
// TRACE: in managed memory
// TRACE-NOT: cuMemHostRegister
// TRACE-NOT: in registered host memory
// TRACE-NOT: error
