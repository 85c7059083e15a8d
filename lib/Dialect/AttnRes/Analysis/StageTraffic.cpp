//===- StageTraffic.cpp - pipeline-stage traffic of AttnRes models --------===//
//
// Chunk assignment from `attnres.chunk`, parameter detection, structural
// classification of site sources (blocks vs. the running partial), live
// ranges across chunk boundaries, and the naive / cached traffic per hop of
// math §5. Definitions: docs/pipeline-parallel.md.
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/Analysis/StageTraffic.h"

#include "attnres/Dialect/AttnRes/IR/AttnResDialect.h"
#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/CastInterfaces.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"
#include <optional>

using namespace mlir;
using namespace mlir::attnres;

StringRef mlir::attnres::stringifyTravelKind(TravelKind kind) {
  switch (kind) {
  case TravelKind::Block:
    return "block";
  case TravelKind::Partial:
    return "partial";
  case TravelKind::Other:
    return "other";
  }
  return "other";
}

namespace {

/// Bytes of one element of an int/float type, -1 otherwise.
int64_t elementBytes(Type type) {
  if (!type.isIntOrFloat())
    return -1;
  return (type.getIntOrFloatBitWidth() + 7) / 8;
}

/// Row and total bytes of a value's type (see `TravellingValue`); nullopt
/// when a count does not fit in int64_t.
std::optional<std::pair<int64_t, int64_t>> valueBytes(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type)) {
    int64_t elem = elementBytes(tensor.getElementType());
    if (elem < 0)
      return std::make_pair(int64_t(-1), int64_t(-1));
    int64_t row = elem;
    if (tensor.getRank() > 0) {
      int64_t last = tensor.getShape().back();
      if (ShapedType::isDynamic(last)) {
        row = -1;
      } else {
        std::optional<int64_t> bytes = llvm::checkedMul(last, elem);
        if (!bytes)
          return std::nullopt;
        row = *bytes;
      }
    }
    if (!tensor.hasStaticShape())
      return std::make_pair(row, int64_t(-1));
    // The element count, checked (ShapedType::getNumElements wraps around in
    // a release build); a zero dimension makes it 0 whatever the others are.
    if (llvm::is_contained(tensor.getShape(), 0))
      return std::make_pair(row, int64_t(0));
    std::optional<int64_t> total = elem;
    for (int64_t dim : tensor.getShape())
      if (total)
        total = llvm::checkedMul(*total, dim);
    if (!total)
      return std::nullopt;
    return std::make_pair(row, *total);
  }
  int64_t elem = elementBytes(type);
  return std::make_pair(elem, elem);
}

/// Adds `bytes` to `sum` where -1 (unknown) absorbs everything; false when
/// the sum does not fit in int64_t.
[[nodiscard]] bool addBytes(int64_t &sum, int64_t bytes) {
  if (sum < 0 || bytes < 0) {
    sum = -1;
    return true;
  }
  std::optional<int64_t> total = llvm::checkedAdd(sum, bytes);
  if (!total)
    return false;
  sum = *total;
  return true;
}

