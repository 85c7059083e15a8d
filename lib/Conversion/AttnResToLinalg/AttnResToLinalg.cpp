//===- AttnResToLinalg.cpp - attnres to linalg on tensors -----------------===//
//
// Lowers every attnres op to linalg.generic ops on tensors. All arithmetic is
// f32; f16/bf16 operands are extended on load and results truncated on store.
//
// Shapes: a source is `tensor<T_0 x ... x T_{k-1} x D x E>` (k >= 0 token
// dims). Row statistics live in `tensor<T_0 x ... x T_{k-1} x f32>`.
//
// The lowering of each forward op is its decomposition
// (`decomposeAttnResOp`, also the ops' linalg::AggregatedOpInterface): the
// conversion patterns only replace the op by it. depth_attn,
// depth_attn_stats and depth_attn_merge may carry destinations (written by
// the last generic) and have a memref form (after bufferization), which
// decomposes into the same generics on buffers, temporaries being
// `memref.alloc`s that upstream's buffer deallocation frees.
//
//===----------------------------------------------------------------------===//

#include "attnres/Conversion/AttnResToLinalg/AttnResToLinalg.h"
#include "LinalgEmitter.h"
#include "attnres/Dialect/AttnRes/Utils/Functions.h"

#include "attnres/Dialect/AttnRes/Utils/ScalarMath.h"

#include "attnres/Dialect/AttnRes/IR/AttnResDialect.h"
#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/TypeSwitch.h"

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
/// `Σ q·v` (if `query`), each an f32 tensor (buffer) over the token dims.
/// Results are ordered [ss_0..ss_{n-1}, dot_0..dot_{n-1}].
SmallVector<Value> rowStatistics(Emitter &e, ValueRange sources, Value query,
                                 bool withSumSq) {
  MLIRContext *ctx = e.b.getContext();
  unsigned rank = cast<ShapedType>(sources.front().getType()).getRank();
  SmallVector<OpFoldResult> rows = e.sizes(sources.front(), 0, rank - 1);
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
    outputs.push_back(e.filledF32(rows, 0.0));
    maps.push_back(dimsMap(ctx, rank, range(0, rank - 1)));
  }
  SmallVector<IT> iterators(rank - 1, IT::parallel);
  iterators.push_back(IT::reduction);

  return e.generic(
      inputs, outputs, maps, iterators,
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
}

/// `h[t,:] = Σ_j a_j[t] · v_j[t,:]` into `init` (of the sources' element
/// type). `weightDims` are the loop dims the weight tensors are indexed by,
/// out of `numLoops` loops; the sources are indexed by `sourceDims`.
Value weightedSum(Emitter &e, ValueRange weights, ValueRange sources,
                  Value init, unsigned numLoops, ArrayRef<unsigned> weightDims,
                  ArrayRef<unsigned> sourceDims) {
  MLIRContext *ctx = e.b.getContext();
  size_t n = sources.size();
  Type elemType = cast<ShapedType>(init.getType()).getElementType();
  SmallVector<Value> inputs(weights.begin(), weights.end());
  llvm::append_range(inputs, sources);
  SmallVector<AffineMap> maps(n, dimsMap(ctx, numLoops, weightDims));
  maps.append(n, dimsMap(ctx, numLoops, sourceDims));
  maps.push_back(AffineMap::getMultiDimIdentityMap(numLoops, ctx));
  SmallVector<IT> iterators(numLoops, IT::parallel);
  return e
      .generic(
          inputs, ValueRange{init}, maps, iterators,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value acc;
            for (size_t j = 0; j < n; ++j) {
              Value term = arith::MulFOp::create(nb, nl, args[j],
                                                 toF32(nb, nl, args[n + j]));
              acc = acc ? arith::AddFOp::create(nb, nl, acc, term).getResult()
                        : term;
            }
            linalg::YieldOp::create(nb, nl, fromF32(nb, nl, acc, elemType));
          })
      .front();
}

