//===- AttnResToLinalg.cpp - attnres to linalg on tensors -----------------===//
//
// Lowers every attnres op to linalg.generic ops on tensors. All arithmetic is
// f32; f16/bf16 operands are extended on load and results truncated on store.
//
// Shapes: a source is `tensor<T_0 x ... x T_{k-1} x D x E>` (k >= 0 token
// dims). Row statistics live in `tensor<T_0 x ... x T_{k-1} x f32>`.
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/Utils/Functions.h"
#include "attnres/Conversion/AttnResToLinalg/AttnResToLinalg.h"

#include "../Common/AttnResScalarMath.h"

#include "attnres/Dialect/AttnRes/IR/AttnResDialect.h"
#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir {
namespace attnres {
#define GEN_PASS_DEF_CONVERTATTNRESTOLINALGPASS
#include "attnres/Conversion/Passes.h.inc"
} // namespace attnres
} // namespace mlir

using namespace mlir;
using namespace mlir::attnres;
using namespace mlir::attnres::detail;

namespace {

using IT = utils::IteratorType;

//===----------------------------------------------------------------------===//
// Scalar and shape helpers
//===----------------------------------------------------------------------===//

Value toF32(OpBuilder &b, Location loc, Value v) {
  return extendToF32(b, loc, v);
}

Value fromF32(OpBuilder &b, Location loc, Value v, Type type) {
  return truncateFromF32(b, loc, v, type);
}

Value f32Const(OpBuilder &b, Location loc, double value) {
  return f32Constant(b, loc, value);
}

/// Sizes of dims [from, to) of `value` (static or `tensor.dim`).
SmallVector<OpFoldResult> dimSizes(OpBuilder &b, Location loc, Value value,
                                   int64_t from, int64_t to) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = from; i < to; ++i)
    sizes.push_back(tensor::getMixedSize(b, loc, value, i));
  return sizes;
}

/// Token-dim sizes of a source (all but the last dim).
SmallVector<OpFoldResult> tokenSizes(OpBuilder &b, Location loc,
                                     Value source) {
  int64_t rank = cast<RankedTensorType>(source.getType()).getRank();
  return dimSizes(b, loc, source, 0, rank - 1);
}

/// An f32 tensor of `sizes` filled with `value`.
Value filledF32(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                double value) {
  Value empty = tensor::EmptyOp::create(b, loc, sizes, b.getF32Type());
  return linalg::FillOp::create(b, loc, ValueRange{f32Const(b, loc, value)},
                                ValueRange{empty})
      ->getResult(0);
}

/// Map from `numDims` loop dims to the listed dims.
AffineMap dimsMap(MLIRContext *ctx, unsigned numDims,
                  ArrayRef<unsigned> targets) {
  return AffineMap::getMultiDimMapWithTargets(numDims, targets, ctx);
}

SmallVector<unsigned> range(unsigned from, unsigned to) {
  SmallVector<unsigned> r;
  for (unsigned i = from; i < to; ++i)
    r.push_back(i);
  return r;
}

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

