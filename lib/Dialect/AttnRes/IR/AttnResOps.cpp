//===- AttnResOps.cpp - attnres operations --------------------------------===//
//
// Verifiers, builders and custom assembly of the attnres operations.
// Verifiers are local: they look at the op's own operands, results and
// attributes only. The helpers shared with the gradient ops
// (AttnResGradOps.cpp) are declared in AttnResOpHelpers.h.
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "AttnResOpHelpers.h"
#include "attnres/Dialect/AttnRes/IR/AttnResShapeInterfaces.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::attnres;
using namespace mlir::attnres::detail;

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

static void printUniformTypes(OpAsmPrinter &printer, Operation *, OperandRange,
                              TypeRange types) {
  if (types.empty()) {
    printer << "none";
    return;
  }
  printer << types.front();
}

//===----------------------------------------------------------------------===//
// Verifier helpers
//===----------------------------------------------------------------------===//

namespace mlir::attnres::detail {
/// The token dimensions of a source type: all but the last.
ArrayRef<int64_t> tokenShape(ShapedType type) {
  return type.getShape().drop_back();
}

/// A ranked tensor, or (the ops' memref form) a memref.
ShapedType rankedShaped(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return tensor;
  return dyn_cast<MemRefType>(type);
}

/// Types that agree but for their sizes, which the op's shape relations
/// (`describe()`, checked by `verifyShapeRelations`) relate: both ranked
/// tensors of one rank, element type and encoding, or both memrefs of one
/// rank, element type and memory space.
bool sameTypeModuloShape(Type a, Type b) {
  if (a == b)
    return true;
  ShapedType sa = rankedShaped(a), sb = rankedShaped(b);
  if (!sa || !sb || sa.getRank() != sb.getRank() ||
      sa.getElementType() != sb.getElementType())
    return false;
  if (auto ta = dyn_cast<RankedTensorType>(a)) {
    auto tb = dyn_cast<RankedTensorType>(b);
    return tb && ta.getEncoding() == tb.getEncoding();
  }
  auto ma = dyn_cast<MemRefType>(a), mb = dyn_cast<MemRefType>(b);
  return ma && mb && ma.getMemorySpace() == mb.getMemorySpace();
}

/// Checks a source-like type: rank >= 1 (the hidden size is non-zero by the
/// shape relations).
LogicalResult verifySourceLike(Operation *op, Type type, StringRef what) {
  ShapedType tensor = rankedShaped(type);
  if (!tensor)
    return op->emitOpError()
           << "expects " << what << " to be a ranked tensor, got " << type;
  if (tensor.getRank() < 1)
    return op->emitOpError()
           << "expects " << what
           << " to have rank >= 1 (token dims, then the hidden size), got "
           << type;
  return success();
}

/// Checks a non-empty variadic group of source-like operands sharing one type
/// but for sizes (one shape is a shape relation) and returns the first.
FailureOr<ShapedType> verifyUniformSources(Operation *op, TypeRange types,
                                           StringRef what) {
  if (types.empty())
    return op->emitOpError() << "expects at least one " << what;
  for (auto [index, type] : llvm::enumerate(types)) {
    if (!sameTypeModuloShape(type, types.front()))
      return op->emitOpError()
             << "expects all " << what << "s to have the same type, but "
             << what << " #" << index << " has type " << type << " and " << what
             << " #0 has type " << types.front();
  }
  if (failed(verifySourceLike(op, types.front(), what)))
    return failure();
  return rankedShaped(types.front());
}

/// Checks a vector of length D (query or gain) against a source type: rank 1,
/// element type equal to the source's or f32 (the length is a shape
/// relation).
LogicalResult verifyVector(Operation *op, Type type, ShapedType source,
                           StringRef what) {
  ShapedType vec = rankedShaped(type);
  if (!vec || vec.getRank() != 1)
    return op->emitOpError()
           << "expects " << what
           << " to be a 1-D tensor of the hidden size, got " << type;
  Type elem = vec.getElementType();
  if (elem != source.getElementType() && !elem.isF32()) {
    auto diag = op->emitOpError()
                << "expects " << what << " element type to be ";
    if (!source.getElementType().isF32())
      diag << source.getElementType() << " or ";
    return diag << "f32, got " << elem;
  }
  return success();
}

/// Checks the rank of an `[S x] N? x T...` value: `leading` dims followed by
/// `tokens` (the sizes are shape relations; the message shows them).
LogicalResult verifyTokenShaped(Operation *op, Type type,
                                ArrayRef<int64_t> leading,
                                ArrayRef<int64_t> tokens, StringRef what) {
  ShapedType tensor = rankedShaped(type);
  SmallVector<int64_t> expected(leading);
  llvm::append_range(expected, tokens);
  if (!tensor || tensor.getRank() != static_cast<int64_t>(expected.size())) {
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

/// The two forms of the ops with destinations: every shaped operand a
/// tensor and `numResults` results (the value form, destinations
/// optional), or every one a memref, the destinations present and no
/// results (the memref form, after bufferization).
LogicalResult verifyForm(Operation *op, bool hasOuts, unsigned numResults) {
  bool anyMemRef =
      llvm::any_of(op->getOperandTypes(), llvm::IsaPred<MemRefType>);
  bool anyTensor =
      llvm::any_of(op->getOperandTypes(), llvm::IsaPred<TensorType>);
  if (anyMemRef && anyTensor)
    return op->emitOpError()
           << "expects all operands to be tensors or all to be memrefs (the "
              "form after bufferization)";
  if (anyMemRef) {
    if (op->getNumResults() != 0)
      return op->emitOpError() << "expects no results in the memref form, got "
                               << op->getNumResults();
    if (!hasOuts)
      return op->emitOpError()
             << "expects destinations (outs) in the memref form";
    return success();
  }
  if (op->getNumResults() != numResults)
    return op->emitOpError() << "expects " << numResults
                             << (numResults == 1 ? " result" : " results")
                             << " on tensors, got " << op->getNumResults();
  return success();
}

/// A destination: the result's type on tensors; on memrefs the rank and
/// element type of `expected` (any layout). Its sizes are shape relations.
LogicalResult verifyInit(Operation *op, Type init, ShapedType expected,
                         StringRef what) {
  if (auto memref = dyn_cast<MemRefType>(init)) {
    if (memref.getRank() == expected.getRank() &&
        memref.getElementType() == expected.getElementType())
      return success();
    return op->emitOpError() << "expects the destination to have the shape "
                                "and element type of "
                             << what << " " << expected << ", got " << init;
  }
  if (sameTypeModuloShape(init, expected))
    return success();
  return op->emitOpError() << "expects the destination type to equal the "
                              "result type "
                           << expected << ", got " << init;
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
} // namespace mlir::attnres::detail

//===----------------------------------------------------------------------===//
// DepthAttnOp
//===----------------------------------------------------------------------===//

LogicalResult DepthAttnOp::verify() {
  if (failed(verifyEps(*this, getEpsAttr())))
    return failure();
  if (failed(verifyForm(*this, getHasOuts(), 1)))
    return failure();
  FailureOr<ShapedType> src =
      verifyUniformSources(*this, getSources().getTypes(), "source");
  if (failed(src))
    return failure();
  if (failed(verifyVector(*this, getQuery().getType(), *src, "query")))
    return failure();
  if (getResult() && !sameTypeModuloShape(getResult().getType(), *src))
    return emitOpError() << "expects the result type to equal the source type "
                         << *src << ", got " << getResult().getType();
  if (Value init = getInit())
    if (failed(verifyInit(*this, init.getType(), *src, "the source type")))
      return failure();
  return verifyShapeRelations(*this);
}

//===----------------------------------------------------------------------===//
// RMSNormOp
//===----------------------------------------------------------------------===//

LogicalResult RMSNormOp::verify() {
  if (failed(verifyEps(*this, getEpsAttr())))
    return failure();
  if (failed(verifyForm(*this, bool(getInit()), 1)))
    return failure();
  if (getResult() &&
      !sameTypeModuloShape(getResult().getType(), getInput().getType()))
    return emitOpError()
           << "failed to verify that all of {input, result} have same type";
  if (failed(verifySourceLike(*this, getInput().getType(), "input")))
    return failure();
  ShapedType input = rankedShaped(getInput().getType());
  if (failed(verifyVector(*this, getGain().getType(), input, "gain")))
    return failure();
  if (Value init = getInit())
    if (failed(verifyInit(*this, init.getType(), input, "the input type")))
      return failure();
  return verifyShapeRelations(*this);
}

//===----------------------------------------------------------------------===//
// DepthLogitsOp
//===----------------------------------------------------------------------===//

LogicalResult DepthLogitsOp::verify() {
  if (failed(verifyForm(*this, getHasOuts(), 1)))
    return failure();
  FailureOr<ShapedType> src =
      verifyUniformSources(*this, getKeys().getTypes(), "key");
  if (failed(src))
    return failure();
  if (failed(verifyVector(*this, getQuery().getType(), *src, "query")))
    return failure();
  int64_t n = getKeys().size();
  if (Value result = getResult()) {
    if (failed(verifyTokenShaped(*this, result.getType(), {n}, tokenShape(*src),
                                 "the result (source count, then token dims)")))
      return failure();
    if (Value init = getInit())
      if (failed(
              verifyInit(*this, init.getType(), getType(), "the result type")))
        return failure();
    return verifyShapeRelations(*this);
  }
  // The memref form: the destination is what the result would be.
  Value init = getInit();
  if (failed(verifyTokenShaped(*this, init.getType(), {n}, tokenShape(*src),
                               "the destination (source count, then token "
                               "dims)")))
    return failure();
  if (!rankedShaped(init.getType()).getElementType().isF32())
    return emitOpError() << "expects the destination to have element type "
                            "f32, got "
                         << init.getType();
  return verifyShapeRelations(*this);
}

//===----------------------------------------------------------------------===//
// DepthSoftmaxOp
//===----------------------------------------------------------------------===//

LogicalResult DepthSoftmaxOp::verify() {
  if (failed(verifyForm(*this, bool(getInit()), 1)))
    return failure();
  if (getResult() &&
      !sameTypeModuloShape(getResult().getType(), getLogits().getType()))
    return emitOpError()
           << "failed to verify that all of {logits, result} have same type";
  ShapedType type = rankedShaped(getLogits().getType());
  if (Value init = getInit())
    if (failed(verifyInit(*this, init.getType(), type, "the logits type")))
      return failure();
  if (type.getRank() < 1)
    return emitOpError() << "expects logits of rank >= 1 (the depth axis, then "
                            "token dims), got "
                         << type;
  return verifyShapeRelations(*this);
}

//===----------------------------------------------------------------------===//
// DepthCombineOp
//===----------------------------------------------------------------------===//

LogicalResult DepthCombineOp::verify() {
  if (failed(verifyForm(*this, getHasOuts(), 1)))
    return failure();
  FailureOr<ShapedType> src =
      verifyUniformSources(*this, getValues().getTypes(), "value");
  if (failed(src))
    return failure();
  int64_t n = getValues().size();
  if (failed(verifyTokenShaped(*this, getWeights().getType(), {n},
                               tokenShape(*src),
                               "weights (source count, then token dims)")))
    return failure();
  if (Value init = getInit())
    if (failed(verifyInit(*this, init.getType(), *src, "the value type")))
      return failure();
  if (getResult() && !sameTypeModuloShape(getResult().getType(), *src))
    return emitOpError() << "expects the result type to equal the value type "
                         << *src << ", got " << getResult().getType();
  return verifyShapeRelations(*this);
}

//===----------------------------------------------------------------------===//
// BlockSummaryOp
//===----------------------------------------------------------------------===//

LogicalResult BlockSummaryOp::verify() {
  if (failed(verifyForm(*this, getHasOuts(), 1)))
    return failure();
  FailureOr<ShapedType> src =
      verifyUniformSources(*this, getOutputs().getTypes(), "output");
  if (failed(src))
    return failure();
  if (getResult() && !sameTypeModuloShape(getResult().getType(), *src))
    return emitOpError() << "expects the result type to equal the output type "
                         << *src << ", got " << getResult().getType();
  if (Value init = getInit())
    if (failed(verifyInit(*this, init.getType(), *src, "the output type")))
      return failure();
  return verifyShapeRelations(*this);
}

//===----------------------------------------------------------------------===//
// DepthAttnStatsOp
//===----------------------------------------------------------------------===//

LogicalResult DepthAttnStatsOp::verify() {
  if (failed(verifyEps(*this, getEpsAttr())))
    return failure();
  if (getHasOuts() && getInits().size() != 2)
    return emitOpError() << "expects two destinations (output, lse), got "
                         << getInits().size();
  if (failed(verifyForm(*this, getHasOuts(), 2)))
    return failure();
  FailureOr<ShapedType> src =
      verifyUniformSources(*this, getSources().getTypes(), "source");
  if (failed(src))
    return failure();
  auto queries = rankedShaped(getQueries().getType());
  if (queries.getRank() != 2)
    return emitOpError() << "expects queries of shape [S, D], got " << queries;
  Type qElem = queries.getElementType();
  if (qElem != src->getElementType() && !qElem.isF32()) {
    auto diag = emitOpError() << "expects queries element type to be ";
    if (!src->getElementType().isF32())
      diag << src->getElementType() << " or ";
    return diag << "f32, got " << qElem;
  }
  // The output and LSE: the results (tensor form) or the destinations
  // (memref form).
  ValueRange outs = getNumResults() ? ValueRange(getResults()) : getInits();
  int64_t s = queries.getDimSize(0);
  SmallVector<int64_t> outShape(src->getShape());
  if (failed(verifyTokenShaped(*this, outs[0].getType(), {s}, outShape,
                               "the output (queries, then source shape)")))
    return failure();
  Type outElem = rankedShaped(outs[0].getType()).getElementType();
  if (outElem != src->getElementType())
    return emitOpError() << "expects the output element type to be the source "
                            "element type "
                         << src->getElementType() << ", got " << outElem;
  if (failed(verifyTokenShaped(*this, outs[1].getType(), {s}, tokenShape(*src),
                               "lse (queries, then token dims)")))
    return failure();
  if (!rankedShaped(outs[1].getType()).getElementType().isF32())
    return emitOpError() << "expects lse to have element type f32, got "
                         << outs[1].getType();
  if (getNumResults() && getHasOuts())
    for (auto [init, result] : llvm::zip_equal(getInits(), getResults()))
      if (!sameTypeModuloShape(init.getType(), result.getType()))
        return emitOpError()
               << "expects each destination to have its result's type "
               << result.getType() << ", got " << init.getType();
  return verifyShapeRelations(*this);
}

//===----------------------------------------------------------------------===//
// DepthAttnMergeOp
//===----------------------------------------------------------------------===//

LogicalResult DepthAttnMergeOp::verify() {
  if (failed(verifyEps(*this, getEpsAttr())))
    return failure();
  if (failed(verifyForm(*this, bool(getInit()), 1)))
    return failure();
  Type outputType = getOutput().getType();
  if (!sameTypeModuloShape(outputType, getSource().getType()) ||
      (getResult() && !sameTypeModuloShape(getResult().getType(), outputType)))
    return emitOpError()
           << "failed to verify that all of {output, source, result} have "
              "same type";
  if (failed(verifySourceLike(*this, getSource().getType(), "source")))
    return failure();
  ShapedType src = rankedShaped(getSource().getType());
  if (failed(verifyVector(*this, getQuery().getType(), src, "query")))
    return failure();
  if (failed(verifyTokenShaped(*this, getLse().getType(), {}, tokenShape(src),
                               "lse (token dims of the source)")))
    return failure();
  if (Value init = getInit())
    if (failed(verifyInit(*this, init.getType(), src, "the source type")))
      return failure();
  return verifyShapeRelations(*this);
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

//===----------------------------------------------------------------------===//
// Destinations, forms, builders and assembly of the ops with destinations
//===----------------------------------------------------------------------===//

namespace mlir::attnres::detail {
/// Operand index range [begin, end) of the sources in a sources-then-outs
/// group starting at operand `first`, with `numOuts` trailing destinations.
static std::pair<unsigned, unsigned> sourceRange(Operation *op, unsigned first,
                                                 unsigned numOuts) {
  unsigned end = op->getNumOperands();
  unsigned outs = std::min(numOuts, end - first);
  return {first, end - outs};
}

OperandRange getOperandGroup(Operation *op, unsigned first, unsigned numOuts) {
  auto [begin, end] = sourceRange(op, first, numOuts);
  return op->getOperands().slice(begin, end - begin);
}

MutableOperandRange getOperandGroupMutable(Operation *op, unsigned first,
                                           unsigned numOuts) {
  auto [begin, end] = sourceRange(op, first, numOuts);
  return MutableOperandRange(op, begin, end - begin);
}

OperandRange getGroupInits(Operation *op, unsigned first, unsigned numOuts) {
  auto [begin, end] = sourceRange(op, first, numOuts);
  return op->getOperands().drop_front(end);
}

MutableOperandRange getGroupInitsMutable(Operation *op, unsigned first,
                                         unsigned numOuts) {
  auto [begin, end] = sourceRange(op, first, numOuts);
  return MutableOperandRange(op, end, op->getNumOperands() - end);
}

bool hasMemRefOperands(Operation *op) {
  return llvm::any_of(op->getOperandTypes(), llvm::IsaPred<MemRefType>);
}

/// Memory effects of the memref form: reads every memref operand but the
/// destinations, writes the destinations. The value form has none.
void getDestinationFormEffects(
    Operation *op, unsigned numInits,
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  unsigned initsBegin =
      op->getNumOperands() - std::min<unsigned>(numInits, op->getNumOperands());
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    if (operand.getOperandNumber() >= initsBegin) {
      effects.emplace_back(MemoryEffects::Write::get(), &operand,
                           SideEffects::DefaultResource::get());
      continue;
    }
    effects.emplace_back(MemoryEffects::Read::get(), &operand,
                         SideEffects::DefaultResource::get());
  }
}

void addOuts(OpBuilder &b, OperationState &state, ValueRange inits,
             bool hasOutsAttr) {
  state.addOperands(inits);
  if (hasOutsAttr)
    state.addAttribute("has_outs", b.getUnitAttr());
  if (!inits.empty() && isa<RankedTensorType>(inits.front().getType()))
    state.addTypes(inits.getTypes());
}

SmallVector<Value, 1> optionalOuts(Value init) {
  SmallVector<Value, 1> outs;
  if (init)
    outs.push_back(init);
  return outs;
}

Value trailingInit(Operation *op, bool hasOuts, unsigned minOperands) {
  if (!hasOuts || op->getNumOperands() < minOperands)
    return Value();
  return op->getOperands().back();
}

void addEps(OperationState &state, FloatAttr eps) {
  if (eps)
    state.addAttribute("eps", eps);
}

/// Parses `outs(%a, %b : T, U)` if present.
ParseResult
parseOptionalOuts(OpAsmParser &parser,
                  SmallVectorImpl<OpAsmParser::UnresolvedOperand> &outs,
                  SmallVectorImpl<Type> &outTypes, bool &present) {
  present = succeeded(parser.parseOptionalKeyword("outs"));
  if (!present)
    return success();
  if (parser.parseLParen() || parser.parseOperandList(outs) ||
      parser.parseColonTypeList(outTypes) || parser.parseRParen())
    return failure();
  if (outs.size() != outTypes.size())
    return parser.emitError(parser.getCurrentLocation())
           << "expected as many destination types as destinations";
  return success();
}

void printOuts(OpAsmPrinter &printer, ValueRange outs) {
  if (outs.empty())
    return;
  printer << " outs(" << outs << " : " << outs.getTypes() << ")";
}

/// The attribute dictionary without `has_outs` (printed as `outs(...)`) and
/// without a default `eps`, as the generated printers elide it.
void printAttrs(OpAsmPrinter &printer, Operation *op, FloatAttr eps) {
  SmallVector<StringRef> elided = {"has_outs"};
  if (!eps || eps == Builder(op->getContext()).getF32FloatAttr(1.0e-5f))
    elided.push_back("eps");
  printer.printOptionalAttrDict(op->getAttrDictionary().getValue(), elided);
}

/// `%q, [%v, ...] outs(...)? attr-dict : T_q, T_v (-> results)?`, the
/// assembly of depth_attn and depth_attn_stats.
template <typename OpTy>
ParseResult parseSourcesAndOuts(OpAsmParser &parser, OperationState &result,
                                unsigned numOuts) {
  OpAsmParser::UnresolvedOperand query;
  SmallVector<OpAsmParser::UnresolvedOperand> sources, outs;
  SmallVector<Type> outTypes, resultTypes;
  Type queryType, sourceType;
  bool hasOuts = false;
  SMLoc outsLoc;
  if (parser.parseOperand(query) || parser.parseComma() ||
      parser.parseLSquare() || parser.parseOperandList(sources) ||
      parser.parseRSquare())
    return failure();
  outsLoc = parser.getCurrentLocation();
  if (parseOptionalOuts(parser, outs, outTypes, hasOuts))
    return failure();
  if (hasOuts && outs.size() != numOuts)
    return parser.emitError(outsLoc)
           << "expected " << numOuts
           << (numOuts == 1 ? " destination" : " destinations");
  // One type for all sources, or (memref form, layouts differing) a
  // parenthesized list of them.
  SmallVector<Type> sourceTypes;
  if (parser.parseOptionalAttrDict(result.attributes) || parser.parseColon() ||
      parser.parseType(queryType) || parser.parseComma())
    return failure();
  if (succeeded(parser.parseOptionalLParen())) {
    if (parser.parseTypeList(sourceTypes) || parser.parseRParen())
      return failure();
  } else {
    if (parser.parseType(sourceType))
      return failure();
    sourceTypes.assign(sources.size(), sourceType);
  }
  if (succeeded(parser.parseOptionalArrow()) &&
      parser.parseTypeList(resultTypes))
    return failure();
  if (hasOuts)
    result.addAttribute("has_outs", parser.getBuilder().getUnitAttr());
  if (parser.resolveOperand(query, queryType, result.operands) ||
      parser.resolveOperands(sources, sourceTypes, parser.getNameLoc(),
                             result.operands) ||
      parser.resolveOperands(outs, outTypes, outsLoc, result.operands))
    return failure();
  result.addTypes(resultTypes);
  return success();
}

void printSourcesAndOuts(OpAsmPrinter &printer, Operation *op, Value query,
                         ValueRange sources, ValueRange outs, FloatAttr eps) {
  printer << " " << query << ", [" << sources << "]";
  printOuts(printer, outs);
  printAttrs(printer, op, eps);
  printer << " : " << query.getType() << ", ";
  if (sources.empty())
    printer << "none";
  else if (llvm::all_equal(sources.getTypes()))
    printer << sources.front().getType();
  else
    printer << "(" << sources.getTypes() << ")";
  if (op->getNumResults())
    printer << " -> " << op->getResultTypes();
}
} // namespace mlir::attnres::detail

// depth_attn

void DepthAttnOp::build(OpBuilder &b, OperationState &state, Type result,
                        Value query, ValueRange sources, FloatAttr eps) {
  state.addOperands(query);
  state.addOperands(sources);
  addEps(state, eps);
  state.addTypes(result);
}

void DepthAttnOp::build(OpBuilder &b, OperationState &state, Value query,
                        ValueRange sources, Value init, FloatAttr eps) {
  state.addOperands(query);
  state.addOperands(sources);
  addEps(state, eps);
  addOuts(b, state, init, /*hasOutsAttr=*/true);
}

ParseResult DepthAttnOp::parse(OpAsmParser &parser, OperationState &result) {
  return parseSourcesAndOuts<DepthAttnOp>(parser, result, 1);
}

void DepthAttnOp::print(OpAsmPrinter &printer) {
  printSourcesAndOuts(printer, *this, getQuery(), getSources(),
                      optionalOuts(getInit()), getEpsAttr());
}

// depth_attn_stats

void DepthAttnStatsOp::build(OpBuilder &b, OperationState &state, Type output,
                             Type lse, Value queries, ValueRange sources,
                             FloatAttr eps) {
  state.addOperands(queries);
  state.addOperands(sources);
  addEps(state, eps);
  state.addTypes({output, lse});
}

void DepthAttnStatsOp::build(OpBuilder &b, OperationState &state, Value queries,
                             ValueRange sources, Value outputInit,
                             Value lseInit, FloatAttr eps) {
  state.addOperands(queries);
  state.addOperands(sources);
  addEps(state, eps);
  addOuts(b, state, {outputInit, lseInit}, /*hasOutsAttr=*/true);
}

Value DepthAttnStatsOp::getOutput() {
  return getNumResults() == 2 ? getResult(0) : Value();
}

Value DepthAttnStatsOp::getLse() {
  return getNumResults() == 2 ? getResult(1) : Value();
}

/// `%output, %lse = ...` (the names of the results before destinations).
void DepthAttnStatsOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  if (getNumResults() != 2)
    return;
  setNameFn(getResult(0), "output");
  setNameFn(getResult(1), "lse");
}

ParseResult DepthAttnStatsOp::parse(OpAsmParser &parser,
                                    OperationState &result) {
  return parseSourcesAndOuts<DepthAttnStatsOp>(parser, result, 2);
}

void DepthAttnStatsOp::print(OpAsmPrinter &printer) {
  printSourcesAndOuts(printer, *this, getQueries(), getSources(), getInits(),
                      getEpsAttr());
}

// depth_attn_merge

void DepthAttnMergeOp::build(OpBuilder &b, OperationState &state, Type result,
                             Value output, Value lse, Value query, Value source,
                             FloatAttr eps) {
  state.addOperands({output, lse, query, source});
  addEps(state, eps);
  state.addTypes(result);
}

void DepthAttnMergeOp::build(OpBuilder &b, OperationState &state, Value output,
                             Value lse, Value query, Value source, Value init,
                             FloatAttr eps) {
  state.addOperands({output, lse, query, source});
  addEps(state, eps);
  addOuts(b, state, init, /*hasOutsAttr=*/false);
}

/// `%o, %lse, %q, %u outs(%init : T)? attr-dict : T_o, T_lse, T_q, T_u`; on
/// tensors the result has the type of `%o`.
ParseResult DepthAttnMergeOp::parse(OpAsmParser &parser,
                                    OperationState &result) {
  SmallVector<OpAsmParser::UnresolvedOperand> operands, outs;
  SmallVector<Type> types, outTypes;
  bool hasOuts = false;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseOperandList(operands))
    return failure();
  SMLoc outsLoc = parser.getCurrentLocation();
  if (parseOptionalOuts(parser, outs, outTypes, hasOuts))
    return failure();
  if (hasOuts && outs.size() != 1)
    return parser.emitError(outsLoc) << "expected 1 destination";
  if (parser.parseOptionalAttrDict(result.attributes) || parser.parseColon() ||
      parser.parseTypeList(types))
    return failure();
  if (operands.size() != 4 || types.size() != 4)
    return parser.emitError(loc)
           << "expected 4 operands (output, lse, query, source) and their "
              "types";
  if (parser.resolveOperands(operands, types, loc, result.operands) ||
      parser.resolveOperands(outs, outTypes, outsLoc, result.operands))
    return failure();
  if (isa<TensorType>(types.front()))
    result.addTypes(types.front());
  return success();
}

void DepthAttnMergeOp::print(OpAsmPrinter &printer) {
  printer << " " << getOutput() << ", " << getLse() << ", " << getQuery()
          << ", " << getSource();
  printOuts(printer, optionalOuts(getInit()));
  printAttrs(printer, *this, getEpsAttr());
  printer << " : " << getOutput().getType() << ", " << getLse().getType()
          << ", " << getQuery().getType() << ", " << getSource().getType();
}

//===----------------------------------------------------------------------===//
// Sites with a fused RMSNorm epilogue (depth_attn_norm, depth_attn_merge_norm)
//===----------------------------------------------------------------------===//

namespace {
/// The forms of a fused op: on tensors one result (the normalized value) or
/// two (it and `h`), destinations none or one per result; in the memref form
/// no results and one or two destinations.
LogicalResult verifyNormEpilogue(Operation *op, ValueRange inits,
                                 ShapedType rowType, Value gain,
                                 FloatAttr normEps) {
  if (failed(verifyEps(op, normEps)))
    return failure();
  bool anyMemRef =
      llvm::any_of(op->getOperandTypes(), llvm::IsaPred<MemRefType>);
  bool anyTensor =
      llvm::any_of(op->getOperandTypes(), llvm::IsaPred<TensorType>);
  if (anyMemRef && anyTensor)
    return op->emitOpError()
           << "expects all operands to be tensors or all to be memrefs (the "
              "form after bufferization)";
  if (anyMemRef) {
    if (op->getNumResults() != 0)
      return op->emitOpError() << "expects no results in the memref form, got "
                               << op->getNumResults();
    if (inits.empty() || inits.size() > 2)
      return op->emitOpError()
             << "expects 1 or 2 destinations (outs) in the memref form, got "
             << inits.size();
  } else {
    if (op->getNumResults() < 1 || op->getNumResults() > 2)
      return op->emitOpError()
             << "expects 1 result (the normalized value) or 2 (and the "
                "site's value) on tensors, got "
             << op->getNumResults();
    if (!inits.empty() && inits.size() != op->getNumResults())
      return op->emitOpError()
             << "expects one destination per result (" << op->getNumResults()
             << "), got " << inits.size();
  }
  for (Type type : op->getResultTypes())
    if (!sameTypeModuloShape(type, rowType))
      return op->emitOpError()
             << "expects every result type to equal the source type " << rowType
             << ", got " << type;
  for (Value init : inits)
    if (failed(verifyInit(op, init.getType(), rowType, "the source type")))
      return failure();
  if (failed(verifyVector(op, gain.getType(), rowType, "gain")))
    return failure();
  return verifyShapeRelations(op);
}

void addNormEpilogueAttrs(OperationState &state, FloatAttr eps,
                          FloatAttr normEps) {
  addEps(state, eps);
  if (normEps)
    state.addAttribute("norm_eps", normEps);
}
} // namespace

// depth_attn_norm

void DepthAttnNormOp::build(OpBuilder &b, OperationState &state, Value query,
                            ValueRange sources, Value gain, bool keepMerged,
                            FloatAttr eps, FloatAttr normEps) {
  build(b, state, query, sources, gain, ValueRange(), eps, normEps);
  Type type = sources.empty() ? Type() : sources.front().getType();
  state.addTypes(type);
  if (keepMerged)
    state.addTypes(type);
}

void DepthAttnNormOp::build(OpBuilder &b, OperationState &state, Value query,
                            ValueRange sources, Value gain, ValueRange inits,
                            FloatAttr eps, FloatAttr normEps) {
  state.addOperands(query);
  state.addOperands(sources);
  state.addOperands(gain);
  state.addOperands(inits);
  state.getOrAddProperties<Properties>().operandSegmentSizes = {
      1, static_cast<int32_t>(sources.size()), 1,
      static_cast<int32_t>(inits.size())};
  addNormEpilogueAttrs(state, eps, normEps);
  for (Value init : inits)
    if (isa<RankedTensorType>(init.getType()))
      state.addTypes(init.getType());
}

ShapedType DepthAttnNormOp::getRowType() {
  return getSources().empty() ? ShapedType()
                              : rankedShaped(getSources().front().getType());
}

LogicalResult DepthAttnNormOp::verify() {
  if (failed(verifyEps(*this, getEpsAttr())))
    return failure();
  FailureOr<ShapedType> src =
      verifyUniformSources(*this, getSources().getTypes(), "source");
  if (failed(src))
    return failure();
  if (failed(verifyVector(*this, getQuery().getType(), *src, "query")))
    return failure();
  return verifyNormEpilogue(*this, getInits(), *src, getGain(),
                            getNormEpsAttr());
}

// rms_norm

void RMSNormOp::build(OpBuilder &b, OperationState &state, Type result,
                      Value input, Value gain, FloatAttr eps) {
  state.addOperands({input, gain});
  addEps(state, eps);
  state.addTypes(result);
}

void RMSNormOp::build(OpBuilder &b, OperationState &state, Value input,
                      Value gain, Value init, FloatAttr eps) {
  state.addOperands({input, gain});
  addEps(state, eps);
  addOuts(b, state, init, /*hasOutsAttr=*/false);
}

/// `%x, %gain outs(%init : T)? attr-dict : T_x, T_gain`; on tensors the
/// result has the input's type.
ParseResult RMSNormOp::parse(OpAsmParser &parser, OperationState &result) {
  SmallVector<OpAsmParser::UnresolvedOperand> operands, outs;
  SmallVector<Type> types, outTypes;
  bool hasOuts = false;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseOperandList(operands))
    return failure();
  SMLoc outsLoc = parser.getCurrentLocation();
  if (parseOptionalOuts(parser, outs, outTypes, hasOuts))
    return failure();
  if (hasOuts && outs.size() != 1)
    return parser.emitError(outsLoc) << "expected 1 destination";
  if (parser.parseOptionalAttrDict(result.attributes) || parser.parseColon() ||
      parser.parseTypeList(types))
    return failure();
  if (operands.size() != 2 || types.size() != 2)
    return parser.emitError(loc)
           << "expected 2 operands (input, gain) and their types";
  if (parser.resolveOperands(operands, types, loc, result.operands) ||
      parser.resolveOperands(outs, outTypes, outsLoc, result.operands))
    return failure();
  if (isa<TensorType>(types.front()))
    result.addTypes(types.front());
  return success();
}

