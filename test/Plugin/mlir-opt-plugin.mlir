// The attnres plugin loads into Debian's stock mlir-opt: the dialect parses,
// the passes and the CPU pipeline run.
// REQUIRES: attnres-plugin
// RUN: %host_preload mlir-opt %s --load-dialect-plugin=%attnres_lib_dir/AttnResPlugin%shlibext --pass-pipeline='builtin.module(func.func(attnres-fuse))' | FileCheck %s --check-prefix=CHECK-FUSE
// RUN: %host_preload mlir-opt %s --load-pass-plugin=%attnres_lib_dir/AttnResPlugin%shlibext --load-dialect-plugin=%attnres_lib_dir/AttnResPlugin%shlibext --pass-pipeline='builtin.module(func.func(attnres-fuse),attnres-to-llvm)' | FileCheck %s --check-prefix=CHECK-LLVM
// RUN: %host_preload mlir-opt %s --load-dialect-plugin=%attnres_lib_dir/AttnResPlugin%shlibext --help | FileCheck %s --check-prefix=CHECK-HELP
// The plugin registers the attnres BufferizableOpInterface models: stock
// mlir-opt's one-shot-bufferize keeps the fused site in its memref form.
// RUN: %host_preload mlir-opt %s --load-pass-plugin=%attnres_lib_dir/AttnResPlugin%shlibext --load-dialect-plugin=%attnres_lib_dir/AttnResPlugin%shlibext --pass-pipeline='builtin.module(func.func(attnres-fuse),one-shot-bufferize{bufferize-function-boundaries})' | FileCheck %s --check-prefix=CHECK-BUF
// A torch-mlir export raised by stock mlir-opt (the frontend corpus):
// RUN: %host_preload mlir-opt %S/../Frontend/Inputs/site-stack-rsqrt-einsum.linalg.mlir --load-dialect-plugin=%attnres_lib_dir/AttnResPlugin%shlibext --pass-pipeline='builtin.module(func.func(attnres-raise))' | FileCheck %s --check-prefix=CHECK-RAISE
// RUN: %host_preload mlir-opt %S/../Frontend/Inputs/site-stack-rsqrt-einsum.tosa.mlir --load-dialect-plugin=%attnres_lib_dir/AttnResPlugin%shlibext --pass-pipeline='builtin.module(attnres-raise-tosa)' | FileCheck %s --check-prefix=CHECK-RAISE

// CHECK-FUSE-LABEL: func.func @chain
// CHECK-FUSE: attnres.depth_attn
// CHECK-FUSE-NOT: attnres.depth_combine
// CHECK-LLVM: llvm.func @chain
// CHECK-LLVM-NOT: attnres.
// CHECK-BUF-LABEL: func.func @chain
// CHECK-BUF: %[[A:.*]] = memref.alloc() {{.*}} : memref<4x8xf32>
// CHECK-BUF: attnres.depth_attn %{{.*}}, [%{{.*}}, %{{.*}}] outs(%[[A]] : memref<4x8xf32>)
// CHECK-RAISE: attnres.depth_attn %{{.*}}, [%arg0, %arg1, %arg2] {eps = 9.99999997E-7 : f32}
// CHECK-RAISE-NOT: math.exp
// CHECK-HELP-DAG: --attnres-raise
// CHECK-HELP-DAG: --attnres-to-llvm
// CHECK-HELP-DAG: --attnres-to-nvvm
// CHECK-HELP-DAG: --convert-attnres-to-linalg

func.func @chain(%v0: tensor<4x8xf32>, %v1: tensor<4x8xf32>, %w: tensor<8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  %k0 = attnres.rms_norm %v0, %g : tensor<4x8xf32>, tensor<8xf32>
  %k1 = attnres.rms_norm %v1, %g : tensor<4x8xf32>, tensor<8xf32>
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<2x4xf32>
  %a = attnres.depth_softmax %s : tensor<2x4xf32>
  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<2x4xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h : tensor<4x8xf32>
}
