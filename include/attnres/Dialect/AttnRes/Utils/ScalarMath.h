//===- ScalarMath.h - scalar math shared by the lowerings -------*- C++ -*-===//
//
// The per-row scalar math of AttnRes (inverse RMS times dot product, stable
// softmax over sources, log-sum-exp, sigmoid), emitted with arith/math ops on
// f32. Shared by every attnres lowering so they agree to the last operation.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_UTILS_SCALARMATH_H
#define ATTNRES_DIALECT_ATTNRES_UTILS_SCALARMATH_H

#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"

namespace mlir {
namespace attnres {
namespace detail {

/// An f32 constant (scalar, or splat for a shaped `type`).
Value f32Constant(OpBuilder &b, Location loc, double value);

/// Extends a float scalar/vector to f32 (no-op on f32).
Value extendToF32(OpBuilder &b, Location loc, Value v);

/// Truncates an f32 scalar/vector to `elemType` (no-op on f32).
Value truncateFromF32(OpBuilder &b, Location loc, Value v, Type elemType);

/// `ρ · dot` with `ρ = (sumSq·invD + eps)^(-1/2)`.
Value rmsLogit(OpBuilder &b, Location loc, Value sumSq, Value dot, Value invD,
               Value eps);

/// Tiny weights are flushed to exact zero (`kSoftmaxFlushLogitGap`, in the
/// IR library): the rule is part of the ops' semantics, shared by every
/// lowering and known to attnres-raise.
inline constexpr double kFlushLogitGap = kSoftmaxFlushLogitGap;

/// `exp(x)` for `x = s − max ≤ 0`, exactly 0 where `x < −kFlushLogitGap`.
Value flushedExp(OpBuilder &b, Location loc, Value x);

/// Softmax weights of scalar logits and, optionally, their log-sum-exp.
struct SoftmaxScalars {
  SmallVector<Value> weights;
  Value lse;
};

SoftmaxScalars softmaxScalars(OpBuilder &b, Location loc,
                              ArrayRef<Value> logits, bool withLse);

/// `sigmoid(s − lse) = 1 / (1 + exp(lse − s))`: the weight of a source merged
/// into a phase-1 result; exactly 0 where `lse − s > kFlushLogitGap` (then
/// the weight is below 2^-60, see `flushedExp`).
Value mergeWeight(OpBuilder &b, Location loc, Value logit, Value lse);

} // namespace detail
} // namespace attnres
} // namespace mlir

#endif // ATTNRES_DIALECT_ATTNRES_UTILS_SCALARMATH_H