/// Per-row statistics of `sources` in one pass: `Σ v²` (if `withSumSq`) and
/// `Σ q·v` (if `query`), each an f32 tensor over the token dims. Results are
/// ordered [ss_0..ss_{n-1}, dot_0..dot_{n-1}].
SmallVector<Value> rowStatistics(OpBuilder &b, Location loc, ValueRange sources,
                                 Value query, bool withSumSq) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = cast<RankedTensorType>(sources.front().getType()).getRank();
  SmallVector<OpFoldResult> rows = tokenSizes(b, loc, sources.front());
  size_t n = sources.size();
  unsigned numOutputs = (withSumSq ? n : 0) + (query ? n : 0);

  SmallVector<Value> inputs(sources.begin(), sources.end());
  SmallVector<AffineMap> maps(n, AffineMap::getMultiDimIdentityMap(rank, ctx));
  if (query) {
    inputs.push_back(query);
    maps.push_back(dimsMap(ctx, rank, {rank - 1}));
  }
  SmallVector<Value> outputs;
  for (unsigned i = 0; i < numOutputs; ++i) {
    outputs.push_back(filledF32(b, loc, rows, 0.0));
    maps.push_back(dimsMap(ctx, rank, range(0, rank - 1)));
  }
  SmallVector<IT> iterators(rank - 1, IT::parallel);
  iterators.push_back(IT::reduction);

  auto generic = linalg::GenericOp::create(
      b, loc, ValueRange(outputs).getTypes(), inputs, outputs, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value q = query ? toF32(nb, nl, args[n]) : Value();
        ValueRange acc = args.drop_front(inputs.size());
        SmallVector<Value> yields;
        SmallVector<Value> xs;
        for (size_t j = 0; j < n; ++j)
          xs.push_back(toF32(nb, nl, args[j]));
        unsigned next = 0;
        if (withSumSq) {
          for (size_t j = 0; j < n; ++j) {
            Value sq = arith::MulFOp::create(nb, nl, xs[j], xs[j]);
            yields.push_back(arith::AddFOp::create(nb, nl, acc[next++], sq));
          }
        }
        if (query) {
          for (size_t j = 0; j < n; ++j) {
            Value p = arith::MulFOp::create(nb, nl, q, xs[j]);
            yields.push_back(arith::AddFOp::create(nb, nl, acc[next++], p));
          }
        }
        linalg::YieldOp::create(nb, nl, yields);
      });
  return SmallVector<Value>(generic->getResults());
}

/// `h[t,:] = Σ_j a_j[t] · v_j[t,:]` into a tensor of the sources' type.
/// `weightDims` are the loop dims the weight tensors are indexed by, out of
/// `numLoops` loops; the sources are indexed by `sourceDims`.
Value weightedSum(OpBuilder &b, Location loc, ValueRange weights,
                  ValueRange sources, Value init, unsigned numLoops,
                  ArrayRef<unsigned> weightDims,
                  ArrayRef<unsigned> sourceDims) {
  MLIRContext *ctx = b.getContext();
  size_t n = sources.size();
  Type elemType = cast<RankedTensorType>(init.getType()).getElementType();
  SmallVector<Value> inputs(weights.begin(), weights.end());
  llvm::append_range(inputs, sources);
  SmallVector<AffineMap> maps(n, dimsMap(ctx, numLoops, weightDims));
  maps.append(n, dimsMap(ctx, numLoops, sourceDims));
  maps.push_back(AffineMap::getMultiDimIdentityMap(numLoops, ctx));
  SmallVector<IT> iterators(numLoops, IT::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value acc;
        for (size_t j = 0; j < n; ++j) {
          Value term =
              arith::MulFOp::create(nb, nl, args[j], toF32(nb, nl, args[n + j]));
          acc = acc ? arith::AddFOp::create(nb, nl, acc, term).getResult()
                    : term;
        }
        linalg::YieldOp::create(nb, nl, fromF32(nb, nl, acc, elemType));
      });
  return generic->getResult(0);
}

