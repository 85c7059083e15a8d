//===- AttnResToVector.cpp - fast CPU kernels for attnres -----------------===//
//
// Lowers the depth-attention ops into bandwidth-bound CPU kernels on tensors:
//
//   scf.forall over tiles of token rows (parallel, becomes OpenMP)
//     scf.for over the rows of the tile
//       scf.for over D in vectors: Σ v² and Σ q·v for every source at once
//       scalar softmax over the sources
//       scf.for over D in vectors: Σ_j α_j v_j, written to the output row
//
// The row of every source is read from memory once; the second pass reads it
// from cache. Token dims are flattened into one row dim with reshapes. An op
// whose results have a dimension of static size 0 (no token rows, no
// queries) has nothing to compute: its results become `tensor.empty`.
//
// The forward kernels (depth_attn, depth_attn_stats, depth_attn_merge and
// the fused norm ops) take their task tiling from upstream: the op, rebuilt
// on the flattened rows, is tiled by `scf::tileUsingSCF` (an scf.forall,
// through the op's TilingInterface) and the tiled op is lowered with the
// per-row loop only, into its task's slices of the forall's shared outputs.
// Calls that fit one task lower the untiled op (an scf.if picks at run time
// for dynamic row counts). The gradient kernels reduce over rows into
// per-task dq/dγ accumulators, which TilingInterface's parallel token dims do
// not express: they build their forall by hand (`gradForall`).
//
// The forward kernels also take the memref form (after bufferization): the
// op is rebuilt on rows views of its buffers (`rowsView`), tiled the
// same way (a forall without shared outputs, tiles are memref.subviews) and
// lowered with the same per-row loop, which writes the tile's buffers; the
// loops carry no buffers (`carriedLoop`: a transfer_write into a buffer has
// no result). After attnres-to-llvm both forms give the same kernel loops.
// The gradient kernels take the memref form too: their hand-built forall
// has no shared outputs, its tasks write memref.subviews of the rows views
// of the destinations and their row of the task-partial accumulators (a
// memref.alloc left to the buffer deallocation pipeline), whose sum is
// written into the query's (gain's) gradient buffer.
//
//===----------------------------------------------------------------------===//

#include "attnres/Conversion/AttnResToVector/AttnResToVector.h"
#include "attnres/Dialect/AttnRes/Utils/Functions.h"

#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "attnres/Dialect/AttnRes/Utils/RowMath.h"
#include "attnres/Dialect/AttnRes/Utils/ScalarMath.h"
#include "attnres/Dialect/AttnRes/Utils/Shapes.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir {
namespace attnres {
#define GEN_PASS_DEF_CONVERTATTNRESTOVECTORPASS
#include "attnres/Conversion/Passes.h.inc"
} // namespace attnres
} // namespace mlir

using namespace mlir;
using namespace mlir::attnres;
using namespace mlir::attnres::detail;

namespace {

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

/// Largest power of two <= `requested` that divides `hidden`.
int64_t chooseVectorWidth(int64_t hidden, unsigned requested) {
  int64_t width = 1;
  while (width * 2 <= int64_t(requested) && hidden % (width * 2) == 0)
    width *= 2;
  return width;
}

/// Whether the output loops of a kernel producing `type` get the
/// streaming-stores tag: a static shape of at least `minBytes` bytes (a
/// size past INT64_MAX bytes counts as large; the pass rejects such ops
/// before this is asked).
bool wantsStreamingStores(Type type, int64_t minBytes) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (minBytes <= 0 || !shaped || !shaped.hasRank() ||
      !shaped.hasStaticShape() || !shaped.getElementType().isIntOrFloat())
    return false;
  std::optional<int64_t> bytes = getStaticSizeInBytes(shaped);
  return !bytes || *bytes >= minBytes;
}

/// Tags `loop` for `attnres-streaming-stores` when `streaming`.
void tagStreaming(scf::ForOp loop, bool streaming) {
  if (streaming)
    loop->setAttr(kStreamingStoresAttrName, UnitAttr::get(loop->getContext()));
}

/// The static hidden size (last dim) of a ranked tensor or memref type.
std::optional<int64_t> kernelHidden(Type type) {
  auto shaped = dyn_cast_or_null<ShapedType>(type);
  if (!shaped || !isa<RankedTensorType, MemRefType>(shaped) ||
      shaped.getRank() < 1 || ShapedType::isDynamic(shaped.getShape().back()))
    return std::nullopt;
  return shaped.getShape().back();
}

/// Maps each of `buffers` (`lead` leading dims kept, a hidden dim when
/// `hasHidden`) to its rows view (`rowsView`) in `views`; fails,
/// leaving nothing created, when one has none.
LogicalResult mapRowsViews(RewriterBase &rewriter, Location loc,
                           ValueRange buffers, IRMapping &views,
                           unsigned lead = 0, bool hasHidden = true) {
  SmallVector<Value> made;
  for (Value buffer : buffers) {
    if (views.contains(buffer))
      continue;
    Value view = rowsView(rewriter, loc, buffer, lead, hasHidden);
    if (!view) {
      for (Value v : llvm::reverse(made))
        rewriter.eraseOp(v.getDefiningOp());
      return failure();
    }
    if (view != buffer)
      made.push_back(view);
    views.map(buffer, view);
  }
  return success();
}

/// Whether each of `buffers` has a rows view (`rowsTypeOf`, `lead` leading
/// dims kept, a hidden dim when `hasHidden`); creates nothing.
bool haveRowsViews(ValueRange buffers, unsigned lead, bool hasHidden) {
  return llvm::all_of(buffers, [&](Value buffer) {
    auto type = dyn_cast<MemRefType>(buffer.getType());
    return type && rowsTypeOf(type, lead, hasHidden);
  });
}

/// A new buffer (identity layout, 64-byte aligned, as one-shot-bufferize
/// allocates) of the shape and element type of the buffer `like`: the
/// scratch h of a fused memref-form op that does not keep it. Like
/// one-shot-bufferize's allocations it is freed by the buffer deallocation
/// pipeline (which rejects deallocations made before it).
Value allocLike(OpBuilder &b, Location loc, Value like) {
  auto type = cast<MemRefType>(like.getType());
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynamicSizes.push_back(memref::DimOp::create(b, loc, like, d));
  return memref::AllocOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()),
      dynamicSizes, b.getI64IntegerAttr(64));
}

/// An `scf.for` from `lb` to `ub` by `step` carrying the tensors of
/// `carried`; the buffers among them (memref form) are not carried (a write
/// into a buffer has no result): `body(nb, iv, acc)` sees them unchanged in
/// `acc` and returns the values of all of `carried` (its buffers as given).
/// `results` receives the loop's results, the buffers in their places.
scf::ForOp carriedLoop(
    OpBuilder &b, Location loc, Value lb, Value ub, Value step,
    ValueRange carried,
    function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)> body,
    SmallVectorImpl<Value> &results) {
  auto isBuffer = [](Value v) { return isa<MemRefType>(v.getType()); };
  SmallVector<Value> iterInits;
  for (Value v : carried)
    if (!isBuffer(v))
      iterInits.push_back(v);
  auto loop = scf::ForOp::create(
      b, loc, lb, ub, step, iterInits,
      [&](OpBuilder &nb, Location, Value iv, ValueRange args) {
        SmallVector<Value> acc;
        unsigned k = 0;
        for (Value v : carried)
          acc.push_back(isBuffer(v) ? v : args[k++]);
        SmallVector<Value> values = body(nb, iv, acc);
        SmallVector<Value> yields;
        for (auto [v, y] : llvm::zip_equal(carried, values))
          if (!isBuffer(v))
            yields.push_back(y);
        scf::YieldOp::create(nb, loc, yields);
      });
  results.clear();
  unsigned k = 0;
  for (Value v : carried)
    results.push_back(isBuffer(v) ? v : loop.getResult(k++));
  return loop;
}

//===----------------------------------------------------------------------===//
// Kernel builder
//===----------------------------------------------------------------------===//

/// Most statically known queries of `depth_attn_stats` whose statistics and
/// outputs share one pass over each row (more: a loop over the queries that
/// re-reads the cached row). Blocks of Block AttnRes have at most 16 sites
/// in practice (block sizes 2-16, math §6).
constexpr int64_t kMaxBatchedQueries = 16;

/// Lowers a (tiled) forward op with its per-row loop, writing into the given
/// destinations (empty: its own `tensor.empty`s); returns its results' values
/// (fewer: failure).
using LowerTile =
    function_ref<SmallVector<Value>(Operation *op, ValueRange inits)>;

/// How a task of a gradient kernel sees a shared output
/// (`KernelBuilder::gradForall`).
enum class TaskSlice { Rows, RowScalars, Accumulator };

/// Emits the row kernels. Row-major sources are 2-D `[rows, D]` here.
///
/// The CPU-vector strategy of the shared row math (RowMath.h): a chunk is
/// one step of a loop over D (`width` f32 lanes, two parts for bf16 pairs),
/// products accumulate with vector FMAs into loop-carried vectors that are
/// reduced once after the loop.
class KernelBuilder : public RowMath<KernelBuilder> {
public:
  KernelBuilder(OpBuilder &b, Location loc, int64_t hidden,
                const ConvertAttnResToVectorPassOptions &options)
      : b(b), loc(loc), hidden(hidden), options(options),
        width(chooseVectorWidth(hidden, options.vectorWidth)),
        vecType(VectorType::get({width}, b.getF32Type())) {}

  static constexpr bool kChunkMajor = false;
  VectorType vecF32() const { return vecType; }
  int64_t rowLength() const { return hidden; }
  Value accumulateProduct(OpBuilder &nb, Location l, Value a, Value x,
                          Value acc) const {
    return vector::FMAOp::create(nb, l, a, x, acc);
  }

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  /// Reads `width` elements at `indices` (last index along D) as f32.
  Value read(OpBuilder &nb, Value tensor, ValueRange indices) {
    Type elem = cast<ShapedType>(tensor.getType()).getElementType();
    Value pad = arith::ConstantOp::create(nb, loc, nb.getZeroAttr(elem));
    Value v = vector::TransferReadOp::create(
        nb, loc, VectorType::get({width}, elem), tensor, indices, pad,
        ArrayRef<bool>{true});
    return extendToF32(nb, loc, v);
  }

  /// Writes an f32 vector, rounded to the tensor's element type; returns
  /// the updated tensor (a buffer, memref form: the buffer itself).
  Value write(OpBuilder &nb, Value vec, Value tensor, ValueRange indices) {
    Type elem = cast<ShapedType>(tensor.getType()).getElementType();
    Value v = truncateFromF32(nb, loc, vec, elem);
    return transferWrite(nb, v, tensor, indices);
  }

  /// `vector.transfer_write` (in bounds) of `v` into a tensor (its result)
  /// or a buffer (returned as is: the write has no result).
  Value transferWrite(OpBuilder &nb, Value v, Value dest, ValueRange indices) {
    auto op = vector::TransferWriteOp::create(nb, loc, v, dest, indices,
                                              ArrayRef<bool>{true});
    return isa<MemRefType>(dest.getType()) ? dest : op->getResult(0);
  }

  /// A dim of a tensor or a buffer.
  Value dim(OpBuilder &nb, Value shaped, int64_t d) {
    if (isa<MemRefType>(shaped.getType()))
      return memref::DimOp::create(nb, loc, shaped, d);
    return tensor::DimOp::create(nb, loc, shaped, d);
  }

  /// The scalar at `indices` of a tensor or a buffer.
  Value extract(OpBuilder &nb, Value shaped, ValueRange indices) {
    if (isa<MemRefType>(shaped.getType()))
      return memref::LoadOp::create(nb, loc, shaped, indices);
    return tensor::ExtractOp::create(nb, loc, shaped, indices);
  }

  /// Stores `scalar` at `indices`: the updated tensor, or the buffer.
  Value insert(OpBuilder &nb, Value scalar, Value dest, ValueRange indices) {
    if (isa<MemRefType>(dest.getType())) {
      memref::StoreOp::create(nb, loc, scalar, dest, indices);
      return dest;
    }
    return tensor::InsertOp::create(nb, loc, scalar, dest, indices);
  }

  /// Whether `sources` (and `out`, if given) take the bf16 pair path: all
  /// bf16, D a multiple of two vectors, and the option on.
  bool usePairs(ValueRange sources, Value out = Value()) const {
    if (!options.bf16Pairs || hidden % (2 * width) != 0)
      return false;
    auto isBF16 = [](Value v) {
      return cast<ShapedType>(v.getType()).getElementType().isBF16();
    };
    return llvm::all_of(sources, isBF16) && (!out || isBF16(out));
  }

  Value i32Splat(OpBuilder &nb, uint32_t value) {
    auto type = VectorType::get({width}, nb.getI32Type());
    return arith::ConstantOp::create(
        nb, loc,
        DenseElementsAttr::get(type, nb.getI32IntegerAttr(int32_t(value))));
  }

  /// One loop step of a row as f32 "parts": with `pairs`, `2·width` bf16
  /// elements split without shuffles into the even and the odd ones (a bf16
  /// is the upper half of its f32, so in the i32 view of a pair `x << 16` is
  /// the even element and `x & 0xFFFF0000` the odd one); otherwise `width`
  /// elements extended to f32.
  SmallVector<Value, 2> readParts(OpBuilder &nb, Value tensor,
                                  ValueRange indices, bool pairs) {
    if (!pairs)
      return {read(nb, tensor, indices)};
    Value pad =
        arith::ConstantOp::create(nb, loc, nb.getZeroAttr(nb.getBF16Type()));
    Value v = vector::TransferReadOp::create(
        nb, loc, VectorType::get({2 * width}, nb.getBF16Type()), tensor,
        indices, pad, ArrayRef<bool>{true});
    auto i32Type = VectorType::get({width}, nb.getI32Type());
    Value bits = vector::BitCastOp::create(nb, loc, i32Type, v);
    Value even = arith::ShLIOp::create(nb, loc, bits, i32Splat(nb, 16));
    Value odd = arith::AndIOp::create(nb, loc, bits, i32Splat(nb, 0xFFFF0000u));
    return {arith::BitcastOp::create(nb, loc, vecType, even),
            arith::BitcastOp::create(nb, loc, vecType, odd)};
  }

