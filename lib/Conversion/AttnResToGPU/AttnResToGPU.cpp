//===- AttnResToGPU.cpp - fused GPU kernels for attnres -------------------===//
//
// One kernel per depth_attn / depth_attn_stats / depth_attn_merge op, in the
// style of the fastest published AttnRes kernels:
//
//   * one CTA per token row (per (query, row) for phase 1), D spread over the
//     threads: thread `t` owns chunks `k·T + t` (k < C) of W elements, so a
//     warp's loads are contiguous and every load is 128 bits;
//   * each source is read exactly once: the CTA streams over the sources with
//     an online softmax, keeping the running output row in registers;
//   * Σ v² and Σ q·v are reduced per CTA with warp shuffles plus one word per
//     warp in shared memory; all arithmetic is f32, also for f16/bf16.
//
// Each CTA body is written once against `CTAEmitter` (CTAEmitter.h): phases,
// CTA sums, per-thread values across phases. `emulate` picks the strategy:
// a `gpu.launch` (SIMT), or the same plan (grid, threads, chunk mapping,
// online softmax, reduction order) as sequential loops over CTAs and threads
// that run on the CPU, so the decomposition is checked numerically without a
// GPU.
//
//===----------------------------------------------------------------------===//

#include "attnres/Conversion/AttnResToGPU/AttnResToGPU.h"
#include "CTAEmitter.h"
#include "GPUKernelEmitter.h"
#include "attnres/Dialect/AttnRes/Utils/Functions.h"

#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "attnres/Dialect/AttnRes/Utils/ScalarMath.h"
#include "attnres/Dialect/AttnRes/Utils/Shapes.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace attnres {
#define GEN_PASS_DEF_CONVERTATTNRESTOGPUPASS
#include "attnres/Conversion/Passes.h.inc"
} // namespace attnres
} // namespace mlir

using namespace mlir;
using namespace mlir::attnres;
using namespace mlir::attnres::detail;
using namespace mlir::attnres::gpukernel;

FailureOr<GPUKernelPlan> mlir::attnres::planGPUKernel(int64_t hidden,
                                                      unsigned elementBits,
                                                      unsigned maxThreads,
                                                      int64_t targetChunks) {
  if (hidden <= 0 || elementBits == 0 || elementBits > 128 || maxThreads < 32 ||
      targetChunks < 1)
    return failure();
  GPUKernelPlan plan;
  plan.hidden = hidden;
  // 128-bit loads when D allows, else the widest aligned width that does.
  plan.vectorWidth = 128 / elementBits;
  while (plan.vectorWidth > 1 && hidden % plan.vectorWidth != 0)
    plan.vectorWidth /= 2;
  int64_t vectors = hidden / plan.vectorWidth;
  // Prefer an exact split into warps with about `targetChunks` chunks per
  // thread.
  int64_t best = -1, bestScore = 0;
  for (int64_t threads = 32; threads <= int64_t(maxThreads); threads += 32) {
    if (vectors % threads != 0)
      continue;
    int64_t chunks = vectors / threads;
    int64_t score = std::abs(chunks - targetChunks) * 4 +
                    (chunks > 2 * targetChunks ? 100 : 0);
    if (best < 0 || score < bestScore) {
      best = threads;
      bestScore = score;
    }
  }
  if (best > 0) {
    plan.threads = best;
    plan.chunks = vectors / best;
    plan.exact = true;
  } else {
    // No exact split: round up to whole warps and guard the tail.
    int64_t chunks = targetChunks;
    int64_t threads =
        llvm::divideCeil(llvm::divideCeil(vectors, chunks), 32) * 32;
    threads = std::min<int64_t>(std::max<int64_t>(threads, 32), maxThreads);
    plan.threads = threads;
    plan.chunks = llvm::divideCeil(vectors, threads);
    plan.exact = plan.threads * plan.chunks == vectors;
  }
  return plan;
}

