//===- AttnResGradToGPU.cpp - fused GPU kernels for the attnres gradients -===//
//
// The backward kernels of convert-attnres-to-gpu (docs/gpu.md, "Gradient
// kernels"), built from the same pieces as the forward kernels
// (GPUKernelEmitter.h, CTAEmitter.h): the chunk mapping of a row over the
// threads of a CTA (128-bit accesses where D allows), CTA reductions by warp
// shuffles and one shared word per warp, f32 arithmetic for every element type.
//
//   * one CTA per *row group*: CTA `b` of `G = min(rows, grad-row-groups)`
//     takes rows b, b + G, b + 2G, ...; the gradient of the row-independent
//     operand (dq, dγ) is accumulated in the CTA's registers over its rows
//     and written once per CTA ([G, D] f32 partials);
//   * a second, small kernel sums the partials over the groups per column
//     (8 partial rows per thread slot, then the 8 slots in order): dq/dγ
//     are deterministic (no atomics) and rounded once to their type;
//   * depth_attn_grad reads each source row twice (statistics pass, then the
//     dV/dq pass, which finds the n rows just read in L1/L2), g and q once;
//     rms_norm_grad and depth_attn_merge_grad read every row once;
//     depth_attn_stats_grad (static number of queries S) reads every row
//     from memory once and the sources again 2S times from L1/L2, and adds
//     each row's dQ into the CTA's own [S, D] partial rows.
//
// Each CTA body (the four row-group kernels and the column sum) is written
// once against `CTAEmitter` (CTAEmitter.h); with `emulate`, the same
// decomposition (row groups, threads, chunk mapping, shared words, reduction
// order, the column-sum kernel) runs as CPU loops.
//
//===----------------------------------------------------------------------===//

#include "CTAEmitter.h"
#include "GPUKernelEmitter.h"

#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "attnres/Dialect/AttnRes/Utils/ScalarMath.h"
#include "attnres/Dialect/AttnRes/Utils/Shapes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::attnres;
using namespace mlir::attnres::detail;
using namespace mlir::attnres::gpukernel;

