// REQUIRES: mpi
// Values of other shapes and element types cross ranks intact: a rank-0 f32
// tensor, a bf16 vector (sent as i16), a 2-D i32 tensor and an f64 matrix,
// relayed over 3 hops (P = 2, V = 2), including a function argument used in
// the last chunk. Expected values are exact.
// RUN: attnres-opt %s --attnres-pipeline-partition="stages=2 virtual-stages=2" --attnres-to-llvm | mlir-translate --mlir-to-llvmir > %t.ll
// RUN: %cc_native %mpi_cflags %t.ll %attnres_src_root/scripts/mpi_send_counter.c -o %t %native_libs %mpi_libs
// RUN: %mpirun -np 2 %t 2> %t.err | FileCheck %s
// RUN: sort %t.err | FileCheck %s --check-prefix=BYTES
// Unpartitioned: the same numbers.
// RUN: attnres-opt %s --attnres-to-llvm | mlir-translate --mlir-to-llvmir > %t.seq.ll
// RUN: %cc_native %t.seq.ll -o %t.seq %native_libs
// RUN: %t.seq | FileCheck %s

// x: 1.5 -> 3 -> 9 -> 10.5 (+ the argument x, relayed to chunk 2)
// v: [1, 2, -3, 4] x2 +1 x2 = [6, 10, -10, 18] in bf16
// m: [[1, 2, 3], [4, 5, 6]] x3 -1 x2 = [[4, 10, 16], [22, 28, 34]]
// d: 0.25 (f64) +0.5 x4 x2 = 6
// CHECK: 10.5
// CHECK-NEXT: 6
// CHECK-NEXT: 10
// CHECK-NEXT: -10
// CHECK-NEXT: 18
// CHECK-NEXT: 4
// CHECK-NEXT: 34
// CHECK-NEXT: 6
// CHECK-NOT: {{[0-9]}}

// Hop 0 (rank 0 -> 1): x1 (4 B), v1 (8 B), m1 (24 B), d1 (32 B) and the
// argument x (4 B); hop 1 (1 -> 0): x2, v2, m2, d2 and x again (it is no
// block: not cached); hop 2 (0 -> 1): x3, v3, m3, d3.
// BYTES: rank 0 sent 140 bytes in 9 messages, received 72 bytes in 5 messages
// BYTES-NEXT: rank 1 sent 72 bytes in 5 messages, received 140 bytes in 9 messages

func.func @relay(%x: tensor<f32>, %v: tensor<4xbf16>, %m: tensor<2x3xi32>, %d: tensor<2x2xf64>) {
  %c2 = arith.constant dense<2.0> : tensor<4xbf16>
  %c1 = arith.constant dense<1.0> : tensor<4xbf16>
  %i3 = arith.constant dense<3> : tensor<2x3xi32>
  %i1 = arith.constant dense<1> : tensor<2x3xi32>
  %i2 = arith.constant dense<2> : tensor<2x3xi32>
  %dh = arith.constant dense<0.5> : tensor<2x2xf64>
  %d4 = arith.constant dense<4.0> : tensor<2x2xf64>
  %es = tensor.empty() : tensor<f32>
  %ev = tensor.empty() : tensor<4xbf16>
  %em = tensor.empty() : tensor<2x3xi32>
  %ed = tensor.empty() : tensor<2x2xf64>
  %ef = tensor.empty() : tensor<4xf32>
  %k0 = arith.constant 0 : index
  %k1 = arith.constant 1 : index
  %k2 = arith.constant 2 : index
  %k3 = arith.constant 3 : index
  // chunk 0 (rank 0)
  %x1 = linalg.map { arith.addf } ins(%x, %x : tensor<f32>, tensor<f32>) outs(%es : tensor<f32>) {attnres.chunk = 0 : i64}
  %v1 = linalg.map { arith.mulf } ins(%v, %c2 : tensor<4xbf16>, tensor<4xbf16>) outs(%ev : tensor<4xbf16>)
  %m1 = linalg.map { arith.muli } ins(%m, %i3 : tensor<2x3xi32>, tensor<2x3xi32>) outs(%em : tensor<2x3xi32>)
  %d1 = linalg.map { arith.addf } ins(%d, %dh : tensor<2x2xf64>, tensor<2x2xf64>) outs(%ed : tensor<2x2xf64>)
  // chunk 1 (rank 1)
  %x2 = linalg.map { arith.mulf } ins(%x1, %x1 : tensor<f32>, tensor<f32>) outs(%es : tensor<f32>) {attnres.chunk = 1 : i64}
  %v2 = linalg.map { arith.addf } ins(%v1, %c1 : tensor<4xbf16>, tensor<4xbf16>) outs(%ev : tensor<4xbf16>)
  %m2 = linalg.map { arith.subi } ins(%m1, %i1 : tensor<2x3xi32>, tensor<2x3xi32>) outs(%em : tensor<2x3xi32>)
  %d2 = linalg.map { arith.mulf } ins(%d1, %d4 : tensor<2x2xf64>, tensor<2x2xf64>) outs(%ed : tensor<2x2xf64>)
  // chunk 2 (rank 0): uses the argument x again
  %x3 = linalg.map { arith.addf } ins(%x2, %x : tensor<f32>, tensor<f32>) outs(%es : tensor<f32>) {attnres.chunk = 2 : i64}
  %v3 = linalg.map { arith.mulf } ins(%v2, %c2 : tensor<4xbf16>, tensor<4xbf16>) outs(%ev : tensor<4xbf16>)
  %m3 = linalg.map { arith.muli } ins(%m2, %i2 : tensor<2x3xi32>, tensor<2x3xi32>) outs(%em : tensor<2x3xi32>)
  %d3 = linalg.map { arith.addf } ins(%d2, %d2 : tensor<2x2xf64>, tensor<2x2xf64>) outs(%ed : tensor<2x2xf64>)
  // chunk 3 (rank 1): print
  %ex = tensor.extract %x3[] {attnres.chunk = 3 : i64} : tensor<f32>
  vector.print %ex : f32
  %vf = linalg.map { arith.extf } ins(%v3 : tensor<4xbf16>) outs(%ef : tensor<4xf32>)
  %ev0 = tensor.extract %vf[%k0] : tensor<4xf32>
  vector.print %ev0 : f32
  %ev1 = tensor.extract %vf[%k1] : tensor<4xf32>
  vector.print %ev1 : f32
  %ev2 = tensor.extract %vf[%k2] : tensor<4xf32>
  vector.print %ev2 : f32
  %ev3 = tensor.extract %vf[%k3] : tensor<4xf32>
  vector.print %ev3 : f32
  %em0 = tensor.extract %m3[%k0, %k0] : tensor<2x3xi32>
  vector.print %em0 : i32
  %em1 = tensor.extract %m3[%k1, %k2] : tensor<2x3xi32>
  vector.print %em1 : i32
  %edd = tensor.extract %d3[%k1, %k1] : tensor<2x2xf64>
  vector.print %edd : f64
  return
}

func.func @main() -> i32 {
  %x = arith.constant dense<1.5> : tensor<f32>
  %v = arith.constant dense<[1.0, 2.0, -3.0, 4.0]> : tensor<4xbf16>
  %m = arith.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %d = arith.constant dense<0.25> : tensor<2x2xf64>
  func.call @relay(%x, %v, %m, %d) : (tensor<f32>, tensor<4xbf16>, tensor<2x3xi32>, tensor<2x2xf64>) -> ()
  %c0 = arith.constant 0 : i32
  return %c0 : i32
}