namespace {
/// depth_attn (one query) or one query of depth_attn_stats, one CTA.
/// `queryIndex` selects the query row of a [S, D] buffer (null for a [D]
/// query). Streams over the sources once (`sourceLoop`) with an online
/// softmax: per source, a CTA reduction of (Σ x², Σ q·x), the logit, the
/// running max and sum (uniform) and the output row chunks (per thread).
/// Writes the output row and, if `lse` is set, the log-sum-exp.
void emitSiteCTA(OpBuilder &b, Location loc, CTAEmitter &cta,
                 const KernelIO &io, Value query, Value queryIndex, Value row,
                 Value out, ValueRange outIndices, Value lse,
                 ValueRange lseIndices) {
  const KernelMath &km = cta.math();
  const GPUKernelPlan &plan = km.plan;
  SmallVector<Value> qIdx;
  if (queryIndex)
    qIdx.push_back(queryIndex);
  ThreadValues qs = cta.vectors(b, plan.chunks);
  cta.forEachThread(b, [&](OpBuilder &nb, Value t) {
    for (int64_t k = 0; k < plan.chunks; ++k)
      cta.set(nb, qs, t, k, km.load(nb, loc, query, qIdx, t, k));
  });
  // Online-softmax state: running max and sum (uniform), output chunks.
  Value max0 = f32Constant(b, loc, -std::numeric_limits<double>::infinity());
  Value sum0 = f32Constant(b, loc, 0.0);
  ThreadValues acc = cta.zeroVectors(b);
  ThreadValues xs = cta.vectors(b, plan.chunks);
  SmallVector<Value> st = cta.sourceLoop(
      b, io.sources.size(), ValueRange{max0, sum0}, {&acc},
      [&](OpBuilder &nb, Value j, ValueRange cur) -> SmallVector<Value> {
        SmallVector<Value> tot = cta.reduce(nb, [&](OpBuilder &ib, Value t) {
          SmallVector<Value> x = loadSource(ib, loc, km, io.sources, j, row, t);
          SmallVector<Value> q;
          for (int64_t k = 0; k < plan.chunks; ++k) {
            cta.set(ib, xs, t, k, x[k]);
            q.push_back(cta.get(ib, qs, t, k));
          }
          auto [ss, dot] = km.partials(ib, loc, x, q);
          return SmallVector<Value>{ss, dot};
        });
        Value s = km.logit(nb, loc, tot[0], tot[1]);
        Value max = arith::MaximumFOp::create(nb, loc, cur[0], s);
        Value alpha = math::ExpOp::create(
            nb, loc, arith::SubFOp::create(nb, loc, cur[0], max));
        Value p = math::ExpOp::create(nb, loc,
                                      arith::SubFOp::create(nb, loc, s, max));
        Value sum = arith::AddFOp::create(
            nb, loc, arith::MulFOp::create(nb, loc, cur[1], alpha), p);
        cta.forEachThread(nb, [&](OpBuilder &ib, Value t) {
          Value alphaV = km.splat(ib, loc, alpha);
          Value pV = km.splat(ib, loc, p);
          for (int64_t k = 0; k < plan.chunks; ++k) {
            Value a = cta.get(ib, acc, t, k), x = cta.get(ib, xs, t, k);
            cta.set(ib, acc, t, k, km.onlineStep(ib, loc, a, alphaV, pV, x));
          }
        });
        return {max, sum};
      });
  Value inv = arith::DivFOp::create(b, loc, f32Constant(b, loc, 1.0), st[1]);
  cta.forEachThread(b, [&](OpBuilder &nb, Value t) {
    Value invV = km.splat(nb, loc, inv);
    for (int64_t k = 0; k < plan.chunks; ++k)
      km.store(nb, loc,
               arith::MulFOp::create(nb, loc, cta.get(nb, acc, t, k), invV),
               out, outIndices, t, k);
  });
  if (!lse)
    return;
  Value value =
      arith::AddFOp::create(b, loc, st[0], math::LogOp::create(b, loc, st[1]));
  cta.once(b, [&](OpBuilder &nb) {
    memref::StoreOp::create(nb, loc, value, lse, lseIndices);
  });
}

/// The PreNorm that follows a merged site, computed in the same kernel
/// (`attnres.depth_attn_merge_norm`): `out = h · ((1/D)·Σ h² + eps)^(-1/2) ·
/// gain` (math §4: phase 2 is elementwise per row, so it fuses with the next
/// RMSNorm). `h` is normalized in f32, before it is rounded (docs/semantics.md
/// states this for the fused op).
struct FusedNorm {
  Value gain; // [D] buffer
  Value out;  // [rows, D] buffer
  double eps = 1e-5;
};

/// depth_attn_merge for one row: a CTA reduction of (Σ u², q·u), the merge
/// weight, `h = o + w (u − o)`; writes h to `result` (if set) and, with a
/// fused norm, a second CTA reduction of Σ h² and h's RMSNorm to
/// `norm->out`. `result` and `norm->out` may be `out` or `src` (in place):
/// each thread reads its chunks before it writes them, and h is kept per
/// thread between the phases.
void emitMergeCTA(OpBuilder &b, Location loc, CTAEmitter &cta, Value out,
                  Value lse, Value query, Value src, Value result, Value row,
                  const FusedNorm *norm) {
  const KernelMath &km = cta.math();
  const GPUKernelPlan &plan = km.plan;
  Value rowLse = memref::LoadOp::create(b, loc, lse, ValueRange{row});
  ThreadValues us = cta.vectors(b, plan.chunks);
  SmallVector<Value> tot = cta.reduce(b, [&](OpBuilder &nb, Value t) {
    SmallVector<Value> u, q;
    for (int64_t k = 0; k < plan.chunks; ++k) {
      u.push_back(km.load(nb, loc, src, ValueRange{row}, t, k));
      q.push_back(km.load(nb, loc, query, {}, t, k));
      cta.set(nb, us, t, k, u.back());
    }
    auto [ss, dot] = km.partials(nb, loc, u, q);
    return SmallVector<Value>{ss, dot};
  });
  Value w = mergeWeight(b, loc, km.logit(b, loc, tot[0], tot[1]), rowLse);
  ThreadValues hs = cta.vectors(b, plan.chunks);
  // h per thread; with a norm, its partial Σ h².
  auto merge = [&](OpBuilder &nb, Value t) {
    Value wV = km.splat(nb, loc, w);
    SmallVector<Value> h;
    for (int64_t k = 0; k < plan.chunks; ++k) {
      Value o = km.load(nb, loc, out, ValueRange{row}, t, k);
      h.push_back(km.merge(nb, loc, wV, cta.get(nb, us, t, k), o));
      if (norm)
        cta.set(nb, hs, t, k, h.back());
      if (result)
        km.store(nb, loc, h.back(), result, ValueRange{row}, t, k);
    }
    return h;
  };
  if (!norm) {
    cta.forEachThread(b, [&](OpBuilder &nb, Value t) { merge(nb, t); });
    return;
  }
  Value total = cta.reduce(b, [&](OpBuilder &nb, Value t) {
    SmallVector<Value> h = merge(nb, t);
    return SmallVector<Value>{km.partials(nb, loc, h, {}).first};
  })[0];
  Value rho = km.rmsScale(b, loc, total, norm->eps);
  cta.forEachThread(b, [&](OpBuilder &nb, Value t) {
    Value rhoV = km.splat(nb, loc, rho);
    for (int64_t k = 0; k < plan.chunks; ++k) {
      Value g = km.load(nb, loc, norm->gain, {}, t, k);
      km.store(nb, loc, km.normalize(nb, loc, cta.get(nb, hs, t, k), rhoV, g),
               norm->out, ValueRange{row}, t, k);
    }
  });
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// The prologue and epilogue of the forward kernel patterns: `op` matched
/// in its memref form with a forward plan for `hiddenType` (`matchKernelOp`),
/// the kernel built by `build` unless a destination in `dests` is empty
/// (nothing to write), and the op erased.
LogicalResult
rewriteKernelOp(PatternRewriter &rewriter, Operation *op, Type hiddenType,
                const Options &options, ArrayRef<KernelBuffer> buffers,
                ValueRange dests,
                function_ref<LogicalResult(const GPUKernelPlan &)> build) {
  FailureOr<GPUKernelPlan> plan = matchKernelOp(
      rewriter, op, hiddenType, buffers, [&](int64_t hidden, unsigned bits) {
        return planGPUKernel(hidden, bits, options.maxThreads);
      });
  if (failed(plan))
    return failure();
  // A destination with a dim of static size 0: nothing to write.
  bool empty = llvm::any_of(dests, [](Value v) {
    return llvm::is_contained(cast<MemRefType>(v.getType()).getShape(), 0);
  });
  if (!empty && failed(build(*plan)))
    return rewriter.notifyMatchFailure(op, "the rows do not tile");
  rewriter.eraseOp(op);
  return success();
}

/// The launch of the forward kernels: `plan.threads` threads, a [2, 32]
/// reduction scratch.
LaunchShape launchShape(const GPUKernelPlan &plan) {
  LaunchShape shape;
  shape.threads = plan.threads;
  return shape;
}

/// The CTAs of a forward kernel: `op` (memref form) on the rows views of its
/// buffers (`views`: buffer to view; token dims as one row dim), tiled into
/// single rows by upstream's tiling driver (`tileRowsToBlocks`, the rows
/// mapped to `block`), then one CTA per tile and `perTile` CTAs along x
/// (`emitTileGrid`); `cta` writes the body of a CTA for its tile op.
template <typename OpTy>
LogicalResult emitRowTileKernel(
    PatternRewriter &rewriter, OpTy op, IRMapping &views, gpu::MappingId block,
    Value perTile, const GPUKernelPlan &plan, const KernelMath &km,
    const Options &options,
    function_ref<void(OpBuilder &, CTAEmitter &, OpTy, Value)> cta) {
  Operation *rowsOp = rewriter.clone(*op.getOperation(), views);
  FailureOr<RowTiles> tiles = tileRowsToBlocks(rewriter, rowsOp, block);
  rewriter.eraseOp(rowsOp);
  if (failed(tiles))
    return failure();
  if (!isa<OpTy>(tiles->tile) ||
      failed(emitTileGrid(
          rewriter, op.getLoc(), *tiles, perTile, launchShape(plan), km,
          options.emulate,
          [&](OpBuilder &b, CTAEmitter &emitter, Operation *tile, Value row) {
            cta(b, emitter, cast<OpTy>(tile), row);
          }))) {
    rewriter.eraseOp(tiles->forall);
    return failure();
  }
  return success();
}

/// The rows views (no leading dim) of `buffers` in `views`.
void mapRowsViews(OpBuilder &b, Location loc, IRMapping &views,
                  ValueRange buffers, bool hasHidden = true) {
  for (Value buffer : buffers)
    if (!views.contains(buffer))
      views.map(buffer, rowsView(b, loc, buffer, 0, hasHidden));
}

/// The sources of a tile (one row each).
KernelIO tileSources(ValueRange sources) {
  KernelIO io;
  io.sources.assign(sources.begin(), sources.end());
  return io;
}

struct DepthAttnToGPU : KernelPattern<DepthAttnOp> {
  using KernelPattern::KernelPattern;
  LogicalResult matchAndRewrite(DepthAttnOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getSources().empty() || !op.getInit())
      return rewriter.notifyMatchFailure(op, "needs sources and a buffer");
    SmallVector<KernelBuffer> buffers = {{op.getQuery()}, {op.getInit()}};
    appendBuffers(buffers, op.getSources());
    return rewriteKernelOp(
        rewriter, op, op.getInit().getType(), options, buffers, op.getInit(),
        [&](const GPUKernelPlan &plan) {
          Location loc = op.getLoc();
          KernelMath km(plan, epsOf(op.getEpsAttr()), rewriter.getF32Type());
          IRMapping views;
          mapRowsViews(rewriter, loc, views, op.getSources());
          mapRowsViews(rewriter, loc, views, op.getInit());
          // One CTA per row; the kernel writes the destination: no
          // temporary, no copy.
          return emitRowTileKernel<DepthAttnOp>(
              rewriter, op, views, gpu::MappingId::DimX, Value(), plan, km,
              options,
              [&](OpBuilder &b, CTAEmitter &cta, DepthAttnOp tile, Value row) {
                emitSiteCTA(b, loc, cta, tileSources(tile.getSources()),
                            tile.getQuery(), Value(), row, tile.getInit(),
                            ValueRange{row}, Value(), {});
              });
        });
  }
};

struct DepthAttnStatsToGPU : KernelPattern<DepthAttnStatsOp> {
  using KernelPattern::KernelPattern;
  LogicalResult matchAndRewrite(DepthAttnStatsOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getSources().empty() || op.getInits().size() != 2)
      return rewriter.notifyMatchFailure(op, "needs sources and buffers");
    Value outBuf = op.getInits()[0], lseBuf = op.getInits()[1];
    SmallVector<KernelBuffer> buffers = {
        {op.getQueries()}, {outBuf, 1}, {lseBuf, 1, false}};
    appendBuffers(buffers, op.getSources());
    return rewriteKernelOp(
        rewriter, op, outBuf.getType(), options, buffers,
        ValueRange{outBuf, lseBuf}, [&](const GPUKernelPlan &plan) {
          Location loc = op.getLoc();
          KernelMath km(plan, epsOf(op.getEpsAttr()), rewriter.getF32Type());
          IRMapping views;
          mapRowsViews(rewriter, loc, views, op.getSources());
          views.map(outBuf, rowsView(rewriter, loc, outBuf, 1, true));
          views.map(lseBuf, rowsView(rewriter, loc, lseBuf, 1, false));
          Value numQueries =
              memref::DimOp::create(rewriter, loc, op.getQueries(), 0);
          // CTAs (query, row) with the query fastest: the CTAs of one row
          // run side by side and share its sources through L2.
          return emitRowTileKernel<DepthAttnStatsOp>(
              rewriter, op, views, gpu::MappingId::DimY, numQueries, plan, km,
              options,
              [&](OpBuilder &b, CTAEmitter &cta, DepthAttnStatsOp tile,
                  Value row) {
                Value s = cta.x();
                emitSiteCTA(b, loc, cta, tileSources(tile.getSources()),
                            tile.getQueries(), s, row, tile.getInits()[0],
                            ValueRange{s, row}, tile.getInits()[1],
                            ValueRange{s, row});
              });
        });
  }
};

