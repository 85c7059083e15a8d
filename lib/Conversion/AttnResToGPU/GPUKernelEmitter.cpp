//===- GPUKernelEmitter.cpp - building blocks of the GPU kernels ----------===//
//
// See GPUKernelEmitter.h.
//
//===----------------------------------------------------------------------===//

#include "GPUKernelEmitter.h"
#include "CTAEmitter.h"

#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "attnres/Dialect/AttnRes/Utils/Shapes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::attnres;
using namespace mlir::attnres::detail;

namespace mlir {
namespace attnres {
namespace gpukernel {

//===----------------------------------------------------------------------===//
// GPU mode: gpu.launch with shuffles and shared memory
//===----------------------------------------------------------------------===//

/// A CTA barrier. The kernels are built after buffer deallocation (which
/// rejects `gpu.barrier`: it declares no memory effects), so it is
/// `gpu.barrier` from the start.
void emitCTABarrier(OpBuilder &b, Location loc) {
  gpu::BarrierOp::create(b, loc);
}

/// Sums `values` over the CTA: xor-shuffles within each warp, then one word
/// per warp and value in shared memory `scratch` ([values, warps]).
SmallVector<Value> blockReduce(OpBuilder &b, Location loc, ValueRange values,
                               Value tid, Value scratch, int64_t threads) {
  SmallVector<Value> sums(values.begin(), values.end());
  for (int32_t offset = 16; offset >= 1; offset /= 2)
    for (Value &v : sums)
      v = gpu::ShuffleOp::create(b, loc, v, offset, 32, gpu::ShuffleMode::XOR)
              .getShuffleResult();
  int64_t warps = threads / 32;
  if (warps == 1)
    return sums;
  Value lane = arith::RemUIOp::create(b, loc, tid, cIndex(b, loc, 32));
  Value warp = arith::DivUIOp::create(b, loc, tid, cIndex(b, loc, 32));
  Value isLeader = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane,
                                         cIndex(b, loc, 0));
  scf::IfOp::create(b, loc, isLeader, [&](OpBuilder &nb, Location nl) {
    for (auto [i, v] : llvm::enumerate(sums))
      memref::StoreOp::create(nb, nl, v, scratch,
                              ValueRange{cIndex(nb, nl, i), warp});
    scf::YieldOp::create(nb, nl);
  });
  emitCTABarrier(b, loc);
  SmallVector<Value> totals;
  for (size_t i = 0; i < sums.size(); ++i) {
    Value total;
    for (int64_t w = 0; w < warps; ++w) {
      Value part = memref::LoadOp::create(
          b, loc, scratch, ValueRange{cIndex(b, loc, i), cIndex(b, loc, w)});
      total =
          total ? arith::AddFOp::create(b, loc, total, part).getResult() : part;
    }
    totals.push_back(total);
  }
  // The scratch words are rewritten by the next reduction.
  emitCTABarrier(b, loc);
  return totals;
}

/// The scratch and the extra words are dynamic shared memory viewed as f32
/// (a workgroup attribution would become a block argument that upstream's
/// buffer deallocation gives an ownership operand).
void emitLaunch(OpBuilder &b, Location loc, Value gridX, Value gridY,
                const LaunchShape &shape,
                function_ref<void(OpBuilder &, const CTAContext &)> body) {
  Value one = cIndex(b, loc, 1);
  int64_t reduceValues = std::max<int64_t>(1, shape.reduceValues);
  int64_t scratchBytes = reduceValues * 32 * 4;
  Value smemSize =
      arith::ConstantIntOp::create(b, loc, shape.sharedBytes(), 32);
  // A 2-D grid of CTAs runs as one gridDim.x of gridX · gridY CTAs (x
  // fastest, as before): gridDim.y and .z stop at 65,535, gridDim.x at
  // 2^31 - 1, and rows (tokens) exceed 65,535 in long prefills. The runtime
  // checks the product against the device's limit before the launch.
  std::optional<int64_t> constY = getConstantIntValue(gridY);
  bool linear = !constY || *constY != 1;
  Value ctas =
      linear ? arith::MulIOp::create(b, loc, gridX, gridY).getResult() : gridX;
  auto launch = gpu::LaunchOp::create(b, loc, ctas, one, one,
                                      cIndex(b, loc, shape.threads), one, one,
                                      /*dynamicSharedMemorySize=*/smemSize);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  auto workgroup =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  auto bytesType = MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                                   MemRefLayoutAttrInterface(), workgroup);
  Value bytes = gpu::DynamicSharedMemoryOp::create(b, loc, bytesType);
  auto scratchType = MemRefType::get({reduceValues, 32}, b.getF32Type(),
                                     MemRefLayoutAttrInterface(), workgroup);
  CTAContext cta;
  cta.scratch = memref::ViewOp::create(b, loc, scratchType, bytes,
                                       cIndex(b, loc, 0), ValueRange{});
  if (shape.extraFloats > 0) {
    auto extraType = MemRefType::get({shape.extraFloats}, b.getF32Type(),
                                     MemRefLayoutAttrInterface(), workgroup);
    cta.extra = memref::ViewOp::create(
        b, loc, extraType, bytes, cIndex(b, loc, scratchBytes), ValueRange{});
  }
  cta.x = launch.getBlockIds().x;
  cta.y = launch.getBlockIds().y;
  if (linear) {
    Value id = launch.getBlockIds().x;
    cta.x = arith::RemUIOp::create(b, loc, id, gridX);
    cta.y = arith::DivUIOp::create(b, loc, id, gridX);
  }
  cta.tid = launch.getThreadIds().x;
  body(b, cta);
  gpu::TerminatorOp::create(b, loc);
}

//===----------------------------------------------------------------------===//
// The two CTA strategies (CTAEmitter.h)
//===----------------------------------------------------------------------===//

/// Sums a per-thread buffer `parts[i, tid]` over threads, in the GPU's order
/// (xor tree within warps, then warps in order).
static Value emulatedReduce(OpBuilder &b, Location loc, Value parts, int64_t i,
                            const GPUKernelPlan &plan) {
  // Tree within each warp: after the xor steps every lane holds the same
  // sum; summing lanes pairwise in the xor order gives the same rounding.
  Value total;
  for (int64_t w = 0; w < plan.threads / 32; ++w) {
    SmallVector<Value> lanes;
    for (int64_t l = 0; l < 32; ++l)
      lanes.push_back(memref::LoadOp::create(
          b, loc, parts,
          ValueRange{cIndex(b, loc, i), cIndex(b, loc, w * 32 + l)}));
    for (int64_t width = 16; width >= 1; width /= 2)
      for (int64_t l = 0; l < width; ++l)
        lanes[l] = arith::AddFOp::create(b, loc, lanes[l], lanes[l + width]);
    total = total ? arith::AddFOp::create(b, loc, total, lanes[0]).getResult()
                  : lanes[0];
  }
  return total;
}

namespace {
/// The GPU: one gpu.launch body, per-thread vectors in registers.
class SIMTEmitter final : public CTAEmitter {
public:
  using CTAEmitter::CTAEmitter;

