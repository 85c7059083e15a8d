// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg{free-temporaries=true}))' | FileCheck %s
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg))' | FileCheck %s --check-prefix=KEEP

// free-temporaries: the decomposition of a memref-form op (e.g. one
// attnres-to-nvvm's GPU kernels did not take, after buffer deallocation
// ran) frees its temporaries right after its last linalg op; the outs
// buffer is the caller's. Without the option they are left to upstream's
// buffer deallocation.
// CHECK-LABEL: func.func @site
// CHECK-SAME: %[[OUT:[^:]*]]: memref<4x64xf32>)
// CHECK-COUNT-6: memref.alloc() : memref<4xf32>
// CHECK: linalg.generic {{.*}} outs(%[[OUT]] : memref<4x64xf32>)
// CHECK: linalg.yield
// CHECK-NEXT: }
// CHECK-COUNT-6: memref.dealloc %{{.*}} : memref<4xf32>
// CHECK-NEXT: return
// KEEP-LABEL: func.func @site
// KEEP-NOT: memref.dealloc
func.func @site(%q: memref<64xf32>, %v0: memref<4x64xf32>, %v1: memref<4x64xf32>, %out: memref<4x64xf32>) {
  attnres.depth_attn %q, [%v0, %v1] outs(%out : memref<4x64xf32>) : memref<64xf32>, memref<4x64xf32>
  return
}

// CHECK-LABEL: func.func @stats
// CHECK-SAME: %[[O:[^:]*]]: memref<2x?x64xf32>, %[[L:[^:]*]]: memref<2x?xf32>)
// CHECK: linalg.generic {{.*}} outs(%[[O]] : memref<2x?x64xf32>)
// CHECK: linalg.yield
// CHECK-NEXT: }
// CHECK-COUNT-6: memref.dealloc %{{.*}} : memref<{{2x\?|\?}}xf32>
// CHECK-NEXT: return
func.func @stats(%Q: memref<2x64xf32>, %v0: memref<?x64xf32>, %o: memref<2x?x64xf32>, %lse: memref<2x?xf32>) {
  attnres.depth_attn_stats %Q, [%v0, %v0] outs(%o, %lse : memref<2x?x64xf32>, memref<2x?xf32>) : memref<2x64xf32>, memref<?x64xf32>
  return
}