  /// The query's elements matching `readParts` (any element type): with
  /// `pairs`, `2·width` elements deinterleaved into even and odd.
  SmallVector<Value, 2> readQueryParts(OpBuilder &nb, Value tensor,
                                       ValueRange indices, bool pairs) {
    if (!pairs)
      return {read(nb, tensor, indices)};
    Type elem = cast<ShapedType>(tensor.getType()).getElementType();
    Value pad = arith::ConstantOp::create(nb, loc, nb.getZeroAttr(elem));
    Value v = vector::TransferReadOp::create(
        nb, loc, VectorType::get({2 * width}, elem), tensor, indices, pad,
        ArrayRef<bool>{true});
    auto split =
        vector::DeinterleaveOp::create(nb, loc, extendToF32(nb, loc, v));
    return {split.getRes1(), split.getRes2()};
  }

  /// The bf16 bits of an f32 vector in the upper half of i32 lanes (low half
  /// garbage), rounded to nearest even; NaN becomes the quiet NaN 0x7FC0.
  Value roundToBf16Bits(OpBuilder &nb, Value f) {
    auto i32Type = VectorType::get({width}, nb.getI32Type());
    Value bits = arith::BitcastOp::create(nb, loc, i32Type, f);
    Value lsb = arith::AndIOp::create(
        nb, loc, arith::ShRUIOp::create(nb, loc, bits, i32Splat(nb, 16)),
        i32Splat(nb, 1));
    Value rounded = arith::AddIOp::create(
        nb, loc, bits,
        arith::AddIOp::create(nb, loc, lsb, i32Splat(nb, 0x7FFF)));
    Value isNan =
        arith::CmpFOp::create(nb, loc, arith::CmpFPredicate::UNO, f, f);
    return arith::SelectOp::create(nb, loc, isNan, i32Splat(nb, 0x7FC00000u),
                                   rounded);
  }

  /// Writes the f32 parts of one loop step (see `readParts`), rounded to
  /// the tensor's element type; with pairs the even/odd halves are rounded
  /// in integer ops and interleaved back into bf16.
  Value writeParts(OpBuilder &nb, ArrayRef<Value> parts, Value tensor,
                   ValueRange indices) {
    if (parts.size() == 1)
      return write(nb, parts[0], tensor, indices);
    Value lo = arith::ShRUIOp::create(nb, loc, roundToBf16Bits(nb, parts[0]),
                                      i32Splat(nb, 16));
    Value hi = arith::AndIOp::create(nb, loc, roundToBf16Bits(nb, parts[1]),
                                     i32Splat(nb, 0xFFFF0000u));
    Value packed = arith::OrIOp::create(nb, loc, lo, hi);
    Value v = vector::BitCastOp::create(
        nb, loc, VectorType::get({2 * width}, nb.getBF16Type()), packed);
    return transferWrite(nb, v, tensor, indices);
  }

  /// Per part p: `Σ_j w[j]·xs[j][p]` (splatted weights).
  SmallVector<Value, 2> weightParts(OpBuilder &nb, ArrayRef<Value> w,
                                    ArrayRef<SmallVector<Value, 2>> xs) {
    SmallVector<Value, 2> totals;
    for (size_t p = 0; p < xs.front().size(); ++p) {
      SmallVector<Value> part;
      for (const SmallVector<Value, 2> &x : xs)
        part.push_back(x[p]);
      totals.push_back(weightedSum(nb, loc, w, part));
    }
    return totals;
  }

  /// Per-row statistics of `sources[j][row, :]`: Σ v² (if `sumSq` is non-null)
  /// and Σ q·v (if `query` is set; `queryIndices` prefix the D index when
  /// reading it). Sources are processed in balanced groups of at most
  /// `sourcesPerLoop` so the accumulators stay in registers.
  void rowStatistics(ValueRange sources, Value row, Value query,
                     ValueRange queryIndices, SmallVectorImpl<Value> *sumSq,
                     SmallVectorImpl<Value> *dot) {
    size_t n = sources.size();
    size_t maxGroup = std::max<unsigned>(1, options.sourcesPerLoop);
    size_t group = llvm::divideCeil(n, llvm::divideCeil(n, maxGroup));
    bool pairs = usePairs(sources);
    int64_t step = pairs ? 2 * width : width;
    for (size_t first = 0; first < n; first += group) {
      size_t count = std::min(group, n - first);
      unsigned perSource = (sumSq ? 1 : 0) + (query ? 1 : 0);
      SmallVector<Value> inits(count * perSource, zero(b, loc));
      auto loop = scf::ForOp::create(
          b, loc, index(0), index(hidden), index(step), inits,
          [&](OpBuilder &nb, Location, Value c, ValueRange acc) {
            SmallVector<Value, 2> q;
            if (query) {
              SmallVector<Value> qIdx(queryIndices);
              qIdx.push_back(c);
              q = readQueryParts(nb, query, qIdx, pairs);
            }
            SmallVector<ArrayRef<Value>, 1> probes;
            if (query)
              probes.push_back(q);
            SmallVector<Value> yields;
            for (size_t j = 0; j < count; ++j) {
              SmallVector<Value, 2> x =
                  readParts(nb, sources[first + j], ValueRange{row, c}, pairs);
              SmallVector<Value> a(acc.slice(j * perSource, perSource));
              llvm::append_range(
                  yields, statistics(nb, loc, x, probes, sumSq != nullptr, a));
            }
            scf::YieldOp::create(nb, loc, yields);
          });
      for (size_t j = 0; j < count; ++j) {
        unsigned k = j * perSource;
        if (sumSq)
          sumSq->push_back(hsum(b, loc, loop.getResult(k++)));
        if (query)
          dot->push_back(hsum(b, loc, loop.getResult(k)));
      }
    }
  }

  /// Σ v² per source and Σ Q_s·v for `numQueries` (static) query rows of
  /// `queries`, all in the same loops over D: each source chunk is loaded
  /// once for all queries. Sources go `group` at a time (registers).
  void batchedStatistics(ValueRange sources, Value row, Value queries,
                         int64_t numQueries, SmallVectorImpl<Value> &sumSq,
                         SmallVector<SmallVector<Value>> &dots) {
    size_t n = sources.size();
    dots.assign(numQueries, {});
    // The register budget of `sources-per-loop` (two accumulators per
    // source) shared by 1 + numQueries accumulators per source.
    size_t group = std::max<size_t>(1, 2 * size_t(options.sourcesPerLoop) /
                                           size_t(numQueries + 1));
    bool pairs = usePairs(sources);
    for (size_t first = 0; first < n; first += group) {
      size_t count = std::min(group, n - first);
      unsigned perSource = 1 + numQueries;
      SmallVector<Value> inits(count * perSource, zero(b, loc));
      auto loop = scf::ForOp::create(
          b, loc, index(0), index(hidden), index(pairs ? 2 * width : width),
          inits, [&](OpBuilder &nb, Location, Value c, ValueRange acc) {
            SmallVector<SmallVector<Value, 2>> qs;
            for (int64_t qi = 0; qi < numQueries; ++qi)
              qs.push_back(
                  readQueryParts(nb, queries, ValueRange{index(qi), c}, pairs));
            SmallVector<ArrayRef<Value>> probes(qs.begin(), qs.end());
            SmallVector<Value> yields;
            for (size_t j = 0; j < count; ++j) {
              SmallVector<Value, 2> x =
                  readParts(nb, sources[first + j], ValueRange{row, c}, pairs);
              SmallVector<Value> a(acc.slice(j * perSource, perSource));
              llvm::append_range(yields,
                                 statistics(nb, loc, x, probes, true, a));
            }
            scf::YieldOp::create(nb, loc, yields);
          });
      for (size_t j = 0; j < count; ++j) {
        unsigned k = j * perSource;
        sumSq.push_back(hsum(b, loc, loop.getResult(k)));
        for (int64_t qi = 0; qi < numQueries; ++qi)
          dots[qi].push_back(hsum(b, loc, loop.getResult(k + 1 + qi)));
      }
    }
  }

  /// `out[s, local, c] = Σ_j weights[s][j] · sources[j][row, c]` for every
  /// query s in one loop over D: each source chunk is loaded once.
  Value batchedWeightedSum(ValueRange sources, Value row,
                           ArrayRef<SmallVector<Value>> weights, Value out,
                           Value local, bool streaming) {
    SmallVector<SmallVector<Value>> splats;
    for (const SmallVector<Value> &ws : weights) {
      splats.emplace_back();
      for (Value w : ws)
        splats.back().push_back(
            vector::BroadcastOp::create(b, loc, vecType, w));
    }
    bool pairs = usePairs(sources, out);
    SmallVector<Value, 1> results;
    auto loop = carriedLoop(
        b, loc, index(0), index(hidden), index(pairs ? 2 * width : width),
        ValueRange{out},
        [&](OpBuilder &nb, Value c, ValueRange acc) {
          SmallVector<SmallVector<Value, 2>> xs;
          for (Value src : sources)
            xs.push_back(readParts(nb, src, ValueRange{row, c}, pairs));
          Value tile = acc[0];
          for (auto [qi, ws] : llvm::enumerate(splats))
            tile = writeParts(nb, weightParts(nb, ws, xs), tile,
                              ValueRange{index(qi), local, c});
          return SmallVector<Value>{tile};
        },
        results);
    tagStreaming(loop, streaming);
    return results[0];
  }

  /// Softmax over sources of the logits from per-row statistics.
  SoftmaxScalars softmax(ArrayRef<Value> sumSq, ArrayRef<Value> dot, double eps,
                         bool withLse) {
    Value invD = f32Constant(b, loc, 1.0 / double(hidden));
    Value epsV = f32Constant(b, loc, eps);
    SmallVector<Value> logits;
    for (auto [ss, d] : llvm::zip_equal(sumSq, dot))
      logits.push_back(rmsLogit(b, loc, ss, d, invD, epsV));
    return softmaxScalars(b, loc, logits, withLse);
  }

  /// `out[outIndices…, c] = Σ_j weights[j] · sources[j][row, c]` for all c.
  Value weightedSumLoop(ValueRange sources, Value row, ArrayRef<Value> weights,
                        Value out, ValueRange outIndices, bool streaming) {
    SmallVector<Value> splats;
    for (Value w : weights)
      splats.push_back(vector::BroadcastOp::create(b, loc, vecType, w));
    bool pairs = usePairs(sources, out);
    SmallVector<Value, 1> results;
    auto loop = carriedLoop(
        b, loc, index(0), index(hidden), index(pairs ? 2 * width : width),
        ValueRange{out},
        [&](OpBuilder &nb, Value c, ValueRange acc) {
          SmallVector<SmallVector<Value, 2>> xs;
          for (Value src : sources)
            xs.push_back(readParts(nb, src, ValueRange{row, c}, pairs));
          SmallVector<Value> idx(outIndices);
          idx.push_back(c);
          return SmallVector<Value>{
              writeParts(nb, weightParts(nb, splats, xs), acc[0], idx)};
        },
        results);
    tagStreaming(loop, streaming);
    return results[0];
  }

  /// The next sublayer's PreNorm of a row the kernel just wrote into `h`
  /// (row `local` of the tile, already rounded to its element type, still in
  /// L1): `out[local, c] = h[local, c] · ρ · gain[c]` with
  /// `ρ = (mean_c h[local, c]² + eps)^(-1/2)`, as `rms_norm` computes it.
  Value normalizeRow(Value h, Value local, Value gain, double eps, Value out,
                     bool streaming) {
    auto ssLoop = scf::ForOp::create(
        b, loc, index(0), index(hidden), index(width), ValueRange{zero(b, loc)},
        [&](OpBuilder &nb, Location, Value c, ValueRange acc) {
          Value v = read(nb, h, ValueRange{local, c});
          scf::YieldOp::create(nb, loc,
                               statistics(nb, loc, v, {}, true, acc[0]));
        });
    Value rho = rmsScale(b, loc, hsum(b, loc, ssLoop.getResult(0)), eps);
    Value rhoV = splat(b, loc, rho);
    SmallVector<Value, 1> results;
    auto loop = carriedLoop(
        b, loc, index(0), index(hidden), index(width), ValueRange{out},
        [&](OpBuilder &nb, Value c, ValueRange acc) {
          Value v = read(nb, h, ValueRange{local, c});
          Value g = read(nb, gain, ValueRange{c});
          return SmallVector<Value>{write(nb, normalize(nb, loc, v, rhoV, g),
                                          acc[0], ValueRange{local, c})};
        },
        results);
    tagStreaming(loop, streaming);
    return results[0];
  }

