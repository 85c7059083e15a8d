// RUN: attnres-opt %s --attnres-pipeline-partition="stages=2" | FileCheck %s
// RUN: attnres-opt %s > %t.before
// RUN: attnres-opt %s --attnres-pipeline-partition="stages=2" > %t.after
// RUN: diff %t.before %t.after

// A module without annotations: the partition pass changes nothing (no
// dlti.map, no mpi ops, no MPI init in main).
// CHECK-NOT: dlti
// CHECK-NOT: mpi.
// CHECK-LABEL: func.func @no_chunks
// CHECK-NEXT: arith.addf
// CHECK-NEXT: return
func.func @no_chunks(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = arith.addf %x, %x : tensor<4xf32>
  return %a : tensor<4xf32>
}
func.func @main() {
  return
}
