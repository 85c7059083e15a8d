//===- AttnResGradToLinalg.cpp - attnres gradient ops to linalg -----------===//
//
// Lowers the gradient (backward) ops to linalg.generic ops on tensors, or on
// buffers for their memref form (after bufferization; temporaries are
// `memref.alloc`s that upstream's buffer deallocation frees). The math is
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
// DepthAttnGradOp
//===----------------------------------------------------------------------===//

Values decomposeDepthAttnGrad(OpBuilder &rewriter, DepthAttnGradOp op) {
  FailureOr<int64_t> hidden = hiddenOf(op.getGrad().getType());
  if (failed(hidden))
    return failure();
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Emitter em{rewriter, loc, op.hasBufferSemantics()};
  ValueRange inits = op.getInits();
  ValueRange sources = op.getSources();
  Value query = op.getQuery(), grad = op.getGrad();
  size_t n = sources.size();
  auto srcType = cast<ShapedType>(op.getGrad().getType());
  unsigned r = srcType.getRank();
  SmallVector<OpFoldResult> rows = em.sizes(grad, 0, r - 1);
  AffineMap ident = AffineMap::getMultiDimIdentityMap(r, ctx);
  AffineMap rowMap = mapTo(ctx, r, dimRange(0, r - 1));
  AffineMap chanMap = mapTo(ctx, r, {r - 1});
  double eps = epsValue(op.getEpsAttr());
  double invDValue = 1.0 / double(*hidden);

  // 1. Σv², q·v, g·v per source and row.
  SmallVector<Value> inputs(sources.begin(), sources.end());
  inputs.append({query, grad});
  SmallVector<AffineMap> maps(n, ident);
  maps.append({chanMap, ident});
  SmallVector<Value> statInits;
  for (size_t i = 0; i < 3 * n; ++i) {
    statInits.push_back(em.filledF32(rows, 0.0));
    maps.push_back(rowMap);
  }
  SmallVector<IT> reduceLast(r - 1, IT::parallel);
  reduceLast.push_back(IT::reduction);
  SmallVector<Value> stats =
      em.generic(inputs, statInits, maps, reduceLast,
                 [&](OpBuilder &b, Location l, ValueRange args) {
                   Value q = extendToF32(b, l, args[n]);
                   Value g = extendToF32(b, l, args[n + 1]);
                   ValueRange acc = args.drop_front(n + 2);
                   SmallVector<Value> yields(3 * n);
                   for (size_t j = 0; j < n; ++j) {
                     Value v = extendToF32(b, l, args[j]);
                     yields[j] = addf(b, l, acc[j], mulf(b, l, v, v));
                     yields[n + j] = addf(b, l, acc[n + j], mulf(b, l, q, v));
                     yields[2 * n + j] =
                         addf(b, l, acc[2 * n + j], mulf(b, l, g, v));
                   }
                   linalg::YieldOp::create(b, l, yields);
                 });

  // 2. Per row: α_j, ds_j·ρ_j, −ds_j·s_j·ρ_j²/D.
  SmallVector<Value> coefInits;
  AffineMap rowIdent = AffineMap::getMultiDimIdentityMap(r - 1, ctx);
  SmallVector<AffineMap> coefMaps(3 * n, rowIdent);
  for (size_t i = 0; i < 3 * n; ++i) {
    coefInits.push_back(em.empty(rows, rewriter.getF32Type()));
    coefMaps.push_back(rowIdent);
  }
  SmallVector<Value> coefs = em.generic(
      stats, coefInits, coefMaps, SmallVector<IT>(r - 1, IT::parallel),
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value invD = cst(b, l, invDValue), epsV = cst(b, l, eps);
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
        SmallVector<Value> yields(alpha);
        SmallVector<Value> es;
        for (size_t j = 0; j < n; ++j) {
          Value ds = mulf(b, l, alpha[j], subf(b, l, args[2 * n + j], mean));
          auto [c, e] = sourceCoefficients(b, l, ds, rho[j], logits[j], invD);
          yields.push_back(c);
          es.push_back(e);
        }
        llvm::append_range(yields, es);
        linalg::YieldOp::create(b, l, yields);
      });

  // 3. dV_j = α_j·g + (ds_j·ρ_j)·q + (−ds_j·s_j·ρ_j²/D)·V_j.
  SmallVector<Value> dvInputs(coefs.begin(), coefs.end());
  dvInputs.append({query, grad});
  llvm::append_range(dvInputs, sources);
  SmallVector<AffineMap> dvMaps(3 * n, rowMap);
  dvMaps.append({chanMap, ident});
  dvMaps.append(n, ident);
  SmallVector<Value> dvInits;
  Type elemType = srcType.getElementType();
  for (size_t j = 0; j < n; ++j) {
    dvInits.push_back(
        destinationOr(em, inits, 1 + j, em.sizes(grad), elemType));
    dvMaps.push_back(ident);
  }
  SmallVector<Value> dv =
      em.generic(dvInputs, dvInits, dvMaps, SmallVector<IT>(r, IT::parallel),
                 [&](OpBuilder &b, Location l, ValueRange args) {
                   Value q = extendToF32(b, l, args[3 * n]);
                   Value g = extendToF32(b, l, args[3 * n + 1]);
                   SmallVector<Value> yields;
                   for (size_t j = 0; j < n; ++j) {
                     Value v = extendToF32(b, l, args[3 * n + 2 + j]);
                     Value d = mulf(b, l, args[j], g);
                     d = addf(b, l, d, mulf(b, l, args[n + j], q));
                     d = addf(b, l, d, mulf(b, l, args[2 * n + j], v));
                     yields.push_back(truncateFromF32(b, l, d, elemType));
                   }
                   linalg::YieldOp::create(b, l, yields);
                 });

  // 4. dq[c] = Σ_t Σ_j (ds_j·ρ_j)[t]·V_j[t,c].
  SmallVector<Value> dqInputs(coefs.begin() + n, coefs.begin() + 2 * n);
  llvm::append_range(dqInputs, sources);
  SmallVector<AffineMap> dqMaps(n, rowMap);
  dqMaps.append(n, ident);
  dqMaps.push_back(chanMap);
  Value dqInit = inits.empty() ? Value() : inits[0];
  Value dqAcc = zeroAccumulator(em, dqInit,
                                {OpFoldResult(rewriter.getIndexAttr(*hidden))});
  SmallVector<IT> reduceRows(r - 1, IT::reduction);
  reduceRows.push_back(IT::parallel);
  Value dq = em.generic(dqInputs, ValueRange{dqAcc}, dqMaps, reduceRows,
                        [&](OpBuilder &b, Location l, ValueRange args) {
                          Value acc = args[2 * n];
                          for (size_t j = 0; j < n; ++j)
                            acc = addf(b, l, acc,
                                       mulf(b, l, args[j],
                                            extendToF32(b, l, args[n + j])));
                          linalg::YieldOp::create(b, l, acc);
                        })
                 .front();
  dq = finishAccumulator(em, dq, dqInit, resultTypeOf(op, inits, 0));

  SmallVector<Value> results = {dq};
  llvm::append_range(results, dv);
  return resultsOf(em, results);
}

