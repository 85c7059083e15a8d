//===- AttnResToVector.h - fast CPU kernels for attnres ---------*- C++ -*-===//

#ifndef ATTNRES_CONVERSION_ATTNRESTOVECTOR_ATTNRESTOVECTOR_H
#define ATTNRES_CONVERSION_ATTNRESTOVECTOR_ATTNRESTOVECTOR_H

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;

namespace attnres {

#define GEN_PASS_DECL_CONVERTATTNRESTOVECTORPASS
#include "attnres/Conversion/Passes.h.inc"

/// Tuning of the vectorized kernels.
struct AttnResVectorKernelOptions {
  /// f32 lanes per vector; lowered to the largest power of two dividing D.
  unsigned vectorWidth = 16;
  /// Token rows per `scf.forall` iteration.
  unsigned rowsPerTask = 8;
  /// Sources whose accumulators share one hidden-dim loop (register budget).
  unsigned sourcesPerLoop = 8;
};

/// Adds patterns rewriting `depth_attn`, `depth_attn_stats` and
/// `depth_attn_merge` with a static hidden size into row-tiled, vectorized
/// `scf.forall`/`scf.for`/`vector` code on tensors that reads every source
/// once per row.
void populateAttnResToVectorConversionPatterns(
    RewritePatternSet &patterns, const AttnResVectorKernelOptions &options);

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_CONVERSION_ATTNRESTOVECTOR_ATTNRESTOVECTOR_H
