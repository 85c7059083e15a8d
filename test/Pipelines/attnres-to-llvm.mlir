// Compile-only checks of the CPU pipeline: the output is pure LLVM dialect,
// mlir-translate accepts it, `llvm.emit_c_interface` functions get their
// `_mlir_ciface_` wrappers, and the destination-passing memref form lowers.
//
// RUN: attnres-opt %s --attnres-to-llvm | FileCheck %s
// RUN: attnres-opt %s --attnres-to-llvm | FileCheck %s --check-prefix=ONLY-LLVM
// RUN: attnres-opt %s --attnres-to-llvm | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR

// Nothing but the LLVM dialect is left, anywhere in the module.
// ONLY-LLVM-NOT: attnres.
// ONLY-LLVM-NOT: linalg.
// ONLY-LLVM-NOT: tensor.
// ONLY-LLVM-NOT: memref.
// ONLY-LLVM-NOT: bufferization.
// ONLY-LLVM-NOT: unrealized_conversion_cast
// ONLY-LLVM-NOT: {{^ *(%[^=]+= )?"?(arith|math|scf|cf|affine|vector|func|index|builtin)\.}}
// ONLY-LLVM:     llvm.func @depth_attn_site(
// ONLY-LLVM-NOT: attnres.
// ONLY-LLVM-NOT: linalg.
// ONLY-LLVM-NOT: tensor.
// ONLY-LLVM-NOT: memref.
// ONLY-LLVM-NOT: bufferization.
// ONLY-LLVM-NOT: unrealized_conversion_cast
// ONLY-LLVM-NOT: {{^ *(%[^=]+= )?"?(arith|math|scf|cf|affine|vector|func|index|builtin)\.}}

// The fused site on tensors, with a C interface wrapper.
// CHECK-LABEL: llvm.func @depth_attn_site(
// CHECK:         llvm.intr.exp
// CHECK-LABEL: llvm.func @_mlir_ciface_depth_attn_site(
// CHECK:         llvm.call @depth_attn_site(
// LLVMIR-LABEL: define { ptr, ptr, i64, [2 x i64], [2 x i64] } @depth_attn_site(
// LLVMIR-LABEL: define void @_mlir_ciface_depth_attn_site(ptr {{[^,]+}}, ptr
// LLVMIR:         call { ptr, ptr, i64, [2 x i64], [2 x i64] } @depth_attn_site(
func.func @depth_attn_site(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>,
                           %v2: tensor<8x64xf32>) -> tensor<8x64xf32>
    attributes {llvm.emit_c_interface} {
  %h = attnres.depth_attn %q, [%v0, %v1, %v2] : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// Every op, bf16 storage with f32 queries, dynamic token dims. No C interface
// requested, so no wrapper.
// CHECK-LABEL: llvm.func @all_ops_bf16_dynamic(
// CHECK:       llvm.intr.exp
// CHECK-NOT:   llvm.func @_mlir_ciface_all_ops_bf16_dynamic
// LLVMIR-LABEL: define {{.*}} @all_ops_bf16_dynamic(
// LLVMIR-NOT:   @_mlir_ciface_all_ops_bf16_dynamic
func.func @all_ops_bf16_dynamic(%q: tensor<64xf32>, %qs: tensor<4x64xf32>, %g: tensor<64xbf16>,
                                %v0: tensor<?x?x64xbf16>, %v1: tensor<?x?x64xbf16>,
                                %lse: tensor<?x?xf32>)
    -> (tensor<?x?x64xbf16>, tensor<?x?x64xbf16>, tensor<?x?x64xbf16>, tensor<?x?x64xbf16>,
        tensor<4x?x?x64xbf16>, tensor<4x?x?xf32>, tensor<?x?x64xbf16>) {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf32>, tensor<?x?x64xbf16> -> tensor<?x?x64xbf16>
  %k = attnres.rms_norm %v0, %g : tensor<?x?x64xbf16>, tensor<64xbf16>
  %s = attnres.depth_logits %q, [%k, %v1] : tensor<64xf32>, tensor<?x?x64xbf16> -> tensor<2x?x?xf32>
  %a = attnres.depth_softmax %s : tensor<2x?x?xf32>
  %c = attnres.depth_combine %a, [%v0, %v1] : tensor<2x?x?xf32>, tensor<?x?x64xbf16> -> tensor<?x?x64xbf16>
  %b = attnres.block_summary [%v0, %v1, %c] : tensor<?x?x64xbf16>
  %o, %l = attnres.depth_attn_stats %qs, [%v0, %b] : tensor<4x64xf32>, tensor<?x?x64xbf16> -> tensor<4x?x?x64xbf16>, tensor<4x?x?xf32>
  %m = attnres.depth_attn_merge %h, %lse, %q, %v1 : tensor<?x?x64xbf16>, tensor<?x?xf32>, tensor<64xf32>, tensor<?x?x64xbf16>
  return %h, %k, %c, %b, %o, %l, %m : tensor<?x?x64xbf16>, tensor<?x?x64xbf16>, tensor<?x?x64xbf16>,
      tensor<?x?x64xbf16>, tensor<4x?x?x64xbf16>, tensor<4x?x?xf32>, tensor<?x?x64xbf16>
}

// Destination passing on memrefs: the caller owns every buffer; the result is
// written into %out.
// CHECK-LABEL: llvm.func @dps_site(
// CHECK-NOT:     llvm.return {{.+}}
// CHECK:         llvm.return
// CHECK-LABEL: llvm.func @_mlir_ciface_dps_site(
// CHECK-SAME:    %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr)
// CHECK:         llvm.call @dps_site(
// LLVMIR-LABEL: define void @dps_site(
// LLVMIR-LABEL: define void @_mlir_ciface_dps_site(ptr {{[^,]+}}, ptr {{[^,]+}}, ptr {{[^,]+}}, ptr {{[^,)]+}})
// LLVMIR:         call void @dps_site(
func.func @dps_site(%q: memref<64xf32>, %v0: memref<8x64xf32>, %v1: memref<8x64xf32>,
                    %out: memref<8x64xf32>) attributes {llvm.emit_c_interface} {
  %tq = bufferization.to_tensor %q restrict : memref<64xf32> to tensor<64xf32>
  %t0 = bufferization.to_tensor %v0 restrict : memref<8x64xf32> to tensor<8x64xf32>
  %t1 = bufferization.to_tensor %v1 restrict : memref<8x64xf32> to tensor<8x64xf32>
  %h = attnres.depth_attn %tq, [%t0, %t1] : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  bufferization.materialize_in_destination %h in restrict writable %out
      : (tensor<8x64xf32>, memref<8x64xf32>) -> ()
  return
}
