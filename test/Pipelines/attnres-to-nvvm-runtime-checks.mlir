// attnres-to-nvvm's runtime-checks option: the same run-time checks as
// attnres-to-llvm's (upstream generate-runtime-verification after the attnres
// optimizations), on the host, before the fused kernel is launched; the
// kernels have none. Off by default. format=isa: no CUDA toolkit needed.
//
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa runtime-checks=true" | FileCheck %s --check-prefix=CHECKS
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa runtime-checks=true" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa" | FileCheck %s --check-prefix=DEFAULT
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa runtime-checks=true" --mlir-print-ir-after=generate-runtime-verification --mlir-disable-threading -o /dev/null 2>&1 | FileCheck %s --check-prefix=IR

// CHECKS-DAG: llvm.func @abort()
// CHECKS-DAG: llvm.func @puts(!llvm.ptr)
// CHECKS: llvm.func @site(
// CHECKS: gpu.launch_func
// CHECKS: llvm.call @puts
// CHECKS-NEXT: llvm.call @abort
// CHECKS-NOT: unrealized_conversion_cast

// LLVMIR: define {{.*}} @site(
// LLVMIR: call void @abort()

// DEFAULT-NOT: @abort
// DEFAULT-NOT: assert_msg

// IR-LABEL: IR Dump After GenerateRuntimeVerification
// IR: cf.assert %{{.*}}, "ERROR: Runtime op verification failed{{.*}}dimension 0 of source #1 must equal dimension 0 of source #0 (one shape for all sources)
// IR: cf.assert %{{.*}}, "ERROR: Runtime op verification failed{{.*}}dimension 0 of query must equal dimension 1 of source #0 (hidden size)
// IR-NOT: cf.assert
// IR: attnres.depth_attn
func.func @site(%q: tensor<?xf32>, %v0: tensor<?x64xf32>, %v1: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] {eps = 1.0e-06 : f32} : tensor<?xf32>, tensor<?x64xf32> -> tensor<?x64xf32>
  return %h : tensor<?x64xf32>
}
