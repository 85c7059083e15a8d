// REQUIRES: numpy
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f32 --scale-v 1e-3 --eps 1e-6 --sources 4 --rows 4 --hidden 32 --seed 161 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s

// Sources with |V| ~ 1e-3, so mean(V^2) ~ eps: checks that eps sits inside the
// square root with the value of the attribute (1e-6 here, not the default).

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