/// Softmax weights (and optionally LSE, into `lseInit` if given) from
/// per-row statistics, elementwise over `numLoops` loop dims: `stats` =
/// [ss_0.., dot_0..]; the ss tensors are indexed by `ssDims`, the dot
/// tensors by all loop dims.
SmallVector<Value> softmaxWeights(Emitter &e, ValueRange stats, size_t n,
                                  ArrayRef<OpFoldResult> sizes,
                                  unsigned numLoops, ArrayRef<unsigned> ssDims,
                                  double hidden, double eps, bool withLse,
                                  Value lseInit = Value()) {
  MLIRContext *ctx = e.b.getContext();
  SmallVector<AffineMap> maps(n, dimsMap(ctx, numLoops, ssDims));
  AffineMap identity = AffineMap::getMultiDimIdentityMap(numLoops, ctx);
  maps.append(n, identity);
  SmallVector<Value> outputs;
  for (size_t j = 0; j < n + (withLse ? 1 : 0); ++j) {
    if (j == n && lseInit)
      outputs.push_back(lseInit);
    else
      outputs.push_back(e.empty(sizes, e.b.getF32Type()));
    maps.push_back(identity);
  }
  SmallVector<IT> iterators(numLoops, IT::parallel);
  return e.generic(
      stats, outputs, maps, iterators,
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
}

double epsOf(FloatAttr attr) {
  return attr ? attr.getValue().convertToDouble() : 1.0e-5;
}

/// The static hidden size of a source type, or failure if dynamic.
FailureOr<int64_t> staticHidden(Type type) {
  auto tensor = dyn_cast_or_null<ShapedType>(type);
  if (!tensor || tensor.getRank() < 1 ||
      ShapedType::isDynamic(tensor.getShape().back()))
    return failure();
  return tensor.getShape().back();
}

//===----------------------------------------------------------------------===//
// Decompositions
//===----------------------------------------------------------------------===//

using Values = FailureOr<SmallVector<Value>>;

/// The value a destination-carrying op writes its result `i` into: its
/// destination, or a new tensor of `shape` (value form without one).
Value destination(Emitter &e, Value init, ArrayRef<OpFoldResult> shape,
                  Type elem) {
  return init ? init : e.empty(shape, elem);
}

/// The op's results from the final values: none in the memref form.
SmallVector<Value> resultsOf(Emitter &e, ArrayRef<Value> values) {
  if (e.buffers)
    return {};
  return SmallVector<Value>(values);
}

Values decomposeDepthAttn(OpBuilder &b, DepthAttnOp op) {
  if (op.getSources().empty())
    return failure();
  Value source0 = op.getSources().front();
  FailureOr<int64_t> hidden = staticHidden(source0.getType());
  if (failed(hidden))
    return failure();
  Emitter e{b, op.getLoc(), op.hasBufferSemantics()};
  ValueRange sources = op.getSources();
  size_t n = sources.size();
  auto sourceType = cast<ShapedType>(source0.getType());
  unsigned rank = sourceType.getRank();
  SmallVector<Value> stats = rowStatistics(e, sources, op.getQuery(), true);
  SmallVector<OpFoldResult> rows = e.sizes(source0, 0, rank - 1);
  SmallVector<Value> weights =
      softmaxWeights(e, stats, n, rows, rank - 1, range(0, rank - 1), *hidden,
                     epsOf(op.getEpsAttr()), /*withLse=*/false);
  Value init = destination(e, op.getInit(), e.sizes(source0),
                           sourceType.getElementType());
  return resultsOf(e, weightedSum(e, weights, sources, init, rank,
                                  range(0, rank - 1), range(0, rank)));
}

/// `y = x · ((1/D)·Σ x² + eps)^(-1/2) · gain` row by row into `init` (of
/// `input`'s shape): a tensor, or a buffer in the memref form.
Value normRows(Emitter &e, Value input, Value gain, double eps, int64_t hidden,
               Value init) {
  MLIRContext *ctx = e.b.getContext();
  auto type = cast<ShapedType>(input.getType());
  unsigned rank = type.getRank();
  Value sumSq = rowStatistics(e, input, Value(), true).front();
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 dimsMap(ctx, rank, range(0, rank - 1)),
                                 dimsMap(ctx, rank, {rank - 1}),
                                 AffineMap::getMultiDimIdentityMap(rank, ctx)};
  Type elemType = type.getElementType();
  return e
      .generic(
          ValueRange{input, sumSq, gain}, ValueRange{init}, maps,
          SmallVector<IT>(rank, IT::parallel),
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value meanSq = arith::MulFOp::create(
                b, l, args[1], f32Const(b, l, 1.0 / double(hidden)));
            Value rho = math::RsqrtOp::create(
                b, l, arith::AddFOp::create(b, l, meanSq, f32Const(b, l, eps)));
            Value y = arith::MulFOp::create(b, l, toF32(b, l, args[0]), rho);
            y = arith::MulFOp::create(b, l, y, toF32(b, l, args[2]));
            linalg::YieldOp::create(b, l, fromF32(b, l, y, elemType));
          })
      .front();
}