/// Softmax weights (and optionally LSE) from per-row statistics, elementwise
/// over `numLoops` loop dims: `stats` = [ss_0.., dot_0..]; the ss tensors are
/// indexed by `ssDims`, the dot tensors by all loop dims.
SmallVector<Value> softmaxWeights(OpBuilder &b, Location loc, ValueRange stats,
                                  size_t n, ArrayRef<OpFoldResult> sizes,
                                  unsigned numLoops, ArrayRef<unsigned> ssDims,
                                  double hidden, double eps, bool withLse) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps(n, dimsMap(ctx, numLoops, ssDims));
  AffineMap identity = AffineMap::getMultiDimIdentityMap(numLoops, ctx);
  maps.append(n, identity);
  SmallVector<Value> outputs;
  for (size_t j = 0; j < n + (withLse ? 1 : 0); ++j) {
    outputs.push_back(tensor::EmptyOp::create(b, loc, sizes, b.getF32Type()));
    maps.push_back(identity);
  }
  SmallVector<IT> iterators(numLoops, IT::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, ValueRange(outputs).getTypes(), stats, outputs, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value invD = f32Const(nb, nl, 1.0 / hidden);
        Value epsV = f32Const(nb, nl, eps);
        SmallVector<Value> logits;
        for (size_t j = 0; j < n; ++j)
          logits.push_back(rmsLogit(nb, nl, args[j], args[n + j], invD, epsV));
        SoftmaxScalars sm = softmaxScalars(nb, nl, logits, withLse);
        SmallVector<Value> yields = sm.weights;
        if (withLse)
          yields.push_back(sm.lse);
        linalg::YieldOp::create(nb, nl, yields);
      });
  return SmallVector<Value>(generic->getResults());
}

double epsOf(FloatAttr attr) {
  return attr ? attr.getValue().convertToDouble() : 1.0e-5;
}

/// The static hidden size of a source type, or failure if dynamic.
FailureOr<int64_t> staticHidden(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || tensor.getRank() < 1 ||
      ShapedType::isDynamic(tensor.getShape().back()))
    return failure();
  return tensor.getShape().back();
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

struct DepthAttnLowering : OpConversionPattern<DepthAttnOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DepthAttnOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<int64_t> hidden = staticHidden(op.getType());
    if (failed(hidden))
      return rewriter.notifyMatchFailure(op, "dynamic hidden size");
    Location loc = op.getLoc();
    ValueRange sources = adaptor.getSources();
    size_t n = sources.size();
    unsigned rank = op.getType().getRank();
    SmallVector<Value> stats =
        rowStatistics(rewriter, loc, sources, adaptor.getQuery(), true);
    SmallVector<OpFoldResult> rows = tokenSizes(rewriter, loc, sources[0]);
    SmallVector<Value> weights =
        softmaxWeights(rewriter, loc, stats, n, rows, rank - 1,
                       range(0, rank - 1), *hidden, epsOf(op.getEpsAttr()),
                       /*withLse=*/false);
    Value init = tensor::EmptyOp::create(
        rewriter, loc, tensor::getMixedSizes(rewriter, loc, sources[0]),
        op.getType().getElementType());
    rewriter.replaceOp(op, weightedSum(rewriter, loc, weights, sources, init,
                                       rank, range(0, rank - 1),
                                       range(0, rank)));
    return success();
  }
};

struct RMSNormLowering : OpConversionPattern<RMSNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RMSNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<int64_t> hidden = staticHidden(op.getType());
    if (failed(hidden))
      return rewriter.notifyMatchFailure(op, "dynamic hidden size");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput();
    unsigned rank = op.getType().getRank();
    Value sumSq = rowStatistics(rewriter, loc, input, Value(), true).front();
    Value init = tensor::EmptyOp::create(
        rewriter, loc, tensor::getMixedSizes(rewriter, loc, input),
        op.getType().getElementType());
    SmallVector<AffineMap> maps = {
        AffineMap::getMultiDimIdentityMap(rank, ctx),
        dimsMap(ctx, rank, range(0, rank - 1)), dimsMap(ctx, rank, {rank - 1}),
        AffineMap::getMultiDimIdentityMap(rank, ctx)};
    double eps = epsOf(op.getEpsAttr());
    Type elemType = op.getType().getElementType();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{op.getType()},
        ValueRange{input, sumSq, adaptor.getGain()}, ValueRange{init}, maps,
        SmallVector<IT>(rank, IT::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value meanSq = arith::MulFOp::create(
              b, l, args[1], f32Const(b, l, 1.0 / double(*hidden)));
          Value rho = math::RsqrtOp::create(
              b, l, arith::AddFOp::create(b, l, meanSq, f32Const(b, l, eps)));
          Value y = arith::MulFOp::create(b, l, toF32(b, l, args[0]), rho);
          y = arith::MulFOp::create(b, l, y, toF32(b, l, args[2]));
          linalg::YieldOp::create(b, l, fromF32(b, l, y, elemType));
        });
    rewriter.replaceOp(op, generic->getResults());
    return success();
  }
};

