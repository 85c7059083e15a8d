// The generated docs (`mlir-doc`, a dependency of check-attnres) describe
// every op and every registered pass; --help lists the passes and pipelines.
// RUN: FileCheck %s --check-prefix=OPS < %attnres_obj_root/docs/Dialects/AttnResDialect.md
// RUN: FileCheck %s --check-prefix=CONV < %attnres_obj_root/docs/AttnResConversionPasses.md
// RUN: FileCheck %s --check-prefix=TRANSFORMS < %attnres_obj_root/docs/AttnResTransformsPasses.md
// RUN: attnres-opt --help | FileCheck %s --check-prefix=HELP

// OPS-DAG: ### `attnres.depth_attn`
// OPS-DAG: ### `attnres.rms_norm`
// OPS-DAG: ### `attnres.depth_logits`
// OPS-DAG: ### `attnres.depth_softmax`
// OPS-DAG: ### `attnres.depth_combine`
// OPS-DAG: ### `attnres.block_summary`
// OPS-DAG: ### `attnres.depth_attn_stats`
// OPS-DAG: ### `attnres.depth_attn_merge`

// CONV-DAG: `-convert-attnres-to-linalg`
// CONV-DAG: `-convert-attnres-to-vector`
// CONV-DAG: `-convert-attnres-to-gpu`
// CONV-DAG: `-attnres-gpu-finalize-kernels`
// CONV-DAG: `-attnres-validate-nvvm-target`

// TRANSFORMS-DAG: `-attnres-fuse`
// TRANSFORMS-DAG: `-attnres-two-phase`

// HELP-DAG: --attnres-to-llvm
// HELP-DAG: --attnres-to-nvvm
// HELP-DAG: --convert-attnres-to-linalg
// HELP-DAG: --convert-attnres-to-vector
// HELP-DAG: --convert-attnres-to-gpu
// HELP-DAG: --attnres-fuse
// HELP-DAG: --attnres-two-phase
// HELP-DAG: --attnres-stage-traffic
// HELP-DAG: --attnres-pipeline-partition
// HELP-DAG: --convert-mpi-to-llvm
