//===- AttnResGradToLinalg.cpp - attnres gradient ops to linalg -----------===//
//
// Lowers the gradient (backward) ops to linalg.generic ops on tensors, or on
// buffers for their memref form (after bufferization; temporaries are
// `memref.alloc`s that upstream's buffer deallocation frees, or, with
// `free-temporaries`, `memref.dealloc`s right after the op). The math is
// docs/semantics.md ("Gradients"); all arithmetic is f32, f16/bf16 operands
// are extended on load and results truncated on store. Gradients of the
// query/gain (sums over every token row) are accumulated in f32, in the
// destination itself when it is f32. Results are written into the op's
// destinations when it has them.
//
// Every op follows the same schedule:
//   1. row statistics in one pass over the inputs (Σv², Σq·v, Σg·v, ...);
//   2. per-row scalars: the recomputed logits and softmax weights, and the
//      coefficients of the output rows (α_j, ds_j·ρ_j, −ds_j·s_j·ρ_j²/D);
//   3. the source-shaped gradients, elementwise: α_j·g + c_j·q + e_j·V_j;
//   4. the vector gradient (query, gain): a sum over the token rows.
//
//===----------------------------------------------------------------------===//

#include "LinalgEmitter.h"
#include "attnres/Conversion/AttnResToLinalg/AttnResToLinalg.h"

#include "attnres/Dialect/AttnRes/Utils/ScalarMath.h"

#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::attnres;
using namespace mlir::attnres::detail;