  void forEachThread(OpBuilder &b, PhaseFn phase) override {
    phase(b, ctx.tid);
  }
  SmallVector<Value> reduce(OpBuilder &b, ReducePhaseFn phase) override {
    SmallVector<Value> values = phase(b, ctx.tid);
    return blockReduce(b, loc, values, ctx.tid, ctx.scratch, km.plan.threads);
  }
  void barrier(OpBuilder &b) override { emitCTABarrier(b, loc); }
  void once(OpBuilder &b, function_ref<void(OpBuilder &)> body) override {
    Value isFirst = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          ctx.tid, cIndex(b, loc, 0));
    scf::IfOp::create(b, loc, isFirst, [&](OpBuilder &nb, Location nl) {
      body(nb);
      scf::YieldOp::create(nb, nl);
    });
  }
  ThreadValues vectors(OpBuilder &, int64_t count) override {
    ThreadValues v;
    v.count = count;
    v.regs.resize(count);
    return v;
  }
  ThreadValues scalars(OpBuilder &b, Type, int64_t count) override {
    return vectors(b, count);
  }
  Value get(OpBuilder &, const ThreadValues &v, Value, int64_t k) override {
    return v.regs[k];
  }
  void set(OpBuilder &, ThreadValues &v, Value, int64_t k,
           Value value) override {
    v.regs[k] = value;
  }

protected:
  bool inRegisters() const override { return true; }
};

/// The CPU emulation: one phase at a time over all the threads of a CTA
/// (the body of an scf.forall iteration); per-thread vectors and reduction
/// partials in buffers allocated at the start of the CTA body.
class EmulatedEmitter final : public CTAEmitter {
public:
  EmulatedEmitter(const KernelMath &km, Location loc, const CTAContext &ctx,
                  Block *entry)
      : CTAEmitter(km, loc, ctx), entry(entry) {}

