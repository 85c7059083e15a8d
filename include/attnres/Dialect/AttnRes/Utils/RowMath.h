//===- RowMath.h - per-row micro-kernel math of the attnres kernels -*- C++
//-*-===//
//
// The per-chunk math of the AttnRes row kernels, written once for the CPU
// kernels (convert-attnres-to-vector, `KernelBuilder`) and the GPU kernels
// (convert-attnres-to-gpu, `gpukernel::KernelMath`).
//
// A row of D elements is processed in f32 vectors ("chunks"). What differs
// between the backends is a *strategy* (the class deriving from `RowMath`):
//
//   - how a chunk is loaded as f32 and stored rounded to the element type
//     (CPU: `vector.transfer_read/write` on the tensor rows at the loop's D
//     offset, bf16 pairs split into even/odd parts; GPU: aligned
//     `vector.load/store` of the thread's chunk k of the row);
//   - how a product Σ a·x is accumulated over the chunks of a row
//     (`accumulateProduct`: CPU, a vector FMA into a loop-carried vector,
//     reduced once after the loop; GPU, a `vector.reduction` per chunk
//     added to a per-thread scalar, reduced over the CTA afterwards);
//   - the order of the parts of a chunk (`kChunkMajor`).
//
// Everything else is stated here once: the statistics Σ x² and Σ p·x of a
// chunk for any number of probes (queries, gradients), the logit ρ·dot, the
// RMS scale, weighted sums Σ_j w_j x_j, the merge h = o + w (u − o) and the
// RMSNorm epilogue h·ρ·gain. The loop structure over a row stays with the
// backends (CPU: a statistics pass, then a weighted-sum pass, per row; GPU:
// one pass over the sources with an online softmax) and so do the scalars
// between the passes (ScalarMath.h).
//
// A strategy `S : RowMath<S>` provides:
//   VectorType vecF32() const;      // the f32 vector of one chunk part
//   int64_t rowLength() const;      // D
//   Value accumulateProduct(OpBuilder &, Location, Value a, Value x,
//                           Value acc) const; // acc + Σ a·x (acc may be null)
//   static constexpr bool kChunkMajor; // statistics: parts outer (true) or
//                                      // probes outer (false)
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_UTILS_ROWMATH_H
#define ATTNRES_DIALECT_ATTNRES_UTILS_ROWMATH_H

#include "attnres/Dialect/AttnRes/Utils/ScalarMath.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"

namespace mlir {
namespace attnres {
namespace detail {

template <typename Strategy> class RowMath {
public:
  /// A zero f32 vector (a fresh `arith.constant`).
  Value zero(OpBuilder &b, Location loc) const {
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(self().vecF32(), b.getF32FloatAttr(0.0)));
  }

  /// The scalar `s` splatted over a chunk.
  Value splat(OpBuilder &b, Location loc, Value s) const {
    return vector::BroadcastOp::create(b, loc, self().vecF32(), s);
  }

  /// Σ of the lanes of `v` (reassociable).
  Value hsum(OpBuilder &b, Location loc, Value v) const {
    return vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, v,
                                       Value(), arith::FastMathFlags::reassoc);
  }

  /// The statistics of one chunk `x` (its parts): `Σ x²` when `withSumSq`,
  /// then `Σ p·x` for every probe p (parts like `x`), accumulated into
  /// `acc` (one entry per statistic, in that order; null entries start the
  /// sum) with the strategy's `accumulateProduct`.
  SmallVector<Value> statistics(OpBuilder &b, Location loc, ArrayRef<Value> x,
                                ArrayRef<ArrayRef<Value>> probes,
                                bool withSumSq, ArrayRef<Value> acc) const {
    SmallVector<Value> out(acc);
    unsigned first = withSumSq ? 1 : 0;
    auto step = [&](unsigned i, Value a, Value xp) {
      out[i] = self().accumulateProduct(b, loc, a, xp, out[i]);
    };
    if constexpr (Strategy::kChunkMajor) {
      for (auto [p, xp] : llvm::enumerate(x)) {
        if (withSumSq)
          step(0, xp, xp);
        for (auto [i, probe] : llvm::enumerate(probes))
          step(first + i, probe[p], xp);
      }
    } else {
      if (withSumSq)
        for (Value xp : x)
          step(0, xp, xp);
      for (auto [i, probe] : llvm::enumerate(probes))
        for (auto [a, xp] : llvm::zip_equal(probe, x))
          step(first + i, a, xp);
    }
    return out;
  }