namespace {

/// Chunks per thread the gradient kernels aim at (the forward: 4). They keep
/// three or four rows' chunks in registers (q, g, the dq accumulator and a
/// source; u, o, g, q and dq for the merge), so fewer chunks per thread keep
/// them within the 128-register budget (D=7168 bf16: 448 threads × 2 chunks
/// of 8).
constexpr int64_t kGradChunks = 2;
/// At most this many threads per CTA: 128 registers × 512 threads fill an SM's
/// register file.
constexpr unsigned kGradMaxThreads = 512;
/// Threads of the column-sum kernel: 32 column vectors × 8 group slots.
constexpr int64_t kSumSlots = 8;

FailureOr<GPUKernelPlan> planGradKernel(int64_t hidden, unsigned elementBits,
                                        unsigned maxThreads) {
  return planGPUKernel(hidden, elementBits,
                       std::min(maxThreads, kGradMaxThreads), kGradChunks);
}

/// Whether a static token dim is 0 (such ops are left to the linalg
/// lowering, as in the CPU kernels: their dq is zero, not empty).
bool hasStaticZeroRows(ShapedType type) {
  return llvm::is_contained(type.getShape().drop_back(), 0);
}

/// `matchKernelOp` for the gradient kernels (a static hidden size of
/// `rowType`, token rows, the gradient plan) and `vectors`: buffers written
/// whole by the column-sum kernel (dq, dγ: a [D] or [S, D] buffer), which
/// must collapse to one contiguous dim.
FailureOr<GPUKernelPlan> matchGradKernelOp(PatternRewriter &rewriter,
                                           Operation *op, Type rowType,
                                           unsigned maxThreads,
                                           ArrayRef<KernelBuffer> buffers,
                                           ValueRange vectors) {
  FailureOr<GPUKernelPlan> plan = matchKernelOp(
      rewriter, op, rowType, buffers, [&](int64_t hidden, unsigned bits) {
        return planGradKernel(hidden, bits, maxThreads);
      });
  if (failed(plan))
    return failure();
  if (hasStaticZeroRows(cast<ShapedType>(rowType)))
    return rewriter.notifyMatchFailure(op, "no token rows");
  for (Value vector : vectors) {
    auto type = dyn_cast<MemRefType>(vector.getType());
    MemRefType flat = type ? columnsTypeOf(type) : MemRefType();
    if (!flat || !hasKernelLayout(flat, plan->vectorWidth))
      return rewriter.notifyMatchFailure(
          op, "a gradient vector's layout is not contiguous");
  }
  return plan;
}

/// `min(rows, limit)`: the number of row groups (CTAs); a constant when the
/// rows are static (`staticRows`).
Value rowGroups(OpBuilder &b, Location loc, Value rows, int64_t staticRows,
                unsigned limit) {
  if (!ShapedType::isDynamic(staticRows))
    return cIndex(b, loc, std::min<int64_t>(staticRows, limit));
  if (std::optional<int64_t> r = getConstantIntValue(rows))
    return cIndex(b, loc, std::min<int64_t>(*r, limit));
  return arith::MinUIOp::create(b, loc, rows, cIndex(b, loc, limit));
}

/// Σ_k hsum(xs[k] · ys[k]) (a thread's partial dot product).
Value dotPartial(OpBuilder &b, Location loc, const KernelMath &km,
                 ArrayRef<Value> xs, ArrayRef<Value> ys) {
  return km.statistics(b, loc, ys, {xs}, /*withSumSq=*/false, {Value()})[0];
}

/// Writes the accumulator chunks `acc` of each thread to row `cta.x()` of
/// the [G, D] f32 partials.
void storePartial(OpBuilder &b, Location loc, CTAEmitter &cta,
                  const ThreadValues &acc, Value partial) {
  const KernelMath &km = cta.math();
  cta.forEachThread(b, [&](OpBuilder &nb, Value t) {
    for (int64_t k = 0; k < km.plan.chunks; ++k)
      km.store(nb, loc, cta.get(nb, acc, t, k), partial, ValueRange{cta.x()}, t,
               k);
  });
}

/// The column-sum kernel: `out[c] = Σ_g partial[g, c]` (f32 sums, rounded
/// once to `out`'s element type). CTAs of 256 threads: thread (slot, lane)
/// sums vector `32·cta + lane` (W floats) over the groups `g ≡ slot (mod 8)`,
/// then slot 0 adds the 8 slots in order (through shared memory).
void emitColumnSum(OpBuilder &b, Location loc, Value partial, Value out,
                   int64_t width, bool emulate) {
  auto partialType = cast<MemRefType>(partial.getType());
  auto outType = cast<MemRefType>(out.getType());
  int64_t cols = partialType.getDimSize(1);
  int64_t vectors = cols / width;
  VectorType vecType = VectorType::get({width}, b.getF32Type());
  auto align = [&](MemRefType type) {
    int64_t bytes = std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
    return llvm::MaybeAlign(std::min<int64_t>(16, width * bytes));
  };
  Value groups = memref::DimOp::create(b, loc, partial, 0);
  Value zeroVec = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(vecType, b.getF32FloatAttr(0.0)));
  // Σ over the groups g = slot, slot + 8, ... of column vector `v`.
  auto slotSum = [&](OpBuilder &nb, Value slot, Value v) -> Value {
    Value col = arith::MulIOp::create(nb, loc, v, cIndex(nb, loc, width));
    return scf::ForOp::create(
               nb, loc, slot, groups, cIndex(nb, loc, kSumSlots),
               ValueRange{zeroVec},
               [&](OpBuilder &ib, Location il, Value g, ValueRange acc) {
                 Value x = vector::LoadOp::create(
                     ib, il, vecType, partial, ValueRange{g, col},
                     /*nontemporal=*/false, align(partialType));
                 scf::YieldOp::create(
                     ib, il,
                     ValueRange{arith::AddFOp::create(ib, il, acc[0], x)});
               })
        .getResult(0);
  };
  auto storeOut = [&](OpBuilder &nb, Value total, Value v) {
    Value col = arith::MulIOp::create(nb, loc, v, cIndex(nb, loc, width));
    vector::StoreOp::create(
        nb, loc, truncateFromF32(nb, loc, total, outType.getElementType()), out,
        ValueRange{col}, /*nontemporal=*/false, align(outType));
  };
  LaunchShape shape;
  shape.threads = 32 * kSumSlots;
  shape.reduceValues = 1;
  shape.extraFloats = 32 * kSumSlots * width;
  // The kernel's plan: one W-wide column vector per thread.
  GPUKernelPlan plan;
  plan.hidden = cols;
  plan.vectorWidth = width;
  plan.threads = shape.threads;
  plan.chunks = 1;
  KernelMath km(plan, /*eps=*/0.0, b.getF32Type());
  Value ctas = cIndex(b, loc, llvm::divideCeil(vectors, 32));
  emitGrid(
      b, loc, ctas, cIndex(b, loc, 1), shape, km, emulate,
      [&](OpBuilder &cb, CTAEmitter &cta) {
        // (lane, slot, column vector, valid) of each thread.
        ThreadValues ids = cta.scalars(cb, cb.getIndexType(), 3);
        ThreadValues valids = cta.scalars(cb, cb.getI1Type(), 1);
        cta.forEachThread(cb, [&](OpBuilder &nb, Value tid) {
          Value lane =
              arith::RemUIOp::create(nb, loc, tid, cIndex(nb, loc, 32));
          Value slot =
              arith::DivUIOp::create(nb, loc, tid, cIndex(nb, loc, 32));
          Value v = arith::AddIOp::create(
              nb, loc,
              arith::MulIOp::create(nb, loc, cta.x(), cIndex(nb, loc, 32)),
              lane);
          Value valid = arith::CmpIOp::create(
              nb, loc, arith::CmpIPredicate::ult, v, cIndex(nb, loc, vectors));
          auto sum = scf::IfOp::create(
              nb, loc, valid,
              [&](OpBuilder &ib, Location il) {
                scf::YieldOp::create(ib, il, slotSum(ib, slot, v));
              },
              [&](OpBuilder &ib, Location il) {
                scf::YieldOp::create(ib, il, zeroVec);
              });
          Value at =
              arith::MulIOp::create(nb, loc, tid, cIndex(nb, loc, width));
          vector::StoreOp::create(nb, loc, sum.getResult(0), cta.extra(),
                                  ValueRange{at});
          cta.set(nb, ids, tid, 0, lane);
          cta.set(nb, ids, tid, 1, slot);
          cta.set(nb, ids, tid, 2, v);
          cta.set(nb, valids, tid, 0, valid);
        });
        cta.barrier(cb);
        cta.forEachThread(cb, [&](OpBuilder &nb, Value tid) {
          Value lane = cta.get(nb, ids, tid, 0);
          Value slot = cta.get(nb, ids, tid, 1);
          Value v = cta.get(nb, ids, tid, 2);
          Value first = arith::AndIOp::create(
              nb, loc, cta.get(nb, valids, tid, 0),
              arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::eq, slot,
                                    cIndex(nb, loc, 0)));
          scf::IfOp::create(nb, loc, first, [&](OpBuilder &ib, Location il) {
            Value total;
            for (int64_t s = 0; s < kSumSlots; ++s) {
              Value idx = arith::MulIOp::create(
                  ib, il,
                  arith::AddIOp::create(ib, il, lane, cIndex(ib, il, 32 * s)),
                  cIndex(ib, il, width));
              Value part = vector::LoadOp::create(ib, il, vecType, cta.extra(),
                                                  ValueRange{idx});
              total =
                  total ? arith::AddFOp::create(ib, il, total, part).getResult()
                        : part;
            }
            storeOut(ib, total, v);
            scf::YieldOp::create(ib, il);
          });
        });
      });
}

/// The row groups (CTAs) of a gradient kernel, their partials buffer
/// [G, D] f32 ([G, S, D] with `lead` = S) and, after the row kernel, the
/// column sum of the partials into the destination.
struct GroupPartials {
  Value groups, buffer;
  int64_t width;
  /// Partial rows per group: 1 ([G, D]) or S queries ([G, S, D]).
  int64_t lead;
  bool emulate;

  GroupPartials(OpBuilder &b, Location loc, Value rows, int64_t staticRows,
                int64_t hidden, int64_t width, const Options &options,
                int64_t lead = 0)
      : width(width), lead(lead), emulate(options.emulate) {
    groups = rowGroups(b, loc, rows, staticRows, options.gradRowGroups);
    std::optional<int64_t> g = getConstantIntValue(groups);
    SmallVector<int64_t> shape = {g ? *g : ShapedType::kDynamic};
    if (lead > 0)
      shape.push_back(lead);
    shape.push_back(hidden);
    // A workspace of the lowering, freed after the column sum (`sum`): the
    // kernels are built after buffer deallocation. The emulation (a CPU
    // check that runs before attnres-to-llvm's deallocation) leaves it to
    // that deallocation (on the stack, a buffer captured by the OpenMP
    // regions of the emulated grid crashes at run time).
    buffer =
        memref::AllocOp::create(b, loc, MemRefType::get(shape, b.getF32Type()),
                                g ? ValueRange{} : ValueRange{groups});
  }

  /// Sums the partial rows per column into `dest` ([D] or [S, D]).
  void sum(OpBuilder &b, Location loc, Value dest) const {
    Value flat = buffer;
    if (lead > 0)
      flat = memref::CollapseShapeOp::create(
          b, loc, buffer, ArrayRef<ReassociationIndices>{{0}, {1, 2}});
    emitColumnSum(b, loc, flat, columnsView(b, loc, dest), width, emulate);
    if (!emulate)
      memref::DeallocOp::create(b, loc, buffer);
  }