Values decomposeRMSNorm(OpBuilder &b, RMSNormOp op) {
  Value input = op.getInput();
  FailureOr<int64_t> hidden = staticHidden(input.getType());
  if (failed(hidden))
    return failure();
  Emitter e{b, op.getLoc(), op.hasBufferSemantics()};
  Type elemType = cast<ShapedType>(input.getType()).getElementType();
  Value init = destination(e, op.getInit(), e.sizes(input), elemType);
  return resultsOf(
      e, SmallVector<Value>{normRows(e, input, op.getGain(),
                                     epsOf(op.getEpsAttr()), *hidden, init)});
}

/// depth_attn_norm / depth_attn_merge_norm: without destinations, the site
/// and the rms_norm it fuses (`buildUnfusedNormEpilogue`), which lower on
/// their own; with destinations or in the memref form, the site writing `h`
/// (into its destination, or a new tensor or buffer) and the norm's
/// generics writing the normalized destination.
template <typename OpTy> Values decomposeNormEpilogue(OpBuilder &b, OpTy op) {
  FailureOr<int64_t> hidden = staticHidden(op.getRowType());
  if (failed(hidden))
    return failure();
  Location loc = op.getLoc();
  if (op.getInits().empty()) {
    FailureOr<std::pair<Value, Value>> unfused =
        buildUnfusedNormEpilogue(b, op);
    if (failed(unfused))
      return failure();
    SmallVector<Value> results = {unfused->first};
    if (op.keepsMerged())
      results.push_back(unfused->second);
    return results;
  }
  Emitter e{b, loc, op.hasBufferSemantics()};
  Value row = op->getOperand(0);
  if constexpr (std::is_same_v<OpTy, DepthAttnNormOp>)
    row = op.getSources().front();
  Value hInit = op.getMergedInit();
  if (!hInit)
    hInit = e.empty(e.sizes(row), op.getRowType().getElementType());
  Value h;
  if constexpr (std::is_same_v<OpTy, DepthAttnNormOp>) {
    auto site = DepthAttnOp::create(b, loc, op.getQuery(), op.getSources(),
                                    hInit, op.getEpsAttr());
    h = e.buffers ? hInit : site.getResult();
  } else {
    auto site = DepthAttnMergeOp::create(b, loc, op.getOutput(), op.getLse(),
                                         op.getQuery(), op.getSource(), hInit,
                                         op.getEpsAttr());
    h = e.buffers ? hInit : site.getResult();
  }
  Value normed = normRows(e, h, op.getGain(), epsOf(op.getNormEpsAttr()),
                          *hidden, op.getNormedInit());
  SmallVector<Value> results = {normed};
  if (op.keepsMerged())
    results.push_back(h);
  return resultsOf(e, results);
}

