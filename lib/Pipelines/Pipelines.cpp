//===- Pipelines.cpp - attnres pass pipelines -----------------------------===//

#include "attnres/Pipelines/Pipelines.h"

#include "attnres/Compat/Passes.h"
#include "attnres/Conversion/Passes.h"
#include "attnres/Dialect/AttnRes/Transforms/Passes.h"
#include "attnres/Transforms/Passes.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/TosaToArith/TosaToArith.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Conversion/TosaToTensor/TosaToTensor.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::attnres;

namespace {

/// The target-independent attnres optimizations, per function.
void addAttnResOptimizations(OpPassManager &funcPm, bool fuse,
                             FuseKeyRounding keyRounding,
                             TwoPhaseMode twoPhaseMode) {
  // Elementwise arith/math on tensors (e.g. a sublayer's tanh) as linalg.
  funcPm.addPass(createConvertElementwiseToLinalgPass());
  funcPm.addPass(createCanonicalizerPass());
  if (fuse) {
    AttnResFusePassOptions fusion;
    fusion.keyRounding = keyRounding;
    funcPm.addPass(createAttnResFusePass(fusion));
  }
  AttnResTwoPhasePassOptions twoPhase;
  twoPhase.mode = twoPhaseMode;
  funcPm.addPass(createAttnResTwoPhasePass(twoPhase));
}

/// The options of the CPU kernels (convert-attnres-to-vector).
ConvertAttnResToVectorPassOptions
vectorOptions(const AttnResToLLVMPipelineOptions &options) {
  ConvertAttnResToVectorPassOptions vector;
  vector.vectorWidth = options.vectorWidth;
  vector.rowsPerTask = options.rowsPerTask;
  vector.streamingMinBytes = options.streamingMinBytes;
  vector.sourcesPerLoop = options.sourcesPerLoop;
  vector.bf16Pairs = options.bf16Pairs;
  return vector;
}

/// The attnres optimizations on tensors; every attnres op without a memref
/// form (none today) or, without fast kernels, every attnres op becomes
/// linalg on tensors (the fast kernels run on the memref form, after
/// bufferization).
void buildTensorPipeline(OpPassManager &pm,
                         const AttnResToLLVMPipelineOptions &options) {
  OpPassManager &funcPm = pm.nestAny();
  addAttnResOptimizations(funcPm, options.fuse, options.fuseKeyRounding,
                          options.twoPhase);
  // Run-time checks of the dynamic sizes of the ops about to be lowered
  // (RuntimeVerifiableOpInterface: attnres, tensor and linalg ops).
  if (options.runtimeChecks)
    funcPm.addPass(createGenerateRuntimeVerificationPass());
  ConvertAttnResToLinalgPassOptions linalg;
  if (options.fastKernels) {
    // The next sublayer's PreNorm of a site's or merge's result runs in its
    // kernel (after two-phase scheduling, which groups the plain sites).
    funcPm.addPass(createAttnResFuseNormEpiloguesPass());
    // The ops with a memref form survive bufferization: the kernels
    // (forward and gradient) and the linalg decompositions write into their
    // buffers.
    linalg.keepBufferizable = true;
  }
  funcPm.addPass(createConvertAttnResToLinalgPass(linalg));
  // Kept ops write their results into destinations, so that results which
  // end in a caller's buffer are computed there (eliminate-empty-tensors).
  if (linalg.keepBufferizable)
    funcPm.addPass(createAttnResAddDestinationsPass());
  // No CSE before bufferization: merging identical zero-filled accumulators
  // would make bufferization copy them apart again.
  funcPm.addPass(createCanonicalizerPass());
  AttnResCheckLoweredPassOptions reached;
  reached.keepBufferizable = linalg.keepBufferizable;
  pm.addPass(createAttnResCheckLoweredPass(reached));
}

/// Tensors -> buffers: one-shot bufferization of the whole module (kept
/// attnres ops get their memref form).
void buildOneShotBufferizationPipeline(OpPassManager &pm) {
  // Let results that end in a destination (materialize_in_destination) be
  // computed in place instead of in a temporary.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferization;
  bufferization.bufferizeFunctionBoundaries = true;
  bufferization.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferization));
}