  /// The grid of the row-group kernel: one CTA per group.
  void launch(OpBuilder &b, Location loc, const LaunchShape &shape,
              const KernelMath &km,
              function_ref<void(OpBuilder &, CTAEmitter &)> cta) const {
    emitGrid(b, loc, groups, cIndex(b, loc, 1), shape, km, emulate, cta);
  }

  /// The CTA body of a kernel whose dq/dγ chunks `acc` stay in registers:
  /// `acc` set to zero, `body(b, row, acc)` for each of the CTA's rows
  /// (`cta.x()`, `cta.x() + G`, ...), then `acc` written to the CTA's
  /// partial row.
  void accumulateRows(
      OpBuilder &b, Location loc, CTAEmitter &cta, Value rows,
      function_ref<void(OpBuilder &, Value, ThreadValues &)> body) const {
    ThreadValues acc = cta.zeroVectors(b);
    cta.loop(b, cta.x(), rows, groups, {}, {&acc},
             [&](OpBuilder &rb, Value row, ValueRange) -> SmallVector<Value> {
               body(rb, row, acc);
               return {};
             });
    storePartial(b, loc, cta, acc, buffer);
  }

  /// The end of a gradient pattern: the partials summed into `dest`, `op`
  /// (whose kernel is built) erased.
  LogicalResult finish(PatternRewriter &rewriter, Operation *op,
                       Value dest) const {
    sum(rewriter, op->getLoc(), dest);
    rewriter.eraseOp(op);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// depth_attn_grad
//===----------------------------------------------------------------------===//

/// Softmax moments of a row from its logits `s_j` and `a_j = g·V_j`: the max,
/// `1/Σ_j e_j` (`e_j = exp(s_j − max)`, flushed like the forward's weights)
/// and `ā = Σ_j α_j a_j`.
struct Moments {
  Value max, inv, abar;
};

Moments softmaxMoments(OpBuilder &b, Location loc, ArrayRef<Value> s,
                       ArrayRef<Value> a) {
  Moments m;
  m.max = s.front();
  for (Value x : s.drop_front())
    m.max = arith::MaximumFOp::create(b, loc, m.max, x);
  SmallVector<Value> es;
  Value sum;
  for (Value x : s) {
    es.push_back(flushedExp(b, loc, arith::SubFOp::create(b, loc, x, m.max)));
    sum = sum ? arith::AddFOp::create(b, loc, sum, es.back()).getResult()
              : es.back();
  }
  m.inv = arith::DivFOp::create(b, loc, f32Constant(b, loc, 1.0), sum);
  for (auto [e, x] : llvm::zip_equal(es, a)) {
    Value t = arith::MulFOp::create(b, loc,
                                    arith::MulFOp::create(b, loc, e, m.inv), x);
    m.abar = m.abar ? arith::AddFOp::create(b, loc, m.abar, t).getResult() : t;
  }
  return m;
}

/// The coefficients of `dV_j = α_j g + c_j q + e_j V_j` and of
/// `dq += c_j V_j`: `α_j`, `c_j = ds_j ρ_j`, `e_j = −c_j s_j ρ_j / D`.
struct SiteGradCoefs {
  Value alpha, c, e;
};

SiteGradCoefs siteGradCoefs(OpBuilder &b, Location loc, const Moments &m,
                            Value s, Value rho, Value a, int64_t hidden) {
  SiteGradCoefs r;
  r.alpha = arith::MulFOp::create(
      b, loc, flushedExp(b, loc, arith::SubFOp::create(b, loc, s, m.max)),
      m.inv);
  Value ds = arith::MulFOp::create(b, loc, r.alpha,
                                   arith::SubFOp::create(b, loc, a, m.abar));
  r.c = arith::MulFOp::create(b, loc, ds, rho);
  r.e = arith::NegFOp::create(
      b, loc,
      arith::MulFOp::create(
          b, loc,
          arith::MulFOp::create(b, loc, r.c,
                                arith::MulFOp::create(b, loc, s, rho)),
          f32Constant(b, loc, 1.0 / hidden)));
  return r;
}

/// `acc + α g + c q` per chunk (`α g + c q` when `acc` is null).
Value gqChunk(OpBuilder &b, Location loc, const KernelMath &km,
              const SiteGradCoefs &k, Value g, Value q, Value acc = Value()) {
  Value d = km.weightedSum(b, loc, km.splat(b, loc, k.alpha), g, acc);
  return km.weightedSum(b, loc, km.splat(b, loc, k.c), q, d);
}

/// `α g + c q + e x` per chunk.
Value dvChunk(OpBuilder &b, Location loc, const KernelMath &km,
              const SiteGradCoefs &k, Value g, Value q, Value x) {
  Value d = gqChunk(b, loc, km, k, g, q);
  return km.weightedSum(b, loc, km.splat(b, loc, k.e), x, d);
}

/// depth_attn_grad, one CTA per row group. Per row: pass 1 streams the
/// sources (`forEachSource`) reducing Σ V_j², q·V_j and g·V_j over the CTA,
/// thread 0 keeps (s_j, ρ_j, a_j) in shared memory; every thread derives
/// the softmax moments from them; pass 2 streams the sources again, writes
/// dV_j and adds c_j V_j into the dq chunks in registers.
struct DepthAttnGradToGPU : KernelPattern<DepthAttnGradOp> {
  using KernelPattern::KernelPattern;

  LogicalResult matchAndRewrite(DepthAttnGradOp op,
                                PatternRewriter &rewriter) const override {
    int64_t n = op.getSources().size();
    if (n == 0 || op.getInits().size() != size_t(n + 1))
      return rewriter.notifyMatchFailure(op, "needs sources and buffers");
    Value dqInit = op.getInits()[0];
    SmallVector<KernelBuffer> buffers = {{op.getQuery()}, {op.getGrad()}};
    appendBuffers(buffers, op.getSources());
    appendBuffers(buffers, op.getInits().drop_front());
    FailureOr<GPUKernelPlan> plan =
        matchGradKernelOp(rewriter, op, op.getGrad().getType(),
                          options.maxThreads, buffers, dqInit);
    if (failed(plan))
      return failure();
    Location loc = op.getLoc();
    int64_t D = plan->hidden;
    // Where D does not split into 2 chunks per thread within 512 threads
    // (D = 7168 f32: 448 threads x 4 chunks), the dq chunks live in shared
    // memory (each thread only touches its own words: no barrier) instead
    // of registers, which would spill. Shared words: [dq (D) if so | the
    // per-source statistics (3n)].
    LaunchShape shape;
    shape.threads = plan->threads;
    shape.reduceValues = 3;
    shape.extraFloats = D + 3 * n;
    bool sharedAcc = plan->chunks > kGradChunks && shape.fitsSharedMemory();
    int64_t statBase = sharedAcc ? D : 0;
    shape.extraFloats = statBase + 3 * n;
    if (!shape.fitsSharedMemory())
      return rewriter.notifyMatchFailure(
          op, "per-source statistics exceed 48 KiB of shared memory");
    KernelMath km(*plan, epsOf(op.getEpsAttr()), rewriter.getF32Type());
    KernelIO io = sourceBuffers(rewriter, loc, op.getSources());
    Value grad = rowsView(rewriter, loc, op.getGrad(), 0, true);
    Value query = op.getQuery();
    // The kernel writes the destinations (dV_j) directly.
    SmallVector<Value> dvs;
    for (Value init : op.getInits().drop_front())
      dvs.push_back(rowsView(rewriter, loc, init, 0, true));
    GroupPartials partials(rewriter, loc, io.rows, io.staticRows, D,
                           plan->vectorWidth, options);

    partials.launch(
        rewriter, loc, shape, km, [&](OpBuilder &b, CTAEmitter &cta) {
          Value extra = cta.extra();
          // The dq chunks: registers, or the thread's own shared words.
          ThreadValues acc = cta.vectors(b, plan->chunks);
          cta.forEachThread(b, [&](OpBuilder &nb, Value t) {
            for (int64_t k = 0; k < plan->chunks; ++k) {
              if (sharedAcc)
                km.store(nb, loc, km.zero(nb, loc), extra, {}, t, k);
              else
                cta.set(nb, acc, t, k, km.zero(nb, loc));
            }
          });
          auto stat = [&](OpBuilder &nb, Value j, int64_t field) {
            Value idx = arith::AddIOp::create(
                nb, loc, arith::MulIOp::create(nb, loc, j, cIndex(nb, loc, 3)),
                cIndex(nb, loc, statBase + field));
            return memref::LoadOp::create(nb, loc, extra, idx).getResult();
          };
          SmallVector<ThreadValues *> carried;
          if (!sharedAcc)
            carried.push_back(&acc);
          ThreadValues qs = cta.vectors(b, plan->chunks);
          ThreadValues gs = cta.vectors(b, plan->chunks);
          cta.loop(
              b, cta.x(), io.rows, partials.groups, {}, carried,
              [&](OpBuilder &rb, Value row, ValueRange) -> SmallVector<Value> {
                // q per row (L1 after the first): held during pass 1 only.
                cta.forEachThread(rb, [&](OpBuilder &nb, Value t) {
                  for (int64_t k = 0; k < plan->chunks; ++k) {
                    cta.set(nb, qs, t, k, km.load(nb, loc, query, {}, t, k));
                    cta.set(nb, gs, t, k,
                            km.load(nb, loc, grad, ValueRange{row}, t, k));
                  }
                });
                // Pass 1: the statistics of every source.
                cta.sourceLoop(
                    rb, n, {}, {},
                    [&](OpBuilder &nb, Value j,
                        ValueRange) -> SmallVector<Value> {
                      SmallVector<Value> tot =
                          cta.reduce(nb, [&](OpBuilder &ib, Value t) {
                            SmallVector<Value> xs =
                                loadSource(ib, loc, km, io.sources, j, row, t);
                            SmallVector<Value> q, g;
                            for (int64_t k = 0; k < plan->chunks; ++k) {
                              q.push_back(cta.get(ib, qs, t, k));
                              g.push_back(cta.get(ib, gs, t, k));
                            }
                            auto [ss, dot] = km.partials(ib, loc, xs, q);
                            Value gd = dotPartial(ib, loc, km, g, xs);
                            return SmallVector<Value>{ss, dot, gd};
                          });
                      Value rho = km.rmsScale(nb, loc, tot[0]);
                      Value s = arith::MulFOp::create(nb, loc, rho, tot[1]);
                      cta.once(nb, [&](OpBuilder &ib) {
                        Value base = arith::AddIOp::create(
                            ib, loc,
                            arith::MulIOp::create(ib, loc, j,
                                                  cIndex(ib, loc, 3)),
                            cIndex(ib, loc, statBase));
                        SmallVector<Value> stats = {s, rho, tot[2]};
                        for (auto [f, v] : llvm::enumerate(stats))
                          memref::StoreOp::create(
                              ib, loc, v, extra,
                              ValueRange{arith::AddIOp::create(
                                  ib, loc, base, cIndex(ib, loc, f))});
                      });
                      return {};
                    });
                cta.barrier(rb);
                SmallVector<Value> s, a;
                for (int64_t j = 0; j < n; ++j) {
                  s.push_back(stat(rb, cIndex(rb, loc, j), 0));
                  a.push_back(stat(rb, cIndex(rb, loc, j), 2));
                }
                Moments m = softmaxMoments(rb, loc, s, a);
                // Pass 2 (per thread): dV_j and the dq chunks.
                cta.forEachThread(rb, [&](OpBuilder &tb, Value t) {
                  SmallVector<Value> inits;
                  if (!sharedAcc)
                    for (int64_t k = 0; k < plan->chunks; ++k)
                      inits.push_back(cta.get(tb, acc, t, k));
                  scf::ForOp pass2 = forEachSource(
                      tb, loc, km, io.sources, row, t, inits,
                      [&](OpBuilder &nb, Value j, ArrayRef<Value> xs,
                          ValueRange cur) -> SmallVector<Value> {
                        SiteGradCoefs c =
                            siteGradCoefs(nb, loc, m, stat(nb, j, 0),
                                          stat(nb, j, 1), stat(nb, j, 2), D);
                        // q and g again (from L1: read by this thread in
                        // pass 1): only the dq chunks and the source stay
                        // in registers across the loop.
                        SmallVector<Value> ds, next;
                        for (int64_t k = 0; k < plan->chunks; ++k) {
                          Value q = km.load(nb, loc, query, {}, t, k);
                          Value g =
                              km.load(nb, loc, grad, ValueRange{row}, t, k);
                          ds.push_back(dvChunk(nb, loc, km, c, g, q, xs[k]));
                          Value dq = sharedAcc
                                         ? km.load(nb, loc, extra, {}, t, k)
                                         : cur[k];
                          dq = km.weightedSum(nb, loc, km.splat(nb, loc, c.c),
                                              xs[k], dq);
                          if (sharedAcc)
                            km.store(nb, loc, dq, extra, {}, t, k);
                          else
                            next.push_back(dq);
                        }
                        switchOnIndex(
                            nb, loc, j, n, [&](OpBuilder &sb, int64_t i) {
                              for (int64_t k = 0; k < plan->chunks; ++k)
                                km.store(sb, loc, ds[k], dvs[i],
                                         ValueRange{row}, t, k);
                            });
                        return next;
                      });
                  if (!sharedAcc)
                    for (int64_t k = 0; k < plan->chunks; ++k)
                      cta.set(tb, acc, t, k, pass2.getResult(k));
                });
                // The next row's pass 1 rewrites the statistics.
                cta.barrier(rb);
                return {};
              });
          if (sharedAcc) {
            cta.forEachThread(b, [&](OpBuilder &nb, Value t) {
              SmallVector<Value> dq;
              for (int64_t k = 0; k < plan->chunks; ++k)
                dq.push_back(km.load(nb, loc, extra, {}, t, k));
              for (auto [k, v] : llvm::enumerate(dq))
                km.store(nb, loc, v, partials.buffer, ValueRange{cta.x()}, t,
                         k);
            });
            return;
          }
          storePartial(b, loc, cta, acc, partials.buffer);
        });

    return partials.finish(rewriter, op, dqInit);
  }
};

//===----------------------------------------------------------------------===//
// rms_norm_grad
//===----------------------------------------------------------------------===//

/// rms_norm_grad, one CTA per row group: per row one CTA reduction of
/// (Σ x², Σ γ g x), `dx = ρ γ g − (ρ³/D)(Σ γ g x) x`, and `ρ x g` into the
/// dγ chunks in registers. x and g are read once.
struct RMSNormGradToGPU : KernelPattern<RMSNormGradOp> {
  using KernelPattern::KernelPattern;

  LogicalResult matchAndRewrite(RMSNormGradOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getInits().size() != 2)
      return rewriter.notifyMatchFailure(op, "needs buffers");
    Value dxInit = op.getInits()[0], dgainInit = op.getInits()[1];
    FailureOr<GPUKernelPlan> plan = matchGradKernelOp(
        rewriter, op, op.getInput().getType(), options.maxThreads,
        {{op.getInput()}, {op.getGrad()}, {op.getGain()}, {dxInit}}, dgainInit);
    if (failed(plan))
      return failure();
    Location loc = op.getLoc();
    int64_t D = plan->hidden;
    KernelMath km(*plan, epsOf(op.getEpsAttr()), rewriter.getF32Type());
    Value x = rowsView(rewriter, loc, op.getInput(), 0, true);
    Value grad = rowsView(rewriter, loc, op.getGrad(), 0, true);
    Value gain = op.getGain();
    Value rows = memref::DimOp::create(rewriter, loc, x, 0);
    Value dx = rowsView(rewriter, loc, dxInit, 0, true);
    GroupPartials partials(rewriter, loc, rows,
                           cast<MemRefType>(x.getType()).getDimSize(0), D,
                           plan->vectorWidth, options);
    // dx chunk and dγ term from ρ and k = (ρ³/D)·Σ γ g x.
    auto outputs = [&](OpBuilder &nb, Value rho, Value kk, Value xv, Value gv,
                       Value gamma) {
      Value rhoV = km.splat(nb, loc, rho);
      Value d = arith::MulFOp::create(
          nb, loc, arith::MulFOp::create(nb, loc, rhoV, gamma), gv);
      d = arith::SubFOp::create(
          nb, loc, d,
          arith::MulFOp::create(nb, loc, km.splat(nb, loc, kk), xv));
      Value term = arith::MulFOp::create(
          nb, loc, arith::MulFOp::create(nb, loc, rhoV, xv), gv);
      return std::make_pair(d, term);
    };
    auto scaleOf = [&](OpBuilder &nb, Value rho, Value p) {
      Value rho3 = arith::MulFOp::create(
          nb, loc, arith::MulFOp::create(nb, loc, rho, rho), rho);
      return arith::MulFOp::create(nb, loc,
                                   arith::MulFOp::create(nb, loc, rho3, p),
                                   f32Constant(nb, loc, 1.0 / D));
    };
    auto gxPartial = [&](OpBuilder &nb, ArrayRef<Value> gammas,
                         ArrayRef<Value> xs, ArrayRef<Value> gs) {
      SmallVector<Value> gx;
      for (auto [gm, gv] : llvm::zip_equal(gammas, gs))
        gx.push_back(arith::MulFOp::create(nb, loc, gm, gv));
      return dotPartial(nb, loc, km, gx, xs);
    };

    LaunchShape shape;
    shape.threads = plan->threads;
    partials.launch(
        rewriter, loc, shape, km, [&](OpBuilder &b, CTAEmitter &cta) {
          ThreadValues xs = cta.vectors(b, plan->chunks);
          ThreadValues gs = cta.vectors(b, plan->chunks);
          partials.accumulateRows(
              b, loc, cta, rows,
              [&](OpBuilder &rb, Value row, ThreadValues &acc) {
                SmallVector<Value> tot = cta.reduce(rb, [&](OpBuilder &nb,
                                                            Value t) {
                  SmallVector<Value> gammas, xv, gv;
                  for (int64_t k = 0; k < plan->chunks; ++k) {
                    gammas.push_back(km.load(nb, loc, gain, {}, t, k));
                    xv.push_back(km.load(nb, loc, x, ValueRange{row}, t, k));
                    gv.push_back(km.load(nb, loc, grad, ValueRange{row}, t, k));
                    cta.set(nb, xs, t, k, xv.back());
                    cta.set(nb, gs, t, k, gv.back());
                  }
                  Value ss = km.partials(nb, loc, xv, {}).first;
                  Value p = gxPartial(nb, gammas, xv, gv);
                  return SmallVector<Value>{ss, p};
                });
                Value rho = km.rmsScale(rb, loc, tot[0]);
                Value kk = scaleOf(rb, rho, tot[1]);
                cta.forEachThread(rb, [&](OpBuilder &nb, Value t) {
                  for (int64_t k = 0; k < plan->chunks; ++k) {
                    // γ again (L1) rather than held across the reduction.
                    Value gamma = km.load(nb, loc, gain, {}, t, k);
                    auto [d, term] = outputs(nb, rho, kk, cta.get(nb, xs, t, k),
                                             cta.get(nb, gs, t, k), gamma);
                    km.store(nb, loc, d, dx, ValueRange{row}, t, k);
                    cta.add(nb, acc, t, k, term);
                  }
                });
              });
        });

    return partials.finish(rewriter, op, dgainInit);
  }
};

//===----------------------------------------------------------------------===//
// depth_attn_merge_grad
//===----------------------------------------------------------------------===//

/// depth_attn_merge_grad, one CTA per row group: per row one CTA reduction
/// of (Σ u², q·u, g·(u − o)), then `do = (1 − β) g`, `du = β g + c q + e u`,
/// `dlse = −ds` (thread 0) and `c u` into the dq chunks in registers. u, o
/// and g are read once.
struct DepthAttnMergeGradToGPU : KernelPattern<DepthAttnMergeGradOp> {
  using KernelPattern::KernelPattern;