struct DepthLogitsLowering : OpConversionPattern<DepthLogitsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DepthLogitsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ValueRange keys = adaptor.getKeys();
    SmallVector<Value> dots =
        rowStatistics(rewriter, loc, keys, adaptor.getQuery(), false);
    SmallVector<OpFoldResult> rows = tokenSizes(rewriter, loc, keys[0]);
    SmallVector<OpFoldResult> sizes = {rewriter.getIndexAttr(keys.size())};
    llvm::append_range(sizes, rows);
    Value result =
        tensor::EmptyOp::create(rewriter, loc, sizes, rewriter.getF32Type());
    // With a static zero-size token dim the result has no elements (and a
    // slice at offset 0 of an empty dim would not verify).
    if (llvm::is_contained(op.getType().getShape().drop_front(), 0)) {
      rewriter.replaceOp(op, result);
      return success();
    }
    SmallVector<OpFoldResult> strides(sizes.size(), rewriter.getIndexAttr(1));
    SmallVector<OpFoldResult> sliceSizes = {rewriter.getIndexAttr(1)};
    llvm::append_range(sliceSizes, rows);
    for (auto [j, dot] : llvm::enumerate(dots)) {
      SmallVector<OpFoldResult> offsets(sizes.size(), rewriter.getIndexAttr(0));
      offsets[0] = rewriter.getIndexAttr(j);
      result = tensor::InsertSliceOp::create(rewriter, loc, dot, result,
                                             offsets, sliceSizes, strides);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct DepthSoftmaxLowering : OpConversionPattern<DepthSoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DepthSoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value logits = adaptor.getLogits();
    unsigned rank = op.getType().getRank();
    SmallVector<OpFoldResult> rows = dimSizes(rewriter, loc, logits, 1, rank);
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap rowMap = dimsMap(ctx, rank, range(1, rank));
    SmallVector<IT> reduceFirst(rank, IT::parallel);
    reduceFirst[0] = IT::reduction;

    // m[t] = max_j s[j,t]
    Value maxInit = filledF32(rewriter, loc, rows,
                              -std::numeric_limits<double>::infinity());
    Value max =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{maxInit.getType()}, ValueRange{logits},
            ValueRange{maxInit}, ArrayRef<AffineMap>{identity, rowMap},
            reduceFirst,
            [&](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  b, l,
                  ValueRange{arith::MaximumFOp::create(b, l, args[0], args[1])});
            })
            ->getResult(0);
    // l[t] = Σ_j exp(s[j,t] - m[t])
    Value sumInit = filledF32(rewriter, loc, rows, 0.0);
    Value sum =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{sumInit.getType()},
            ValueRange{logits, max}, ValueRange{sumInit},
            ArrayRef<AffineMap>{identity, rowMap, rowMap}, reduceFirst,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value e = flushedExp(
                  b, l, arith::SubFOp::create(b, l, args[0], args[1]));
              linalg::YieldOp::create(
                  b, l, ValueRange{arith::AddFOp::create(b, l, args[2], e)});
            })
            ->getResult(0);
    // a[j,t] = exp(s[j,t] - m[t]) / l[t]
    Value init = tensor::EmptyOp::create(
        rewriter, loc, tensor::getMixedSizes(rewriter, loc, logits),
        rewriter.getF32Type());
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{op.getType()}, ValueRange{logits, max, sum},
        ValueRange{init},
        ArrayRef<AffineMap>{identity, rowMap, rowMap, identity},
        SmallVector<IT>(rank, IT::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value e = flushedExp(
              b, l, arith::SubFOp::create(b, l, args[0], args[1]));
          linalg::YieldOp::create(
              b, l, ValueRange{arith::DivFOp::create(b, l, e, args[2])});
        });
    rewriter.replaceOp(op, generic->getResults());
    return success();
  }
};