/// Deallocation of the buffers (upstream's ownership-based pipeline).
void buildDeallocationPipeline(OpPassManager &pm) {
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  // Clones the deallocation inserts (e.g. a function returning its argument).
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createCSEPass());
}

/// Tensors -> buffers, with deallocation.
void buildBufferizationPipeline(OpPassManager &pm) {
  buildOneShotBufferizationPipeline(pm);
  buildDeallocationPipeline(pm);
}

/// Buffers -> loops -> LLVM dialect.
void buildLLVMPipeline(OpPassManager &pm,
                       const AttnResToLLVMPipelineOptions &options) {
  OpPassManager &funcPm = pm.nestAny();
  // Non-temporal stores for the large outputs the fast kernels tagged.
  if (options.fastKernels && options.streamingMinBytes > 0)
    funcPm.addPass(createAttnResStreamingStoresPass());
  // Elementwise and reduction ops outside the kernels (sublayers, block sums)
  // get parallel loops over their parallel dims when running on all cores.
  if (options.parallel) {
    funcPm.addPass(createAttnResSerialOuterReductionsPass());
    funcPm.addPass(createConvertLinalgToParallelLoopsPass());
  } else
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
  if (options.fastKernels && options.streamingMinBytes > 0)
    pm.addPass(createAttnResLegalizeNontemporalStoresPass());
  FinalizeMemRefToLLVMConversionPassOptions memref;
  memref.indexBitwidth = options.indexBitwidth;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memref));
  // No-op without mpi ops (attnres-pipeline-partition output has them).
  AttnResConvertMPIToLLVMPassOptions mpi;
  mpi.indexBitwidth = options.indexBitwidth;
  pm.addPass(createAttnResConvertMPIToLLVMPass(mpi));
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

/// Upstream's gpu-lower-to-nvvm-pipeline, with the CUDA toolkit path passed
/// to serialization (it links libdevice for the kernels' exp/log/rsqrt from
/// there; upstream finds it only through CUDA_HOME & co.).
void buildNVVMPipeline(OpPassManager &pm,
                       const AttnResToNVVMPipelineOptions &options) {
  // Outline kernels and lower the host-side common parts.
  pm.addPass(createConvertNVGPUToNVVMPass());
  // Constants the canonicalizer hoisted out of the launches go back in
  // before outlining (MLIR 22's outlining no longer sinks them): otherwise
  // every chunk offset, vector width and zero vector is a kernel parameter,
  // addresses are computed with run-time multiplies instead of immediate
  // offsets, and the kernels need more registers.
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertNVVMToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Device code to NVVM.
  OpPassManager &device = pm.nest<gpu::GPUModuleOp>();
  device.addPass(createConvertGpuOpsToNVVMOps());
  device.addPass(createCanonicalizerPass());
  device.addPass(createCSEPass());
  device.addPass(createReconcileUnrealizedCastsPass());
  // Host code to LLVM and the binary (memref.reshape etc. first: gpu-to-llvm
  // lowers only the memref ops it needs for launches).
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createGpuToLLVMConversionPass());
  GpuModuleToBinaryPassOptions binary;
  binary.toolkitPath = options.cudaPath;
  binary.compilationTarget = stringifyNVVMBinaryFormat(options.format).str();
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

} // namespace

void mlir::attnres::buildAttnResToLLVMPipeline(
    OpPassManager &pm, const AttnResToLLVMPipelineOptions &options) {
  buildTensorPipeline(pm, options);
  buildOneShotBufferizationPipeline(pm);
  if (options.fastKernels) {
    // The kernels on their buffers (forward: rows views tiled by
    // scf::tileUsingSCF; gradients: their task forall on rows views), what
    // they do not take as linalg on buffers, both before deallocation
    // (which frees the kernels' and decompositions' temporaries: the fused
    // ops' scratch h, the gradients' task-partial accumulators).
    OpPassManager &afterBuffers = pm.nestAny();
    afterBuffers.addPass(
        createConvertAttnResToVectorPass(vectorOptions(options)));
    afterBuffers.addPass(createConvertAttnResToLinalgPass());
    pm.addPass(createAttnResCheckLoweredPass());
  }
  buildDeallocationPipeline(pm);
  // Intermediates share one arena by liveness (deallocation frees them all at
  // the end of the function otherwise).
  AttnResPlanBuffersPassOptions plan;
  plan.arena = options.planBuffers;
  pm.addPass(createAttnResPlanBuffersPass(plan));
  buildLLVMPipeline(pm, options);
}