  void forEachThread(OpBuilder &b, PhaseFn phase) override {
    scf::ForOp::create(b, loc, cIndex(b, loc, 0),
                       cIndex(b, loc, km.plan.threads), cIndex(b, loc, 1),
                       ValueRange{},
                       [&](OpBuilder &nb, Location nl, Value tid, ValueRange) {
                         phase(nb, tid);
                         scf::YieldOp::create(nb, nl);
                       });
  }
  SmallVector<Value> reduce(OpBuilder &b, ReducePhaseFn phase) override {
    Value parts;
    int64_t count = 0;
    forEachThread(b, [&](OpBuilder &nb, Value tid) {
      SmallVector<Value> values = phase(nb, tid);
      count = values.size();
      parts = allocate(nb, {count, km.plan.threads});
      for (auto [i, v] : llvm::enumerate(values))
        memref::StoreOp::create(nb, loc, v, parts,
                                ValueRange{cIndex(nb, loc, i), tid});
    });
    SmallVector<Value> sums;
    for (int64_t i = 0; i < count; ++i)
      sums.push_back(emulatedReduce(b, loc, parts, i, km.plan));
    return sums;
  }
  void barrier(OpBuilder &) override {}
  void once(OpBuilder &b, function_ref<void(OpBuilder &)> body) override {
    body(b);
  }
  ThreadValues vectors(OpBuilder &b, int64_t count) override {
    ThreadValues v;
    v.count = count;
    v.buffer = allocate(b, {km.plan.threads, count, km.plan.vectorWidth});
    return v;
  }
  ThreadValues scalars(OpBuilder &b, Type type, int64_t count) override {
    ThreadValues v;
    v.count = count;
    v.buffer = allocate(b, {km.plan.threads, count}, type);
    return v;
  }
  Value get(OpBuilder &b, const ThreadValues &v, Value tid,
            int64_t k) override {
    if (isScalars(v))
      return memref::LoadOp::create(b, loc, v.buffer,
                                    ValueRange{tid, cIndex(b, loc, k)});
    return vector::LoadOp::create(b, loc, km.vecF32(), v.buffer,
                                  index(b, tid, k));
  }
  void set(OpBuilder &b, ThreadValues &v, Value tid, int64_t k,
           Value value) override {
    if (isScalars(v)) {
      memref::StoreOp::create(b, loc, value, v.buffer,
                              ValueRange{tid, cIndex(b, loc, k)});
      return;
    }
    vector::StoreOp::create(b, loc, value, v.buffer, index(b, tid, k));
  }

protected:
  bool inRegisters() const override { return false; }

private:
  SmallVector<Value> index(OpBuilder &b, Value tid, int64_t k) {
    return {tid, cIndex(b, loc, k), cIndex(b, loc, 0)};
  }
  static bool isScalars(const ThreadValues &v) {
    return cast<MemRefType>(v.buffer.getType()).getRank() == 2;
  }
  /// A buffer (f32 by default) at the start of the CTA body (not in a loop).
  Value allocate(OpBuilder &b, ArrayRef<int64_t> shape, Type type = {}) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(entry);
    return memref::AllocaOp::create(
        b, loc, MemRefType::get(shape, type ? type : b.getF32Type()));
  }

