//===- AttnResOps.cpp - attnres operations --------------------------------===//
//
// Custom assembly directives and verifiers of the attnres operations.
// Verifiers are local: they look at the op's own operands, results and
// attributes only.
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::attnres;

//===----------------------------------------------------------------------===//
// Custom directives
//===----------------------------------------------------------------------===//

/// Parses one type and gives it to every operand of a variadic group whose
/// members all share a type (`[%a, %b] : tensor<4x8xf32>`).
static ParseResult
parseUniformTypes(OpAsmParser &parser,
                  ArrayRef<OpAsmParser::UnresolvedOperand> operands,
                  SmallVectorImpl<Type> &types) {
  Type type;
  if (parser.parseType(type))
    return failure();
  types.assign(operands.size(), type);
  return success();
}

static void printUniformTypes(OpAsmPrinter &printer, Operation *,
                              OperandRange, TypeRange types) {
  if (types.empty()) {
    printer << "none";
    return;
  }
  printer << types.front();
}

/// Like UniformTypes, and the op's single result has the same type.
static ParseResult parseUniformTypesAndResult(
    OpAsmParser &parser, ArrayRef<OpAsmParser::UnresolvedOperand> operands,
    SmallVectorImpl<Type> &types, Type &resultType) {
  if (parseUniformTypes(parser, operands, types))
    return failure();
  if (!types.empty()) {
    resultType = types.front();
    return success();
  }
  return parser.parseType(resultType);
}

static void printUniformTypesAndResult(OpAsmPrinter &printer, Operation *op,
                                       OperandRange operands, TypeRange types,
                                       Type resultType) {
  if (types.empty()) {
    printer << "none " << resultType;
    return;
  }
  printUniformTypes(printer, op, operands, types);
}

//===----------------------------------------------------------------------===//
// Verifier helpers
//===----------------------------------------------------------------------===//

namespace {
/// The token dimensions of a source type: all but the last.
ArrayRef<int64_t> tokenShape(RankedTensorType type) {
  return type.getShape().drop_back();
}

/// Checks a source-like type: rank >= 1 and a non-zero hidden size.
LogicalResult verifySourceLike(Operation *op, Type type, StringRef what) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return op->emitOpError() << "expects " << what
                             << " to be a ranked tensor, got " << type;
  if (tensor.getRank() < 1)
    return op->emitOpError()
           << "expects " << what
           << " to have rank >= 1 (token dims, then the hidden size), got "
           << type;
  if (tensor.getShape().back() == 0)
    return op->emitOpError() << "expects " << what
                             << " to have a non-zero hidden size, got " << type;
  return success();
}

/// Checks a non-empty variadic group of source-like operands sharing one type
/// and returns that type.
FailureOr<RankedTensorType> verifyUniformSources(Operation *op,
                                                 TypeRange types,
                                                 StringRef what) {
  if (types.empty())
    return op->emitOpError() << "expects at least one " << what;
  for (auto [index, type] : llvm::enumerate(types)) {
    if (type != types.front())
      return op->emitOpError()
             << "expects all " << what << "s to have the same type, but "
             << what << " #" << index << " has type " << type << " and " << what
             << " #0 has type " << types.front();
  }
  if (failed(verifySourceLike(op, types.front(), what)))
    return failure();
  return cast<RankedTensorType>(types.front());
}

/// Checks a vector of length D (query or gain) against a source type: rank 1,
/// element type equal to the source's or f32, length D.
LogicalResult verifyVector(Operation *op, Type type, RankedTensorType source,
                           StringRef what) {
  auto vec = dyn_cast<RankedTensorType>(type);
  if (!vec || vec.getRank() != 1)
    return op->emitOpError() << "expects " << what
                             << " to be a 1-D tensor of the hidden size, got "
                             << type;
  Type elem = vec.getElementType();
  if (elem != source.getElementType() && !elem.isF32()) {
    auto diag = op->emitOpError()
                << "expects " << what << " element type to be ";
    if (!source.getElementType().isF32())
      diag << source.getElementType() << " or ";
    return diag << "f32, got " << elem;
  }
  int64_t len = vec.getDimSize(0), hidden = source.getShape().back();
  if (!ShapedType::isDynamic(len) && !ShapedType::isDynamic(hidden) &&
      len != hidden)
    return op->emitOpError() << "expects " << what << " length " << len
                             << " to equal the hidden size " << hidden;
  return success();
}