/// Row `j` (dimension 0) of `source`, rank-reduced: a `tensor.extract_slice`
/// or (buffers) a `memref.subview`.
Value rowOf(Emitter &e, Value source, int64_t j) {
  OpBuilder &b = e.b;
  auto type = cast<ShapedType>(source.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  offsets[0] = b.getIndexAttr(j);
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1)};
  llvm::append_range(sizes, e.sizes(source, 1, rank));
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  ArrayRef<int64_t> rowShape = type.getShape().drop_front();
  if (auto memref = dyn_cast<MemRefType>(type)) {
    MemRefType rowType = memref::SubViewOp::inferRankReducedResultType(
        rowShape, memref, offsets, sizes, strides);
    return memref::SubViewOp::create(b, e.loc, rowType, source, offsets, sizes,
                                     strides);
  }
  auto rowType = RankedTensorType::get(rowShape, type.getElementType());
  return tensor::ExtractSliceOp::create(b, e.loc, rowType, source, offsets,
                                        sizes, strides);
}

Values decomposeDepthLogits(OpBuilder &b, DepthLogitsOp op) {
  Location loc = op.getLoc();
  Emitter e{b, loc, op.hasBufferSemantics()};
  ValueRange keys = op.getKeys();
  if (keys.empty())
    return failure();
  SmallVector<Value> dots = rowStatistics(e, keys, op.getQuery(), false);
  SmallVector<OpFoldResult> rows =
      e.sizes(keys[0], 0, cast<ShapedType>(keys[0].getType()).getRank() - 1);
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(keys.size())};
  llvm::append_range(sizes, rows);
  Value result = destination(e, op.getInit(), sizes, b.getF32Type());
  // With a static zero-size token dim the result has no elements (and a
  // slice at offset 0 of an empty dim would not verify).
  if (llvm::is_contained(
          cast<ShapedType>(result.getType()).getShape().drop_front(), 0))
    return resultsOf(e, {result});
  if (e.buffers) {
    // Each key's dot products into its row of the destination.
    for (auto [j, dot] : llvm::enumerate(dots))
      linalg::CopyOp::create(b, loc, dot, rowOf(e, result, j));
    return resultsOf(e, {result});
  }
  SmallVector<OpFoldResult> strides(sizes.size(), b.getIndexAttr(1));
  SmallVector<OpFoldResult> sliceSizes = {b.getIndexAttr(1)};
  llvm::append_range(sliceSizes, rows);
  for (auto [j, dot] : llvm::enumerate(dots)) {
    SmallVector<OpFoldResult> offsets(sizes.size(), b.getIndexAttr(0));
    offsets[0] = b.getIndexAttr(j);
    result = tensor::InsertSliceOp::create(b, loc, dot, result, offsets,
                                           sliceSizes, strides);
  }
  return SmallVector<Value>{result};
}