  /// Lowers `op` (a forward op on flattened `[rows, D]` rows, created by the
  /// pattern and erased here) with its task tiling from upstream's
  /// `scf::tileUsingSCF` on the op's TilingInterface: an `scf.forall` over
  /// tiles of `rowTile()` rows (OpenMP threads in the pipeline) around the
  /// tiled op, which `lower(tile, inits)` then lowers with its per-row loop
  /// only, writing into `inits` (the tile's slices of the forall's shared
  /// outputs; empty: its own `tensor.empty`s). Returns the replacements of
  /// `op`'s results.
  /// Calls that fit one task (decode: a few tokens; see `rowsPerTask`) run
  /// `op` untiled on the calling thread: no parallel region (an OpenMP fork
  /// costs microseconds, about the time one core takes for such a call).
  /// Static row counts decide at compile time, dynamic ones at run time (an
  /// `scf.if` choosing the untiled op or the tiled forall).
  FailureOr<SmallVector<Value>> forEachRowTile(RewriterBase &rewriter,
                                               Operation *op, Value rows,
                                               LowerTile lower) {
    int64_t tile = rowsPerTask();
    std::optional<int64_t> staticRows = staticIndex(rows);
    FailureOr<SmallVector<Value>> results = failure();
    if (staticRows && *staticRows <= tile) {
      results = lowerUntiled(rewriter, op, lower);
    } else if (staticRows) {
      results = rowTiles(rewriter, op, rows, lower);
    } else {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPoint(op);
      // Both branches write into the same destinations, made before the
      // `scf.if` (they bufferize to one buffer the `scf.if` yields as is).
      SmallVector<Value> dests;
      if (failed(tensor::getOrCreateDestinations(rewriter, loc, op, dests)))
        return failure();
      Value single = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::ule, rows, index(tile));
      auto ifOp = scf::IfOp::create(rewriter, loc, op->getResultTypes(), single,
                                    true, true);
      bool ok = true;
      auto branch = [&](Block *block, bool tiled) {
        rewriter.setInsertionPointToStart(block);
        Operation *copy = rewriter.clone(*op);
        FailureOr<SmallVector<Value>> values =
            tiled ? rowTiles(rewriter, copy, rows, lower, dests)
                  : lowerUntiled(rewriter, copy, lower, dests);
        rewriter.setInsertionPointToEnd(block);
        if (failed(values)) {
          ok = false;
          scf::YieldOp::create(rewriter, loc, copy->getResults());
          return;
        }
        scf::YieldOp::create(rewriter, loc, *values);
        rewriter.eraseOp(copy);
      };
      branch(ifOp.thenBlock(), false);
      branch(ifOp.elseBlock(), true);
      if (!ok) {
        rewriter.eraseOp(ifOp);
        return failure();
      }
      results = SmallVector<Value>(ifOp.getResults());
    }
    if (succeeded(results))
      rewriter.eraseOp(op);
    return results;
  }

  /// `op` lowered in place by `lower` (one task) into `dests` (empty: its
  /// own outputs).
  static FailureOr<SmallVector<Value>> lowerUntiled(RewriterBase &rewriter,
                                                    Operation *op,
                                                    LowerTile lower,
                                                    ValueRange dests = {}) {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(op);
    SmallVector<Value> values = lower(op, dests);
    // The memref form: `lower` wrote into the op's buffers (returned as a
    // sign of success); the op has no results to replace.
    if (op->getNumResults() == 0)
      return values.empty() ? FailureOr<SmallVector<Value>>(failure())
                            : SmallVector<Value>();
    if (values.size() != op->getNumResults())
      return failure();
    return values;
  }

  /// A value's constant, or the static size a `tensor.dim` reads.
  static std::optional<int64_t> staticIndex(Value value) {
    if (std::optional<int64_t> c = getConstantIntValue(value))
      return c;
    if (auto dim = value.getDefiningOp<tensor::DimOp>())
      if (std::optional<int64_t> i = dim.getConstantIndex())
        if (auto type = dyn_cast<RankedTensorType>(dim.getSource().getType()))
          if (*i >= 0 && *i < type.getRank() && !type.isDynamicDim(*i))
            return type.getDimSize(*i);
    if (auto dim = value.getDefiningOp<memref::DimOp>())
      if (std::optional<int64_t> i = dim.getConstantIndex())
        if (auto type = dyn_cast<MemRefType>(dim.getSource().getType()))
          if (*i >= 0 && *i < type.getRank() && !type.isDynamicDim(*i))
            return type.getDimSize(*i);
    return std::nullopt;
  }

  /// The rows of a task: small tiles (`rowsPerTask()`, a few rows of
  /// traffic) only for calls of up to 4 full tasks; big calls keep
  /// `rows-per-task` rows per task. An SSA value when `rows` is dynamic.
  OpFoldResult rowTile(Value rows) {
    int64_t small = rowsPerTask();
    int64_t full = std::max<unsigned>(1, options.rowsPerTask);
    std::optional<int64_t> staticRows = staticIndex(rows);
    if (small == full)
      return b.getIndexAttr(full);
    if (staticRows)
      return b.getIndexAttr(*staticRows <= 4 * full ? small : full);
    return arith::SelectOp::create(
               b, loc,
               arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule, rows,
                                     index(4 * full)),
               index(small), index(full))
        .getResult();
  }

  /// `op` tiled by `scf::tileUsingSCF` into an `scf.forall` over tasks of
  /// `rowTile(rows)` rows; the tiled op is lowered by `lower` into the
  /// tile's slices of the forall's shared outputs (what the tiled results
  /// are inserted into), so that the task writes its rows in place. The
  /// forall's shared outputs are `dests` when given (instead of the
  /// `tensor.empty`s the tiling makes).
  FailureOr<SmallVector<Value>> rowTiles(RewriterBase &rewriter, Operation *op,
                                         Value rows, LowerTile lower,
                                         ValueRange dests = {}) {
    auto tilable = dyn_cast<TilingInterface>(op);
    if (!tilable)
      return failure();
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(op);
    scf::SCFTilingOptions tiling;
    tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    tiling.setTileSizes({rowTile(rows)});
    FailureOr<scf::SCFTilingResult> tiled =
        scf::tileUsingSCF(rewriter, tilable, tiling);
    if (failed(tiled) || tiled->tiledOps.empty())
      return failure();
    Operation *tiledOp = tiled->tiledOps.back();
    if (tiledOp->getNumResults() == 0) {
      // The memref form: a forall without shared outputs around the op on
      // its tiles' subviews, which `lower` writes in place.
      rewriter.setInsertionPoint(tiledOp);
      if (lower(tiledOp, {}).empty())
        return failure();
      rewriter.eraseOp(tiledOp);
      return SmallVector<Value>();
    }
    if (!dests.empty()) {
      auto forall =
          dyn_cast<scf::ForallOp>(tiled->loops.front().getOperation());
      if (!forall || forall.getOutputs().size() != dests.size())
        return failure();
      for (auto [operand, dest] :
           llvm::zip_equal(forall.getOutputsMutable(), dests)) {
        Operation *made = operand.get().getDefiningOp();
        if (operand.get().getType() != dest.getType())
          return failure();
        // (Named copies: lambdas capture structured bindings only in C++20.)
        OpOperand &use = operand;
        Value newDest = dest;
        rewriter.modifyOpInPlace(forall, [&] { use.set(newDest); });
        if (made && isa<tensor::EmptyOp>(made) && made->use_empty())
          rewriter.eraseOp(made);
      }
    }
    rewriter.setInsertionPoint(tiledOp);
    // The destination of each tiled result: the slice of the shared output
    // it is inserted into (sizes defined after the tiled op are read from
    // the shared output instead).
    auto before = [&](OpFoldResult ofr) {
      auto v = dyn_cast<Value>(ofr);
      Operation *def = v ? v.getDefiningOp() : nullptr;
      return !def || def->getBlock() != tiledOp->getBlock() ||
             def->isBeforeInBlock(tiledOp);
    };
    SmallVector<Value> inits;
    for (OpResult result : tiledOp->getResults()) {
      tensor::ParallelInsertSliceOp insert;
      for (Operation *user : result.getUsers())
        if (auto candidate = dyn_cast<tensor::ParallelInsertSliceOp>(user))
          insert = candidate;
      auto type = dyn_cast<RankedTensorType>(result.getType());
      if (!insert || !type) {
        inits.clear();
        break;
      }
      Value dest = insert.getDest();
      SmallVector<OpFoldResult> offsets = insert.getMixedOffsets();
      SmallVector<OpFoldResult> sizes = insert.getMixedSizes();
      if (!llvm::all_of(offsets, before)) {
        inits.clear();
        break;
      }
      for (auto [d, size] : llvm::enumerate(sizes))
        if (!before(size))
          size = tensor::getMixedSize(rewriter, loc, dest, d);
      Value slice = tensor::ExtractSliceOp::create(
          rewriter, loc, dest, offsets, sizes, insert.getMixedStrides());
      if (slice.getType() != type)
        slice = tensor::CastOp::create(rewriter, loc, type, slice);
      inits.push_back(slice);
    }
    SmallVector<Value> values = lower(tiledOp, inits);
    if (values.size() != tiledOp->getNumResults())
      return failure();
    rewriter.replaceOp(tiledOp, values);
    return tiled->replacements;
  }

  /// Emits `scf.for` over the `size` rows of a tile carrying `tiles`.
  /// Buffers among `tiles` (memref form) are not carried (`carriedLoop`).
  SmallVector<Value>
  forEachRow(Value size, ValueRange tiles,
             function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    SmallVector<Value> results;
    carriedLoop(
        b, loc, index(0), size, index(1), tiles,
        [&](OpBuilder &nb, Value localRow, ValueRange acc) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          return body(localRow, acc);
        },
        results);
    return results;
  }

  /// The rows per task of a gradient kernel and the number of tasks. As in
  /// the forward kernels: small tiles (a few rows of traffic,
  /// `rowsPerTask()`) only for calls of up to 4 full tasks, otherwise
  /// `rows-per-task` rows (fewer partial accumulator rows to sum).
  std::pair<Value, Value> gradTasks(Value rows) {
    int64_t full = std::max<unsigned>(1, options.rowsPerTask);
    Value tile;
    if (std::optional<int64_t> staticRows = staticIndex(rows))
      tile = index(*staticRows <= 4 * full ? rowsPerTask() : full);
    else
      tile = arith::SelectOp::create(
          b, loc,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule, rows,
                                index(4 * full)),
          index(rowsPerTask()), index(full));
    Value numTasks = arith::CeilDivUIOp::create(b, loc, rows, tile);
    return {tile, numTasks};
  }

  /// `count` row tiles then `accumulators` accumulator rows.
  static SmallVector<TaskSlice> gradSlices(size_t count, size_t accumulators) {
    SmallVector<TaskSlice> kinds(count, TaskSlice::Rows);
    kinds.append(accumulators, TaskSlice::Accumulator);
    return kinds;
  }

  /// `scf.forall` over the `numTasks` tasks of a gradient kernel, `tile`
  /// rows each. Task `k` works on its slices of `shared` (per `kinds`: the
  /// rows [start, start + size) of a `[rows, D]` or `[rows]` tensor, or row
  /// `k` of a `[tasks, ..., D]` accumulator): `body(start, size, slices)`
  /// returns them updated. Buffers among `shared` (memref form) are not
  /// shared outputs: their slices are `memref.subview`s the task writes in
  /// place (no parallel_insert_slice). Returns the values of `shared` after
  /// the forall: its results, the buffers in their places.
  SmallVector<Value>
  gradForall(Value rows, Value tile, Value numTasks, ValueRange shared,
             ArrayRef<TaskSlice> kinds,
             function_ref<SmallVector<Value>(Value, Value, ValueRange)> body) {
    auto isBuffer = [](Value v) { return isa<MemRefType>(v.getType()); };
    SmallVector<Value> outs;
    for (Value v : shared)
      if (!isBuffer(v))
        outs.push_back(v);
    auto forall = scf::ForallOp::create(
        b, loc, ArrayRef<OpFoldResult>{numTasks}, outs, std::nullopt, nullptr);
    // What task k slices: the forall's shared outputs, the buffers.
    SmallVector<Value> bases, results;
    unsigned k = 0;
    for (Value v : shared) {
      bool buffer = isBuffer(v);
      bases.push_back(buffer ? v : forall.getRegionIterArgs()[k]);
      results.push_back(buffer ? v : forall.getResult(k));
      if (!buffer)
        ++k;
    }
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forall.getBody());
    Value iv = forall.getInductionVars().front();
    Value start = arith::MulIOp::create(b, loc, iv, tile);
    Value size = arith::MinUIOp::create(
        b, loc, tile, arith::SubIOp::create(b, loc, rows, start));
    OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
    SmallVector<SmallVector<OpFoldResult>> offsets, sizes, strides;
    SmallVector<Value> tiles;
    for (auto [out, kind] : llvm::zip_equal(bases, kinds)) {
      auto type = cast<ShapedType>(out.getType());
      SmallVector<OpFoldResult> off(type.getRank(), zero), sz;
      if (kind == TaskSlice::Accumulator) {
        off[0] = iv;
        sz.push_back(one);
        for (int64_t d : type.getShape().drop_front())
          sz.push_back(b.getIndexAttr(d));
      } else {
        off[0] = start;
        sz.push_back(size);
        if (kind == TaskSlice::Rows)
          sz.push_back(b.getIndexAttr(hidden));
      }
      SmallVector<OpFoldResult> st(type.getRank(), one);
      if (isBuffer(out))
        tiles.push_back(memref::SubViewOp::create(b, loc, out, off, sz, st));
      else
        tiles.push_back(
            tensor::ExtractSliceOp::create(b, loc, out, off, sz, st));
      offsets.push_back(off);
      sizes.push_back(sz);
      strides.push_back(st);
    }
    SmallVector<Value> done = body(start, size, tiles);
    b.setInsertionPointToStart(forall.getTerminator().getBody());
    for (auto [i, out] : llvm::enumerate(bases))
      if (!isBuffer(out))
        tensor::ParallelInsertSliceOp::create(b, loc, done[i], out, offsets[i],
                                              sizes[i], strides[i]);
    return results;
  }

  /// The indices `prefix..., lead..., c` of the chunk at `c` of an
  /// accumulator row (`lead`: static leading indices).
  SmallVector<Value> chunkIndices(ValueRange prefix, ArrayRef<int64_t> lead,
                                  Value c) {
    SmallVector<Value> idx(prefix);
    for (int64_t i : lead)
      idx.push_back(index(i));
    idx.push_back(c);
    return idx;
  }

  /// Zeroes the D-row `acc[lead..., :]` of an f32 accumulator tile (a
  /// tensor: the updated tile; a buffer: written in place, returned as is).
  Value zeroRow(Value acc, ArrayRef<int64_t> lead) {
    SmallVector<Value> results;
    carriedLoop(
        b, loc, index(0), index(hidden), index(width), ValueRange{acc},
        [&](OpBuilder &nb, Value c, ValueRange a) {
          Value z = zero(nb, loc);
          return SmallVector<Value>{
              write(nb, z, a[0], chunkIndices({}, lead, c))};
        },
        results);
    return results.front();
  }

  /// `out[lead[1:]..., :] = Σ_k partial[k, lead[1:]..., :]` over the
  /// `numTasks` accumulator rows of the tasks, rounded to `out`'s type (a
  /// tensor: the updated one; a buffer: written, returned as is).
  Value sumTasks(Value partial, Value numTasks, Value out,
                 ArrayRef<int64_t> lead) {
    SmallVector<Value> results;
    carriedLoop(
        b, loc, index(0), index(hidden), index(width), ValueRange{out},
        [&](OpBuilder &nb, Value c, ValueRange a) {
          Value total =
              scf::ForOp::create(
                  nb, loc, index(0), numTasks, index(1),
                  ValueRange{zero(nb, loc)},
                  [&](OpBuilder &ib, Location, Value k, ValueRange t) {
                    scf::YieldOp::create(
                        ib, loc,
                        ValueRange{arith::AddFOp::create(
                            ib, loc, t[0],
                            read(ib, partial, chunkIndices(k, lead, c)))});
                  })
                  .getResult(0);
          return SmallVector<Value>{
              write(nb, total, a[0], chunkIndices({}, lead, c))};
        },
        results);
    return results.front();
  }

  /// `out = Σ_k partial[k, ...]` over the task rows of a `[tasks, D]` or
  /// `[tasks, S, D]` f32 accumulator into `out` (`[D]` or `[S, D]`, a tensor
  /// or a buffer), rounded to its element type; returns the updated tensor
  /// (a buffer: `out`).
  Value sumTasks(Value partial, Value numTasks, Value out) {
    ArrayRef<int64_t> shape =
        cast<ShapedType>(partial.getType()).getShape().drop_front();
    if (shape.size() == 1)
      return sumTasks(partial, numTasks, out, {});
    for (int64_t i = 0; i < shape.front(); ++i)
      out = sumTasks(partial, numTasks, out, {i});
    return out;
  }

  /// `Σ_k partial[k, ...]` as a new tensor of the element type of `type`
  /// (and cast to it when its shape is less static).
  Value sumTasks(Value partial, Value numTasks, RankedTensorType type) {
    ArrayRef<int64_t> shape =
        cast<ShapedType>(partial.getType()).getShape().drop_front();
    Value out = tensor::EmptyOp::create(b, loc, shape, type.getElementType());
    out = sumTasks(partial, numTasks, out);
    if (out.getType() != type)
      out = tensor::CastOp::create(b, loc, type, out);
    return out;
  }

  /// The task-partial f32 accumulators `[numTasks, lead..., D]` of a
  /// gradient kernel: a `tensor.empty` (value form) or, in the memref form
  /// (`buffer`), a `memref.alloc` that the kernel does not free (the buffer
  /// deallocation pipeline that runs after the kernels in attnres-to-llvm
  /// does, as for one-shot-bufferize's allocations).
  Value taskAccumulators(Value numTasks, ArrayRef<int64_t> lead, bool buffer) {
    SmallVector<int64_t> shape = {ShapedType::kDynamic};
    llvm::append_range(shape, lead);
    shape.push_back(hidden);
    Type f32 = b.getF32Type();
    if (buffer)
      return memref::AllocOp::create(b, loc, MemRefType::get(shape, f32),
                                     ValueRange{numTasks},
                                     b.getI64IntegerAttr(64));
    SmallVector<OpFoldResult> sizes = {numTasks};
    for (int64_t d : ArrayRef<int64_t>(shape).drop_front())
      sizes.push_back(b.getIndexAttr(d));
    return tensor::EmptyOp::create(b, loc, sizes, f32);
  }

  /// Rows per parallel task: `rows-per-task`, fewer when rows are big (a
  /// decode call at a large D), so that a few rows still spread over the
  /// cores. A task keeps at least kMinTaskBytes of traffic, a few µs of one
  /// core's work, the order of an OpenMP fork.
  int64_t rowsPerTask() const {
    static constexpr uint64_t kMinTaskBytes = 256 * 1024;
    int64_t max = std::max<unsigned>(1, options.rowsPerTask);
    if (rowBytes == 0)
      return max;
    return std::clamp<int64_t>(
        static_cast<int64_t>(llvm::divideCeil(kMinTaskBytes, rowBytes)), 1,
        max);
  }

  OpBuilder &b;
  Location loc;
  int64_t hidden;
  const ConvertAttnResToVectorPassOptions &options;
  /// Bytes a kernel moves per token row (0: unknown); set by the patterns.
  uint64_t rowBytes = 0;
  int64_t width;
  VectorType vecType;
};

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// Bytes of `count` rows of D elements of `type`'s element type, saturated.
uint64_t rowsOfBytes(Type type, uint64_t count, int64_t hidden) {
  Type elem = getElementTypeOrSelf(type);
  uint64_t bytes = elem.isIntOrFloat()
                       ? llvm::divideCeil(elem.getIntOrFloatBitWidth(), 8)
                       : 4;
  return llvm::SaturatingMultiply(llvm::SaturatingMultiply(bytes, count),
                                  static_cast<uint64_t>(hidden));
}