/// Checks an `[S x] N? x T...` f32 tensor: `leading` dims followed by `tokens`.
LogicalResult verifyTokenShaped(Operation *op, Type type,
                                ArrayRef<int64_t> leading,
                                ArrayRef<int64_t> tokens, StringRef what) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  SmallVector<int64_t> expected(leading);
  llvm::append_range(expected, tokens);
  if (!tensor || tensor.getShape() != ArrayRef<int64_t>(expected)) {
    auto diag = op->emitOpError() << "expects " << what << " to have shape [";
    llvm::interleaveComma(expected, diag, [&](int64_t d) {
      if (ShapedType::isDynamic(d))
        diag << "?";
      else
        diag << d;
    });
    return diag << "], got " << type;
  }
  return success();
}

LogicalResult verifyEps(Operation *op, FloatAttr eps) {
  if (!eps)
    return success();
  // -0.0 is >= 0 (and adds nothing), so only strictly negative values fail.
  const APFloat &value = eps.getValue();
  if (!value.isFinite() || (value.isNegative() && !value.isZero()))
    return op->emitOpError() << "expects eps to be finite and >= 0, got "
                             << value.convertToDouble();
  return success();
}
} // namespace

//===----------------------------------------------------------------------===//
// DepthAttnOp
//===----------------------------------------------------------------------===//