Values decomposeDepthSoftmax(OpBuilder &b, DepthSoftmaxOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  Emitter e{b, loc, op.hasBufferSemantics()};
  Value logits = op.getLogits();
  unsigned rank = cast<ShapedType>(logits.getType()).getRank();
  SmallVector<OpFoldResult> rows = e.sizes(logits, 1, rank);
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap rowMap = dimsMap(ctx, rank, range(1, rank));
  SmallVector<IT> reduceFirst(rank, IT::parallel);
  reduceFirst[0] = IT::reduction;

  // m[t] = max_j s[j,t]
  Value maxInit = e.filledF32(rows, -std::numeric_limits<double>::infinity());
  Value max =
      e.generic(ValueRange{logits}, ValueRange{maxInit},
                ArrayRef<AffineMap>{identity, rowMap}, reduceFirst,
                [&](OpBuilder &b, Location l, ValueRange args) {
                  linalg::YieldOp::create(b, l,
                                          ValueRange{arith::MaximumFOp::create(
                                              b, l, args[0], args[1])});
                })
          .front();
  // l[t] = Σ_j exp(s[j,t] - m[t])
  Value sumInit = e.filledF32(rows, 0.0);
  Value sum =
      e.generic(ValueRange{logits, max}, ValueRange{sumInit},
                ArrayRef<AffineMap>{identity, rowMap, rowMap}, reduceFirst,
                [&](OpBuilder &b, Location l, ValueRange args) {
                  Value x = flushedExp(
                      b, l, arith::SubFOp::create(b, l, args[0], args[1]));
                  linalg::YieldOp::create(
                      b, l,
                      ValueRange{arith::AddFOp::create(b, l, args[2], x)});
                })
          .front();
  // a[j,t] = exp(s[j,t] - m[t]) / l[t]
  Value init = destination(e, op.getInit(), e.sizes(logits), b.getF32Type());
  return resultsOf(
      e, e.generic(ValueRange{logits, max, sum}, ValueRange{init},
                   ArrayRef<AffineMap>{identity, rowMap, rowMap, identity},
                   SmallVector<IT>(rank, IT::parallel),
                   [&](OpBuilder &b, Location l, ValueRange args) {
                     Value x = flushedExp(
                         b, l, arith::SubFOp::create(b, l, args[0], args[1]));
                     linalg::YieldOp::create(
                         b, l,
                         ValueRange{arith::DivFOp::create(b, l, x, args[2])});
                   }));
}

Values decomposeDepthCombine(OpBuilder &b, DepthCombineOp op) {
  Location loc = op.getLoc();
  Emitter e{b, loc, op.hasBufferSemantics()};
  Value weights = op.getWeights();
  ValueRange values = op.getValues();
  if (values.empty())
    return failure();
  auto weightsType = cast<ShapedType>(weights.getType());
  auto valueType = cast<ShapedType>(values[0].getType());
  unsigned rank = valueType.getRank();
  bool empty = llvm::is_contained(weightsType.getShape().drop_front(), 0);
  SmallVector<Value> slices;
  for (size_t j = 0; j < values.size(); ++j) {
    if (empty) {
      // No rows: nothing to read (a slice of an empty dim would not verify).
      slices.push_back(
          e.empty(e.sizes(weights, 1, weightsType.getRank()), b.getF32Type()));
      continue;
    }
    slices.push_back(rowOf(e, weights, j));
  }
  Value init = destination(e, op.getInit(), e.sizes(values[0]),
                           valueType.getElementType());
  return resultsOf(e, {weightedSum(e, slices, values, init, rank,
                                   range(0, rank - 1), range(0, rank))});
}

Values decomposeBlockSummary(OpBuilder &b, BlockSummaryOp op) {
  ValueRange outputs = op.getOutputs();
  if (outputs.empty())
    return failure();
  Emitter e{b, op.getLoc(), op.hasBufferSemantics()};
  MLIRContext *ctx = b.getContext();
  auto outputType = cast<ShapedType>(outputs[0].getType());
  unsigned rank = outputType.getRank();
  Type elemType = outputType.getElementType();
  Value init = destination(e, op.getInit(), e.sizes(outputs[0]), elemType);
  SmallVector<AffineMap> maps(outputs.size() + 1,
                              AffineMap::getMultiDimIdentityMap(rank, ctx));
  return resultsOf(e, e.generic(outputs, ValueRange{init}, maps,
                                SmallVector<IT>(rank, IT::parallel),
                                [&](OpBuilder &b, Location l, ValueRange args) {
                                  Value acc = toF32(b, l, args[0]);
                                  for (size_t j = 1; j < outputs.size(); ++j)
                                    acc = arith::AddFOp::create(
                                        b, l, acc, toF32(b, l, args[j]));
                                  linalg::YieldOp::create(
                                      b, l, fromF32(b, l, acc, elemType));
                                }));
}

