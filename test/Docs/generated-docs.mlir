// The generated docs (`mlir-doc`, a dependency of check-attnres) describe
// every op and every registered pass.
// RUN: FileCheck %s --check-prefix=OPS < %attnres_obj_root/docs/Dialects/AttnResDialect.md
// RUN: FileCheck %s --check-prefix=PASSES < %attnres_obj_root/docs/AttnResConversionPasses.md
// RUN: attnres-opt --help | FileCheck %s --check-prefix=HELP

// OPS-DAG: ### `attnres.depth_attn`
// OPS-DAG: ### `attnres.rms_norm`
// OPS-DAG: ### `attnres.depth_logits`
// OPS-DAG: ### `attnres.depth_softmax`
// OPS-DAG: ### `attnres.depth_combine`
// OPS-DAG: ### `attnres.block_summary`
// OPS-DAG: ### `attnres.depth_attn_stats`
// OPS-DAG: ### `attnres.depth_attn_merge`

// PASSES: `-convert-attnres-to-linalg`

// HELP-DAG: --attnres-to-llvm
// HELP-DAG: --convert-attnres-to-linalg
// HELP-DAG: --attnres-stage-traffic
// HELP-DAG: --attnres-pipeline-partition
// HELP-DAG: --convert-mpi-to-llvm