/// Whether every value `op` uses from outside itself is in `parameters`.
bool usesOnlyParameters(Operation *op,
                        const llvm::DenseSet<Value> &parameters) {
  if (!llvm::all_of(op->getOperands(),
                    [&](Value v) { return parameters.contains(v); }))
    return false;
  WalkResult result = op->walk([&](Operation *nested) {
    if (nested == op)
      return WalkResult::advance();
    for (Value v : nested->getOperands()) {
      Region *defRegion = v.getParentRegion();
      if (op->isProperAncestor(defRegion->getParentOp()) ||
          defRegion->getParentOp() == op)
        continue; // defined inside `op`
      if (!parameters.contains(v))
        return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return !result.wasInterrupted();
}

} // namespace

bool mlir::attnres::isParameterFold(Operation *op) {
  if (isa_and_present<AttnResDialect>(op->getDialect()))
    return false;
  if (isa<tensor::EmptyOp, tensor::CastOp, tensor::BitcastOp,
          tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::ReshapeOp,
          tensor::ExtractSliceOp, tensor::ExtractOp, tensor::SplatOp,
          tensor::FromElementsOp, tensor::DimOp, CastOpInterface>(op))
    return true;
  if (op->hasTrait<OpTrait::Elementwise>())
    return true;
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    return linalgOp->getNumRegions() == 1 && linalg::isElementwise(linalgOp);
  return false;
}

//===----------------------------------------------------------------------===//
// StageTrafficAnalysis
//===----------------------------------------------------------------------===//

StageTrafficAnalysis::StageTrafficAnalysis(Operation *op) : funcOp(op) {
  auto func = dyn_cast<FunctionOpInterface>(op);
  if (!func || func.isExternal())
    return;
  Region &body = func.getFunctionBody();

  // Annotations must sit on ops of a single-block body.
  auto fail = [&](Operation *at, const Twine &message) {
    if (!errorOp) {
      errorOp = at;
      errorMessage = message.str();
    }
  };
  for (Block &block : body) {
    for (Operation &top : block) {
      top.walk([&](Operation *nested) {
        if (nested != &top && nested->hasAttr(kChunkAttrName))
          fail(nested, Twine("'") + kChunkAttrName +
                           "' must annotate an op of the function body, "
                           "not an op nested in a region");
      });
      if (top.hasAttr(kChunkAttrName) && !body.hasOneBlock())
        fail(&top, Twine("'") + kChunkAttrName +
                       "' needs a function body with a single block");
    }
  }
  if (!body.hasOneBlock())
    return;

  // Chunks: non-decreasing along the body.
  int64_t current = 0;
  for (Operation &top : body.front()) {
    bodyOps.push_back(&top);
    if (Attribute attr = top.getAttr(kChunkAttrName)) {
      auto intAttr = dyn_cast<IntegerAttr>(attr);
      if (!intAttr) {
        fail(&top, Twine("'") + kChunkAttrName +
                       "' must be an integer attribute (e.g. 3 : i64)");
      } else {
        // Range-checked before reading (the dialect verifies the same; this
        // analysis may also be asked about unverified IR).
        const APInt &value = intAttr.getValue();
        bool negative =
            !intAttr.getType().isUnsignedInteger() && value.isNegative();
        int64_t chunk = negative || value.getActiveBits() > 63
                            ? -1
                            : static_cast<int64_t>(value.getZExtValue());
        if (negative)
          fail(&top, Twine("'") + kChunkAttrName + "' must be >= 0");
        else if (chunk < 0)
          fail(&top,
               Twine("'") + kChunkAttrName + "' must be at most 2^63 - 1");
        else if (chunk < current)
          fail(&top, Twine("'") + kChunkAttrName + "' decreases from " +
                         Twine(current) + " to " + Twine(chunk) +
                         " (chunks must not decrease along the function body)");
        else {
          current = chunk;
          annotated = true;
          if (!maxChunkOp || chunk > maxChunk) {
            maxChunk = chunk;
            maxChunkOp = &top;
          }
        }
      }
    }
    chunkOf[&top] = current;
  }

  // Site sources: blocks (any position but the last, or shared sources of
  // phase 1) and last sources (partial candidates).
  auto note = [](llvm::DenseMap<Value, int64_t> &uses, Value v, int64_t c) {
    auto [it, inserted] = uses.try_emplace(v, c);
    if (!inserted)
      it->second = std::max(it->second, c);
  };
  auto addSources = [&](ValueRange sources, int64_t chunk) {
    for (auto [i, source] : llvm::enumerate(sources)) {
      if (i == 0 || i + 1 < sources.size())
        note(blockUses, source, chunk);
      else
        note(lastUses, source, chunk);
    }
  };
  op->walk([&](Operation *nested) {
    int64_t chunk = getChunk(nested);
    if (auto site = dyn_cast<DepthAttnOp>(nested))
      addSources(site.getSources(), chunk);
    else if (auto combine = dyn_cast<DepthCombineOp>(nested))
      addSources(combine.getValues(), chunk);
    else if (auto stats = dyn_cast<DepthAttnStatsOp>(nested))
      for (Value source : stats.getSources())
        note(blockUses, source, chunk);
    else if (auto merge = dyn_cast<DepthAttnMergeOp>(nested))
      note(lastUses, merge.getSource(), chunk);
  });

  // Parameters (docs/pipeline-parallel.md §1): constants and cheap folds of
  // parameters, never an AttnRes op, never annotated compute, never a value a
  // site reads as a source (those are inputs: the embedding b_0 is data even
  // when it is baked into the program as a constant).
  auto isSiteSource = [&](Value v) {
    return blockUses.contains(v) || lastUses.contains(v);
  };
  for (Operation *top : bodyOps) {
    if (top->getNumResults() == 0 || top->hasTrait<OpTrait::IsTerminator>() ||
        isa_and_present<AttnResDialect>(top->getDialect()))
      continue;
    bool foldable =
        top->hasTrait<OpTrait::ConstantLike>() ||
        (!top->hasAttr(kChunkAttrName) && isParameterFold(top) &&
         isMemoryEffectFree(top) && usesOnlyParameters(top, parameters));
    if (!foldable)
      continue;
    if (llvm::any_of(top->getResults(), isSiteSource)) {
      inputs.insert(top->result_begin(), top->result_end());
      continue;
    }
    parameterOps.insert(top);
    for (Value result : top->getResults())
      parameters.insert(result);
  }

  // Travelling values: non-parameters used in a later chunk.
  auto consider = [&](Value value, int64_t defChunk) {
    int64_t lastUse = defChunk;
    for (Operation *user : value.getUsers())
      lastUse = std::max(lastUse, getChunk(user));
    if (lastUse <= defChunk)
      return;
    TravellingValue tv;
    tv.value = value;
    tv.kind = getKind(value);
    tv.blockUntil = blockUses.lookup_or(value, -1);
    tv.partialUntil = lastUses.lookup_or(value, -1);
    tv.defChunk = defChunk;
    tv.lastUseChunk = lastUse;
    tv.isInput = isInput(value);
    if (auto bytes = valueBytes(value.getType()))
      std::tie(tv.rowBytes, tv.totalBytes) = *bytes;
    else
      tv.bytesOverflow = true;
    travelling.push_back(tv);
  };
  for (BlockArgument arg : body.front().getArguments())
    consider(arg, 0);
  for (Operation *top : bodyOps) {
    if (parameterOps.contains(top))
      continue;
    for (Value result : top->getResults())
      consider(result, chunkOf.lookup(top));
  }
}

LogicalResult StageTrafficAnalysis::emitError() const {
  if (!errorOp)
    return success();
  return errorOp->emitError(errorMessage);
}

int64_t StageTrafficAnalysis::getChunk(Operation *op) const {
  if (bodyOps.empty())
    return 0;
  Operation *top = bodyOps.front()->getBlock()->findAncestorOpInBlock(*op);
  if (!top)
    return 0;
  return chunkOf.lookup(top);
}

bool StageTrafficAnalysis::isInput(Value value) const {
  if (auto arg = dyn_cast<BlockArgument>(value))
    return !bodyOps.empty() && arg.getOwner() == bodyOps.front()->getBlock();
  return inputs.contains(value);
}

TravelKind StageTrafficAnalysis::getKind(Value value) const {
  if (blockUses.contains(value))
    return TravelKind::Block;
  if (lastUses.contains(value))
    return TravelKind::Partial;
  return TravelKind::Other;
}

FailureOr<StageTraffic>
StageTrafficAnalysis::getTraffic(const StageTrafficOptions &options) const {
  if (failed(emitError()))
    return failure();
  // Bounded so that P·V and the per-hop tables stay small.
  constexpr int64_t kMaxChunks = int64_t(1) << 16;
  if (options.stages < 1) {
    funcOp->emitError() << "stages must be >= 1, got " << options.stages;
    return failure();
  }
  if (options.virtualStages < 1) {
    funcOp->emitError() << "virtual-stages must be >= 1, got "
                        << options.virtualStages;
    return failure();
  }
  if (options.stages > kMaxChunks ||
      options.virtualStages > kMaxChunks / options.stages) {
    funcOp->emitError() << "stages * virtual-stages must be <= " << kMaxChunks
                        << ", got stages = " << options.stages
                        << " and virtual-stages = " << options.virtualStages;
    return failure();
  }
  int64_t P = options.stages;
  int64_t C = P * options.virtualStages;
  if (annotated && maxChunk >= C) {
    maxChunkOp->emitError()
        << "'" << kChunkAttrName << "' = " << maxChunk
        << " is out of range: stages = " << P
        << " and virtual-stages = " << options.virtualStages << " give " << C
        << " chunks (0 to " << C - 1 << ")";
    return failure();
  }

  // Byte counts are checked: a count that does not fit in int64_t is an
  // error, never a wrapped number.
  for (const TravellingValue &tv : travelling) {
    if (!tv.bytesOverflow)
      continue;
    InFlightDiagnostic diag = mlir::emitError(tv.value.getLoc())
                              << "the byte count of a value of type "
                              << tv.value.getType() << " that crosses chunk "
                              << tv.defChunk << " does not fit in 64 bits";
    diag.attachNote(funcOp->getLoc())
        << "in the stage traffic of this function";
    return failure();
  }
  // Sums of byte counts: located at the value whose bytes overflow a hop's
  // sum, or at the function for the sums over hops.
  auto overflowAt = [&](const TravellingValue &tv, StringRef scheme,
                        StringRef unit, int64_t hop) {
    InFlightDiagnostic diag = mlir::emitError(tv.value.getLoc())
                              << "the " << scheme << " " << unit << " of hop "
                              << hop << " do not fit in 64 bits";
    diag.attachNote(funcOp->getLoc())
        << "in the stage traffic of this function";
    return failure();
  };
  auto overflowSum = [&](const Twine &what) {
    funcOp->emitError() << "stage traffic: " << what
                        << " do not fit in 64 bits";
    return failure();
  };

  StageTraffic traffic;
  traffic.options = options;
  traffic.chunks = C;
  bool staticBytes = llvm::all_of(
      travelling, [](const TravellingValue &tv) { return tv.totalBytes >= 0; });
  if (staticBytes) {
    traffic.naiveBytesPerRank.assign(P, 0);
    traffic.cachedBytesPerRank.assign(P, 0);
  }

  // holds[r]: travelling values rank r holds (received, its own inputs, and
  // with reuseOwnBlocks what it produced).
  SmallVector<llvm::DenseSet<unsigned>> holds(P);
  for (auto [i, tv] : llvm::enumerate(travelling))
    if (tv.isInput)
      holds[tv.defChunk % P].insert(i);

  for (int64_t chunk = 0; chunk < C; ++chunk) {
    int64_t rank = chunk % P;
    if (options.reuseOwnBlocks)
      for (auto [i, tv] : llvm::enumerate(travelling))
        if (tv.defChunk == chunk)
          holds[rank].insert(i);
    if (chunk == C - 1)
      break;
    HopTraffic hop;
    hop.fromRank = rank;
    hop.toRank = (chunk + 1) % P;
    // A hop within one rank (P = 1) moves nothing.
    if (hop.fromRank != hop.toRank) {
      for (auto [i, tv] : llvm::enumerate(travelling)) {
        if (tv.defChunk > chunk || tv.lastUseChunk <= chunk)
          continue;
        hop.live.push_back(i);
        if (!addBytes(hop.naiveRowBytes, tv.rowBytes))
          return overflowAt(tv, "naive", "bytes per token", chunk);
        if (!addBytes(hop.naiveBytes, tv.totalBytes))
          return overflowAt(tv, "naive", "bytes", chunk);
        TravelKind kind = tv.kindAcross(chunk);
        bool isBlock = kind == TravelKind::Block;
        if (isBlock)
          ++hop.naiveBlocks;
        else if (kind == TravelKind::Partial)
          ++hop.partials;
        else
          ++hop.others;
        if (isBlock && holds[hop.toRank].contains(i))
          continue;
        hop.sent.push_back(i);
        if (isBlock)
          ++hop.cachedBlocks;
        if (!addBytes(hop.cachedRowBytes, tv.rowBytes))
          return overflowAt(tv, "cached", "bytes per token", chunk);
        if (!addBytes(hop.cachedBytes, tv.totalBytes))
          return overflowAt(tv, "cached", "bytes", chunk);
      }
      holds[hop.toRank].insert(hop.sent.begin(), hop.sent.end());
    }
    if (!addBytes(traffic.naiveRowBytes, hop.naiveRowBytes) ||
        !addBytes(traffic.cachedRowBytes, hop.cachedRowBytes))
      return overflowSum("the bytes per token summed over hops 0 to " +
                         Twine(chunk));
    if (staticBytes &&
        (!addBytes(traffic.naiveBytesPerRank[rank], hop.naiveBytes) ||
         !addBytes(traffic.cachedBytesPerRank[rank], hop.cachedBytes)))
      return overflowSum("the bytes rank " + Twine(rank) +
                         " sends per forward");
    traffic.hops.push_back(std::move(hop));
  }
  return traffic;
}

//===----------------------------------------------------------------------===//
// StageTraffic
//===----------------------------------------------------------------------===//

DictionaryAttr StageTraffic::toAttr(MLIRContext *context) const {
  Builder b(context);
  SmallVector<int64_t> naive, cached, partials, others;
  for (const HopTraffic &hop : hops) {
    naive.push_back(hop.naiveBlocks);
    cached.push_back(hop.cachedBlocks);
    partials.push_back(hop.partials);
    others.push_back(hop.others);
  }
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("stages", b.getI64IntegerAttr(options.stages)),
      b.getNamedAttr("virtual_stages",
                     b.getI64IntegerAttr(options.virtualStages)),
      b.getNamedAttr("chunks", b.getI64IntegerAttr(chunks)),
      b.getNamedAttr("naive_blocks", b.getDenseI64ArrayAttr(naive)),
      b.getNamedAttr("cached_blocks", b.getDenseI64ArrayAttr(cached)),
      b.getNamedAttr("partials", b.getDenseI64ArrayAttr(partials)),
      b.getNamedAttr("others", b.getDenseI64ArrayAttr(others)),
  };
  if (naiveRowBytes >= 0 && cachedRowBytes >= 0) {
    attrs.push_back(b.getNamedAttr("naive_bytes_per_token",
                                   b.getI64IntegerAttr(naiveRowBytes)));
    attrs.push_back(b.getNamedAttr("cached_bytes_per_token",
                                   b.getI64IntegerAttr(cachedRowBytes)));
  }
  if (!naiveBytesPerRank.empty()) {
    attrs.push_back(b.getNamedAttr("naive_bytes_per_rank",
                                   b.getDenseI64ArrayAttr(naiveBytesPerRank)));
    attrs.push_back(b.getNamedAttr("cached_bytes_per_rank",
                                   b.getDenseI64ArrayAttr(cachedBytesPerRank)));
  }
  if (options.reuseOwnBlocks)
    attrs.push_back(b.getNamedAttr("reuse_own_blocks", b.getUnitAttr()));
  return b.getDictionaryAttr(attrs);
}

void StageTraffic::print(raw_ostream &os) const {
  auto bytes = [](int64_t n) -> std::string {
    return n < 0 ? std::string("?") : std::to_string(n);
  };
  os << "P = " << options.stages << " stages, V = " << options.virtualStages
     << " virtual stages, C = " << chunks
     << " chunks; cache holds received blocks"
     << (options.reuseOwnBlocks ? " and the rank's own blocks" : "") << "\n";
  os << llvm::format("%5s %8s %7s %7s %7s %8s %7s %13s %13s\n", "hop", "chunks",
                     "ranks", "naive", "cached", "partial", "other",
                     "naive B/tok", "cached B/tok");
  int64_t sums[4] = {0, 0, 0, 0};
  for (auto [h, hop] : llvm::enumerate(hops)) {
    std::string chunksStr = std::to_string(h) + "->" + std::to_string(h + 1);
    std::string ranks =
        std::to_string(hop.fromRank) + "->" + std::to_string(hop.toRank);
    os << llvm::format("%5lld %8s %7s %7lld %7lld %8lld %7lld %13s %13s\n",
                       (long long)h, chunksStr.c_str(), ranks.c_str(),
                       (long long)hop.naiveBlocks, (long long)hop.cachedBlocks,
                       (long long)hop.partials, (long long)hop.others,
                       bytes(hop.naiveRowBytes).c_str(),
                       bytes(hop.cachedRowBytes).c_str());
    sums[0] += hop.naiveBlocks;
    sums[1] += hop.cachedBlocks;
    sums[2] += hop.partials;
    sums[3] += hop.others;
  }
  os << llvm::format("%5s %8s %7s %7lld %7lld %8lld %7lld %13s %13s\n", "total",
                     "", "", (long long)sums[0], (long long)sums[1],
                     (long long)sums[2], (long long)sums[3],
                     bytes(naiveRowBytes).c_str(),
                     bytes(cachedRowBytes).c_str());
  for (auto [rank, naive] : llvm::enumerate(naiveBytesPerRank))
    os << "rank " << rank << " sends " << naive << " bytes naive, "
       << cachedBytesPerRank[rank] << " bytes cached per forward\n";
}
