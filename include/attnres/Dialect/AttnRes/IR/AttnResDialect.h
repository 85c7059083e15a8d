//===- AttnResDialect.h - attnres dialect -----------------------*- C++ -*-===//
//
// Declares the attnres dialect.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_IR_ATTNRESDIALECT_H
#define ATTNRES_DIALECT_ATTNRES_IR_ATTNRESDIALECT_H

#include "mlir/IR/Dialect.h"

#include "attnres/Dialect/AttnRes/IR/AttnResOpsDialect.h.inc"

namespace mlir {
namespace attnres {
/// Name of the discardable attribute marking the first op of a pipeline
/// chunk (`attnres.chunk = c`, 0 <= c <= INT64_MAX; verified by the dialect).
inline constexpr llvm::StringLiteral kChunkAttrName = "attnres.chunk";
} // namespace attnres
} // namespace mlir

#endif // ATTNRES_DIALECT_ATTNRES_IR_ATTNRESDIALECT_H
