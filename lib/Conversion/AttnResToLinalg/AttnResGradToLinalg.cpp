//===- AttnResGradToLinalg.cpp - attnres gradient ops to linalg -----------===//
//
// Lowers the gradient (backward) ops to linalg.generic ops on tensors. The
// math is docs/semantics.md ("Gradients"); all arithmetic is f32, f16/bf16
// operands are extended on load and results truncated on store. Gradients
// of the query/gain (sums over every token row) are accumulated in f32.
//
// Every op follows the same schedule:
//   1. row statistics in one pass over the inputs (Σv², Σq·v, Σg·v, ...);
//   2. per-row scalars: the recomputed logits and softmax weights, and the
//      coefficients of the output rows (α_j, ds_j·ρ_j, −ds_j·s_j·ρ_j²/D);
//   3. the source-shaped gradients, elementwise: α_j·g + c_j·q + e_j·V_j;
//   4. the vector gradient (query, gain): a sum over the token rows.
//
//===----------------------------------------------------------------------===//

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

using namespace mlir;
using namespace mlir::attnres;
using namespace mlir::attnres::detail;

namespace {

using IT = utils::IteratorType;

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

/// Sizes of dims [from, to) of `value`.
SmallVector<OpFoldResult> sizesOf(OpBuilder &b, Location loc, Value value,
                                  int64_t from, int64_t to) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = from; i < to; ++i)
    sizes.push_back(tensor::getMixedSize(b, loc, value, i));
  return sizes;
}

Value zerosF32(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes) {
  Value empty = tensor::EmptyOp::create(b, loc, sizes, b.getF32Type());
  return linalg::FillOp::create(b, loc, ValueRange{cst(b, loc, 0.0)},
                                ValueRange{empty})
      ->getResult(0);
}

double epsValue(FloatAttr attr) {
  return attr ? attr.getValue().convertToDouble() : 1.0e-5;
}

FailureOr<int64_t> hiddenOf(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || tensor.getRank() < 1 ||
      ShapedType::isDynamic(tensor.getShape().back()))
    return failure();
  return tensor.getShape().back();
}

