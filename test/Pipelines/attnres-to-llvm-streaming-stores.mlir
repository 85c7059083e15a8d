// The pipeline's streaming-min-bytes option: sites with a 16 MiB static
// output get non-temporal stores by default (threshold 4 MiB), none with
// streaming-min-bytes=0 or above the output size, none for fast-kernels=false.
//
// RUN: attnres-opt %s --attnres-to-llvm | FileCheck %s --check-prefix=CHECK-NT
// RUN: attnres-opt %s --attnres-to-llvm=streaming-min-bytes=0 | FileCheck %s --check-prefix=CHECK-PLAIN
// RUN: attnres-opt %s --attnres-to-llvm=streaming-min-bytes=16777217 | FileCheck %s --check-prefix=CHECK-PLAIN
// RUN: attnres-opt %s --attnres-to-llvm="fast-kernels=false parallel=false" | FileCheck %s --check-prefix=CHECK-PLAIN
// RUN: attnres-opt %s --attnres-to-llvm | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=CHECK-LLVMIR
// bf16 outputs are stored as i16 vectors (attnres-legalize-nontemporal-stores).
// CHECK-LLVMIR-DAG: store <32 x i16> {{.*}}, align 64, !nontemporal

// CHECK-NT-LABEL: llvm.func @site
// CHECK-NT: llvm.store {{.*}} {alignment = 64 : i64, nontemporal} : vector<16xf32>, !llvm.ptr
// The misaligned version keeps ordinary stores.
// CHECK-NT: llvm.store {{.*}} {alignment = 4 : i64} : vector<16xf32>, !llvm.ptr
// CHECK-PLAIN-NOT: nontemporal
// CHECK-LLVMIR-DAG: store <16 x float> {{.*}}, align 64, !nontemporal
func.func @site(%q: tensor<4096xf32>, %v0: tensor<1024x4096xf32>, %v1: tensor<1024x4096xf32>, %v2: tensor<1024x4096xf32>) -> tensor<1024x4096xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1, %v2] : tensor<4096xf32>, tensor<1024x4096xf32> -> tensor<1024x4096xf32>
  return %h : tensor<1024x4096xf32>
}

func.func @site_bf16(%q: tensor<4096xf32>, %v0: tensor<2048x4096xbf16>, %v1: tensor<2048x4096xbf16>) -> tensor<2048x4096xbf16> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<4096xf32>, tensor<2048x4096xbf16> -> tensor<2048x4096xbf16>
  return %h : tensor<2048x4096xbf16>
}
