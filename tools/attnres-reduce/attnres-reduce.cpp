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
//     -reduction-tree='traversal-mode=0 test=/bin/sh test-arg=still-fails.sh' \
//     -opt-reduction-pass='opt-pass=canonicalize test=/bin/sh
//     test-arg=still-fails.sh'
//
// (the script gets the candidate file as its last argument and exits 1 while
// it is still interesting; the second pass removes what the first left dead).
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/IR/AttnResDialect.h"
#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "attnres/InitAll.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Reducer/ReductionPatternInterface.h"
#include "mlir/Reducer/Tester.h"
#include "mlir/Tools/mlir-reduce/MlirReduceMain.h"

using namespace mlir;

/// A candidate rewrite is kept only when the module stays interesting: the
/// change is tried on a clone first. (MLIR 22.1's reduction tree applies the
/// patterns to the whole region at its root first; when that loses the
/// failure, the root's module is dropped and the next variant is cloned from
/// it, which crashes. So every pattern here checks before it rewrites.)
static bool stillInteresting(Operation *op, const Tester &tester,
                             function_ref<void(Operation *)> change) {
  auto module = op->getParentOfType<ModuleOp>();
  if (!module)
    return false;
  IRMapping mapping;
  OwningOpRef<Operation *> clone = module->clone(mapping);
  change(mapping.lookup(op));
  return tester.isInteresting(cast<ModuleOp>(*clone)).first ==
         Tester::Interestingness::True;
}

/// The first operand of `op` with the type of its single result, if any.
static Value sameTypedOperand(Operation *op) {
  if (op->getNumResults() != 1)
    return {};
  Type type = op->getResult(0).getType();
  for (Value operand : op->getOperands())
    if (operand.getType() == type)
      return operand;
  return {};
}

namespace {

/// Replaces the single result of a side-effect-free op (attnres ops, a
/// sublayer's linalg ops on tensors) by its first operand of the same type: a
/// site by its first source, an rms_norm by its input, a linalg op by its
/// init. The op's other operands may then die (`canonicalize` removes them).
struct ReplaceByOperand : public RewritePattern {
  ReplaceByOperand(MLIRContext *context, const Tester &tester)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context),
        tester(tester) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (op->hasTrait<OpTrait::IsTerminator>() ||
        op->hasTrait<OpTrait::IsIsolatedFromAbove>() || !isMemoryEffectFree(op))
      return failure();
    Value operand = sameTypedOperand(op);
    if (!operand)
      return failure();
    unsigned index =
        llvm::find(op->getOperands(), operand) - op->getOperands().begin();
    if (!stillInteresting(op, tester, [&](Operation *cloned) {
          cloned->getResult(0).replaceAllUsesWith(cloned->getOperand(index));
          cloned->erase();
        }))
      return failure();
    rewriter.replaceOp(op, operand);
    return success();
  }

  const Tester &tester;
};

/// A depth_attn with more than one source loses its last one.
struct DropLastSource : public OpRewritePattern<attnres::DepthAttnOp> {
  DropLastSource(MLIRContext *context, const Tester &tester)
      : OpRewritePattern(context), tester(tester) {}

  LogicalResult matchAndRewrite(attnres::DepthAttnOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getSources().size() < 2)
      return failure();
    unsigned last = op.getSources().size() - 1;
    if (!stillInteresting(op, tester, [&](Operation *cloned) {
          cast<attnres::DepthAttnOp>(cloned).getSourcesMutable().erase(last);
        }))
      return failure();
    rewriter.modifyOpInPlace(op, [&] { op.getSourcesMutable().erase(last); });
    return success();
  }

  const Tester &tester;
};

struct AttnResReductionPatterns : public DialectReductionPatternInterface {
  AttnResReductionPatterns(Dialect *dialect)
      : DialectReductionPatternInterface(dialect) {}

  void populateReductionPatterns(RewritePatternSet &patterns) const override {}

  void populateReductionPatternsWithTester(RewritePatternSet &patterns,
                                           Tester &tester) const override {
    patterns.add<ReplaceByOperand, DropLastSource>(patterns.getContext(),
                                                   tester);
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