//===----------------------------------------------------------------------===//
// RMSNormGradOp
//===----------------------------------------------------------------------===//

Values decomposeRMSNormGrad(OpBuilder &rewriter, RMSNormGradOp op) {
  FailureOr<int64_t> hidden = hiddenOf(op.getInput().getType());
  if (failed(hidden))
    return failure();
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Emitter em{rewriter, loc, op.hasBufferSemantics()};
  ValueRange inits = op.getInits();
  Value x = op.getInput(), gain = op.getGain(), grad = op.getGrad();
  auto type = cast<ShapedType>(op.getInput().getType());
  unsigned r = type.getRank();
  SmallVector<OpFoldResult> rows = em.sizes(x, 0, r - 1);
  AffineMap ident = AffineMap::getMultiDimIdentityMap(r, ctx);
  AffineMap rowMap = mapTo(ctx, r, dimRange(0, r - 1));
  AffineMap chanMap = mapTo(ctx, r, {r - 1});
  double eps = epsValue(op.getEpsAttr());
  double invDValue = 1.0 / double(*hidden);

  // 1. Σx² and Σ γ·g·x per row.
  SmallVector<Value> statInits = {em.filledF32(rows, 0.0),
                                  em.filledF32(rows, 0.0)};
  SmallVector<IT> reduceLast(r - 1, IT::parallel);
  reduceLast.push_back(IT::reduction);
  SmallVector<Value> stats =
      em.generic(ValueRange{x, gain, grad}, statInits,
                 ArrayRef<AffineMap>{ident, chanMap, ident, rowMap, rowMap},
                 reduceLast, [&](OpBuilder &b, Location l, ValueRange args) {
                   Value xv = extendToF32(b, l, args[0]);
                   Value gv = mulf(b, l, extendToF32(b, l, args[1]),
                                   extendToF32(b, l, args[2]));
                   linalg::YieldOp::create(
                       b, l,
                       ValueRange{addf(b, l, args[3], mulf(b, l, xv, xv)),
                                  addf(b, l, args[4], mulf(b, l, gv, xv))});
                 });
  Value sumSq = stats[0], dot = stats[1];

  // 2. dx = ρ·γ·g − (ρ³/D)·x·Σγgx.
  Type elemType = type.getElementType();
  Value dxInit = destinationOr(em, inits, 0, em.sizes(x), elemType);
  Value dx =
      em.generic(
            ValueRange{x, sumSq, dot, gain, grad}, ValueRange{dxInit},
            ArrayRef<AffineMap>{ident, rowMap, rowMap, chanMap, ident, ident},
            SmallVector<IT>(r, IT::parallel),
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value invD = cst(b, l, invDValue);
              Value rho = invRms(b, l, args[1], invD, cst(b, l, eps));
              Value xv = extendToF32(b, l, args[0]);
              Value gv = mulf(b, l, extendToF32(b, l, args[3]),
                              extendToF32(b, l, args[4]));
              Value rho3 = mulf(b, l, mulf(b, l, rho, rho), rho);
              Value corr =
                  mulf(b, l, mulf(b, l, mulf(b, l, rho3, invD), args[2]), xv);
              Value d = subf(b, l, mulf(b, l, rho, gv), corr);
              linalg::YieldOp::create(b, l, truncateFromF32(b, l, d, elemType));
            })
          .front();

  // 3. dγ[c] = Σ_t ρ·x·g.
  Value dgInit = inits.empty() ? Value() : inits[1];
  Value dgAcc = zeroAccumulator(em, dgInit,
                                {OpFoldResult(rewriter.getIndexAttr(*hidden))});
  SmallVector<IT> reduceRows(r - 1, IT::reduction);
  reduceRows.push_back(IT::parallel);
  Value dgain =
      em.generic(ValueRange{x, sumSq, grad}, ValueRange{dgAcc},
                 ArrayRef<AffineMap>{ident, rowMap, ident, chanMap}, reduceRows,
                 [&](OpBuilder &b, Location l, ValueRange args) {
                   Value rho = invRms(b, l, args[1], cst(b, l, invDValue),
                                      cst(b, l, eps));
                   Value t =
                       mulf(b, l, mulf(b, l, rho, extendToF32(b, l, args[0])),
                            extendToF32(b, l, args[2]));
                   linalg::YieldOp::create(b, l, addf(b, l, args[3], t));
                 })
          .front();
  dgain = finishAccumulator(em, dgain, dgInit, resultTypeOf(op, inits, 1));
  return resultsOf(em, {dx, dgain});
}

