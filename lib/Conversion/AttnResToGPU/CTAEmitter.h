//===- CTAEmitter.h - one CTA, as a GPU kernel or emulated ------*- C++ -*-===//
//
// The body of a CTA of every attnres GPU kernel is written once, against
// `CTAEmitter`: *phases* (code each thread runs with its own `tid`), CTA-wide
// sums of per-thread values, barriers, code run once per CTA, per-thread
// values that live across phases, and loops that carry both. The strategy
// decides what that becomes (review P3, issue 14 item 2):
//
//   * `SIMTEmitter` (convert-attnres-to-gpu): the body of one `gpu.launch`;
//     a phase is emitted inline with the real thread id, per-thread vectors
//     are SSA values (registers; loops carry them as iter_args), a sum is
//     `blockReduce` (xor shuffles + one shared word per warp), a barrier is
//     `gpu.barrier`, `once` is an `scf.if` on thread 0.
//   * `EmulatedEmitter` (`emulate=true`: the same decomposition as CPU code,
//     checked against numpy): the body of one iteration of an `scf.forall`
//     over the CTAs; a phase is an `scf.for` over the threads, per-thread
//     vectors live in [threads, count, W] buffers, a sum stores the
//     per-thread values and adds them after the phase in the GPU's order
//     (`emulatedReduce`), a barrier is nothing (phases run one after the
//     other), `once` is inline, the shared words are a buffer of the same
//     size.
//
// Uniform values (CTA sums and what is computed from them) are emitted
// between phases: every GPU thread computes them, the emulation once per
// CTA. A phase must not use a per-thread SSA value of another phase: what
// crosses phases goes through `ThreadValues`.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_LIB_CONVERSION_ATTNRESTOGPU_CTAEMITTER_H
#define ATTNRES_LIB_CONVERSION_ATTNRESTOGPU_CTAEMITTER_H

#include "GPUKernelEmitter.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace mlir {
namespace attnres {
namespace gpukernel {

/// `count` per-thread values that live across the phases of a CTA (f32
/// vectors of the plan's width, or scalars): SSA values of the current
/// thread (SIMT) or a [threads, count, W] ([threads, count] for scalars)
/// buffer (emulation). Made by `CTAEmitter::vectors` and `scalars`.
struct ThreadValues {
  SmallVector<Value> regs;
  Value buffer;
  int64_t count = 0;
};

/// A phase: what one thread `tid` does.
using PhaseFn = function_ref<void(OpBuilder &, Value tid)>;
/// A phase that returns per-thread values to sum over the CTA.
using ReducePhaseFn = function_ref<SmallVector<Value>(OpBuilder &, Value tid)>;
/// The body of a loop: `(b, iv, uniform iter_args)` to the uniform yields.
using LoopBodyFn =
    function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)>;

class CTAEmitter {
public:
  CTAEmitter(const KernelMath &km, Location loc, const CTAContext &ctx)
      : km(km), loc(loc), ctx(ctx) {}
  virtual ~CTAEmitter() = default;

  /// The CTA's coordinates in the grid.
  Value x() const { return ctx.x; }
  Value y() const { return ctx.y; }
  /// The extra shared f32 words of the launch (`LaunchShape::extraFloats`);
  /// null when none.
  Value extra() const { return ctx.extra; }
  const KernelMath &math() const { return km; }

  /// Runs `phase` for every thread of the CTA.
  virtual void forEachThread(OpBuilder &b, PhaseFn phase) = 0;
  /// Runs `phase` for every thread and returns the CTA-wide sums of the
  /// values it returns (in the GPU's order; a barrier is implied).
  virtual SmallVector<Value> reduce(OpBuilder &b, ReducePhaseFn phase) = 0;
  /// A CTA barrier between phases.
  virtual void barrier(OpBuilder &b) = 0;
  /// Runs `body` once per CTA (thread 0 on the GPU); uniform values only.
  virtual void once(OpBuilder &b, function_ref<void(OpBuilder &)> body) = 0;