/// Turns an f32 tensor into a value of `resultType` (same rank): truncates
/// the elements if needed, then casts static/dynamic sizes.
Value toResultType(OpBuilder &b, Location loc, Value f32Tensor,
                   RankedTensorType resultType) {
  auto type = cast<RankedTensorType>(f32Tensor.getType());
  Type elem = resultType.getElementType();
  Value value = f32Tensor;
  if (!elem.isF32()) {
    MLIRContext *ctx = b.getContext();
    unsigned rank = type.getRank();
    Value init = tensor::EmptyOp::create(
        b, loc, tensor::getMixedSizes(b, loc, f32Tensor), elem);
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    value = linalg::GenericOp::create(
                b, loc, TypeRange{init.getType()}, ValueRange{f32Tensor},
                ValueRange{init}, ArrayRef<AffineMap>{identity, identity},
                SmallVector<IT>(rank, IT::parallel),
                [&](OpBuilder &nb, Location nl, ValueRange args) {
                  linalg::YieldOp::create(
                      nb, nl, truncateFromF32(nb, nl, args[0], elem));
                })
                ->getResult(0);
  }
  if (value.getType() != resultType)
    value = tensor::CastOp::create(b, loc, resultType, value);
  return value;
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

struct DepthAttnGradLowering : OpConversionPattern<DepthAttnGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DepthAttnGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<int64_t> hidden = hiddenOf(op.getGrad().getType());
    if (failed(hidden))
      return rewriter.notifyMatchFailure(op, "dynamic hidden size");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    ValueRange sources = adaptor.getSources();
    Value query = adaptor.getQuery(), grad = adaptor.getGrad();
    size_t n = sources.size();
    auto srcType = cast<RankedTensorType>(op.getGrad().getType());
    unsigned r = srcType.getRank();
    SmallVector<OpFoldResult> rows = sizesOf(rewriter, loc, grad, 0, r - 1);
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
      statInits.push_back(zerosF32(rewriter, loc, rows));
      maps.push_back(rowMap);
    }
    SmallVector<IT> reduceLast(r - 1, IT::parallel);
    reduceLast.push_back(IT::reduction);
    auto statsOp = linalg::GenericOp::create(
        rewriter, loc, ValueRange(statInits).getTypes(), inputs, statInits,
        maps, reduceLast, [&](OpBuilder &b, Location l, ValueRange args) {
          Value q = extendToF32(b, l, args[n]);
          Value g = extendToF32(b, l, args[n + 1]);
          ValueRange acc = args.drop_front(n + 2);
          SmallVector<Value> yields(3 * n);
          for (size_t j = 0; j < n; ++j) {
            Value v = extendToF32(b, l, args[j]);
            yields[j] = addf(b, l, acc[j], mulf(b, l, v, v));
            yields[n + j] = addf(b, l, acc[n + j], mulf(b, l, q, v));
            yields[2 * n + j] = addf(b, l, acc[2 * n + j], mulf(b, l, g, v));
          }
          linalg::YieldOp::create(b, l, yields);
        });

    // 2. Per row: α_j, ds_j·ρ_j, −ds_j·s_j·ρ_j²/D.
    SmallVector<Value> coefInits;
    AffineMap rowIdent = AffineMap::getMultiDimIdentityMap(r - 1, ctx);
    SmallVector<AffineMap> coefMaps(3 * n, rowIdent);
    for (size_t i = 0; i < 3 * n; ++i) {
      coefInits.push_back(
          tensor::EmptyOp::create(rewriter, loc, rows, rewriter.getF32Type()));
      coefMaps.push_back(rowIdent);
    }
    auto coefOp = linalg::GenericOp::create(
        rewriter, loc, ValueRange(coefInits).getTypes(), statsOp->getResults(),
        coefInits, coefMaps, SmallVector<IT>(r - 1, IT::parallel),
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
    ValueRange coefs = coefOp->getResults();

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
      dvInits.push_back(tensor::EmptyOp::create(
          rewriter, loc, tensor::getMixedSizes(rewriter, loc, grad), elemType));
      dvMaps.push_back(ident);
    }
    auto dvOp = linalg::GenericOp::create(
        rewriter, loc, ValueRange(dvInits).getTypes(), dvInputs, dvInits,
        dvMaps, SmallVector<IT>(r, IT::parallel),
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
    Value dqInit =
        zerosF32(rewriter, loc, {OpFoldResult(rewriter.getIndexAttr(*hidden))});
    SmallVector<IT> reduceRows(r - 1, IT::reduction);
    reduceRows.push_back(IT::parallel);
    Value dq =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{dqInit.getType()}, dqInputs,
            ValueRange{dqInit}, dqMaps, reduceRows,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value acc = args[2 * n];
              for (size_t j = 0; j < n; ++j)
                acc = addf(b, l, acc,
                           mulf(b, l, args[j], extendToF32(b, l, args[n + j])));
              linalg::YieldOp::create(b, l, acc);
            })
            ->getResult(0);
    dq = toResultType(rewriter, loc, dq,
                      cast<RankedTensorType>(op.getQueryGrad().getType()));

    SmallVector<Value> results = {dq};
    llvm::append_range(results, dvOp->getResults());
    rewriter.replaceOp(op, results);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// RMSNormGradOp
//===----------------------------------------------------------------------===//