struct DepthCombineLowering : OpConversionPattern<DepthCombineOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DepthCombineOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value weights = adaptor.getWeights();
    ValueRange values = adaptor.getValues();
    auto weightsType = cast<RankedTensorType>(weights.getType());
    unsigned rank = op.getType().getRank();
    int64_t wRank = weightsType.getRank();
    SmallVector<OpFoldResult> sizes = {rewriter.getIndexAttr(1)};
    llvm::append_range(sizes, dimSizes(rewriter, loc, weights, 1, wRank));
    SmallVector<OpFoldResult> strides(wRank, rewriter.getIndexAttr(1));
    auto sliceType = RankedTensorType::get(weightsType.getShape().drop_front(),
                                           rewriter.getF32Type());
    bool empty = llvm::is_contained(sliceType.getShape(), 0);
    SmallVector<Value> slices;
    for (size_t j = 0; j < values.size(); ++j) {
      if (empty) {
        // No rows: nothing to read (a slice of an empty dim would not verify).
        slices.push_back(tensor::EmptyOp::create(
            rewriter, loc, ArrayRef<OpFoldResult>(sizes).drop_front(),
            rewriter.getF32Type()));
        continue;
      }
      SmallVector<OpFoldResult> offsets(wRank, rewriter.getIndexAttr(0));
      offsets[0] = rewriter.getIndexAttr(j);
      slices.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc, sliceType, weights, offsets, sizes, strides));
    }
    Value init = tensor::EmptyOp::create(
        rewriter, loc, tensor::getMixedSizes(rewriter, loc, values[0]),
        op.getType().getElementType());
    rewriter.replaceOp(op, weightedSum(rewriter, loc, slices, values, init,
                                       rank, range(0, rank - 1),
                                       range(0, rank)));
    return success();
  }
};

struct BlockSummaryLowering : OpConversionPattern<BlockSummaryOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BlockSummaryOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    ValueRange outputs = adaptor.getOutputs();
    unsigned rank = op.getType().getRank();
    Type elemType = op.getType().getElementType();
    Value init = tensor::EmptyOp::create(
        rewriter, loc, tensor::getMixedSizes(rewriter, loc, outputs[0]),
        elemType);
    SmallVector<AffineMap> maps(outputs.size() + 1,
                                AffineMap::getMultiDimIdentityMap(rank, ctx));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{op.getType()}, outputs, ValueRange{init}, maps,
        SmallVector<IT>(rank, IT::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value acc = toF32(b, l, args[0]);
          for (size_t j = 1; j < outputs.size(); ++j)
            acc = arith::AddFOp::create(b, l, acc, toF32(b, l, args[j]));
          linalg::YieldOp::create(b, l, fromF32(b, l, acc, elemType));
        });
    rewriter.replaceOp(op, generic->getResults());
    return success();
  }
};