/// The operands of the merge kernels: `merged` (h, may be null with a
/// norm) and, for depth_attn_merge_norm, `gain` and `normed`.
struct MergeOperands {
  Value output, lse, query, source, merged;
  double eps;
  Value gain = Value(), normed = Value();
  double normEps = 0.0;
};

MergeOperands mergeOperands(DepthAttnMergeOp op) {
  return {op.getOutput(), op.getLse(),  op.getQuery(),
          op.getSource(), op.getInit(), epsOf(op.getEpsAttr())};
}

MergeOperands mergeOperands(DepthAttnMergeNormOp op) {
  return {op.getOutput(), op.getLse(),        op.getQuery(),
          op.getSource(), op.getMergedInit(), epsOf(op.getEpsAttr()),
          op.getGain(),   op.getNormedInit(), epsOf(op.getNormEpsAttr())};
}

/// depth_attn_merge and depth_attn_merge_norm: one CTA per row
/// (`emitMergeCTA`).
template <typename OpTy>
LogicalResult rewriteMergeOp(PatternRewriter &rewriter, OpTy op,
                             const Options &options) {
  MergeOperands m = mergeOperands(op);
  SmallVector<KernelBuffer> buffers = {
      {m.output}, {m.lse, 0, false}, {m.query}, {m.source}};
  if (m.normed)
    buffers.append({{m.gain}, {m.normed}});
  if (m.merged)
    buffers.push_back({m.merged});
  Value dest = m.normed ? m.normed : m.merged;
  return rewriteKernelOp(
      rewriter, op, dest.getType(), options, buffers, dest,
      [&](const GPUKernelPlan &plan) {
        Location loc = op->getLoc();
        KernelMath km(plan, m.eps, rewriter.getF32Type());
        IRMapping views;
        mapRowsViews(rewriter, loc, views, m.lse, /*hasHidden=*/false);
        for (Value buffer : {m.source, m.output, m.merged, m.normed})
          if (buffer)
            mapRowsViews(rewriter, loc, views, buffer);
        return emitRowTileKernel<OpTy>(
            rewriter, op, views, gpu::MappingId::DimX, Value(), plan, km,
            options, [&](OpBuilder &b, CTAEmitter &cta, OpTy tile, Value row) {
              MergeOperands t = mergeOperands(tile);
              FusedNorm fused;
              if (t.normed) {
                fused.gain = t.gain;
                fused.out = t.normed;
                fused.eps = t.normEps;
              }
              emitMergeCTA(b, loc, cta, t.output, t.lse, t.query, t.source,
                           t.merged, row, t.normed ? &fused : nullptr);
            });
      });
}