LogicalResult mlir::attnres::verifyAttnResToLLVMPipelineOptions(
    const AttnResToLLVMPipelineOptions &options,
    llvm::function_ref<void(const llvm::Twine &)> emitError) {
  unsigned bits = options.indexBitwidth;
  if (bits == 0 || bits == 64)
    return success();
  if (options.fastKernels || options.parallel) {
    emitError("attnres-to-llvm: index-bitwidth=" + llvm::Twine(bits) +
              " needs fast-kernels=false parallel=false (upstream's "
              "convert-vector-to-llvm and convert-openmp-to-llvm use 64-bit "
              "indices only)");
    return failure();
  }
  return success();
}

void mlir::attnres::buildAttnResToNVVMPipeline(
    OpPassManager &pm, const AttnResToNVVMPipelineOptions &options) {
  AttnResValidateNVVMTargetPassOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.format = options.format;
  target.cudaPath = options.cudaPath;
  pm.addPass(createAttnResValidateNVVMTargetPass(target));

  OpPassManager &funcPm = pm.nestAny();
  addAttnResOptimizations(funcPm, options.fuse, options.fuseKeyRounding,
                          options.twoPhase);
  // The merge kernel computes the next PreNorm of its result
  // (depth_attn_merge_norm); plain sites keep their own kernel.
  AttnResFuseNormEpiloguesPassOptions epilogues;
  epilogues.producers = NormEpilogueProducers::Merges;
  funcPm.addPass(createAttnResFuseNormEpiloguesPass(epilogues));
  if (options.runtimeChecks)
    funcPm.addPass(createGenerateRuntimeVerificationPass());
  // Ops without a memref form become linalg on tensors; the ops with one
  // survive bufferization.
  ConvertAttnResToLinalgPassOptions beforeBuffers;
  beforeBuffers.keepBufferizable = true;
  funcPm.addPass(createConvertAttnResToLinalgPass(beforeBuffers));
  funcPm.addPass(createAttnResAddDestinationsPass());
  funcPm.addPass(createCanonicalizerPass());
  AttnResCheckLoweredPassOptions reached;
  reached.keepBufferizable = true;
  pm.addPass(createAttnResCheckLoweredPass(reached));

  // Bufferization keeps the attnres ops (memref form: their outs are the
  // kernels' outputs), deallocation runs on them, and only then they become
  // kernels: `gpu.barrier` has no memory effects, which upstream's
  // ownership-based deallocation rejects.
  buildBufferizationPipeline(pm);
  OpPassManager &afterBuffers = pm.nestAny();
  ConvertAttnResToGPUPassOptions kernels;
  kernels.maxThreads = options.maxThreads;
  afterBuffers.addPass(createConvertAttnResToGPUPass(kernels));
  // What the kernels do not take (e.g. a buffer layout without aligned
  // rows) becomes linalg on buffers, its temporaries freed after it.
  ConvertAttnResToLinalgPassOptions fallback;
  fallback.freeTemporaries = true;
  afterBuffers.addPass(createConvertAttnResToLinalgPass(fallback));
  pm.addPass(createAttnResCheckLoweredPass());

  // Everything else (sublayers, block sums) as GPU loops.
  OpPassManager &loops = pm.nestAny();
  loops.addPass(createConvertLinalgToParallelLoopsPass());
  loops.addPass(createGpuMapParallelLoopsPass());
  loops.addPass(createConvertParallelLoopToGpuPass());
  AttnResGPUFinalizeKernelsPassOptions finalize;
  finalize.memory = options.memory;
  pm.nestAny().addPass(createAttnResGPUFinalizeKernelsPass(finalize));
  pm.addPass(createCanonicalizerPass());

  buildNVVMPipeline(pm, options);
}

void mlir::attnres::buildAttnResExportLinalgPipeline(
    OpPassManager &pm, const AttnResExportLinalgPipelineOptions &options) {
  OpPassManager &funcPm = pm.nestAny();
  addAttnResOptimizations(funcPm, options.fuse, options.fuseKeyRounding,
                          options.twoPhase);
  funcPm.addPass(createConvertAttnResToLinalgPass());
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(createCSEPass());
  pm.addPass(createAttnResCheckLoweredPass());
  pm.addPass(createAttnResPrepareExportPass());
}

