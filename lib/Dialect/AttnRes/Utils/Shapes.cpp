//===- Shapes.cpp - shape helpers shared by the lowerings -----------------===//

#include "attnres/Dialect/AttnRes/Utils/Shapes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir {
namespace attnres {
namespace detail {

/// The reassociation between a type of rank `rank` (`lead` leading dims,
/// token dims, the hidden dim if `hasHidden`) and its rows form (one row dim
/// in place of the token dims), and whether the rows form has more dims (no
/// token dim: a unit row dim is inserted) rather than fewer. Shared by the
/// tensor (`flattenRows`, `unflattenRows`) and buffer (`rowsTypeOf`,
/// `rowsView`) forms.
static std::pair<SmallVector<ReassociationIndices>, bool>
rowsReassociation(int64_t rank, unsigned lead, bool hasHidden) {
  int64_t tokens = rank - lead - (hasHidden ? 1 : 0);
  SmallVector<ReassociationIndices> re;
  for (unsigned i = 0; i < lead; ++i)
    re.push_back({int64_t(i)});
  if (tokens == 0) {
    // Insert a unit row dim next to a neighbour (or from rank 0).
    if (hasHidden)
      re.push_back({int64_t(lead), int64_t(lead) + 1});
    else if (lead > 0)
      re.back().push_back(lead);
    return {re, true};
  }
  ReassociationIndices rows;
  for (int64_t i = lead; i < lead + tokens; ++i)
    rows.push_back(i);
  re.push_back(rows);
  if (hasHidden)
    re.push_back({rank - 1});
  return {re, false};
}

Value flattenRows(OpBuilder &b, Location loc, Value value, unsigned lead,
                  bool hasHidden) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rank = type.getRank();
  int64_t tokens = rank - lead - (hasHidden ? 1 : 0);
  if (tokens == 1)
    return value;
  auto [re, expand] = rowsReassociation(rank, lead, hasHidden);
  if (!expand)
    return tensor::CollapseShapeOp::create(b, loc, value, re);
  SmallVector<int64_t> shape(type.getShape().take_front(lead));
  shape.push_back(1);
  if (hasHidden)
    shape.push_back(type.getShape().back());
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), value, re);
}

Value unflattenRows(OpBuilder &b, Location loc, Value flat,
                    RankedTensorType type, ArrayRef<OpFoldResult> sizes,
                    unsigned lead, bool hasHidden) {
  int64_t rank = type.getRank();
  int64_t tokens = rank - lead - (hasHidden ? 1 : 0);
  if (tokens == 1)
    return flat;
  auto [re, expand] = rowsReassociation(rank, lead, hasHidden);
  if (expand)
    return tensor::CollapseShapeOp::create(b, loc, type, flat, re);
  if (llvm::count_if(re[lead],
                     [&](int64_t i) { return type.isDynamicDim(i); }) >= 2) {
    // MLIR 22.1's expand-strided-metadata crashes on a memref.expand_shape
    // that expands into two or more dynamic dims; a reshape with a shape
    // operand lowers without it.
    SmallVector<Value> shape;
    for (OpFoldResult size : sizes)
      shape.push_back(getValueOrCreateConstantIndexOp(b, loc, size));
    Value shapeTensor = tensor::FromElementsOp::create(b, loc, shape);
    return tensor::ReshapeOp::create(b, loc, type, flat, shapeTensor);
  }
  return tensor::ExpandShapeOp::create(b, loc, type, flat, re, sizes);
}

SmallVector<SmallVector<OpFoldResult>> siteResultSizes(OpBuilder &b,
                                                       Operation *op) {
  Location loc = op->getLoc();
  if (auto site = dyn_cast<DepthAttnOp>(op))
    return {tensor::getMixedSizes(b, loc, site.getSources().front())};
  if (auto merge = dyn_cast<DepthAttnMergeOp>(op))
    return {tensor::getMixedSizes(b, loc, merge.getSource())};
  auto stats = cast<DepthAttnStatsOp>(op);
  SmallVector<OpFoldResult> out = {
      tensor::getMixedSize(b, loc, stats.getQueries(), 0)};
  llvm::append_range(out,
                     tensor::getMixedSizes(b, loc, stats.getSources().front()));
  SmallVector<OpFoldResult> lse(out.begin(), std::prev(out.end()));
  return {out, lse};
}

LogicalResult replaceEmptyResults(PatternRewriter &rewriter, Operation *op) {
  if (!isa<DepthAttnOp, DepthAttnStatsOp, DepthAttnMergeOp>(op) ||
      op->getNumOperands() < 2 ||
      llvm::none_of(op->getResultTypes(), [](Type type) {
        auto tensor = dyn_cast<RankedTensorType>(type);
        return tensor && llvm::is_contained(tensor.getShape(), 0);
      }))
    return failure();
  SmallVector<Value> empties;
  for (auto [type, sizes] :
       llvm::zip_equal(op->getResultTypes(), siteResultSizes(rewriter, op))) {
    auto tensor = cast<RankedTensorType>(type);
    // Keep the result type exactly (a size static in the type but read
    // dynamically from an operand would otherwise refine it).
    SmallVector<Value> dynamic;
    for (auto [dim, size] : llvm::zip_equal(tensor.getShape(), sizes))
      if (ShapedType::isDynamic(dim))
        dynamic.push_back(
            getValueOrCreateConstantIndexOp(rewriter, op->getLoc(), size));
    empties.push_back(
        tensor::EmptyOp::create(rewriter, op->getLoc(), tensor, dynamic));
  }
  rewriter.replaceOp(op, empties);
  return success();
}

