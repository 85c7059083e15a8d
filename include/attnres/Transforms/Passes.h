//===- Passes.h - attnres passes on lowered code ----------------*- C++ -*-===//
//
// Passes on the code the lowerings produce (include/attnres/Transforms/
// Passes.td) and the pattern sets behind them.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_TRANSFORMS_PASSES_H
#define ATTNRES_TRANSFORMS_PASSES_H

#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace attnres {

#define GEN_PASS_DECL
#include "attnres/Transforms/Passes.h.inc"

// `kStreamingStoresAttrName` (AttnResDialect.h): the unit attribute on an
// `scf.for` whose stores may become non-temporal; convert-attnres-to-vector
// sets it.

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

/// Adds the pattern behind `attnres-serial-outer-reductions`: a linalg op on
/// buffers whose outermost iterator is a reduction becomes sequential loops.
void populateAttnResSerialOuterReductionPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "attnres/Transforms/Passes.h.inc"

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_TRANSFORMS_PASSES_H