namespace {

using IT = utils::IteratorType;
using Values = FailureOr<SmallVector<Value>>;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

Value cst(OpBuilder &b, Location loc, double value) {
  return f32Constant(b, loc, value);
}

Value mulf(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::MulFOp::create(b, loc, x, y);
}
Value addf(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AddFOp::create(b, loc, x, y);
}
Value subf(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::SubFOp::create(b, loc, x, y);
}

/// `ρ = (ss·invD + eps)^(-1/2)`.
Value invRms(OpBuilder &b, Location loc, Value sumSq, Value invD, Value eps) {
  return math::RsqrtOp::create(b, loc,
                               addf(b, loc, mulf(b, loc, sumSq, invD), eps));
}

AffineMap mapTo(MLIRContext *ctx, unsigned numDims,
                ArrayRef<unsigned> targets) {
  return AffineMap::getMultiDimMapWithTargets(numDims, targets, ctx);
}

SmallVector<unsigned> dimRange(unsigned from, unsigned to) {
  SmallVector<unsigned> r;
  for (unsigned i = from; i < to; ++i)
    r.push_back(i);
  return r;
}

double epsValue(FloatAttr attr) {
  return attr ? attr.getValue().convertToDouble() : 1.0e-5;
}

FailureOr<int64_t> hiddenOf(Type type) {
  auto shaped = dyn_cast_or_null<ShapedType>(type);
  if (!shaped || !shaped.hasRank() || shaped.getRank() < 1 ||
      ShapedType::isDynamic(shaped.getShape().back()))
    return failure();
  return shaped.getShape().back();
}

Type elementTypeOf(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

/// Destination `i` of an op (`inits` empty in the value form without
/// destinations: then a new tensor of `sizes`).
Value destinationOr(Emitter &e, ValueRange inits, unsigned i,
                    ArrayRef<OpFoldResult> sizes, Type elem) {
  return inits.empty() ? e.empty(sizes, elem) : inits[i];
}

/// The type of a result: the result's, or (memref form) its destination's.
Type resultTypeOf(Operation *op, ValueRange inits, unsigned i) {
  return op->getNumResults() ? op->getResult(i).getType() : inits[i].getType();
}

/// Rounds the f32 values `f32Value` into `init` (a destination of the
/// result's element type) or, without one, into a new tensor; a tensor
/// result is cast to `resultType` where static sizes differ.
Value roundInto(Emitter &e, Value f32Value, Value init, Type resultType) {
  MLIRContext *ctx = e.b.getContext();
  Type elem = cast<ShapedType>(resultType).getElementType();
  Value value = f32Value;
  if (init || !elem.isF32()) {
    unsigned rank = cast<ShapedType>(f32Value.getType()).getRank();
    Value dest = init ? init : e.empty(e.sizes(f32Value), elem);
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    value = e.generic(ValueRange{f32Value}, ValueRange{dest},
                      ArrayRef<AffineMap>{identity, identity},
                      SmallVector<IT>(rank, IT::parallel),
                      [&](OpBuilder &nb, Location nl, ValueRange args) {
                        linalg::YieldOp::create(
                            nb, nl, truncateFromF32(nb, nl, args[0], elem));
                      })
                .front();
  }
  if (!e.buffers && value.getType() != resultType)
    value = tensor::CastOp::create(e.b, e.loc, resultType, value);
  return value;
}

/// A zero-filled f32 accumulator of `sizes`: the destination `init` itself
/// when its element type is f32, else a new one (`finishAccumulator` rounds
/// it into the destination).
Value zeroAccumulator(Emitter &e, Value init, ArrayRef<OpFoldResult> sizes) {
  if (init && elementTypeOf(init).isF32())
    return e.filled(init, 0.0);
  return e.filledF32(sizes, 0.0);
}

Value finishAccumulator(Emitter &e, Value acc, Value init, Type resultType) {
  if (init && elementTypeOf(init).isF32())
    return acc; // accumulated in the destination
  return roundInto(e, acc, init, resultType);
}

/// The op's results: none in the memref form.
SmallVector<Value> resultsOf(Emitter &e, ArrayRef<Value> values) {
  if (e.buffers)
    return {};
  return SmallVector<Value>(values);
}

/// Coefficients of one source's gradient from its recomputed scalars:
/// `ds·ρ` and `−ds·s·ρ²/D`.
std::pair<Value, Value> sourceCoefficients(OpBuilder &b, Location loc, Value ds,
                                           Value rho, Value s, Value invD) {
  Value dsRho = mulf(b, loc, ds, rho);
  Value e = mulf(b, loc, mulf(b, loc, dsRho, mulf(b, loc, s, rho)), invD);
  return {dsRho, arith::NegFOp::create(b, loc, e)};
}

//===----------------------------------------------------------------------===//
// Bodies shared by depth_attn_grad and depth_attn_stats_grad
//===----------------------------------------------------------------------===//
//
// Both recompute a softmax over n sources per row (per query and row for the
// stats gradient) and differ in their loop nests and maps, not in what a
// generic computes at one point of them.

/// The body of the row statistics over the channel: `args` are the n
/// sources v_j, the query q, the result gradient g, then the accumulators.
/// Yields, per source, Σv_j² (with `sumSquares`), then every Σq·v_j, then
/// every Σg·v_j.
void yieldSourceDots(OpBuilder &b, Location l, ValueRange args, size_t n,
                     bool sumSquares) {
  Value q = extendToF32(b, l, args[n]);
  Value g = extendToF32(b, l, args[n + 1]);
  ValueRange acc = args.drop_front(n + 2);
  size_t qv = sumSquares ? n : 0, gv = qv + n;
  SmallVector<Value> yields(gv + n);
  for (size_t j = 0; j < n; ++j) {
    Value v = extendToF32(b, l, args[j]);
    if (sumSquares)
      yields[j] = addf(b, l, acc[j], mulf(b, l, v, v));
    yields[qv + j] = addf(b, l, acc[qv + j], mulf(b, l, q, v));
    yields[gv + j] = addf(b, l, acc[gv + j], mulf(b, l, g, v));
  }
  linalg::YieldOp::create(b, l, yields);
}

/// Yields the per-row coefficients of the source gradients from the
/// recomputed weights α_j, inverse RMS ρ_j and logits s_j, the dots
/// `gradDots[j]` = Σg·v_j and their α-weighted mean: every α_j, then every
/// ds_j·ρ_j, then every −ds_j·s_j·ρ_j²/D, where ds_j = α_j·(g·v_j − mean
/// [+ dlse]) (`dlse` null for depth_attn_grad).
void yieldSourceCoefficients(OpBuilder &b, Location l, ArrayRef<Value> alpha,
                             ArrayRef<Value> rho, ArrayRef<Value> logits,
                             ValueRange gradDots, Value mean, Value dlse,
                             Value invD) {
  SmallVector<Value> yields(alpha), es;
  for (size_t j = 0, n = alpha.size(); j < n; ++j) {
    Value centered = subf(b, l, gradDots[j], mean);
    if (dlse)
      centered = addf(b, l, centered, dlse);
    Value ds = mulf(b, l, alpha[j], centered);
    auto [c, e] = sourceCoefficients(b, l, ds, rho[j], logits[j], invD);
    yields.push_back(c);
    es.push_back(e);
  }
  llvm::append_range(yields, es);
  linalg::YieldOp::create(b, l, yields);
}

/// The gradient of source j at one element from the 3n coefficients of
/// `yieldSourceCoefficients` (`coefs`) and the f32 values of the result
/// gradient, the query and the source there: α_j·g + (ds_j·ρ_j)·q +
/// (−ds_j·s_j·ρ_j²/D)·v.
Value sourceGradient(OpBuilder &b, Location l, ValueRange coefs, size_t n,
                     size_t j, Value g, Value q, Value v) {
  Value d = mulf(b, l, coefs[j], g);
  d = addf(b, l, d, mulf(b, l, coefs[n + j], q));
  return addf(b, l, d, mulf(b, l, coefs[2 * n + j], v));
}

/// The query gradient Σ_rows Σ_j (ds_j·ρ_j)·v_j accumulated into `acc`: the
/// generic over `coefs` (the 3n coefficients, read at `coefMap`) and the
/// sources (at `sourceMap`) with `acc` at `accMap`.
Value queryGradient(Emitter &em, ValueRange coefs, ValueRange sources,
                    AffineMap coefMap, AffineMap sourceMap, AffineMap accMap,
                    Value acc, ArrayRef<IT> iterators) {
  size_t n = sources.size();
  SmallVector<Value> inputs(coefs.begin() + n, coefs.begin() + 2 * n);
  llvm::append_range(inputs, sources);
  SmallVector<AffineMap> maps(n, coefMap);
  maps.append(n, sourceMap);
  maps.push_back(accMap);
  return em
      .generic(inputs, ValueRange{acc}, maps, iterators,
               [&](OpBuilder &b, Location l, ValueRange args) {
                 Value sum = args[2 * n];
                 for (size_t j = 0; j < n; ++j)
                   sum = addf(
                       b, l, sum,
                       mulf(b, l, args[j], extendToF32(b, l, args[n + j])));
                 linalg::YieldOp::create(b, l, sum);
               })
      .front();
}

/// What every gradient decomposition starts from, in the value and the
/// memref form alike: the emitter (tensors or buffers), the op's
/// destinations, the row-shaped operand's rank r, token rows (its first
/// r − 1 sizes) and static hidden size D, eps, and the maps over the r
/// loops (token rows, channel).
struct GradFrame {
  Emitter em;
  MLIRContext *ctx;
  ValueRange inits;
  int64_t hidden;
  unsigned r;
  SmallVector<OpFoldResult> rows;
  double eps, invDValue; // eps, 1/D
  Type elemType;
  AffineMap ident, rowMap, chanMap, rowIdent;

  /// Destination `i`, or null without destinations.
  Value init(unsigned i) const { return inits.empty() ? Value() : inits[i]; }
  /// The shape of a vector (query or gain) gradient: [D].
  SmallVector<OpFoldResult> hiddenShape() const {
    return {OpFoldResult(em.b.getIndexAttr(hidden))};
  }
  /// Parallel over the token rows, a reduction over the channel.
  SmallVector<IT> reduceChannel() const {
    SmallVector<IT> iterators(r - 1, IT::parallel);
    iterators.push_back(IT::reduction);
    return iterators;
  }
  /// A reduction over the token rows, parallel over the channel.
  SmallVector<IT> reduceRows() const {
    SmallVector<IT> iterators(r - 1, IT::reduction);
    iterators.push_back(IT::parallel);
    return iterators;
  }
};

/// The frame of gradient op `op` whose row-shaped operand is `rowSource`;
/// fails (the op is not lowered) when its hidden size is not static.
template <typename OpTy>
FailureOr<GradFrame> gradFrame(OpBuilder &b, OpTy op, Value rowSource) {
  FailureOr<int64_t> hidden = hiddenOf(rowSource.getType());
  if (failed(hidden))
    return failure();
  MLIRContext *ctx = b.getContext();
  Emitter em{b, op.getLoc(), op.hasBufferSemantics()};
  auto type = cast<ShapedType>(rowSource.getType());
  unsigned r = type.getRank();
  SmallVector<OpFoldResult> rows = em.sizes(rowSource, 0, r - 1);
  return GradFrame{em,
                   ctx,
                   op.getInits(),
                   *hidden,
                   r,
                   rows,
                   epsValue(op.getEpsAttr()),
                   1.0 / double(*hidden),
                   type.getElementType(),
                   AffineMap::getMultiDimIdentityMap(r, ctx),
                   mapTo(ctx, r, dimRange(0, r - 1)),
                   mapTo(ctx, r, {r - 1}),
                   AffineMap::getMultiDimIdentityMap(r - 1, ctx)};
}

//===----------------------------------------------------------------------===//
// DepthAttnGradOp
//===----------------------------------------------------------------------===//

Values decomposeDepthAttnGrad(OpBuilder &rewriter, DepthAttnGradOp op) {
  FailureOr<GradFrame> frame = gradFrame(rewriter, op, op.getGrad());
  if (failed(frame))
    return failure();
  GradFrame &f = *frame;
  ValueRange sources = op.getSources();
  Value query = op.getQuery(), grad = op.getGrad();
  size_t n = sources.size();

  // 1. Σv², q·v, g·v per source and row.
  SmallVector<Value> inputs(sources.begin(), sources.end());
  inputs.append({query, grad});
  SmallVector<AffineMap> maps(n, f.ident);
  maps.append({f.chanMap, f.ident});
  SmallVector<Value> statInits;
  for (size_t i = 0; i < 3 * n; ++i) {
    statInits.push_back(f.em.filledF32(f.rows, 0.0));
    maps.push_back(f.rowMap);
  }
  SmallVector<Value> stats =
      f.em.generic(inputs, statInits, maps, f.reduceChannel(),
                   [&](OpBuilder &b, Location l, ValueRange args) {
                     yieldSourceDots(b, l, args, n, /*sumSquares=*/true);
                   });

  // 2. Per row: α_j, ds_j·ρ_j, −ds_j·s_j·ρ_j²/D.
  SmallVector<Value> coefInits;
  SmallVector<AffineMap> coefMaps(3 * n, f.rowIdent);
  for (size_t i = 0; i < 3 * n; ++i) {
    coefInits.push_back(f.em.empty(f.rows, rewriter.getF32Type()));
    coefMaps.push_back(f.rowIdent);
  }
  SmallVector<Value> coefs = f.em.generic(
      stats, coefInits, coefMaps, SmallVector<IT>(f.r - 1, IT::parallel),
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value invD = cst(b, l, f.invDValue), epsV = cst(b, l, f.eps);
        SmallVector<Value> rho, logits;
        for (size_t j = 0; j < n; ++j) {
          rho.push_back(invRms(b, l, args[j], invD, epsV));
          logits.push_back(mulf(b, l, rho[j], args[n + j]));
        }
        SmallVector<Value> alpha =
            softmaxScalars(b, l, logits, /*withLse=*/false).weights;
        Value mean;
        for (size_t j = 0; j < n; ++j) {
          Value t = mulf(b, l, alpha[j], args[2 * n + j]);
          mean = mean ? addf(b, l, mean, t) : t;
        }
        yieldSourceCoefficients(b, l, alpha, rho, logits, args.slice(2 * n, n),
                                mean, Value(), invD);
      });

  // 3. dV_j = α_j·g + (ds_j·ρ_j)·q + (−ds_j·s_j·ρ_j²/D)·V_j.
  SmallVector<Value> dvInputs(coefs.begin(), coefs.end());
  dvInputs.append({query, grad});
  llvm::append_range(dvInputs, sources);
  SmallVector<AffineMap> dvMaps(3 * n, f.rowMap);
  dvMaps.append({f.chanMap, f.ident});
  dvMaps.append(n, f.ident);
  SmallVector<Value> dvInits;
  for (size_t j = 0; j < n; ++j) {
    dvInits.push_back(
        destinationOr(f.em, f.inits, 1 + j, f.em.sizes(grad), f.elemType));
    dvMaps.push_back(f.ident);
  }
  SmallVector<Value> dv = f.em.generic(
      dvInputs, dvInits, dvMaps, SmallVector<IT>(f.r, IT::parallel),
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value q = extendToF32(b, l, args[3 * n]);
        Value g = extendToF32(b, l, args[3 * n + 1]);
        SmallVector<Value> yields;
        for (size_t j = 0; j < n; ++j) {
          Value v = extendToF32(b, l, args[3 * n + 2 + j]);
          Value d = sourceGradient(b, l, args, n, j, g, q, v);
          yields.push_back(truncateFromF32(b, l, d, f.elemType));
        }
        linalg::YieldOp::create(b, l, yields);
      });

