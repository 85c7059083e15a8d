//===- AttnResInterfaces.cpp - upstream interfaces of the attnres ops -----===//
//
// ReifyRankedShapedTypeOpInterface (result shapes from operand shapes, by
// the ops' shape relations: reifyResultShapesFromRelations) and
// TilingInterface over the token rows, so upstream drivers
// (`scf::tileUsingSCF`, `transform.structured.tile_using_forall`) can tile
// the ops without knowing them. Every op computes each token row from the
// same rows of its row-shaped operands, so the iteration domain is the token
// dimensions (all but the last, hidden, dimension), all parallel; a tile
// takes those rows of the row-shaped operands (the hidden dimension whole)
// and the query/gain as they are. A destination (`outs`) is tiled like the
// result; the memref form tiles with `memref.subview`s and has no results.
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "attnres/Dialect/AttnRes/IR/AttnResShapeInterfaces.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::attnres;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Size `dim` of `value` (a ranked tensor, or a memref in the ops' memref
/// form) as a folded result.
static OpFoldResult mixedSize(OpBuilder &b, Location loc, Value value,
                              int64_t dim) {
  if (isa<MemRefType>(value.getType()))
    return memref::getMixedSize(b, loc, value, dim);
  return tensor::getMixedSize(b, loc, value, dim);
}

/// The sizes of `value` as folded results.
static SmallVector<OpFoldResult> mixedSizes(OpBuilder &b, Location loc,
                                            Value value) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0, e = cast<ShapedType>(value.getType()).getRank(); d < e;
       ++d)
    sizes.push_back(mixedSize(b, loc, value, d));
  return sizes;
}

/// The token dimensions of a row-shaped value (all but the last).
static int64_t tokenRank(Value rows) {
  return cast<ShapedType>(rows.getType()).getRank() - 1;
}

/// [0, size) for every token dimension of `rows`.
static SmallVector<Range> tokenDomain(OpBuilder &b, Location loc, Value rows) {
  SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, rows);
  SmallVector<Range> domain;
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  for (int64_t d = 0, e = tokenRank(rows); d < e; ++d)
    domain.push_back(Range{zero, sizes[d], one});
  return domain;
}

/// The tile `offsets`/`sizes` of the token dims of a row-shaped value,
/// whole along `leading` leading dims (depth_attn_stats' query dim, size
/// taken from dim 0 of `leadingFrom`) and, with `hidden`, the trailing hidden
/// dim (size taken from the last dim of `hiddenFrom`). The sizes come from
/// operands so that they are available inside a tile loop.
static void rowTile(OpBuilder &b, Location loc, Value leadingFrom, bool leading,
                    ArrayRef<OpFoldResult> offsets,
                    ArrayRef<OpFoldResult> sizes, Value hiddenFrom, bool hidden,
                    SmallVectorImpl<OpFoldResult> &tileOffsets,
                    SmallVectorImpl<OpFoldResult> &tileSizes) {
  tileOffsets.clear();
  tileSizes.clear();
  if (leading) {
    tileOffsets.push_back(b.getIndexAttr(0));
    tileSizes.push_back(mixedSize(b, loc, leadingFrom, 0));
  }
  llvm::append_range(tileOffsets, offsets);
  llvm::append_range(tileSizes, sizes);
  if (hidden) {
    int64_t last = cast<ShapedType>(hiddenFrom.getType()).getRank() - 1;
    tileOffsets.push_back(b.getIndexAttr(0));
    tileSizes.push_back(mixedSize(b, loc, hiddenFrom, last));
  }
}

/// `tensor.extract_slice` (`memref.subview` in the memref form) of a
/// token-row tile of `rows`, whole along a leading query dim with
/// `leading` (depth_attn_stats' destinations).
static Value sliceRows(OpBuilder &b, Location loc, Value rows,
                       ArrayRef<OpFoldResult> offsets,
                       ArrayRef<OpFoldResult> sizes, bool hidden,
                       SmallVectorImpl<Operation *> &slices,
                       bool leading = false) {
  SmallVector<OpFoldResult> tileOffsets, tileSizes;
  rowTile(b, loc, rows, leading, offsets, sizes, rows, hidden, tileOffsets,
          tileSizes);
  SmallVector<OpFoldResult> strides(tileOffsets.size(), b.getIndexAttr(1));
  if (isa<MemRefType>(rows.getType())) {
    auto view = memref::SubViewOp::create(b, loc, rows, tileOffsets, tileSizes,
                                          strides);
    slices.push_back(view);
    return view.getResult();
  }
  auto slice = tensor::ExtractSliceOp::create(b, loc, rows, tileOffsets,
                                              tileSizes, strides);
  slices.push_back(slice);
  return slice.getResult();
}