  Block *entry;
};
} // namespace

/// The loop of `CTAEmitter::loop` (returned for `sourceLoop`'s annotation).
static scf::ForOp buildLoop(OpBuilder &b, Location loc, Value lb, Value ub,
                            Value step, ValueRange inits,
                            ArrayRef<ThreadValues *> carried, bool inRegisters,
                            LoopBodyFn body) {
  SmallVector<Value> iterInits(inits);
  if (inRegisters)
    for (ThreadValues *v : carried)
      llvm::append_range(iterInits, v->regs);
  size_t numUniform = inits.size();
  auto rebind = [&](ValueRange values) {
    size_t i = numUniform;
    for (ThreadValues *v : carried)
      for (Value &r : v->regs)
        r = values[i++];
  };
  auto forOp = scf::ForOp::create(
      b, loc, lb, ub, step, iterInits,
      [&](OpBuilder &nb, Location nl, Value iv, ValueRange args) {
        if (inRegisters)
          rebind(args);
        SmallVector<Value> yields = body(nb, iv, args.take_front(numUniform));
        if (inRegisters)
          for (ThreadValues *v : carried)
            llvm::append_range(yields, v->regs);
        scf::YieldOp::create(nb, nl, yields);
      });
  if (inRegisters)
    rebind(forOp.getResults());
  return forOp;
}

SmallVector<Value> CTAEmitter::loop(OpBuilder &b, Value lb, Value ub,
                                    Value step, ValueRange inits,
                                    ArrayRef<ThreadValues *> carried,
                                    LoopBodyFn body) {
  scf::ForOp forOp =
      buildLoop(b, loc, lb, ub, step, inits, carried, inRegisters(), body);
  return SmallVector<Value>(forOp.getResults().take_front(inits.size()));
}

ThreadValues CTAEmitter::zeroVectors(OpBuilder &b) {
  ThreadValues v = vectors(b, km.plan.chunks);
  forEachThread(b, [&](OpBuilder &nb, Value t) {
    Value zero = km.zero(nb, loc);
    for (int64_t k = 0; k < km.plan.chunks; ++k)
      set(nb, v, t, k, zero);
  });
  return v;
}

/// Marks `loop` not to be unrolled (LLVM loop annotation).
static void disableUnroll(scf::ForOp loop) {
  MLIRContext *ctx = loop.getContext();
  auto unroll = LLVM::LoopUnrollAttr::get(
      ctx, /*disable=*/BoolAttr::get(ctx, true), /*count=*/{},
      /*runtimeDisable=*/{}, /*full=*/{}, /*followupUnrolled=*/{},
      /*followupRemainder=*/{}, /*followupAll=*/{});
  loop->setAttr("llvm.loop_annotation", LLVM::LoopAnnotationAttr::get(
                                            ctx, {}, {}, {}, unroll, {}, {}, {},
                                            {}, {}, {}, {}, {}, {}, {}, {}));
}

SmallVector<Value> CTAEmitter::sourceLoop(OpBuilder &b, int64_t numSources,
                                          ValueRange inits,
                                          ArrayRef<ThreadValues *> carried,
                                          LoopBodyFn body) {
  scf::ForOp forOp =
      buildLoop(b, loc, cIndex(b, loc, 0), cIndex(b, loc, numSources),
                cIndex(b, loc, 1), inits, carried, inRegisters(), body);
  disableUnroll(forOp);
  return SmallVector<Value>(forOp.getResults().take_front(inits.size()));
}

