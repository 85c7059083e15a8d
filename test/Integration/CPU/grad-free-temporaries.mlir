// The gradient ops lowered after buffer deallocation, as attnres-to-nvvm
// lowers the ones its GPU kernels do not take: one-shot-bufferize keeps them
// (memref form), upstream's buffer-deallocation-pipeline runs, then
// convert-attnres-to-linalg{free-temporaries} decomposes them on the buffers
// and frees the decomposition's temporaries itself (a second deallocation
// pass cannot run: ownership-based deallocation rejects IR with deallocs).
// The rest is upstream's lowering to LLVM. Results are compared against the
// float64 numpy gradients of scripts/attnres_grad_gen.py (checked against
// finite differences of the forward references); tolerances are the
// generator's: atol = 1e-4 x max|ref| for f32, 1e-2 x max|ref| for bf16,
// per result. That every temporary is freed, and only those, is checked on
// the IR in test/Conversion/AttnResToLinalg/
// convert-attnres-grad-to-linalg-free-temporaries.mlir.
//
// REQUIRES: numpy
//
// DEFINE: %{free} = attnres-opt --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries},buffer-deallocation-pipeline,convert-bufferization-to-memref,func.func(convert-attnres-to-linalg{free-temporaries}),attnres-check-lowered)'
// DEFINE: %{llvm} = attnres-opt --convert-linalg-to-loops --convert-vector-to-scf --lower-affine --expand-strided-metadata --lower-affine --convert-scf-to-cf --arith-expand=include-bf16=true --convert-math-to-llvm --convert-vector-to-llvm --finalize-memref-to-llvm --convert-func-to-llvm --convert-arith-to-llvm --convert-cf-to-llvm --convert-index-to-llvm --reconcile-unrealized-casts
//
// depth_attn_grad: many rows, f32; bf16, dynamic rows and query length,
// tensor.empty destinations; peaked softmax (large |q|) with the operands
// as destinations; flat softmax (zero query), one token row (rank 1).
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 3 --rows 64 --hidden 32 --seed 701 > %t.site.mlir
// RUN: %{free} %t.site.mlir | %{llvm} | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dtype bf16 --sources 4 --rows 2x5 --hidden 32 --dynamic-rows --outs empty --seed 702 > %t.site-dyn.mlir
// RUN: %{free} %t.site-dyn.mlir | %{llvm} | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 5 --rows 6 --hidden 16 --scale-q 10 --outs inplace --seed 703 > %t.site-peaked.mlir
// RUN: %{free} %t.site-peaked.mlir | %{llvm} | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 3 --rows "" --hidden 16 --query zero --outs empty --seed 704 > %t.site-flat.mlir
// RUN: %{free} %t.site-flat.mlir | %{llvm} | %run_cpu | FileCheck %s
//
// rms_norm_grad: f32, many rows; bf16 with the operands as destinations
// (the gain's gradient accumulated in an f32 temporary, then rounded).
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --rows 4x16 --hidden 32 --seed 711 > %t.norm.mlir
// RUN: %{free} %t.norm.mlir | %{llvm} | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --dtype bf16 --rows 1 --hidden 64 --outs inplace --seed 712 > %t.norm16.mlir
// RUN: %{free} %t.norm16.mlir | %{llvm} | %run_cpu | FileCheck %s
//
// depth_attn_stats_grad (after depth_attn_stats, also decomposed on
// buffers): f32 with tensor.empty destinations; bf16, peaked, operands as
// destinations.
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --sources 3 --queries 2 --rows 7 --hidden 16 --outs empty --seed 721 > %t.stats.mlir
// RUN: %{free} %t.stats.mlir | %{llvm} | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --dtype bf16 --sources 4 --queries 3 --rows 2x3 --hidden 32 --scale-q 8 --outs inplace --seed 722 > %t.stats16.mlir
// RUN: %{free} %t.stats16.mlir | %{llvm} | %run_cpu | FileCheck %s
//
// depth_attn_merge_grad: f32 without destinations, many rows; bf16 with the
// operands as destinations; flat (zero query), one row.
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --rows 48 --hidden 32 --seed 731 > %t.merge.mlir
// RUN: %{free} %t.merge.mlir | %{llvm} | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --dtype bf16 --rows 3x4 --hidden 16 --outs inplace --seed 732 > %t.merge16.mlir
// RUN: %{free} %t.merge16.mlir | %{llvm} | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --rows 1 --hidden 16 --query zero --outs empty --seed 733 > %t.merge-flat.mlir
// RUN: %{free} %t.merge-flat.mlir | %{llvm} | %run_cpu | FileCheck %s
//
// The comparison can fail: expected values moved by 0.05 must print FAIL.
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 3 --rows 8 --hidden 16 --outs empty --perturb 0.05 --seed 741 > %t.perturbed.mlir
// RUN: %{free} %t.perturbed.mlir | %{llvm} | %run_cpu | FileCheck %s --check-prefix=PERTURBED

// CHECK: PASS
// CHECK-NOT: FAIL

// PERTURBED: FAIL
