//===- Shapes.h - shape helpers shared by the lowerings ---------*- C++ -*-===//
//
// Flattening token dims into rows and back, and the static facts the
// row kernels (CPU vector kernels, GPU kernels) need about an op.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_UTILS_SHAPES_H
#define ATTNRES_DIALECT_ATTNRES_UTILS_SHAPES_H

#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"
#include <optional>

namespace mlir {
namespace attnres {
namespace detail {

/// Reshapes a source `tensor<T_0 x … x T_{k-1} x D x E>` (with `lead` leading
/// non-token dims kept) into `lead` dims, one row dim and, if `hasHidden`, D.
Value flattenRows(OpBuilder &b, Location loc, Value value, unsigned lead,
                  bool hasHidden);

/// Inverse of `flattenRows`: reshapes `flat` back to `type`, taking dynamic
/// sizes from `sizes` (the mixed sizes of the unflattened result).
Value unflattenRows(OpBuilder &b, Location loc, Value flat,
                    RankedTensorType type, ArrayRef<OpFoldResult> sizes,
                    unsigned lead, bool hasHidden);

/// The type of the memref `type` with its token dims (`lead` leading dims
/// and, with `hasHidden`, the last dim kept) as one row dim: a
/// `memref.collapse_shape` when its layout allows it (upstream's
/// `isGuaranteedCollapsible`), a unit row inserted (`memref.expand_shape`)
/// when there is no token dim; `type` itself with one token dim. Null when
/// the layout does not allow it. The buffer counterpart of `flattenRows`,
/// shared by the CPU and GPU kernels on the memref form.
MemRefType rowsTypeOf(MemRefType type, unsigned lead, bool hasHidden);

/// The view of `buffer` of type `rowsTypeOf(...)`; null when there is none.
Value rowsView(OpBuilder &b, Location loc, Value buffer, unsigned lead,
               bool hasHidden);

/// The sizes of the results of a depth_attn, depth_attn_stats or
/// depth_attn_merge, from its operands (dynamic ones as `tensor.dim`s).
SmallVector<SmallVector<OpFoldResult>> siteResultSizes(OpBuilder &b,
                                                       Operation *op);

/// A depth_attn/depth_attn_stats/depth_attn_merge with a result dimension of
/// static size 0 has only empty results (the token dims and the query count
/// are shared): replaces it by `tensor.empty` ops of exactly its result
/// types. Fails, changing nothing, when no result has a static zero size.
/// (Row flattening cannot handle such shapes: collapsing `2x?x0` gives a
/// static 0 that memref.collapse_shape's verifier rejects.)
LogicalResult replaceEmptyResults(PatternRewriter &rewriter, Operation *op);

/// `checkAddressableTypes` on every depth_attn/depth_attn_stats/
/// depth_attn_merge under `root` (each failing op gets its error); fails if
/// any does. The kernel lowerings run it before rewriting anything.
LogicalResult checkAddressableKernelOps(Operation *root);

std::optional<int64_t> staticHidden(Type type);

/// The kernels build plain tensors; ops on encoded tensors are left alone.
/// Whether `op` (depth_attn, depth_attn_stats, depth_attn_merge or a fused
/// depth_attn(_merge)_norm) has destinations (`outs`) or is in its memref
/// form. The fast kernels and the
/// GPU kernels take neither: such ops lower with convert-attnres-to-linalg.
bool hasDestinationsOrBuffers(Operation *op);

bool hasEncodedTensors(Operation *op);

double epsOf(FloatAttr attr);

} // namespace detail
} // namespace attnres
} // namespace mlir

#endif // ATTNRES_DIALECT_ATTNRES_UTILS_SHAPES_H