/// The tiled op's results (none in the memref form).
static SmallVector<Value> resultsOf(Operation *op) {
  return SmallVector<Value>(op->getResults());
}

static SmallVector<utils::IteratorType> parallelLoops(Value rows) {
  return SmallVector<utils::IteratorType>(tokenRank(rows),
                                          utils::IteratorType::parallel);
}

//===----------------------------------------------------------------------===//
// Row ops: one tiling for every op whose results have the shape of a
// row-shaped operand, row for row
//===----------------------------------------------------------------------===//
//
// depth_attn, rms_norm, block_summary, depth_attn_merge and the fused
// depth_attn_norm / depth_attn_merge_norm differ only in which operands a
// tile takes whole (query, gain) or without the hidden dim (LSE); everything
// else (sources, outputs, destinations) is tiled to the tile's rows.

namespace {
/// How a token-row tile takes the operands of a row op.
struct RowParts {
  /// The row-shaped operand whose token dims are the iteration domain and
  /// whose tile type the results take when the op has no destinations.
  Value rows;
  /// Operands taken whole (query, gain).
  SmallVector<OpOperand *, 2> whole;
  /// An operand tiled to the rows without the hidden dim (LSE).
  OpOperand *rowsOnly = nullptr;
};
} // namespace

static RowParts rowParts(DepthAttnOp op) {
  return {op.getSources().front(), {&op.getQueryMutable()}};
}
static RowParts rowParts(RMSNormOp op) {
  return {op.getInput(), {&op.getGainMutable()}};
}
static RowParts rowParts(BlockSummaryOp op) {
  return {op.getOutputs().front(), {}};
}
static RowParts rowParts(DepthAttnMergeOp op) {
  return {op.getOutput(), {&op.getQueryMutable()}, &op.getLseMutable()};
}
static RowParts rowParts(DepthAttnNormOp op) {
  return {op.getSources().front(),
          {&op.getQueryMutable(), &op.getGainMutable()}};
}
static RowParts rowParts(DepthAttnMergeNormOp op) {
  return {op.getSource(),
          {&op.getQueryMutable(), &op.getGainMutable()},
          &op.getLseMutable()};
}

/// The number of destinations of a row op.
template <typename OpT> static unsigned numInits(OpT op) {
  if constexpr (attnres::detail::HasInitRange<OpT>::value)
    return op.getInits().size();
  else
    return op.getInit() ? 1 : 0;
}

/// The tiled op: every operand but the whole ones sliced to the tile's rows
/// (in operand order), the properties kept; the results take the types of
/// the destinations' tiles or, without destinations, of the tile of
/// `rows`. In the memref form the op has no results.
template <typename OpT>
static FailureOr<TilingResult> tileRowOp(OpT op, OpBuilder &b,
                                         ArrayRef<OpFoldResult> offsets,
                                         ArrayRef<OpFoldResult> sizes) {
  Location loc = op.getLoc();
  RowParts parts = rowParts(op);
  SmallVector<Operation *> slices;
  SmallVector<Value> operands;
  Value rowsTile;
  for (OpOperand &operand : op->getOpOperands()) {
    Value value = operand.get();
    if (llvm::is_contained(parts.whole, &operand)) {
      operands.push_back(value);
      continue;
    }
    bool hidden = &operand != parts.rowsOnly;
    operands.push_back(
        sliceRows(b, loc, value, offsets, sizes, hidden, slices));
    if (value == parts.rows && !rowsTile)
      rowsTile = operands.back();
  }
  unsigned inits = numInits(op);
  SmallVector<Type> resultTypes;
  for (unsigned i = 0, e = op->getNumResults(); i < e; ++i)
    resultTypes.push_back(inits
                              ? operands[operands.size() - inits + i].getType()
                              : rowsTile.getType());
  OperationState state(loc, op->getName(), operands, resultTypes);
  state.propertiesAttr = op->getPropertiesAsAttribute();
  Operation *tiled = b.create(state);
  return TilingResult{{tiled}, resultsOf(tiled), slices};
}

template <typename OpT>
static SmallVector<Range> rowIterationDomain(OpT op, OpBuilder &b) {
  return tokenDomain(b, op.getLoc(), rowParts(op).rows);
}

template <typename OpT>
static SmallVector<utils::IteratorType> rowIteratorTypes(OpT op) {
  return parallelLoops(rowParts(op).rows);
}

/// Every result of a row op is a tile of `rows`: the tile's rows, the hidden
/// dim whole.
template <typename OpT>
static LogicalResult
rowResultTilePosition(OpT op, OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                      ArrayRef<OpFoldResult> sizes,
                      SmallVector<OpFoldResult> &tileOffsets,
                      SmallVector<OpFoldResult> &tileSizes) {
  rowTile(b, op.getLoc(), Value(), false, offsets, sizes, rowParts(op).rows,
          true, tileOffsets, tileSizes);
  return success();
}

