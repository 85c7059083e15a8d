//===- StageTraffic.h - pipeline-stage traffic of AttnRes models -*- C++
//-*-===//
//
// Which values cross the boundaries between pipeline chunks of a function
// annotated with `attnres.chunk`, what they are (Block AttnRes block
// summaries, the running partial, anything else), and how many of them each
// hop sends naively and with the receive-side block cache of the paper's
// cross-stage caching (math §5). The definitions are in
// docs/pipeline-parallel.md.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_ANALYSIS_STAGETRAFFIC_H
#define ATTNRES_DIALECT_ATTNRES_ANALYSIS_STAGETRAFFIC_H

#include "attnres/Dialect/AttnRes/IR/AttnResDialect.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <string>

namespace mlir {
class DictionaryAttr;

namespace attnres {

/// What a value that crosses a chunk boundary is, structurally.
enum class TravelKind {
  /// A completed block summary (or the embedding b_0): a source of a site at
  /// a position other than the last, or a source of `depth_attn_stats`.
  Block,
  /// The running partial of the block in progress: the last source of a site
  /// (or the merged source of `depth_attn_merge`) that is never a Block.
  Partial,
  /// Any other value (raw sublayer outputs, hidden states, ...).
  Other,
};

/// Printable name of a `TravelKind` ("block", "partial", "other").
StringRef stringifyTravelKind(TravelKind kind);

/// Whether `op` is a cheap parameter fold, which every rank may recompute
/// from parameters instead of receiving its result: `tensor.empty`, casts
/// (`CastOpInterface`, `tensor.cast`, `tensor.bitcast`), reshapes and slices
/// (`tensor.expand_shape`, `collapse_shape`, `reshape`, `extract_slice`,
/// `extract`, `splat`, `from_elements`, `dim`), scalar/tensor elementwise ops
/// (the `Elementwise` trait: arith, math), and elementwise linalg ops
/// (`linalg::isElementwise`: `linalg.fill`, `map`, `broadcast`, `transpose`,
/// all-parallel generics such as `γ ⊙ w`). Not AttnRes ops, contractions or
/// reductions. Says nothing about side effects or operands.
bool isParameterFold(Operation *op);

/// A non-parameter value used in a later chunk than the one defining it.
struct TravellingValue {
  Value value;
  /// Its kind over the whole function (`StageTrafficAnalysis::getKind`).
  TravelKind kind = TravelKind::Other;
  /// Chunk that defines it (function arguments: chunk 0).
  int64_t defChunk = 0;
  /// Last chunk that uses it (> defChunk).
  int64_t lastUseChunk = 0;
  /// Last chunk with a site using it at a block position / as the last
  /// source (-1: none).
  int64_t blockUntil = -1, partialUntil = -1;
  /// Bytes of one row (the last dimension times the element size), -1 when
  /// unknown (not a ranked tensor of int/float with a static last dim).
  int64_t rowBytes = -1;
  /// Bytes of the whole value, -1 unless its shape is static.
  int64_t totalBytes = -1;
  /// Whether its row or total byte count does not fit in int64_t (then
  /// rowBytes and totalBytes are -1, and `getTraffic` fails with an error
  /// located at the value).
  bool bytesOverflow = false;
  /// Whether it is an input: a function argument, or the result of an op
  /// that would be a parameter but is used as a site source (an embedding
  /// baked into the program as a constant). The rank running its defining
  /// chunk (rank 0 for arguments) holds it from the start, as its own input.
  bool isInput = false;

  /// What it is when it crosses hop `hop` (chunk hop -> hop+1), judged by the
  /// sites of later chunks: a Block if one of them uses it at a block
  /// position, else the Partial if one uses it as the last source, else
  /// Other (e.g. a raw sublayer output a later block_summary adds up).
  TravelKind kindAcross(int64_t hop) const {
    if (blockUntil > hop)
      return TravelKind::Block;
    if (partialUntil > hop)
      return TravelKind::Partial;
    return TravelKind::Other;
  }
};

/// Options of the traffic computation.
struct StageTrafficOptions {
  /// Physical pipeline stages (ranks) P >= 1.
  int64_t stages = 1;
  /// Virtual stages per rank V >= 1; there are C = P·V chunks.
  int64_t virtualStages = 1;
  /// Whether a rank also reuses the blocks it produced itself (math §5's
  /// variant `[1,2,2,2,1,2,1]`), not only the ones it received.
  bool reuseOwnBlocks = false;
};

/// Traffic of hop h (chunk h -> chunk h+1, rank h mod P -> rank (h+1) mod P).
/// Value lists index `StageTrafficAnalysis::getTravellingValues()` and are in
/// definition order.
struct HopTraffic {
  int64_t fromRank = 0;
  int64_t toRank = 0;
  /// Every value live across the hop (naive scheme).
  SmallVector<unsigned> live;
  /// What the cached scheme sends: blocks the receiver does not hold yet,
  /// plus every live partial and other value. This is the message list of
  /// `attnres-pipeline-partition`, in order.
  SmallVector<unsigned> sent;
  int64_t naiveBlocks = 0, cachedBlocks = 0, partials = 0, others = 0;
  /// Bytes per token row; -1 when a value's row size is unknown.
  int64_t naiveRowBytes = 0, cachedRowBytes = 0;
  /// Total bytes; -1 unless every value has a static shape.
  int64_t naiveBytes = 0, cachedBytes = 0;
};

/// The traffic of every hop for one choice of P and V.
struct StageTraffic {
  StageTrafficOptions options;
  int64_t chunks = 0;
  SmallVector<HopTraffic> hops;
  int64_t naiveRowBytes = 0, cachedRowBytes = 0;
  /// Total bytes each rank sends per forward; empty unless every travelling
  /// value has a static shape.
  SmallVector<int64_t> naiveBytesPerRank, cachedBytesPerRank;