  LogicalResult matchAndRewrite(DepthAttnMergeGradOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getInits().size() != 4)
      return rewriter.notifyMatchFailure(op, "needs buffers");
    // Destinations: do, dlse, dq, du.
    ValueRange inits = op.getInits();
    FailureOr<GPUKernelPlan> plan = matchGradKernelOp(
        rewriter, op, op.getSource().getType(), options.maxThreads,
        {{op.getOutput()},
         {op.getSource()},
         {op.getGrad()},
         {op.getLse(), 0, false},
         {op.getQuery()},
         {inits[0]},
         {inits[1], 0, false},
         {inits[3]}},
        inits[2]);
    if (failed(plan))
      return failure();
    Location loc = op.getLoc();
    int64_t D = plan->hidden;
    KernelMath km(*plan, epsOf(op.getEpsAttr()), rewriter.getF32Type());
    auto rowsOf = [&](Value v, bool hasHidden) {
      return rowsView(rewriter, loc, v, 0, hasHidden);
    };
    Value o = rowsOf(op.getOutput(), true);
    Value u = rowsOf(op.getSource(), true);
    Value grad = rowsOf(op.getGrad(), true);
    Value lse = rowsOf(op.getLse(), false);
    Value query = op.getQuery();
    Value rows = memref::DimOp::create(rewriter, loc, u, 0);
    int64_t staticRows = cast<MemRefType>(u.getType()).getDimSize(0);
    Value dOut = rowsOf(inits[0], true);
    Value dLse = rowsOf(inits[1], false);
    Value dU = rowsOf(inits[3], true);
    GroupPartials partials(rewriter, loc, rows, staticRows, D,
                           plan->vectorWidth, options);