//===----------------------------------------------------------------------===//
// DepthAttnStatsGradOp
//===----------------------------------------------------------------------===//

Values decomposeDepthAttnStatsGrad(OpBuilder &rewriter,
                                   DepthAttnStatsGradOp op) {
  FailureOr<int64_t> hidden = hiddenOf(op.getSources().front().getType());
  if (failed(hidden))
    return failure();
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Emitter em{rewriter, loc, op.hasBufferSemantics()};
  ValueRange inits = op.getInits();
  ValueRange sources = op.getSources();
  Value queries = op.getQueries(), lse = op.getLse(), dOut = op.getOutputGrad(),
        dLse = op.getLseGrad();
  size_t n = sources.size();
  auto srcType = cast<ShapedType>(op.getSources().front().getType());
  // Source rank r; loops (s, t_0..t_{r-2}, c): r + 1 dims.
  unsigned r = srcType.getRank(), L = r + 1;
  double eps = epsValue(op.getEpsAttr());
  double invDValue = 1.0 / double(*hidden);
  SmallVector<OpFoldResult> rows = em.sizes(sources[0], 0, r - 1);
  SmallVector<OpFoldResult> qRows = {em.size(queries, 0)};
  llvm::append_range(qRows, rows);
  AffineMap srcMap = mapTo(ctx, L, dimRange(1, L)); // V_j[t, c]
  AffineMap qMap = mapTo(ctx, L, {0, r});           // Q[s, c]
  AffineMap fullMap = AffineMap::getMultiDimIdentityMap(L, ctx);
  AffineMap qRowMap = mapTo(ctx, L, dimRange(0, r)); // [s, t]

  // 1a. Σv² per source and row (loops t, c).
  SmallVector<Value> ssInits;
  AffineMap ident = AffineMap::getMultiDimIdentityMap(r, ctx);
  SmallVector<AffineMap> ssMaps(n, ident);
  for (size_t j = 0; j < n; ++j) {
    ssInits.push_back(em.filledF32(rows, 0.0));
    ssMaps.push_back(mapTo(ctx, r, dimRange(0, r - 1)));
  }
  SmallVector<IT> reduceLastR(r - 1, IT::parallel);
  reduceLastR.push_back(IT::reduction);
  SmallVector<Value> ss = em.generic(
      sources, ssInits, ssMaps, reduceLastR,
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
    dotInits.push_back(em.filledF32(qRows, 0.0));
    maps.push_back(qRowMap);
  }
  SmallVector<IT> reduceLast(r, IT::parallel);
  reduceLast.push_back(IT::reduction);
  SmallVector<Value> dot =
      em.generic(inputs, dotInits, maps, reduceLast,
                 [&](OpBuilder &b, Location l, ValueRange args) {
                   Value q = extendToF32(b, l, args[n]);
                   Value g = extendToF32(b, l, args[n + 1]);
                   ValueRange acc = args.drop_front(n + 2);
                   SmallVector<Value> yields(2 * n);
                   for (size_t j = 0; j < n; ++j) {
                     Value v = extendToF32(b, l, args[j]);
                     yields[j] = addf(b, l, acc[j], mulf(b, l, q, v));
                     yields[n + j] = addf(b, l, acc[n + j], mulf(b, l, g, v));
                   }
                   linalg::YieldOp::create(b, l, yields);
                 });

  // 2. Per (s, t): α_j = exp(s_j − lse), ds_j = α_j (a_j − ā + dlse).
  AffineMap sIdent = AffineMap::getMultiDimIdentityMap(r, ctx);
  SmallVector<Value> coefInputs(ss);
  llvm::append_range(coefInputs, dot);
  coefInputs.append({lse, dLse});
  SmallVector<AffineMap> coefMaps(n, mapTo(ctx, r, dimRange(1, r)));
  coefMaps.append(2 * n + 2, sIdent);
  SmallVector<Value> coefInits;
  for (size_t i = 0; i < 3 * n; ++i) {
    coefInits.push_back(em.empty(qRows, rewriter.getF32Type()));
    coefMaps.push_back(sIdent);
  }
  SmallVector<Value> coefs = em.generic(
      coefInputs, coefInits, coefMaps, SmallVector<IT>(r, IT::parallel),
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value invD = cst(b, l, invDValue), epsV = cst(b, l, eps);
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
        SmallVector<Value> yields(alpha), es;
        for (size_t j = 0; j < n; ++j) {
          Value ds = mulf(b, l, alpha[j],
                          addf(b, l, subf(b, l, args[2 * n + j], mean), dlseV));
          auto [c, e] = sourceCoefficients(b, l, ds, rho[j], logits[j], invD);
          yields.push_back(c);
          es.push_back(e);
        }
        llvm::append_range(yields, es);
        linalg::YieldOp::create(b, l, yields);
      });

  // 3. dV_j[t,c] = Σ_s α_j dO + (ds_j ρ_j)·Q[s,c] + (−ds_j s_j ρ_j²/D)·V_j.
  SmallVector<Value> dvInputs(coefs.begin(), coefs.end());
  dvInputs.append({dOut, queries});
  llvm::append_range(dvInputs, sources);
  SmallVector<AffineMap> dvMaps(3 * n, qRowMap);
  dvMaps.append({fullMap, qMap});
  dvMaps.append(n, srcMap);
  SmallVector<Value> dvInits;
  SmallVector<OpFoldResult> srcSizes = em.sizes(sources[0]);
  for (size_t j = 0; j < n; ++j) {
    dvInits.push_back(
        zeroAccumulator(em, inits.empty() ? Value() : inits[1 + j], srcSizes));
    dvMaps.push_back(srcMap);
  }
  SmallVector<IT> reduceFirst(L, IT::parallel);
  reduceFirst[0] = IT::reduction;
  SmallVector<Value> dv =
      em.generic(dvInputs, dvInits, dvMaps, reduceFirst,
                 [&](OpBuilder &b, Location l, ValueRange args) {
                   Value g = extendToF32(b, l, args[3 * n]);
                   Value q = extendToF32(b, l, args[3 * n + 1]);
                   ValueRange acc = args.drop_front(4 * n + 2);
                   SmallVector<Value> yields;
                   for (size_t j = 0; j < n; ++j) {
                     Value v = extendToF32(b, l, args[3 * n + 2 + j]);
                     Value d = mulf(b, l, args[j], g);
                     d = addf(b, l, d, mulf(b, l, args[n + j], q));
                     d = addf(b, l, d, mulf(b, l, args[2 * n + j], v));
                     yields.push_back(addf(b, l, acc[j], d));
                   }
                   linalg::YieldOp::create(b, l, yields);
                 });

  // 4. dQ[s,c] = Σ_t Σ_j (ds_j ρ_j)[s,t]·V_j[t,c].
  SmallVector<Value> dqInputs(coefs.begin() + n, coefs.begin() + 2 * n);
  llvm::append_range(dqInputs, sources);
  SmallVector<AffineMap> dqMaps(n, qRowMap);
  dqMaps.append(n, srcMap);
  dqMaps.push_back(qMap);
  Value dqInit = inits.empty() ? Value() : inits[0];
  Value dqAcc = zeroAccumulator(
      em, dqInit,
      {qRows.front(), OpFoldResult(rewriter.getIndexAttr(*hidden))});
  SmallVector<IT> reduceRows(L, IT::reduction);
  reduceRows.front() = IT::parallel;
  reduceRows.back() = IT::parallel;
  Value dQ = em.generic(dqInputs, ValueRange{dqAcc}, dqMaps, reduceRows,
                        [&](OpBuilder &b, Location l, ValueRange args) {
                          Value acc = args[2 * n];
                          for (size_t j = 0; j < n; ++j)
                            acc = addf(b, l, acc,
                                       mulf(b, l, args[j],
                                            extendToF32(b, l, args[n + j])));
                          linalg::YieldOp::create(b, l, acc);
                        })
                 .front();

  SmallVector<Value> results = {
      finishAccumulator(em, dQ, dqInit, resultTypeOf(op, inits, 0))};
  for (auto [j, dvj] : llvm::enumerate(dv))
    results.push_back(finishAccumulator(em, dvj,
                                        inits.empty() ? Value() : inits[1 + j],
                                        resultTypeOf(op, inits, 1 + j)));
  return resultsOf(em, results);
}

