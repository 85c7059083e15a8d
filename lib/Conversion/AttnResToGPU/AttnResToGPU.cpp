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
// With `emulate`, the same plan (grid, threads, chunk mapping, online
// softmax) is emitted as sequential loops over blocks and threads that run
// on the CPU, so the decomposition is checked numerically without a GPU.
//
//===----------------------------------------------------------------------===//

#include "attnres/Conversion/AttnResToGPU/AttnResToGPU.h"
#include "GPUKernelEmitter.h"
#include "attnres/Dialect/AttnRes/Utils/Functions.h"

#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "attnres/Dialect/AttnRes/Utils/ScalarMath.h"
#include "attnres/Dialect/AttnRes/Utils/Shapes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
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
/// Online-softmax state of one CTA: running max, sum and output row chunks.
struct OnlineState {
  Value max, sum;
  SmallVector<Value> acc;
};

/// One online-softmax step with source chunks `xs` and logit `s`.
OnlineState onlineStep(OpBuilder &b, Location loc, const OnlineState &st,
                       ArrayRef<Value> xs, Value s, VectorType vecType) {
  OnlineState next;
  next.max = arith::MaximumFOp::create(b, loc, st.max, s);
  Value alpha = math::ExpOp::create(
      b, loc, arith::SubFOp::create(b, loc, st.max, next.max));
  Value p =
      math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, s, next.max));
  next.sum = arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, st.sum, alpha), p);
  Value alphaV = vector::BroadcastOp::create(b, loc, vecType, alpha);
  Value pV = vector::BroadcastOp::create(b, loc, vecType, p);
  for (auto [acc, x] : llvm::zip_equal(st.acc, xs))
    next.acc.push_back(vector::FMAOp::create(
        b, loc, pV, x, arith::MulFOp::create(b, loc, acc, alphaV)));
  return next;
}

OnlineState initialState(OpBuilder &b, Location loc, const KernelMath &km) {
  OnlineState st;
  st.max = f32Constant(b, loc, -std::numeric_limits<double>::infinity());
  st.sum = f32Constant(b, loc, 0.0);
  st.acc.assign(km.plan.chunks, km.zero(b, loc));
  return st;
}

/// Streams over the sources (`forEachSource`) with an online softmax.
OnlineState streamSources(
    OpBuilder &b, Location loc, const KernelMath &km, ArrayRef<Value> sources,
    Value row, Value tid,
    function_ref<OnlineState(OpBuilder &, ArrayRef<Value>, const OnlineState &)>
        step) {
  OnlineState init = initialState(b, loc, km);
  SmallVector<Value> inits = {init.max, init.sum};
  llvm::append_range(inits, init.acc);
  scf::ForOp loop = forEachSource(
      b, loc, km, sources, row, tid, inits,
      [&](OpBuilder &nb, Value, ArrayRef<Value> xs, ValueRange args) {
        OnlineState cur;
        cur.max = args[0];
        cur.sum = args[1];
        cur.acc.assign(args.begin() + 2, args.end());
        OnlineState next = step(nb, xs, cur);
        SmallVector<Value> yields = {next.max, next.sum};
        llvm::append_range(yields, next.acc);
        return yields;
      });
  OnlineState result;
  result.max = loop.getResult(0);
  result.sum = loop.getResult(1);
  result.acc.assign(loop.result_begin() + 2, loop.result_end());
  return result;
}