struct DepthAttnMergeToGPU : KernelPattern<DepthAttnMergeOp> {
  using KernelPattern::KernelPattern;
  LogicalResult matchAndRewrite(DepthAttnMergeOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getInit())
      return rewriter.notifyMatchFailure(op, "needs a buffer");
    return rewriteMergeOp(rewriter, op, options);
  }
};

/// `attnres.depth_attn_merge_norm` (built by attnres-fuse-norm-epilogues):
/// the merge kernel with a second CTA reduction for Σ h², writing the
/// normalized row, and h only when the op keeps it.
struct DepthAttnMergeNormToGPU : KernelPattern<DepthAttnMergeNormOp> {
  using KernelPattern::KernelPattern;
  LogicalResult matchAndRewrite(DepthAttnMergeNormOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getNormedInit())
      return rewriter.notifyMatchFailure(op, "needs a buffer");
    return rewriteMergeOp(rewriter, op, options);
  }
};

struct ConvertAttnResToGPUPass
    : attnres::impl::ConvertAttnResToGPUPassBase<ConvertAttnResToGPUPass> {
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
    if (maxThreads < 32 || maxThreads > 1024 || maxThreads % 32 != 0) {
      func.emitError() << "convert-attnres-to-gpu: max-threads must be a "
                          "multiple of 32 in [32, 1024], got "
                       << static_cast<unsigned>(maxThreads);
      return signalPassFailure();
    }
    // Ops whose tensors cannot be addressed are reported (each of them)
    // before anything is rewritten.
    if (failed(checkAddressableKernelOps(func)))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    if (gradRowGroups < 1) {
      func.emitError() << "convert-attnres-to-gpu: grad-row-groups must be at "
                          "least 1";
      return signalPassFailure();
    }
    populateAttnResToGPUConversionPatterns(patterns, emulate, maxThreads,
                                           gradRowGroups);
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingOps);
    if (failed(applyPatternsGreedily(func, std::move(patterns), config)))
      return signalPassFailure();
  }
};

} // namespace

void mlir::attnres::populateAttnResToGPUConversionPatterns(
    RewritePatternSet &patterns, bool emulate, unsigned maxThreads,
    unsigned gradRowGroups) {
  Options options{emulate, maxThreads, std::max(1u, gradRowGroups)};
  patterns.add<DepthAttnToGPU, DepthAttnStatsToGPU, DepthAttnMergeToGPU,
               DepthAttnMergeNormToGPU>(patterns.getContext(), options);
  populateGradKernelPatterns(patterns, options);
}
