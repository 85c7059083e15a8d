// REQUIRES: numpy
// The unfused chain in f16 over 12 seeds, with the key rounding it is compiled
// with: the default pipeline fuses it (attnres-fuse key-rounding=f32: keys stay
// in f32, so the reference keeps them in f32 too); fuse-key-rounding=chain and
// fuse=false keep the chain (keys rounded to f16, as rms_norm does).
// RUN: for s in 1 2 3 4 5 6 7 8 9 10 11 12; do \
// RUN:   %python %attnres_src_root/scripts/attnres_gen.py --case unfused --dtype f16 --sources 4 --rows 4 --hidden 32 --seed $s --chain-ref f32 > %t.mlir && \
// RUN:   attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s || exit 1; \
// RUN:   %python %attnres_src_root/scripts/attnres_gen.py --case unfused --dtype f16 --sources 4 --rows 4 --hidden 32 --seed $s > %t.mlir && \
// RUN:   attnres-opt %t.mlir --attnres-to-llvm=fuse-key-rounding=chain | %run_cpu | FileCheck %s || exit 1; \
// RUN:   attnres-opt %t.mlir --attnres-to-llvm=fuse=false | %run_cpu | FileCheck %s || exit 1; \
// RUN: done

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
