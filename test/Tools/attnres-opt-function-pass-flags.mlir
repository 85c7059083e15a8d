// The attnres passes are op-agnostic, as upstream's convert-elementwise-to-
// linalg: bare flags run them at module level, on every function directly in
// the module (attnres-opt no longer rewrites its command line); the order of
// the pass flags is kept. Nested pipelines work too.
// RUN: attnres-opt %s --attnres-two-phase="mode=force" --canonicalize --dump-pass-pipeline 2>&1 >/dev/null | FileCheck %s --check-prefix=PIPE
// RUN: attnres-opt %s --attnres-two-phase="mode=force" | FileCheck %s --check-prefix=TWO
// RUN: attnres-opt %s --convert-attnres-to-linalg | FileCheck %s --check-prefix=LINALG
// RUN: attnres-opt %s --attnres-fuse --attnres-to-llvm | FileCheck %s --check-prefix=LLVM
// RUN: not attnres-opt %s --attnres-two-phase=mode=bogus 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-two-phase{mode=off}))' | FileCheck %s --check-prefix=OFF
// RUN: attnres-opt %s --pass-pipeline='builtin.module(any(attnres-two-phase{mode=force}))' | FileCheck %s --check-prefix=TWO
// Stock mlir-opt with the plugin schedules them on the module without
// nesting too (it parses plugin passes only in --pass-pipeline).
// RUN: %host_preload mlir-opt --load-dialect-plugin=%attnres_lib_dir/AttnResPlugin%shlibext --load-pass-plugin=%attnres_lib_dir/AttnResPlugin%shlibext %s --pass-pipeline='builtin.module(attnres-two-phase{mode=force})' | FileCheck %s --check-prefix=TWO

// PIPE: builtin.module(
// PIPE-NEXT: attnres-two-phase{mode=force},
// PIPE-NEXT: canonicalize
// TWO: attnres.depth_attn_stats
// LINALG: linalg.generic
// LINALG-NOT: attnres.depth_attn
// LLVM: llvm.func @blk
// BAD: for the --mode option: Cannot find option named 'bogus'!
// OFF-NOT: attnres.depth_attn_stats

func.func @blk(%b0: tensor<4x8xf32>, %b1: tensor<4x8xf32>, %b2: tensor<4x8xf32>, %q1: tensor<8xf32>, %q2: tensor<8xf32>) -> tensor<4x8xf32> {
  %h1 = attnres.depth_attn %q1, [%b0, %b1, %b2] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %h2 = attnres.depth_attn %q2, [%b0, %b1, %b2, %h1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h2 : tensor<4x8xf32>
}