/// depth_attn (one query) or one query of depth_attn_stats. `queryIndex`
/// selects the query row of a [S, D] buffer (null for a [D] query). Writes
/// the output row and, if `lse` is set, the log-sum-exp.
void emitSiteCTA(OpBuilder &b, Location loc, const KernelMath &km,
                 const KernelIO &io, Value query, Value queryIndex, Value row,
                 Value out, ValueRange outIndices, Value lse,
                 ValueRange lseIndices, Value tid, Value scratch,
                 bool emulate) {
  const GPUKernelPlan &plan = km.plan;
  VectorType vecType = km.vecF32();
  SmallVector<Value> qIdx;
  if (queryIndex)
    qIdx.push_back(queryIndex);

  if (!emulate) {
    SmallVector<Value> qs;
    for (int64_t k = 0; k < plan.chunks; ++k)
      qs.push_back(km.load(b, loc, query, qIdx, tid, k));
    OnlineState st = streamSources(
        b, loc, km, io.sources, row, tid,
        [&](OpBuilder &nb, ArrayRef<Value> xs, const OnlineState &cur) {
          auto [ss, dot] = km.partials(nb, loc, xs, qs);
          SmallVector<Value> tot = blockReduce(nb, loc, ValueRange{ss, dot},
                                               tid, scratch, plan.threads);
          return onlineStep(nb, loc, cur, xs, km.logit(nb, loc, tot[0], tot[1]),
                            vecType);
        });
    Value inv = arith::DivFOp::create(b, loc, f32Constant(b, loc, 1.0), st.sum);
    Value invV = vector::BroadcastOp::create(b, loc, vecType, inv);
    for (int64_t k = 0; k < plan.chunks; ++k)
      km.store(b, loc, arith::MulFOp::create(b, loc, st.acc[k], invV), out,
               outIndices, tid, k);
    if (lse) {
      Value isFirst = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                            tid, cIndex(b, loc, 0));
      Value value = arith::AddFOp::create(b, loc, st.max,
                                          math::LogOp::create(b, loc, st.sum));
      scf::IfOp::create(b, loc, isFirst, [&](OpBuilder &nb, Location nl) {
        memref::StoreOp::create(nb, nl, value, lse, lseIndices);
        scf::YieldOp::create(nb, nl);
      });
    }
    return;
  }

  // Emulation: the per-thread registers live in buffers indexed by tid.
  Type f32 = b.getF32Type();
  auto accType =
      MemRefType::get({plan.threads, plan.chunks, plan.vectorWidth}, f32);
  Value acc = memref::AllocaOp::create(b, loc, accType);
  Value parts =
      memref::AllocaOp::create(b, loc, MemRefType::get({2, plan.threads}, f32));
  auto loadAcc = [&](OpBuilder &nb, Location nl, Value t, int64_t k) {
    return vector::LoadOp::create(
        nb, nl, vecType, acc,
        ValueRange{t, cIndex(nb, nl, k), cIndex(nb, nl, 0)});
  };
  auto storeAcc = [&](OpBuilder &nb, Location nl, Value v, Value t, int64_t k) {
    vector::StoreOp::create(
        nb, nl, v, acc, ValueRange{t, cIndex(nb, nl, k), cIndex(nb, nl, 0)});
  };
  forEachThread(b, loc, plan, [&](OpBuilder &nb, Value t) {
    for (int64_t k = 0; k < plan.chunks; ++k)
      storeAcc(nb, loc, km.zero(nb, loc), t, k);
  });
  // Running max and sum are the same in every thread: scalars here.
  Value maxBuf = memref::AllocaOp::create(b, loc, MemRefType::get({}, f32));
  Value sumBuf = memref::AllocaOp::create(b, loc, MemRefType::get({}, f32));
  memref::StoreOp::create(
      b, loc, f32Constant(b, loc, -std::numeric_limits<double>::infinity()),
      maxBuf);
  memref::StoreOp::create(b, loc, f32Constant(b, loc, 0.0), sumBuf);
  for (Value src : io.sources) {
    // Phase 1: per-thread partials.
    forEachThread(b, loc, plan, [&](OpBuilder &nb, Value t) {
      SmallVector<Value> xs, qs;
      for (int64_t k = 0; k < plan.chunks; ++k) {
        xs.push_back(km.load(nb, loc, src, ValueRange{row}, t, k));
        qs.push_back(km.load(nb, loc, query, qIdx, t, k));
      }
      auto [ss, dot] = km.partials(nb, loc, xs, qs);
      memref::StoreOp::create(nb, loc, ss, parts,
                              ValueRange{cIndex(nb, loc, 0), t});
      memref::StoreOp::create(nb, loc, dot, parts,
                              ValueRange{cIndex(nb, loc, 1), t});
    });
    // Barrier: CTA-wide sums, logit, online-softmax scalars.
    Value ss = emulatedReduce(b, loc, parts, 0, plan);
    Value dot = emulatedReduce(b, loc, parts, 1, plan);
    Value s = km.logit(b, loc, ss, dot);
    Value oldMax = memref::LoadOp::create(b, loc, maxBuf);
    Value newMax = arith::MaximumFOp::create(b, loc, oldMax, s);
    Value alpha = math::ExpOp::create(
        b, loc, arith::SubFOp::create(b, loc, oldMax, newMax));
    Value p =
        math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, s, newMax));
    Value oldSum = memref::LoadOp::create(b, loc, sumBuf);
    memref::StoreOp::create(
        b, loc,
        arith::AddFOp::create(b, loc,
                              arith::MulFOp::create(b, loc, oldSum, alpha), p),
        sumBuf);
    memref::StoreOp::create(b, loc, newMax, maxBuf);
    // Phase 2: per-thread accumulator update.
    forEachThread(b, loc, plan, [&](OpBuilder &nb, Value t) {
      Value alphaV = vector::BroadcastOp::create(nb, loc, vecType, alpha);
      Value pV = vector::BroadcastOp::create(nb, loc, vecType, p);
      for (int64_t k = 0; k < plan.chunks; ++k) {
        Value x = km.load(nb, loc, src, ValueRange{row}, t, k);
        Value a = loadAcc(nb, loc, t, k);
        storeAcc(nb, loc,
                 vector::FMAOp::create(
                     nb, loc, pV, x, arith::MulFOp::create(nb, loc, a, alphaV)),
                 t, k);
      }
    });
  }
  Value sum = memref::LoadOp::create(b, loc, sumBuf);
  Value inv = arith::DivFOp::create(b, loc, f32Constant(b, loc, 1.0), sum);
  forEachThread(b, loc, plan, [&](OpBuilder &nb, Value t) {
    Value invV = vector::BroadcastOp::create(nb, loc, vecType, inv);
    for (int64_t k = 0; k < plan.chunks; ++k)
      km.store(nb, loc,
               arith::MulFOp::create(nb, loc, loadAcc(nb, loc, t, k), invV),
               out, outIndices, t, k);
  });
  if (lse) {
    Value max = memref::LoadOp::create(b, loc, maxBuf);
    memref::StoreOp::create(
        b, loc,
        arith::AddFOp::create(b, loc, max, math::LogOp::create(b, loc, sum)),
        lse, lseIndices);
  }
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

