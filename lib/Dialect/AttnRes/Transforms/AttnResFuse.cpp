//===- AttnResFuse.cpp - RMSNorm + softmax fusion -------------------------===//
//
// rms_norm → depth_logits → depth_softmax → depth_combine  ⇒  depth_attn
// (attnres-fuse), and the RMSNorm epilogue: depth_attn(_merge) → rms_norm
// ⇒ depth_attn(_merge)_norm (attnres-fuse-norm-epilogues).
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "attnres/Dialect/AttnRes/Transforms/Passes.h"
#include "attnres/Dialect/AttnRes/Utils/Functions.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SetVector.h"

namespace mlir {
namespace attnres {
#define GEN_PASS_DEF_ATTNRESFUSEPASS
#define GEN_PASS_DEF_ATTNRESFUSENORMEPILOGUESPASS
#include "attnres/Dialect/AttnRes/Transforms/Passes.h.inc"
} // namespace attnres
} // namespace mlir

using namespace mlir;
using namespace mlir::attnres;

namespace {

Value toF32(OpBuilder &b, Location loc, Value v) {
  if (v.getType().isF32())
    return v;
  return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
}

/// `q = γ ⊙ w` as an f32 vector: one elementwise op over D, per site.
Value foldGainIntoQuery(OpBuilder &b, Location loc, Value gain, Value query) {
  MLIRContext *ctx = b.getContext();
  Value init = tensor::EmptyOp::create(
      b, loc, tensor::getMixedSizes(b, loc, query), b.getF32Type());
  AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{gain, query},
      ValueRange{init}, ArrayRef<AffineMap>{id, id, id},
      ArrayRef<utils::IteratorType>{utils::IteratorType::parallel},
      [](OpBuilder &nb, Location nl, ValueRange args) {
        Value product = arith::MulFOp::create(nb, nl, toF32(nb, nl, args[0]),
                                              toF32(nb, nl, args[1]));
        linalg::YieldOp::create(nb, nl, product);
      });
  return generic->getResult(0);
}

struct FuseRMSNormSoftmax : OpRewritePattern<DepthCombineOp> {
  FuseRMSNormSoftmax(MLIRContext *ctx, FuseKeyRounding keyRounding)
      : OpRewritePattern(ctx), keyRounding(keyRounding) {}
  FuseKeyRounding keyRounding;

  LogicalResult matchAndRewrite(DepthCombineOp combine,
                                PatternRewriter &rewriter) const override {
    // Value forms only (the memref form has no producer to match).
    if (combine.hasBufferSemantics())
      return rewriter.notifyMatchFailure(combine, "memref form");
    auto softmax = combine.getWeights().getDefiningOp<DepthSoftmaxOp>();
    if (!softmax || !softmax->hasOneUse())
      return rewriter.notifyMatchFailure(
          combine, "weights are not a single-use softmax");
    auto logits = softmax.getLogits().getDefiningOp<DepthLogitsOp>();
    if (!logits || !logits->hasOneUse())
      return rewriter.notifyMatchFailure(
          combine, "softmax input is not single-use logits");
    if (logits.getKeys().size() != combine.getValues().size() ||
        combine.getValues().empty())
      return rewriter.notifyMatchFailure(combine, "key/value count mismatch");
    SmallVector<RMSNormOp> norms;
    for (auto [key, value] :
         llvm::zip_equal(logits.getKeys(), combine.getValues())) {
      auto norm = key.getDefiningOp<RMSNormOp>();
      if (!norm || norm.getInput() != value)
        return rewriter.notifyMatchFailure(
            combine, "a key is not the rms_norm of the matching value");
      if (!norms.empty() && (norm.getGain() != norms.front().getGain() ||
                             norm.getEpsAttr() != norms.front().getEpsAttr()))
        return rewriter.notifyMatchFailure(combine,
                                           "keys use different gains or eps");
      norms.push_back(norm);
    }

    if (keyRounding == FuseKeyRounding::Chain &&
        !getElementTypeOrSelf(norms.front().getType()).isF32())
      return rewriter.notifyMatchFailure(
          combine, "key-rounding=chain: the keys are not f32");

    Location loc = combine.getLoc();
    Value query = foldGainIntoQuery(rewriter, loc, norms.front().getGain(),
                                    logits.getQuery());
    // The combine's destination becomes the site's; those of the erased
    // steps only said where their intermediate values would go.
    DepthAttnOp fused;
    if (Value init = combine.getInit())
      fused = DepthAttnOp::create(rewriter, loc, query, combine.getValues(),
                                  init, norms.front().getEpsAttr());
    else
      fused =
          DepthAttnOp::create(rewriter, loc, combine.getType(), query,
                              combine.getValues(), norms.front().getEpsAttr());
    rewriter.replaceOp(combine, fused.getResult());
    rewriter.eraseOp(softmax);
    rewriter.eraseOp(logits);
    // A key may appear more than once; erase each dead norm once.
    llvm::SetVector<Operation *> dead;
    for (RMSNormOp norm : norms)
      if (norm->use_empty())
        dead.insert(norm);
    for (Operation *op : dead)
      rewriter.eraseOp(op);
    return success();
  }
};

struct AttnResFusePass : attnres::impl::AttnResFusePassBase<AttnResFusePass> {
  using Base::Base;
  bool canScheduleOn(RegisteredOperationName name) const override {
    return attnres::canScheduleOnFunctionsOrModules(name);
  }

  void runOnOperation() override {
    attnres::forEachFunction(
        getOperation(), [&](FunctionOpInterface func) { runOnFunction(func); });
  }

  void runOnFunction(FunctionOpInterface func) {
    if (func.isExternal())
      return;
    RewritePatternSet patterns(&getContext());
    populateAttnResFusePatterns(patterns, keyRounding);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      signalPassFailure();
  }
};

