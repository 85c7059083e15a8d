// REQUIRES: numpy
// RUN: attnres-opt %attnres_src_root/examples/block_attnres.mlir --attnres-to-llvm \
// RUN:   | %run_cpu > %t.out
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --verify-output \
// RUN:   %attnres_src_root/examples/block_attnres.mlir %t.out | FileCheck %s
// The checker must reject a wrong output (last value scaled by 1000):
// RUN: sed -e 's/\([0-9]\)\]\]/\1e3]]/' %t.out > %t.bad
// RUN: not %python %attnres_src_root/scripts/attnres_gen.py --verify-output \
// RUN:   %attnres_src_root/examples/block_attnres.mlir %t.bad | FileCheck %s --check-prefix=BAD

// The committed example (what scripts/run-example.sh runs): its printed output
// matches the numpy reference re-derived from the seed in its header, and the
// file is what the generator produces for those arguments (not stale).

// CHECK: max abs error:
// CHECK-NEXT: mismatches: 0 of 64
// CHECK-NEXT: PASS

// BAD: <-- FAIL
// BAD: mismatches: 1 of 64
// BAD-NEXT: FAIL
