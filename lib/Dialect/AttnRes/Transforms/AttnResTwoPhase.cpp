//===- AttnResTwoPhase.cpp - two-phase scheduling of a block's sites ------===//
//
// Sites of one Block AttnRes block attend over the same completed blocks
// [b_0 .. b_{n-1}] and, from the second site on, one running partial. Their
// shared part is computed once for all queries (depth_attn_stats); each site
// then merges its partial (depth_attn_merge).
//
// Grouping (structural, on SSA values). Each site picks a key:
//   * its full source list P, when some other site's sources are P + [x]
//     (it is the first site of a group with followers), else
//   * its sources without the last one (it merges that one), if it has >= 2,
//   * else its full source list.
// A group is all sites of one region block with the same key, eps and query
// type; it is rewritten at its first site. Sites without token rows (a token
// dim of static size 0) have nothing to share and stay per-site, as do
// groups whose phase-1 output would not be addressable (> 2^63 - 1 bytes).
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "attnres/Dialect/AttnRes/Transforms/Passes.h"
#include "attnres/Dialect/AttnRes/Utils/Functions.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/CheckedArithmetic.h"
#include <limits>

namespace mlir {
namespace attnres {
#define GEN_PASS_DEF_ATTNRESTWOPHASEPASS
#include "attnres/Dialect/AttnRes/Transforms/Passes.h.inc"
} // namespace attnres
} // namespace mlir

using namespace mlir;
using namespace mlir::attnres;

namespace {

/// Whether `value` is available right before `op` (defined in an enclosing
/// block before it, or an argument of an enclosing block).
bool availableBefore(Value value, Operation *op) {
  if (auto arg = dyn_cast<BlockArgument>(value))
    return arg.getOwner()->findAncestorOpInBlock(*op) != nullptr;
  Operation *def = value.getDefiningOp();
  Operation *ancestor = def->getBlock()->findAncestorOpInBlock(*op);
  return ancestor && ancestor != def && def->isBeforeInBlock(ancestor);
}

/// Whether `value` is available before `op` or computed by side-effect-free
/// ops (at most `depth` deep) whose operands are; such ops can be hoisted.
bool hoistableBefore(Value value, Operation *op, unsigned depth = 4) {
  if (availableBefore(value, op))
    return true;
  Operation *def = value.getDefiningOp();
  if (!def || def == op || depth == 0 || !isMemoryEffectFree(def) ||
      def->getNumRegions() != 0 || def->getBlock() != op->getBlock())
    return false;
  return llvm::all_of(def->getOperands(), [&](Value operand) {
    return hoistableBefore(operand, op, depth - 1);
  });
}

/// Moves the ops computing `value` before `op` (after `hoistableBefore`).
void hoistBefore(Value value, Operation *op, RewriterBase &rewriter) {
  if (availableBefore(value, op))
    return;
  Operation *def = value.getDefiningOp();
  for (Value operand : def->getOperands())
    hoistBefore(operand, op, rewriter);
  rewriter.moveOpBefore(def, op);
}

bool startsWith(OperandRange sources, ArrayRef<Value> prefix) {
  return sources.size() >= prefix.size() &&
         llvm::equal(sources.take_front(prefix.size()), prefix);
}

/// The key (shared prefix) a site picks; see the file comment.
SmallVector<Value> chooseKey(DepthAttnOp site) {
  OperandRange sources = site.getSources();
  SmallVector<Value> full(sources.begin(), sources.end());
  for (Operation *user : full.back().getUsers()) {
    auto other = dyn_cast<DepthAttnOp>(user);
    if (other && other != site && other->getBlock() == site->getBlock() &&
        other.getSources().size() == full.size() + 1 &&
        startsWith(other.getSources(), full))
      return full;
  }
  if (full.size() >= 2)
    full.pop_back();
  return full;
}

struct Member {
  DepthAttnOp site;
  bool merges; // sources = key + [u]
};

/// The group of `site` in block order (empty if the site is malformed).
SmallVector<Member> collectGroup(DepthAttnOp site, ArrayRef<Value> key) {
  SmallVector<Member> members;
  llvm::SmallPtrSet<Operation *, 16> seen;
  for (Operation *user : key.back().getUsers()) {
    auto other = dyn_cast<DepthAttnOp>(user);
    // Sites with a destination or in the memref form keep their own op.
    if (!other || other.getInit() || other.hasBufferSemantics() ||
        !seen.insert(other).second || other->getBlock() != site->getBlock() ||
        other.getEpsAttr() != site.getEpsAttr() ||
        other.getQuery().getType() != site.getQuery().getType() ||
        other.getType() != site.getType())
      continue;
    size_t n = other.getSources().size();
    if ((n != key.size() && n != key.size() + 1) ||
        !startsWith(other.getSources(), key))
      continue;
    // The last key value may also appear as `u` of a longer site; only sites
    // that choose this key belong to the group.
    if (chooseKey(other) != key)
      continue;
    members.push_back({other, n == key.size() + 1});
  }
  llvm::sort(members, [](const Member &a, const Member &b) {
    return a.site->isBeforeInBlock(b.site);
  });
  return members;
}

struct TwoPhaseGroup : OpRewritePattern<DepthAttnOp> {
  TwoPhaseGroup(MLIRContext *ctx, TwoPhaseMode mode)
      : OpRewritePattern(ctx), mode(mode) {}

