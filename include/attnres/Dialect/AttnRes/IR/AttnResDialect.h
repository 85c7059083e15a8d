//===- AttnResDialect.h - attnres dialect -----------------------*- C++ -*-===//
//
// Declares the attnres dialect.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_IR_ATTNRESDIALECT_H
#define ATTNRES_DIALECT_ATTNRES_IR_ATTNRESDIALECT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/Operation.h"

#include "attnres/Dialect/AttnRes/IR/AttnResOpsDialect.h.inc"

namespace mlir {
namespace attnres {
// Names of the discardable attributes the dialect declares (`discardableAttrs`
// in AttnResBase.td) and verifies; the generated `AttnResDialect::*AttrHelper`
// classes get and set them.

/// The first op of a pipeline chunk (`attnres.chunk = c`, 0 <= c <= INT64_MAX).
inline constexpr llvm::StringLiteral kChunkAttrName =
    AttnResDialect::ChunkAttrHelper::getNameStr();
/// A loop whose stores may become non-temporal (unit).
inline constexpr llvm::StringLiteral kStreamingStoresAttrName =
    AttnResDialect::StreamingStoresAttrHelper::getNameStr();
/// The chunks of a per-rank function (array<i64>).
inline constexpr llvm::StringLiteral kChunksAttrName =
    AttnResDialect::ChunksAttrHelper::getNameStr();
/// attnres-pipeline-partition's summary (dictionary).
inline constexpr llvm::StringLiteral kPipelineAttrName =
    AttnResDialect::PipelineAttrHelper::getNameStr();
/// attnres-stage-traffic's result (dictionary).
inline constexpr llvm::StringLiteral kStageTrafficAttrName =
    AttnResDialect::StageTrafficAttrHelper::getNameStr();
/// On a function: its vector-Jacobian product (a flat symbol reference), see
/// attnres-build-backward.
inline constexpr llvm::StringLiteral kVJPAttrName =
    AttnResDialect::VjpAttrHelper::getNameStr();
} // namespace attnres
} // namespace mlir

#endif // ATTNRES_DIALECT_ATTNRES_IR_ATTNRESDIALECT_H
