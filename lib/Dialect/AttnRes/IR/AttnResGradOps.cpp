//===- AttnResGradOps.cpp - attnres gradient operations -------------------===//
//
// Verifiers of the gradient (backward) ops. Like the forward ops' verifiers
// they are local: operands, results and attributes only. The op classes are
// generated into AttnResOps.cpp.inc (AttnResGradOps.td is included by
// AttnResOps.td).
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::attnres;

namespace {

LogicalResult verifyGradEps(Operation *op, FloatAttr eps) {
  if (!eps)
    return success();
  const APFloat &value = eps.getValue();
  if (!value.isFinite() || (value.isNegative() && !value.isZero()))
    return op->emitOpError() << "expects eps to be finite and >= 0, got "
                             << value.convertToDouble();
  return success();
}

/// A source-like type: ranked, rank >= 1, non-zero hidden size.
FailureOr<RankedTensorType> verifyGradSource(Operation *op, Type type,
                                             StringRef what) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || tensor.getRank() < 1)
    return op->emitOpError()
           << "expects " << what
           << " to have rank >= 1 (token dims, then the hidden size), got "
           << type;
  if (tensor.getShape().back() == 0)
    return op->emitOpError() << "expects " << what
                             << " to have a non-zero hidden size, got " << type;
  return tensor;
}

/// A non-empty group of sources of one type.
FailureOr<RankedTensorType> verifyGradSources(Operation *op, TypeRange types) {
  if (types.empty())
    return op->emitOpError() << "expects at least one source";
  for (auto [index, type] : llvm::enumerate(types))
    if (type != types.front())
      return op->emitOpError()
             << "expects all sources to have the same type, but source #"
             << index << " has type " << type << " and source #0 has type "
             << types.front();
  return verifyGradSource(op, types.front(), "source");
}

/// Element type of a query/gain: the sources' or f32.
LogicalResult verifyGradElement(Operation *op, Type elem, Type sourceElem,
                                StringRef what) {
  if (elem == sourceElem || elem.isF32())
    return success();
  auto diag = op->emitOpError() << "expects " << what << " element type to be ";
  if (!sourceElem.isF32())
    diag << sourceElem << " or ";
  return diag << "f32, got " << elem;
}

/// A rank-1 vector of the hidden size (query or gain).
LogicalResult verifyGradVector(Operation *op, Type type,
                               RankedTensorType source, StringRef what) {
  auto vec = dyn_cast<RankedTensorType>(type);
  if (!vec || vec.getRank() != 1)
    return op->emitOpError()
           << "expects " << what
           << " to be a 1-D tensor of the hidden size, got " << type;
  if (failed(verifyGradElement(op, vec.getElementType(),
                               source.getElementType(), what)))
    return failure();
  int64_t len = vec.getDimSize(0), hidden = source.getShape().back();
  if (!ShapedType::isDynamic(len) && !ShapedType::isDynamic(hidden) &&
      len != hidden)
    return op->emitOpError() << "expects " << what << " length " << len
                             << " to equal the hidden size " << hidden;
  return success();
}

/// `type` has exactly the shape `leading ++ tokens` (dynamic sizes must match
/// as dynamic).
LogicalResult verifyGradShape(Operation *op, Type type,
                              ArrayRef<int64_t> expected, StringRef what) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (tensor && tensor.getShape() == expected)
    return success();
  auto diag = op->emitOpError() << "expects " << what << " to have shape [";
  llvm::interleaveComma(expected, diag, [&](int64_t d) {
    if (ShapedType::isDynamic(d))
      diag << "?";
    else
      diag << d;
  });
  return diag << "], got " << type;
}