  // 4. dq[c] = Σ_t Σ_j (ds_j·ρ_j)[t]·V_j[t,c].
  Value dqInit = f.init(0);
  Value dqAcc = zeroAccumulator(f.em, dqInit, f.hiddenShape());
  Value dq = queryGradient(f.em, coefs, sources, f.rowMap, f.ident, f.chanMap,
                           dqAcc, f.reduceRows());
  dq = finishAccumulator(f.em, dq, dqInit, resultTypeOf(op, f.inits, 0));

  SmallVector<Value> results = {dq};
  llvm::append_range(results, dv);
  return resultsOf(f.em, results);
}

//===----------------------------------------------------------------------===//
// RMSNormGradOp
//===----------------------------------------------------------------------===//

Values decomposeRMSNormGrad(OpBuilder &rewriter, RMSNormGradOp op) {
  FailureOr<GradFrame> frame = gradFrame(rewriter, op, op.getInput());
  if (failed(frame))
    return failure();
  GradFrame &f = *frame;
  Value x = op.getInput(), gain = op.getGain(), grad = op.getGrad();

  // 1. Σx² and Σ γ·g·x per row.
  SmallVector<Value> statInits = {f.em.filledF32(f.rows, 0.0),
                                  f.em.filledF32(f.rows, 0.0)};
  SmallVector<Value> stats = f.em.generic(
      ValueRange{x, gain, grad}, statInits,
      ArrayRef<AffineMap>{f.ident, f.chanMap, f.ident, f.rowMap, f.rowMap},
      f.reduceChannel(), [&](OpBuilder &b, Location l, ValueRange args) {
        Value xv = extendToF32(b, l, args[0]);
        Value gv =
            mulf(b, l, extendToF32(b, l, args[1]), extendToF32(b, l, args[2]));
        linalg::YieldOp::create(
            b, l,
            ValueRange{addf(b, l, args[3], mulf(b, l, xv, xv)),
                       addf(b, l, args[4], mulf(b, l, gv, xv))});
      });
  Value sumSq = stats[0], dot = stats[1];

  // 2. dx = ρ·γ·g − (ρ³/D)·x·Σγgx.
  Value dxInit = destinationOr(f.em, f.inits, 0, f.em.sizes(x), f.elemType);
  Value dx =
      f.em.generic(ValueRange{x, sumSq, dot, gain, grad}, ValueRange{dxInit},
                   ArrayRef<AffineMap>{f.ident, f.rowMap, f.rowMap, f.chanMap,
                                       f.ident, f.ident},
                   SmallVector<IT>(f.r, IT::parallel),
                   [&](OpBuilder &b, Location l, ValueRange args) {
                     Value invD = cst(b, l, f.invDValue);
                     Value rho = invRms(b, l, args[1], invD, cst(b, l, f.eps));
                     Value xv = extendToF32(b, l, args[0]);
                     Value gv = mulf(b, l, extendToF32(b, l, args[3]),
                                     extendToF32(b, l, args[4]));
                     Value rho3 = mulf(b, l, mulf(b, l, rho, rho), rho);
                     Value corr = mulf(
                         b, l, mulf(b, l, mulf(b, l, rho3, invD), args[2]), xv);
                     Value d = subf(b, l, mulf(b, l, rho, gv), corr);
                     linalg::YieldOp::create(
                         b, l, truncateFromF32(b, l, d, f.elemType));
                   })
          .front();

  // 3. dγ[c] = Σ_t ρ·x·g.
  Value dgInit = f.init(1);
  Value dgAcc = zeroAccumulator(f.em, dgInit, f.hiddenShape());
  Value dgain =
      f.em.generic(ValueRange{x, sumSq, grad}, ValueRange{dgAcc},
                   ArrayRef<AffineMap>{f.ident, f.rowMap, f.ident, f.chanMap},
                   f.reduceRows(),
                   [&](OpBuilder &b, Location l, ValueRange args) {
                     Value rho = invRms(b, l, args[1], cst(b, l, f.invDValue),
                                        cst(b, l, f.eps));
                     Value t =
                         mulf(b, l, mulf(b, l, rho, extendToF32(b, l, args[0])),
                              extendToF32(b, l, args[2]));
                     linalg::YieldOp::create(b, l, addf(b, l, args[3], t));
                   })
          .front();
  dgain = finishAccumulator(f.em, dgain, dgInit, resultTypeOf(op, f.inits, 1));
  return resultsOf(f.em, {dx, dgain});
}

