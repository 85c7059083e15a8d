// REQUIRES: numpy
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f32 --scale-v 1e4 --scale-q 1e2 --sources 6 --rows 4 --hidden 32 --seed 151 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype bf16 --scale-v 1e4 --scale-q 1e2 --sources 4 --rows 4 --hidden 32 --seed 152 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s

// Math §1, check 5: sources with |V| ~ 1e4 and |q| ~ 1e2 (logits of several
// hundred) give finite, correct results: the softmax subtracts the max. Any
// Inf/NaN counts as a mismatch.

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