  /// Per-thread (GPU) or per-step (CPU) partial `Σ x²` and `Σ q·x` over the
  /// chunks `xs` (no dot when `qs` is empty).
  std::pair<Value, Value> partials(OpBuilder &b, Location loc,
                                   ArrayRef<Value> xs,
                                   ArrayRef<Value> qs) const {
    SmallVector<ArrayRef<Value>, 1> probes;
    if (!qs.empty())
      probes.push_back(qs);
    SmallVector<Value> acc(1 + probes.size(), Value());
    SmallVector<Value> r = statistics(b, loc, xs, probes, true, acc);
    return {r[0], probes.empty() ? Value() : r[1]};
  }

  /// The logit `ρ·dot`, `ρ = (ss/D + eps)^(-1/2)`.
  Value logit(OpBuilder &b, Location loc, Value ss, Value dot,
              double eps) const {
    return rmsLogit(b, loc, ss, dot, f32Constant(b, loc, 1.0 / length()),
                    f32Constant(b, loc, eps));
  }

  /// The RMS scale `ρ = (ss/D + eps)^(-1/2)` of a row with `Σ x² = ss`.
  Value rmsScale(OpBuilder &b, Location loc, Value ss, double eps) const {
    Value mean =
        arith::MulFOp::create(b, loc, ss, f32Constant(b, loc, 1.0 / length()));
    return math::RsqrtOp::create(
        b, loc, arith::AddFOp::create(b, loc, mean, f32Constant(b, loc, eps)));
  }

  /// The same with the constants `invD = 1/D` and `eps` given.
  Value rmsScale(OpBuilder &b, Location loc, Value ss, Value invD,
                 Value eps) const {
    return math::RsqrtOp::create(
        b, loc,
        arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, ss, invD),
                              eps));
  }

  /// The same with the constant `invD = 1/D` given.
  Value rmsScale(OpBuilder &b, Location loc, Value ss, Value invD,
                 double eps) const {
    Value mean = arith::MulFOp::create(b, loc, ss, invD);
    return math::RsqrtOp::create(
        b, loc, arith::AddFOp::create(b, loc, mean, f32Constant(b, loc, eps)));
  }

  /// `acc + Σ_j ws[j]·xs[j]` (FMAs in order), or `ws[0]·xs[0] + Σ_{j>0} …`
  /// when `acc` is null. `ws` are splatted.
  Value weightedSum(OpBuilder &b, Location loc, ArrayRef<Value> ws,
                    ArrayRef<Value> xs, Value acc = Value()) const {
    for (auto [w, x] : llvm::zip_equal(ws, xs))
      acc = acc ? vector::FMAOp::create(b, loc, w, x, acc).getResult()
                : arith::MulFOp::create(b, loc, w, x).getResult();
    return acc;
  }

  /// One online-softmax step of an output chunk: `acc·α + p·x` (the running
  /// output rescaled to the new max plus the new source's term; `alphaV` and
  /// `pV` splatted).
  Value onlineStep(OpBuilder &b, Location loc, Value acc, Value alphaV,
                   Value pV, Value x) const {
    return weightedSum(b, loc, pV, x,
                       arith::MulFOp::create(b, loc, acc, alphaV));
  }

  /// The merge of a phase-1 output chunk `o` with the source chunk `u` of
  /// weight `wV` (splatted): `h = o + w (u − o)`.
  Value merge(OpBuilder &b, Location loc, Value wV, Value u, Value o) const {
    return vector::FMAOp::create(b, loc, wV,
                                 arith::SubFOp::create(b, loc, u, o), o);
  }

  /// The RMSNorm epilogue of a chunk: `h · ρ · gain` (`rhoV` splatted).
  Value normalize(OpBuilder &b, Location loc, Value h, Value rhoV,
                  Value gain) const {
    return arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, h, rhoV),
                                 gain);
  }

private:
  const Strategy &self() const { return static_cast<const Strategy &>(*this); }
  int64_t length() const { return self().rowLength(); }
};

} // namespace detail
} // namespace attnres
} // namespace mlir

#endif // ATTNRES_DIALECT_ATTNRES_UTILS_ROWMATH_H
