//===- Pipelines.cpp - attnres pass pipelines -----------------------------===//

#include "attnres/Pipelines/Pipelines.h"

#include "attnres/Conversion/Passes.h"
#include "attnres/Dialect/AttnRes/Transforms/Passes.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::attnres;

namespace {

/// attnres -> linalg on tensors, then cleanup.
void buildTensorPipeline(OpPassManager &pm,
                         const AttnResToLLVMPipelineOptions &options) {
  OpPassManager &funcPm = pm.nestAny();
  funcPm.addPass(createCanonicalizerPass());
  if (options.fuse)
    funcPm.addPass(createAttnResFusePass());
  AttnResTwoPhasePassOptions twoPhase;
  twoPhase.mode = options.twoPhase;
  funcPm.addPass(createAttnResTwoPhasePass(twoPhase));
  if (options.fastKernels) {
    ConvertAttnResToVectorPassOptions vector;
    vector.vectorWidth = options.vectorWidth;
    vector.rowsPerTask = options.rowsPerTask;
    funcPm.addPass(createConvertAttnResToVectorPass(vector));
  }
  funcPm.addPass(createConvertAttnResToLinalgPass());
  // No CSE before bufferization: merging identical zero-filled accumulators
  // would make bufferization copy them apart again.
  funcPm.addPass(createCanonicalizerPass());
}

/// Tensors -> buffers, with deallocation.
void buildBufferizationPipeline(OpPassManager &pm) {
  // Let results that end in a destination (materialize_in_destination) be
  // computed in place instead of in a temporary.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferization;
  bufferization.bufferizeFunctionBoundaries = true;
  bufferization.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferization));
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  // Clones the deallocation inserts (e.g. a function returning its argument).
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createCSEPass());
}

/// Buffers -> loops -> LLVM dialect.
void buildLLVMPipeline(OpPassManager &pm,
                       const AttnResToLLVMPipelineOptions &options) {
  OpPassManager &funcPm = pm.nestAny();
  // Elementwise and reduction ops outside the kernels (sublayers, block sums)
  // get parallel loops over their parallel dims when running on all cores.
  if (options.parallel)
    funcPm.addPass(createConvertLinalgToParallelLoopsPass());
  else
    funcPm.addPass(createConvertLinalgToLoopsPass());
  funcPm.addPass(createLoopInvariantCodeMotionPass());
  pm.addPass(createForallToParallelLoopPass());
  if (options.parallel)
    pm.addPass(createConvertSCFToOpenMPPass());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.reassociateFPReductions = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  FinalizeMemRefToLLVMConversionPassOptions memref;
  memref.indexBitwidth = options.indexBitwidth;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memref));
  // No-op without mpi ops (attnres-pipeline-partition output has them).
  ConvertMPIToLLVMPassOptions mpi;
  mpi.indexBitwidth = options.indexBitwidth;
  pm.addPass(createConvertMPIToLLVMPass(mpi));
  // After the memref lowering: `memref.alloca_scope` (from the OpenMP
  // conversion) must keep a single-block region until it is lowered.
  pm.addPass(createSCFToControlFlowPass());
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
  if (options.parallel)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

} // namespace

void mlir::attnres::buildAttnResToLLVMPipeline(
    OpPassManager &pm, const AttnResToLLVMPipelineOptions &options) {
  buildTensorPipeline(pm, options);
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