/// Whether `op` is in its memref form (after bufferization): buffer
/// operands, its destinations among them, no results.
bool isBufferForm(Operation *op) {
  return op->getNumResults() == 0 &&
         llvm::all_of(op->getOperandTypes(), llvm::IsaPred<MemRefType>);
}

/// The base of the kernel patterns: value-form ops with destinations
/// (`outs`) are left to convert-attnres-to-linalg (their decomposition writes
/// into the given destinations), and so are memref-form ops unless the
/// pattern `takesBuffers` (all kernels do: their loops write into the op's
/// buffers); the others go to `rewriteKernel`. With `memref-form-only` the
/// value form is left alone.
template <typename OpTy> struct KernelPattern : OpRewritePattern<OpTy> {
  KernelPattern(MLIRContext *ctx,
                const ConvertAttnResToVectorPassOptions &options)
      : OpRewritePattern<OpTy>(ctx), options(options) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const final {
    bool buffers = isBufferForm(op);
    if (hasDestinationsOrBuffers(op) && !(takesBuffers() && buffers))
      return rewriter.notifyMatchFailure(
          op,
          "destinations or memref form: lowered by convert-attnres-to-linalg");
    if (!buffers && options.memrefFormOnly)
      return rewriter.notifyMatchFailure(
          op, "memref-form-only: lowered on its memref form");
    return rewriteKernel(op, rewriter);
  }

  virtual LogicalResult rewriteKernel(OpTy op,
                                      PatternRewriter &rewriter) const = 0;

  /// Whether the pattern lowers the memref form too.
  virtual bool takesBuffers() const { return false; }

  ConvertAttnResToVectorPassOptions options;
};

/// depth_attn, and depth_attn_norm (the same row loop, then the decode
/// tail: the RMSNorm of the row just written, in L1, instead of re-reading
/// h).
/// The destinations of a tile's per-row loop: h and, for a fused op
/// (`kFused`), its normalized rows. In the memref form (`buffers`) the tile
/// op's own buffers; else the slices `inits` of the forall's shared outputs
/// (fused: [normed, h]) or, without them, `tensor.empty`s shaped like
/// `rowsLike` with element type `elem`.
template <bool kFused, typename OpTy>
SmallVector<Value> tileOutputs(OpBuilder &b, Location loc, OpTy tile,
                               bool buffers, ValueRange inits, Value rowsLike,
                               Type elem) {
  SmallVector<Value> outs;
  if constexpr (kFused) {
    if (buffers)
      outs = {tile.getMergedInit(), tile.getNormedInit()};
    else
      outs = {inits.empty() ? Value() : inits[1],
              inits.empty() ? Value() : inits[0]};
  } else {
    if (buffers)
      outs = {tile.getInit()};
    else
      outs = {inits.empty() ? Value() : inits[0]};
  }
  for (Value &out : outs)
    if (!out)
      out = tensor::EmptyOp::create(
          b, loc, tensor::getMixedSizes(b, loc, rowsLike), elem);
  return outs;
}

/// Replaces a site or merge op (`kFused`: its fused norm variant) by what
/// its row tiles returned (`flatResults`, on rows): in the value form, the
/// results reshaped to `type` (token dims sized like `like`'s; a fused op
/// that does not keep h drops it); in the memref form (`buffers`) the tiles
/// wrote the op's buffers and the op is erased.
template <bool kFused, typename OpTy>
LogicalResult replaceByRowTiles(PatternRewriter &rewriter, OpTy op,
                                bool buffers,
                                FailureOr<SmallVector<Value>> flatResults,
                                Value like, ShapedType type) {
  if (failed(flatResults))
    return rewriter.notifyMatchFailure(op, "row tiling failed");
  if (buffers) {
    rewriter.eraseOp(op);
    return success();
  }
  Location loc = op.getLoc();
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, like);
  auto resultType = cast<RankedTensorType>(type);
  SmallVector<Value> results;
  for (Value flatResult : *flatResults)
    results.push_back(
        unflattenRows(rewriter, loc, flatResult, resultType, sizes, 0, true));
  if constexpr (kFused)
    if (!op.keepsMerged())
      results.pop_back();
  rewriter.replaceOp(op, results);
  return success();
}

template <typename OpTy> struct DepthAttnToVector : KernelPattern<OpTy> {
  using KernelPattern<OpTy>::KernelPattern;

  static constexpr bool kFused = std::is_same_v<OpTy, DepthAttnNormOp>;

  bool takesBuffers() const override { return true; }

  LogicalResult rewriteKernel(OpTy op,
                              PatternRewriter &rewriter) const override {
    bool buffers = isBufferForm(op);
    ShapedType type;
    if constexpr (kFused)
      type = op.getRowType();
    else
      type = buffers ? dyn_cast<ShapedType>(op.getInit().getType())
                     : ShapedType(op.getType());
    std::optional<int64_t> hidden = kernelHidden(type);
    if (!hidden || op.getSources().empty() || hasEncodedTensors(op))
      return rewriter.notifyMatchFailure(op, "needs a static hidden size");
    if (!hasAddressableTypes(op))
      return rewriter.notifyMatchFailure(op, "tensors too large to address");
    Location loc = op.getLoc();
    if (buffers) {
      // No token rows: nothing to write.
      if (llvm::is_contained(type.getShape(), 0)) {
        rewriter.eraseOp(op);
        return success();
      }
    } else if constexpr (kFused) {
      if (llvm::is_contained(type.getShape(), 0))
        return rewriter.notifyMatchFailure(
            op, "no rows: lowered by convert-attnres-to-linalg");
    } else if (succeeded(replaceEmptyResults(rewriter, op))) {
      return success();
    }
    KernelBuilder kb(rewriter, loc, *hidden, this->options);
    // Every source's row and the output row.
    kb.rowBytes = rowsOfBytes(type, op.getSources().size() + 1, *hidden);
    double eps = epsOf(op.getEpsAttr());
    bool streaming =
        wantsStreamingStores(type, this->options.streamingMinBytes);
    // The op on the flattened rows, tiled by `forEachRowTile`; the fused op
    // always keeps h (the forall's shared output its tasks write and
    // normalize their rows from).
    Operation *flat;
    Value rows;
    Type flatElem = type.getElementType();
    if (buffers) {
      // The same op on rows views of its buffers (token dims as one row
      // dim): the query and the gain stay, sources and destinations are
      // viewed.
      IRMapping views;
      SmallVector<Value> viewed(op.getSources());
      if constexpr (kFused)
        llvm::append_range(viewed, op.getInits());
      else
        viewed.push_back(op.getInit());
      if (failed(mapRowsViews(rewriter, loc, viewed, views)))
        return rewriter.notifyMatchFailure(
            op, "buffer layout without a rows view: lowered by "
                "convert-attnres-to-linalg");
      rows = kb.dim(rewriter, views.lookup(op.getSources().front()), 0);
      if constexpr (kFused) {
        // The rows of h are written, then normalized: a scratch buffer when
        // the op does not keep h.
        Value h = op.getMergedInit();
        if (!h) {
          h = allocLike(rewriter, loc, op.getSources().front());
          views.map(h, rowsView(rewriter, loc, h, 0, true));
        }
        SmallVector<Value> sourceViews;
        for (Value s : op.getSources())
          sourceViews.push_back(views.lookup(s));
        flat = DepthAttnNormOp::create(
            rewriter, loc, op.getQuery(), sourceViews, op.getGain(),
            ValueRange{views.lookup(op.getNormedInit()), views.lookup(h)},
            op.getEpsAttr(), op.getNormEpsAttr());
      } else {
        flat = rewriter.clone(*op.getOperation(), views);
      }
    } else {
      SmallVector<Value> sources;
      for (Value s : op.getSources())
        sources.push_back(flattenRows(rewriter, loc, s, 0, true));
      rows = tensor::DimOp::create(rewriter, loc, sources[0], 0);
      auto flatType = cast<RankedTensorType>(sources[0].getType());
      if constexpr (kFused)
        flat = DepthAttnNormOp::create(rewriter, loc, op.getQuery(), sources,
                                       op.getGain(), /*keepMerged=*/true,
                                       op.getEpsAttr(), op.getNormEpsAttr());
      else
        flat = DepthAttnOp::create(rewriter, loc, flatType, op.getQuery(),
                                   sources, op.getEpsAttr());
    }
    // The per-row loop of a tile: rows [0, n) of its sources.
    auto lower = [&](Operation *tileOp, ValueRange inits) {
      auto tile = dyn_cast<OpTy>(tileOp);
      if (!tile)
        return SmallVector<Value>();
      SmallVector<Value> tileSources(tile.getSources());
      Value query = tile.getQuery();
      Value n = kb.dim(rewriter, tileSources[0], 0);
      // The tiles of h and (fused) of its normalized rows.
      SmallVector<Value> outs = tileOutputs<kFused>(
          rewriter, loc, tile, buffers, inits, tileSources[0], flatElem);
      Value normGain;
      double normEps = 0;
      if constexpr (kFused) {
        normGain = tile.getGain();
        normEps = epsOf(tile.getNormEpsAttr());
      }
      SmallVector<Value> rowsDone =
          kb.forEachRow(n, outs, [&](Value row, ValueRange acc) {
            SmallVector<Value> sumSq, dot;
            kb.rowStatistics(tileSources, row, query, {}, &sumSq, &dot);
            SoftmaxScalars sm = kb.softmax(sumSq, dot, eps, false);
            SmallVector<Value> tiles = {kb.weightedSumLoop(
                tileSources, row, sm.weights, acc[0], {row}, streaming)};
            // The decode tail (depth_attn_norm): the next sublayer's PreNorm
            // of h runs in the same row loop, on the row just written (in
            // L1), instead of re-reading h.
            if (normGain)
              tiles.push_back(kb.normalizeRow(tiles[0], row, normGain, normEps,
                                              acc[1], streaming));
            return tiles;
          });
      if constexpr (kFused)
        return SmallVector<Value>{rowsDone[1], rowsDone[0]};
      else
        return rowsDone;
    };
    return replaceByRowTiles<kFused>(
        rewriter, op, buffers, kb.forEachRowTile(rewriter, flat, rows, lower),
        op.getSources().front(), type);
  }
};

struct DepthAttnStatsToVector : KernelPattern<DepthAttnStatsOp> {
  using KernelPattern::KernelPattern;

  bool takesBuffers() const override { return true; }