struct DepthAttnStatsLowering : OpConversionPattern<DepthAttnStatsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DepthAttnStatsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<int64_t> hidden = staticHidden(op.getSources().front().getType());
    if (failed(hidden))
      return rewriter.notifyMatchFailure(op, "dynamic hidden size");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    ValueRange sources = adaptor.getSources();
    Value queries = adaptor.getQueries();
    size_t n = sources.size();
    // Source rank r = k + 1; loops over (s, t_0..t_{k-1}, c) = r + 1 dims.
    unsigned r = cast<RankedTensorType>(sources[0].getType()).getRank();
    SmallVector<Value> stats =
        rowStatistics(rewriter, loc, sources, Value(), true);

    // dot_j[s, t] = Σ_c Q[s,c] · v_j[t,c]
    SmallVector<OpFoldResult> qRows = {
        tensor::getMixedSize(rewriter, loc, queries, 0)};
    llvm::append_range(qRows, tokenSizes(rewriter, loc, sources[0]));
    SmallVector<Value> inputs(sources.begin(), sources.end());
    inputs.push_back(queries);
    SmallVector<AffineMap> maps(n, dimsMap(ctx, r + 1, range(1, r + 1)));
    maps.push_back(dimsMap(ctx, r + 1, {0, r}));
    SmallVector<Value> dotInits;
    for (size_t j = 0; j < n; ++j) {
      dotInits.push_back(filledF32(rewriter, loc, qRows, 0.0));
      maps.push_back(dimsMap(ctx, r + 1, range(0, r)));
    }
    SmallVector<IT> iterators(r, IT::parallel);
    iterators.push_back(IT::reduction);
    auto dotOp = linalg::GenericOp::create(
        rewriter, loc, ValueRange(dotInits).getTypes(), inputs, dotInits, maps,
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value q = toF32(b, l, args[n]);
          SmallVector<Value> yields;
          for (size_t j = 0; j < n; ++j) {
            Value p = arith::MulFOp::create(b, l, q, toF32(b, l, args[j]));
            yields.push_back(arith::AddFOp::create(b, l, args[n + 1 + j], p));
          }
          linalg::YieldOp::create(b, l, yields);
        });
    stats.append(dotOp->result_begin(), dotOp->result_end());

    // Softmax weights a_j[s, t] and lse[s, t].
    SmallVector<Value> weights = softmaxWeights(
        rewriter, loc, stats, n, qRows, r, range(1, r), *hidden,
        epsOf(op.getEpsAttr()), /*withLse=*/true);
    Value lse = weights.pop_back_val();

    // o[s, t, c] = Σ_j a_j[s, t] · v_j[t, c]
    SmallVector<OpFoldResult> outSizes = qRows;
    outSizes.push_back(rewriter.getIndexAttr(*hidden));
    Value init = tensor::EmptyOp::create(
        rewriter, loc, outSizes,
        cast<RankedTensorType>(op.getOutput().getType()).getElementType());
    Value output = weightedSum(rewriter, loc, weights, sources, init, r + 1,
                               range(0, r), range(1, r + 1));
    rewriter.replaceOp(op, ValueRange{output, lse});
    return success();
  }
};

struct DepthAttnMergeLowering : OpConversionPattern<DepthAttnMergeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DepthAttnMergeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<int64_t> hidden = staticHidden(op.getType());
    if (failed(hidden))
      return rewriter.notifyMatchFailure(op, "dynamic hidden size");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value source = adaptor.getSource();
    unsigned rank = op.getType().getRank();
    SmallVector<Value> stats =
        rowStatistics(rewriter, loc, source, adaptor.getQuery(), true);
    Type elemType = op.getType().getElementType();
    Value init = tensor::EmptyOp::create(
        rewriter, loc, tensor::getMixedSizes(rewriter, loc, source), elemType);
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap rowMap = dimsMap(ctx, rank, range(0, rank - 1));
    double eps = epsOf(op.getEpsAttr());
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{op.getType()},
        ValueRange{adaptor.getOutput(), adaptor.getLse(), stats[0], stats[1],
                   source},
        ValueRange{init},
        ArrayRef<AffineMap>{identity, rowMap, rowMap, rowMap, identity,
                            identity},
        SmallVector<IT>(rank, IT::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value s = rmsLogit(b, l, args[2], args[3],
                             f32Const(b, l, 1.0 / double(*hidden)),
                             f32Const(b, l, eps));
          Value w = mergeWeight(b, l, s, args[1]);
          Value o = toF32(b, l, args[0]);
          Value u = toF32(b, l, args[4]);
          Value h = arith::AddFOp::create(
              b, l, o,
              arith::MulFOp::create(b, l, w, arith::SubFOp::create(b, l, u, o)));
          linalg::YieldOp::create(b, l, fromF32(b, l, h, elemType));
        });
    rewriter.replaceOp(op, generic->getResults());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