/// depth_attn_merge for one row; writes h to `result` (if set) and, with a
/// fused norm, its RMSNorm to `norm->out`. `result` and `norm->out` may be
/// `out` or `src` (in place): each thread reads its chunks before it writes
/// them, and the emulation keeps h in per-thread buffers.
void emitMergeCTA(OpBuilder &b, Location loc, const KernelMath &km, Value out,
                  Value lse, Value query, Value src, Value result, Value row,
                  Value tid, Value scratch, bool emulate,
                  const FusedNorm *norm) {
  const GPUKernelPlan &plan = km.plan;
  VectorType vecType = km.vecF32();
  Value rowLse = memref::LoadOp::create(b, loc, lse, ValueRange{row});
  auto normScale = [&](OpBuilder &nb, Value sumSq) {
    return km.rmsScale(nb, loc, sumSq, norm->eps);
  };
  auto storeNorm = [&](OpBuilder &nb, Value h, Value rhoV, Value t, int64_t k) {
    Value g = km.load(nb, loc, norm->gain, {}, t, k);
    km.store(nb, loc, km.normalize(nb, loc, h, rhoV, g), norm->out,
             ValueRange{row}, t, k);
  };
  if (!emulate) {
    SmallVector<Value> us, qs;
    for (int64_t k = 0; k < plan.chunks; ++k) {
      us.push_back(km.load(b, loc, src, ValueRange{row}, tid, k));
      qs.push_back(km.load(b, loc, query, {}, tid, k));
    }
    auto [ss, dot] = km.partials(b, loc, us, qs);
    SmallVector<Value> tot =
        blockReduce(b, loc, ValueRange{ss, dot}, tid, scratch, plan.threads);
    Value w = mergeWeight(b, loc, km.logit(b, loc, tot[0], tot[1]), rowLse);
    Value wV = vector::BroadcastOp::create(b, loc, vecType, w);
    SmallVector<Value> hs;
    for (int64_t k = 0; k < plan.chunks; ++k) {
      Value o = km.load(b, loc, out, ValueRange{row}, tid, k);
      Value h = km.merge(b, loc, wV, us[k], o);
      hs.push_back(h);
      if (result)
        km.store(b, loc, h, result, ValueRange{row}, tid, k);
    }
    if (!norm)
      return;
    auto [hss, unused] = km.partials(b, loc, hs, {});
    (void)unused;
    Value total =
        blockReduce(b, loc, ValueRange{hss}, tid, scratch, plan.threads)[0];
    Value rhoV =
        vector::BroadcastOp::create(b, loc, vecType, normScale(b, total));
    for (int64_t k = 0; k < plan.chunks; ++k)
      storeNorm(b, hs[k], rhoV, tid, k);
    return;
  }
  Type f32 = b.getF32Type();
  Value parts =
      memref::AllocaOp::create(b, loc, MemRefType::get({2, plan.threads}, f32));
  forEachThread(b, loc, plan, [&](OpBuilder &nb, Value t) {
    SmallVector<Value> us, qs;
    for (int64_t k = 0; k < plan.chunks; ++k) {
      us.push_back(km.load(nb, loc, src, ValueRange{row}, t, k));
      qs.push_back(km.load(nb, loc, query, {}, t, k));
    }
    auto [ss, dot] = km.partials(nb, loc, us, qs);
    memref::StoreOp::create(nb, loc, ss, parts,
                            ValueRange{cIndex(nb, loc, 0), t});
    memref::StoreOp::create(nb, loc, dot, parts,
                            ValueRange{cIndex(nb, loc, 1), t});
  });
  Value ss = emulatedReduce(b, loc, parts, 0, plan);
  Value dot = emulatedReduce(b, loc, parts, 1, plan);
  Value w = mergeWeight(b, loc, km.logit(b, loc, ss, dot), rowLse);
  // The threads' h registers, kept between the emulated phases (the
  // destinations may be `out` or `src`: h cannot be recomputed from them).
  Value hBuf;
  if (norm)
    hBuf = memref::AllocaOp::create(
        b, loc,
        MemRefType::get({plan.threads, plan.chunks, plan.vectorWidth}, f32));
  auto hIndex = [&](OpBuilder &nb, Value t, int64_t k) {
    return SmallVector<Value>{t, cIndex(nb, loc, k), cIndex(nb, loc, 0)};
  };
  forEachThread(b, loc, plan, [&](OpBuilder &nb, Value t) {
    Value wV = vector::BroadcastOp::create(nb, loc, vecType, w);
    SmallVector<Value> hs;
    for (int64_t k = 0; k < plan.chunks; ++k) {
      Value u = km.load(nb, loc, src, ValueRange{row}, t, k);
      Value o = km.load(nb, loc, out, ValueRange{row}, t, k);
      Value h = km.merge(nb, loc, wV, u, o);
      hs.push_back(h);
      if (norm)
        vector::StoreOp::create(nb, loc, hs.back(), hBuf, hIndex(nb, t, k));
      if (result)
        km.store(nb, loc, h, result, ValueRange{row}, t, k);
    }
    if (norm) {
      auto [hss, unused] = km.partials(nb, loc, hs, {});
      (void)unused;
      memref::StoreOp::create(nb, loc, hss, parts,
                              ValueRange{cIndex(nb, loc, 0), t});
    }
  });
  if (!norm)
    return;
  Value rho = normScale(b, emulatedReduce(b, loc, parts, 0, plan));
  forEachThread(b, loc, plan, [&](OpBuilder &nb, Value t) {
    Value rhoV = vector::BroadcastOp::create(nb, loc, vecType, rho);
    for (int64_t k = 0; k < plan.chunks; ++k)
      storeNorm(
          nb, vector::LoadOp::create(nb, loc, vecType, hBuf, hIndex(nb, t, k)),
          rhoV, t, k);
  });
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// Checks shared by the three kernels: the memref form (after
/// bufferization: the outs are the kernel's outputs), a static hidden size
/// with a kernel plan, addressable types, and buffers whose rows views have
/// a kernel layout (`buffers`: value, leading dims, has a hidden dim).
FailureOr<GPUKernelPlan>
matchKernelOp(PatternRewriter &rewriter, Operation *op, Type hiddenType,
              const Options &options,
              ArrayRef<std::tuple<Value, unsigned, bool>> buffers) {
  if (op->getNumResults() != 0)
    return rewriter.notifyMatchFailure(
        op, "tensor form: bufferize first (one-shot-bufferize keeps the op)");
  std::optional<int64_t> hidden = staticHiddenOf(hiddenType);
  if (!hidden)
    return rewriter.notifyMatchFailure(op, "needs a static hidden size");
  FailureOr<GPUKernelPlan> plan = planGPUKernel(
      *hidden, cast<ShapedType>(hiddenType).getElementTypeBitWidth(),
      options.maxThreads);
  if (failed(plan))
    return rewriter.notifyMatchFailure(op, "no kernel plan");
  if (!hasAddressableTypes(op))
    return rewriter.notifyMatchFailure(op, "buffers too large to address");
  for (auto [buffer, lead, hasHidden] : buffers)
    if (!isKernelBuffer(buffer, lead, hasHidden, plan->vectorWidth))
      return rewriter.notifyMatchFailure(
          op, "a buffer's layout does not allow the kernel's row view and "
              "aligned vector accesses: lowered by convert-attnres-to-linalg");
  return plan;
}

/// Whether a buffer has a dim of static size 0 (nothing to write).
bool hasEmptyBuffer(ValueRange buffers) {
  return llvm::any_of(buffers, [](Value v) {
    return llvm::is_contained(cast<MemRefType>(v.getType()).getShape(), 0);
  });
}

struct DepthAttnToGPU : OpRewritePattern<DepthAttnOp> {
  DepthAttnToGPU(MLIRContext *ctx, Options options)
      : OpRewritePattern(ctx), options(options) {}
  LogicalResult matchAndRewrite(DepthAttnOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getSources().empty() || !op.getInit())
      return rewriter.notifyMatchFailure(op, "needs sources and a buffer");
    SmallVector<std::tuple<Value, unsigned, bool>> buffers = {
        {op.getQuery(), 0, true}, {op.getInit(), 0, true}};
    for (Value s : op.getSources())
      buffers.push_back({s, 0, true});
    FailureOr<GPUKernelPlan> plan =
        matchKernelOp(rewriter, op, op.getInit().getType(), options, buffers);
    if (failed(plan))
      return failure();
    if (hasEmptyBuffer(op.getInit())) {
      rewriter.eraseOp(op);
      return success();
    }
    Location loc = op.getLoc();
    KernelMath km(*plan, epsOf(op.getEpsAttr()), rewriter.getF32Type());
    KernelIO io = sourceBuffers(rewriter, loc, op.getSources());
    Value query = op.getQuery();
    // The kernel writes the destination: no temporary, no copy.
    Value out = rowsView(rewriter, loc, op.getInit(), 0, true);
    emitGrid(rewriter, loc, io.rows, cIndex(rewriter, loc, 1), *plan,
             options.emulate,
             [&](OpBuilder &b, Value row, Value, Value tid, Value scratch) {
               emitSiteCTA(b, loc, km, io, query, Value(), row, out,
                           ValueRange{row}, Value(), {}, tid, scratch,
                           options.emulate);
             });
    rewriter.eraseOp(op);
    return success();
  }
  Options options;
};