SmallVector<Value> loadSource(OpBuilder &b, Location loc, const KernelMath &km,
                              ArrayRef<Value> sources, Value j, Value row,
                              Value tid) {
  const GPUKernelPlan &plan = km.plan;
  SmallVector<Type> chunkTypes(plan.chunks, km.vecF32());
  SmallVector<int64_t> cases;
  for (size_t i = 0; i < sources.size(); ++i)
    cases.push_back(i);
  auto sw =
      scf::IndexSwitchOp::create(b, loc, chunkTypes, j, cases, cases.size());
  auto fill = [&](Region &region, Value src) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&region.emplaceBlock());
    SmallVector<Value> xs;
    for (int64_t k = 0; k < plan.chunks; ++k)
      xs.push_back(src ? km.load(b, loc, src, ValueRange{row}, tid, k)
                       : km.zero(b, loc));
    scf::YieldOp::create(b, loc, xs);
  };
  for (auto [i, region] : llvm::enumerate(sw.getCaseRegions()))
    fill(region, sources[i]);
  fill(sw.getDefaultRegion(), Value());
  return SmallVector<Value>(sw.getResults());
}

void emitGrid(OpBuilder &b, Location loc, Value gridX, Value gridY,
              const LaunchShape &shape, const KernelMath &km, bool emulate,
              function_ref<void(OpBuilder &, CTAEmitter &)> cta) {
  if (!emulate) {
    emitLaunch(b, loc, gridX, gridY, shape,
               [&](OpBuilder &nb, const CTAContext &ctx) {
                 SIMTEmitter emitter(km, loc, ctx);
                 cta(nb, emitter);
               });
    return;
  }
  auto forall =
      scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{gridX, gridY},
                            ValueRange{}, std::nullopt, nullptr);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  CTAContext ctx;
  ctx.x = forall.getInductionVars()[0];
  ctx.y = forall.getInductionVars()[1];
  // The shared words (aligned: the kernels access them with vectors).
  if (shape.extraFloats > 0)
    ctx.extra = memref::AllocaOp::create(
        b, loc, MemRefType::get({shape.extraFloats}, b.getF32Type()),
        b.getI64IntegerAttr(16));
  EmulatedEmitter emitter(km, loc, ctx, forall.getBody());
  cta(b, emitter);
}

FailureOr<RowTiles> tileRowsToBlocks(RewriterBase &rewriter, Operation *op,
                                     gpu::MappingId block) {
  auto tilable = dyn_cast<TilingInterface>(op);
  if (!tilable || op->getNumResults() != 0)
    return failure();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  if (tilable.getLoopIteratorTypes().size() != 1)
    return failure();
  scf::SCFTilingOptions tiling;
  tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  tiling.setTileSizes({rewriter.getIndexAttr(1)});
  tiling.setMapping({gpu::GPUBlockMappingAttr::get(op->getContext(), block)});
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, tilable, tiling);
  if (failed(tiled) || tiled->tiledOps.size() != 1 || tiled->loops.size() != 1)
    return failure();
  auto forall = dyn_cast<scf::ForallOp>(tiled->loops.front().getOperation());
  // One row per tile: the induction variable is the row.
  if (!forall || forall.getRank() != 1 ||
      !isConstantIntValue(forall.getMixedLowerBound()[0], 0) ||
      !isConstantIntValue(forall.getMixedStep()[0], 1))
    return failure();
  return RowTiles{forall, tiled->tiledOps.front()};
}