//===----------------------------------------------------------------------===//
// DepthAttnStatsGradOp
//===----------------------------------------------------------------------===//

Values decomposeDepthAttnStatsGrad(OpBuilder &rewriter,
                                   DepthAttnStatsGradOp op) {
  FailureOr<GradFrame> frame = gradFrame(rewriter, op, op.getSources().front());
  if (failed(frame))
    return failure();
  GradFrame &f = *frame;
  ValueRange sources = op.getSources();
  Value queries = op.getQueries(), lse = op.getLse(), dOut = op.getOutputGrad(),
        dLse = op.getLseGrad();
  size_t n = sources.size();
  // Source rank r; loops (s, t_0..t_{r-2}, c): r + 1 dims.
  unsigned r = f.r, L = r + 1;
  SmallVector<OpFoldResult> qRows = {f.em.size(queries, 0)};
  llvm::append_range(qRows, f.rows);
  AffineMap srcMap = mapTo(f.ctx, L, dimRange(1, L)); // V_j[t, c]
  AffineMap qMap = mapTo(f.ctx, L, {0, r});           // Q[s, c]
  AffineMap fullMap = AffineMap::getMultiDimIdentityMap(L, f.ctx);
  AffineMap qRowMap = mapTo(f.ctx, L, dimRange(0, r)); // [s, t]

  // 1a. Σv² per source and row (loops t, c).
  SmallVector<Value> ssInits;
  SmallVector<AffineMap> ssMaps(n, f.ident);
  for (size_t j = 0; j < n; ++j) {
    ssInits.push_back(f.em.filledF32(f.rows, 0.0));
    ssMaps.push_back(mapTo(f.ctx, r, dimRange(0, r - 1)));
  }
  SmallVector<Value> ss = f.em.generic(
      sources, ssInits, ssMaps, f.reduceChannel(),
      [&](OpBuilder &b, Location l, ValueRange args) {
        SmallVector<Value> yields;
        for (size_t j = 0; j < n; ++j) {
          Value v = extendToF32(b, l, args[j]);
          yields.push_back(addf(b, l, args[n + j], mulf(b, l, v, v)));
        }
        linalg::YieldOp::create(b, l, yields);
      });

  // 1b. Q[s]·V_j[t] and dO[s,t]·V_j[t] (loops s, t, c).
  SmallVector<Value> inputs(sources.begin(), sources.end());
  inputs.append({queries, dOut});
  SmallVector<AffineMap> maps(n, srcMap);
  maps.append({qMap, fullMap});
  SmallVector<Value> dotInits;
  for (size_t i = 0; i < 2 * n; ++i) {
    dotInits.push_back(f.em.filledF32(qRows, 0.0));
    maps.push_back(qRowMap);
  }
  SmallVector<IT> reduceLast(r, IT::parallel);
  reduceLast.push_back(IT::reduction);
  SmallVector<Value> dot =
      f.em.generic(inputs, dotInits, maps, reduceLast,
                   [&](OpBuilder &b, Location l, ValueRange args) {
                     yieldSourceDots(b, l, args, n, /*sumSquares=*/false);
                   });

  // 2. Per (s, t): α_j = exp(s_j − lse), ds_j = α_j (a_j − ā + dlse).
  AffineMap sIdent = AffineMap::getMultiDimIdentityMap(r, f.ctx);
  SmallVector<Value> coefInputs(ss);
  llvm::append_range(coefInputs, dot);
  coefInputs.append({lse, dLse});
  SmallVector<AffineMap> coefMaps(n, mapTo(f.ctx, r, dimRange(1, r)));
  coefMaps.append(2 * n + 2, sIdent);
  SmallVector<Value> coefInits;
  for (size_t i = 0; i < 3 * n; ++i) {
    coefInits.push_back(f.em.empty(qRows, rewriter.getF32Type()));
    coefMaps.push_back(sIdent);
  }
  SmallVector<Value> coefs = f.em.generic(
      coefInputs, coefInits, coefMaps, SmallVector<IT>(r, IT::parallel),
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value invD = cst(b, l, f.invDValue), epsV = cst(b, l, f.eps);
        Value lseV = args[3 * n], dlseV = args[3 * n + 1];
        SmallVector<Value> rho, logits, alpha;
        Value mean;
        for (size_t j = 0; j < n; ++j) {
          rho.push_back(invRms(b, l, args[j], invD, epsV));
          logits.push_back(mulf(b, l, rho[j], args[n + j]));
          // s − lse <= 0 up to rounding: clamp to 0 so that a rounding
          // error cannot make a weight exceed 1.
          Value x = arith::MinimumFOp::create(b, l, subf(b, l, logits[j], lseV),
                                              cst(b, l, 0.0));
          alpha.push_back(flushedExp(b, l, x));
          Value t = mulf(b, l, alpha[j], args[2 * n + j]);
          mean = mean ? addf(b, l, mean, t) : t;
        }
        yieldSourceCoefficients(b, l, alpha, rho, logits, args.slice(2 * n, n),
                                mean, dlseV, invD);
      });

  // 3. dV_j[t,c] = Σ_s α_j dO + (ds_j ρ_j)·Q[s,c] + (−ds_j s_j ρ_j²/D)·V_j.
  SmallVector<Value> dvInputs(coefs.begin(), coefs.end());
  dvInputs.append({dOut, queries});
  llvm::append_range(dvInputs, sources);
  SmallVector<AffineMap> dvMaps(3 * n, qRowMap);
  dvMaps.append({fullMap, qMap});
  dvMaps.append(n, srcMap);
  SmallVector<Value> dvInits;
  SmallVector<OpFoldResult> srcSizes = f.em.sizes(sources[0]);
  for (size_t j = 0; j < n; ++j) {
    dvInits.push_back(zeroAccumulator(f.em, f.init(1 + j), srcSizes));
    dvMaps.push_back(srcMap);
  }
  SmallVector<IT> reduceFirst(L, IT::parallel);
  reduceFirst[0] = IT::reduction;
  SmallVector<Value> dv =
      f.em.generic(dvInputs, dvInits, dvMaps, reduceFirst,
                   [&](OpBuilder &b, Location l, ValueRange args) {
                     Value g = extendToF32(b, l, args[3 * n]);
                     Value q = extendToF32(b, l, args[3 * n + 1]);
                     ValueRange acc = args.drop_front(4 * n + 2);
                     SmallVector<Value> yields;
                     for (size_t j = 0; j < n; ++j) {
                       Value v = extendToF32(b, l, args[3 * n + 2 + j]);
                       Value d = sourceGradient(b, l, args, n, j, g, q, v);
                       yields.push_back(addf(b, l, acc[j], d));
                     }
                     linalg::YieldOp::create(b, l, yields);
                   });

  // 4. dQ[s,c] = Σ_t Σ_j (ds_j ρ_j)[s,t]·V_j[t,c].
  Value dqInit = f.init(0);
  Value dqAcc = zeroAccumulator(
      f.em, dqInit,
      {qRows.front(), OpFoldResult(rewriter.getIndexAttr(f.hidden))});
  SmallVector<IT> reduceRows(L, IT::reduction);
  reduceRows.front() = IT::parallel;
  reduceRows.back() = IT::parallel;
  Value dQ = queryGradient(f.em, coefs, sources, qRowMap, srcMap, qMap, dqAcc,
                           reduceRows);

  SmallVector<Value> results = {
      finishAccumulator(f.em, dQ, dqInit, resultTypeOf(op, f.inits, 0))};
  for (auto [j, dvj] : llvm::enumerate(dv))
    results.push_back(finishAccumulator(f.em, dvj, f.init(1 + j),
                                        resultTypeOf(op, f.inits, 1 + j)));
  return resultsOf(f.em, results);
}

