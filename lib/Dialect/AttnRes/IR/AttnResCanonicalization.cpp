//===- AttnResCanonicalization.cpp - folders and canonicalizations --------===//
//
// Only exact rewrites: each one leaves every result bit-identical.
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::attnres;

Operation *AttnResDialect::materializeConstant(OpBuilder &builder,
                                               Attribute value, Type type,
                                               Location loc) {
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed || typed.getType() != type)
    return nullptr;
  return arith::ConstantOp::create(builder, loc, type, typed);
}

/// Folds `op` to the only value of `group` when `op` is in the value form
/// (the memref form has no result to fold) and its result has that value's
/// type.
template <typename OpT>
static LogicalResult foldToOnlyValue(OpT op, ValueRange group,
                                     SmallVectorImpl<OpFoldResult> &results) {
  if (op.hasBufferSemantics() || group.size() != 1 ||
      group[0].getType() != op.getType())
    return failure();
  results.push_back(group[0]);
  return success();
}

/// depth_attn over one source: the softmax weight is exactly 1 and
/// `trunc(ext(v)·1) = v`. (A destination only says where the result goes;
/// the memref form has no result to fold.)
LogicalResult DepthAttnOp::fold(FoldAdaptor,
                                SmallVectorImpl<OpFoldResult> &results) {
  return foldToOnlyValue(*this, getSources(), results);
}

/// Softmax over a depth axis of length 1 is exactly 1 (exp(0)/exp(0)).
LogicalResult DepthSoftmaxOp::fold(FoldAdaptor,
                                   SmallVectorImpl<OpFoldResult> &results) {
  RankedTensorType type = getType(); // null in the memref form
  if (!type || !type.hasStaticShape() || type.getRank() < 1 ||
      type.getDimSize(0) != 1)
    return failure();
  results.push_back(
      DenseElementsAttr::get(type, FloatAttr::get(type.getElementType(), 1.0)));
  return success();
}

/// Combining one value with a weight that is exactly 1 gives the value.
LogicalResult DepthCombineOp::fold(FoldAdaptor adaptor,
                                   SmallVectorImpl<OpFoldResult> &results) {
  auto weights = dyn_cast_or_null<SplatElementsAttr>(adaptor.getWeights());
  if (!weights || !weights.getElementType().isF32() ||
      !weights.getSplatValue<APFloat>().isExactlyValue(1.0))
    return failure();
  return foldToOnlyValue(*this, getValues(), results);
}

/// A one-operand block summary is its operand. (A destination only says
/// where the result goes; the memref form has no result to fold.)
LogicalResult BlockSummaryOp::fold(FoldAdaptor,
                                   SmallVectorImpl<OpFoldResult> &results) {
  return foldToOnlyValue(*this, getOutputs(), results);
}

namespace {
/// block_summary(block_summary(a, b), c) -> block_summary(a, b, c) for f32,
/// when the inner sum is the first operand and has no other user: the sum is
/// evaluated left to right in f32 either way, so the result is identical.
struct FlattenBlockSummary : OpRewritePattern<BlockSummaryOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BlockSummaryOp op,
                                PatternRewriter &rewriter) const override {
    // Value forms only; the outer op's destination is kept, the inner one's
    // is dropped with its op (it only said where the inner sum would go).
    if (op.getOutputs().empty() || !op.getType() ||
        !op.getType().getElementType().isF32())
      return failure();
    auto inner = op.getOutputs()[0].getDefiningOp<BlockSummaryOp>();
    if (!inner || !inner->hasOneUse() || inner.getType() != op.getType())
      return failure();
    SmallVector<Value> operands(inner.getOutputs());
    llvm::append_range(operands, op.getOutputs().drop_front());
    if (Value init = op.getInit())
      rewriter.replaceOpWithNewOp<BlockSummaryOp>(op, operands, init);
    else
      rewriter.replaceOpWithNewOp<BlockSummaryOp>(op, op.getType(), operands);
    return success();
  }
};
} // namespace

void BlockSummaryOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                 MLIRContext *context) {
  results.add<FlattenBlockSummary>(context);
}
