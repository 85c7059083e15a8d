// REQUIRES: numpy
// Visible input: Inputs/gen-site-grad.mlir, the generator's output checked in (kept equal to
// it by attnres-gen-check-input.mlir), run like the generated ones below.
// RUN: attnres-opt %S/Inputs/gen-site-grad.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// The GPU gradient kernels' decomposition (row groups: CTA b of G takes rows
// b, b + G, ...; T threads × C chunks of W elements; warp-order CTA
// reductions; dq/dgain partials per CTA summed by the column-sum kernel in a
// fixed order) emitted as CPU loops by convert-attnres-to-gpu{emulate=true},
// executed here and compared with the float64 numpy reference gradients of
// attnres_grad_gen.py (checked there by finite differences; tolerances 1e-4
// (f32) / 1e-2 (bf16) x max|ref|, stated by the program). Exact splits
// (D = 1024 f32 -> 128 threads x 2 chunks of 4; D = 256 bf16 -> 32 x 1 of 8),
// guarded tails (D = 48; D = 37: W = 1), 1 row and many (256 rows in 7 groups:
// 37 rows in some CTAs, 36 in others), flat (zero query) and peaked softmax,
// dynamic token dims, depth_attn_stats_grad (after its forward, also
// emulated; 1..4 queries), and a Block AttnRes model's backward. The
// kernels take the memref form (after one-shot-bufferize, which keeps the
// ops; the ops without one are lowered to linalg first); the last RUN lines
// check that the emulation takes every kernel op of a model's backward.
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dtype f32 --sources 5 --rows 1 --hidden 1024 --seed 701 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dtype bf16 --sources 4 --rows 8 --hidden 256 --seed 702 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true grad-row-groups=3}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dtype f32 --sources 5 --rows 256 --hidden 48 --seed 703 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true grad-row-groups=7}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dtype f32 --sources 3 --rows 2x3 --hidden 37 --dynamic-rows --seed 704 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true grad-row-groups=4}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --query zero --dtype bf16 --sources 4 --rows 4 --hidden 64 --seed 705 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --scale-q 3 --dtype f32 --sources 4 --rows 16 --hidden 128 --seed 706 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true grad-row-groups=5}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dtype f32 --sources 1 --rows 4 --hidden 64 --seed 707 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// D = 7168 f32 (448 threads x 4 chunks): the dq chunks live in the CTA's shared words, not in registers.
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dtype f32 --sources 3 --rows 3 --hidden 7168 --seed 708 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true grad-row-groups=2}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --dtype f32 --rows 1 --hidden 1024 --seed 711 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --dtype bf16 --rows 64 --hidden 256 --seed 712 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true grad-row-groups=6}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case norm-grad --dtype f32 --rows 2x5 --hidden 37 --seed 713 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true grad-row-groups=3}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --dtype f32 --rows 1 --hidden 1024 --seed 721 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --dtype bf16 --rows 40 --hidden 256 --seed 722 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true grad-row-groups=6}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case merge-grad --dtype f32 --scale-q 3 --rows 3x3 --hidden 48 --seed 723 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true grad-row-groups=4}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --dtype f32 --sources 4 --queries 3 --rows 1 --hidden 1024 --seed 741 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --dtype bf16 --sources 3 --queries 2 --rows 2x3 --hidden 48 --seed 742 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true grad-row-groups=4}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --dtype f32 --scale-q 3 --sources 5 --queries 4 --rows 40 --hidden 37 --seed 743 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true grad-row-groups=6}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case stats-grad --query zero --dtype f32 --sources 3 --queries 2 --rows 8 --hidden 64 --seed 744 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true grad-row-groups=3}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case block-grad --layers 6 --block-size 2 --rows 4 --hidden 32 --seed 731 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true grad-row-groups=3}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// The harness can fail: a perturbed reference is reported.
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case site-grad --dtype f32 --sources 3 --rows 4 --hidden 48 --perturb 0.01 --seed 703 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s --check-prefix=FAIL

// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case block-grad --layers 6 --block-size 2 --rows 4 --hidden 32 --seed 731 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}))' | FileCheck %s --check-prefix=EMU --implicit-check-not=attnres.depth_attn --implicit-check-not=attnres.rms_norm_grad
// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
// FAIL: FAIL
// EMU: func.func
