// REQUIRES: numpy
// Visible input: Inputs/gen-unfused.mlir, the generator's output checked in (kept equal to
// it by attnres-gen-check-input.mlir), run like the generated ones below.
// RUN: attnres-opt %S/Inputs/gen-unfused.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %S/Inputs/gen-unfused.mlir --attnres-to-llvm="fuse=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case unfused --dtype f32 --sources 4 --rows 4 --hidden 32 --seed 201 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fuse=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case unfused --dtype bf16 --sources 4 --rows 4 --hidden 32 --seed 202 --chain-ref f32 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case unfused --dtype bf16 --sources 4 --rows 4 --hidden 32 --seed 202 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fuse=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case unfused --dtype f16 --dynamic-rows --sources 3 --rows 2x2 --hidden 16 --seed 203 --chain-ref f32 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case unfused --dtype f16 --dynamic-rows --sources 3 --rows 2x2 --hidden 16 --seed 203 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fuse=false" | %run_cpu | FileCheck %s

// The unfused chain (rms_norm -> depth_logits -> depth_softmax -> depth_combine)
// against the reference of the four steps, and the fused site with q = gamma * w;
// in f32 the unfused chain must also equal the fused reference. In bf16/f16 the
// reference rounds the keys to the element type, as rms_norm does.

// `fuse=false` keeps the chain (lowered step by step) and matches the chain's
// reference; the default pipeline fuses it into depth_attn, whose keys stay in
// f32 (attnres-fuse key-rounding=f32), and matches the reference with f32 keys
// (--chain-ref f32). depth-attn-unfused-seeds-*.mlir run both over 12 seeds.

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
