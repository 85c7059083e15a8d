// attnres-to-llvm's runtime-checks option runs upstream
// generate-runtime-verification after the attnres optimizations, before the
// attnres ops are lowered: every relation that the types leave dynamic (here
// the row counts of the two sources of the fused site, which fusion formed
// from the unfused chain, and the query length) becomes a cf.assert, which
// lowers to puts + abort. Off by default: no checks. Execution:
// test/Integration/CPU/attnres-to-llvm-runtime-checks.mlir.
//
// RUN: attnres-opt %s --attnres-to-llvm="runtime-checks=true" | FileCheck %s --check-prefix=CHECKS
// RUN: attnres-opt %s --attnres-to-llvm="runtime-checks=true fast-kernels=false parallel=false" | FileCheck %s --check-prefix=CHECKS
// RUN: attnres-opt %s --attnres-to-llvm | FileCheck %s --check-prefix=DEFAULT
// RUN: attnres-opt %s --attnres-to-llvm="runtime-checks=false" | FileCheck %s --check-prefix=DEFAULT
//
// The checks themselves, before lowering (after fusion):
// RUN: attnres-opt %s --attnres-to-llvm="runtime-checks=true" --mlir-print-ir-after=generate-runtime-verification --mlir-disable-threading -o /dev/null 2>&1 | FileCheck %s --check-prefix=IR

// CHECKS-DAG: llvm.func @abort()
// CHECKS-DAG: llvm.func @puts(!llvm.ptr)
// CHECKS-DAG: llvm.mlir.global private constant @assert_msg
// CHECKS-DAG: llvm.mlir.global private constant @assert_msg_0
// CHECKS: llvm.func @site(
// CHECKS: llvm.call @puts
// CHECKS-NEXT: llvm.call @abort
// CHECKS-NOT: unrealized_conversion_cast

// DEFAULT-NOT: @abort
// DEFAULT-NOT: @puts
// DEFAULT-NOT: assert_msg

// IR-LABEL: IR Dump After GenerateRuntimeVerification
// IR: func.func @site(
// IR: cf.assert %{{.*}}, "ERROR: Runtime op verification failed{{.*}}dimension 0 of source #1 must equal dimension 0 of source #0 (one shape for all sources)
// IR: cf.assert %{{.*}}, "ERROR: Runtime op verification failed{{.*}}dimension 0 of query must equal dimension 1 of source #0 (hidden size)
// IR-NOT: cf.assert
// IR: attnres.depth_attn
// IR-NOT: attnres.rms_norm
func.func @site(%gamma: tensor<16xf32>, %w: tensor<?xf32>, %v0: tensor<?x16xf32>, %v1: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %k0 = attnres.rms_norm %v0, %gamma {eps = 1.0e-06 : f32} : tensor<?x16xf32>, tensor<16xf32>
  %k1 = attnres.rms_norm %v1, %gamma {eps = 1.0e-06 : f32} : tensor<?x16xf32>, tensor<16xf32>
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<?xf32>, tensor<?x16xf32> -> tensor<2x?xf32>
  %a = attnres.depth_softmax %s : tensor<2x?xf32>
  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<2x?xf32>, tensor<?x16xf32> -> tensor<?x16xf32>
  return %h : tensor<?x16xf32>
}
