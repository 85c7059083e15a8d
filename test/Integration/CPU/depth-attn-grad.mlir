// REQUIRES: numpy
// Visible input: Inputs/gen-site-grad.mlir, the generator's output checked in (kept equal to
// it by attnres-gen-check-input.mlir), run like the generated ones below.
// RUN: attnres-opt %S/Inputs/gen-site-grad.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %S/Inputs/gen-site-grad.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 3 --rows 4 --hidden 32 --seed 501 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dtype bf16 --sources 4 --rows 8 --hidden 64 --seed 502 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 5 --rows 1 --hidden 64 --seed 503 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 5 --rows 256 --hidden 64 --seed 504 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 3 --rows 2x3 --hidden 16 --seed 505 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 3 --rows '' --hidden 16 --seed 506 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 1 --rows 4 --hidden 16 --seed 507 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --query zero --sources 4 --rows 4 --hidden 32 --seed 508 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --query zero --dtype bf16 --sources 4 --rows 4 --hidden 32 --seed 509 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --scale-q 3 --sources 4 --rows 16 --hidden 32 --seed 510 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --scale-q 3 --dtype bf16 --sources 4 --rows 16 --hidden 32 --seed 511 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --scale-q 10 --sources 6 --rows 16 --hidden 32 --seed 512 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// The fused kernel (convert-attnres-to-vector) with many row tiles (each with
// its own dq accumulator, summed after the loop), other vector widths and
// source groups:
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 5 --rows 37 --hidden 64 --seed 513 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm="rows-per-task=3" | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="rows-per-task=3 vector-width=4 sources-per-loop=1" | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="vector-width=16" | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="rows-per-task=5 parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dtype bf16 --sources 3 --rows 37 --hidden 48 --seed 514 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm="rows-per-task=4" | %run_cpu | FileCheck %s
// No token rows (static 0): empty source gradients, a zero query/gain gradient.
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --rows 0 --hidden 16 --seed 9 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// Dynamic token dims and query length (one and two dynamic dims, bf16, zero
// rows at run time):
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dynamic-rows --rows 37 --hidden 32 --sources 4 --seed 515 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="rows-per-task=3" | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dynamic-rows --rows 2x3 --hidden 16 --sources 3 --seed 515 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dynamic-rows --dtype bf16 --rows 5 --hidden 48 --sources 2 --seed 515 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dynamic-rows --rows 0 --hidden 16 --sources 3 --seed 516 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// The check can fail: the first case with every expected value moved by 1e-2.
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --sources 3 --rows 4 --hidden 32 --seed 501 --perturb 1e-2 > %t.bad.mlir
// RUN: attnres-opt %t.bad.mlir --attnres-to-llvm | %run_cpu | FileCheck %s --check-prefix=CHECK-BAD

// depth_attn_grad (docs/semantics.md, Gradients) against float64 numpy gradients
// that scripts/attnres_grad_gen.py checks by finite differences of the forward
// reference before writing the program. Tolerance: f32 1e-4 (rtol, and atol x
// max|ref| of each result), bf16 1e-2 (one bf16 rounding of every result).
// Cases: f32 and bf16; moderate, peaked (--scale-q 3: logit spread ~17, most
// weights near 0 or 1; --scale-q 10: beyond the 2^-60 flush gap) and flat
// (zero query: uniform weights) softmax; 1 token, many tokens (256), a rank-3
// source, a rank-1 source (no token dims), one source (dV = g, dq = 0). Every
// case runs the fused vector kernel (default) and the plain linalg lowering
// (fast-kernels=false).

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
// CHECK-BAD: FAIL
