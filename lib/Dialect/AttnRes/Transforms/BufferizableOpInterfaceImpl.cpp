//===- BufferizableOpInterfaceImpl.cpp - bufferization of attnres ---------===//
//
// BufferizableOpInterface for the attnres ops with destinations
// (depth_attn, depth_attn_stats, depth_attn_merge, depth_attn_norm,
// depth_attn_merge_norm and the gradient ops), following upstream's Linalg
// model: destinations are written (never read) and their results are
// equivalent to them; every other operand is read. `bufferize` creates the
// same op in its memref form. Results without a destination get a new
// allocation.
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/Transforms/BufferizableOpInterfaceImpl.h"

#include "attnres/Dialect/AttnRes/IR/AttnResDialect.h"
#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "attnres/Dialect/AttnRes/Transforms/Passes.h"
#include "attnres/Dialect/AttnRes/Utils/Functions.h"
#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir {
namespace attnres {
#define GEN_PASS_DEF_ATTNRESADDDESTINATIONSPASS
#include "attnres/Dialect/AttnRes/Transforms/Passes.h.inc"
} // namespace attnres
} // namespace mlir

using namespace mlir;
using namespace mlir::attnres;
using namespace mlir::bufferization;

namespace {

/// The number of destinations of `op` (its trailing operands).
unsigned numInits(Operation *op) {
  if (auto attn = dyn_cast<DepthAttnOp>(op))
    return attn.getInit() ? 1 : 0;
  if (auto stats = dyn_cast<DepthAttnStatsOp>(op))
    return stats.getInits().size();
  if (auto merge = dyn_cast<DepthAttnMergeOp>(op))
    return merge.getInit() ? 1 : 0;
  if (auto fused = dyn_cast<DepthAttnNormOp>(op))
    return fused.getInits().size();
  if (auto fused = dyn_cast<DepthAttnMergeNormOp>(op))
    return fused.getInits().size();
  if (auto norm = dyn_cast<RMSNormOp>(op))
    return norm.getInit() ? 1 : 0;
  if (auto sum = dyn_cast<BlockSummaryOp>(op))
    return sum.getInit() ? 1 : 0;
  if (auto logits = dyn_cast<DepthLogitsOp>(op))
    return logits.getInit() ? 1 : 0;
  if (auto softmax = dyn_cast<DepthSoftmaxOp>(op))
    return softmax.getInit() ? 1 : 0;
  if (auto combine = dyn_cast<DepthCombineOp>(op))
    return combine.getInit() ? 1 : 0;
  if (auto grad = dyn_cast<DepthAttnGradOp>(op))
    return grad.getInits().size();
  if (auto grad = dyn_cast<RMSNormGradOp>(op))
    return grad.getInits().size();
  if (auto grad = dyn_cast<DepthAttnStatsGradOp>(op))
    return grad.getInits().size();
  if (auto grad = dyn_cast<DepthAttnMergeGradOp>(op))
    return grad.getInits().size();
  return 0;
}

/// The result a destination operand is tied to, if `operand` is one.
std::optional<unsigned> initResult(Operation *op, OpOperand &operand) {
  unsigned inits = numInits(op);
  unsigned first = op->getNumOperands() - inits;
  if (operand.getOperandNumber() < first)
    return std::nullopt;
  return operand.getOperandNumber() - first;
}

/// Creates `op` over `operands` (its operands, then one destination per
/// result): the memref form for buffers, the value form with destinations
/// for tensors.
Operation *createWithDestinations(RewriterBase &rewriter, Operation *op,
                                  ArrayRef<Value> operands) {
  Location loc = op->getLoc();
  Operation *created = nullptr;
  if (auto attn = dyn_cast<DepthAttnOp>(op)) {
    created = DepthAttnOp::create(rewriter, loc, operands.front(),
                                  operands.drop_front().drop_back(),
                                  operands.back(), attn.getEpsAttr());
  } else if (auto stats = dyn_cast<DepthAttnStatsOp>(op)) {
    created = DepthAttnStatsOp::create(
        rewriter, loc, operands.front(), operands.drop_front().drop_back(2),
        operands[operands.size() - 2], operands.back(), stats.getEpsAttr());
  } else if (auto merge = dyn_cast<DepthAttnMergeOp>(op)) {
    created = DepthAttnMergeOp::create(rewriter, loc, operands[0], operands[1],
                                       operands[2], operands[3], operands[4],
                                       merge.getEpsAttr());
  } else if (auto fused = dyn_cast<DepthAttnNormOp>(op)) {
    // query, sources..., gain, then one destination per result.
    size_t numSources = fused.getSources().size();
    created = DepthAttnNormOp::create(
        rewriter, loc, operands.front(), operands.slice(1, numSources),
        operands[1 + numSources], operands.drop_front(2 + numSources),
        fused.getEpsAttr(), fused.getNormEpsAttr());
  } else if (auto fused = dyn_cast<DepthAttnMergeNormOp>(op)) {
    created = DepthAttnMergeNormOp::create(
        rewriter, loc, operands[0], operands[1], operands[2], operands[3],
        operands[4], operands.drop_front(5), fused.getEpsAttr(),
        fused.getNormEpsAttr());
  } else if (auto norm = dyn_cast<RMSNormOp>(op)) {
    created = RMSNormOp::create(rewriter, loc, operands[0], operands[1],
                                operands[2], norm.getEpsAttr());
  } else if (isa<BlockSummaryOp>(op)) {
    created = BlockSummaryOp::create(rewriter, loc, operands.drop_back(),
                                     operands.back());
  } else if (isa<DepthLogitsOp>(op)) {
    created = DepthLogitsOp::create(rewriter, loc, operands.front(),
                                    operands.drop_front().drop_back(),
                                    operands.back());
  } else if (isa<DepthSoftmaxOp>(op)) {
    created = DepthSoftmaxOp::create(rewriter, loc, operands[0], operands[1]);
  } else if (isa<DepthCombineOp>(op)) {
    created = DepthCombineOp::create(rewriter, loc, operands.front(),
                                     operands.drop_front().drop_back(),
                                     operands.back());
  } else if (auto grad = dyn_cast<DepthAttnGradOp>(op)) {
    // q, n sources, g, n + 1 destinations.
    size_t n = grad.getSources().size();
    ArrayRef<Value> rest = operands.drop_front(1 + n);
    created = DepthAttnGradOp::create(rewriter, loc, operands.front(),
                                      operands.slice(1, n), rest.front(),
                                      rest.drop_front(), grad.getEpsAttr());
  } else if (auto grad = dyn_cast<RMSNormGradOp>(op)) {
    created = RMSNormGradOp::create(rewriter, loc, operands[0], operands[1],
                                    operands[2], operands.drop_front(3),
                                    grad.getEpsAttr());
  } else if (auto grad = dyn_cast<DepthAttnStatsGradOp>(op)) {
    // Q, n sources, lse, dO, dlse, n + 1 destinations.
    size_t n = grad.getSources().size();
    ArrayRef<Value> rest = operands.drop_front(1 + n);
    created = DepthAttnStatsGradOp::create(
        rewriter, loc, operands.front(), operands.slice(1, n), rest[0], rest[1],
        rest[2], rest.drop_front(3), grad.getEpsAttr());
  } else if (auto grad = dyn_cast<DepthAttnMergeGradOp>(op)) {
    created = DepthAttnMergeGradOp::create(
        rewriter, loc, operands[0], operands[1], operands[2], operands[3],
        operands[4], operands.drop_front(5), grad.getEpsAttr());
  }
  if (created)
    created->setDiscardableAttrs(op->getDiscardableAttrDictionary());
  return created;
}

template <typename OpTy>
struct AttnResOpInterface
    : BufferizableOpInterface::ExternalModel<AttnResOpInterface<OpTy>, OpTy> {
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand,
                              const AnalysisState &) const {
    // Destinations are overwritten, never read.
    return !initResult(op, operand).has_value();
  }

