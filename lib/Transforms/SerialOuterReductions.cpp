//===- SerialOuterReductions.cpp - no fork per reduction step -------------===//
//
// Linalg ops whose outermost loop is a reduction become sequential loops
// before convert-linalg-to-parallel-loops would nest a parallel region in
// that reduction (one fork per step).
//
//===----------------------------------------------------------------------===//

#include "attnres/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir {
namespace attnres {
#define GEN_PASS_DEF_ATTNRESSERIALOUTERREDUCTIONSPASS
#include "attnres/Transforms/Passes.h.inc"
} // namespace attnres
} // namespace mlir

using namespace mlir;
using namespace mlir::attnres;

namespace {

struct SerialOuterReduction
    : public OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureBufferSemantics())
      return rewriter.notifyMatchFailure(op, "not on buffers");
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    if (iterators.empty() ||
        iterators.front() != utils::IteratorType::reduction ||
        llvm::none_of(iterators, [](utils::IteratorType kind) {
          return kind == utils::IteratorType::parallel;
        }))
      return rewriter.notifyMatchFailure(op, "no parallel loop inside a "
                                             "reduction");
    if (failed(linalg::linalgOpToLoops(rewriter, op)))
      return rewriter.notifyMatchFailure(op, "cannot lower to loops");
    rewriter.eraseOp(op);
    return success();
  }
};

struct AttnResSerialOuterReductionsPass
    : attnres::impl::AttnResSerialOuterReductionsPassBase<
          AttnResSerialOuterReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateAttnResSerialOuterReductionPatterns(patterns);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
    // The loops index through identity affine.apply ops: fold them, as
    // convert-linalg-to-loops does.
    RewritePatternSet folds(&getContext());
    affine::AffineApplyOp::getCanonicalizationPatterns(folds, &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(folds))))
      return signalPassFailure();
  }
};

} // namespace

void mlir::attnres::populateAttnResSerialOuterReductionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<SerialOuterReduction>(patterns.getContext());
}