//===----------------------------------------------------------------------===//
// DepthAttnMergeGradOp
//===----------------------------------------------------------------------===//

Values decomposeDepthAttnMergeGrad(OpBuilder &rewriter,
                                   DepthAttnMergeGradOp op) {
  FailureOr<GradFrame> frame = gradFrame(rewriter, op, op.getSource());
  if (failed(frame))
    return failure();
  GradFrame &f = *frame;
  Value o = op.getOutput(), lse = op.getLse(), query = op.getQuery(),
        u = op.getSource(), grad = op.getGrad();

  // 1. Σu², q·u, g·(u − o) per row.
  SmallVector<Value> statInits = {f.em.filledF32(f.rows, 0.0),
                                  f.em.filledF32(f.rows, 0.0),
                                  f.em.filledF32(f.rows, 0.0)};
  SmallVector<Value> stats = f.em.generic(
      ValueRange{u, o, query, grad}, statInits,
      ArrayRef<AffineMap>{f.ident, f.ident, f.chanMap, f.ident, f.rowMap,
                          f.rowMap, f.rowMap},
      f.reduceChannel(), [&](OpBuilder &b, Location l, ValueRange args) {
        Value uv = extendToF32(b, l, args[0]);
        Value ov = extendToF32(b, l, args[1]);
        Value q = extendToF32(b, l, args[2]);
        Value g = extendToF32(b, l, args[3]);
        linalg::YieldOp::create(
            b, l,
            ValueRange{addf(b, l, args[4], mulf(b, l, uv, uv)),
                       addf(b, l, args[5], mulf(b, l, q, uv)),
                       addf(b, l, args[6], mulf(b, l, g, subf(b, l, uv, ov)))});
      });

  // 2. Per row: β, dlse = −ds, ds·ρ, −ds·s·ρ²/D.
  SmallVector<Value> coefInputs(stats);
  coefInputs.push_back(lse);
  SmallVector<Value> coefInits;
  for (int i = 0; i < 4; ++i)
    coefInits.push_back(i == 1 && !f.inits.empty()
                            ? f.inits[1]
                            : f.em.empty(f.rows, rewriter.getF32Type()));
  SmallVector<Value> coef = f.em.generic(
      coefInputs, coefInits, SmallVector<AffineMap>(8, f.rowIdent),
      SmallVector<IT>(f.r - 1, IT::parallel),
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value invD = cst(b, l, f.invDValue);
        Value rho = invRms(b, l, args[0], invD, cst(b, l, f.eps));
        Value s = mulf(b, l, rho, args[1]);
        Value beta = mergeWeight(b, l, s, args[3]);
        Value ds = mulf(
            b, l, mulf(b, l, beta, subf(b, l, cst(b, l, 1.0), beta)), args[2]);
        auto [c, e] = sourceCoefficients(b, l, ds, rho, s, invD);
        linalg::YieldOp::create(
            b, l, ValueRange{beta, arith::NegFOp::create(b, l, ds), c, e});
      });
  Value beta = coef[0], dlse = coef[1], cq = coef[2], cu = coef[3];

  // 3. do = (1 − β)·g, du = β·g + (ds ρ)·q + (−ds s ρ²/D)·u.
  SmallVector<Value> outInits;
  for (unsigned i : {0u, 3u})
    outInits.push_back(
        destinationOr(f.em, f.inits, i, f.em.sizes(u), f.elemType));
  SmallVector<Value> out =
      f.em.generic(ValueRange{beta, cq, cu, query, grad, u}, outInits,
                   ArrayRef<AffineMap>{f.rowMap, f.rowMap, f.rowMap, f.chanMap,
                                       f.ident, f.ident, f.ident, f.ident},
                   SmallVector<IT>(f.r, IT::parallel),
                   [&](OpBuilder &b, Location l, ValueRange args) {
                     Value q = extendToF32(b, l, args[3]);
                     Value g = extendToF32(b, l, args[4]);
                     Value uv = extendToF32(b, l, args[5]);
                     Value dO =
                         mulf(b, l, subf(b, l, cst(b, l, 1.0), args[0]), g);
                     Value dU = mulf(b, l, args[0], g);
                     dU = addf(b, l, dU, mulf(b, l, args[1], q));
                     dU = addf(b, l, dU, mulf(b, l, args[2], uv));
                     linalg::YieldOp::create(
                         b, l,
                         ValueRange{truncateFromF32(b, l, dO, f.elemType),
                                    truncateFromF32(b, l, dU, f.elemType)});
                   });

  // 4. dq[c] = Σ_t (ds ρ)[t]·u[t,c].
  Value dqInit = f.init(2);
  Value dqAcc = zeroAccumulator(f.em, dqInit, f.hiddenShape());
  Value dq =
      f.em.generic(ValueRange{cq, u}, ValueRange{dqAcc},
                   ArrayRef<AffineMap>{f.rowMap, f.ident, f.chanMap},
                   f.reduceRows(),
                   [&](OpBuilder &b, Location l, ValueRange args) {
                     linalg::YieldOp::create(
                         b, l,
                         addf(b, l, args[2],
                              mulf(b, l, args[0], extendToF32(b, l, args[1]))));
                   })
          .front();
  dq = finishAccumulator(f.em, dq, dqInit, resultTypeOf(op, f.inits, 2));
  return resultsOf(f.em, {out[0], dlse, dq, out[1]});
}

} // namespace