/// Whether `value` is defined before `op` (in an enclosing block, or as an
/// argument of one), so an op placed at `op` can read it.
bool definedBefore(Value value, Operation *op) {
  if (auto arg = dyn_cast<BlockArgument>(value))
    return arg.getOwner()->findAncestorOpInBlock(*op) != nullptr;
  Operation *def = value.getDefiningOp();
  Operation *ancestor = def->getBlock()->findAncestorOpInBlock(*op);
  return ancestor && ancestor != def && def->isBeforeInBlock(ancestor);
}

bool hasEncoding(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.getEncoding();
}

/// rms_norm(h) with `h` the result of a value-form depth_attn or
/// depth_attn_merge ⇒ depth_attn_norm / depth_attn_merge_norm at the site,
/// keeping `h` as a result only when it has other users.
struct FuseNormEpilogue : OpRewritePattern<RMSNormOp> {
  FuseNormEpilogue(MLIRContext *ctx, NormEpilogueProducers producers)
      : OpRewritePattern(ctx), producers(producers) {}
  NormEpilogueProducers producers;

  LogicalResult matchAndRewrite(RMSNormOp norm,
                                PatternRewriter &rewriter) const override {
    Operation *site = norm.getInput().getDefiningOp();
    auto attn = dyn_cast_or_null<DepthAttnOp>(site);
    auto merge = dyn_cast_or_null<DepthAttnMergeOp>(site);
    if (!attn && !merge)
      return rewriter.notifyMatchFailure(
          norm, "input is not a depth_attn or depth_attn_merge result");
    if (attn && producers == NormEpilogueProducers::Merges)
      return rewriter.notifyMatchFailure(norm, "producers=merges");
    if ((attn && (attn.getInit() || attn.getSources().empty())) ||
        (merge && merge.getInit()))
      return rewriter.notifyMatchFailure(
          norm, "the site has destinations or is in the memref form");
    if (llvm::any_of(site->getOperandTypes(), hasEncoding) ||
        llvm::any_of(norm->getOperandTypes(), hasEncoding))
      return rewriter.notifyMatchFailure(norm, "tensor encodings");
    if (!definedBefore(norm.getGain(), site))
      return rewriter.notifyMatchFailure(
          norm, "the gain is not defined before the site");
    bool keepMerged =
        llvm::any_of(norm.getInput().getUsers(),
                     [&](Operation *user) { return user != norm; });
    rewriter.setInsertionPoint(site);
    Operation *fused;
    if (attn)
      fused = DepthAttnNormOp::create(
          rewriter, site->getLoc(), attn.getQuery(), attn.getSources(),
          norm.getGain(), keepMerged, attn.getEpsAttr(), norm.getEpsAttr());
    else
      fused = DepthAttnMergeNormOp::create(
          rewriter, site->getLoc(), merge.getOutput(), merge.getLse(),
          merge.getQuery(), merge.getSource(), norm.getGain(), keepMerged,
          merge.getEpsAttr(), norm.getEpsAttr());
    fused->setDiscardableAttrs(site->getDiscardableAttrDictionary());
    rewriter.replaceOp(norm, fused->getResult(0));
    if (keepMerged)
      rewriter.replaceOp(site, fused->getResult(1));
    else
      rewriter.eraseOp(site);
    return success();
  }
};

struct AttnResFuseNormEpiloguesPass
    : attnres::impl::AttnResFuseNormEpiloguesPassBase<
          AttnResFuseNormEpiloguesPass> {
  using Base::Base;
  bool canScheduleOn(RegisteredOperationName name) const override {
    return attnres::canScheduleOnFunctionsOrModules(name);
  }

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateAttnResFuseNormEpiloguePatterns(patterns, producers);
    FrozenRewritePatternSet frozen(std::move(patterns));
    attnres::forEachFunction(getOperation(), [&](FunctionOpInterface func) {
      if (!func.isExternal() && failed(applyPatternsGreedily(func, frozen)))
        signalPassFailure();
    });
  }
};

} // namespace

void mlir::attnres::populateAttnResFusePatterns(RewritePatternSet &patterns,
                                                FuseKeyRounding keyRounding) {
  patterns.add<FuseRMSNormSoftmax>(patterns.getContext(), keyRounding);
}

void mlir::attnres::populateAttnResFuseNormEpiloguePatterns(
    RewritePatternSet &patterns, NormEpilogueProducers producers) {
  patterns.add<FuseNormEpilogue>(patterns.getContext(), producers);
}

namespace mlir {
namespace attnres {
#define GEN_PASS_DEF_ATTNRESCHECKLOWEREDPASS
#include "attnres/Dialect/AttnRes/Transforms/Passes.h.inc"
} // namespace attnres
} // namespace mlir

namespace {
struct AttnResCheckLoweredPass
    : attnres::impl::AttnResCheckLoweredPassBase<AttnResCheckLoweredPass> {
  using Base::Base;
  void runOnOperation() override {
    bool left = false;
    getOperation()->walk([&](Operation *op) {
      if (!isa_and_nonnull<AttnResDialect>(op->getDialect()))
        return;
      if (keepBufferizable && isa<bufferization::BufferizableOpInterface>(op))
        if (auto fn = op->getParentOfType<FunctionOpInterface>())
          if (fn->getParentOp() == getOperation())
            return;
      left = true;
      InFlightDiagnostic diag =
          op->emitOpError("was not lowered: the attnres lowerings run on the "
                          "functions directly in the module");
      if (auto fn = op->getParentOfType<FunctionOpInterface>())
        diag.attachNote(fn.getLoc())
            << "inside this '" << fn->getName() << "', which is not directly "
            << "in the module";
    });
    if (left)
      signalPassFailure();
  }
};
} // namespace
