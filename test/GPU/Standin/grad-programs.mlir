// Gradient programs (the row-group and column-sum kernels of
// depth_attn_grad, rms_norm_grad, depth_attn_merge_grad,
// depth_attn_stats_grad, and a Block AttnRes
// model's backward) lowered with the default attnres-to-nvvm options and run
// against the driver stand-in: every driver call is valid, every pointer a
// kernel gets is device or managed memory, launches and dynamic shared
// memory are within the device's limits, and the programs exit 0. Kernels do
// not run, so results are not checked here (test/Integration/GPU does that
// on a device, test/Integration/CPU/gpu-grad-kernel-decomposition.mlir on
// the CPU emulation).
// REQUIRES: cuda-standin, ptxas, numpy
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dtype f32 --sources 9 --rows 8 --hidden 4096 --seed 801 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm > %t.llvm.mlir
// RUN: rm -f %t.trace
// RUN: env ATTNRES_CUDA_STANDIN_LOG=%t.trace %run_standin %t.llvm.mlir 2> %t.err > /dev/null
// RUN: FileCheck %s --input-file %t.err
// RUN: FileCheck %s --input-file %t.trace --check-prefix=TRACE
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dtype bf16 --sources 3 --rows 2x3 --hidden 37 --dynamic-rows --seed 805 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm > %t.llvm.mlir
// RUN: %run_standin %t.llvm.mlir 2> %t.err > /dev/null
// RUN: FileCheck %s --input-file %t.err
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --dtype bf16 --rows 64 --hidden 7168 --seed 811 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm > %t.llvm.mlir
// RUN: %run_standin %t.llvm.mlir 2> %t.err > /dev/null
// RUN: FileCheck %s --input-file %t.err
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --dtype f32 --rows 40 --hidden 4096 --seed 821 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm > %t.llvm.mlir
// RUN: %run_standin %t.llvm.mlir 2> %t.err > /dev/null
// RUN: FileCheck %s --input-file %t.err
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --dtype bf16 --sources 9 --queries 4 --rows 8 --hidden 7168 --seed 841 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm > %t.llvm.mlir
// RUN: %run_standin %t.llvm.mlir 2> %t.err > /dev/null
// RUN: FileCheck %s --input-file %t.err
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case block-grad --layers 6 --block-size 2 --rows 4 --hidden 64 --seed 831 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-nvvm > %t.llvm.mlir
// RUN: %run_standin %t.llvm.mlir 2> %t.err > /dev/null
// RUN: FileCheck %s --input-file %t.err

// CHECK-NOT: error
// CHECK: cuda-standin: {{[0-9]+}} calls, {{[1-9][0-9]*}} launches, {{[1-9][0-9]*}} pointer arguments checked, 0 errors

// The site gradient: the row-group kernel and then the column-sum kernel.
// TRACE: cuModuleLoadDataEx
// TRACE: cuLaunchKernel
// TRACE: cuLaunchKernel
// TRACE-NOT: error