void RMSNormOp::print(OpAsmPrinter &printer) {
  printer << " " << getInput() << ", " << getGain();
  printOuts(printer, optionalOuts(getInit()));
  printAttrs(printer, *this, getEpsAttr());
  printer << " : " << getInput().getType() << ", " << getGain().getType();
}

// block_summary

void BlockSummaryOp::build(OpBuilder &b, OperationState &state, Type result,
                           ValueRange outputs) {
  state.addOperands(outputs);
  state.addTypes(result);
}

void BlockSummaryOp::build(OpBuilder &b, OperationState &state,
                           ValueRange outputs, Value init) {
  state.addOperands(outputs);
  addOuts(b, state, init, /*hasOutsAttr=*/true);
}

/// ` [%o, ...] outs(%init : T)? attr-dict : T_o` (one type for all outputs,
/// or a parenthesized list of them; `none T` without outputs); on tensors
/// the result has the outputs' type.
ParseResult BlockSummaryOp::parse(OpAsmParser &parser, OperationState &result) {
  SmallVector<OpAsmParser::UnresolvedOperand> outputs, outs;
  SmallVector<Type> outputTypes, outTypes;
  bool hasOuts = false;
  if (parser.parseLSquare() || parser.parseOperandList(outputs) ||
      parser.parseRSquare())
    return failure();
  SMLoc outsLoc = parser.getCurrentLocation();
  if (parseOptionalOuts(parser, outs, outTypes, hasOuts))
    return failure();
  if (hasOuts && outs.size() != 1)
    return parser.emitError(outsLoc) << "expected 1 destination";
  if (parser.parseOptionalAttrDict(result.attributes) || parser.parseColon())
    return failure();
  Type resultType;
  if (succeeded(parser.parseOptionalLParen())) {
    if (parser.parseTypeList(outputTypes) || parser.parseRParen())
      return failure();
    resultType = outputTypes.front();
  } else {
    Type type;
    if (parser.parseType(type))
      return failure();
    outputTypes.assign(outputs.size(), type);
    resultType = type;
    // Without outputs: `none T`, T the result type.
    if (outputs.empty() && parser.parseType(resultType))
      return failure();
  }
  if (hasOuts)
    result.addAttribute("has_outs", parser.getBuilder().getUnitAttr());
  if (parser.resolveOperands(outputs, outputTypes, parser.getNameLoc(),
                             result.operands) ||
      parser.resolveOperands(outs, outTypes, outsLoc, result.operands))
    return failure();
  if (isa<TensorType>(resultType))
    result.addTypes(resultType);
  return success();
}