/// Whether `slice` takes the row `row` of its source (offset `row` in one
/// dim, where its size is 1) and the source whole in every other dim, with
/// unit strides.
static bool isRowSlice(memref::SubViewOp slice, Value row) {
  auto sourceType = dyn_cast<MemRefType>(slice.getSource().getType());
  if (!sourceType ||
      slice.getMixedOffsets().size() != size_t(sourceType.getRank()))
    return false;
  int rowDims = 0;
  for (auto [i, offset, size, stride] :
       llvm::enumerate(slice.getMixedOffsets(), slice.getMixedSizes(),
                       slice.getMixedStrides())) {
    if (!isConstantIntValue(stride, 1))
      return false;
    if (dyn_cast<Value>(offset) == row) {
      ++rowDims;
      if (!isConstantIntValue(size, 1))
        return false;
      continue;
    }
    if (!isConstantIntValue(offset, 0))
      return false;
    if (!sourceType.isDynamicDim(i) &&
        !isConstantIntValue(size, sourceType.getDimSize(i)))
      return false;
  }
  return rowDims == 1;
}

LogicalResult emitTileGrid(
    RewriterBase &rewriter, Location loc, const RowTiles &tiles, Value perTile,
    const LaunchShape &shape, const KernelMath &km, bool emulate,
    function_ref<void(OpBuilder &, CTAEmitter &, Operation *, Value)> cta) {
  scf::ForallOp forall = tiles.forall;
  Value iv = forall.getInductionVars()[0];
  // The tile's operands: the views its row slices take, or whole operands
  // (defined outside the forall).
  IRMapping untiled;
  for (Value operand : tiles.tile->getOperands()) {
    if (auto slice = operand.getDefiningOp<memref::SubViewOp>();
        slice && slice->getParentOp() == forall) {
      if (!isRowSlice(slice, iv))
        return failure();
      untiled.map(operand, slice.getSource());
      continue;
    }
    if (forall->isAncestor(operand.getParentBlock()->getParentOp()))
      return failure();
  }
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(forall);
  Value rows = getValueOrCreateConstantIndexOp(rewriter, loc,
                                               forall.getMixedUpperBound()[0]);
  Value one = cIndex(rewriter, loc, 1);
  emitGrid(rewriter, loc, perTile ? perTile : rows, perTile ? rows : one, shape,
           km, emulate, [&](OpBuilder &b, CTAEmitter &emitter) {
             Operation *tile = b.clone(*tiles.tile, untiled);
             cta(b, emitter, tile, perTile ? emitter.y() : emitter.x());
             rewriter.eraseOp(tile);
           });
  rewriter.eraseOp(forall);
  return success();
}

//===----------------------------------------------------------------------===//
// The three kernels
//===----------------------------------------------------------------------===//

std::optional<int64_t> staticHiddenOf(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasRank() || shaped.getRank() < 1 ||
      ShapedType::isDynamic(shaped.getShape().back()))
    return std::nullopt;
  return shaped.getShape().back();
}

MemRefType columnsTypeOf(MemRefType type) {
  if (type.getRank() == 1)
    return type;
  ReassociationIndices all;
  for (int64_t i = 0; i < type.getRank(); ++i)
    all.push_back(i);
  SmallVector<ReassociationIndices> re = {all};
  if (type.getRank() == 0 ||
      !memref::CollapseShapeOp::isGuaranteedCollapsible(type, re))
    return {};
  return memref::CollapseShapeOp::computeCollapsedType(type, re);
}

Value columnsView(OpBuilder &b, Location loc, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  if (type.getRank() == 1)
    return buffer;
  ReassociationIndices all;
  for (int64_t i = 0; i < type.getRank(); ++i)
    all.push_back(i);
  return memref::CollapseShapeOp::create(b, loc, columnsTypeOf(type), buffer,
                                         ArrayRef<ReassociationIndices>{all});
}

bool hasKernelLayout(MemRefType type, int64_t vectorWidth) {
  if (type.getLayout().isIdentity())
    return true;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      ShapedType::isDynamic(offset) || offset % vectorWidth != 0)
    return false;
  for (auto [i, stride] : llvm::enumerate(strides)) {
    if (ShapedType::isDynamic(stride))
      return false;
    if (i + 1 == strides.size() ? stride != 1 && type.getShape().back() != 1
                                : stride % vectorWidth != 0)
      return false;
  }
  return true;
}

