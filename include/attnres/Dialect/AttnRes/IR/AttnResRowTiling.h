//===- AttnResRowTiling.h - TilingInterface of the row ops ------*- C++ -*-===//
//
// The TilingInterface of every attnres op whose results have the shape of a
// row-shaped operand, row for row (depth_attn, rms_norm, block_summary,
// depth_attn_merge, depth_attn_norm, depth_attn_merge_norm): the iteration
// domain is the token dimensions of that operand (all but the last, hidden,
// dimension), all parallel; a tile takes those rows of the row-shaped
// operands and destinations (the hidden dimension whole), the query and gain
// whole and the LSE without the hidden dimension.
//
// The ops differ only in their `RowParts`, which each op states in its ODS
// definition (`AttnRes_RowTiling<...>` in AttnResBase.td). That trait also
// generates the op's TilingInterface methods, one-line forwarders to the
// functions below (defined in lib/Dialect/AttnRes/IR/AttnResInterfaces.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_IR_ATTNRESROWTILING_H
#define ATTNRES_DIALECT_ATTNRES_IR_ATTNRESROWTILING_H

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir {
namespace attnres {

/// How a token-row tile takes the operands of a row op.
struct RowParts {
  /// The row-shaped operand whose token dims are the iteration domain and
  /// whose tile type the results take when the op has no destinations.
  Value rows;
  /// Operands taken whole (query, gain).
  SmallVector<OpOperand *, 2> whole;
  /// An operand tiled to the rows without the hidden dim (LSE), or null.
  OpOperand *rowsOnly = nullptr;
  /// The number of destinations (the trailing operands).
  unsigned numInits = 0;
};

/// TilingInterface::getLoopIteratorTypes: one parallel loop per token dim.
SmallVector<utils::IteratorType> getRowIteratorTypes(const RowParts &parts);

/// TilingInterface::getIterationDomain: [0, size) for every token dim of
/// `parts.rows`.
SmallVector<Range> getRowIterationDomain(Operation *op, const RowParts &parts,
                                         OpBuilder &b);

/// TilingInterface::getTiledImplementation: the op on a tile of rows. Every
/// operand but the whole ones is sliced to the tile's rows (in operand
/// order), the properties are kept; the results take the types of the
/// destinations' tiles or, without destinations, of the tile of `rows`. In
/// the memref form the op has no results.
FailureOr<TilingResult>
getTiledRowImplementation(Operation *op, const RowParts &parts, OpBuilder &b,
                          ArrayRef<OpFoldResult> offsets,
                          ArrayRef<OpFoldResult> sizes);

/// TilingInterface::getResultTilePosition: every result is a tile of
/// `rows`, the tile's rows with the hidden dim whole.
LogicalResult getRowResultTilePosition(Operation *op, const RowParts &parts,
                                       OpBuilder &b,
                                       ArrayRef<OpFoldResult> offsets,
                                       ArrayRef<OpFoldResult> sizes,
                                       SmallVector<OpFoldResult> &tileOffsets,
                                       SmallVector<OpFoldResult> &tileSizes);

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_DIALECT_ATTNRES_IR_ATTNRESROWTILING_H