struct ConvertAttnResToLinalgPass
    : attnres::impl::ConvertAttnResToLinalgPassBase<
          ConvertAttnResToLinalgPass> {
  bool canScheduleOn(RegisteredOperationName name) const override {
    return attnres::canScheduleOnFunctionsOrModules(name);
  }

  void runOnOperation() override {
    attnres::forEachFunction(getOperation(),
                    [&](FunctionOpInterface func) { runOnFunction(func); });
  }

  void runOnFunction(FunctionOpInterface func) {
    if (func.isExternal())
      return;
    if (failed(checkAttnResToLinalgPreconditions(func)))
      return signalPassFailure();
    ConversionTarget target(getContext());
    configureAttnResToLinalgConversionTarget(target);
    RewritePatternSet patterns(&getContext());
    populateAttnResToLinalgConversionPatterns(patterns);
    ConversionConfig config;
    config.allowPatternRollback = false;
    if (failed(applyPartialConversion(func, target, std::move(patterns),
                                      config)))
      signalPassFailure();
  }
};

} // namespace

LogicalResult mlir::attnres::checkAttnResToLinalgPreconditions(Operation *root) {
  bool ok = true;
  root->walk([&](Operation *op) {
    if (!isa<AttnResDialect>(op->getDialect()))
      return;
    // The lowering builds plain tensors; it cannot carry encodings.
    auto hasEncoding = [](Type type) {
      auto tensor = dyn_cast<RankedTensorType>(type);
      return tensor && tensor.getEncoding();
    };
    for (Type type : llvm::concat<const Type>(
             llvm::to_vector(op->getOperandTypes()),
             llvm::to_vector(op->getResultTypes()))) {
      if (hasEncoding(type)) {
        op->emitOpError() << "cannot be lowered: tensor encodings are not "
                             "supported, got "
                          << type;
        ok = false;
        return;
      }
    }
    // Shapes past 2^63 - 1 bytes would wrap around in later size and offset
    // computations (docs/pipelines.md, Tensor sizes).
    if (failed(checkAddressableTypes(op))) {
      ok = false;
      return;
    }
    // Ops whose math divides by D need it static.
    Type sourceType;
    if (auto attn = dyn_cast<DepthAttnOp>(op))
      sourceType = attn.getType();
    else if (auto norm = dyn_cast<RMSNormOp>(op))
      sourceType = norm.getType();
    else if (auto stats = dyn_cast<DepthAttnStatsOp>(op))
      sourceType = stats.getSources().empty()
                       ? Type()
                       : stats.getSources().front().getType();
    else if (auto merge = dyn_cast<DepthAttnMergeOp>(op))
      sourceType = merge.getType();
    else
      sourceType = getGradOpSourceType(op);
    if (sourceType && failed(staticHidden(sourceType))) {
      op->emitOpError() << "cannot be lowered: the hidden (last) dimension of "
                        << sourceType << " must be static";
      ok = false;
    }
  });
  return success(ok);
}

void mlir::attnres::configureAttnResToLinalgConversionTarget(
    ConversionTarget &target) {
  target.addIllegalDialect<AttnResDialect>();
  target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                         math::MathDialect, tensor::TensorDialect>();
  target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
}

void mlir::attnres::populateAttnResToLinalgConversionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<DepthAttnLowering, RMSNormLowering, DepthLogitsLowering,
               DepthSoftmaxLowering, DepthCombineLowering, BlockSummaryLowering,
               DepthAttnStatsLowering, DepthAttnMergeLowering>(
      patterns.getContext());
  populateAttnResGradToLinalgConversionPatterns(patterns);
}