struct DepthAttnStatsToGPU : OpRewritePattern<DepthAttnStatsOp> {
  DepthAttnStatsToGPU(MLIRContext *ctx, Options options)
      : OpRewritePattern(ctx), options(options) {}
  LogicalResult matchAndRewrite(DepthAttnStatsOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getSources().empty() || op.getInits().size() != 2)
      return rewriter.notifyMatchFailure(op, "needs sources and buffers");
    Value outBuf = op.getInits()[0], lseBuf = op.getInits()[1];
    SmallVector<std::tuple<Value, unsigned, bool>> buffers = {
        {op.getQueries(), 0, true}, {outBuf, 1, true}, {lseBuf, 1, false}};
    for (Value s : op.getSources())
      buffers.push_back({s, 0, true});
    FailureOr<GPUKernelPlan> plan =
        matchKernelOp(rewriter, op, outBuf.getType(), options, buffers);
    if (failed(plan))
      return failure();
    if (hasEmptyBuffer({outBuf, lseBuf})) {
      rewriter.eraseOp(op);
      return success();
    }
    Location loc = op.getLoc();
    KernelMath km(*plan, epsOf(op.getEpsAttr()), rewriter.getF32Type());
    KernelIO io = sourceBuffers(rewriter, loc, op.getSources());
    Value queries = op.getQueries();
    Value numQueries = memref::DimOp::create(rewriter, loc, queries, 0);
    Value out = rowsView(rewriter, loc, outBuf, 1, true);
    Value lse = rowsView(rewriter, loc, lseBuf, 1, false);
    // CTAs (query, row) with the query fastest: the CTAs of one row run
    // side by side and share its sources through L2.
    emitGrid(rewriter, loc, numQueries, io.rows, *plan, options.emulate,
             [&](OpBuilder &b, Value s, Value row, Value tid, Value scratch) {
               emitSiteCTA(b, loc, km, io, queries, s, row, out,
                           ValueRange{s, row}, lse, ValueRange{s, row}, tid,
                           scratch, options.emulate);
             });
    rewriter.eraseOp(op);
    return success();
  }
  Options options;
};