  bool bufferizesToMemoryWrite(Operation *op, OpOperand &operand,
                               const AnalysisState &) const {
    return initResult(op, operand).has_value();
  }

  AliasingValueList getAliasingValues(Operation *op, OpOperand &operand,
                                      const AnalysisState &) const {
    std::optional<unsigned> result = initResult(op, operand);
    if (!result || *result >= op->getNumResults())
      return {};
    return {{op->getResult(*result), BufferRelation::Equivalent,
             /*isDefinite=*/true}};
  }

  /// depth_attn, depth_attn_merge, rms_norm, block_summary, depth_softmax
  /// and depth_combine read every operand of the result's type at the
  /// element they write, after their row statistics (if any) have read the
  /// rows whole: the destination may be a source (merge's `output`, the
  /// norm's input, a summand, the logits, a value). The fused ops also write
  /// a row only after reading that row of every operand (the norm reads the
  /// row of `h` they computed). depth_logits' result has no operand's type.
  /// The other ops read their operands again after writing some results (the
  /// gradients' query sums read the sources after the source gradients are
  /// written), so their destinations never alias what they read.
  bool bufferizesToElementwiseAccess(Operation *op, const AnalysisState &,
                                     ArrayRef<OpOperand *> operands) const {
    if (!isa<DepthAttnOp, DepthAttnMergeOp, DepthAttnNormOp,
             DepthAttnMergeNormOp, RMSNormOp, BlockSummaryOp, DepthSoftmaxOp,
             DepthCombineOp>(op))
      return false;
    Type resultType = op->getNumResults() ? op->getResult(0).getType() : Type();
    return resultType && llvm::all_of(operands, [&](OpOperand *operand) {
             return operand->get().getType() == resultType;
           });
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    if (op->getNumResults() == 0)
      return success(); // Already the memref form.
    SmallVector<Value> operands;
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<TensorType>(operand.get().getType())) {
        operands.push_back(operand.get());
        continue;
      }
      FailureOr<Value> buffer =
          getBuffer(rewriter, operand.get(), options, state);
      if (failed(buffer))
        return failure();
      operands.push_back(*buffer);
    }
    // Results without a destination: new buffers.
    if (numInits(op) == 0) {
      for (OpResult result : op->getResults()) {
        // The shape comes from an operand of the result's type where there
        // is one (the verifier makes their shapes equal), else from the
        // op's reified result shapes (depth_attn_stats, depth_logits).
        Value shaped = result;
        for (Value operand : op->getOperands())
          if (operand.getType() == result.getType()) {
            shaped = operand;
            break;
          }
        FailureOr<Value> alloc = allocateTensorForShapedValue(
            rewriter, op->getLoc(), shaped, options, state, /*copy=*/false);
        if (failed(alloc))
          return failure();
        FailureOr<Value> buffer = getBuffer(rewriter, *alloc, options, state);
        if (failed(buffer))
          return failure();
        operands.push_back(*buffer);
      }
    }
    SmallVector<Value> results(operands.end() - op->getNumResults(),
                               operands.end());
    rewriter.setInsertionPoint(op);
    if (!createWithDestinations(rewriter, op, operands))
      return op->emitOpError() << "cannot be bufferized";
    replaceOpWithBufferizedValues(rewriter, op, results);
    return success();
  }
};

