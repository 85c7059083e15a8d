//===- GPUKernelEmitter.h - building blocks of the GPU kernels --*- C++ -*-===//
//
// The pieces every attnres GPU kernel is made of (convert-attnres-to-gpu):
// the chunk mapping of a row over a CTA (`KernelMath`), CTA reductions
// (warp shuffles + shared memory), the launch, the loop over the sources.
// The CTA bodies are written against `CTAEmitter` (CTAEmitter.h), whose two
// strategies are the GPU and its CPU emulation (`emulate=true`). Shared by
// the forward kernels (AttnResToGPU.cpp) and the gradient kernels
// (AttnResGradToGPU.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_LIB_CONVERSION_ATTNRESTOGPU_GPUKERNELEMITTER_H
#define ATTNRES_LIB_CONVERSION_ATTNRESTOGPU_GPUKERNELEMITTER_H

#include "attnres/Conversion/AttnResToGPU/AttnResToGPU.h"

#include "attnres/Dialect/AttnRes/Utils/RowMath.h"
#include "attnres/Dialect/AttnRes/Utils/ScalarMath.h"
#include "attnres/Dialect/AttnRes/Utils/Shapes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace attnres {
namespace gpukernel {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

inline Value cIndex(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

//===----------------------------------------------------------------------===//
// Kernel buffers (the memref form of the ops, after bufferization)
//===----------------------------------------------------------------------===//

/// The static hidden size (last dim) of a ranked shaped type, if any.
std::optional<int64_t> staticHiddenOf(Type type);

// The rows views of buffers: Utils/Shapes.h.
using detail::rowsTypeOf;
using detail::rowsView;

/// Whether the kernels may access a rows view of `type` with aligned
/// `vectorWidth`-element vectors: the identity layout, or a strided layout
/// with a static offset and static strides, unit innermost stride and every
/// other stride and the offset multiples of `vectorWidth` (a view at whole
/// vectors of an aligned buffer: the alignment the kernels state holds).
bool hasKernelLayout(MemRefType type, int64_t vectorWidth);

/// The type of `type` collapsed into one dim (a [D] or [S, D] gradient the
/// column-sum kernel writes whole), null when the layout does not allow it.
MemRefType columnsTypeOf(MemRefType type);

/// The view of `buffer` of type `columnsTypeOf(...)` (non-null).
Value columnsView(OpBuilder &b, Location loc, Value buffer);

/// Whether `buffer`'s rows view exists and, with a hidden dim, has a kernel
/// layout.
bool isKernelBuffer(Value buffer, unsigned lead, bool hasHidden,
                    int64_t vectorWidth);

/// A buffer operand of a kernel and the shape of its rows view
/// (`rowsTypeOf`): `lead` leading dims and, with `hasHidden`, the hidden dim.
struct KernelBuffer {
  Value value;
  unsigned lead = 0;
  bool hasHidden = true;
};

/// Appends `values` as buffers of the same rows-view shape.
inline void appendBuffers(SmallVectorImpl<KernelBuffer> &buffers,
                          ValueRange values, unsigned lead = 0,
                          bool hasHidden = true) {
  for (Value v : values)
    buffers.push_back({v, lead, hasHidden});
}

/// The plan of a kernel for a hidden size and an element bit width.
using PlanFn = function_ref<FailureOr<GPUKernelPlan>(int64_t, unsigned)>;

/// The checks every kernel pattern starts with: the memref form (after
/// bufferization: the outs are the kernel's outputs), a static hidden size
/// (of `hiddenType`), addressable types, a plan (`planFor`), and `buffers`
/// whose rows views have a kernel layout for the plan's vector width.
/// Notifies the match failure and fails otherwise.
FailureOr<GPUKernelPlan> matchKernelOp(PatternRewriter &rewriter, Operation *op,
                                       Type hiddenType,
                                       ArrayRef<KernelBuffer> buffers,
                                       PlanFn planFor);

//===----------------------------------------------------------------------===//
// SIMT kernel emitter
//===----------------------------------------------------------------------===//

/// The per-chunk math of a thread `tid` of a CTA (the same code in both
/// `CTAEmitter` strategies; the math itself is RowMath's, shared with the
/// CPU kernels).
struct KernelMath : detail::RowMath<KernelMath> {
  KernelMath(const GPUKernelPlan &plan, double eps, Type f32)
      : plan(plan), eps(eps), f32(f32) {}

  // The GPU-SIMT strategy of the shared row math (RowMath.h): a thread's
  // chunks are separate registers, each reduced on its own (the CTA then
  // sums the threads' partials).
  static constexpr bool kChunkMajor = true;
  int64_t rowLength() const { return plan.hidden; }
  Value accumulateProduct(OpBuilder &b, Location loc, Value a, Value x,
                          Value acc) const {
    Value p = hsum(b, loc, arith::MulFOp::create(b, loc, a, x));
    return acc ? arith::AddFOp::create(b, loc, acc, p).getResult() : p;
  }

  /// Element offset of chunk `k` of thread `tid`.
  Value chunkOffset(OpBuilder &b, Location loc, Value tid, int64_t k) const {
    Value chunk =
        arith::AddIOp::create(b, loc, cIndex(b, loc, k * plan.threads), tid);
    return arith::MulIOp::create(b, loc, chunk,
                                 cIndex(b, loc, plan.vectorWidth));
  }

  /// Whether chunk `k` of `tid` is inside D (always, for exact plans).
  Value chunkValid(OpBuilder &b, Location loc, Value tid, int64_t k) const {
    Value offset = chunkOffset(b, loc, tid, k);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, offset,
                                 cIndex(b, loc, plan.hidden));
  }

  /// Byte alignment of a W-element access of `type` (at most 16: rows are
  /// D·B bytes apart and D·B is a multiple of the access size).
  int64_t alignmentOf(MemRefType type) const {
    int64_t bytes = std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
    return std::min<int64_t>(16, plan.vectorWidth * bytes);
  }

  VectorType vecF32() const { return VectorType::get({plan.vectorWidth}, f32); }

  /// Loads W elements of `buffer[indices..., offset]` as f32 (zeros when the
  /// chunk is outside D).
  Value load(OpBuilder &b, Location loc, Value buffer, ValueRange indices,
             Value tid, int64_t k) const {
    auto type = cast<MemRefType>(buffer.getType());
    auto vecType = VectorType::get({plan.vectorWidth}, type.getElementType());
    int64_t align = alignmentOf(type);
    auto emit = [&](OpBuilder &nb, Location nl) -> Value {
      SmallVector<Value> idx(indices);
      idx.push_back(chunkOffset(nb, nl, tid, k));
      Value v = vector::LoadOp::create(nb, nl, vecType, buffer, idx,
                                       /*nontemporal=*/false,
                                       llvm::MaybeAlign(align));
      return detail::extendToF32(nb, nl, v);
    };
    if (plan.exact)
      return emit(b, loc);
    auto ifOp = scf::IfOp::create(
        b, loc, chunkValid(b, loc, tid, k),
        [&](OpBuilder &nb, Location nl) {
          scf::YieldOp::create(nb, nl, emit(nb, nl));
        },
        [&](OpBuilder &nb, Location nl) {
          scf::YieldOp::create(nb, nl, zero(nb, nl));
        });
    return ifOp.getResult(0);
  }

  void store(OpBuilder &b, Location loc, Value vec, Value buffer,
             ValueRange indices, Value tid, int64_t k) const {
    auto type = cast<MemRefType>(buffer.getType());
    int64_t align = alignmentOf(type);
    auto emit = [&](OpBuilder &nb, Location nl) {
      SmallVector<Value> idx(indices);
      idx.push_back(chunkOffset(nb, nl, tid, k));
      Value v = detail::truncateFromF32(nb, nl, vec, type.getElementType());
      vector::StoreOp::create(nb, nl, v, buffer, idx, /*nontemporal=*/false,
                              llvm::MaybeAlign(align));
    };
    if (plan.exact) {
      emit(b, loc);
      return;
    }
    scf::IfOp::create(b, loc, chunkValid(b, loc, tid, k),
                      [&](OpBuilder &nb, Location nl) {
                        emit(nb, nl);
                        scf::YieldOp::create(nb, nl);
                      });
  }

  using RowMath::logit;
  /// The logit `ρ·dot` with the op's eps.
  Value logit(OpBuilder &b, Location loc, Value ss, Value dot) const {
    return logit(b, loc, ss, dot, eps);
  }

  using RowMath::rmsScale;
  /// The RMS scale `ρ` of a row with `Σ x² = ss`, with the op's eps.
  Value rmsScale(OpBuilder &b, Location loc, Value ss) const {
    return rmsScale(b, loc, ss, eps);
  }

  const GPUKernelPlan &plan;
  double eps;
  Type f32;
};

//===----------------------------------------------------------------------===//
// CTAs, reductions and launches (GPUKernelEmitter.cpp)
//===----------------------------------------------------------------------===//

/// A CTA barrier (`gpu.barrier`: the kernels are built after buffer
/// deallocation).
void emitCTABarrier(OpBuilder &b, Location loc);

/// Sums `values` over the CTA: xor-shuffles within each warp, then one word
/// per warp and value in shared memory `scratch` ([values, warps]).
SmallVector<Value> blockReduce(OpBuilder &b, Location loc, ValueRange values,
                               Value tid, Value scratch, int64_t threads);

/// What the body of a CTA gets: its coordinates in the grid, in GPU mode
/// its thread id and the reduction scratch (`[reduceValues, 32]` f32 in
/// shared memory), and the `extra` shared f32 words (a buffer of the same
/// size in emulation; null when none).
struct CTAContext {
  Value x, y, tid, scratch, extra;
};

/// The shape of a launch: threads per CTA, values per `blockReduce` and
/// extra shared f32 words.
struct LaunchShape {
  int64_t threads = 32;
  int64_t reduceValues = 2;
  int64_t extraFloats = 0;

