//===- ScalarMath.cpp - scalar math shared by the lowerings ---------------===//

#include "attnres/Dialect/AttnRes/Utils/ScalarMath.h"

#include "mlir/IR/TypeUtilities.h"

namespace mlir {
namespace attnres {
namespace detail {

Value f32Constant(OpBuilder &b, Location loc, double value) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
}

Value extendToF32(OpBuilder &b, Location loc, Value v) {
  Type elem = getElementTypeOrSelf(v.getType());
  if (elem.isF32())
    return v;
  Type f32 = b.getF32Type();
  if (auto vec = dyn_cast<VectorType>(v.getType()))
    f32 = vec.clone(f32);
  return arith::ExtFOp::create(b, loc, f32, v);
}

Value truncateFromF32(OpBuilder &b, Location loc, Value v, Type elemType) {
  if (elemType.isF32())
    return v;
  Type target = elemType;
  if (auto vec = dyn_cast<VectorType>(v.getType()))
    target = vec.clone(elemType);
  return arith::TruncFOp::create(b, loc, target, v);
}

Value rmsLogit(OpBuilder &b, Location loc, Value sumSq, Value dot, Value invD,
               Value eps) {
  Value meanSq = arith::MulFOp::create(b, loc, sumSq, invD);
  Value rho =
      math::RsqrtOp::create(b, loc, arith::AddFOp::create(b, loc, meanSq, eps));
  return arith::MulFOp::create(b, loc, rho, dot);
}

Value flushedExp(OpBuilder &b, Location loc, Value x) {
  Value limit = f32Constant(b, loc, -kFlushLogitGap);
  Value small =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, limit);
  Value zero = f32Constant(b, loc, 0.0);
  // exp of the clamped argument: no subnormal intermediate either.
  Value clamped = arith::SelectOp::create(b, loc, small, zero, x);
  Value e = math::ExpOp::create(b, loc, clamped);
  return arith::SelectOp::create(b, loc, small, zero, e);
}

SoftmaxScalars softmaxScalars(OpBuilder &b, Location loc,
                              ArrayRef<Value> logits, bool withLse) {
  Value max = logits.front();
  for (Value s : logits.drop_front())
    max = arith::MaximumFOp::create(b, loc, max, s);
  SmallVector<Value> exps;
  Value sum;
  for (Value s : logits) {
    Value e = flushedExp(b, loc, arith::SubFOp::create(b, loc, s, max));
    exps.push_back(e);
    sum = sum ? arith::AddFOp::create(b, loc, sum, e).getResult() : e;
  }
  SoftmaxScalars result;
  Value inv = arith::DivFOp::create(b, loc, f32Constant(b, loc, 1.0), sum);
  for (Value e : exps)
    result.weights.push_back(arith::MulFOp::create(b, loc, e, inv));
  if (withLse)
    result.lse =
        arith::AddFOp::create(b, loc, max, math::LogOp::create(b, loc, sum));
  return result;
}

Value mergeWeight(OpBuilder &b, Location loc, Value logit, Value lse) {
  Value x = arith::SubFOp::create(b, loc, lse, logit);
  Value limit = f32Constant(b, loc, kFlushLogitGap);
  Value small =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, limit);
  Value zero = f32Constant(b, loc, 0.0);
  Value e = math::ExpOp::create(
      b, loc, arith::SelectOp::create(b, loc, small, zero, x));
  Value one = f32Constant(b, loc, 1.0);
  Value w =
      arith::DivFOp::create(b, loc, one, arith::AddFOp::create(b, loc, one, e));
  return arith::SelectOp::create(b, loc, small, zero, w);
}

} // namespace detail
} // namespace attnres
} // namespace mlir