bool isKernelBuffer(Value buffer, unsigned lead, bool hasHidden,
                    int64_t vectorWidth) {
  auto type = dyn_cast<MemRefType>(buffer.getType());
  if (!type)
    return false;
  MemRefType rows = rowsTypeOf(type, lead, hasHidden);
  // Rows without a hidden dim (LSEs) are read and written by scalar
  // accesses: any layout.
  return rows && (!hasHidden || hasKernelLayout(rows, vectorWidth));
}

FailureOr<GPUKernelPlan> matchKernelOp(PatternRewriter &rewriter, Operation *op,
                                       Type hiddenType,
                                       ArrayRef<KernelBuffer> buffers,
                                       PlanFn planFor) {
  if (op->getNumResults() != 0)
    return rewriter.notifyMatchFailure(
        op, "tensor form: bufferize first (one-shot-bufferize keeps the op)");
  std::optional<int64_t> hidden = staticHiddenOf(hiddenType);
  if (!hidden)
    return rewriter.notifyMatchFailure(op, "needs a static hidden size");
  if (!hasAddressableTypes(op))
    return rewriter.notifyMatchFailure(op, "buffers too large to address");
  FailureOr<GPUKernelPlan> plan =
      planFor(*hidden, cast<ShapedType>(hiddenType).getElementTypeBitWidth());
  if (failed(plan))
    return rewriter.notifyMatchFailure(op, "no kernel plan");
  for (const KernelBuffer &buffer : buffers)
    if (!isKernelBuffer(buffer.value, buffer.lead, buffer.hasHidden,
                        plan->vectorWidth))
      return rewriter.notifyMatchFailure(
          op, "a buffer's layout does not allow the kernel's row view and "
              "aligned vector accesses: lowered by convert-attnres-to-linalg");
  return plan;
}

KernelIO sourceBuffers(OpBuilder &b, Location loc, ValueRange sources) {
  KernelIO io;
  for (Value s : sources)
    io.sources.push_back(rowsView(b, loc, s, 0, true));
  io.rows = memref::DimOp::create(b, loc, io.sources.front(), 0);
  io.staticRows = cast<MemRefType>(io.sources.front().getType()).getDimSize(0);
  return io;
}

scf::ForOp
forEachSource(OpBuilder &b, Location loc, const KernelMath &km,
              ArrayRef<Value> sources, Value row, Value tid, ValueRange inits,
              function_ref<SmallVector<Value>(OpBuilder &, Value,
                                              ArrayRef<Value>, ValueRange)>
                  body) {
  auto loop = scf::ForOp::create(
      b, loc, cIndex(b, loc, 0), cIndex(b, loc, sources.size()),
      cIndex(b, loc, 1), inits,
      [&](OpBuilder &nb, Location nl, Value j, ValueRange args) {
        SmallVector<Value> xs = loadSource(nb, nl, km, sources, j, row, tid);
        scf::YieldOp::create(nb, nl, body(nb, j, xs, args));
      });
  disableUnroll(loop);
  return loop;
}

void switchOnIndex(OpBuilder &b, Location loc, Value j, int64_t cases,
                   function_ref<void(OpBuilder &, int64_t)> body) {
  SmallVector<int64_t> values;
  for (int64_t i = 0; i < cases; ++i)
    values.push_back(i);
  auto sw = scf::IndexSwitchOp::create(b, loc, TypeRange{}, j, values, cases);
  OpBuilder::InsertionGuard guard(b);
  for (auto [i, region] : llvm::enumerate(sw.getCaseRegions())) {
    b.setInsertionPointToStart(&region.emplaceBlock());
    body(b, i);
    scf::YieldOp::create(b, loc);
  }
  b.setInsertionPointToStart(&sw.getDefaultRegion().emplaceBlock());
  scf::YieldOp::create(b, loc);
}

} // namespace gpukernel
} // namespace attnres
} // namespace mlir
