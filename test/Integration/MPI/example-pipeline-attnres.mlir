// REQUIRES: mpi, numpy
// The committed pipeline example (what scripts/run-pipeline-example.sh runs):
// partitioned over 4 ranks it prints the model output the numpy reference
// re-derived from its header expects, and the file is what attnres_gen.py
// generates for those arguments (not stale).
// RUN: attnres-opt %attnres_src_root/examples/pipeline_attnres.mlir --attnres-pipeline-partition="stages=4 virtual-stages=2" --attnres-to-llvm | mlir-translate --mlir-to-llvmir > %t.ll
// RUN: %cc_native %mpi_cflags %t.ll -o %t %native_libs %mpi_libs
// RUN: %mpirun -np 4 %t > %t.out
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --verify-output %attnres_src_root/examples/pipeline_attnres.mlir %t.out | FileCheck %s
// A wrong output is rejected (last value scaled by 1000):
// RUN: sed -e 's/\([0-9]\)\]\]/\1e3]]/' %t.out > %t.bad
// RUN: not %python %attnres_src_root/scripts/attnres_gen.py --verify-output %attnres_src_root/examples/pipeline_attnres.mlir %t.bad | FileCheck %s --check-prefix=BAD

// CHECK: max abs error:
// CHECK-NEXT: mismatches: 0 of 64
// CHECK-NEXT: PASS

// BAD: mismatches: 1 of 64
// BAD-NEXT: FAIL
