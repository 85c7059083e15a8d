//===- Pipelines.h - attnres pass pipelines ---------------------*- C++ -*-===//
//
// Registered pipelines with options structs and public C++ builders, so host
// compilers get the same pipelines without parsing strings.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_PIPELINES_PIPELINES_H
#define ATTNRES_PIPELINES_PIPELINES_H

#include "attnres/Conversion/AttnResToGPU/AttnResToGPU.h"
#include "attnres/Conversion/AttnResToVector/AttnResToVector.h"
#include "attnres/Dialect/AttnRes/Transforms/Passes.h"
#include "attnres/Dialect/AttnRes/Transforms/Transforms.h"
#include "mlir/Pass/PassOptions.h"
#include <string>

namespace mlir {
class OpPassManager;
namespace attnres {

/// The target-independent attnres optimizations every lowering pipeline runs
/// (`attnres-fuse`, `attnres-two-phase`): their options, stated once.
///
/// A pipeline option that forwards a pass option takes its default from the
/// pass's ODS-generated options struct, so every knob has one default (the
/// pass declaration's).
template <typename Derived>
struct AttnResOptimizationOptions : public PassPipelineOptions<Derived> {
  using Opts = mlir::detail::PassOptions;
  Opts::Option<bool> fuse{
      *this, "fuse",
      llvm::cl::desc("Fuse rms_norm → depth_logits → depth_softmax → "
                     "depth_combine chains into depth_attn (attnres-fuse)"),
      llvm::cl::init(true)};
  Opts::Option<FuseKeyRounding> fuseKeyRounding{
      *this, "fuse-key-rounding",
      llvm::cl::desc("Which chains attnres-fuse fuses: f32 (all; the fused "
                     "keys stay in f32) or chain (only chains with f32 keys, "
                     "so bf16/f16 chains keep their results)"),
      llvm::cl::init(AttnResFusePassOptions{}.keyRounding),
      llvm::cl::values(clEnumValN(FuseKeyRounding::F32, "f32",
                                  "fuse every chain (keys in f32)"),
                       clEnumValN(FuseKeyRounding::Chain, "chain",
                                  "fuse only chains whose keys are f32"))};
  Opts::Option<TwoPhaseMode> twoPhase{
      *this, "two-phase",
      llvm::cl::desc("Two-phase scheduling of Block AttnRes sites "
                     "(attnres-two-phase's mode)"),
      llvm::cl::init(AttnResTwoPhasePassOptions{}.mode),
      llvm::cl::values(clEnumValN(TwoPhaseMode::Auto, "auto",
                                  "groups the traffic model favours"),
                       clEnumValN(TwoPhaseMode::Force, "force",
                                  "every group of at least two sites"),
                       clEnumValN(TwoPhaseMode::Off, "off", "none"))};
};

/// Options of `attnres-to-llvm`.
struct AttnResToLLVMPipelineOptions
    : public AttnResOptimizationOptions<AttnResToLLVMPipelineOptions> {
  PassOptions::Option<unsigned> indexBitwidth{
      *this, "index-bitwidth",
      llvm::cl::desc("Bitwidth of the index type in the LLVM dialect (0: "
                     "derive from the data layout)"),
      llvm::cl::init(0)};
  PassOptions::Option<bool> fastKernels{
      *this, "fast-kernels",
      llvm::cl::desc("Lower depth_attn/depth_attn_stats/depth_attn_merge to "
                     "the row-tiled vectorized kernels "
                     "(convert-attnres-to-vector); false: plain linalg loops"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Run the kernels' row tiles on all cores with OpenMP "
                     "(link libomp); false: sequential loops"),
      llvm::cl::init(true)};
  PassOptions::Option<unsigned> vectorWidth{
      *this, "vector-width",
      llvm::cl::desc("f32 lanes per vector in the fast kernels"),
      llvm::cl::init(ConvertAttnResToVectorPassOptions{}.vectorWidth)};
  PassOptions::Option<unsigned> rowsPerTask{
      *this, "rows-per-task",
      llvm::cl::desc("Token rows per parallel task in the fast kernels"),
      llvm::cl::init(ConvertAttnResToVectorPassOptions{}.rowsPerTask)};
  PassOptions::Option<unsigned> sourcesPerLoop{
      *this, "sources-per-loop",
      llvm::cl::desc("Most sources whose statistics share one loop over D "
                     "in the fast kernels (register budget)"),
      llvm::cl::init(ConvertAttnResToVectorPassOptions{}.sourcesPerLoop)};
  PassOptions::Option<bool> bf16Pairs{
      *this, "bf16-pairs",
      llvm::cl::desc("bf16 sources in the fast kernels: even/odd f32 halves "
                     "by integer shifts and masks instead of per-element "
                     "extension (no shuffles)"),
      llvm::cl::init(ConvertAttnResToVectorPassOptions{}.bf16Pairs)};
  PassOptions::Option<int64_t> streamingMinBytes{
      *this, "streaming-min-bytes",
      llvm::cl::desc("Fast kernels whose static output has at least this "
                     "many bytes write it with non-temporal stores when it "
                     "is aligned (attnres-streaming-stores); 0: never"),
      llvm::cl::init(ConvertAttnResToVectorPassOptions{}.streamingMinBytes)};
  PassOptions::Option<BufferArena> planBuffers{
      *this, "plan-buffers",
      llvm::cl::desc("Place statically shaped intermediates in one arena by "
                     "liveness (attnres-plan-buffers): static (a global per "
                     "function, reused across calls), per-call (one "
                     "allocation per call) or off (only free each buffer "
                     "after its last use)"),
      llvm::cl::init(AttnResPlanBuffersPassOptions{}.arena),
      llvm::cl::values(clEnumValN(BufferArena::Static, "static",
                                  "a private global arena per function"),
                       clEnumValN(BufferArena::PerCall, "per-call",
                                  "one arena allocation per call"),
                       clEnumValN(BufferArena::Off, "off", "no arena"))};
  PassOptions::Option<bool> runtimeChecks{
      *this, "runtime-checks",
      llvm::cl::desc("Check at run time the size relations that the types "
                     "leave dynamic (equal row counts of all sources, a "
                     "query as long as the hidden size, ...) with upstream "
                     "generate-runtime-verification before the attnres ops "
                     "are lowered: a violation prints the op and the "
                     "relation and aborts"),
      llvm::cl::init(false)};
};

/// The CUDA toolkit root from the environment, else /usr/local/cuda.
std::string defaultCudaPath();

/// Options of `attnres-to-nvvm` (upstream gpu-lower-to-nvvm-pipeline style).
struct AttnResToNVVMPipelineOptions
    : public AttnResOptimizationOptions<AttnResToNVVMPipelineOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("GPU chip, e.g. sm_80, sm_90"),
      llvm::cl::init(AttnResValidateNVVMTargetPassOptions{}.chip)};
  PassOptions::Option<std::string> features{
      *this, "features",
      llvm::cl::desc("PTX features, e.g. +ptx80 (sm_90 needs +ptx78 or newer)"),
      llvm::cl::init(AttnResValidateNVVMTargetPassOptions{}.features)};
  PassOptions::Option<NVVMBinaryFormat> format{
      *this, "format", llvm::cl::desc("Binary format of the kernels"),
      llvm::cl::init(AttnResValidateNVVMTargetPassOptions{}.format),
      llvm::cl::values(
          clEnumValN(NVVMBinaryFormat::Isa, "isa",
                     "PTX, compiled by the driver when the module loads: "
                     "loads on every driver that knows the chip and PTX "
                     "version"),
          clEnumValN(NVVMBinaryFormat::Bin, "bin",
                     "cubin via ptxas: needs a driver at least as new as "
                     "the toolkit"),
          clEnumValN(NVVMBinaryFormat::Fatbin, "fatbin",
                     "cubin + PTX via ptxas and fatbinary (CUDA 13 "
                     "compresses the PTX)"))};
  PassOptions::Option<std::string> cudaPath{
      *this, "cuda-path",
      llvm::cl::desc("CUDA toolkit root (ptxas, fatbinary, libdevice); "
                     "default: $CUDA_HOME, $CUDA_ROOT, $CUDA_PATH or "
                     "/usr/local/cuda"),
      llvm::cl::init(AttnResValidateNVVMTargetPassOptions{}.cudaPath)};
  PassOptions::Option<int> optLevel{
      *this, "opt-level", llvm::cl::desc("Optimization level of NVVM codegen"),
      llvm::cl::init(3)};
  PassOptions::Option<unsigned> maxThreads{
      *this, "max-threads",
      llvm::cl::desc("Upper bound on threads per CTA of the fused kernels"),
      llvm::cl::init(ConvertAttnResToGPUPassOptions{}.maxThreads)};
  PassOptions::Option<GPUMemoryMode> memory{
      *this, "memory", llvm::cl::desc("Where the program's buffers live"),
      llvm::cl::init(AttnResGPUFinalizeKernelsPassOptions{}.memory),
      llvm::cl::values(
          clEnumValN(GPUMemoryMode::Managed, "managed",
                     "host code and kernels share managed memory; constants "
                     "kernels read are copied there, buffers from outside "
                     "the program registered for the call"),
          clEnumValN(GPUMemoryMode::Device, "device",
                     "arguments are device pointers; allocations, constants "
                     "and copies on the device"),
          clEnumValN(GPUMemoryMode::None, "none",
                     "buffers are left as they are"))};
  PassOptions::Option<bool> runtimeChecks{
      *this, "runtime-checks",
      llvm::cl::desc("Check on the host, before the kernels run, the size "
                     "relations that the types leave dynamic (as "
                     "attnres-to-llvm's runtime-checks): a violation prints "
                     "the op and the relation and aborts"),
      llvm::cl::init(false)};
};