struct DepthAttnMergeToGPU : OpRewritePattern<DepthAttnMergeOp> {
  DepthAttnMergeToGPU(MLIRContext *ctx, Options options)
      : OpRewritePattern(ctx), options(options) {}
  LogicalResult matchAndRewrite(DepthAttnMergeOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getInit())
      return rewriter.notifyMatchFailure(op, "needs a buffer");
    SmallVector<std::tuple<Value, unsigned, bool>> buffers = {
        {op.getOutput(), 0, true},
        {op.getLse(), 0, false},
        {op.getQuery(), 0, true},
        {op.getSource(), 0, true},
        {op.getInit(), 0, true}};
    FailureOr<GPUKernelPlan> plan =
        matchKernelOp(rewriter, op, op.getInit().getType(), options, buffers);
    if (failed(plan))
      return failure();
    if (hasEmptyBuffer(op.getInit())) {
      rewriter.eraseOp(op);
      return success();
    }
    Location loc = op.getLoc();
    KernelMath km(*plan, epsOf(op.getEpsAttr()), rewriter.getF32Type());
    Value src = rowsView(rewriter, loc, op.getSource(), 0, true);
    Value prev = rowsView(rewriter, loc, op.getOutput(), 0, true);
    Value lse = rowsView(rewriter, loc, op.getLse(), 0, false);
    Value query = op.getQuery();
    Value out = rowsView(rewriter, loc, op.getInit(), 0, true);
    Value rows = memref::DimOp::create(rewriter, loc, src, 0);
    emitGrid(rewriter, loc, rows, cIndex(rewriter, loc, 1), *plan,
             options.emulate,
             [&](OpBuilder &b, Value row, Value, Value tid, Value scratch) {
               emitMergeCTA(b, loc, km, prev, lse, query, src, out, row, tid,
                            scratch, options.emulate, /*norm=*/nullptr);
             });
    rewriter.eraseOp(op);
    return success();
  }
  Options options;
};