  LogicalResult matchAndRewrite(DepthAttnOp site,
                                PatternRewriter &rewriter) const override {
    if (mode == TwoPhaseMode::Off || site.getSources().empty() ||
        site.getInit() || site.hasBufferSemantics())
      return failure();
    SmallVector<Value> key = chooseKey(site);
    SmallVector<Member> members = collectGroup(site, key);
    if (members.empty() || members.front().site != site)
      return rewriter.notifyMatchFailure(site, "not the first site of a group");
    // Every query must be available where phase 1 runs (before `site`), or
    // be computed from available values by side-effect-free ops (a slice of
    // a parameter tensor, say), which are hoisted there.
    llvm::erase_if(members, [&](Member &m) {
      return m.site != site && !hoistableBefore(m.site.getQuery(), site);
    });
    int64_t numMerges =
        llvm::count_if(members, [](const Member &m) { return m.merges; });
    int64_t numSites = members.size();
    if (numSites < 2)
      return rewriter.notifyMatchFailure(site, "group has a single site");
    auto srcType = site.getType();
    // No token rows: every site is an empty tensor, there is nothing to
    // share (and no row of the phase-1 output to slice).
    if (llvm::is_contained(srcType.getShape(), 0))
      return rewriter.notifyMatchFailure(site, "no token rows");
    SmallVector<int64_t> outShape = {numSites};
    llvm::append_range(outShape, srcType.getShape());
    auto outType = RankedTensorType::get(outShape, srcType.getElementType());
    if (!getStaticSizeInBytes(outType))
      return rewriter.notifyMatchFailure(
          site, "phase-1 output spans more than 2^63 - 1 bytes");
    int64_t hidden = srcType.getShape().back();
    if (mode == TwoPhaseMode::Auto) {
      if (ShapedType::isDynamic(hidden))
        hidden = 1; // Byte ratios do not depend on D.
      int64_t elementBytes =
          std::max<int64_t>(1, srcType.getElementTypeBitWidth() / 8);
      if (!isTwoPhaseCheaper(key.size(), numSites, numMerges, hidden,
                             elementBytes))
        return rewriter.notifyMatchFailure(site, "two-phase moves more bytes");
    }

    // Phase 1 for all queries of the group, right before its first site.
    Location loc = site.getLoc();
    for (Member &m : members)
      hoistBefore(m.site.getQuery(), site, rewriter);
    rewriter.setInsertionPoint(site);
    // The rows of the queries tensor have D elements: static when the query
    // type or the sources know it (a dynamic-length query is cast to that
    // static type), else the sources' hidden dim at run time.
    auto queryType = cast<RankedTensorType>(site.getQuery().getType());
    int64_t queryLen = queryType.getDimSize(0);
    if (ShapedType::isDynamic(queryLen))
      queryLen = srcType.getShape().back();
    OpFoldResult hiddenSize =
        ShapedType::isDynamic(queryLen)
            ? tensor::getMixedSize(rewriter, loc, key[0], srcType.getRank() - 1)
            : OpFoldResult(rewriter.getIndexAttr(queryLen));
    auto rowType =
        RankedTensorType::get({queryLen}, queryType.getElementType());
    Value queries = tensor::EmptyOp::create(
        rewriter, loc,
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(numSites), hiddenSize},
        queryType.getElementType());
    for (auto [i, m] : llvm::enumerate(members)) {
      Value query = m.site.getQuery();
      if (query.getType() != rowType)
        query = tensor::CastOp::create(rewriter, loc, rowType, query);
      queries = tensor::InsertSliceOp::create(
          rewriter, loc, query, queries,
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(i),
                                 rewriter.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1), hiddenSize},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1),
                                 rewriter.getIndexAttr(1)});
    }
    SmallVector<int64_t> lseShape(outShape.begin(), std::prev(outShape.end()));
    auto lseType = RankedTensorType::get(lseShape, rewriter.getF32Type());
    auto stats = DepthAttnStatsOp::create(rewriter, loc, outType, lseType,
                                          queries, key, site.getEpsAttr());

    // Phase 2 per site.
    SmallVector<OpFoldResult> srcSizes =
        tensor::getMixedSizes(rewriter, loc, key[0]);
    for (auto [i, m] : llvm::enumerate(members)) {
      rewriter.setInsertionPoint(m.site);
      Location siteLoc = m.site.getLoc();
      int64_t rank = srcType.getRank();
      SmallVector<OpFoldResult> offsets(rank + 1, rewriter.getIndexAttr(0));
      offsets[0] = rewriter.getIndexAttr(i);
      SmallVector<OpFoldResult> sizes = {rewriter.getIndexAttr(1)};
      llvm::append_range(sizes, srcSizes);
      SmallVector<OpFoldResult> strides(rank + 1, rewriter.getIndexAttr(1));
      Value row = tensor::ExtractSliceOp::create(rewriter, siteLoc, srcType,
                                                 stats.getOutput(), offsets,
                                                 sizes, strides);
      if (!m.merges) {
        rewriter.replaceOp(m.site, row);
        continue;
      }
      auto tokType = RankedTensorType::get(srcType.getShape().drop_back(),
                                           rewriter.getF32Type());
      Value lse = tensor::ExtractSliceOp::create(
          rewriter, siteLoc, tokType, stats.getLse(),
          ArrayRef<OpFoldResult>(offsets).drop_back(),
          ArrayRef<OpFoldResult>(sizes).drop_back(),
          ArrayRef<OpFoldResult>(strides).drop_back());
      Value h = DepthAttnMergeOp::create(
                    rewriter, siteLoc, srcType, row, lse, m.site.getQuery(),
                    m.site.getSources().back(), m.site.getEpsAttr())
                    .getResult();
      rewriter.replaceOp(m.site, h);
    }
    return success();
  }

  TwoPhaseMode mode;
};

struct AttnResTwoPhasePass
    : attnres::impl::AttnResTwoPhasePassBase<AttnResTwoPhasePass> {
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
    if (mode == TwoPhaseMode::Off)
      return;
    // Sites whose tensors cannot be addressed are reported (each of them)
    // before anything is rewritten.
    bool tooLarge = false;
    func.walk([&](DepthAttnOp site) {
      if (failed(checkAddressableTypes(site)))
        tooLarge = true;
    });
    if (tooLarge)
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateAttnResTwoPhasePatterns(patterns, mode);
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingOps);
    if (failed(applyPatternsGreedily(func, std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace

void mlir::attnres::populateAttnResTwoPhasePatterns(RewritePatternSet &patterns,
                                                    TwoPhaseMode mode) {
  patterns.add<TwoPhaseGroup>(patterns.getContext(), mode);
}
