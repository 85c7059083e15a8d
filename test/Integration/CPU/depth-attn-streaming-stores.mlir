// REQUIRES: numpy
// Non-temporal output stores (attnres-streaming-stores), forced on for these
// small shapes with streaming-min-bytes=1. The aligned outputs take the
// vector.store {nontemporal} version of the loop; the outputs computed in
// place K elements into the rows of a wider buffer are misaligned and must
// take the plain version (a misaligned vmovntps faults).
//
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f32 --sources 3 --rows 16 --hidden 64 --seed 501 > %t.site.mlir
// RUN: attnres-opt %t.site.mlir --attnres-to-llvm=streaming-min-bytes=1 | FileCheck %s --check-prefix=IR
// RUN: attnres-opt %t.site.mlir --attnres-to-llvm=streaming-min-bytes=1 | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype f32 --sources 3 --rows 16 --hidden 64 --seed 502 --output-column-offset 1 > %t.mis.mlir
// RUN: attnres-opt %t.mis.mlir --attnres-to-llvm=streaming-min-bytes=1 | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype bf16 --query-dtype f32 --sources 4 --rows 2x8 --hidden 64 --seed 503 > %t.bf16.mlir
// RUN: attnres-opt %t.bf16.mlir --attnres-to-llvm=streaming-min-bytes=1 | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case site --dtype bf16 --query-dtype f32 --sources 4 --rows 2x8 --hidden 64 --seed 504 --output-column-offset 8 > %t.bf16mis.mlir
// RUN: attnres-opt %t.bf16mis.mlir --attnres-to-llvm=streaming-min-bytes=1 | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case stats --dtype f32 --sources 4 --queries 3 --rows 8 --hidden 64 --seed 505 > %t.stats.mlir
// RUN: attnres-opt %t.stats.mlir --attnres-to-llvm=streaming-min-bytes=1 | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case merge --dtype f32 --sources 4 --queries 3 --rows 8 --hidden 64 --seed 506 > %t.merge.mlir
// RUN: attnres-opt %t.merge.mlir --attnres-to-llvm=streaming-min-bytes=1 | %run_cpu | FileCheck %s

// IR: llvm.store {{.*}} {alignment = 64 : i64, nontemporal} : vector<16xf32>, !llvm.ptr

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
