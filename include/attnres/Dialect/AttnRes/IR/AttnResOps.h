//===- AttnResOps.h - attnres operations ------------------------*- C++ -*-===//
//
// Declares the operations of the attnres dialect.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_IR_ATTNRESOPS_H
#define ATTNRES_DIALECT_ATTNRES_IR_ATTNRESOPS_H

#include "attnres/Dialect/AttnRes/IR/AttnResDialect.h"
#include "attnres/Dialect/AttnRes/IR/AttnResRowTiling.h"
#include "attnres/Dialect/AttnRes/IR/AttnResShapeInterfaces.h"
#include "attnres/Dialect/AttnRes/IR/AttnResTraits.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"

#include <optional>

#define GET_OP_CLASSES
#include "attnres/Dialect/AttnRes/IR/AttnResOps.h.inc"

namespace mlir {
namespace attnres {

/// Softmax weights (and merge weights) below 2^-60 are exactly 0 in every
/// CPU lowering: a weight is flushed when its logit lies more than this gap,
/// 60·ln 2, below the row's maximum (merge: when `lse − s` exceeds it).
/// Such weights are often subnormal floats, which cost microcode assists on
/// many x86 cores, and flushing them moves a result by at most
/// 2(n−1)·2^-60·max_j|V_j[t,c]| (docs/semantics.md, "Tiny weights").
inline constexpr double kSoftmaxFlushLogitGap = 41.58883083359672;

/// Bytes spanned by the static dimensions of a ranked tensor or memref type
/// (dynamic dimensions count as 1, elements are rounded up to whole bytes),
/// computed with checked arithmetic: std::nullopt when the count does not fit
/// in `int64_t`. Other types span 0 bytes.
std::optional<int64_t> getStaticSizeInBytes(Type type);

/// Whether every operand and result type of `op` spans at most 2^63 - 1
/// bytes in its static dimensions (`getStaticSizeInBytes` succeeds).
bool hasAddressableTypes(Operation *op);

/// Fails with an error on `op` naming the first operand or result type whose
/// static dimensions span more than 2^63 - 1 bytes. No such buffer can be
/// addressed, and the sizes and offsets that later stages compute for it in
/// 64-bit arithmetic would wrap around (into invalid IR or wrong code), so
/// the attnres passes reject such ops before rewriting anything.
LogicalResult checkAddressableTypes(Operation *op);

/// The two ops that a depth_attn_norm or depth_attn_merge_norm in the value
/// form without destinations fuses, built at `b`'s insertion point: the site
/// (depth_attn or depth_attn_merge) and the rms_norm of its result `h`.
/// Returns {normed, h}; fails (building nothing) for any other op or form.
FailureOr<std::pair<Value, Value>> buildUnfusedNormEpilogue(OpBuilder &b,
                                                            Operation *op);

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_DIALECT_ATTNRES_IR_ATTNRESOPS_H
