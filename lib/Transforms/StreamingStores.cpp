//===- StreamingStores.cpp - non-temporal output stores -------------------===//
//
// Versions the output loops of the CPU kernels (tagged by
// convert-attnres-to-vector) on the alignment of their stores; the aligned
// version writes with non-temporal `vector.store`s, which skip the read for
// ownership of a normal store and do not pollute the cache with an output
// that is not read again soon.
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/IR/AttnResDialect.h"
#include "attnres/Dialect/AttnRes/Utils/Functions.h"
#include "attnres/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace attnres {
#define GEN_PASS_DEF_ATTNRESSTREAMINGSTORESPASS
#include "attnres/Transforms/Passes.h.inc"
} // namespace attnres
} // namespace mlir

using namespace mlir;
using namespace mlir::attnres;

namespace {

/// What the alignment check needs to know about one write of the loop.
struct StreamingWrite {
  /// The written memref, as seen before the loop.
  Value memref;
  /// The indices of the first store (the loop's lower bound last).
  SmallVector<Value> outerIndices;
  /// Bytes per store (16, 32 or 64).
  int64_t bytes = 0;
};

/// The memref `write` writes to, as a value available before `loop`: either
/// defined outside it, or an iter_arg the loop yields unchanged.
Value invariantMemref(scf::ForOp loop, Value memref) {
  if (loop.isDefinedOutsideOfLoop(memref))
    return memref;
  auto arg = dyn_cast<BlockArgument>(memref);
  if (!arg || arg.getOwner() != loop.getBody() || arg.getArgNumber() == 0)
    return {};
  unsigned pos = arg.getArgNumber() - 1;
  auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
  if (pos >= yield.getNumOperands() || yield.getOperand(pos) != arg)
    return {};
  return loop.getInitArgs()[pos];
}

/// Checks that `write` can become an aligned non-temporal store in `loop`.
std::optional<StreamingWrite>
analyzeWrite(scf::ForOp loop, vector::TransferWriteOp write, int64_t step) {
  auto memrefType = dyn_cast<MemRefType>(write.getBase().getType());
  VectorType vecType = write.getVectorType();
  if (!memrefType || write.getMask() || vecType.getRank() != 1 ||
      vecType.isScalable() || !write.getPermutationMap().isMinorIdentity() ||
      !write.isDimInBounds(0) || memrefType.getRank() < 1)
    return std::nullopt;
  Type elem = memrefType.getElementType();
  if (!elem.isIntOrFloat() || elem != vecType.getElementType() ||
      elem.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(memrefType.getStridesAndOffset(strides, offset)) ||
      strides.back() != 1)
    return std::nullopt;
  int64_t lanes = vecType.getNumElements();
  int64_t bytes = lanes * elem.getIntOrFloatBitWidth() / 8;
  if (lanes != step || (bytes != 16 && bytes != 32 && bytes != 64))
    return std::nullopt;
  ValueRange indices = write.getIndices();
  if (indices.size() != size_t(memrefType.getRank()) ||
      indices.back() != loop.getInductionVar())
    return std::nullopt;
  StreamingWrite result;
  for (Value index : indices.drop_back()) {
    if (!loop.isDefinedOutsideOfLoop(index))
      return std::nullopt;
    result.outerIndices.push_back(index);
  }
  result.memref = invariantMemref(loop, write.getBase());
  if (!result.memref)
    return std::nullopt;
  result.bytes = bytes;
  return result;
}

/// `i1`: the address of `memref[outer..., first]` is a multiple of `bytes`.
Value isAligned(OpBuilder &b, Location loc, const StreamingWrite &write,
                Value first) {
  auto memrefType = cast<MemRefType>(write.memref.getType());
  int64_t elemBytes = memrefType.getElementType().getIntOrFloatBitWidth() / 8;
  Value base =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, write.memref);
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, write.memref);
  Value linear = meta.getOffset();
  for (auto [index, stride] : llvm::zip(write.outerIndices, meta.getStrides()))
    linear = arith::AddIOp::create(
        b, loc, linear, arith::MulIOp::create(b, loc, index, stride));
  linear = arith::AddIOp::create(b, loc, linear, first);
  Value address = arith::AddIOp::create(
      b, loc, base,
      arith::MulIOp::create(b, loc, linear,
                            arith::ConstantIndexOp::create(b, loc, elemBytes)));
  Value low = arith::AndIOp::create(
      b, loc, address, arith::ConstantIndexOp::create(b, loc, write.bytes - 1));
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, low,
                               arith::ConstantIndexOp::create(b, loc, 0));
}

