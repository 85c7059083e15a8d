//===- Pipelines.cpp - attnres pass pipelines -----------------------------===//

#include "attnres/Pipelines/Pipelines.h"

#include "attnres/Conversion/Passes.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::attnres;

namespace {

/// attnres -> linalg on tensors, then cleanup.
void buildTensorPipeline(OpPassManager &pm) {
  OpPassManager &funcPm = pm.nestAny();
  funcPm.addPass(createConvertAttnResToLinalgPass());
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(createCSEPass());
}

/// Tensors -> buffers, with deallocation.
void buildBufferizationPipeline(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions bufferization;
  bufferization.bufferizeFunctionBoundaries = true;
  bufferization.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferization));
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
}

/// Buffers -> loops -> LLVM dialect.
void buildLLVMPipeline(OpPassManager &pm,
                       const AttnResToLLVMPipelineOptions &options) {
  OpPassManager &funcPm = pm.nestAny();
  funcPm.addPass(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertVectorToLLVMPass());
  FinalizeMemRefToLLVMConversionPassOptions memref;
  memref.indexBitwidth = options.indexBitwidth;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memref));
  ConvertFuncToLLVMPassOptions func;
  func.indexBitwidth = options.indexBitwidth;
  pm.addPass(createConvertFuncToLLVMPass(func));
  ArithToLLVMConversionPassOptions arith;
  arith.indexBitwidth = options.indexBitwidth;
  pm.addPass(createArithToLLVMConversionPass(arith));
  ConvertControlFlowToLLVMPassOptions cf;
  cf.indexBitwidth = options.indexBitwidth;
  pm.addPass(createConvertControlFlowToLLVMPass(cf));
  ConvertIndexToLLVMPassOptions index;
  index.indexBitwidth = options.indexBitwidth;
  pm.addPass(createConvertIndexToLLVMPass(index));
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

} // namespace

void mlir::attnres::buildAttnResToLLVMPipeline(
    OpPassManager &pm, const AttnResToLLVMPipelineOptions &options) {
  buildTensorPipeline(pm);
  buildBufferizationPipeline(pm);
  buildLLVMPipeline(pm, options);
}

void mlir::attnres::registerAttnResPipelines() {
  PassPipelineRegistration<AttnResToLLVMPipelineOptions>(
      "attnres-to-llvm",
      "Lower attnres and linalg/tensor/arith/math on tensors to the LLVM "
      "dialect for CPUs (runnable by mlir-runner)",
      buildAttnResToLLVMPipeline);
}