/// An attnres op with a memref form, in the value form without
/// destinations: the same op with `tensor.empty` destinations (sized by
/// `tensor::getOrCreateDestinations`, i.e. the op's reified result shapes).
struct AddDestinations : RewritePattern {
  AddDestinations(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa<AttnResDialect>(op->getDialect()) ||
        !isa<BufferizableOpInterface>(op) || op->getNumResults() == 0 ||
        numInits(op) != 0 ||
        !llvm::all_of(op->getResultTypes(), llvm::IsaPred<RankedTensorType>))
      return rewriter.notifyMatchFailure(op, "not a value form without outs");
    SmallVector<Value> destinations;
    if (failed(tensor::getOrCreateDestinations(rewriter, op->getLoc(), op,
                                               destinations)))
      return rewriter.notifyMatchFailure(op, "result shapes not reifiable");
    SmallVector<Value> operands(op->getOperands());
    llvm::append_range(operands, destinations);
    Operation *created = createWithDestinations(rewriter, op, operands);
    if (!created)
      return rewriter.notifyMatchFailure(op, "no form with destinations");
    rewriter.replaceOp(op, created->getResults());
    return success();
  }
};

struct AttnResAddDestinationsPass
    : attnres::impl::AttnResAddDestinationsPassBase<
          AttnResAddDestinationsPass> {
  using Base::Base;
  bool canScheduleOn(RegisteredOperationName name) const override {
    return attnres::canScheduleOnFunctionsOrModules(name);
  }

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateAttnResAddDestinationsPatterns(patterns);
    FrozenRewritePatternSet frozen(std::move(patterns));
    attnres::forEachFunction(getOperation(), [&](FunctionOpInterface func) {
      if (!func.isExternal())
        walkAndApplyPatterns(func, frozen);
    });
  }
};

} // namespace

void mlir::attnres::populateAttnResAddDestinationsPatterns(
    RewritePatternSet &patterns) {
  patterns.add<AddDestinations>(patterns.getContext());
}

void mlir::attnres::registerBufferizableOpInterfaceExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, AttnResDialect *) {
    DepthAttnOp::attachInterface<AttnResOpInterface<DepthAttnOp>>(*ctx);
    DepthAttnStatsOp::attachInterface<AttnResOpInterface<DepthAttnStatsOp>>(
        *ctx);
    DepthAttnMergeOp::attachInterface<AttnResOpInterface<DepthAttnMergeOp>>(
        *ctx);
    DepthAttnNormOp::attachInterface<AttnResOpInterface<DepthAttnNormOp>>(*ctx);
    DepthAttnMergeNormOp::attachInterface<
        AttnResOpInterface<DepthAttnMergeNormOp>>(*ctx);
    RMSNormOp::attachInterface<AttnResOpInterface<RMSNormOp>>(*ctx);
    BlockSummaryOp::attachInterface<AttnResOpInterface<BlockSummaryOp>>(*ctx);
    DepthLogitsOp::attachInterface<AttnResOpInterface<DepthLogitsOp>>(*ctx);
    DepthSoftmaxOp::attachInterface<AttnResOpInterface<DepthSoftmaxOp>>(*ctx);
    DepthCombineOp::attachInterface<AttnResOpInterface<DepthCombineOp>>(*ctx);
    DepthAttnGradOp::attachInterface<AttnResOpInterface<DepthAttnGradOp>>(*ctx);
    RMSNormGradOp::attachInterface<AttnResOpInterface<RMSNormGradOp>>(*ctx);
    DepthAttnStatsGradOp::attachInterface<
        AttnResOpInterface<DepthAttnStatsGradOp>>(*ctx);
    DepthAttnMergeGradOp::attachInterface<
        AttnResOpInterface<DepthAttnMergeGradOp>>(*ctx);
    ctx->loadDialect<bufferization::BufferizationDialect>();
  });
}