LogicalResult DepthAttnOp::verify() {
  if (failed(verifyEps(*this, getEpsAttr())))
    return failure();
  FailureOr<RankedTensorType> src =
      verifyUniformSources(*this, getSources().getTypes(), "source");
  if (failed(src))
    return failure();
  if (failed(verifyVector(*this, getQuery().getType(), *src, "query")))
    return failure();
  if (getResult().getType() != *src)
    return emitOpError() << "expects the result type to equal the source type "
                         << *src << ", got " << getResult().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// RMSNormOp
//===----------------------------------------------------------------------===//

LogicalResult RMSNormOp::verify() {
  if (failed(verifyEps(*this, getEpsAttr())))
    return failure();
  if (failed(verifySourceLike(*this, getInput().getType(), "input")))
    return failure();
  return verifyVector(*this, getGain().getType(),
                      cast<RankedTensorType>(getInput().getType()), "gain");
}

//===----------------------------------------------------------------------===//
// DepthLogitsOp
//===----------------------------------------------------------------------===//

LogicalResult DepthLogitsOp::verify() {
  FailureOr<RankedTensorType> src =
      verifyUniformSources(*this, getKeys().getTypes(), "key");
  if (failed(src))
    return failure();
  if (failed(verifyVector(*this, getQuery().getType(), *src, "query")))
    return failure();
  int64_t n = getKeys().size();
  return verifyTokenShaped(*this, getResult().getType(), {n}, tokenShape(*src),
                           "the result (source count, then token dims)");
}

//===----------------------------------------------------------------------===//
// DepthSoftmaxOp
//===----------------------------------------------------------------------===//

LogicalResult DepthSoftmaxOp::verify() {
  auto type = cast<RankedTensorType>(getLogits().getType());
  if (type.getRank() < 1)
    return emitOpError() << "expects logits of rank >= 1 (the depth axis, then "
                            "token dims), got "
                         << type;
  if (type.getDimSize(0) == 0)
    return emitOpError() << "expects a non-empty depth axis, got " << type;
  return success();
}

//===----------------------------------------------------------------------===//
// DepthCombineOp
//===----------------------------------------------------------------------===//

LogicalResult DepthCombineOp::verify() {
  FailureOr<RankedTensorType> src =
      verifyUniformSources(*this, getValues().getTypes(), "value");
  if (failed(src))
    return failure();
  int64_t n = getValues().size();
  if (failed(verifyTokenShaped(*this, getWeights().getType(), {n},
                               tokenShape(*src),
                               "weights (source count, then token dims)")))
    return failure();
  if (getResult().getType() != *src)
    return emitOpError() << "expects the result type to equal the value type "
                         << *src << ", got " << getResult().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// BlockSummaryOp
//===----------------------------------------------------------------------===//

LogicalResult BlockSummaryOp::verify() {
  FailureOr<RankedTensorType> src =
      verifyUniformSources(*this, getOutputs().getTypes(), "output");
  if (failed(src))
    return failure();
  if (getResult().getType() != *src)
    return emitOpError() << "expects the result type to equal the output type "
                         << *src << ", got " << getResult().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// DepthAttnStatsOp
//===----------------------------------------------------------------------===//

LogicalResult DepthAttnStatsOp::verify() {
  if (failed(verifyEps(*this, getEpsAttr())))
    return failure();
  FailureOr<RankedTensorType> src =
      verifyUniformSources(*this, getSources().getTypes(), "source");
  if (failed(src))
    return failure();
  auto queries = cast<RankedTensorType>(getQueries().getType());
  if (queries.getRank() != 2)
    return emitOpError() << "expects queries of shape [S, D], got " << queries;
  Type qElem = queries.getElementType();
  if (qElem != src->getElementType() && !qElem.isF32()) {
    auto diag = emitOpError() << "expects queries element type to be ";
    if (!src->getElementType().isF32())
      diag << src->getElementType() << " or ";
    return diag << "f32, got " << qElem;
  }
  int64_t hidden = src->getShape().back(), qLen = queries.getDimSize(1);
  if (!ShapedType::isDynamic(qLen) && !ShapedType::isDynamic(hidden) &&
      qLen != hidden)
    return emitOpError() << "expects query length " << qLen
                         << " to equal the hidden size " << hidden;
  int64_t s = queries.getDimSize(0);
  SmallVector<int64_t> outShape(src->getShape());
  if (failed(verifyTokenShaped(*this, getOutput().getType(), {s}, outShape,
                               "the output (queries, then source shape)")))
    return failure();
  Type outElem = cast<RankedTensorType>(getOutput().getType()).getElementType();
  if (outElem != src->getElementType())
    return emitOpError() << "expects the output element type to be the source "
                            "element type "
                         << src->getElementType() << ", got " << outElem;
  return verifyTokenShaped(*this, getLse().getType(), {s}, tokenShape(*src),
                           "lse (queries, then token dims)");
}

//===----------------------------------------------------------------------===//
// DepthAttnMergeOp
//===----------------------------------------------------------------------===//

LogicalResult DepthAttnMergeOp::verify() {
  if (failed(verifyEps(*this, getEpsAttr())))
    return failure();
  if (failed(verifySourceLike(*this, getSource().getType(), "source")))
    return failure();
  auto src = cast<RankedTensorType>(getSource().getType());
  if (failed(verifyVector(*this, getQuery().getType(), src, "query")))
    return failure();
  return verifyTokenShaped(*this, getLse().getType(), {}, tokenShape(src),
                           "lse (token dims of the source)");
}

//===----------------------------------------------------------------------===//
// Size checks for the passes
//===----------------------------------------------------------------------===//

std::optional<int64_t> mlir::attnres::getStaticSizeInBytes(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasRank())
    return 0;
  Type elem = shaped.getElementType();
  int64_t bytes = elem.isIntOrFloat()
                      ? llvm::divideCeil(elem.getIntOrFloatBitWidth(), 8)
                      : 1;
  std::optional<int64_t> total = bytes;
  for (int64_t dim : shaped.getShape()) {
    if (ShapedType::isDynamic(dim))
      continue;
    total = llvm::checkedMul(*total, dim);
    if (!total)
      return std::nullopt;
  }
  return total;
}

bool mlir::attnres::hasAddressableTypes(Operation *op) {
  auto fits = [](Type type) { return getStaticSizeInBytes(type).has_value(); };
  return llvm::all_of(op->getOperandTypes(), fits) &&
         llvm::all_of(op->getResultTypes(), fits);
}

LogicalResult mlir::attnres::checkAddressableTypes(Operation *op) {
  auto check = [&](Type type, StringRef what, unsigned index) -> LogicalResult {
    if (getStaticSizeInBytes(type))
      return success();
    return op->emitOpError()
           << what << " #" << index << " of type " << type
           << " is too large: its static dimensions span more than 2^63 - 1 "
              "bytes";
  };
  for (auto [i, type] : llvm::enumerate(op->getOperandTypes()))
    if (failed(check(type, "operand", i)))
      return failure();
  for (auto [i, type] : llvm::enumerate(op->getResultTypes()))
    if (failed(check(type, "result", i)))
      return failure();
  return success();
}

#define GET_OP_CLASSES
#include "attnres/Dialect/AttnRes/IR/AttnResOps.cpp.inc"