  /// Dynamic shared memory of the launch.
  int64_t sharedBytes() const {
    return std::max<int64_t>(1, reduceValues) * 32 * 4 + extraFloats * 4;
  }
  /// Whether it fits without the driver's opt-in above 48 KiB.
  bool fitsSharedMemory() const { return sharedBytes() <= 48 * 1024; }
};

/// Builds `gpu.launch` over `gridX × gridY` CTAs (one linear gridDim.x when
/// gridY is not the constant 1) with dynamic shared memory for the
/// reduction scratch and the extra words.
void emitLaunch(OpBuilder &b, Location loc, Value gridX, Value gridY,
                const LaunchShape &shape,
                function_ref<void(OpBuilder &, const CTAContext &)> body);

/// Common operands of a kernel after moving to buffers.
struct KernelIO {
  SmallVector<Value> sources; // [rows, D] buffers
  Value rows;
  int64_t staticRows = ShapedType::kDynamic;
};

/// The rows views of the source buffers.
KernelIO sourceBuffers(OpBuilder &b, Location loc, ValueRange sources);

/// An `scf.for` over the sources (not unrolled: the loop carries an LLVM
/// `unroll disable` annotation) that picks source `j`'s chunks of `row`
/// with an `scf.index_switch`; `body(b, j, chunks, iterArgs)` returns the
/// yielded values. Straight-line code over all sources lets ptxas hoist
/// every source's loads to the top (global loads move freely across
/// `bar.sync` in a kernel without global stores), which spills at 9 sources.
scf::ForOp
forEachSource(OpBuilder &b, Location loc, const KernelMath &km,
              ArrayRef<Value> sources, Value row, Value tid, ValueRange inits,
              function_ref<SmallVector<Value>(OpBuilder &, Value,
                                              ArrayRef<Value>, ValueRange)>
                  body);

/// `scf.index_switch` on `j` over `cases` cases without results;
/// `body(b, i)` fills case `i`.
void switchOnIndex(OpBuilder &b, Location loc, Value j, int64_t cases,
                   function_ref<void(OpBuilder &, int64_t)> body);

struct Options {
  bool emulate;
  unsigned maxThreads;
  /// CTAs (row groups) of the gradient kernels (`grad-row-groups`).
  unsigned gradRowGroups;
};

/// The base of the kernel patterns: an `OpRewritePattern` that keeps the
/// pass's options.
template <typename OpTy> struct KernelPattern : OpRewritePattern<OpTy> {
  KernelPattern(MLIRContext *ctx, const Options &options)
      : OpRewritePattern<OpTy>(ctx), options(options) {}
  Options options;
};

/// The gradient kernels (AttnResGradToGPU.cpp).
void populateGradKernelPatterns(RewritePatternSet &patterns,
                                const Options &options);

} // namespace gpukernel
} // namespace attnres
} // namespace mlir

#endif // ATTNRES_LIB_CONVERSION_ATTNRESTOGPU_GPUKERNELEMITTER_H