//===----------------------------------------------------------------------===//
// depth_attn
//===----------------------------------------------------------------------===//

LogicalResult
DepthAttnOp::reifyResultShapes(OpBuilder &b,
                               ReifiedRankedShapedTypeDims &reified) {
  return reifyResultShapesFromRelations(*this, b, reified);
}

SmallVector<utils::IteratorType> DepthAttnOp::getLoopIteratorTypes() {
  return rowIteratorTypes(*this);
}

SmallVector<Range> DepthAttnOp::getIterationDomain(OpBuilder &b) {
  return rowIterationDomain(*this, b);
}

FailureOr<TilingResult>
DepthAttnOp::getTiledImplementation(OpBuilder &b,
                                    ArrayRef<OpFoldResult> offsets,
                                    ArrayRef<OpFoldResult> sizes) {
  return tileRowOp(*this, b, offsets, sizes);
}

LogicalResult DepthAttnOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  return rowResultTilePosition(*this, b, offsets, sizes, resultOffsets,
                               resultSizes);
}

//===----------------------------------------------------------------------===//
// rms_norm
//===----------------------------------------------------------------------===//

LogicalResult
RMSNormOp::reifyResultShapes(OpBuilder &b,
                             ReifiedRankedShapedTypeDims &reified) {
  return reifyResultShapesFromRelations(*this, b, reified);
}

SmallVector<utils::IteratorType> RMSNormOp::getLoopIteratorTypes() {
  return rowIteratorTypes(*this);
}

SmallVector<Range> RMSNormOp::getIterationDomain(OpBuilder &b) {
  return rowIterationDomain(*this, b);
}

FailureOr<TilingResult>
RMSNormOp::getTiledImplementation(OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                                  ArrayRef<OpFoldResult> sizes) {
  return tileRowOp(*this, b, offsets, sizes);
}

LogicalResult RMSNormOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  return rowResultTilePosition(*this, b, offsets, sizes, resultOffsets,
                               resultSizes);
}

//===----------------------------------------------------------------------===//
// block_summary
//===----------------------------------------------------------------------===//

LogicalResult
BlockSummaryOp::reifyResultShapes(OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &reified) {
  return reifyResultShapesFromRelations(*this, b, reified);
}

SmallVector<utils::IteratorType> BlockSummaryOp::getLoopIteratorTypes() {
  return rowIteratorTypes(*this);
}

SmallVector<Range> BlockSummaryOp::getIterationDomain(OpBuilder &b) {
  return rowIterationDomain(*this, b);
}

FailureOr<TilingResult>
BlockSummaryOp::getTiledImplementation(OpBuilder &b,
                                       ArrayRef<OpFoldResult> offsets,
                                       ArrayRef<OpFoldResult> sizes) {
  return tileRowOp(*this, b, offsets, sizes);
}

LogicalResult BlockSummaryOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  return rowResultTilePosition(*this, b, offsets, sizes, resultOffsets,
                               resultSizes);
}

//===----------------------------------------------------------------------===//
// depth_attn_stats
//===----------------------------------------------------------------------===//

LogicalResult
DepthAttnStatsOp::reifyResultShapes(OpBuilder &b,
                                    ReifiedRankedShapedTypeDims &reified) {
  return reifyResultShapesFromRelations(*this, b, reified);
}

SmallVector<utils::IteratorType> DepthAttnStatsOp::getLoopIteratorTypes() {
  return parallelLoops(getSources().front());
}

SmallVector<Range> DepthAttnStatsOp::getIterationDomain(OpBuilder &b) {
  return tokenDomain(b, getLoc(), getSources().front());
}

FailureOr<TilingResult>
DepthAttnStatsOp::getTiledImplementation(OpBuilder &b,
                                         ArrayRef<OpFoldResult> offsets,
                                         ArrayRef<OpFoldResult> sizes) {
  Location loc = getLoc();
  SmallVector<Operation *> slices;
  SmallVector<Value> sources;
  for (Value source : getSources())
    sources.push_back(sliceRows(b, loc, source, offsets, sizes, true, slices));
  if (getHasOuts()) {
    OperandRange inits = getInits();
    Value output =
        sliceRows(b, loc, inits[0], offsets, sizes, true, slices, true);
    Value lse =
        sliceRows(b, loc, inits[1], offsets, sizes, false, slices, true);
    auto tiled = DepthAttnStatsOp::create(b, loc, getQueries(), sources, output,
                                          lse, getEpsAttr());
    return TilingResult{{tiled}, resultsOf(tiled), slices};
  }
  // Result types: the tile's rows behind the query dim.
  auto sourceType = cast<RankedTensorType>(sources.front().getType());
  auto outputType = cast<RankedTensorType>(getOutput().getType());
  auto lseType = cast<RankedTensorType>(getLse().getType());
  SmallVector<int64_t> outputShape{outputType.getDimSize(0)};
  llvm::append_range(outputShape, sourceType.getShape());
  SmallVector<int64_t> lseShape(outputShape.begin(), outputShape.end() - 1);
  auto tiled = DepthAttnStatsOp::create(
      b, loc, RankedTensorType::get(outputShape, outputType.getElementType()),
      RankedTensorType::get(lseShape, lseType.getElementType()), getQueries(),
      sources, getEpsAttr());
  return TilingResult{{tiled}, {tiled.getOutput(), tiled.getLse()}, slices};
}