/// Lowers the same input as `attnres-to-llvm` to host LLVM IR plus a
/// `gpu.binary`: one fused kernel per depth_attn/stats/merge, other linalg
/// ops mapped to GPU loops, then upstream's NVVM lowering and serialization.
/// The first pass rejects chip/feature/format combinations that would make
/// LLVM abort.
void buildAttnResToNVVMPipeline(OpPassManager &pm,
                                const AttnResToNVVMPipelineOptions &options);

/// Lowers attnres + func/linalg/tensor/arith/math on tensors (or on memref
/// arguments with destination passing) to the LLVM dialect: attnres to
/// linalg, bufferization, buffer deallocation, loops, then LLVM. The result
/// runs under `mlir-runner` and translates with `mlir-translate`. Options
/// must pass `verifyAttnResToLLVMPipelineOptions` (the registered pipeline
/// checks them before building).
void buildAttnResToLLVMPipeline(OpPassManager &pm,
                                const AttnResToLLVMPipelineOptions &options);

/// Reports, through `emitError`, option combinations the pipeline cannot
/// lower to valid LLVM dialect IR, and fails: `index-bitwidth` other than 0
/// or 64 together with `fast-kernels` or `parallel` (upstream's
/// convert-vector-to-llvm and convert-openmp-to-llvm type memref descriptors
/// and loop bounds with 64-bit indices only, which would leave
/// `unrealized_conversion_cast`s behind). Values a single pass can judge
/// (`two-phase`, `vector-width`, ...) are checked by that pass when it runs.
LogicalResult verifyAttnResToLLVMPipelineOptions(
    const AttnResToLLVMPipelineOptions &options,
    llvm::function_ref<void(const llvm::Twine &)> emitError);

