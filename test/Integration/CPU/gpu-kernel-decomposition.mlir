// REQUIRES: numpy
// Visible input: Inputs/gen-site-f32.mlir, Inputs/gen-site-bf16.mlir, Inputs/gen-stats.mlir, Inputs/gen-merge.mlir, Inputs/gen-block-model.mlir, the generator's output checked in (kept equal to
// it by attnres-gen-check-input.mlir), run like the generated ones below.
// RUN: attnres-opt %S/Inputs/gen-site-f32.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: attnres-opt %S/Inputs/gen-site-bf16.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: attnres-opt %S/Inputs/gen-stats.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: attnres-opt %S/Inputs/gen-merge.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: attnres-opt %S/Inputs/gen-block-model.mlir --pass-pipeline='builtin.module(func.func(canonicalize,attnres-two-phase{mode=force},convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// The GPU kernels' decomposition (one CTA per row, T threads × C chunks of
// W elements, warp-order reductions, online softmax over sources) emitted as
// CPU loops by convert-attnres-to-gpu{emulate=true}, executed here and
// compared with the numpy reference. The kernels take the memref form
// (after one-shot-bufferize, which keeps the ops): exact splits (D = 256 bf16 -> 32
// threads × 1 chunk of 8; D = 1024 f32 -> 64 × 4 of 4), guarded tails
// (D = 16, 48, 96), stats (query × row grid) and merge, and a Block model
// (two-phase, its merges fused with the next PreNorm:
// depth_attn_merge_norm).
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype bf16 --sources 9 --rows 3 --hidden 256 --seed 501 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f32 --sources 5 --rows 2 --hidden 1024 --seed 502 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f32 --sources 4 --rows 4 --hidden 16 --seed 503 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f16 --sources 3 --rows 2x3 --hidden 96 --dynamic-rows --seed 504 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f32 --sources 3 --rows 4 --hidden 48 --scale-v 1e4 --scale-q 1e2 --seed 505 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --dtype bf16 --sources 4 --rows 2x2 --hidden 64 --dynamic-rows --seed 506 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --dtype f32 --sources 3 --rows 4 --hidden 128 --seed 507 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --layers 12 --block-size 4 --hidden 32 --rows 4 --seed 508 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(canonicalize,attnres-two-phase{mode=force},attnres-fuse-norm-epilogues{producers=merges},convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s

// Every kernel op is taken by the emulation (none is left for attnres-to-llvm's
// CPU kernels; the other ops, rms_norm and block_summary, stay in their memref
// form for convert-attnres-to-linalg):
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(canonicalize,attnres-two-phase{mode=force},attnres-fuse-norm-epilogues{producers=merges},convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}))' | FileCheck %s --check-prefix=EMU --implicit-check-not=attnres.depth_attn
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --dtype bf16 --sources 4 --rows 2x2 --hidden 64 --dynamic-rows --seed 506 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}))' | FileCheck %s --check-prefix=EMU --implicit-check-not=attnres.depth_attn
// The merge kernel's norm epilogue (depth_attn_merge_norm) in the model above.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --layers 12 --block-size 4 --hidden 32 --rows 4 --seed 508 > %t.mlir
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(canonicalize,attnres-two-phase{mode=force},attnres-fuse-norm-epilogues{producers=merges}))' | FileCheck %s --check-prefix=FUSED
// FUSED: attnres.depth_attn_merge_norm

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
// EMU: func.func
