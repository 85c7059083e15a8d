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
// RUN: attnres-opt %t.4.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-gpu{emulate=true}),attnres-to-llvm)' | %run_cpu | FileCheck %s
// The fused form leaves no rms_norm behind.
// RUN: attnres-opt %t.2.mlir --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector,canonicalize))' | FileCheck %s --check-prefix=FUSED

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL

// FUSED-LABEL: func.func @site
// FUSED-NOT: attnres.rms_norm
// FUSED: return
