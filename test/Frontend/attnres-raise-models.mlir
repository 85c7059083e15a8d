// Whole models from PyTorch: every AttnRes site is raised, and the raised
// model is ordinary attnres IR that the other passes understand.

// Full AttnRes, 4 sublayers (attention/MLP): sites with 2, 3, 4 sources and
// the output site with 5 (the first sublayer's one-source site is an identity).
// RUN: attnres-opt %S/Inputs/model-full.linalg.mlir --attnres-raise=report=true 2>&1 | FileCheck %s --check-prefix=FULL
// FULL-COUNT-4: remark: raised an AttnRes site
// FULL: remark: attnres-raise: 4 sites raised in @forward (4 depth_attn ops)
// FULL: attnres.depth_attn %{{.*}}, [%arg0, %{{.*}}] {eps
// FULL: attnres.depth_attn %{{.*}}, [%arg0, %{{.*}}, %{{.*}}] {eps
// FULL: attnres.depth_attn %{{.*}}, [%arg0, %{{.*}}, %{{.*}}, %{{.*}}] {eps
// FULL: attnres.depth_attn %{{.*}}, [%arg0, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] {eps
// FULL-NOT: attnres.depth_attn

// Block AttnRes (paper Fig. 2 control flow), 6 sublayers in blocks of 2:
// 6 sites; sites of a block share the completed blocks as SSA values, so
// attnres-two-phase batches them.
// RUN: attnres-opt %S/Inputs/model-block.linalg.mlir --attnres-raise | FileCheck %s --check-prefix=BLOCK
// BLOCK-COUNT-6: attnres.depth_attn
// BLOCK-NOT: attnres.depth_attn
// RUN: attnres-opt %S/Inputs/model-block.linalg.mlir --attnres-raise --attnres-two-phase=mode=force | FileCheck %s --check-prefix=TWOPHASE
// TWOPHASE: attnres.depth_attn_stats
// TWOPHASE: attnres.depth_attn_merge
// TWOPHASE: attnres.depth_attn_stats
// TWOPHASE: attnres.depth_attn_merge

// bf16 Block AttnRes, 4 sublayers in blocks of 2: 4 sites.
// RUN: attnres-opt %S/Inputs/model-block-bf16.linalg.mlir --attnres-raise | FileCheck %s --check-prefix=BF16
// BF16-COUNT-4: attnres.depth_attn {{.*}} tensor<2x4x16xbf16>
// BF16-NOT: attnres.depth_attn

// The one command from frontend IR to fused CPU kernels:
// RUN: attnres-opt %S/Inputs/model-block.linalg.mlir --attnres-raise --attnres-to-llvm | FileCheck %s --check-prefix=LLVM
// LLVM: llvm.func @forward
// LLVM-NOT: attnres.