  /// `{stages, virtual_stages, chunks, naive_blocks, cached_blocks, partials,
  /// others, naive_bytes_per_token, cached_bytes_per_token[,
  /// naive_bytes_per_rank, cached_bytes_per_rank][, reuse_own_blocks]}`.
  DictionaryAttr toAttr(MLIRContext *context) const;

  /// Prints the per-hop table: one line per hop, the totals, and the bytes
  /// each rank sends when the shapes are static.
  void print(raw_ostream &os) const;
};

/// Chunk assignment, parameters and travelling values of one function, for
/// `getAnalysis<StageTrafficAnalysis>()` on a `FunctionOpInterface` op.
///
/// Chunks: an op of the function body carrying `attnres.chunk = c` starts
/// chunk c; every other op belongs to the chunk of the nearest preceding
/// annotated op of the body, or chunk 0. Ops nested in regions belong to the
/// chunk of their ancestor in the body. Function arguments belong to chunk 0.
///
/// Parameters: the results of a body op that is not an AttnRes op, has no
/// result used as a site source, and is either `ConstantLike` or a cheap
/// parameter fold (`isParameterFold`) without an `attnres.chunk` annotation
/// whose operands (and values captured by its regions) are all parameters.
/// Every rank materializes the parameters it uses; they never travel.
/// AttnRes ops and annotated compute are never parameters: they run in their
/// chunk, on its rank. An op that would be a parameter but has a result used
/// as a site source (a constant embedding) computes inputs instead.
class StageTrafficAnalysis {
public:
  explicit StageTrafficAnalysis(Operation *op);

  /// Whether the annotations are well formed (see `emitError`).
  bool isValid() const { return errorOp == nullptr; }
  /// Emits the annotation error found at construction, located at the
  /// offending op; success when there is none.
  LogicalResult emitError() const;

  /// The analysed function op.
  Operation *getOperation() const { return funcOp; }
  /// Whether any op carries `attnres.chunk`.
  bool hasAnnotations() const { return annotated; }
  /// Largest chunk index that owns an op (0 without annotations).
  int64_t getMaxChunk() const { return maxChunk; }
  /// The op carrying the largest chunk index (null without annotations).
  Operation *getMaxChunkOp() const { return maxChunkOp; }

  /// The body ops (the function's single block), in order.
  ArrayRef<Operation *> getBodyOps() const { return bodyOps; }
  /// Chunk of an op of the body (or nested in one).
  int64_t getChunk(Operation *op) const;
  /// Whether `value` is a parameter.
  bool isParameter(Value value) const { return parameters.contains(value); }
  /// Whether a body op computes parameters only.
  bool isParameterOp(Operation *op) const { return parameterOps.contains(op); }
  /// Whether `value` is an input (see `TravellingValue::isInput`).
  bool isInput(Value value) const;
  /// Kind of any value over the whole function: Block if some site uses it
  /// at a block position, else Partial if some site uses it as its last
  /// source, else Other.
  TravelKind getKind(Value value) const;

  /// Values that cross at least one chunk boundary, in definition order
  /// (arguments first).
  ArrayRef<TravellingValue> getTravellingValues() const { return travelling; }

  /// Traffic per hop for `options`. Fails with a located error when an
  /// option is out of range, an op's chunk is >= P·V, or a byte count (of a
  /// travelling value, a hop, a rank or the per-token totals) does not fit in
  /// int64_t.
  FailureOr<StageTraffic> getTraffic(const StageTrafficOptions &options) const;

private:
  Operation *funcOp = nullptr;
  Operation *errorOp = nullptr;
  std::string errorMessage;
  bool annotated = false;
  int64_t maxChunk = 0;
  Operation *maxChunkOp = nullptr;
  SmallVector<Operation *> bodyOps;
  llvm::DenseMap<Operation *, int64_t> chunkOf;
  llvm::DenseSet<Value> parameters;
  llvm::DenseSet<Operation *> parameterOps;
  /// Results of body ops that would be parameters but feed a site.
  llvm::DenseSet<Value> inputs;
  /// Last chunk using a value at a block position / as the last source.
  llvm::DenseMap<Value, int64_t> blockUses, lastUses;
  SmallVector<TravellingValue> travelling;
};

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_DIALECT_ATTNRES_ANALYSIS_STAGETRAFFIC_H