    struct RowScalars {
      Value beta, c, e, ds;
    };
    auto scalars = [&](OpBuilder &nb, Value row, Value ss, Value dot,
                       Value gd) {
      RowScalars r;
      Value rho = km.rmsScale(nb, loc, ss);
      Value s = arith::MulFOp::create(nb, loc, rho, dot);
      Value rowLse = memref::LoadOp::create(nb, loc, lse, ValueRange{row});
      r.beta = mergeWeight(nb, loc, s, rowLse);
      Value one = f32Constant(nb, loc, 1.0);
      r.ds = arith::MulFOp::create(
          nb, loc,
          arith::MulFOp::create(nb, loc, r.beta,
                                arith::SubFOp::create(nb, loc, one, r.beta)),
          gd);
      r.c = arith::MulFOp::create(nb, loc, r.ds, rho);
      r.e = arith::NegFOp::create(
          nb, loc,
          arith::MulFOp::create(
              nb, loc,
              arith::MulFOp::create(nb, loc, r.c,
                                    arith::MulFOp::create(nb, loc, s, rho)),
              f32Constant(nb, loc, 1.0 / D)));
      return r;
    };
    auto reducible = [&](OpBuilder &nb, ArrayRef<Value> us, ArrayRef<Value> os,
                         ArrayRef<Value> qs, ArrayRef<Value> gs) {
      auto [ss, dot] = km.partials(nb, loc, us, qs);
      SmallVector<Value> diff;
      for (auto [uv, ov] : llvm::zip_equal(us, os))
        diff.push_back(arith::SubFOp::create(nb, loc, uv, ov));
      return SmallVector<Value>{ss, dot, dotPartial(nb, loc, km, gs, diff)};
    };
    // Writes do and du of chunk k; returns the dq term c·u.
    auto outputs = [&](OpBuilder &nb, const RowScalars &r, Value row, Value t,
                       int64_t k, Value uv, Value qv, Value gv) {
      Value one = f32Constant(nb, loc, 1.0);
      Value keep = arith::SubFOp::create(nb, loc, one, r.beta);
      km.store(nb, loc,
               arith::MulFOp::create(nb, loc, km.splat(nb, loc, keep), gv),
               dOut, ValueRange{row}, t, k);
      SiteGradCoefs coefs{r.beta, r.c, r.e};
      km.store(nb, loc, dvChunk(nb, loc, km, coefs, gv, qv, uv), dU,
               ValueRange{row}, t, k);
      return km.weightedSum(nb, loc, km.splat(nb, loc, r.c), uv);
    };
    auto storeDLse = [&](OpBuilder &nb, const RowScalars &r, Value row) {
      memref::StoreOp::create(nb, loc, arith::NegFOp::create(nb, loc, r.ds),
                              dLse, ValueRange{row});
    };

