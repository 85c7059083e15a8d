// The generated docs (`mlir-doc`, a dependency of check-attnres) describe
// every op and every registered pass; --help lists the passes and pipelines.
// RUN: FileCheck %s --check-prefix=CHECK-OPS < %attnres_obj_root/docs/Dialects/AttnResDialect.md
// RUN: FileCheck %s --check-prefix=CHECK-CONV < %attnres_obj_root/docs/AttnResConversionPasses.md
// RUN: FileCheck %s --check-prefix=CHECK-TRANSFORMS < %attnres_obj_root/docs/AttnResTransformsPasses.md
// RUN: FileCheck %s --check-prefix=CHECK-CODEGEN < %attnres_obj_root/docs/AttnResCodegenPasses.md
// RUN: FileCheck %s --check-prefix=CHECK-COMPAT < %attnres_obj_root/docs/AttnResCompatPasses.md
// RUN: attnres-opt --help | FileCheck %s --check-prefix=CHECK-HELP

// CHECK-OPS-DAG: ### `attnres.depth_attn`
// CHECK-OPS-DAG: ### `attnres.rms_norm`
// CHECK-OPS-DAG: ### `attnres.depth_logits`
// CHECK-OPS-DAG: ### `attnres.depth_softmax`
// CHECK-OPS-DAG: ### `attnres.depth_combine`
// CHECK-OPS-DAG: ### `attnres.block_summary`
// CHECK-OPS-DAG: ### `attnres.depth_attn_stats`
// CHECK-OPS-DAG: ### `attnres.depth_attn_merge`
// CHECK-OPS-DAG: ### `attnres.depth_attn_grad`
// CHECK-OPS-DAG: ### `attnres.rms_norm_grad`
// CHECK-OPS-DAG: ### `attnres.depth_attn_stats_grad`
// CHECK-OPS-DAG: ### `attnres.depth_attn_merge_grad`
// CHECK-OPS-DAG: ### `attnres.depth_attn_norm`
// CHECK-OPS-DAG: ### `attnres.depth_attn_merge_norm`

// CHECK-CONV-DAG: `-convert-attnres-to-linalg`
// CHECK-CONV-DAG: `-convert-attnres-to-vector`
// CHECK-CONV-DAG: `-convert-attnres-to-gpu`
// CHECK-CONV-DAG: `-attnres-gpu-finalize-kernels`
// CHECK-CONV-DAG: `-attnres-validate-nvvm-target`

// CHECK-COMPAT: `-attnres-convert-mpi-to-llvm`

// CHECK-CODEGEN-DAG: `-attnres-streaming-stores`
// CHECK-CODEGEN-DAG: `-attnres-legalize-nontemporal-stores`
// CHECK-CODEGEN-DAG: `-attnres-serial-outer-reductions`

// CHECK-TRANSFORMS-DAG: `-attnres-raise`
// CHECK-TRANSFORMS-DAG: `-attnres-fuse`
// CHECK-TRANSFORMS-DAG: `-attnres-fuse-norm-epilogues`
// CHECK-TRANSFORMS-DAG: `-attnres-two-phase`
// CHECK-TRANSFORMS-DAG: `-attnres-plan-buffers`
// CHECK-TRANSFORMS-DAG: `-attnres-prepare-export`
// CHECK-TRANSFORMS-DAG: `-attnres-build-backward`

// CHECK-HELP-DAG: --attnres-to-llvm
// CHECK-HELP-DAG: --attnres-to-nvvm
// CHECK-HELP-DAG: --attnres-export-linalg
// CHECK-HELP-DAG: --attnres-prepare-export
// CHECK-HELP-DAG: --convert-attnres-to-linalg
// CHECK-HELP-DAG: --convert-attnres-to-vector
// CHECK-HELP-DAG: --attnres-streaming-stores
// CHECK-HELP-DAG: --convert-attnres-to-gpu
// CHECK-HELP-DAG: --attnres-raise
// CHECK-HELP-DAG: --attnres-raise-tosa
// CHECK-HELP-DAG: --attnres-fuse
// CHECK-HELP-DAG: --attnres-fuse-norm-epilogues
// CHECK-HELP-DAG: --attnres-two-phase
// CHECK-HELP-DAG: --attnres-build-backward
// CHECK-HELP-DAG: --attnres-plan-buffers
// CHECK-HELP-DAG: --attnres-stage-traffic
// CHECK-HELP-DAG: --attnres-pipeline-partition
// CHECK-HELP-DAG: --attnres-convert-mpi-to-llvm