Values decomposeDepthAttnStats(OpBuilder &b, DepthAttnStatsOp op) {
  if (op.getSources().empty())
    return failure();
  FailureOr<int64_t> hidden = staticHidden(op.getSources().front().getType());
  if (failed(hidden))
    return failure();
  Emitter e{b, op.getLoc(), op.hasBufferSemantics()};
  MLIRContext *ctx = b.getContext();
  ValueRange sources = op.getSources();
  Value queries = op.getQueries();
  size_t n = sources.size();
  // Source rank r = k + 1; loops over (s, t_0..t_{k-1}, c) = r + 1 dims.
  unsigned r = cast<ShapedType>(sources[0].getType()).getRank();
  SmallVector<Value> stats = rowStatistics(e, sources, Value(), true);

  // dot_j[s, t] = Σ_c Q[s,c] · v_j[t,c]
  SmallVector<OpFoldResult> qRows = {e.size(queries, 0)};
  llvm::append_range(qRows, e.sizes(sources[0], 0, r - 1));
  SmallVector<Value> inputs(sources.begin(), sources.end());
  inputs.push_back(queries);
  SmallVector<AffineMap> maps(n, dimsMap(ctx, r + 1, range(1, r + 1)));
  maps.push_back(dimsMap(ctx, r + 1, {0, r}));
  SmallVector<Value> dotInits;
  for (size_t j = 0; j < n; ++j) {
    dotInits.push_back(e.filledF32(qRows, 0.0));
    maps.push_back(dimsMap(ctx, r + 1, range(0, r)));
  }
  SmallVector<IT> iterators(r, IT::parallel);
  iterators.push_back(IT::reduction);
  SmallVector<Value> dots = e.generic(
      inputs, dotInits, maps, iterators,
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value q = toF32(b, l, args[n]);
        SmallVector<Value> yields;
        for (size_t j = 0; j < n; ++j) {
          Value p = arith::MulFOp::create(b, l, q, toF32(b, l, args[j]));
          yields.push_back(arith::AddFOp::create(b, l, args[n + 1 + j], p));
        }
        linalg::YieldOp::create(b, l, yields);
      });
  stats.append(dots.begin(), dots.end());

  // Softmax weights a_j[s, t] and lse[s, t] (into the LSE destination).
  OperandRange inits = op.getInits();
  SmallVector<Value> weights = softmaxWeights(
      e, stats, n, qRows, r, range(1, r), *hidden, epsOf(op.getEpsAttr()),
      /*withLse=*/true, inits.empty() ? Value() : inits[1]);
  Value lse = weights.pop_back_val();

  // o[s, t, c] = Σ_j a_j[s, t] · v_j[t, c]
  SmallVector<OpFoldResult> outSizes = qRows;
  outSizes.push_back(b.getIndexAttr(*hidden));
  Value init =
      destination(e, inits.empty() ? Value() : inits[0], outSizes,
                  cast<ShapedType>(sources[0].getType()).getElementType());
  Value output = weightedSum(e, weights, sources, init, r + 1, range(0, r),
                             range(1, r + 1));
  return resultsOf(e, {output, lse});
}