struct AttnResRaiseTosaPipelineOptions
    : public PassPipelineOptions<AttnResRaiseTosaPipelineOptions> {
  PassOptions::Option<bool> report{
      *this, "report",
      llvm::cl::desc("attnres-raise remarks: raised sites, rejected "
                     "candidates and why"),
      llvm::cl::init(false)};
};

/// TOSA (e.g. torch-mlir's `output_type="tosa"`) to linalg on tensors with
/// MLIR's own pipeline (`tosa-to-linalg-pipeline`, then `tosa-to-tensor`
/// and `tosa-to-arith` per function), then `attnres-raise`.
void buildAttnResRaiseTosaPipeline(
    OpPassManager &pm, const AttnResRaiseTosaPipelineOptions &options);

/// Options of `attnres-export-linalg`.
struct AttnResExportLinalgPipelineOptions
    : public AttnResOptimizationOptions<AttnResExportLinalgPipelineOptions> {};

/// Lowers attnres to portable linalg on tensors for a compiler that cannot
/// load attnres (IREE, which bundles its own MLIR): the attnres
/// optimizations, convert-attnres-to-linalg, canonicalize and CSE, then
/// `attnres-check-lowered` and `attnres-prepare-export` (no
/// `llvm.emit_c_interface`, no unranked declarations, public functions on
/// ranked tensors). Write the result as text, or as bytecode of a version
/// the other MLIR reads (`--emit-bytecode --emit-bytecode-version=4` for
/// IREE 3.13).
void buildAttnResExportLinalgPipeline(
    OpPassManager &pm, const AttnResExportLinalgPipelineOptions &options);

/// Registers `attnres-to-llvm`, `attnres-to-nvvm`, `attnres-raise-tosa` and
/// `attnres-export-linalg`.
void registerAttnResPipelines();

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_PIPELINES_PIPELINES_H