FailureOr<SmallVector<Value>>
mlir::attnres::decomposeAttnResGradOp(OpBuilder &b, Operation *op) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(op);
  return llvm::TypeSwitch<Operation *, FailureOr<SmallVector<Value>>>(op)
      .Case([&](DepthAttnGradOp op) { return decomposeDepthAttnGrad(b, op); })
      .Case([&](RMSNormGradOp op) { return decomposeRMSNormGrad(b, op); })
      .Case([&](DepthAttnStatsGradOp op) {
        return decomposeDepthAttnStatsGrad(b, op);
      })
      .Case([&](DepthAttnMergeGradOp op) {
        return decomposeDepthAttnMergeGrad(b, op);
      })
      .Default([](Operation *) { return failure(); });
}

/// The source type whose hidden size a gradient op's lowering needs static,
/// or null for ops that are not gradient ops.
Type mlir::attnres::getGradOpSourceType(Operation *op) {
  if (auto g = dyn_cast<DepthAttnGradOp>(op))
    return g.getGrad().getType();
  if (auto g = dyn_cast<RMSNormGradOp>(op))
    return g.getInput().getType();
  if (auto g = dyn_cast<DepthAttnStatsGradOp>(op))
    return g.getSources().empty() ? Type() : g.getSources().front().getType();
  if (auto g = dyn_cast<DepthAttnMergeGradOp>(op))
    return g.getSource().getType();
  return Type();
}

void mlir::attnres::populateAttnResGradToLinalgConversionPatterns(
    RewritePatternSet &patterns,
    const ConvertAttnResToLinalgPassOptions &options) {
  patterns.add<DecompositionLowering<DepthAttnGradOp>,
               DecompositionLowering<RMSNormGradOp>,
               DecompositionLowering<DepthAttnStatsGradOp>,
               DecompositionLowering<DepthAttnMergeGradOp>>(
      patterns.getContext(), options.freeTemporaries);
}