Values decomposeDepthAttnMerge(OpBuilder &b, DepthAttnMergeOp op) {
  Value source = op.getSource();
  FailureOr<int64_t> hidden = staticHidden(source.getType());
  if (failed(hidden))
    return failure();
  Emitter e{b, op.getLoc(), op.hasBufferSemantics()};
  MLIRContext *ctx = b.getContext();
  auto sourceType = cast<ShapedType>(source.getType());
  unsigned rank = sourceType.getRank();
  SmallVector<Value> stats = rowStatistics(e, source, op.getQuery(), true);
  Type elemType = sourceType.getElementType();
  Value init = destination(e, op.getInit(), e.sizes(source), elemType);
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap rowMap = dimsMap(ctx, rank, range(0, rank - 1));
  double eps = epsOf(op.getEpsAttr());
  return resultsOf(
      e, e.generic(ValueRange{op.getOutput(), op.getLse(), stats[0], stats[1],
                              source},
                   ValueRange{init},
                   ArrayRef<AffineMap>{identity, rowMap, rowMap, rowMap,
                                       identity, identity},
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
                         arith::MulFOp::create(
                             b, l, w, arith::SubFOp::create(b, l, u, o)));
                     linalg::YieldOp::create(b, l, fromF32(b, l, h, elemType));
                   }));
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// The AggregatedOpInterface model: the decomposition above.
template <typename OpTy>
struct DecompositionModel
    : linalg::AggregatedOpInterface::ExternalModel<DecompositionModel<OpTy>,
                                                   OpTy> {
  FailureOr<SmallVector<Value>> decomposeOperation(Operation *op,
                                                   OpBuilder &b) const {
    if (!hasAddressableTypes(op))
      return failure();
    return decomposeAttnResOp(b, op);
  }
};

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