LogicalResult checkAddressableKernelOps(Operation *root) {
  bool ok = true;
  root->walk([&](Operation *op) {
    if (isa<DepthAttnOp, DepthAttnStatsOp, DepthAttnMergeOp, DepthAttnNormOp,
            DepthAttnMergeNormOp>(op) &&
        failed(checkAddressableTypes(op)))
      ok = false;
  });
  return success(ok);
}

std::optional<int64_t> staticHidden(Type type) {
  // Null for the memref form, whose source types the kernels' dyn_casts to
  // tensors drop: the kernels take tensors only.
  auto tensor = dyn_cast_or_null<RankedTensorType>(type);
  if (!tensor || tensor.getRank() < 1 ||
      ShapedType::isDynamic(tensor.getShape().back()))
    return std::nullopt;
  return tensor.getShape().back();
}

bool hasDestinationsOrBuffers(Operation *op) {
  if (llvm::any_of(op->getOperandTypes(), llvm::IsaPred<MemRefType>))
    return true;
  if (auto site = dyn_cast<DepthAttnOp>(op))
    return bool(site.getInit());
  if (auto stats = dyn_cast<DepthAttnStatsOp>(op))
    return !stats.getInits().empty();
  if (auto merge = dyn_cast<DepthAttnMergeOp>(op))
    return bool(merge.getInit());
  if (auto norm = dyn_cast<RMSNormOp>(op))
    return bool(norm.getInit());
  if (auto sum = dyn_cast<BlockSummaryOp>(op))
    return bool(sum.getInit());
  if (auto logits = dyn_cast<DepthLogitsOp>(op))
    return bool(logits.getInit());
  if (auto softmax = dyn_cast<DepthSoftmaxOp>(op))
    return bool(softmax.getInit());
  if (auto combine = dyn_cast<DepthCombineOp>(op))
    return bool(combine.getInit());
  if (auto grad = dyn_cast<DepthAttnGradOp>(op))
    return !grad.getInits().empty();
  if (auto grad = dyn_cast<RMSNormGradOp>(op))
    return !grad.getInits().empty();
  if (auto grad = dyn_cast<DepthAttnStatsGradOp>(op))
    return !grad.getInits().empty();
  if (auto grad = dyn_cast<DepthAttnMergeGradOp>(op))
    return !grad.getInits().empty();
  if (auto fused = dyn_cast<DepthAttnNormOp>(op))
    return !fused.getInits().empty();
  if (auto fused = dyn_cast<DepthAttnMergeNormOp>(op))
    return !fused.getInits().empty();
  return false;
}

bool hasEncodedTensors(Operation *op) {
  auto encoded = [](Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    return tensor && tensor.getEncoding();
  };
  return llvm::any_of(op->getOperandTypes(), encoded) ||
         llvm::any_of(op->getResultTypes(), encoded);
}

double epsOf(FloatAttr attr) {
  return attr ? attr.getValue().convertToDouble() : 1.0e-5;
}

MemRefType rowsTypeOf(MemRefType type, unsigned lead, bool hasHidden) {
  int64_t rank = type.getRank();
  int64_t tokens = rank - lead - (hasHidden ? 1 : 0);
  if (tokens < 0)
    return {};
  if (tokens == 1)
    return type;
  auto [re, expand] = rowsReassociation(rank, lead, hasHidden);
  if (!expand) {
    if (!memref::CollapseShapeOp::isGuaranteedCollapsible(type, re))
      return {};
    return memref::CollapseShapeOp::computeCollapsedType(type, re);
  }
  SmallVector<int64_t> shape(type.getShape().take_front(lead));
  shape.push_back(1);
  if (hasHidden)
    shape.push_back(type.getShape().back());
  FailureOr<MemRefType> expanded =
      memref::ExpandShapeOp::computeExpandedType(type, shape, re);
  return succeeded(expanded) ? *expanded : MemRefType();
}

Value rowsView(OpBuilder &b, Location loc, Value buffer, unsigned lead,
               bool hasHidden) {
  auto type = dyn_cast<MemRefType>(buffer.getType());
  MemRefType rowsType = type ? rowsTypeOf(type, lead, hasHidden) : MemRefType();
  if (!rowsType)
    return Value();
  if (rowsType == type)
    return buffer;
  auto [re, expand] = rowsReassociation(type.getRank(), lead, hasHidden);
  if (expand)
    return memref::ExpandShapeOp::create(b, loc, rowsType, buffer, re);
  return memref::CollapseShapeOp::create(b, loc, rowsType, buffer, re);
}

} // namespace detail
} // namespace attnres
} // namespace mlir
