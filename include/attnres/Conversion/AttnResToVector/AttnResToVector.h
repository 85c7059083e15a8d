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
#include "attnres/Conversion/Passes.h.inc"

// `kStreamingStoresAttrName` (AttnResDialect.h): the unit attribute the
// kernels put on an `scf.for` whose stores may become non-temporal
// (attnres-streaming-stores, include/attnres/Transforms/Passes.h).

/// Adds patterns rewriting `depth_attn`, `depth_attn_stats` and
/// `depth_attn_merge` with a static hidden size into row-tiled, vectorized
/// `scf.forall`/`scf.for`/`vector` code on tensors that reads every source
/// once per row. The tuning knobs are the pass's options (ODS-generated
/// struct, one default each; `vector-width`, `rows-per-task`,
/// `sources-per-loop`, `bf16-pairs`, `streaming-min-bytes`), valid as checked
/// by `verifyAttnResToVectorOptions`.
void populateAttnResToVectorConversionPatterns(
    RewritePatternSet &patterns,
    const ConvertAttnResToVectorPassOptions &options = {});

/// Checks the options of `convert-attnres-to-vector`: an error message, or ""
/// when they are valid.
std::string
verifyAttnResToVectorOptions(const ConvertAttnResToVectorPassOptions &options);

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_CONVERSION_ATTNRESTOVECTOR_ATTNRESTOVECTOR_H