  /// `count` per-thread f32 vectors of the plan's width (unset).
  virtual ThreadValues vectors(OpBuilder &b, int64_t count) = 0;
  /// `count` per-thread scalars of `type` (index, i1, f32; unset).
  virtual ThreadValues scalars(OpBuilder &b, Type type, int64_t count) = 0;
  /// The plan's number of chunks of per-thread f32 vectors, set to zero (one
  /// constant per thread).
  ThreadValues zeroVectors(OpBuilder &b);
  /// Per-thread value `k` of thread `tid` (inside a phase).
  virtual Value get(OpBuilder &b, const ThreadValues &v, Value tid,
                    int64_t k) = 0;
  virtual void set(OpBuilder &b, ThreadValues &v, Value tid, int64_t k,
                   Value value) = 0;
  /// `v[k] += term` for thread `tid` (f32 vectors, inside a phase).
  void add(OpBuilder &b, ThreadValues &v, Value tid, int64_t k, Value term) {
    set(b, v, tid, k, arith::AddFOp::create(b, loc, get(b, v, tid, k), term));
  }

  /// `scf.for iv = lb to ub step step` at CTA level carrying the uniform
  /// `inits` (first) and the per-thread vectors `carried` (registers on the
  /// GPU, so iter_args there; buffers in emulation). Returns the uniform
  /// results; `carried` then holds the final values.
  SmallVector<Value> loop(OpBuilder &b, Value lb, Value ub, Value step,
                          ValueRange inits, ArrayRef<ThreadValues *> carried,
                          LoopBodyFn body);
  /// The loop over `numSources` sources (`iv` = source index j), as
  /// `forEachSource`'s: an `scf.for`, not unrolled (LLVM annotation); the
  /// body reads source j's chunks with `loadSource`.
  SmallVector<Value> sourceLoop(OpBuilder &b, int64_t numSources,
                                ValueRange inits,
                                ArrayRef<ThreadValues *> carried,
                                LoopBodyFn body);

protected:
  /// Whether per-thread vectors are SSA values (carried by loops).
  virtual bool inRegisters() const = 0;

  const KernelMath &km;
  Location loc;
  CTAContext ctx;
};

/// The chunks of source `j` of `row` for thread `tid` (inside a phase): an
/// `scf.index_switch` on `j` over the sources (zeros by default).
SmallVector<Value> loadSource(OpBuilder &b, Location loc, const KernelMath &km,
                              ArrayRef<Value> sources, Value j, Value row,
                              Value tid);

/// Emits the grid of CTAs `gridX × gridY`: a `gpu.launch` of `shape`
/// (SIMT), or with `emulate` an `scf.forall` over the CTAs (independent, as
/// on the GPU); `cta` writes one CTA's body against the emitter.
void emitGrid(OpBuilder &b, Location loc, Value gridX, Value gridY,
              const LaunchShape &shape, const KernelMath &km, bool emulate,
              function_ref<void(OpBuilder &, CTAEmitter &)> cta);

/// The row tiles of a forward kernel: upstream's `scf::tileUsingSCF` over
/// the op's TilingInterface (token rows), one row per tile, as an
/// `scf.forall` mapped to a grid dim of CTAs; `tile` is the tiled op in its
/// body (the op on `memref.subview`s of one row).
struct RowTiles {
  scf::ForallOp forall;
  Operation *tile = nullptr;
};

/// Tiles `op` (memref form; its token dims viewed as one row dim, so that
/// the iteration domain has one dim) into single-row tiles mapped to
/// `#gpu.block<block>`. Fails when the op does not tile so.
FailureOr<RowTiles> tileRowsToBlocks(RewriterBase &rewriter, Operation *op,
                                     gpu::MappingId block);

/// Emits the grid of CTAs of `tiles` (`emitGrid`) in place of the forall:
/// a CTA per row tile along the forall's block dim and, with `perTile` set,
/// `perTile` CTAs along x per tile (the rows then go along y). Each operand
/// of the tile op is a whole operand or a row slice of a rows view (a
/// `memref.subview` at the forall's row, whole in every other dim, unit
/// strides: what the op's TilingInterface gives); `cta` writes the body of a
/// CTA for the tile op with its slices folded away (its operands the views
/// they slice) and `row`, the CTA's row. The folded op is erased after `cta`,
/// the forall after the grid. Fails, with nothing built, when a tile
/// operand is another kind of slice.
LogicalResult emitTileGrid(
    RewriterBase &rewriter, Location loc, const RowTiles &tiles, Value perTile,
    const LaunchShape &shape, const KernelMath &km, bool emulate,
    function_ref<void(OpBuilder &, CTAEmitter &, Operation *, Value)> cta);

} // namespace gpukernel
} // namespace attnres
} // namespace mlir

#endif // ATTNRES_LIB_CONVERSION_ATTNRESTOGPU_CTAEMITTER_H
