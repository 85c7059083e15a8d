// depth_attn_norm and depth_attn_merge_norm: custom, generic and bytecode
// round trips of the value form (one or two results), destinations and the
// memref form; convert-attnres-to-linalg lowers every form (through the
// decomposition, norm-epilogue-decompose.mlir).
//
// RUN: attnres-opt %s | attnres-opt | FileCheck %s
// RUN: attnres-opt %s --mlir-print-op-generic | attnres-opt | FileCheck %s
// RUN: attnres-opt %s --emit-bytecode | attnres-opt | FileCheck %s
// RUN: attnres-opt %s --verify-roundtrip > /dev/null
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg))' | FileCheck %s --check-prefix=LINALG

// CHECK-LABEL: func.func @forms(
// CHECK:         attnres.depth_attn_norm %{{.*}}, [%{{.*}}, %{{.*}}], %{{.*}} {eps = 9.99999997E-7 : f32} : tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>
// CHECK:         attnres.depth_attn_norm %{{.*}}, [%{{.*}}], %{{.*}} outs(%{{.*}}, %{{.*}} : tensor<8x64xf32>, tensor<8x64xf32>) : tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>, tensor<8x64xf32>
// CHECK:         attnres.depth_attn_merge_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {norm_eps = 1.000000e-03 : f32} : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>, tensor<8x64xf32>
// CHECK:         attnres.depth_attn_merge_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} outs(%{{.*}} : tensor<8x64xf32>) : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>
// LINALG-LABEL: func.func @forms(
// LINALG-NOT:     attnres.
// LINALG:         return
func.func @forms(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>,
                 %g: tensor<64xf32>, %lse: tensor<8xf32>)
    -> (tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) {
  %n0 = attnres.depth_attn_norm %q, [%v0, %v1], %g {eps = 1.0e-06 : f32}
      : tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>
  %i = tensor.empty() : tensor<8x64xf32>
  %n1:2 = attnres.depth_attn_norm %q, [%v0], %g outs(%i, %v1 : tensor<8x64xf32>, tensor<8x64xf32>)
      : tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>, tensor<8x64xf32>
  %n2:2 = attnres.depth_attn_merge_norm %v0, %lse, %q, %v1, %g {norm_eps = 1.0e-03 : f32}
      : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>, tensor<8x64xf32>
  %n3 = attnres.depth_attn_merge_norm %v0, %lse, %q, %v1, %g outs(%i : tensor<8x64xf32>)
      : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>
  return %n0, %n1#0, %n1#1, %n2#0, %n2#1, %n3 : tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>
}

// CHECK-LABEL: func.func @memref_form(
// CHECK:         attnres.depth_attn_norm %{{.*}}, [%{{.*}}], %{{.*}} outs(%{{.*}} : memref<?x64xf32>) : memref<64xf32>, memref<?x64xf32>, memref<64xf32>
// CHECK:         attnres.depth_attn_merge_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} outs(%{{.*}}, %{{.*}} : memref<?x64xf32>, memref<?x64xf32>) : memref<?x64xf32>, memref<?xf32>, memref<64xf32>, memref<?x64xf32>, memref<64xf32>
// LINALG-LABEL: func.func @memref_form(
// LINALG-NOT:     attnres.
// LINALG:         return
func.func @memref_form(%q: memref<64xf32>, %v: memref<?x64xf32>, %g: memref<64xf32>,
                       %lse: memref<?xf32>, %n: memref<?x64xf32>, %h: memref<?x64xf32>) {
  attnres.depth_attn_norm %q, [%v], %g outs(%n : memref<?x64xf32>)
      : memref<64xf32>, memref<?x64xf32>, memref<64xf32>
  attnres.depth_attn_merge_norm %v, %lse, %q, %v, %g outs(%n, %h : memref<?x64xf32>, memref<?x64xf32>)
      : memref<?x64xf32>, memref<?xf32>, memref<64xf32>, memref<?x64xf32>, memref<64xf32>
  return
}