struct ConvertAttnResToLinalgPass
    : attnres::impl::ConvertAttnResToLinalgPassBase<
          ConvertAttnResToLinalgPass> {
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
    if (failed(checkAttnResToLinalgPreconditions(func)))
      return signalPassFailure();
    ConversionTarget target(getContext());
    configureAttnResToLinalgConversionTarget(target, keepBufferizable);
    RewritePatternSet patterns(&getContext());
    ConvertAttnResToLinalgPassOptions options;
    options.keepBufferizable = keepBufferizable;
    options.freeTemporaries = freeTemporaries;
    populateAttnResToLinalgConversionPatterns(patterns, options);
    ConversionConfig config;
    config.allowPatternRollback = false;
    if (failed(
            applyPartialConversion(func, target, std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace

/// Whether `keepBufferizable` leaves `op` alone: it survives bufferization
/// (a BufferizableOpInterface model) for a lowering after it.
static bool keptForBufferization(Operation *op, bool keepBufferizable) {
  return keepBufferizable && isa<bufferization::BufferizableOpInterface>(op);
}

LogicalResult
mlir::attnres::checkAttnResToLinalgPreconditions(Operation *root) {
  bool ok = true;
  // Ops are checked alike whether the pass lowers them now or keeps them
  // (keep-bufferizable) for a lowering on buffers: bufferization drops
  // encodings, and every lowering after it (linalg on buffers, the CPU and
  // GPU kernels) needs a static D too. Reporting here names the op's tensor
  // types, before bufferization rewrites them.
  root->walk([&](Operation *op) {
    if (!isa<AttnResDialect>(op->getDialect()))
      return;
    // The lowering builds plain tensors; it cannot carry encodings.
    auto hasEncoding = [](Type type) {
      auto tensor = dyn_cast<RankedTensorType>(type);
      return tensor && tensor.getEncoding();
    };
    for (Type type :
         llvm::concat<const Type>(llvm::to_vector(op->getOperandTypes()),
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
      sourceType = attn.getSources().empty()
                       ? Type()
                       : attn.getSources().front().getType();
    else if (auto norm = dyn_cast<RMSNormOp>(op))
      sourceType = norm.getInput().getType();
    else if (auto stats = dyn_cast<DepthAttnStatsOp>(op))
      sourceType = stats.getSources().empty()
                       ? Type()
                       : stats.getSources().front().getType();
    else if (auto merge = dyn_cast<DepthAttnMergeOp>(op))
      sourceType = merge.getSource().getType();
    else if (auto fused = dyn_cast<DepthAttnNormOp>(op))
      sourceType = fused.getRowType();
    else if (auto fused = dyn_cast<DepthAttnMergeNormOp>(op))
      sourceType = fused.getRowType();
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
    ConversionTarget &target, bool keepBufferizable) {
  target.addDynamicallyLegalDialect<AttnResDialect>(
      [keepBufferizable](Operation *op) {
        return keptForBufferization(op, keepBufferizable);
      });
  target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                         math::MathDialect, memref::MemRefDialect,
                         tensor::TensorDialect>();
  target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
}

void mlir::attnres::populateAttnResToLinalgConversionPatterns(
    RewritePatternSet &patterns,
    const ConvertAttnResToLinalgPassOptions &options) {
  patterns
      .add<DecompositionLowering<DepthAttnOp>, DecompositionLowering<RMSNormOp>,
           DecompositionLowering<DepthLogitsOp>,
           DecompositionLowering<DepthSoftmaxOp>,
           DecompositionLowering<DepthCombineOp>,
           DecompositionLowering<BlockSummaryOp>,
           DecompositionLowering<DepthAttnStatsOp>,
           DecompositionLowering<DepthAttnMergeOp>,
           DecompositionLowering<DepthAttnNormOp>,
           DecompositionLowering<DepthAttnMergeNormOp>>(
          patterns.getContext(), options.freeTemporaries);
  populateAttnResGradToLinalgConversionPatterns(patterns, options);
}

FailureOr<SmallVector<Value>> mlir::attnres::decomposeAttnResOp(OpBuilder &b,
                                                                Operation *op) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(op);
  return llvm::TypeSwitch<Operation *, FailureOr<SmallVector<Value>>>(op)
      .Case([&](DepthAttnOp op) { return decomposeDepthAttn(b, op); })
      .Case([&](RMSNormOp op) { return decomposeRMSNorm(b, op); })
      .Case([&](DepthLogitsOp op) { return decomposeDepthLogits(b, op); })
      .Case([&](DepthSoftmaxOp op) { return decomposeDepthSoftmax(b, op); })
      .Case([&](DepthCombineOp op) { return decomposeDepthCombine(b, op); })
      .Case([&](BlockSummaryOp op) { return decomposeBlockSummary(b, op); })
      .Case([&](DepthAttnStatsOp op) { return decomposeDepthAttnStats(b, op); })
      .Case([&](DepthAttnMergeOp op) { return decomposeDepthAttnMerge(b, op); })
      .Case([&](DepthAttnNormOp op) { return decomposeNormEpilogue(b, op); })
      .Case(
          [&](DepthAttnMergeNormOp op) { return decomposeNormEpilogue(b, op); })
      .Default([&](Operation *op) { return decomposeAttnResGradOp(b, op); });
}

void mlir::attnres::registerAttnResDecompositionInterfaceExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, AttnResDialect *) {
    DepthAttnOp::attachInterface<DecompositionModel<DepthAttnOp>>(*ctx);
    RMSNormOp::attachInterface<DecompositionModel<RMSNormOp>>(*ctx);
    DepthLogitsOp::attachInterface<DecompositionModel<DepthLogitsOp>>(*ctx);
    DepthSoftmaxOp::attachInterface<DecompositionModel<DepthSoftmaxOp>>(*ctx);
    DepthCombineOp::attachInterface<DecompositionModel<DepthCombineOp>>(*ctx);
    BlockSummaryOp::attachInterface<DecompositionModel<BlockSummaryOp>>(*ctx);
    DepthAttnStatsOp::attachInterface<DecompositionModel<DepthAttnStatsOp>>(
        *ctx);
    DepthAttnMergeOp::attachInterface<DecompositionModel<DepthAttnMergeOp>>(
        *ctx);
    DepthAttnNormOp::attachInterface<DecompositionModel<DepthAttnNormOp>>(*ctx);
    DepthAttnMergeNormOp::attachInterface<
        DecompositionModel<DepthAttnMergeNormOp>>(*ctx);
    // The decompositions build these.
    ctx->loadDialect<arith::ArithDialect, linalg::LinalgDialect,
                     math::MathDialect, memref::MemRefDialect,
                     tensor::TensorDialect>();
  });
}