    LaunchShape shape;
    shape.threads = plan->threads;
    shape.reduceValues = 3;
    partials.launch(
        rewriter, loc, shape, km, [&](OpBuilder &b, CTAEmitter &cta) {
          ThreadValues us = cta.vectors(b, plan->chunks);
          ThreadValues gs = cta.vectors(b, plan->chunks);
          partials.accumulateRows(
              b, loc, cta, rows,
              [&](OpBuilder &rb, Value row, ThreadValues &acc) {
                SmallVector<Value> tot = cta.reduce(rb, [&](OpBuilder &nb,
                                                            Value t) {
                  SmallVector<Value> uv, ov, qv, gv;
                  for (int64_t k = 0; k < plan->chunks; ++k) {
                    qv.push_back(km.load(nb, loc, query, {}, t, k));
                    uv.push_back(km.load(nb, loc, u, ValueRange{row}, t, k));
                    ov.push_back(km.load(nb, loc, o, ValueRange{row}, t, k));
                    gv.push_back(km.load(nb, loc, grad, ValueRange{row}, t, k));
                    cta.set(nb, us, t, k, uv.back());
                    cta.set(nb, gs, t, k, gv.back());
                  }
                  return reducible(nb, uv, ov, qv, gv);
                });
                RowScalars r = scalars(rb, row, tot[0], tot[1], tot[2]);
                cta.forEachThread(rb, [&](OpBuilder &nb, Value t) {
                  for (int64_t k = 0; k < plan->chunks; ++k) {
                    // q again (L1) rather than held across the reduction.
                    Value qv = km.load(nb, loc, query, {}, t, k);
                    Value term =
                        outputs(nb, r, row, t, k, cta.get(nb, us, t, k), qv,
                                cta.get(nb, gs, t, k));
                    cta.add(nb, acc, t, k, term);
                  }
                });
                cta.once(rb, [&](OpBuilder &ib) { storeDLse(ib, r, row); });
              });
        });

    return partials.finish(rewriter, op, inits[2]);
  }
};

//===----------------------------------------------------------------------===//
// depth_attn_stats_grad
//===----------------------------------------------------------------------===//

/// The weight recomputed from the saved LSE: `α = exp(min(s − lse, 0))`
/// (clamped to 1, flushed like the forward's weights).
Value statsWeight(OpBuilder &b, Location loc, Value s, Value lse) {
  return flushedExp(
      b, loc,
      arith::MinimumFOp::create(b, loc, arith::SubFOp::create(b, loc, s, lse),
                                f32Constant(b, loc, 0.0)));
}

/// `α` (`statsWeight`), `ds = α (a − ā + dlse)`, `c = ds ρ`,
/// `e = −c s ρ / D`.
SiteGradCoefs statsGradCoefs(OpBuilder &b, Location loc, Value s, Value rho,
                             Value a, Value abar, Value lse, Value dlse,
                             int64_t hidden) {
  SiteGradCoefs r;
  r.alpha = statsWeight(b, loc, s, lse);
  Value ds = arith::MulFOp::create(
      b, loc, r.alpha,
      arith::AddFOp::create(b, loc, arith::SubFOp::create(b, loc, a, abar),
                            dlse));
  r.c = arith::MulFOp::create(b, loc, ds, rho);
  r.e = arith::NegFOp::create(
      b, loc,
      arith::MulFOp::create(
          b, loc,
          arith::MulFOp::create(b, loc, r.c,
                                arith::MulFOp::create(b, loc, s, rho)),
          f32Constant(b, loc, 1.0 / hidden)));
  return r;
}