void BlockSummaryOp::print(OpAsmPrinter &printer) {
  printer << " [" << getOutputs() << "]";
  printOuts(printer, optionalOuts(getInit()));
  printAttrs(printer, *this, FloatAttr());
  printer << " : ";
  OperandRange outputs = getOutputs();
  if (outputs.empty() && getResult())
    printer << "none " << getResult().getType();
  else if (outputs.empty())
    printer << "none none";
  else if (llvm::all_equal(outputs.getTypes()))
    printer << outputs.front().getType();
  else
    printer << "(" << outputs.getTypes() << ")";
}

// depth_logits

void DepthLogitsOp::build(OpBuilder &b, OperationState &state, Type result,
                          Value query, ValueRange keys) {
  state.addOperands(query);
  state.addOperands(keys);
  state.addTypes(result);
}

void DepthLogitsOp::build(OpBuilder &b, OperationState &state, Value query,
                          ValueRange keys, Value init) {
  state.addOperands(query);
  state.addOperands(keys);
  addOuts(b, state, init, /*hasOutsAttr=*/true);
}

// depth_attn_merge_norm

void DepthAttnMergeNormOp::build(OpBuilder &b, OperationState &state,
                                 Value output, Value lse, Value query,
                                 Value source, Value gain, bool keepMerged,
                                 FloatAttr eps, FloatAttr normEps) {
  build(b, state, output, lse, query, source, gain, ValueRange(), eps, normEps);
  state.addTypes(output.getType());
  if (keepMerged)
    state.addTypes(output.getType());
}