//===----------------------------------------------------------------------===//
// DepthAttnMergeGradOp
//===----------------------------------------------------------------------===//

Values decomposeDepthAttnMergeGrad(OpBuilder &rewriter,
                                   DepthAttnMergeGradOp op) {
  FailureOr<int64_t> hidden = hiddenOf(op.getSource().getType());
  if (failed(hidden))
    return failure();
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Emitter em{rewriter, loc, op.hasBufferSemantics()};
  ValueRange inits = op.getInits();
  Value o = op.getOutput(), lse = op.getLse(), query = op.getQuery(),
        u = op.getSource(), grad = op.getGrad();
  auto type = cast<ShapedType>(op.getSource().getType());
  unsigned r = type.getRank();
  SmallVector<OpFoldResult> rows = em.sizes(u, 0, r - 1);
  AffineMap ident = AffineMap::getMultiDimIdentityMap(r, ctx);
  AffineMap rowMap = mapTo(ctx, r, dimRange(0, r - 1));
  AffineMap chanMap = mapTo(ctx, r, {r - 1});
  AffineMap rowIdent = AffineMap::getMultiDimIdentityMap(r - 1, ctx);
  double eps = epsValue(op.getEpsAttr());
  double invDValue = 1.0 / double(*hidden);

  // 1. Σu², q·u, g·(u − o) per row.
  SmallVector<Value> statInits = {em.filledF32(rows, 0.0),
                                  em.filledF32(rows, 0.0),
                                  em.filledF32(rows, 0.0)};
  SmallVector<IT> reduceLast(r - 1, IT::parallel);
  reduceLast.push_back(IT::reduction);
  SmallVector<Value> stats = em.generic(
      ValueRange{u, o, query, grad}, statInits,
      ArrayRef<AffineMap>{ident, ident, chanMap, ident, rowMap, rowMap, rowMap},
      reduceLast, [&](OpBuilder &b, Location l, ValueRange args) {
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
    coefInits.push_back(i == 1 && !inits.empty()
                            ? inits[1]
                            : em.empty(rows, rewriter.getF32Type()));
  SmallVector<Value> coef = em.generic(
      coefInputs, coefInits, SmallVector<AffineMap>(8, rowIdent),
      SmallVector<IT>(r - 1, IT::parallel),
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value invD = cst(b, l, invDValue);
        Value rho = invRms(b, l, args[0], invD, cst(b, l, eps));
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
  Type elemType = type.getElementType();
  SmallVector<Value> outInits;
  for (unsigned i : {0u, 3u})
    outInits.push_back(destinationOr(em, inits, i, em.sizes(u), elemType));
  SmallVector<Value> out =
      em.generic(ValueRange{beta, cq, cu, query, grad, u}, outInits,
                 ArrayRef<AffineMap>{rowMap, rowMap, rowMap, chanMap, ident,
                                     ident, ident, ident},
                 SmallVector<IT>(r, IT::parallel),
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
                       ValueRange{truncateFromF32(b, l, dO, elemType),
                                  truncateFromF32(b, l, dU, elemType)});
                 });

  // 4. dq[c] = Σ_t (ds ρ)[t]·u[t,c].
  Value dqInit = inits.empty() ? Value() : inits[2];
  Value dqAcc = zeroAccumulator(em, dqInit,
                                {OpFoldResult(rewriter.getIndexAttr(*hidden))});
  SmallVector<IT> reduceRows(r - 1, IT::reduction);
  reduceRows.push_back(IT::parallel);
  Value dq =
      em.generic(ValueRange{cq, u}, ValueRange{dqAcc},
                 ArrayRef<AffineMap>{rowMap, ident, chanMap}, reduceRows,
                 [&](OpBuilder &b, Location l, ValueRange args) {
                   linalg::YieldOp::create(
                       b, l,
                       addf(b, l, args[2],
                            mulf(b, l, args[0], extendToF32(b, l, args[1]))));
                 })
          .front();
  dq = finishAccumulator(em, dq, dqInit, resultTypeOf(op, inits, 2));
  return resultsOf(em, {out[0], dlse, dq, out[1]});
}

/// Replaces a gradient op by its decomposition.
template <typename OpTy>
struct GradDecompositionLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // The decomposition reads the op's operands: give it the converted ones.
    if (ValueRange(adaptor.getOperands()) != ValueRange(op->getOperands()))
      rewriter.modifyOpInPlace(op,
                               [&] { op->setOperands(adaptor.getOperands()); });
    FailureOr<SmallVector<Value>> values =
        decomposeAttnResGradOp(rewriter, op.getOperation());
    if (failed(values))
      return rewriter.notifyMatchFailure(op, "dynamic hidden size");
    rewriter.replaceOp(op, *values);
    return success();
  }
};

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
    RewritePatternSet &patterns) {
  patterns.add<GradDecompositionLowering<DepthAttnGradOp>,
               GradDecompositionLowering<RMSNormGradOp>,
               GradDecompositionLowering<DepthAttnStatsGradOp>,
               GradDecompositionLowering<DepthAttnMergeGradOp>>(
      patterns.getContext());
}
