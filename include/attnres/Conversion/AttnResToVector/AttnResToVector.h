//===- AttnResToVector.h - fast CPU kernels for attnres ---------*- C++ -*-===//

#ifndef ATTNRES_CONVERSION_ATTNRESTOVECTOR_ATTNRESTOVECTOR_H
#define ATTNRES_CONVERSION_ATTNRESTOVECTOR_ATTNRESTOVECTOR_H

#include "attnres/Dialect/AttnRes/IR/AttnResDialect.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;

namespace attnres {

#define GEN_PASS_DECL_CONVERTATTNRESTOVECTORPASS
#define GEN_PASS_DECL_ATTNRESSTREAMINGSTORESPASS
#define GEN_PASS_DECL_ATTNRESLEGALIZENONTEMPORALSTORESPASS
#include "attnres/Conversion/Passes.h.inc"

// `kStreamingStoresAttrName` (AttnResDialect.h): the unit attribute on an
// `scf.for` whose stores may become non-temporal (attnres-streaming-stores).

/// Tuning of the vectorized kernels.
struct AttnResVectorKernelOptions {
  /// f32 lanes per vector; lowered to the largest power of two dividing D.
  unsigned vectorWidth = 16;
  /// Token rows per `scf.forall` iteration.
  unsigned rowsPerTask = 8;
  /// Most sources whose accumulators share one hidden-dim loop (register
  /// budget: two vectors each); more are split into balanced groups.
  unsigned sourcesPerLoop = 12;
  /// Output loops of kernels whose static output has at least this many
  /// bytes are tagged with `kStreamingStoresAttrName`; 0: never.
  int64_t streamingMinBytes = 4 << 20;
  /// bf16 sources: load 2·vectorWidth elements and split them into even and
  /// odd f32 vectors with integer shifts/masks (no shuffles), round the
  /// output back the same way.
  bool bf16Pairs = true;
};

/// Adds patterns rewriting `depth_attn`, `depth_attn_stats` and
/// `depth_attn_merge` with a static hidden size into row-tiled, vectorized
/// `scf.forall`/`scf.for`/`vector` code on tensors that reads every source
/// once per row.
void populateAttnResToVectorConversionPatterns(
    RewritePatternSet &patterns, const AttnResVectorKernelOptions &options);

/// Adds the pattern behind `attnres-streaming-stores`: versions every
/// `scf.for` tagged with `kStreamingStoresAttrName` (on memrefs) on the
/// alignment of its vector writes, with non-temporal `vector.store`s in the
/// aligned version.
void populateAttnResStreamingStorePatterns(RewritePatternSet &patterns);

/// Adds the pattern behind `attnres-legalize-nontemporal-stores`: the value
/// of a non-temporal `llvm.store` of a bf16/f16 vector is bitcast to an i16
/// vector (LLVM's x86 backend keeps the hint only for the latter).
void populateAttnResLegalizeNontemporalStorePatterns(
    RewritePatternSet &patterns);

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_CONVERSION_ATTNRESTOVECTOR_ATTNRESTOVECTOR_H