/// depth_attn_stats_grad with a static number of queries S, one CTA per row
/// group. Per row: pass 1, per query (loop) and source (`forEachSource`), a
/// CTA reduction of (Σ V_j², Q[q]·V_j, dO[q]·V_j), thread 0 keeping
/// (s_qj, a_qj) and ρ_j in shared memory, then ā_q; pass 2 writes
/// `dV_j = Σ_q (α_qj dO[q] + c_qj Q[q]) + (Σ_q e_qj) V_j`; pass 3, per query,
/// sums `c_qj V_j` over the sources in registers and adds it to the CTA's
/// partial dQ[q] row (f32, in global memory, touched by this CTA only).
/// V_j is read from memory once per row, then from L1/L2 (2S times more);
/// dO[q] and Q[q] per (query, source) from L1/L2 after the first read.
struct DepthAttnStatsGradToGPU : KernelPattern<DepthAttnStatsGradOp> {
  using KernelPattern::KernelPattern;

  LogicalResult matchAndRewrite(DepthAttnStatsGradOp op,
                                PatternRewriter &rewriter) const override {
    int64_t n = op.getSources().size();
    if (n == 0 || op.getInits().size() != size_t(n + 1))
      return rewriter.notifyMatchFailure(op, "needs sources and buffers");
    auto qType = dyn_cast<MemRefType>(op.getQueries().getType());
    if (!qType || qType.isDynamicDim(0) || qType.getDimSize(0) == 0)
      return rewriter.notifyMatchFailure(
          op, "needs a static, non-zero number of queries");
    Value dQInit = op.getInits()[0];
    SmallVector<KernelBuffer> buffers = {{op.getQueries()},
                                         {op.getOutputGrad(), 1},
                                         {op.getLse(), 1, false},
                                         {op.getLseGrad(), 1, false}};
    appendBuffers(buffers, op.getSources());
    appendBuffers(buffers, op.getInits().drop_front());
    FailureOr<GPUKernelPlan> plan =
        matchGradKernelOp(rewriter, op, op.getSources().front().getType(),
                          options.maxThreads, buffers, dQInit);
    if (failed(plan))
      return failure();
    Location loc = op.getLoc();
    int64_t S = qType.getDimSize(0);
    int64_t D = plan->hidden;
    // Shared words: (s_qj, a_qj) at 2(q·n + j), ρ_j at 2Sn + j, ā_q at
    // 2Sn + n + q.
    int64_t rhoBase = 2 * S * n, abarBase = rhoBase + n;
    LaunchShape shape;
    shape.threads = plan->threads;
    shape.reduceValues = 3;
    shape.extraFloats = abarBase + S;
    if (!shape.fitsSharedMemory())
      return rewriter.notifyMatchFailure(
          op, "per-(query, source) statistics exceed 48 KiB of shared memory");
    KernelMath km(*plan, epsOf(op.getEpsAttr()), rewriter.getF32Type());
    KernelIO io = sourceBuffers(rewriter, loc, op.getSources());
    Value queries = op.getQueries();
    Value dOut = rowsView(rewriter, loc, op.getOutputGrad(), 1, true);
    Value lse = rowsView(rewriter, loc, op.getLse(), 1, false);
    Value dLse = rowsView(rewriter, loc, op.getLseGrad(), 1, false);
    SmallVector<Value> dvs;
    for (Value init : op.getInits().drop_front())
      dvs.push_back(rowsView(rewriter, loc, init, 0, true));
    GroupPartials partials(rewriter, loc, io.rows, io.staticRows, D,
                           plan->vectorWidth, options, S);
    auto scalarAt = [&](OpBuilder &nb, Value buffer, Value q, Value row) {
      return memref::LoadOp::create(nb, loc, buffer, ValueRange{q, row})
          .getResult();
    };

    partials.launch(
        rewriter, loc, shape, km, [&](OpBuilder &b, CTAEmitter &cta) {
          Value extra = cta.extra();
          auto forEachQuery = [&](OpBuilder &ob, ValueRange inits,
                                  function_ref<SmallVector<Value>(
                                      OpBuilder &, Value, ValueRange)>
                                      body) {
            return scf::ForOp::create(
                ob, loc, cIndex(ob, loc, 0), cIndex(ob, loc, S),
                cIndex(ob, loc, 1), inits,
                [&](OpBuilder &nb, Location nl, Value q, ValueRange args) {
                  scf::YieldOp::create(nb, nl, body(nb, q, args));
                });
          };
          auto word = [&](OpBuilder &nb, Value idx) {
            return memref::LoadOp::create(nb, loc, extra, idx).getResult();
          };
          auto at = [&](OpBuilder &nb, Value q, Value j, int64_t field) {
            // 2(q·n + j) + field
            Value i = arith::AddIOp::create(
                nb, loc, arith::MulIOp::create(nb, loc, q, cIndex(nb, loc, n)),
                j);
            return arith::AddIOp::create(
                nb, loc, arith::MulIOp::create(nb, loc, i, cIndex(nb, loc, 2)),
                cIndex(nb, loc, field));
          };
          auto plus = [&](OpBuilder &nb, Value i, int64_t base) {
            return arith::AddIOp::create(nb, loc, i, cIndex(nb, loc, base))
                .getResult();
          };
          auto coefs = [&](OpBuilder &nb, Value q, Value j, Value row) {
            return statsGradCoefs(
                nb, loc, word(nb, at(nb, q, j, 0)),
                word(nb, plus(nb, j, rhoBase)), word(nb, at(nb, q, j, 1)),
                word(nb, plus(nb, q, abarBase)), scalarAt(nb, lse, q, row),
                scalarAt(nb, dLse, q, row), D);
          };
          // The CTA's partial dQ rows start at zero.
          cta.forEachThread(b, [&](OpBuilder &tb, Value t) {
            forEachQuery(tb, {}, [&](OpBuilder &nb, Value q, ValueRange) {
              for (int64_t k = 0; k < plan->chunks; ++k)
                km.store(nb, loc, km.zero(nb, loc), partials.buffer,
                         ValueRange{cta.x(), q}, t, k);
              return SmallVector<Value>{};
            });
          });
          ThreadValues qs = cta.vectors(b, plan->chunks);
          ThreadValues gs = cta.vectors(b, plan->chunks);
          cta.loop(
              b, cta.x(), io.rows, partials.groups, {}, {},
              [&](OpBuilder &rb, Value row, ValueRange) -> SmallVector<Value> {
                // Pass 1: the statistics of every (query, source).
                cta.loop(
                    rb, cIndex(rb, loc, 0), cIndex(rb, loc, S),
                    cIndex(rb, loc, 1), {}, {},
                    [&](OpBuilder &qb, Value q,
                        ValueRange) -> SmallVector<Value> {
                      cta.forEachThread(qb, [&](OpBuilder &nb, Value t) {
                        for (int64_t k = 0; k < plan->chunks; ++k) {
                          cta.set(
                              nb, qs, t, k,
                              km.load(nb, loc, queries, ValueRange{q}, t, k));
                          cta.set(
                              nb, gs, t, k,
                              km.load(nb, loc, dOut, ValueRange{q, row}, t, k));
                        }
                      });
                      cta.sourceLoop(
                          qb, n, {}, {},
                          [&](OpBuilder &nb, Value j,
                              ValueRange) -> SmallVector<Value> {
                            SmallVector<Value> tot =
                                cta.reduce(nb, [&](OpBuilder &ib, Value t) {
                                  SmallVector<Value> xs = loadSource(
                                      ib, loc, km, io.sources, j, row, t);
                                  SmallVector<Value> qv, gv;
                                  for (int64_t k = 0; k < plan->chunks; ++k) {
                                    qv.push_back(cta.get(ib, qs, t, k));
                                    gv.push_back(cta.get(ib, gs, t, k));
                                  }
                                  auto [ss, dot] = km.partials(ib, loc, xs, qv);
                                  Value ad = dotPartial(ib, loc, km, gv, xs);
                                  return SmallVector<Value>{ss, dot, ad};
                                });
                            Value rho = km.rmsScale(nb, loc, tot[0]);
                            Value sv =
                                arith::MulFOp::create(nb, loc, rho, tot[1]);
                            cta.once(nb, [&](OpBuilder &ib) {
                              memref::StoreOp::create(
                                  ib, loc, sv, extra,
                                  at(ib, q, j, 0).getResult());
                              memref::StoreOp::create(
                                  ib, loc, tot[2], extra,
                                  at(ib, q, j, 1).getResult());
                              memref::StoreOp::create(ib, loc, rho, extra,
                                                      plus(ib, j, rhoBase));
                            });
                            return {};
                          });
                      return {};
                    });
                cta.barrier(rb);
                // ā_q = Σ_j α_qj a_qj (once per CTA).
                cta.once(rb, [&](OpBuilder &ib) {
                  forEachQuery(ib, {}, [&](OpBuilder &nb, Value q, ValueRange) {
                    Value rowLse = scalarAt(nb, lse, q, row);
                    Value abar;
                    for (int64_t j = 0; j < n; ++j) {
                      Value jv = cIndex(nb, loc, j);
                      Value t = arith::MulFOp::create(
                          nb, loc,
                          statsWeight(nb, loc, word(nb, at(nb, q, jv, 0)),
                                      rowLse),
                          word(nb, at(nb, q, jv, 1)));
                      abar = abar ? arith::AddFOp::create(nb, loc, abar, t)
                                        .getResult()
                                  : t;
                    }
                    memref::StoreOp::create(nb, loc, abar, extra,
                                            plus(nb, q, abarBase));
                    return SmallVector<Value>{};
                  });
                });
                cta.barrier(rb);
                // Pass 2 (per thread): dV_j.
                cta.forEachThread(rb, [&](OpBuilder &tb, Value t) {
                  forEachSource(
                      tb, loc, km, io.sources, row, t, {},
                      [&](OpBuilder &nb, Value j, ArrayRef<Value> xs,
                          ValueRange) -> SmallVector<Value> {
                        SmallVector<Value> inits(plan->chunks,
                                                 km.zero(nb, loc));
                        inits.push_back(f32Constant(nb, loc, 0.0));
                        scf::ForOp sum = forEachQuery(
                            nb, inits,
                            [&](OpBuilder &ib, Value q, ValueRange a) {
                              SiteGradCoefs c = coefs(ib, q, j, row);
                              SmallVector<Value> next;
                              for (int64_t k = 0; k < plan->chunks; ++k) {
                                Value g = km.load(ib, loc, dOut,
                                                  ValueRange{q, row}, t, k);
                                Value qv = km.load(ib, loc, queries,
                                                   ValueRange{q}, t, k);
                                next.push_back(
                                    gqChunk(ib, loc, km, c, g, qv, a[k]));
                              }
                              next.push_back(arith::AddFOp::create(
                                  ib, loc, a[plan->chunks], c.e));
                              return next;
                            });
                        Value eV =
                            km.splat(nb, loc, sum.getResult(plan->chunks));
                        SmallVector<Value> ds;
                        for (int64_t k = 0; k < plan->chunks; ++k)
                          ds.push_back(km.weightedSum(nb, loc, eV, xs[k],
                                                      sum.getResult(k)));
                        switchOnIndex(
                            nb, loc, j, n, [&](OpBuilder &sb, int64_t i) {
                              for (int64_t k = 0; k < plan->chunks; ++k)
                                km.store(sb, loc, ds[k], dvs[i],
                                         ValueRange{row}, t, k);
                            });
                        return {};
                      });
                });
                // Pass 3 (per thread): dQ[q] += Σ_j c_qj V_j.
                cta.forEachThread(rb, [&](OpBuilder &tb, Value t) {
                  forEachQuery(tb, {}, [&](OpBuilder &qb, Value q, ValueRange) {
                    SmallVector<Value> zeros(plan->chunks, km.zero(qb, loc));
                    scf::ForOp acc = forEachSource(
                        qb, loc, km, io.sources, row, t, zeros,
                        [&](OpBuilder &nb, Value j, ArrayRef<Value> xs,
                            ValueRange cur) -> SmallVector<Value> {
                          Value cV = km.splat(nb, loc, coefs(nb, q, j, row).c);
                          SmallVector<Value> next;
                          for (int64_t k = 0; k < plan->chunks; ++k)
                            next.push_back(
                                km.weightedSum(nb, loc, cV, xs[k], cur[k]));
                          return next;
                        });
                    for (int64_t k = 0; k < plan->chunks; ++k) {
                      Value old = km.load(qb, loc, partials.buffer,
                                          ValueRange{cta.x(), q}, t, k);
                      km.store(
                          qb, loc,
                          arith::AddFOp::create(qb, loc, old, acc.getResult(k)),
                          partials.buffer, ValueRange{cta.x(), q}, t, k);
                    }
                    return SmallVector<Value>{};
                  });
                });
                // The next row's pass 1 rewrites the statistics.
                cta.barrier(rb);
                return {};
              });
        });

    return partials.finish(rewriter, op, dQInit);
  }
};

} // namespace

void mlir::attnres::gpukernel::populateGradKernelPatterns(
    RewritePatternSet &patterns, const Options &options) {
  patterns.add<DepthAttnGradToGPU, RMSNormGradToGPU, DepthAttnMergeGradToGPU,
               DepthAttnStatsGradToGPU>(patterns.getContext(), options);
}
