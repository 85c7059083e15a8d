// attnres-export-linalg: portable linalg on tensors for a compiler that
// cannot load attnres (IREE; test/IREE runs it there). No attnres op, no
// llvm.emit_c_interface, no unranked declaration; the public functions keep
// their tensor signatures (dynamic token dims included).
// RUN: attnres-opt %s --attnres-export-linalg | FileCheck %s
// RUN: attnres-opt %s --attnres-export-linalg="fuse=false two-phase=off" | FileCheck %s
// Bytecode that older MLIRs read (IREE 3.13 needs version 4 or text):
// RUN: attnres-opt %s --attnres-export-linalg --emit-bytecode --emit-bytecode-version=4 -o %t.mlirbc
// RUN: mlir-opt %t.mlirbc | FileCheck %s
// Nothing anywhere in the module:
// RUN: attnres-opt %s --attnres-export-linalg | FileCheck %s --check-prefix=CLEAN
// CLEAN-NOT: attnres.
// CLEAN-NOT: llvm.emit_c_interface
// CLEAN-NOT: tensor<*x
// CLEAN-NOT: memref

// CHECK-LABEL: func.func @site(
// CHECK-SAME:    tensor<32xf32>, %{{.*}}: tensor<?x32xf32>, %{{.*}}: tensor<?x32xf32>) -> tensor<?x32xf32> {
// CHECK:         linalg.generic
// CHECK-LABEL: func.func @site_bf16(
// CHECK-SAME:    -> tensor<5x32xbf16> {
// CHECK-LABEL: func.func @chain(
// CHECK-NOT:   printMemrefF32

func.func @site(%q: tensor<32xf32>, %v0: tensor<?x32xf32>, %v1: tensor<?x32xf32>) -> tensor<?x32xf32> attributes {llvm.emit_c_interface} {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<32xf32>, tensor<?x32xf32> -> tensor<?x32xf32>
  return %h : tensor<?x32xf32>
}

func.func @site_bf16(%q: tensor<32xf32>, %v0: tensor<5x32xbf16>, %v1: tensor<5x32xbf16>) -> tensor<5x32xbf16> attributes {llvm.emit_c_interface} {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<32xf32>, tensor<5x32xbf16> -> tensor<5x32xbf16>
  return %h : tensor<5x32xbf16>
}

func.func @chain(%v0: tensor<4x8xf32>, %v1: tensor<4x8xf32>, %w: tensor<8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  %k0 = attnres.rms_norm %v0, %g : tensor<4x8xf32>, tensor<8xf32>
  %k1 = attnres.rms_norm %v1, %g : tensor<4x8xf32>, tensor<8xf32>
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<2x4xf32>
  %a = attnres.depth_softmax %s : tensor<2x4xf32>
  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<2x4xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h : tensor<4x8xf32>
}

func.func private @printMemrefF32(tensor<*xf32>)