/// `attnres.depth_attn_merge_norm` (built by attnres-fuse-norm-epilogues):
/// the merge kernel with a second CTA reduction for Σ h², writing the
/// normalized row, and h only when the op keeps it.
struct DepthAttnMergeNormToGPU : OpRewritePattern<DepthAttnMergeNormOp> {
  DepthAttnMergeNormToGPU(MLIRContext *ctx, Options options)
      : OpRewritePattern(ctx), options(options) {}
  LogicalResult matchAndRewrite(DepthAttnMergeNormOp op,
                                PatternRewriter &rewriter) const override {
    Value normedInit = op.getNormedInit(), mergedInit = op.getMergedInit();
    if (!normedInit)
      return rewriter.notifyMatchFailure(op, "needs a buffer");
    SmallVector<std::tuple<Value, unsigned, bool>> buffers = {
        {op.getOutput(), 0, true}, {op.getLse(), 0, false},
        {op.getQuery(), 0, true},  {op.getSource(), 0, true},
        {op.getGain(), 0, true},   {normedInit, 0, true}};
    if (mergedInit)
      buffers.push_back({mergedInit, 0, true});
    FailureOr<GPUKernelPlan> plan =
        matchKernelOp(rewriter, op, normedInit.getType(), options, buffers);
    if (failed(plan))
      return failure();
    if (hasEmptyBuffer(normedInit)) {
      rewriter.eraseOp(op);
      return success();
    }
    Location loc = op.getLoc();
    KernelMath km(*plan, epsOf(op.getEpsAttr()), rewriter.getF32Type());
    Value src = rowsView(rewriter, loc, op.getSource(), 0, true);
    Value prev = rowsView(rewriter, loc, op.getOutput(), 0, true);
    Value lse = rowsView(rewriter, loc, op.getLse(), 0, false);
    Value query = op.getQuery();
    Value merged =
        mergedInit ? rowsView(rewriter, loc, mergedInit, 0, true) : Value();
    FusedNorm fused;
    fused.gain = op.getGain();
    fused.out = rowsView(rewriter, loc, normedInit, 0, true);
    fused.eps = epsOf(op.getNormEpsAttr());
    Value rows = memref::DimOp::create(rewriter, loc, src, 0);
    emitGrid(rewriter, loc, rows, cIndex(rewriter, loc, 1), *plan,
             options.emulate,
             [&](OpBuilder &b, Value row, Value, Value tid, Value scratch) {
               emitMergeCTA(b, loc, km, prev, lse, query, src, merged, row, tid,
                            scratch, options.emulate, &fused);
             });
    rewriter.eraseOp(op);
    return success();
  }
  Options options;
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
      signalPassFailure();
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