struct RMSNormGradLowering : OpConversionPattern<RMSNormGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RMSNormGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<int64_t> hidden = hiddenOf(op.getInput().getType());
    if (failed(hidden))
      return rewriter.notifyMatchFailure(op, "dynamic hidden size");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput(), gain = adaptor.getGain(),
          grad = adaptor.getGrad();
    auto type = cast<RankedTensorType>(op.getInput().getType());
    unsigned r = type.getRank();
    SmallVector<OpFoldResult> rows = sizesOf(rewriter, loc, x, 0, r - 1);
    AffineMap ident = AffineMap::getMultiDimIdentityMap(r, ctx);
    AffineMap rowMap = mapTo(ctx, r, dimRange(0, r - 1));
    AffineMap chanMap = mapTo(ctx, r, {r - 1});
    double eps = epsValue(op.getEpsAttr());
    double invDValue = 1.0 / double(*hidden);

    // 1. Σx² and Σ γ·g·x per row.
    SmallVector<Value> statInits = {zerosF32(rewriter, loc, rows),
                                    zerosF32(rewriter, loc, rows)};
    SmallVector<IT> reduceLast(r - 1, IT::parallel);
    reduceLast.push_back(IT::reduction);
    auto statsOp = linalg::GenericOp::create(
        rewriter, loc, ValueRange(statInits).getTypes(),
        ValueRange{x, gain, grad}, statInits,
        ArrayRef<AffineMap>{ident, chanMap, ident, rowMap, rowMap}, reduceLast,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value xv = extendToF32(b, l, args[0]);
          Value gv = mulf(b, l, extendToF32(b, l, args[1]),
                          extendToF32(b, l, args[2]));
          linalg::YieldOp::create(
              b, l,
              ValueRange{addf(b, l, args[3], mulf(b, l, xv, xv)),
                         addf(b, l, args[4], mulf(b, l, gv, xv))});
        });
    Value sumSq = statsOp->getResult(0), dot = statsOp->getResult(1);

    // 2. dx = ρ·γ·g − (ρ³/D)·x·Σγgx.
    Type elemType = type.getElementType();
    Value dxInit = tensor::EmptyOp::create(
        rewriter, loc, tensor::getMixedSizes(rewriter, loc, x), elemType);
    Value dx =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{dxInit.getType()},
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
            ->getResult(0);

    // 3. dγ[c] = Σ_t ρ·x·g.
    Value dgInit =
        zerosF32(rewriter, loc, {OpFoldResult(rewriter.getIndexAttr(*hidden))});
    SmallVector<IT> reduceRows(r - 1, IT::reduction);
    reduceRows.push_back(IT::parallel);
    Value dgain =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{dgInit.getType()},
            ValueRange{x, sumSq, grad}, ValueRange{dgInit},
            ArrayRef<AffineMap>{ident, rowMap, ident, chanMap}, reduceRows,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value rho =
                  invRms(b, l, args[1], cst(b, l, invDValue), cst(b, l, eps));
              Value t = mulf(b, l, mulf(b, l, rho, extendToF32(b, l, args[0])),
                             extendToF32(b, l, args[2]));
              linalg::YieldOp::create(b, l, addf(b, l, args[3], t));
            })
            ->getResult(0);
    dgain = toResultType(rewriter, loc, dgain,
                         cast<RankedTensorType>(op.getGainGrad().getType()));
    rewriter.replaceOp(op, ValueRange{dx, dgain});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// DepthAttnStatsGradOp
//===----------------------------------------------------------------------===//

