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

// The stage-traffic analysis on the raised Block model. Its 6 sites (sublayers
// 1-5 and the output site; blocks b1 = f0+f1, b2 = f2+f3, b3 = f4+f5) are
// split into pipeline chunks (Inputs/annotate_chunks.py). Two chunks, the
// second starting at sublayer 4's site: the hop carries b0 = emb, b1, b2 and
// no partial (sublayer 4 opens block 3). Three chunks, starting at sublayers 3
// and 5: hop 0 carries b0, b1 and the partial f2; hop 1 b0, b1, b2 and f4.
// 16 f32 per row: 64 bytes per block and token.
// RUN: attnres-opt %S/Inputs/model-block.linalg.mlir --attnres-raise --canonicalize | %python %S/Inputs/annotate_chunks.py 2 | attnres-opt --attnres-stage-traffic=stages=2 | FileCheck %s --check-prefix=TRAFFIC2
// TRAFFIC2: attnres.stage_traffic = {cached_blocks = array<i64: 3>, {{.*}}naive_blocks = array<i64: 3>, naive_bytes_per_rank = array<i64: 1536, 0>, naive_bytes_per_token = 192 : i64, others = array<i64: 0>, partials = array<i64: 0>
// RUN: attnres-opt %S/Inputs/model-block.linalg.mlir --attnres-raise --canonicalize | %python %S/Inputs/annotate_chunks.py 3 | attnres-opt --attnres-stage-traffic=stages=3 | FileCheck %s --check-prefix=TRAFFIC3
// TRAFFIC3: attnres.stage_traffic = {cached_blocks = array<i64: 2, 3>, {{.*}}naive_blocks = array<i64: 2, 3>, {{.*}}partials = array<i64: 1, 1>