void DepthAttnMergeNormOp::build(OpBuilder &b, OperationState &state,
                                 Value output, Value lse, Value query,
                                 Value source, Value gain, ValueRange inits,
                                 FloatAttr eps, FloatAttr normEps) {
  state.addOperands({output, lse, query, source, gain});
  state.addOperands(inits);
  addNormEpilogueAttrs(state, eps, normEps);
  for (Value init : inits)
    if (isa<RankedTensorType>(init.getType()))
      state.addTypes(init.getType());
}

ShapedType DepthAttnMergeNormOp::getRowType() {
  return rankedShaped(getSource().getType());
}

LogicalResult DepthAttnMergeNormOp::verify() {
  if (failed(verifyEps(*this, getEpsAttr())))
    return failure();
  if (!sameTypeModuloShape(getOutput().getType(), getSource().getType()))
    return emitOpError()
           << "failed to verify that all of {output, source} have same type";
  if (failed(verifySourceLike(*this, getSource().getType(), "source")))
    return failure();
  ShapedType src = rankedShaped(getSource().getType());
  if (failed(verifyVector(*this, getQuery().getType(), src, "query")))
    return failure();
  if (failed(verifyTokenShaped(*this, getLse().getType(), {}, tokenShape(src),
                               "lse (token dims of the source)")))
    return failure();
  return verifyNormEpilogue(*this, getInits(), src, getGain(),
                            getNormEpsAttr());
}

