// REQUIRES: numpy
// The decode tail: a site followed by the next sublayer's PreNorm
// (rms_norm of h), which the CPU kernels compute in the site's row loop.
// Both results are checked against float64 references (h, and rms_norm of
// the reference h rounded to the element type, with h's error propagated),
// for decode sizes (1, 4 and 16 tokens, static and dynamic) and f32/bf16,
// fused (default) and unfused (plain linalg loops); peaked logits too.
//
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --then-norm --dtype f32 --sources 9 --rows 1 --hidden 256 --seed 4101 > %t.1.mlir
// RUN: attnres-opt %t.1.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.1.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --then-norm --dtype bf16 --sources 9 --rows 4 --hidden 256 --seed 4102 > %t.2.mlir
// RUN: attnres-opt %t.2.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.2.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --then-norm --dtype bf16 --sources 5 --rows 16 --dynamic-rows --hidden 128 --seed 4103 > %t.3.mlir
// RUN: attnres-opt %t.3.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.3.mlir --attnres-to-llvm="bf16-pairs=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --then-norm --dtype f32 --sources 7 --rows 2x3 --dynamic-rows --hidden 96 --scale-q 15.3 --seed 4104 > %t.4.mlir
// RUN: attnres-opt %t.4.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.4.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{keep-bufferizable=true}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// Only the normalized value returned (h is not a result of the fused op and
// is never written): 1 token and many, flat and peaked queries.
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --then-norm --norm-only --dtype f32 --sources 6 --rows 1 --hidden 128 --seed 4105 > %t.5.mlir
// RUN: attnres-opt %t.5.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.5.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --then-norm --norm-only --dtype bf16 --sources 4 --rows 33 --hidden 64 --scale-q 20 --seed 4106 > %t.6.mlir
// RUN: attnres-opt %t.6.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --then-norm --norm-only --dtype f32 --sources 3 --rows 8 --hidden 32 --query zero --seed 4107 > %t.7.mlir
// RUN: attnres-opt %t.7.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// The fused op, tiled by upstream's tile_using_forall, then lowered.
// RUN: attnres-opt %t.6.mlir --pass-pipeline='builtin.module(func.func(attnres-fuse-norm-epilogues))' | attnres-opt --transform-preload-library="transform-library-paths=%S/Inputs/tile-norm-epilogue.mlir" --transform-interpreter | FileCheck %s --check-prefix=TILED
// RUN: attnres-opt %t.6.mlir --pass-pipeline='builtin.module(func.func(attnres-fuse-norm-epilogues))' | attnres-opt --transform-preload-library="transform-library-paths=%S/Inputs/tile-norm-epilogue.mlir" --transform-interpreter --attnres-to-llvm | %run_cpu | FileCheck %s
// attnres-fuse-norm-epilogues makes the fused op, which the kernel consumes:
// no rms_norm is left.
// RUN: attnres-opt %t.2.mlir --pass-pipeline='builtin.module(func.func(attnres-fuse-norm-epilogues))' | FileCheck %s --check-prefix=FUSEDOP
// RUN: attnres-opt %t.2.mlir --pass-pipeline='builtin.module(func.func(attnres-fuse-norm-epilogues,convert-attnres-to-vector,canonicalize))' | FileCheck %s --check-prefix=FUSED

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL

// TILED-LABEL: func.func @site
// TILED: scf.forall
// TILED: attnres.depth_attn_norm {{.*}} : tensor<64xbf16>, tensor<?x64xbf16>, tensor<64xbf16> -> tensor<?x64xbf16>
// TILED: tensor.parallel_insert_slice
// FUSEDOP-LABEL: func.func @site
// FUSEDOP: attnres.depth_attn_norm
// FUSEDOP-NOT: attnres.rms_norm
// FUSED-LABEL: func.func @site
// FUSED-NOT: attnres.rms_norm
// FUSED: return