/// Every source gradient has the source type, one per source.
LogicalResult verifySourceGrads(Operation *op, TypeRange grads,
                                size_t numSources, RankedTensorType source) {
  if (grads.size() != numSources)
    return op->emitOpError() << "expects one source gradient per source ("
                             << numSources << "), got " << grads.size();
  for (auto [index, type] : llvm::enumerate(grads))
    if (type != source)
      return op->emitOpError()
             << "expects source gradient #" << index
             << " to have the source type " << source << ", got " << type;
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// DepthAttnGradOp
//===----------------------------------------------------------------------===//

LogicalResult DepthAttnGradOp::verify() {
  if (failed(verifyGradEps(*this, getEpsAttr())))
    return failure();
  FailureOr<RankedTensorType> src =
      verifyGradSources(*this, getSources().getTypes());
  if (failed(src))
    return failure();
  if (failed(verifyGradVector(*this, getQuery().getType(), *src, "query")))
    return failure();
  if (getGrad().getType() != *src)
    return emitOpError() << "expects the result gradient to have the source "
                            "type "
                         << *src << ", got " << getGrad().getType();
  return verifySourceGrads(*this, getSourceGrads().getTypes(),
                           getSources().size(), *src);
}

//===----------------------------------------------------------------------===//
// RMSNormGradOp
//===----------------------------------------------------------------------===//

LogicalResult RMSNormGradOp::verify() {
  if (failed(verifyGradEps(*this, getEpsAttr())))
    return failure();
  FailureOr<RankedTensorType> input =
      verifyGradSource(*this, getInput().getType(), "input");
  if (failed(input))
    return failure();
  return verifyGradVector(*this, getGain().getType(), *input, "gain");
}

//===----------------------------------------------------------------------===//
// DepthAttnStatsGradOp
//===----------------------------------------------------------------------===//

LogicalResult DepthAttnStatsGradOp::verify() {
  if (failed(verifyGradEps(*this, getEpsAttr())))
    return failure();
  FailureOr<RankedTensorType> src =
      verifyGradSources(*this, getSources().getTypes());
  if (failed(src))
    return failure();
  auto queries = cast<RankedTensorType>(getQueries().getType());
  if (queries.getRank() != 2)
    return emitOpError() << "expects queries of shape [S, D], got " << queries;
  if (failed(verifyGradElement(*this, queries.getElementType(),
                               src->getElementType(), "queries")))
    return failure();
  int64_t hidden = src->getShape().back(), qLen = queries.getDimSize(1);
  if (!ShapedType::isDynamic(qLen) && !ShapedType::isDynamic(hidden) &&
      qLen != hidden)
    return emitOpError() << "expects query length " << qLen
                         << " to equal the hidden size " << hidden;
  SmallVector<int64_t> rows = {queries.getDimSize(0)};
  llvm::append_range(rows, src->getShape().drop_back());
  if (failed(verifyGradShape(*this, getLse().getType(), rows,
                             "lse (queries, then token dims)")))
    return failure();
  SmallVector<int64_t> outShape(rows);
  outShape.push_back(hidden);
  if (failed(verifyGradShape(*this, getOutputGrad().getType(), outShape,
                             "the output gradient (queries, then source "
                             "shape)")))
    return failure();
  Type outElem =
      cast<RankedTensorType>(getOutputGrad().getType()).getElementType();
  if (outElem != src->getElementType())
    return emitOpError() << "expects the output gradient element type to be "
                            "the source element type "
                         << src->getElementType() << ", got " << outElem;
  return verifySourceGrads(*this, getSourceGrads().getTypes(),
                           getSources().size(), *src);
}

//===----------------------------------------------------------------------===//
// DepthAttnMergeGradOp
//===----------------------------------------------------------------------===//

LogicalResult DepthAttnMergeGradOp::verify() {
  if (failed(verifyGradEps(*this, getEpsAttr())))
    return failure();
  FailureOr<RankedTensorType> src =
      verifyGradSource(*this, getSource().getType(), "source");
  if (failed(src))
    return failure();
  if (failed(verifyGradVector(*this, getQuery().getType(), *src, "query")))
    return failure();
  return verifyGradShape(*this, getLse().getType(), src->getShape().drop_back(),
                         "lse (token dims of the source)");
}
