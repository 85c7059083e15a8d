//===- attnres-reduce.cpp - MLIR test-case reducer with attnres -----------===//
//
// mlir-reduce with the attnres dialect, passes and pipelines registered, and
// reduction patterns that shrink models: an op whose result has the type of
// one of its operands is replaced by that operand (a site by its first source,
// an rms_norm by its input, a sublayer's linalg op by its init), and a site
// loses its last source. The reduction tree keeps a variant only when the
// test script still finds it interesting, so only the parts of a model that
// the failure does not need disappear:
//
//   attnres-reduce model.mlir \
//     -reduction-tree='traversal-mode=0 test=still-fails.sh' \
//     -opt-reduction-pass='opt-pass=canonicalize test=still-fails.sh'
//
// (the script gets the candidate file as $1 and exits 1 when it is still
// interesting; the second pass removes what the first left dead).
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/IR/AttnResDialect.h"
#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "attnres/InitAll.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Reducer/ReductionPatternInterface.h"
#include "mlir/Tools/mlir-reduce/MlirReduceMain.h"

using namespace mlir;

namespace {

/// Replaces the single result of a side-effect-free op (attnres ops, a
/// sublayer's linalg ops on tensors) by its first operand of the same type: a
/// site by its first source, an rms_norm by its input, a linalg op by its
/// init. The op's other operands may then die.
struct ReplaceByOperand : public RewritePattern {
  ReplaceByOperand(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1 || op->hasTrait<OpTrait::IsTerminator>() ||
        op->hasTrait<OpTrait::IsIsolatedFromAbove>() || !isMemoryEffectFree(op))
      return failure();
    Type type = op->getResult(0).getType();
    for (Value operand : op->getOperands())
      if (operand.getType() == type) {
        rewriter.replaceOp(op, operand);
        return success();
      }
    return failure();
  }
};

/// A depth_attn with more than one source loses its last one.
struct DropLastSource : public OpRewritePattern<attnres::DepthAttnOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(attnres::DepthAttnOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getSources().size() < 2)
      return failure();
    rewriter.modifyOpInPlace(op, [&] {
      op.getSourcesMutable().erase(op.getSources().size() - 1);
    });
    return success();
  }
};

struct AttnResReductionPatterns : public DialectReductionPatternInterface {
  AttnResReductionPatterns(Dialect *dialect)
      : DialectReductionPatternInterface(dialect) {}

  void populateReductionPatterns(RewritePatternSet &patterns) const override {
    patterns.add<ReplaceByOperand, DropLastSource>(
        patterns.getContext());
  }
};

} // namespace

int main(int argc, char **argv) {
  registerAllPasses();
  attnres::registerAllAttnResPasses();
  attnres::registerAllAttnResPipelines();

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  attnres::registerAllAttnResDialects(registry);
  registry.addExtension(+[](MLIRContext *, attnres::AttnResDialect *dialect) {
    dialect->addInterfaces<AttnResReductionPatterns>();
  });

  MLIRContext context(registry);
  return failed(mlirReduceMain(argc, argv, context));
}