struct DepthAttnStatsGradLowering : OpConversionPattern<DepthAttnStatsGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DepthAttnStatsGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<int64_t> hidden = hiddenOf(op.getSources().front().getType());
    if (failed(hidden))
      return rewriter.notifyMatchFailure(op, "dynamic hidden size");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    ValueRange sources = adaptor.getSources();
    Value queries = adaptor.getQueries(), lse = adaptor.getLse(),
          dOut = adaptor.getOutputGrad(), dLse = adaptor.getLseGrad();
    size_t n = sources.size();
    auto srcType = cast<RankedTensorType>(op.getSources().front().getType());
    // Source rank r; loops (s, t_0..t_{r-2}, c): r + 1 dims.
    unsigned r = srcType.getRank(), L = r + 1;
    double eps = epsValue(op.getEpsAttr());
    double invDValue = 1.0 / double(*hidden);
    SmallVector<OpFoldResult> rows =
        sizesOf(rewriter, loc, sources[0], 0, r - 1);
    SmallVector<OpFoldResult> qRows = {
        tensor::getMixedSize(rewriter, loc, queries, 0)};
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
      ssInits.push_back(zerosF32(rewriter, loc, rows));
      ssMaps.push_back(mapTo(ctx, r, dimRange(0, r - 1)));
    }
    SmallVector<IT> reduceLastR(r - 1, IT::parallel);
    reduceLastR.push_back(IT::reduction);
    auto ssOp = linalg::GenericOp::create(
        rewriter, loc, ValueRange(ssInits).getTypes(), sources, ssInits, ssMaps,
        reduceLastR, [&](OpBuilder &b, Location l, ValueRange args) {
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
      dotInits.push_back(zerosF32(rewriter, loc, qRows));
      maps.push_back(qRowMap);
    }
    SmallVector<IT> reduceLast(r, IT::parallel);
    reduceLast.push_back(IT::reduction);
    auto dotOp = linalg::GenericOp::create(
        rewriter, loc, ValueRange(dotInits).getTypes(), inputs, dotInits, maps,
        reduceLast, [&](OpBuilder &b, Location l, ValueRange args) {
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
    SmallVector<Value> coefInputs(ssOp->result_begin(), ssOp->result_end());
    llvm::append_range(coefInputs, dotOp->getResults());
    coefInputs.append({lse, dLse});
    SmallVector<AffineMap> coefMaps(n, mapTo(ctx, r, dimRange(1, r)));
    coefMaps.append(2 * n + 2, sIdent);
    SmallVector<Value> coefInits;
    for (size_t i = 0; i < 3 * n; ++i) {
      coefInits.push_back(
          tensor::EmptyOp::create(rewriter, loc, qRows, rewriter.getF32Type()));
      coefMaps.push_back(sIdent);
    }
    auto coefOp = linalg::GenericOp::create(
        rewriter, loc, ValueRange(coefInits).getTypes(), coefInputs, coefInits,
        coefMaps, SmallVector<IT>(r, IT::parallel),
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
            Value x = arith::MinimumFOp::create(
                b, l, subf(b, l, logits[j], lseV), cst(b, l, 0.0));
            alpha.push_back(flushedExp(b, l, x));
            Value t = mulf(b, l, alpha[j], args[2 * n + j]);
            mean = mean ? addf(b, l, mean, t) : t;
          }
          SmallVector<Value> yields(alpha), es;
          for (size_t j = 0; j < n; ++j) {
            Value ds =
                mulf(b, l, alpha[j],
                     addf(b, l, subf(b, l, args[2 * n + j], mean), dlseV));
            auto [c, e] = sourceCoefficients(b, l, ds, rho[j], logits[j], invD);
            yields.push_back(c);
            es.push_back(e);
          }
          llvm::append_range(yields, es);
          linalg::YieldOp::create(b, l, yields);
        });
    ValueRange coefs = coefOp->getResults();

    // 3. dV_j[t,c] = Σ_s α_j dO + (ds_j ρ_j)·Q[s,c] + (−ds_j s_j ρ_j²/D)·V_j.
    SmallVector<Value> dvInputs(coefs.begin(), coefs.end());
    dvInputs.append({dOut, queries});
    llvm::append_range(dvInputs, sources);
    SmallVector<AffineMap> dvMaps(3 * n, qRowMap);
    dvMaps.append({fullMap, qMap});
    dvMaps.append(n, srcMap);
    SmallVector<Value> dvInits;
    SmallVector<OpFoldResult> srcSizes =
        tensor::getMixedSizes(rewriter, loc, sources[0]);
    for (size_t j = 0; j < n; ++j) {
      dvInits.push_back(zerosF32(rewriter, loc, srcSizes));
      dvMaps.push_back(srcMap);
    }
    SmallVector<IT> reduceFirst(L, IT::parallel);
    reduceFirst[0] = IT::reduction;
    auto dvOp = linalg::GenericOp::create(
        rewriter, loc, ValueRange(dvInits).getTypes(), dvInputs, dvInits,
        dvMaps, reduceFirst, [&](OpBuilder &b, Location l, ValueRange args) {
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
    Value dqInit =
        zerosF32(rewriter, loc,
                 {qRows.front(), OpFoldResult(rewriter.getIndexAttr(*hidden))});
    SmallVector<IT> reduceRows(L, IT::reduction);
    reduceRows.front() = IT::parallel;
    reduceRows.back() = IT::parallel;
    Value dQ =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{dqInit.getType()}, dqInputs,
            ValueRange{dqInit}, dqMaps, reduceRows,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value acc = args[2 * n];
              for (size_t j = 0; j < n; ++j)
                acc = addf(b, l, acc,
                           mulf(b, l, args[j], extendToF32(b, l, args[n + j])));
              linalg::YieldOp::create(b, l, acc);
            })
            ->getResult(0);

    SmallVector<Value> results = {
        toResultType(rewriter, loc, dQ,
                     cast<RankedTensorType>(op.getQueriesGrad().getType()))};
    for (Value dv : dvOp->getResults())
      results.push_back(toResultType(rewriter, loc, dv, srcType));
    rewriter.replaceOp(op, results);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// DepthAttnMergeGradOp
//===----------------------------------------------------------------------===//

struct DepthAttnMergeGradLowering : OpConversionPattern<DepthAttnMergeGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DepthAttnMergeGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<int64_t> hidden = hiddenOf(op.getSource().getType());
    if (failed(hidden))
      return rewriter.notifyMatchFailure(op, "dynamic hidden size");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value o = adaptor.getOutput(), lse = adaptor.getLse(),
          query = adaptor.getQuery(), u = adaptor.getSource(),
          grad = adaptor.getGrad();
    auto type = cast<RankedTensorType>(op.getSource().getType());
    unsigned r = type.getRank();
    SmallVector<OpFoldResult> rows = sizesOf(rewriter, loc, u, 0, r - 1);
    AffineMap ident = AffineMap::getMultiDimIdentityMap(r, ctx);
    AffineMap rowMap = mapTo(ctx, r, dimRange(0, r - 1));
    AffineMap chanMap = mapTo(ctx, r, {r - 1});
    AffineMap rowIdent = AffineMap::getMultiDimIdentityMap(r - 1, ctx);
    double eps = epsValue(op.getEpsAttr());
    double invDValue = 1.0 / double(*hidden);

    // 1. Σu², q·u, g·(u − o) per row.
    SmallVector<Value> statInits = {zerosF32(rewriter, loc, rows),
                                    zerosF32(rewriter, loc, rows),
                                    zerosF32(rewriter, loc, rows)};
    SmallVector<IT> reduceLast(r - 1, IT::parallel);
    reduceLast.push_back(IT::reduction);
    auto statsOp = linalg::GenericOp::create(
        rewriter, loc, ValueRange(statInits).getTypes(),
        ValueRange{u, o, query, grad}, statInits,
        ArrayRef<AffineMap>{ident, ident, chanMap, ident, rowMap, rowMap,
                            rowMap},
        reduceLast, [&](OpBuilder &b, Location l, ValueRange args) {
          Value uv = extendToF32(b, l, args[0]);
          Value ov = extendToF32(b, l, args[1]);
          Value q = extendToF32(b, l, args[2]);
          Value g = extendToF32(b, l, args[3]);
          linalg::YieldOp::create(
              b, l,
              ValueRange{
                  addf(b, l, args[4], mulf(b, l, uv, uv)),
                  addf(b, l, args[5], mulf(b, l, q, uv)),
                  addf(b, l, args[6], mulf(b, l, g, subf(b, l, uv, ov)))});
        });

    // 2. Per row: β, dlse = −ds, ds·ρ, −ds·s·ρ²/D.
    SmallVector<Value> coefInputs(statsOp->result_begin(),
                                  statsOp->result_end());
    coefInputs.push_back(lse);
    SmallVector<Value> coefInits;
    for (int i = 0; i < 4; ++i)
      coefInits.push_back(
          tensor::EmptyOp::create(rewriter, loc, rows, rewriter.getF32Type()));
    auto coefOp = linalg::GenericOp::create(
        rewriter, loc, ValueRange(coefInits).getTypes(), coefInputs, coefInits,
        SmallVector<AffineMap>(8, rowIdent),
        SmallVector<IT>(r - 1, IT::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value invD = cst(b, l, invDValue);
          Value rho = invRms(b, l, args[0], invD, cst(b, l, eps));
          Value s = mulf(b, l, rho, args[1]);
          Value beta = mergeWeight(b, l, s, args[3]);
          Value ds =
              mulf(b, l, mulf(b, l, beta, subf(b, l, cst(b, l, 1.0), beta)),
                   args[2]);
          auto [c, e] = sourceCoefficients(b, l, ds, rho, s, invD);
          linalg::YieldOp::create(
              b, l, ValueRange{beta, arith::NegFOp::create(b, l, ds), c, e});
        });
    Value beta = coefOp->getResult(0), dlse = coefOp->getResult(1),
          cq = coefOp->getResult(2), cu = coefOp->getResult(3);

    // 3. do = (1 − β)·g, du = β·g + (ds ρ)·q + (−ds s ρ²/D)·u.
    Type elemType = type.getElementType();
    SmallVector<Value> outInits;
    for (int i = 0; i < 2; ++i)
      outInits.push_back(tensor::EmptyOp::create(
          rewriter, loc, tensor::getMixedSizes(rewriter, loc, u), elemType));
    auto outOp = linalg::GenericOp::create(
        rewriter, loc, ValueRange(outInits).getTypes(),
        ValueRange{beta, cq, cu, query, grad, u}, outInits,
        ArrayRef<AffineMap>{rowMap, rowMap, rowMap, chanMap, ident, ident,
                            ident, ident},
        SmallVector<IT>(r, IT::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value q = extendToF32(b, l, args[3]);
          Value g = extendToF32(b, l, args[4]);
          Value uv = extendToF32(b, l, args[5]);
          Value dO = mulf(b, l, subf(b, l, cst(b, l, 1.0), args[0]), g);
          Value dU = mulf(b, l, args[0], g);
          dU = addf(b, l, dU, mulf(b, l, args[1], q));
          dU = addf(b, l, dU, mulf(b, l, args[2], uv));
          linalg::YieldOp::create(
              b, l,
              ValueRange{truncateFromF32(b, l, dO, elemType),
                         truncateFromF32(b, l, dU, elemType)});
        });

    // 4. dq[c] = Σ_t (ds ρ)[t]·u[t,c].
    Value dqInit =
        zerosF32(rewriter, loc, {OpFoldResult(rewriter.getIndexAttr(*hidden))});
    SmallVector<IT> reduceRows(r - 1, IT::reduction);
    reduceRows.push_back(IT::parallel);
    Value dq = linalg::GenericOp::create(
                   rewriter, loc, TypeRange{dqInit.getType()},
                   ValueRange{cq, u}, ValueRange{dqInit},
                   ArrayRef<AffineMap>{rowMap, ident, chanMap}, reduceRows,
                   [&](OpBuilder &b, Location l, ValueRange args) {
                     linalg::YieldOp::create(
                         b, l,
                         addf(b, l, args[2],
                              mulf(b, l, args[0], extendToF32(b, l, args[1]))));
                   })
                   ->getResult(0);
    dq = toResultType(rewriter, loc, dq,
                      cast<RankedTensorType>(op.getQueryGrad().getType()));
    rewriter.replaceOp(
        op, ValueRange{outOp->getResult(0), dlse, dq, outOp->getResult(1)});
    return success();
  }
};

} // namespace

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
  patterns.add<DepthAttnGradLowering, RMSNormGradLowering,
               DepthAttnStatsGradLowering, DepthAttnMergeGradLowering>(
      patterns.getContext());
}