LogicalResult DepthAttnStatsOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  rowTile(b, getLoc(), getQueries(), true, offsets, sizes, getSources().front(),
          resultNumber == 0, resultOffsets, resultSizes);
  return success();
}

//===----------------------------------------------------------------------===//
// depth_attn_merge
//===----------------------------------------------------------------------===//

LogicalResult
DepthAttnMergeOp::reifyResultShapes(OpBuilder &b,
                                    ReifiedRankedShapedTypeDims &reified) {
  return reifyResultShapesFromRelations(*this, b, reified);
}

SmallVector<utils::IteratorType> DepthAttnMergeOp::getLoopIteratorTypes() {
  return rowIteratorTypes(*this);
}

SmallVector<Range> DepthAttnMergeOp::getIterationDomain(OpBuilder &b) {
  return rowIterationDomain(*this, b);
}

FailureOr<TilingResult>
DepthAttnMergeOp::getTiledImplementation(OpBuilder &b,
                                         ArrayRef<OpFoldResult> offsets,
                                         ArrayRef<OpFoldResult> sizes) {
  return tileRowOp(*this, b, offsets, sizes);
}

LogicalResult DepthAttnMergeOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  return rowResultTilePosition(*this, b, offsets, sizes, resultOffsets,
                               resultSizes);
}

//===----------------------------------------------------------------------===//
// The unfused steps: shapes only
//===----------------------------------------------------------------------===//

LogicalResult
DepthLogitsOp::reifyResultShapes(OpBuilder &b,
                                 ReifiedRankedShapedTypeDims &reified) {
  return reifyResultShapesFromRelations(*this, b, reified);
}

LogicalResult
DepthSoftmaxOp::reifyResultShapes(OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &reified) {
  return reifyResultShapesFromRelations(*this, b, reified);
}

LogicalResult
DepthCombineOp::reifyResultShapes(OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &reified) {
  return reifyResultShapesFromRelations(*this, b, reified);
}

//===----------------------------------------------------------------------===//
// depth_attn_norm, depth_attn_merge_norm
//===----------------------------------------------------------------------===//
//
// Every result (the normalized value and, when kept, `h`) has the sources'
// shape, row for row; the destinations are tiled like the results.

LogicalResult
DepthAttnNormOp::reifyResultShapes(OpBuilder &b,
                                   ReifiedRankedShapedTypeDims &reified) {
  return reifyResultShapesFromRelations(*this, b, reified);
}

SmallVector<utils::IteratorType> DepthAttnNormOp::getLoopIteratorTypes() {
  return rowIteratorTypes(*this);
}

SmallVector<Range> DepthAttnNormOp::getIterationDomain(OpBuilder &b) {
  return rowIterationDomain(*this, b);
}

FailureOr<TilingResult>
DepthAttnNormOp::getTiledImplementation(OpBuilder &b,
                                        ArrayRef<OpFoldResult> offsets,
                                        ArrayRef<OpFoldResult> sizes) {
  return tileRowOp(*this, b, offsets, sizes);
}

LogicalResult DepthAttnNormOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  return rowResultTilePosition(*this, b, offsets, sizes, resultOffsets,
                               resultSizes);
}

LogicalResult
DepthAttnMergeNormOp::reifyResultShapes(OpBuilder &b,
                                        ReifiedRankedShapedTypeDims &reified) {
  return reifyResultShapesFromRelations(*this, b, reified);
}

SmallVector<utils::IteratorType> DepthAttnMergeNormOp::getLoopIteratorTypes() {
  return rowIteratorTypes(*this);
}

SmallVector<Range> DepthAttnMergeNormOp::getIterationDomain(OpBuilder &b) {
  return rowIterationDomain(*this, b);
}

FailureOr<TilingResult>
DepthAttnMergeNormOp::getTiledImplementation(OpBuilder &b,
                                             ArrayRef<OpFoldResult> offsets,
                                             ArrayRef<OpFoldResult> sizes) {
  return tileRowOp(*this, b, offsets, sizes);
}

LogicalResult DepthAttnMergeNormOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  return rowResultTilePosition(*this, b, offsets, sizes, resultOffsets,
                               resultSizes);
}