  LogicalResult rewriteKernel(DepthAttnStatsOp op,
                              PatternRewriter &rewriter) const override {
    if (op.getSources().empty() || hasEncodedTensors(op))
      return failure();
    bool buffers = isBufferForm(op);
    if (buffers && op.getInits().size() != 2)
      return rewriter.notifyMatchFailure(op, "needs two buffers");
    std::optional<int64_t> hidden =
        kernelHidden(op.getSources().front().getType());
    if (!hidden)
      return rewriter.notifyMatchFailure(op, "needs a static hidden size");
    if (!hasAddressableTypes(op))
      return rewriter.notifyMatchFailure(op, "tensors too large to address");
    Location loc = op.getLoc();
    // The output and lse types (of the buffers in the memref form).
    auto outType = cast<ShapedType>(buffers ? op.getInits()[0].getType()
                                            : op.getOutput().getType());
    auto lseType = cast<ShapedType>(buffers ? op.getInits()[1].getType()
                                            : op.getLse().getType());
    if (buffers) {
      // No token rows or no queries: nothing to write.
      if (llvm::is_contained(outType.getShape(), 0)) {
        rewriter.eraseOp(op);
        return success();
      }
    } else if (succeeded(replaceEmptyResults(rewriter, op))) {
      return success();
    }
    Value queries = op.getQueries();
    // The memref form: the op on rows views of its buffers (made before
    // anything else, and nothing is made when one has none).
    IRMapping views;
    if (buffers &&
        (failed(mapRowsViews(rewriter, loc, op.getSources(), views)) ||
         failed(mapRowsViews(rewriter, loc, op.getInits().take_front(), views,
                             1, true)) ||
         failed(mapRowsViews(rewriter, loc, op.getInits().drop_front(), views,
                             1, false)))) {
      for (const auto &[buffer, view] : views.getValueMap())
        if (buffer != view)
          rewriter.eraseOp(view.getDefiningOp());
      return rewriter.notifyMatchFailure(
          op, "buffer layout without a rows view: lowered by "
              "convert-attnres-to-linalg");
    }
    KernelBuilder kb(rewriter, loc, *hidden, options);
    // Every source's row, plus the outputs of statically known queries.
    {
      int64_t s = cast<ShapedType>(queries.getType()).getDimSize(0);
      kb.rowBytes =
          llvm::SaturatingAdd(rowsOfBytes(op.getSources().front().getType(),
                                          op.getSources().size(), *hidden),
                              ShapedType::isDynamic(s)
                                  ? uint64_t(0)
                                  : rowsOfBytes(outType, uint64_t(s), *hidden));
    }
    SmallVector<Value> sources;
    for (Value s : op.getSources())
      sources.push_back(buffers ? views.lookup(s)
                                : flattenRows(rewriter, loc, s, 0, true));
    OpFoldResult numQueriesOfr =
        buffers ? OpFoldResult()
                : tensor::getMixedSize(rewriter, loc, queries, 0);
    Value rows = kb.dim(rewriter, sources[0], 0);
    double eps = epsOf(op.getEpsAttr());

    // A few queries known statically: one pass over the row for all of
    // them (statistics), one for all outputs. Otherwise a loop over queries
    // that re-reads the (cached) row.
    int64_t staticQueries = cast<ShapedType>(queries.getType()).getDimSize(0);
    bool batched = !ShapedType::isDynamic(staticQueries) &&
                   staticQueries >= 1 && staticQueries <= kMaxBatchedQueries;
    bool streaming = wantsStreamingStores(outType, options.streamingMinBytes);
    // The op on the flattened rows, tiled by `forEachRowTile`.
    Operation *flat;
    if (buffers) {
      flat = rewriter.clone(*op.getOperation(), views);
    } else {
      auto flatSourceType = cast<RankedTensorType>(sources[0].getType());
      SmallVector<int64_t> flatOutShape = {staticQueries};
      llvm::append_range(flatOutShape, flatSourceType.getShape());
      flat = DepthAttnStatsOp::create(
          rewriter, loc,
          RankedTensorType::get(flatOutShape, outType.getElementType()),
          RankedTensorType::get(ArrayRef(flatOutShape).drop_back(),
                                lseType.getElementType()),
          queries, sources, op.getEpsAttr());
    }
    // The per-row loop of a tile: rows [0, n) of its sources.
    auto lower = [&](Operation *tileOp, ValueRange inits) {
      auto tile = dyn_cast<DepthAttnStatsOp>(tileOp);
      if (!tile)
        return SmallVector<Value>();
      SmallVector<Value> tileSources(tile.getSources());
      Value n = kb.dim(rewriter, tileSources[0], 0);
      Value numQueries = kb.dim(rewriter, queries, 0);
      // The tile's output and lse: its own buffers in the memref form.
      SmallVector<Value> outs(buffers ? ValueRange(tile.getInits()) : inits);
      if (outs.empty()) {
        OpFoldResult nOfr =
            tensor::getMixedSize(rewriter, loc, tileSources[0], 0);
        outs.push_back(tensor::EmptyOp::create(
            rewriter, loc,
            ArrayRef<OpFoldResult>{numQueriesOfr, nOfr,
                                   rewriter.getIndexAttr(*hidden)},
            outType.getElementType()));
        outs.push_back(tensor::EmptyOp::create(
            rewriter, loc, ArrayRef<OpFoldResult>{numQueriesOfr, nOfr},
            lseType.getElementType()));
      }
      return kb.forEachRow(n, outs, [&](Value row, ValueRange acc) {
        if (batched) {
          SmallVector<Value> sumSq;
          SmallVector<SmallVector<Value>> dots;
          kb.batchedStatistics(tileSources, row, queries, staticQueries, sumSq,
                               dots);
          SmallVector<SmallVector<Value>> weights;
          Value lseTile = acc[1];
          for (int64_t qi = 0; qi < staticQueries; ++qi) {
            SoftmaxScalars sm = kb.softmax(sumSq, dots[qi], eps, true);
            weights.push_back(sm.weights);
            lseTile = kb.insert(rewriter, sm.lse, lseTile,
                                ValueRange{kb.index(qi), row});
          }
          Value out = kb.batchedWeightedSum(tileSources, row, weights, acc[0],
                                            row, streaming);
          return SmallVector<Value>{out, lseTile};
        }
        SmallVector<Value> sumSq;
        kb.rowStatistics(tileSources, row, Value(), {}, &sumSq, nullptr);
        SmallVector<Value> perQuery;
        carriedLoop(
            rewriter, loc, kb.index(0), numQueries, kb.index(1), acc,
            [&](OpBuilder &nb, Value s, ValueRange qAcc) {
              OpBuilder::InsertionGuard guard(rewriter);
              rewriter.setInsertionPoint(nb.getInsertionBlock(),
                                         nb.getInsertionPoint());
              SmallVector<Value> dot;
              kb.rowStatistics(tileSources, row, queries, ValueRange{s},
                               nullptr, &dot);
              SoftmaxScalars sm = kb.softmax(sumSq, dot, eps, true);
              Value lse =
                  kb.insert(rewriter, sm.lse, qAcc[1], ValueRange{s, row});
              Value out =
                  kb.weightedSumLoop(tileSources, row, sm.weights, qAcc[0],
                                     ValueRange{s, row}, streaming);
              return SmallVector<Value>{out, lse};
            },
            perQuery);
        return perQuery;
      });
    };
    FailureOr<SmallVector<Value>> result =
        kb.forEachRowTile(rewriter, flat, rows, lower);
    if (failed(result))
      return rewriter.notifyMatchFailure(op, "row tiling failed");
    if (buffers) {
      rewriter.eraseOp(op);
      return success();
    }
    SmallVector<OpFoldResult> srcSizes =
        tensor::getMixedSizes(rewriter, loc, op.getSources().front());
    SmallVector<OpFoldResult> outSizes = {numQueriesOfr};
    llvm::append_range(outSizes, srcSizes);
    SmallVector<OpFoldResult> lseSizes(outSizes.begin(),
                                       std::prev(outSizes.end()));
    Value output =
        unflattenRows(rewriter, loc, (*result)[0],
                      cast<RankedTensorType>(outType), outSizes, 1, true);
    Value lse =
        unflattenRows(rewriter, loc, (*result)[1],
                      cast<RankedTensorType>(lseType), lseSizes, 1, false);
    rewriter.replaceOp(op, ValueRange{output, lse});
    return success();
  }
};

/// depth_attn_merge, and depth_attn_merge_norm (the merge's row loop, then
/// the RMSNorm of the row just written).
template <typename OpTy> struct DepthAttnMergeToVector : KernelPattern<OpTy> {
  using KernelPattern<OpTy>::KernelPattern;

  static constexpr bool kFused = std::is_same_v<OpTy, DepthAttnMergeNormOp>;

  bool takesBuffers() const override { return true; }

  LogicalResult rewriteKernel(OpTy op,
                              PatternRewriter &rewriter) const override {
    bool buffers = isBufferForm(op);
    ShapedType type;
    if constexpr (kFused)
      type = op.getRowType();
    else
      type = buffers ? dyn_cast<ShapedType>(op.getInit().getType())
                     : ShapedType(op.getType());
    std::optional<int64_t> hidden = kernelHidden(type);
    if (!hidden || hasEncodedTensors(op))
      return rewriter.notifyMatchFailure(op, "needs a static hidden size");
    if (!hasAddressableTypes(op))
      return rewriter.notifyMatchFailure(op, "tensors too large to address");
    Location loc = op.getLoc();
    if (buffers) {
      // No token rows: nothing to write.
      if (llvm::is_contained(type.getShape(), 0)) {
        rewriter.eraseOp(op);
        return success();
      }
    } else if constexpr (kFused) {
      if (llvm::is_contained(type.getShape(), 0))
        return rewriter.notifyMatchFailure(
            op, "no rows: lowered by convert-attnres-to-linalg");
    } else if (succeeded(replaceEmptyResults(rewriter, op))) {
      return success();
    }
    // The memref form: the op on rows views of its buffers (made before
    // anything else, and nothing is made when one has none).
    IRMapping views;
    if (buffers) {
      SmallVector<Value> rowBuffers = {op.getOutput(), op.getSource()};
      if constexpr (kFused)
        llvm::append_range(rowBuffers, op.getInits());
      else
        rowBuffers.push_back(op.getInit());
      if (failed(mapRowsViews(rewriter, loc, rowBuffers, views)) ||
          failed(mapRowsViews(rewriter, loc, op.getLse(), views, 0, false))) {
        for (const auto &[buffer, view] : views.getValueMap())
          if (buffer != view)
            rewriter.eraseOp(view.getDefiningOp());
        return rewriter.notifyMatchFailure(
            op, "buffer layout without a rows view: lowered by "
                "convert-attnres-to-linalg");
      }
    }
    KernelBuilder kb(rewriter, loc, *hidden, this->options);
    // Source, phase-1 output and result rows.
    kb.rowBytes = rowsOfBytes(type, 3, *hidden);
    Value source = buffers
                       ? views.lookup(op.getSource())
                       : flattenRows(rewriter, loc, op.getSource(), 0, true);
    Value rows = kb.dim(rewriter, source, 0);
    Type flatElem = type.getElementType();
    double eps = epsOf(op.getEpsAttr());
    bool streaming =
        wantsStreamingStores(type, this->options.streamingMinBytes);
    // The op on the flattened rows, tiled by `forEachRowTile`; the fused op
    // always keeps h (the forall's shared output its tasks write and
    // normalize their rows from).
    Operation *flat;
    if (buffers) {
      if constexpr (kFused) {
        // The rows of h are written, then normalized: a scratch buffer when
        // the op does not keep h.
        Value h = op.getMergedInit();
        if (!h) {
          h = allocLike(rewriter, loc, op.getSource());
          views.map(h, rowsView(rewriter, loc, h, 0, true));
        }
        flat = DepthAttnMergeNormOp::create(
            rewriter, loc, views.lookup(op.getOutput()),
            views.lookup(op.getLse()), op.getQuery(), source, op.getGain(),
            ValueRange{views.lookup(op.getNormedInit()), views.lookup(h)},
            op.getEpsAttr(), op.getNormEpsAttr());
      } else {
        flat = rewriter.clone(*op.getOperation(), views);
      }
    } else {
      Value output = flattenRows(rewriter, loc, op.getOutput(), 0, true);
      Value lse = flattenRows(rewriter, loc, op.getLse(), 0, false);
      if constexpr (kFused)
        flat = DepthAttnMergeNormOp::create(
            rewriter, loc, output, lse, op.getQuery(), source, op.getGain(),
            /*keepMerged=*/true, op.getEpsAttr(), op.getNormEpsAttr());
      else
        flat = DepthAttnMergeOp::create(rewriter, loc, output.getType(), output,
                                        lse, op.getQuery(), source,
                                        op.getEpsAttr());
    }
    // The per-row loop of a tile: rows [0, n) of its operands.
    auto lower = [&](Operation *tileOp, ValueRange inits) {
      auto tile = dyn_cast<OpTy>(tileOp);
      if (!tile)
        return SmallVector<Value>();
      Value tileSource = tile.getSource(), tileOutput = tile.getOutput();
      Value tileLse = tile.getLse(), query = tile.getQuery();
      Value n = kb.dim(rewriter, tileSource, 0);
      // The tiles of h and (fused) of its normalized rows.
      SmallVector<Value> outs = tileOutputs<kFused>(
          rewriter, loc, tile, buffers, inits, tileSource, flatElem);
      // The next sublayer's PreNorm of h in the same row loop (decode tail).
      Value normGain;
      double normEps = 0;
      if constexpr (kFused) {
        normGain = tile.getGain();
        normEps = epsOf(tile.getNormEpsAttr());
      }
      SmallVector<Value> rowsDone =
          kb.forEachRow(n, outs, [&](Value row, ValueRange acc) {
            SmallVector<Value> sumSq, dot;
            kb.rowStatistics(tileSource, row, query, {}, &sumSq, &dot);
            Value logit = kb.logit(rewriter, loc, sumSq[0], dot[0], eps);
            Value rowLse = kb.extract(rewriter, tileLse, ValueRange{row});
            Value w = vector::BroadcastOp::create(
                rewriter, loc, kb.vecType,
                mergeWeight(rewriter, loc, logit, rowLse));
            SmallVector<Value> tiles;
            auto loop = carriedLoop(
                rewriter, loc, kb.index(0), kb.index(*hidden),
                kb.index(kb.width), ValueRange{acc[0]},
                [&](OpBuilder &nb, Value c, ValueRange cAcc) {
                  Value o = kb.read(nb, tileOutput, ValueRange{row, c});
                  Value u = kb.read(nb, tileSource, ValueRange{row, c});
                  Value h = kb.merge(nb, loc, w, u, o);
                  return SmallVector<Value>{
                      kb.write(nb, h, cAcc[0], ValueRange{row, c})};
                },
                tiles);
            tagStreaming(loop, streaming);
            if (normGain)
              tiles.push_back(kb.normalizeRow(tiles[0], row, normGain, normEps,
                                              acc[1], streaming));
            return tiles;
          });
      if constexpr (kFused)
        return SmallVector<Value>{rowsDone[1], rowsDone[0]};
      else
        return rowsDone;
    };
    return replaceByRowTiles<kFused>(
        rewriter, op, buffers, kb.forEachRowTile(rewriter, flat, rows, lower),
        op.getSource(), type);
  }
};

//===----------------------------------------------------------------------===//
// DepthAttnGradOp: the fused backward kernel
//===----------------------------------------------------------------------===//

