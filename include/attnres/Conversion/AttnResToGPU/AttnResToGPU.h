//===- AttnResToGPU.h - fused GPU kernels for attnres -----------*- C++ -*-===//

#ifndef ATTNRES_CONVERSION_ATTNRESTOGPU_ATTNRESTOGPU_H
#define ATTNRES_CONVERSION_ATTNRESTOGPU_ATTNRESTOGPU_H

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;

namespace attnres {

/// Where the buffers of a program compiled for the GPU live
/// (`attnres-gpu-finalize-kernels{memory=...}`).
enum class GPUMemoryMode {
  /// Host allocations are managed memory; constants kernels read are copied
  /// there; buffers from outside the program are registered for the call.
  Managed,
  /// Arguments are device pointers; allocations, constants and copies stay
  /// on the device.
  Device,
  /// Buffers are left as they are.
  None,
};

/// The binary `gpu-module-to-binary` embeds (`format=...`).
enum class NVVMBinaryFormat {
  /// PTX, compiled by the driver when the module loads.
  Isa,
  /// A cubin from the toolkit's ptxas.
  Bin,
  /// A fatbin (cubin + PTX) from ptxas and fatbinary.
  Fatbin,
};

/// "isa", "bin" or "fatbin" (gpu-module-to-binary's spelling).
StringRef stringifyNVVMBinaryFormat(NVVMBinaryFormat format);

/// $CUDA_HOME, $CUDA_ROOT or $CUDA_PATH, else /usr/local/cuda: the default
/// `cuda-path` of attnres-validate-nvvm-target and attnres-to-nvvm.
std::string defaultCudaPathFromEnvironment();

#define GEN_PASS_DECL_CONVERTATTNRESTOGPUPASS
#define GEN_PASS_DECL_ATTNRESGPUFINALIZEKERNELSPASS
#define GEN_PASS_DECL_ATTNRESVALIDATENVVMTARGETPASS
#include "attnres/Conversion/Passes.h.inc"

/// How a row of D elements is spread over a CTA: thread `t` owns chunks
/// `k·threads + t` (k < chunks) of `vectorWidth` elements (128-bit loads when
/// D allows). `exact`: threads·chunks·vectorWidth == D (no tail guards).
struct GPUKernelPlan {
  int64_t hidden = 0;
  int64_t vectorWidth = 1;
  int64_t threads = 32;
  int64_t chunks = 1;
  bool exact = true;
};

/// The plan for rows of `hidden` elements of `elementBits` bits, with about
/// `targetChunks` chunks per thread (the forward kernels: 4; the gradient
/// kernels, which hold more rows in registers: 2).
FailureOr<GPUKernelPlan> planGPUKernel(int64_t hidden, unsigned elementBits,
                                       unsigned maxThreads = 1024,
                                       int64_t targetChunks = 4);

/// Patterns rewriting depth_attn, depth_attn_stats and depth_attn_merge
/// (static D) into one `gpu.launch` each, and depth_attn_grad, rms_norm_grad
/// and depth_attn_merge_grad into a row-group kernel plus a column-sum
/// kernel (or, with `emulate`, the same decomposition as sequential CPU
/// loops). `gradRowGroups` bounds the CTAs of the gradient kernels.
void populateAttnResToGPUConversionPatterns(RewritePatternSet &patterns,
                                            bool emulate,
                                            unsigned maxThreads = 1024,
                                            unsigned gradRowGroups = 256);

/// Checks an NVVM target (chip, PTX features, binary format) before any
/// LLVM code generation runs; returns an error message or "" if valid.
std::string checkNVVMTarget(StringRef chip, StringRef features,
                            NVVMBinaryFormat format, StringRef cudaPath);

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_CONVERSION_ATTNRESTOGPU_ATTNRESTOGPU_H