ParseResult DepthLogitsOp::parse(OpAsmParser &parser, OperationState &result) {
  return parseSourcesAndOuts<DepthLogitsOp>(parser, result, 1);
}

void DepthLogitsOp::print(OpAsmPrinter &printer) {
  printSourcesAndOuts(printer, *this, getQuery(), getKeys(),
                      optionalOuts(getInit()), FloatAttr());
}

// depth_softmax

void DepthSoftmaxOp::build(OpBuilder &b, OperationState &state, Value logits) {
  state.addOperands(logits);
  state.addTypes(logits.getType());
}

void DepthSoftmaxOp::build(OpBuilder &b, OperationState &state, Value logits,
                           Value init) {
  state.addOperands({logits});
  addOuts(b, state, init, /*hasOutsAttr=*/false);
}

FailureOr<std::pair<Value, Value>>
mlir::attnres::buildUnfusedNormEpilogue(OpBuilder &b, Operation *op) {
  if (auto fused = dyn_cast<DepthAttnNormOp>(op)) {
    if (!fused.getInits().empty() || fused.hasBufferSemantics())
      return failure();
    Type type = fused.getNormed().getType();
    Value h = DepthAttnOp::create(b, op->getLoc(), type, fused.getQuery(),
                                  fused.getSources(), fused.getEpsAttr())
                  .getResult();
    Value normed = RMSNormOp::create(b, op->getLoc(), type, h, fused.getGain(),
                                     fused.getNormEpsAttr())
                       .getResult();
    return std::make_pair(normed, h);
  }
  if (auto fused = dyn_cast<DepthAttnMergeNormOp>(op)) {
    if (!fused.getInits().empty() || fused.hasBufferSemantics())
      return failure();
    Type type = fused.getNormed().getType();
    Value h = DepthAttnMergeOp::create(b, op->getLoc(), type, fused.getOutput(),
                                       fused.getLse(), fused.getQuery(),
                                       fused.getSource(), fused.getEpsAttr())
                  .getResult();
    Value normed = RMSNormOp::create(b, op->getLoc(), type, h, fused.getGain(),
                                     fused.getNormEpsAttr())
                       .getResult();
    return std::make_pair(normed, h);
  }
  return failure();
}

