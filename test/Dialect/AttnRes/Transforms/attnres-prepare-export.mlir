// RUN: attnres-opt %s --attnres-prepare-export --split-input-file --verify-diagnostics | FileCheck %s

// llvm.emit_c_interface goes; an unused unranked declaration is erased; a
// private function with memrefs stays (it is not an entry point).
// CHECK-LABEL: func.func @site
// CHECK-NOT:   llvm.emit_c_interface
// CHECK-NOT:   printMemrefF32
// CHECK:       func.func private @helper(%{{.*}}: memref<4xf32>)
// CHECK-NOT:   printMemrefF32
func.func @site(%v: tensor<4x8xf32>, %n: index, %s: f32, %b: bf16) -> tensor<4x8xf32> attributes {llvm.emit_c_interface} {
  return %v : tensor<4x8xf32>
}
func.func private @printMemrefF32(tensor<*xf32>)
func.func private @helper(%m: memref<4xf32>) {
  return
}

// -----

// A called unranked declaration cannot be dropped.
// expected-error @below {{attnres-prepare-export: 'printMemrefF32' has unranked types and is called; other compilers' entry-point ABIs (IREE) reject unranked tensors}}
func.func private @printMemrefF32(tensor<*xf32>)
func.func @main(%v: tensor<4x8xf32>) {
  %u = tensor.cast %v : tensor<4x8xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

// -----

// Entry points on memrefs (destination passing for attnres-to-llvm) are not
// portable.
// expected-error @below {{attnres-prepare-export: public function 'site_dps' takes or returns 'memref<4x8xf32>'; exported entry points take and return ranked tensors and scalars (make it private, or lower from tensors)}}
func.func @site_dps(%out: memref<4x8xf32>) {
  return
}

// -----

// Unranked tensors and encodings in a public signature.
// expected-error @below {{public function 'unranked' takes or returns 'tensor<*xf32>'}}
func.func @unranked(%v: tensor<*xf32>) -> tensor<*xf32> {
  return %v : tensor<*xf32>
}
