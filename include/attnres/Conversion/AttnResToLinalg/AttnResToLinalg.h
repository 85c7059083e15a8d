//===- AttnResToLinalg.h - attnres to linalg conversion ---------*- C++ -*-===//

#ifndef ATTNRES_CONVERSION_ATTNRESTOLINALG_ATTNRESTOLINALG_H
#define ATTNRES_CONVERSION_ATTNRESTOLINALG_ATTNRESTOLINALG_H

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class ConversionTarget;
class RewritePatternSet;

namespace attnres {

#define GEN_PASS_DECL_CONVERTATTNRESTOLINALGPASS
#include "attnres/Conversion/Passes.h.inc"

/// Adds the patterns that rewrite every attnres op into linalg/tensor/arith/
/// math ops on tensors. Patterns fail to match (and change nothing) on ops
/// they cannot lower; see `checkAttnResToLinalgPreconditions`.
void populateAttnResToLinalgConversionPatterns(RewritePatternSet &patterns);

/// Marks the attnres dialect illegal and the dialects the patterns produce
/// legal.
void configureAttnResToLinalgConversionTarget(ConversionTarget &target);

/// Emits an error on every attnres op under `root` that the patterns cannot
/// lower (e.g. a dynamic hidden dimension) and fails if there was one.
LogicalResult checkAttnResToLinalgPreconditions(Operation *root);

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_CONVERSION_ATTNRESTOLINALG_ATTNRESTOLINALG_H