/// `%s outs(%init : T)? attr-dict : T_s`; on tensors the result has the
/// logits' type.
ParseResult DepthSoftmaxOp::parse(OpAsmParser &parser, OperationState &result) {
  OpAsmParser::UnresolvedOperand logits;
  SmallVector<OpAsmParser::UnresolvedOperand> outs;
  SmallVector<Type> outTypes;
  Type type;
  bool hasOuts = false;
  if (parser.parseOperand(logits))
    return failure();
  SMLoc outsLoc = parser.getCurrentLocation();
  if (parseOptionalOuts(parser, outs, outTypes, hasOuts))
    return failure();
  if (hasOuts && outs.size() != 1)
    return parser.emitError(outsLoc) << "expected 1 destination";
  if (parser.parseOptionalAttrDict(result.attributes) || parser.parseColon() ||
      parser.parseType(type) ||
      parser.resolveOperand(logits, type, result.operands) ||
      parser.resolveOperands(outs, outTypes, outsLoc, result.operands))
    return failure();
  if (isa<TensorType>(type))
    result.addTypes(type);
  return success();
}

void DepthSoftmaxOp::print(OpAsmPrinter &printer) {
  printer << " " << getLogits();
  printOuts(printer, optionalOuts(getInit()));
  printAttrs(printer, *this, FloatAttr());
  printer << " : " << getLogits().getType();
}

// depth_combine

void DepthCombineOp::build(OpBuilder &b, OperationState &state, Type result,
                           Value weights, ValueRange values) {
  state.addOperands(weights);
  state.addOperands(values);
  state.addTypes(result);
}

void DepthCombineOp::build(OpBuilder &b, OperationState &state, Value weights,
                           ValueRange values, Value init) {
  state.addOperands(weights);
  state.addOperands(values);
  addOuts(b, state, init, /*hasOutsAttr=*/true);
}

ParseResult DepthCombineOp::parse(OpAsmParser &parser, OperationState &result) {
  return parseSourcesAndOuts<DepthCombineOp>(parser, result, 1);
}

void DepthCombineOp::print(OpAsmPrinter &printer) {
  printSourcesAndOuts(printer, *this, getWeights(), getValues(),
                      optionalOuts(getInit()), FloatAttr());
}

#define GET_OP_CLASSES
#include "attnres/Dialect/AttnRes/IR/AttnResOps.cpp.inc"