/// `depth_attn_grad` as one row kernel (docs/semantics.md, Gradients):
///
///   scf.forall over tiles of token rows, each with a D-float dq accumulator
///     scf.for over the rows of the tile
///       scf.for over D: Σ v², q·v, g·v for a group of sources at once
///       scalars: ρ_j, s_j, α_j, ā, ds_j and the coefficients of dV_j
///       scf.for over D: dV_j = α_j g + (ds_j ρ_j) q + e_j V_j for every
///         source (the output loop: non-temporal stores when large)
///       scf.for over D: dq_acc += Σ_j (ds_j ρ_j) V_j
///   dq = Σ over the tiles' accumulators
///
/// Every source row and the g row are read from memory once (the later
/// passes read the n + 1 rows just loaded, from cache), every dV_j row is
/// written once: (2n + 1)·D elements per row. Ops with a static zero token
/// dim are left to the linalg lowering (their dq is zero, not empty).
struct DepthAttnGradToVector : KernelPattern<DepthAttnGradOp> {
  using KernelPattern::KernelPattern;

  bool takesBuffers() const override { return true; }

  LogicalResult rewriteKernel(DepthAttnGradOp op,
                              PatternRewriter &rewriter) const override {
    bool buffers = isBufferForm(op);
    auto srcType = dyn_cast_or_null<ShapedType>(
        op.getGrad() ? op.getGrad().getType() : Type());
    std::optional<int64_t> hidden = kernelHidden(srcType);
    if (!hidden || op.getSources().empty() || hasEncodedTensors(op) ||
        (buffers ? op.getInits().size() != op.getSources().size() + 1
                 : !isa<RankedTensorType>(srcType)))
      return rewriter.notifyMatchFailure(op, "needs a static hidden size");
    if (!hasAddressableTypes(op))
      return rewriter.notifyMatchFailure(op, "tensors too large to address");
    if (llvm::is_contained(srcType.getShape().drop_back(), 0))
      return rewriter.notifyMatchFailure(op, "no token rows");
    Location loc = op.getLoc();
    size_t n = op.getSources().size();
    // The memref form: rows views of the sources, g and the dV_j
    // destinations (written in place by the tasks).
    IRMapping views;
    if (buffers) {
      SmallVector<Value> viewed(op.getSources());
      viewed.push_back(op.getGrad());
      llvm::append_range(viewed, op.getInits().drop_front());
      if (failed(mapRowsViews(rewriter, loc, viewed, views)))
        return rewriter.notifyMatchFailure(
            op, "buffer layout without a rows view: lowered by "
                "convert-attnres-to-linalg");
    }
    KernelBuilder kb(rewriter, loc, *hidden, options);
    kb.rowBytes = rowsOfBytes(srcType, 2 * n + 1, *hidden);
    SmallVector<Value> sources;
    for (Value s : op.getSources())
      sources.push_back(buffers ? views.lookup(s)
                                : flattenRows(rewriter, loc, s, 0, true));
    Value grad = buffers ? views.lookup(op.getGrad())
                         : flattenRows(rewriter, loc, op.getGrad(), 0, true);
    Value query = op.getQuery();
    Value rows = kb.dim(rewriter, sources[0], 0);
    Type elemType = srcType.getElementType();
    double eps = epsOf(op.getEpsAttr());
    int64_t width = kb.width;
    bool streaming = wantsStreamingStores(srcType, options.streamingMinBytes);

    // Tiles of rows, one task each; task k accumulates its dq into row k of
    // `partial`. As in the forward kernels: small tiles (a few rows of
    // traffic, `rowsPerTask()`) only for calls of up to 4 full tasks,
    // otherwise `rows-per-task` rows (fewer partial dq rows to sum).
    Value tile, numTasks;
    std::tie(tile, numTasks) = kb.gradTasks(rows);
    SmallVector<Value> shared;
    for (size_t j = 0; j < n; ++j)
      shared.push_back(
          buffers
              ? views.lookup(op.getInits()[j + 1])
              : tensor::EmptyOp::create(
                    rewriter, loc,
                    tensor::getMixedSizes(rewriter, loc, sources[0]), elemType)
                    .getResult());
    shared.push_back(kb.taskAccumulators(numTasks, {}, buffers));
    SmallVector<Value> done = kb.gradForall(
        rows, tile, numTasks, shared, kb.gradSlices(n, 1),
        [&](Value start, Value size, ValueRange taskTiles) {
          SmallVector<Value> tiles(taskTiles);
          tiles.back() = kb.zeroRow(tiles.back(), {0});
          return kb.forEachRow(size, tiles, [&](Value local, ValueRange cur) {
            Value row = arith::AddIOp::create(rewriter, loc, start, local);
            // Pass 1: Σ v², q·v, g·v in groups of sources (registers).
            SmallVector<Value> sumSq, dot, gdot;
            // Three accumulators per source where the forward has two: the
            // same register budget, 2·sources-per-loop vectors.
            size_t maxGroup =
                std::max<size_t>(1, 2 * size_t(options.sourcesPerLoop) / 3);
            size_t group = llvm::divideCeil(n, llvm::divideCeil(n, maxGroup));
            for (size_t first = 0; first < n; first += group) {
              size_t count = std::min(group, n - first);
              SmallVector<Value> inits(3 * count, kb.zero(rewriter, loc));
              auto loop = scf::ForOp::create(
                  rewriter, loc, kb.index(0), kb.index(*hidden),
                  kb.index(width), inits,
                  [&](OpBuilder &nb, Location, Value c, ValueRange a) {
                    Value q = kb.read(nb, query, ValueRange{c});
                    Value g = kb.read(nb, grad, ValueRange{row, c});
                    SmallVector<Value> ys;
                    for (size_t j = 0; j < count; ++j) {
                      Value v =
                          kb.read(nb, sources[first + j], ValueRange{row, c});
                      SmallVector<Value> acc(a.slice(3 * j, 3));
                      llvm::append_range(
                          ys, kb.statistics(nb, loc, v, {q, g}, true, acc));
                    }
                    scf::YieldOp::create(nb, loc, ys);
                  });
              for (size_t j = 0; j < count; ++j) {
                sumSq.push_back(kb.hsum(rewriter, loc, loop.getResult(3 * j)));
                dot.push_back(
                    kb.hsum(rewriter, loc, loop.getResult(3 * j + 1)));
                gdot.push_back(
                    kb.hsum(rewriter, loc, loop.getResult(3 * j + 2)));
              }
            }
            // Scalars.
            Value invD = f32Constant(rewriter, loc, 1.0 / double(*hidden));
            Value epsV = f32Constant(rewriter, loc, eps);
            SmallVector<Value> rho, logits;
            for (size_t j = 0; j < n; ++j) {
              rho.push_back(kb.rmsScale(rewriter, loc, sumSq[j], invD, epsV));
              logits.push_back(
                  arith::MulFOp::create(rewriter, loc, rho[j], dot[j]));
            }
            SmallVector<Value> alpha =
                softmaxScalars(rewriter, loc, logits, false).weights;
            Value mean;
            for (size_t j = 0; j < n; ++j) {
              Value t = arith::MulFOp::create(rewriter, loc, alpha[j], gdot[j]);
              mean = mean ? arith::AddFOp::create(rewriter, loc, mean, t)
                                .getResult()
                          : t;
            }
            SmallVector<Value> aV, cV, eV;
            for (size_t j = 0; j < n; ++j) {
              Value ds = arith::MulFOp::create(
                  rewriter, loc, alpha[j],
                  arith::SubFOp::create(rewriter, loc, gdot[j], mean));
              Value c = arith::MulFOp::create(rewriter, loc, ds, rho[j]);
              Value e = arith::NegFOp::create(
                  rewriter, loc,
                  arith::MulFOp::create(
                      rewriter, loc,
                      arith::MulFOp::create(rewriter, loc, c,
                                            arith::MulFOp::create(rewriter, loc,
                                                                  logits[j],
                                                                  rho[j])),
                      invD));
              aV.push_back(vector::BroadcastOp::create(rewriter, loc,
                                                       kb.vecType, alpha[j]));
              cV.push_back(
                  vector::BroadcastOp::create(rewriter, loc, kb.vecType, c));
              eV.push_back(
                  vector::BroadcastOp::create(rewriter, loc, kb.vecType, e));
            }
            // Pass 2: the dV_j rows (the output loop: non-temporal stores
            // when large, see attnres-streaming-stores), then the dq
            // accumulator (a loop of its own: its stores must stay cached).
            SmallVector<Value> results, accDone;
            auto loop = carriedLoop(
                rewriter, loc, kb.index(0), kb.index(*hidden), kb.index(width),
                cur.take_front(n),
                [&](OpBuilder &nb, Value c, ValueRange a) {
                  Value q = kb.read(nb, query, ValueRange{c});
                  Value g = kb.read(nb, grad, ValueRange{row, c});
                  SmallVector<Value> ys;
                  for (size_t j = 0; j < n; ++j) {
                    Value v = kb.read(nb, sources[j], ValueRange{row, c});
                    Value d = kb.weightedSum(nb, loc, {aV[j], cV[j], eV[j]},
                                             {g, q, v});
                    ys.push_back(kb.write(nb, d, a[j], ValueRange{local, c}));
                  }
                  return ys;
                },
                results);
            tagStreaming(loop, streaming);
            carriedLoop(
                rewriter, loc, kb.index(0), kb.index(*hidden), kb.index(width),
                ValueRange{cur[n]},
                [&](OpBuilder &nb, Value c, ValueRange a) {
                  Value dq = kb.read(nb, a[0], ValueRange{kb.index(0), c});
                  for (size_t j = 0; j < n; ++j)
                    dq = kb.weightedSum(
                        nb, loc, cV[j],
                        kb.read(nb, sources[j], ValueRange{row, c}), dq);
                  return SmallVector<Value>{
                      kb.write(nb, dq, a[0], ValueRange{kb.index(0), c})};
                },
                accDone);
            results.push_back(accDone.front());
            return results;
          });
        });
    // dq = Σ_k partial[k, :], in the query's type (memref form: into its
    // destination buffer).
    if (buffers) {
      kb.sumTasks(done[n], numTasks, op.getInits().front());
      rewriter.eraseOp(op);
      return success();
    }
    Value dq = kb.sumTasks(done[n], numTasks,
                           cast<RankedTensorType>(op.getQueryGrad().getType()));
    SmallVector<Value> results = {dq};
    SmallVector<OpFoldResult> sizes =
        tensor::getMixedSizes(rewriter, loc, op.getGrad());
    for (size_t j = 0; j < n; ++j)
      results.push_back(unflattenRows(rewriter, loc, done[j],
                                      cast<RankedTensorType>(srcType), sizes, 0,
                                      true));
    rewriter.replaceOp(op, results);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// DepthAttnMergeGradOp: the backward of phase 2
//===----------------------------------------------------------------------===//

/// `depth_attn_merge_grad` as one row kernel, the structure of
/// `DepthAttnGradToVector` for one source `u` and the phase-1 output `o`:
/// per row one loop over D for `Σ u²`, `q·u` and `g·(u − o)`; scalars `ρ`,
/// `s`, `β = sigmoid(s − lse)`, `ds`; a loop writing `do = (1 − β) g` and
/// `du = β g + (ds ρ) q − (ds s ρ²/D) u`; a loop adding `(ds ρ) u` to the
/// task's dq accumulator. `u`, `o` and `g` are read from memory once, `do`
/// and `du` written once; `dlse = −ds` is one float per row.
struct DepthAttnMergeGradToVector : KernelPattern<DepthAttnMergeGradOp> {
  using KernelPattern::KernelPattern;

  bool takesBuffers() const override { return true; }

  LogicalResult rewriteKernel(DepthAttnMergeGradOp op,
                              PatternRewriter &rewriter) const override {
    bool buffers = isBufferForm(op);
    auto srcType = dyn_cast<ShapedType>(op.getSource().getType());
    std::optional<int64_t> hidden = kernelHidden(srcType);
    if (!hidden || hasEncodedTensors(op) ||
        (buffers ? op.getInits().size() != 4 : !isa<RankedTensorType>(srcType)))
      return rewriter.notifyMatchFailure(op, "needs a static hidden size");
    if (!hasAddressableTypes(op))
      return rewriter.notifyMatchFailure(op, "tensors too large to address");
    if (llvm::is_contained(srcType.getShape().drop_back(), 0))
      return rewriter.notifyMatchFailure(op, "no token rows");
    Location loc = op.getLoc();
    // The memref form: rows views of u, o, g, lse and of the do, dlse and
    // du destinations (dq is written by `sumTasks`).
    IRMapping views;
    if (buffers) {
      SmallVector<Value> inits(op.getInits());
      SmallVector<Value> rowBuffers = {op.getSource(), op.getOutput(),
                                       op.getGrad(), inits[0], inits[3]};
      SmallVector<Value> scalarBuffers = {op.getLse(), inits[1]};
      if (!haveRowsViews(rowBuffers, 0, true) ||
          !haveRowsViews(scalarBuffers, 0, false))
        return rewriter.notifyMatchFailure(
            op, "buffer layout without a rows view: lowered by "
                "convert-attnres-to-linalg");
      (void)mapRowsViews(rewriter, loc, rowBuffers, views);
      (void)mapRowsViews(rewriter, loc, scalarBuffers, views, 0, false);
    }
    auto flat = [&](Value v, bool hasHidden) {
      return buffers ? views.lookup(v)
                     : flattenRows(rewriter, loc, v, 0, hasHidden);
    };
    KernelBuilder kb(rewriter, loc, *hidden, options);
    kb.rowBytes = rowsOfBytes(srcType, 5, *hidden);
    Value source = flat(op.getSource(), true);
    Value output = flat(op.getOutput(), true);
    Value grad = flat(op.getGrad(), true);
    Value lse = flat(op.getLse(), false);
    Value query = op.getQuery();
    Value rows = kb.dim(rewriter, source, 0);
    Type elemType = srcType.getElementType();
    double eps = epsOf(op.getEpsAttr());
    int64_t width = kb.width;
    Type f32 = rewriter.getF32Type();
    bool streaming = wantsStreamingStores(srcType, options.streamingMinBytes);

    Value tile, numTasks;
    std::tie(tile, numTasks) = kb.gradTasks(rows);
    SmallVector<Value> shared;
    if (buffers) {
      SmallVector<Value> inits(op.getInits());
      shared = {views.lookup(inits[0]), views.lookup(inits[3]),
                views.lookup(inits[1])};
    } else {
      SmallVector<OpFoldResult> rowSizes =
          tensor::getMixedSizes(rewriter, loc, source);
      shared = {
          tensor::EmptyOp::create(rewriter, loc, rowSizes, elemType),
          tensor::EmptyOp::create(rewriter, loc, rowSizes, elemType),
          tensor::EmptyOp::create(
              rewriter, loc, ArrayRef<OpFoldResult>{rowSizes.front()}, f32)};
    }
    shared.push_back(kb.taskAccumulators(numTasks, {}, buffers));
    SmallVector<Value> done = kb.gradForall(
        rows, tile, numTasks, shared,
        {TaskSlice::Rows, TaskSlice::Rows, TaskSlice::RowScalars,
         TaskSlice::Accumulator},
        [&](Value start, Value size, ValueRange taskTiles) {
          SmallVector<Value> tiles(taskTiles);
          tiles.back() = kb.zeroRow(tiles.back(), {0});
          return kb.forEachRow(size, tiles, [&](Value local, ValueRange cur) {
            Value row = arith::AddIOp::create(rewriter, loc, start, local);
            auto stats = scf::ForOp::create(
                rewriter, loc, kb.index(0), kb.index(*hidden), kb.index(width),
                ValueRange{kb.zero(rewriter, loc), kb.zero(rewriter, loc),
                           kb.zero(rewriter, loc)},
                [&](OpBuilder &nb, Location, Value c, ValueRange a) {
                  Value q = kb.read(nb, query, ValueRange{c});
                  Value u = kb.read(nb, source, ValueRange{row, c});
                  Value o = kb.read(nb, output, ValueRange{row, c});
                  Value g = kb.read(nb, grad, ValueRange{row, c});
                  SmallVector<Value> ys =
                      kb.statistics(nb, loc, u, {q}, true, {a[0], a[1]});
                  ys.push_back(kb.accumulateProduct(
                      nb, loc, g, arith::SubFOp::create(nb, loc, u, o), a[2]));
                  scf::YieldOp::create(nb, loc, ys);
                });
            Value sumSq = kb.hsum(rewriter, loc, stats.getResult(0));
            Value dot = kb.hsum(rewriter, loc, stats.getResult(1));
            Value gdiff = kb.hsum(rewriter, loc, stats.getResult(2));
            Value invD = f32Constant(rewriter, loc, 1.0 / double(*hidden));
            Value rho = kb.rmsScale(rewriter, loc, sumSq, invD, eps);
            Value s = arith::MulFOp::create(rewriter, loc, rho, dot);
            Value rowLse = kb.extract(rewriter, lse, ValueRange{row});
            Value beta = mergeWeight(rewriter, loc, s, rowLse);
            Value oneF = f32Constant(rewriter, loc, 1.0);
            Value oneMinus = arith::SubFOp::create(rewriter, loc, oneF, beta);
            Value ds = arith::MulFOp::create(
                rewriter, loc,
                arith::MulFOp::create(rewriter, loc, beta, oneMinus), gdiff);
            Value c = arith::MulFOp::create(rewriter, loc, ds, rho);
            Value e = arith::NegFOp::create(
                rewriter, loc,
                arith::MulFOp::create(
                    rewriter, loc,
                    arith::MulFOp::create(
                        rewriter, loc, c,
                        arith::MulFOp::create(rewriter, loc, s, rho)),
                    invD));
            Value dlseTile =
                kb.insert(rewriter, arith::NegFOp::create(rewriter, loc, ds),
                          cur[2], ValueRange{local});
            auto splat = [&](Value x) {
              return vector::BroadcastOp::create(rewriter, loc, kb.vecType, x);
            };
            Value betaV = splat(beta), oneMinusV = splat(oneMinus),
                  cV = splat(c), eV = splat(e);
            SmallVector<Value> outDone, accDone;
            auto loop = carriedLoop(
                rewriter, loc, kb.index(0), kb.index(*hidden), kb.index(width),
                ValueRange{cur[0], cur[1]},
                [&](OpBuilder &nb, Value ch, ValueRange a) {
                  Value q = kb.read(nb, query, ValueRange{ch});
                  Value u = kb.read(nb, source, ValueRange{row, ch});
                  Value g = kb.read(nb, grad, ValueRange{row, ch});
                  Value dO = kb.weightedSum(nb, loc, oneMinusV, g);
                  Value dU =
                      kb.weightedSum(nb, loc, {betaV, cV, eV}, {g, q, u});
                  return SmallVector<Value>{
                      kb.write(nb, dO, a[0], ValueRange{local, ch}),
                      kb.write(nb, dU, a[1], ValueRange{local, ch})};
                },
                outDone);
            tagStreaming(loop, streaming);
            carriedLoop(
                rewriter, loc, kb.index(0), kb.index(*hidden), kb.index(width),
                ValueRange{cur[3]},
                [&](OpBuilder &nb, Value ch, ValueRange a) {
                  Value dq = kb.read(nb, a[0], ValueRange{kb.index(0), ch});
                  dq = kb.weightedSum(nb, loc, cV,
                                      kb.read(nb, source, ValueRange{row, ch}),
                                      dq);
                  return SmallVector<Value>{
                      kb.write(nb, dq, a[0], ValueRange{kb.index(0), ch})};
                },
                accDone);
            return SmallVector<Value>{outDone[0], outDone[1], dlseTile,
                                      accDone[0]};
          });
        });
    if (buffers) {
      kb.sumTasks(done[3], numTasks, op.getInits()[2]);
      rewriter.eraseOp(op);
      return success();
    }
    Value dq = kb.sumTasks(done[3], numTasks,
                           cast<RankedTensorType>(op.getQueryGrad().getType()));
    SmallVector<OpFoldResult> sizes =
        tensor::getMixedSizes(rewriter, loc, op.getSource());
    SmallVector<OpFoldResult> lseSizes(sizes.begin(), std::prev(sizes.end()));
    auto lseType = cast<RankedTensorType>(op.getLseGrad().getType());
    auto rowsType = cast<RankedTensorType>(srcType);
    rewriter.replaceOp(
        op,
        ValueRange{
            unflattenRows(rewriter, loc, done[0], rowsType, sizes, 0, true),
            unflattenRows(rewriter, loc, done[2], lseType, lseSizes, 0, false),
            dq,
            unflattenRows(rewriter, loc, done[1], rowsType, sizes, 0, true)});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// RMSNormGradOp
//===----------------------------------------------------------------------===//

/// `rms_norm_grad` as one row kernel: per row one loop for `Σ x²` and
/// `Σ γ·g·x`, then `dx = ρ γ g − (ρ³/D)(Σγgx) x` (the output loop) and
/// `ρ x g` into the task's dγ accumulator. `x` and `g` are read from memory
/// once, `dx` written once.
struct RMSNormGradToVector : KernelPattern<RMSNormGradOp> {
  using KernelPattern::KernelPattern;

  bool takesBuffers() const override { return true; }

  LogicalResult rewriteKernel(RMSNormGradOp op,
                              PatternRewriter &rewriter) const override {
    bool buffers = isBufferForm(op);
    auto srcType = dyn_cast<ShapedType>(op.getInput().getType());
    std::optional<int64_t> hidden = kernelHidden(srcType);
    if (!hidden || hasEncodedTensors(op) ||
        (buffers ? op.getInits().size() != 2 : !isa<RankedTensorType>(srcType)))
      return rewriter.notifyMatchFailure(op, "needs a static hidden size");
    if (!hasAddressableTypes(op))
      return rewriter.notifyMatchFailure(op, "tensors too large to address");
    if (llvm::is_contained(srcType.getShape().drop_back(), 0))
      return rewriter.notifyMatchFailure(op, "no token rows");
    Location loc = op.getLoc();
    // The memref form: rows views of x, g and the dx destination (dγ is
    // written by `sumTasks`).
    IRMapping views;
    if (buffers && failed(mapRowsViews(
                       rewriter, loc,
                       {op.getInput(), op.getGrad(), op.getInits()[0]}, views)))
      return rewriter.notifyMatchFailure(
          op, "buffer layout without a rows view: lowered by "
              "convert-attnres-to-linalg");
    auto flat = [&](Value v) {
      return buffers ? views.lookup(v) : flattenRows(rewriter, loc, v, 0, true);
    };
    KernelBuilder kb(rewriter, loc, *hidden, options);
    kb.rowBytes = rowsOfBytes(srcType, 3, *hidden);
    Value x = flat(op.getInput());
    Value grad = flat(op.getGrad());
    Value gain = op.getGain();
    Value rows = kb.dim(rewriter, x, 0);
    Type elemType = srcType.getElementType();
    double eps = epsOf(op.getEpsAttr());
    int64_t width = kb.width;
    bool streaming = wantsStreamingStores(srcType, options.streamingMinBytes);

    Value tile, numTasks;
    std::tie(tile, numTasks) = kb.gradTasks(rows);
    SmallVector<Value> shared = {
        buffers ? views.lookup(op.getInits()[0])
                : tensor::EmptyOp::create(
                      rewriter, loc, tensor::getMixedSizes(rewriter, loc, x),
                      elemType)
                      .getResult()};
    shared.push_back(kb.taskAccumulators(numTasks, {}, buffers));
    SmallVector<Value> done = kb.gradForall(
        rows, tile, numTasks, shared, kb.gradSlices(1, 1),
        [&](Value start, Value size, ValueRange taskTiles) {
          SmallVector<Value> tiles(taskTiles);
          tiles.back() = kb.zeroRow(tiles.back(), {0});
          return kb.forEachRow(size, tiles, [&](Value local, ValueRange cur) {
            Value row = arith::AddIOp::create(rewriter, loc, start, local);
            auto stats = scf::ForOp::create(
                rewriter, loc, kb.index(0), kb.index(*hidden), kb.index(width),
                ValueRange{kb.zero(rewriter, loc), kb.zero(rewriter, loc)},
                [&](OpBuilder &nb, Location, Value c, ValueRange a) {
                  Value xv = kb.read(nb, x, ValueRange{row, c});
                  Value gv = arith::MulFOp::create(
                      nb, loc, kb.read(nb, gain, ValueRange{c}),
                      kb.read(nb, grad, ValueRange{row, c}));
                  scf::YieldOp::create(
                      nb, loc,
                      kb.statistics(nb, loc, xv, {gv}, true, {a[0], a[1]}));
                });
            Value sumSq = kb.hsum(rewriter, loc, stats.getResult(0));
            Value dot = kb.hsum(rewriter, loc, stats.getResult(1));
            Value invD = f32Constant(rewriter, loc, 1.0 / double(*hidden));
            Value rho = kb.rmsScale(rewriter, loc, sumSq, invD, eps);
            Value rho3 = arith::MulFOp::create(
                rewriter, loc, arith::MulFOp::create(rewriter, loc, rho, rho),
                rho);
            Value corr = arith::NegFOp::create(
                rewriter, loc,
                arith::MulFOp::create(
                    rewriter, loc,
                    arith::MulFOp::create(rewriter, loc, rho3, invD), dot));
            Value rhoV =
                vector::BroadcastOp::create(rewriter, loc, kb.vecType, rho);
            Value corrV =
                vector::BroadcastOp::create(rewriter, loc, kb.vecType, corr);
            SmallVector<Value> outDone, accDone;
            auto loop = carriedLoop(
                rewriter, loc, kb.index(0), kb.index(*hidden), kb.index(width),
                ValueRange{cur[0]},
                [&](OpBuilder &nb, Value c, ValueRange a) {
                  Value xv = kb.read(nb, x, ValueRange{row, c});
                  Value gv = arith::MulFOp::create(
                      nb, loc, kb.read(nb, gain, ValueRange{c}),
                      kb.read(nb, grad, ValueRange{row, c}));
                  Value d = kb.weightedSum(nb, loc, {rhoV, corrV}, {gv, xv});
                  return SmallVector<Value>{
                      kb.write(nb, d, a[0], ValueRange{local, c})};
                },
                outDone);
            tagStreaming(loop, streaming);
            carriedLoop(
                rewriter, loc, kb.index(0), kb.index(*hidden), kb.index(width),
                ValueRange{cur[1]},
                [&](OpBuilder &nb, Value c, ValueRange a) {
                  Value xg = arith::MulFOp::create(
                      nb, loc, kb.read(nb, x, ValueRange{row, c}),
                      kb.read(nb, grad, ValueRange{row, c}));
                  Value dg = kb.weightedSum(
                      nb, loc, rhoV, xg,
                      kb.read(nb, a[0], ValueRange{kb.index(0), c}));
                  return SmallVector<Value>{
                      kb.write(nb, dg, a[0], ValueRange{kb.index(0), c})};
                },
                accDone);
            return SmallVector<Value>{outDone[0], accDone[0]};
          });
        });
    if (buffers) {
      kb.sumTasks(done[1], numTasks, op.getInits()[1]);
      rewriter.eraseOp(op);
      return success();
    }
    Value dgain = kb.sumTasks(
        done[1], numTasks, cast<RankedTensorType>(op.getGainGrad().getType()));
    SmallVector<OpFoldResult> sizes =
        tensor::getMixedSizes(rewriter, loc, op.getInput());
    rewriter.replaceOp(op,
                       ValueRange{unflattenRows(rewriter, loc, done[0],
                                                cast<RankedTensorType>(srcType),
                                                sizes, 0, true),
                                  dgain});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// DepthAttnStatsGradOp: the backward of phase 1
//===----------------------------------------------------------------------===//

/// `depth_attn_stats_grad` for a static number of queries `S` (1..8) as one
/// row kernel: per row, loops over D for `Σ v_j²`, `Q_s·v_j` and `dO_s·v_j`
/// (groups of sources, `1 + 2S` accumulators each); scalars from the saved
/// LSE (`α_sj = exp(s_sj − lse_s)`, no max or sum); one output loop writing
/// `dV_j = Σ_s (α_sj dO_s + (ds_sj ρ_j) Q_s) + (Σ_s e_sj) V_j`; one loop
/// adding `Σ_j (ds_sj ρ_j) V_j` to the task's S dQ accumulator rows. Each
/// source row and each dO_s row come from memory once, each dV_j is written
/// once. Other query counts take the linalg lowering.
struct DepthAttnStatsGradToVector : KernelPattern<DepthAttnStatsGradOp> {
  using KernelPattern::KernelPattern;

  bool takesBuffers() const override { return true; }

  LogicalResult rewriteKernel(DepthAttnStatsGradOp op,
                              PatternRewriter &rewriter) const override {
    if (op.getSources().empty() || hasEncodedTensors(op))
      return failure();
    bool buffers = isBufferForm(op);
    auto srcType = dyn_cast<ShapedType>(op.getSources().front().getType());
    std::optional<int64_t> hidden = kernelHidden(srcType);
    if (!hidden || !op.getLse() || !op.getOutputGrad() || !op.getLseGrad() ||
        (buffers ? op.getInits().size() != op.getSources().size() + 1
                 : !isa<RankedTensorType>(srcType)))
      return rewriter.notifyMatchFailure(op, "needs a static hidden size");
    if (!hasAddressableTypes(op))
      return rewriter.notifyMatchFailure(op, "tensors too large to address");
    if (llvm::is_contained(srcType.getShape().drop_back(), 0))
      return rewriter.notifyMatchFailure(op, "no token rows");
    auto qType = dyn_cast<ShapedType>(op.getQueries().getType());
    int64_t S = qType && qType.hasRank() && qType.getRank() == 2
                    ? qType.getDimSize(0)
                    : ShapedType::kDynamic;
    if (ShapedType::isDynamic(S) || S < 1 || S > 8)
      return rewriter.notifyMatchFailure(op, "needs 1 to 8 static queries");
    Location loc = op.getLoc();
    size_t n = op.getSources().size();
    // The memref form: rows views of the sources, the dV_j destinations,
    // dO, lse and dlse (one leading query dim kept).
    IRMapping views;
    if (buffers) {
      SmallVector<Value> rowBuffers(op.getSources());
      llvm::append_range(rowBuffers, op.getInits().drop_front());
      SmallVector<Value> scalarBuffers = {op.getLse(), op.getLseGrad()};
      if (!haveRowsViews(rowBuffers, 0, true) ||
          !haveRowsViews(op.getOutputGrad(), 1, true) ||
          !haveRowsViews(scalarBuffers, 1, false))
        return rewriter.notifyMatchFailure(
            op, "buffer layout without a rows view: lowered by "
                "convert-attnres-to-linalg");
      (void)mapRowsViews(rewriter, loc, rowBuffers, views);
      (void)mapRowsViews(rewriter, loc, op.getOutputGrad(), views, 1, true);
      (void)mapRowsViews(rewriter, loc, scalarBuffers, views, 1, false);
    }
    auto flat = [&](Value v, unsigned lead, bool hasHidden) {
      return buffers ? views.lookup(v)
                     : flattenRows(rewriter, loc, v, lead, hasHidden);
    };
    KernelBuilder kb(rewriter, loc, *hidden, options);
    kb.rowBytes = rowsOfBytes(srcType, 2 * n + S, *hidden);
    SmallVector<Value> sources;
    for (Value v : op.getSources())
      sources.push_back(flat(v, 0, true));
    Value dOut = flat(op.getOutputGrad(), 1, true);
    Value lse = flat(op.getLse(), 1, false);
    Value dLse = flat(op.getLseGrad(), 1, false);
    Value queries = op.getQueries();
    Value rows = kb.dim(rewriter, sources[0], 0);
    Type elemType = srcType.getElementType();
    double eps = epsOf(op.getEpsAttr());
    int64_t width = kb.width;
    bool streaming = wantsStreamingStores(srcType, options.streamingMinBytes);

    Value tile, numTasks;
    std::tie(tile, numTasks) = kb.gradTasks(rows);
    SmallVector<Value> shared;
    for (size_t j = 0; j < n; ++j)
      shared.push_back(
          buffers
              ? views.lookup(op.getInits()[j + 1])
              : tensor::EmptyOp::create(
                    rewriter, loc,
                    tensor::getMixedSizes(rewriter, loc, sources[0]), elemType)
                    .getResult());
    // Accumulators: [tasks, S, D].
    shared.push_back(kb.taskAccumulators(numTasks, {S}, buffers));
    SmallVector<Value> done = kb.gradForall(
        rows, tile, numTasks, shared, kb.gradSlices(n, 1),
        [&](Value start, Value size, ValueRange taskTiles) {
          SmallVector<Value> tiles(taskTiles);
          for (int64_t qi = 0; qi < S; ++qi)
            tiles.back() = kb.zeroRow(tiles.back(), {0, qi});
          return kb.forEachRow(size, tiles, [&](Value local, ValueRange cur) {
            Value row = arith::AddIOp::create(rewriter, loc, start, local);
            // Statistics: per source Σv², and Q_s·v, dO_s·v for every s.
            size_t perSource = 1 + 2 * S;
            size_t maxGroup = std::max<size_t>(
                1, 2 * size_t(options.sourcesPerLoop) / perSource);
            size_t group = llvm::divideCeil(n, llvm::divideCeil(n, maxGroup));
            SmallVector<Value> sumSq;
            SmallVector<SmallVector<Value>> dots(S), gdots(S);
            for (size_t first = 0; first < n; first += group) {
              size_t count = std::min(group, n - first);
              SmallVector<Value> inits(count * perSource,
                                       kb.zero(rewriter, loc));
              auto loop = scf::ForOp::create(
                  rewriter, loc, kb.index(0), kb.index(*hidden),
                  kb.index(width), inits,
                  [&](OpBuilder &nb, Location, Value c, ValueRange a) {
                    SmallVector<Value> qs, gs;
                    for (int64_t qi = 0; qi < S; ++qi) {
                      qs.push_back(
                          kb.read(nb, queries, ValueRange{kb.index(qi), c}));
                      gs.push_back(
                          kb.read(nb, dOut, ValueRange{kb.index(qi), row, c}));
                    }
                    SmallVector<ArrayRef<Value>> probes;
                    for (int64_t qi = 0; qi < S; ++qi) {
                      probes.push_back(qs[qi]);
                      probes.push_back(gs[qi]);
                    }
                    SmallVector<Value> ys;
                    for (size_t j = 0; j < count; ++j) {
                      Value v =
                          kb.read(nb, sources[first + j], ValueRange{row, c});
                      SmallVector<Value> acc(a.slice(j * perSource, perSource));
                      llvm::append_range(
                          ys, kb.statistics(nb, loc, v, probes, true, acc));
                    }
                    scf::YieldOp::create(nb, loc, ys);
                  });
              for (size_t j = 0; j < count; ++j) {
                size_t k = j * perSource;
                sumSq.push_back(kb.hsum(rewriter, loc, loop.getResult(k)));
                for (int64_t qi = 0; qi < S; ++qi) {
                  dots[qi].push_back(
                      kb.hsum(rewriter, loc, loop.getResult(k + 1 + 2 * qi)));
                  gdots[qi].push_back(
                      kb.hsum(rewriter, loc, loop.getResult(k + 2 + 2 * qi)));
                }
              }
            }
            // Scalars.
            Value invD = f32Constant(rewriter, loc, 1.0 / double(*hidden));
            Value epsV = f32Constant(rewriter, loc, eps);
            Value zeroF = f32Constant(rewriter, loc, 0.0);
            SmallVector<Value> rho;
            for (size_t j = 0; j < n; ++j)
              rho.push_back(kb.rmsScale(rewriter, loc, sumSq[j], invD, epsV));
            SmallVector<SmallVector<Value>> aV(S), cV(S);
            SmallVector<Value> eSum(n);
            for (int64_t qi = 0; qi < S; ++qi) {
              Value rowLse =
                  kb.extract(rewriter, lse, ValueRange{kb.index(qi), row});
              Value rowDlse =
                  kb.extract(rewriter, dLse, ValueRange{kb.index(qi), row});
              SmallVector<Value> logit, alpha;
              Value mean;
              for (size_t j = 0; j < n; ++j) {
                logit.push_back(
                    arith::MulFOp::create(rewriter, loc, rho[j], dots[qi][j]));
                Value x = arith::MinimumFOp::create(
                    rewriter, loc,
                    arith::SubFOp::create(rewriter, loc, logit[j], rowLse),
                    zeroF);
                alpha.push_back(flushedExp(rewriter, loc, x));
                Value t = arith::MulFOp::create(rewriter, loc, alpha[j],
                                                gdots[qi][j]);
                mean = mean ? arith::AddFOp::create(rewriter, loc, mean, t)
                                  .getResult()
                            : t;
              }
              for (size_t j = 0; j < n; ++j) {
                Value ds = arith::MulFOp::create(
                    rewriter, loc, alpha[j],
                    arith::AddFOp::create(rewriter, loc,
                                          arith::SubFOp::create(rewriter, loc,
                                                                gdots[qi][j],
                                                                mean),
                                          rowDlse));
                Value c = arith::MulFOp::create(rewriter, loc, ds, rho[j]);
                Value e = arith::NegFOp::create(
                    rewriter, loc,
                    arith::MulFOp::create(
                        rewriter, loc,
                        arith::MulFOp::create(
                            rewriter, loc, c,
                            arith::MulFOp::create(rewriter, loc, logit[j],
                                                  rho[j])),
                        invD));
                eSum[j] = eSum[j]
                              ? arith::AddFOp::create(rewriter, loc, eSum[j], e)
                                    .getResult()
                              : e;
                aV[qi].push_back(vector::BroadcastOp::create(
                    rewriter, loc, kb.vecType, alpha[j]));
                cV[qi].push_back(
                    vector::BroadcastOp::create(rewriter, loc, kb.vecType, c));
              }
            }
            SmallVector<Value> eV;
            for (size_t j = 0; j < n; ++j)
              eV.push_back(vector::BroadcastOp::create(rewriter, loc,
                                                       kb.vecType, eSum[j]));
            // The dV_j rows.
            SmallVector<Value> results, accDone;
            auto loop = carriedLoop(
                rewriter, loc, kb.index(0), kb.index(*hidden), kb.index(width),
                cur.take_front(n),
                [&](OpBuilder &nb, Value c, ValueRange a) {
                  SmallVector<Value> qs, gs;
                  for (int64_t qi = 0; qi < S; ++qi) {
                    qs.push_back(
                        kb.read(nb, queries, ValueRange{kb.index(qi), c}));
                    gs.push_back(
                        kb.read(nb, dOut, ValueRange{kb.index(qi), row, c}));
                  }
                  SmallVector<Value> ys;
                  for (size_t j = 0; j < n; ++j) {
                    Value v = kb.read(nb, sources[j], ValueRange{row, c});
                    SmallVector<Value> ws = {eV[j]}, xs = {v};
                    for (int64_t qi = 0; qi < S; ++qi) {
                      llvm::append_range(ws,
                                         ArrayRef<Value>{aV[qi][j], cV[qi][j]});
                      llvm::append_range(xs, ArrayRef<Value>{gs[qi], qs[qi]});
                    }
                    Value d = kb.weightedSum(nb, loc, ws, xs);
                    ys.push_back(kb.write(nb, d, a[j], ValueRange{local, c}));
                  }
                  return ys;
                },
                results);
            tagStreaming(loop, streaming);
            // The dQ accumulators.
            carriedLoop(
                rewriter, loc, kb.index(0), kb.index(*hidden), kb.index(width),
                ValueRange{cur[n]},
                [&](OpBuilder &nb, Value c, ValueRange a) {
                  SmallVector<Value> vs;
                  for (size_t j = 0; j < n; ++j)
                    vs.push_back(kb.read(nb, sources[j], ValueRange{row, c}));
                  Value t = a[0];
                  for (int64_t qi = 0; qi < S; ++qi) {
                    SmallVector<Value> idx = {kb.index(0), kb.index(qi), c};
                    Value dq = kb.weightedSum(nb, loc, cV[qi], vs,
                                              kb.read(nb, t, idx));
                    t = kb.write(nb, dq, t, idx);
                  }
                  return SmallVector<Value>{t};
                },
                accDone);
            results.push_back(accDone.front());
            return results;
          });
        });
    // dQ[s, :] = Σ_k partial[k, s, :], in the queries' type (memref form:
    // into its destination buffer).
    if (buffers) {
      kb.sumTasks(done[n], numTasks, op.getInits().front());
      rewriter.eraseOp(op);
      return success();
    }
    Value dQ =
        kb.sumTasks(done[n], numTasks,
                    cast<RankedTensorType>(op.getQueriesGrad().getType()));
    SmallVector<Value> results = {dQ};
    SmallVector<OpFoldResult> sizes =
        tensor::getMixedSizes(rewriter, loc, op.getSources().front());
    for (size_t j = 0; j < n; ++j)
      results.push_back(unflattenRows(rewriter, loc, done[j],
                                      cast<RankedTensorType>(srcType), sizes, 0,
                                      true));
    rewriter.replaceOp(op, results);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

struct ConvertAttnResToVectorPass
    : attnres::impl::ConvertAttnResToVectorPassBase<
          ConvertAttnResToVectorPass> {
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
    ConvertAttnResToVectorPassOptions options;
    options.vectorWidth = vectorWidth;
    options.rowsPerTask = rowsPerTask;
    options.sourcesPerLoop = sourcesPerLoop;
    options.bf16Pairs = bf16Pairs;
    options.streamingMinBytes = streamingMinBytes;
    options.memrefFormOnly = memrefFormOnly;
    std::string error = verifyAttnResToVectorOptions(options);
    if (!error.empty()) {
      func.emitError() << "convert-attnres-to-vector: " << error;
      return signalPassFailure();
    }
    // Ops whose tensors cannot be addressed are reported (each of them)
    // before anything is rewritten.
    if (failed(checkAddressableKernelOps(func)))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateAttnResToVectorConversionPatterns(patterns, options);
    walkAndApplyPatterns(func, std::move(patterns));
  }
};

} // namespace

std::string mlir::attnres::verifyAttnResToVectorOptions(
    const ConvertAttnResToVectorPassOptions &options) {
  std::string message;
  llvm::raw_string_ostream os(message);
  if (options.vectorWidth == 0 ||
      (options.vectorWidth & (options.vectorWidth - 1)) != 0)
    os << "vector-width must be a power of two, got " << options.vectorWidth;
  else if (options.rowsPerTask == 0)
    os << "rows-per-task must be positive";
  else if (options.streamingMinBytes < 0)
    os << "streaming-min-bytes must not be negative, got "
       << options.streamingMinBytes;
  else if (options.sourcesPerLoop == 0)
    os << "sources-per-loop must be positive";
  return message;
}

void mlir::attnres::populateAttnResToVectorConversionPatterns(
    RewritePatternSet &patterns,
    const ConvertAttnResToVectorPassOptions &options) {
  patterns
      .add<DepthAttnToVector<DepthAttnOp>, DepthAttnToVector<DepthAttnNormOp>,
           DepthAttnStatsToVector, DepthAttnMergeToVector<DepthAttnMergeOp>,
           DepthAttnMergeToVector<DepthAttnMergeNormOp>, DepthAttnGradToVector,
           DepthAttnMergeGradToVector, RMSNormGradToVector,
           DepthAttnStatsGradToVector>(patterns.getContext(), options);
}