std::string mlir::attnres::defaultCudaPath() {
  return defaultCudaPathFromEnvironment();
}

void mlir::attnres::buildAttnResRaiseTosaPipeline(
    OpPassManager &pm, const AttnResRaiseTosaPipelineOptions &options) {
  TosaToLinalgOptions tosaToLinalg;
  TosaToLinalgNamedOptions tosaToLinalgNamed;
  tosa::addTosaToLinalgPasses(pm, tosaToLinalg, tosaToLinalgNamed);
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(createTosaToTensorPass());
  funcPm.addPass(createTosaToArithPass());
  AttnResRaisePassOptions raise;
  raise.report = options.report;
  funcPm.addPass(createAttnResRaisePass(raise));
}

namespace {
/// PassPipelineRegistration with an option check that can reject the
/// options (the plain registration can only fail on parse errors), and whose
/// option parse errors go to the caller's error handler (with the plain one
/// they are printed to stderr and the handler only hears "failed to add").
template <typename Options>
void registerCheckedPipeline(
    StringRef arg, StringRef description,
    void (*build)(OpPassManager &, const Options &),
    LogicalResult (*verify)(const Options &,
                            llvm::function_ref<void(const llvm::Twine &)>)) {
  registerPassPipeline(
      arg, description,
      [arg, build, verify](OpPassManager &pm, StringRef text,
                           function_ref<LogicalResult(const Twine &)> onError) {
        Options options;
        std::string parseErrors;
        llvm::raw_string_ostream parseStream(parseErrors);
        if (failed(options.parseFromString(text, parseStream))) {
          parseStream.flush();
          // llvm::cl prints bad values of enum options to stderr itself.
          if (!llvm::StringRef(parseErrors).trim().empty())
            (void)onError(llvm::Twine(arg) + ": " +
                          llvm::StringRef(parseErrors).trim());
          return failure();
        }
        bool reported = false;
        if (failed(verify(options, [&](const llvm::Twine &message) {
              reported = true;
              (void)onError(message);
            }))) {
          if (!reported)
            (void)onError(llvm::Twine("invalid options"));
          return failure();
        }
        build(pm, options);
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> handler) {
        handler(Options());
      });
}
} // namespace

void mlir::attnres::registerAttnResPipelines() {
  registerCheckedPipeline<AttnResRaiseTosaPipelineOptions>(
      "attnres-raise-tosa",
      "TOSA to linalg on tensors (MLIR's tosa-to-linalg-pipeline, "
      "tosa-to-tensor, tosa-to-arith), then attnres-raise",
      buildAttnResRaiseTosaPipeline,
      [](const AttnResRaiseTosaPipelineOptions &,
         llvm::function_ref<void(const llvm::Twine &)>) { return success(); });
  registerCheckedPipeline<AttnResToLLVMPipelineOptions>(
      "attnres-to-llvm",
      "Lower attnres and linalg/tensor/arith/math on tensors to the LLVM "
      "dialect for CPUs (runnable by mlir-runner)",
      buildAttnResToLLVMPipeline, verifyAttnResToLLVMPipelineOptions);
  registerCheckedPipeline<AttnResExportLinalgPipelineOptions>(
      "attnres-export-linalg",
      "Lower attnres to portable linalg on tensors for compilers that cannot "
      "load attnres (IREE): no llvm.emit_c_interface, no unranked "
      "declarations, public functions on ranked tensors",
      buildAttnResExportLinalgPipeline,
      [](const AttnResExportLinalgPipelineOptions &,
         llvm::function_ref<void(const llvm::Twine &)>) { return success(); });
  registerCheckedPipeline<AttnResToNVVMPipelineOptions>(
      "attnres-to-nvvm",
      "Lower attnres and linalg/tensor on tensors to NVIDIA GPUs: fused "
      "kernels, NVVM, host LLVM IR and a gpu.binary (PTX, cubin or fatbin)",
      buildAttnResToNVVMPipeline,
      [](const AttnResToNVVMPipelineOptions &,
         llvm::function_ref<void(const llvm::Twine &)>) { return success(); });
}