struct VersionStreamingLoop : OpRewritePattern<scf::ForOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(scf::ForOp loop,
                                PatternRewriter &rewriter) const override {
    if (!loop->hasAttr(kStreamingStoresAttrName))
      return failure();
    SmallVector<vector::TransferWriteOp> writes;
    bool nested = false, onTensors = false;
    loop.getBody()->walk([&](vector::TransferWriteOp write) {
      if (isa<RankedTensorType>(write.getBase().getType()))
        onTensors = true;
      if (write->getParentOp() != loop)
        nested = true;
      writes.push_back(write);
    });
    // Not bufferized yet: leave the loop (and its tag) for a later run.
    if (onTensors)
      return rewriter.notifyMatchFailure(loop, "writes tensors");

    std::optional<int64_t> step = getConstantIntValue(loop.getStep());
    SmallVector<StreamingWrite> analyzed;
    bool eligible = !nested && !writes.empty() && step.has_value();
    for (vector::TransferWriteOp write : writes) {
      if (!eligible)
        break;
      std::optional<StreamingWrite> info = analyzeWrite(loop, write, *step);
      if (!info)
        eligible = false;
      else
        analyzed.push_back(*info);
    }
    if (!eligible) {
      rewriter.modifyOpInPlace(
          loop, [&] { loop->removeAttr(kStreamingStoresAttrName); });
      return success();
    }

    Location loc = loop.getLoc();
    Value aligned;
    for (const StreamingWrite &write : analyzed) {
      Value check = isAligned(rewriter, loc, write, loop.getLowerBound());
      aligned = aligned ? arith::AndIOp::create(rewriter, loc, aligned, check)
                        : check;
    }
    auto ifOp = scf::IfOp::create(rewriter, loc, loop.getResultTypes(), aligned,
                                  /*addThenBlock=*/true,
                                  /*addElseBlock=*/true);
    // Aligned: a copy of the loop whose writes are non-temporal stores.
    rewriter.setInsertionPointToStart(ifOp.thenBlock());
    auto fast = cast<scf::ForOp>(rewriter.clone(*loop));
    rewriter.modifyOpInPlace(
        fast, [&] { fast->removeAttr(kStreamingStoresAttrName); });
    SmallVector<vector::TransferWriteOp> cloned;
    fast.getBody()->walk(
        [&](vector::TransferWriteOp w) { cloned.push_back(w); });
    for (auto [write, info] : llvm::zip_equal(cloned, analyzed)) {
      rewriter.setInsertionPoint(write);
      vector::StoreOp::create(rewriter, write.getLoc(), write.getVector(),
                              write.getBase(), write.getIndices(),
                              /*nontemporal=*/true,
                              llvm::MaybeAlign(info.bytes));
      rewriter.eraseOp(write);
    }
    rewriter.setInsertionPointToEnd(ifOp.thenBlock());
    scf::YieldOp::create(rewriter, loc, fast.getResults());
    // Otherwise: the loop as it was.
    rewriter.setInsertionPointToStart(ifOp.elseBlock());
    auto plain = cast<scf::ForOp>(rewriter.clone(*loop));
    rewriter.modifyOpInPlace(
        plain, [&] { plain->removeAttr(kStreamingStoresAttrName); });
    scf::YieldOp::create(rewriter, loc, plain.getResults());
    rewriter.replaceOp(loop, ifOp.getResults());
    return success();
  }
};

struct AttnResStreamingStoresPass
    : attnres::impl::AttnResStreamingStoresPassBase<
          AttnResStreamingStoresPass> {
  bool canScheduleOn(RegisteredOperationName name) const override {
    return attnres::canScheduleOnFunctionsOrModules(name);
  }

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateAttnResStreamingStorePatterns(patterns);
    // Versioning drops the tag from both copies, so the rewrite converges;
    // tagged loops nested in a versioned one are visited in both copies.
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void mlir::attnres::populateAttnResStreamingStorePatterns(
    RewritePatternSet &patterns) {
  patterns.add<VersionStreamingLoop>(patterns.getContext());
}
