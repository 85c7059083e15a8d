//===- AttnResGradOps.cpp - attnres gradient operations -------------------===//
//
// Verifiers, builders, accessors and assembly of the gradient (backward)
// ops. Like the forward ops' verifiers they are local: operands, results and
// attributes only. Every gradient op has optional destinations (`outs`, one
// per result) and a memref form (after bufferization: memref operands and
// destinations, no results), as depth_attn (docs/semantics.md,
// "Destinations and bufferization"). The op classes are generated into
// AttnResOps.cpp.inc (AttnResGradOps.td is included by AttnResOps.td); the
// helpers shared with the forward ops are in AttnResOpHelpers.h.
//
//===----------------------------------------------------------------------===//

#include "AttnResOpHelpers.h"
#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "attnres/Dialect/AttnRes/IR/AttnResShapeInterfaces.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::attnres;
using namespace mlir::attnres::detail;

namespace {

//===----------------------------------------------------------------------===//
// Operand layout of the ops with a variadic source group
//===----------------------------------------------------------------------===//

/// depth_attn_grad and depth_attn_stats_grad store their operands as one
/// group after the first (query/queries): the sources, `fixed` more operands
/// (the result gradient; or lse, dO, dlse), then, with `has_outs`, one
/// destination per result (1 + the number of sources). Out-of-range parts of
/// unverified IR come out empty.
struct GradLayout {
  unsigned numSources;
  /// Index of the first operand after the sources.
  unsigned fixedBegin;
  /// Index of the first destination (the number of operands without them).
  unsigned initsBegin;
};

GradLayout gradLayout(Operation *op, unsigned fixed, bool hasOuts) {
  unsigned total = op->getNumOperands();
  unsigned rest = total > 0 ? total - 1 : 0;
  unsigned n = 0;
  if (rest >= fixed) {
    n = rest - fixed;
    // With destinations: n sources and n + 1 destinations.
    if (hasOuts)
      n = n >= 1 ? (n - 1) / 2 : 0;
  }
  unsigned fixedBegin = std::min(1 + n, total);
  unsigned initsBegin = std::min(fixedBegin + fixed, total);
  return {n, fixedBegin, initsBegin};
}

/// Operand `fixedBegin + index` if it lies before the destinations.
Value fixedOperand(Operation *op, const GradLayout &layout, unsigned index) {
  unsigned i = layout.fixedBegin + index;
  return i < layout.initsBegin ? op->getOperand(i) : Value();
}

//===----------------------------------------------------------------------===//
// Verifier helpers
//===----------------------------------------------------------------------===//

/// "failed to verify that all of {a, b} have same type", the message of the
/// AllTypesMatch constraints the ops had before their memref form.
InFlightDiagnostic sameTypeError(Operation *op, StringRef names) {
  return op->emitOpError() << "failed to verify that all of {" << names
                           << "} have same type";
}

/// The results (value form) or destinations (memref form) are checked by
/// the caller; here: in the value form each destination has its result's
/// type, in the memref form each has the shape and element type of
/// `expected[i]` (`what[i]`, e.g. "the query type").
LogicalResult verifyInits(Operation *op, ValueRange inits,
                          ArrayRef<Type> expected, ArrayRef<StringRef> what) {
  if (inits.empty())
    return success();
  if (op->getNumResults()) {
    for (auto [init, result] : llvm::zip_equal(inits, op->getResults()))
      if (!sameTypeModuloShape(init.getType(), result.getType()))
        return op->emitOpError()
               << "expects each destination to have its result's type "
               << result.getType() << ", got " << init.getType();
    return success();
  }
  for (auto [init, type, name] : llvm::zip_equal(inits, expected, what))
    if (failed(verifyInit(op, init.getType(), rankedShaped(type), name)))
      return failure();
  return success();
}

/// In the value form, the op has one source gradient per source, each of
/// the source type (results 1..n).
LogicalResult verifySourceGradResults(Operation *op, size_t numSources,
                                      Type source) {
  if (!op->getNumResults())
    return success();
  auto grads = op->getResults().drop_front();
  for (auto [index, grad] : llvm::enumerate(grads))
    if (!sameTypeModuloShape(grad.getType(), source))
      return op->emitOpError() << "expects source gradient #" << index
                               << " to have the source type " << source
                               << ", got " << grad.getType();
  return success();
}

/// The value form of depth_attn_grad / depth_attn_stats_grad has
/// `1 + numSources` results; reports a wrong count of source gradients with
/// the message these ops always had.
LogicalResult verifySourceGradCount(Operation *op, size_t numSources) {
  unsigned results = op->getNumResults();
  if (hasMemRefOperands(op) || results == 0 || results == numSources + 1)
    return success();
  return op->emitOpError() << "expects one source gradient per source ("
                           << numSources << "), got " << results - 1;
}

/// With `has_outs`, one destination per result.
LogicalResult verifyInitCount(Operation *op, bool hasOuts, size_t numInits,
                              size_t expected, StringRef what) {
  if (!hasOuts || numInits == expected)
    return success();
  return op->emitOpError() << "expects " << expected << " destinations ("
                           << what << "), got " << numInits;
}

//===----------------------------------------------------------------------===//
// Assembly helpers
//===----------------------------------------------------------------------===//

/// The types of a group of `count` operands (or results): one type for all,
/// or (memref layouts differing) a parenthesized list.
ParseResult parseGroupTypes(OpAsmParser &parser, size_t count,
                            SmallVectorImpl<Type> &types) {
  SMLoc loc = parser.getCurrentLocation();
  if (succeeded(parser.parseOptionalLParen())) {
    if (failed(parser.parseOptionalRParen()) &&
        (parser.parseTypeList(types) || parser.parseRParen()))
      return failure();
    if (types.size() != count)
      return parser.emitError(loc)
             << "expected " << count << " types, got " << types.size();
    return success();
  }
  Type type;
  if (parser.parseType(type))
    return failure();
  types.append(count, type);
  return success();
}

void printGroupTypes(OpAsmPrinter &printer, TypeRange types) {
  if (!types.empty() && llvm::all_equal(types)) {
    printer << types.front();
    return;
  }
  printer << "(" << types << ")";
}

/// Parses `outs(...)`, checking the count against `expected` (computed from
/// the parsed operands).
ParseResult parseOuts(OpAsmParser &parser,
                      SmallVectorImpl<OpAsmParser::UnresolvedOperand> &outs,
                      SmallVectorImpl<Type> &outTypes, bool &hasOuts,
                      size_t expected) {
  SMLoc loc = parser.getCurrentLocation();
  if (parseOptionalOuts(parser, outs, outTypes, hasOuts))
    return failure();
  if (hasOuts && outs.size() != expected)
    return parser.emitError(loc)
           << "expected " << expected << " destinations, one per result";
  return success();
}

/// Names the results (the value form): `names[i]` for result i, the last
/// name for the group of all remaining results (`%source_grads:2`).
void setResultNames(Operation *op, OpAsmSetValueNameFn setNameFn,
                    ArrayRef<StringRef> names) {
  for (auto [index, result] : llvm::enumerate(op->getResults()))
    if (index < names.size())
      setNameFn(result, names[index]);
}

/// Results of the value form from the operand types: none in the memref
/// form (the first operand a memref).
void addResultTypes(OperationState &result, Type first, ArrayRef<Type> types) {
  if (isa<TensorType>(first))
    result.addTypes(types);
}

} // namespace

//===----------------------------------------------------------------------===//
// DepthAttnGradOp
//===----------------------------------------------------------------------===//

static GradLayout layoutOf(DepthAttnGradOp op) {
  return gradLayout(op, 1, op.getHasOuts());
}

void DepthAttnGradOp::build(OpBuilder &b, OperationState &state, Type queryGrad,
                            TypeRange sourceGrads, Value query,
                            ValueRange sources, Value grad, FloatAttr eps) {
  state.addOperands(query);
  state.addOperands(sources);
  state.addOperands(grad);
  addEps(state, eps);
  state.addTypes(queryGrad);
  state.addTypes(sourceGrads);
}

void DepthAttnGradOp::build(OpBuilder &b, OperationState &state, Value query,
                            ValueRange sources, Value grad, ValueRange inits,
                            FloatAttr eps) {
  state.addOperands(query);
  state.addOperands(sources);
  state.addOperands(grad);
  addEps(state, eps);
  addOuts(b, state, inits, /*hasOutsAttr=*/true);
}

OperandRange DepthAttnGradOp::getSources() {
  return getOperands().slice(1, layoutOf(*this).numSources);
}

MutableOperandRange DepthAttnGradOp::getSourcesMutable() {
  return MutableOperandRange(*this, 1, layoutOf(*this).numSources);
}

Value DepthAttnGradOp::getGrad() {
  return fixedOperand(*this, layoutOf(*this), 0);
}

OperandRange DepthAttnGradOp::getInits() {
  return getOperands().drop_front(layoutOf(*this).initsBegin);
}

MutableOperandRange DepthAttnGradOp::getInitsMutable() {
  unsigned begin = layoutOf(*this).initsBegin;
  return MutableOperandRange(*this, begin, getNumOperands() - begin);
}

Value DepthAttnGradOp::getQueryGrad() {
  return getNumResults() ? getResult(0) : Value();
}

ResultRange DepthAttnGradOp::getSourceGrads() {
  return getNumResults() ? getResults().drop_front() : getResults();
}

void DepthAttnGradOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setResultNames(*this, setNameFn, {"query_grad", "source_grads"});
}

/// Result sizes from the shape relations (a gradient has its operand's
/// shape); one-shot-bufferize sizes the buffers of results without
/// destinations with them.
LogicalResult DepthAttnGradOp::verify() {
  if (failed(verifyEps(*this, getEpsAttr())))
    return failure();
  size_t n = getSources().size();
  if (failed(verifyInitCount(*this, getHasOuts(), getInits().size(), n + 1,
                             "the query's gradient, then one per source")))
    return failure();
  if (failed(verifySourceGradCount(*this, n)) ||
      failed(verifyForm(*this, getHasOuts(), n + 1)))
    return failure();
  FailureOr<ShapedType> src =
      verifyUniformSources(*this, getSources().getTypes(), "source");
  if (failed(src))
    return failure();
  if (failed(verifyVector(*this, getQuery().getType(), *src, "query")))
    return failure();
  Value grad = getGrad();
  if (!grad || !sameTypeModuloShape(grad.getType(), *src))
    return emitOpError() << "expects the result gradient to have the source "
                            "type "
                         << *src << ", got "
                         << (grad ? grad.getType() : Type());
  if (getNumResults() &&
      !sameTypeModuloShape(getQueryGrad().getType(), getQuery().getType()))
    return sameTypeError(*this, "query, query_grad");
  if (failed(verifySourceGradResults(*this, n, *src)))
    return failure();
  SmallVector<Type> expected = {getQuery().getType()};
  SmallVector<StringRef> what = {"the query type"};
  expected.append(n, *src);
  what.append(n, "the source type");
  if (failed(verifyInits(*this, getInits(), expected, what)))
    return failure();
  return verifyShapeRelations(*this);
}

/// `%q, [%v, ...], %g outs(...)? attr-dict : T_q, T_v, T_g (-> T_dq, T_v)?`
ParseResult DepthAttnGradOp::parse(OpAsmParser &parser,
                                   OperationState &result) {
  OpAsmParser::UnresolvedOperand query, grad;
  SmallVector<OpAsmParser::UnresolvedOperand> sources, outs;
  SmallVector<Type> sourceTypes, outTypes, resultTypes;
  Type queryType, gradType;
  bool hasOuts = false;
  if (parser.parseOperand(query) || parser.parseComma() ||
      parser.parseLSquare() || parser.parseOperandList(sources) ||
      parser.parseRSquare() || parser.parseComma() || parser.parseOperand(grad))
    return failure();
  SMLoc outsLoc = parser.getCurrentLocation();
  if (parseOuts(parser, outs, outTypes, hasOuts, sources.size() + 1) ||
      parser.parseOptionalAttrDict(result.attributes) || parser.parseColon() ||
      parser.parseType(queryType) || parser.parseComma() ||
      parseGroupTypes(parser, sources.size(), sourceTypes) ||
      parser.parseComma() || parser.parseType(gradType))
    return failure();
  if (succeeded(parser.parseOptionalArrow())) {
    Type queryGradType;
    if (parser.parseType(queryGradType) || parser.parseComma())
      return failure();
    resultTypes.push_back(queryGradType);
    if (parseGroupTypes(parser, sources.size(), resultTypes))
      return failure();
  }
  if (hasOuts)
    result.addAttribute("has_outs", parser.getBuilder().getUnitAttr());
  if (parser.resolveOperand(query, queryType, result.operands) ||
      parser.resolveOperands(sources, sourceTypes, parser.getNameLoc(),
                             result.operands) ||
      parser.resolveOperand(grad, gradType, result.operands) ||
      parser.resolveOperands(outs, outTypes, outsLoc, result.operands))
    return failure();
  result.addTypes(resultTypes);
  return success();
}

void DepthAttnGradOp::print(OpAsmPrinter &printer) {
  printer << " " << getQuery() << ", [" << getSources() << "], " << getGrad();
  printOuts(printer, getInits());
  printAttrs(printer, *this, getEpsAttr());
  printer << " : " << getQuery().getType() << ", ";
  printGroupTypes(printer, getSources().getTypes());
  printer << ", " << getGrad().getType();
  if (getNumResults()) {
    printer << " -> " << getQueryGrad().getType() << ", ";
    printGroupTypes(printer, getSourceGrads().getTypes());
  }
}

//===----------------------------------------------------------------------===//
// RMSNormGradOp
//===----------------------------------------------------------------------===//

void RMSNormGradOp::build(OpBuilder &b, OperationState &state, Type inputGrad,
                          Type gainGrad, Value input, Value gain, Value grad,
                          FloatAttr eps) {
  state.addOperands({input, gain, grad});
  addEps(state, eps);
  state.addTypes({inputGrad, gainGrad});
}

void RMSNormGradOp::build(OpBuilder &b, OperationState &state, Value input,
                          Value gain, Value grad, ValueRange inits,
                          FloatAttr eps) {
  state.addOperands({input, gain, grad});
  addEps(state, eps);
  addOuts(b, state, inits, /*hasOutsAttr=*/false);
}

Value RMSNormGradOp::getInputGrad() {
  return getNumResults() ? getResult(0) : Value();
}

Value RMSNormGradOp::getGainGrad() {
  return getNumResults() > 1 ? getResult(1) : Value();
}

void RMSNormGradOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setResultNames(*this, setNameFn, {"input_grad", "gain_grad"});
}

/// Result sizes from the shape relations (a gradient has its operand's
/// shape); one-shot-bufferize sizes the buffers of results without
/// destinations with them.
LogicalResult RMSNormGradOp::verify() {
  if (failed(verifyEps(*this, getEpsAttr())))
    return failure();
  bool hasOuts = !getInits().empty();
  if (failed(verifyInitCount(*this, hasOuts, getInits().size(), 2,
                             "the input's and the gain's gradients")) ||
      failed(verifyForm(*this, hasOuts, 2)))
    return failure();
  Type inputType = getInput().getType();
  if (!sameTypeModuloShape(getGrad().getType(), inputType) ||
      (getNumResults() &&
       !sameTypeModuloShape(getInputGrad().getType(), inputType)))
    return sameTypeError(*this, "input, grad, input_grad");
  if (getNumResults() &&
      !sameTypeModuloShape(getGainGrad().getType(), getGain().getType()))
    return sameTypeError(*this, "gain, gain_grad");
  if (failed(verifySourceLike(*this, inputType, "input")))
    return failure();
  ShapedType input = rankedShaped(inputType);
  if (failed(verifyVector(*this, getGain().getType(), input, "gain")))
    return failure();
  if (failed(verifyInits(*this, getInits(), {inputType, getGain().getType()},
                         {"the input type", "the gain type"})))
    return failure();
  return verifyShapeRelations(*this);
}

/// `%x, %gain, %g outs(...)? attr-dict : T_x, T_gain (, T_g)?`; `T_g` is
/// printed when it differs from `T_x` (memref layouts).
ParseResult RMSNormGradOp::parse(OpAsmParser &parser, OperationState &result) {
  SmallVector<OpAsmParser::UnresolvedOperand> operands, outs;
  SmallVector<Type> types, outTypes;
  bool hasOuts = false;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseOperandList(operands))
    return failure();
  SMLoc outsLoc = parser.getCurrentLocation();
  if (parseOuts(parser, outs, outTypes, hasOuts, 2) ||
      parser.parseOptionalAttrDict(result.attributes) || parser.parseColon() ||
      parser.parseTypeList(types))
    return failure();
  if (operands.size() != 3 || (types.size() != 2 && types.size() != 3))
    return parser.emitError(loc) << "expected 3 operands (input, gain, grad) "
                                    "and the input's and gain's types";
  if (types.size() == 2)
    types.push_back(types[0]);
  if (parser.resolveOperands(operands, types, loc, result.operands) ||
      parser.resolveOperands(outs, outTypes, outsLoc, result.operands))
    return failure();
  addResultTypes(result, types[0], {types[0], types[1]});
  return success();
}

void RMSNormGradOp::print(OpAsmPrinter &printer) {
  printer << " " << getInput() << ", " << getGain() << ", " << getGrad();
  printOuts(printer, getInits());
  printAttrs(printer, *this, getEpsAttr());
  printer << " : " << getInput().getType() << ", " << getGain().getType();
  if (getGrad().getType() != getInput().getType())
    printer << ", " << getGrad().getType();
}

//===----------------------------------------------------------------------===//
// DepthAttnStatsGradOp
//===----------------------------------------------------------------------===//

static GradLayout layoutOf(DepthAttnStatsGradOp op) {
  return gradLayout(op, 3, op.getHasOuts());
}

void DepthAttnStatsGradOp::build(OpBuilder &b, OperationState &state,
                                 Type queriesGrad, TypeRange sourceGrads,
                                 Value queries, ValueRange sources, Value lse,
                                 Value outputGrad, Value lseGrad,
                                 FloatAttr eps) {
  state.addOperands(queries);
  state.addOperands(sources);
  state.addOperands({lse, outputGrad, lseGrad});
  addEps(state, eps);
  state.addTypes(queriesGrad);
  state.addTypes(sourceGrads);
}

void DepthAttnStatsGradOp::build(OpBuilder &b, OperationState &state,
                                 Value queries, ValueRange sources, Value lse,
                                 Value outputGrad, Value lseGrad,
                                 ValueRange inits, FloatAttr eps) {
  state.addOperands(queries);
  state.addOperands(sources);
  state.addOperands({lse, outputGrad, lseGrad});
  addEps(state, eps);
  addOuts(b, state, inits, /*hasOutsAttr=*/true);
}

OperandRange DepthAttnStatsGradOp::getSources() {
  return getOperands().slice(1, layoutOf(*this).numSources);
}

MutableOperandRange DepthAttnStatsGradOp::getSourcesMutable() {
  return MutableOperandRange(*this, 1, layoutOf(*this).numSources);
}

Value DepthAttnStatsGradOp::getLse() {
  return fixedOperand(*this, layoutOf(*this), 0);
}

Value DepthAttnStatsGradOp::getOutputGrad() {
  return fixedOperand(*this, layoutOf(*this), 1);
}

Value DepthAttnStatsGradOp::getLseGrad() {
  return fixedOperand(*this, layoutOf(*this), 2);
}

OperandRange DepthAttnStatsGradOp::getInits() {
  return getOperands().drop_front(layoutOf(*this).initsBegin);
}

MutableOperandRange DepthAttnStatsGradOp::getInitsMutable() {
  unsigned begin = layoutOf(*this).initsBegin;
  return MutableOperandRange(*this, begin, getNumOperands() - begin);
}

Value DepthAttnStatsGradOp::getQueriesGrad() {
  return getNumResults() ? getResult(0) : Value();
}

ResultRange DepthAttnStatsGradOp::getSourceGrads() {
  return getNumResults() ? getResults().drop_front() : getResults();
}

void DepthAttnStatsGradOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setResultNames(*this, setNameFn, {"queries_grad", "source_grads"});
}

/// Result sizes from the shape relations (a gradient has its operand's
/// shape); one-shot-bufferize sizes the buffers of results without
/// destinations with them.
LogicalResult DepthAttnStatsGradOp::verify() {
  if (failed(verifyEps(*this, getEpsAttr())))
    return failure();
  size_t n = getSources().size();
  if (failed(verifyInitCount(*this, getHasOuts(), getInits().size(), n + 1,
                             "the queries' gradient, then one per source")))
    return failure();
  if (failed(verifySourceGradCount(*this, n)) ||
      failed(verifyForm(*this, getHasOuts(), n + 1)))
    return failure();
  FailureOr<ShapedType> src =
      verifyUniformSources(*this, getSources().getTypes(), "source");
  if (failed(src))
    return failure();
  Value lse = getLse(), outputGrad = getOutputGrad(), lseGrad = getLseGrad();
  if (!lse || !outputGrad || !lseGrad)
    return emitOpError() << "expects lse, the output gradient and the lse "
                            "gradient after the sources";
  if (!sameTypeModuloShape(lseGrad.getType(), lse.getType()))
    return sameTypeError(*this, "lse, lse_grad");
  if (getNumResults() &&
      !sameTypeModuloShape(getQueriesGrad().getType(), getQueries().getType()))
    return sameTypeError(*this, "queries, queries_grad");
  ShapedType queries = rankedShaped(getQueries().getType());
  if (queries.getRank() != 2)
    return emitOpError() << "expects queries of shape [S, D], got "
                         << getQueries().getType();
  Type qElem = queries.getElementType();
  if (qElem != src->getElementType() && !qElem.isF32()) {
    auto diag = emitOpError() << "expects queries element type to be ";
    if (!src->getElementType().isF32())
      diag << src->getElementType() << " or ";
    return diag << "f32, got " << qElem;
  }
  int64_t s = queries.getDimSize(0);
  if (failed(verifyTokenShaped(*this, lse.getType(), {s}, tokenShape(*src),
                               "lse (queries, then token dims)")))
    return failure();
  if (!rankedShaped(lse.getType()).getElementType().isF32())
    return emitOpError() << "expects lse to have element type f32, got "
                         << lse.getType();
  if (failed(verifyTokenShaped(*this, outputGrad.getType(), {s},
                               src->getShape(),
                               "the output gradient (queries, then source "
                               "shape)")))
    return failure();
  Type outElem = rankedShaped(outputGrad.getType()).getElementType();
  if (outElem != src->getElementType())
    return emitOpError() << "expects the output gradient element type to be "
                            "the source element type "
                         << src->getElementType() << ", got " << outElem;
  if (failed(verifySourceGradResults(*this, n, *src)))
    return failure();
  SmallVector<Type> expected = {getQueries().getType()};
  SmallVector<StringRef> what = {"the queries type"};
  expected.append(n, *src);
  what.append(n, "the source type");
  if (failed(verifyInits(*this, getInits(), expected, what)))
    return failure();
  return verifyShapeRelations(*this);
}

/// `%Q, [%v, ...], %lse, %dO, %dlse outs(...)? attr-dict : T_Q, T_v, T_lse,
/// T_dO (, T_dlse)? (-> T_dQ, T_v)?`; `T_dlse` is printed when it differs
/// from `T_lse` (memref layouts).
ParseResult DepthAttnStatsGradOp::parse(OpAsmParser &parser,
                                        OperationState &result) {
  OpAsmParser::UnresolvedOperand queries, lse, outputGrad, lseGrad;
  SmallVector<OpAsmParser::UnresolvedOperand> sources, outs;
  SmallVector<Type> sourceTypes, outTypes, resultTypes;
  Type queriesType, lseType, outputGradType, lseGradType;
  bool hasOuts = false;
  if (parser.parseOperand(queries) || parser.parseComma() ||
      parser.parseLSquare() || parser.parseOperandList(sources) ||
      parser.parseRSquare() || parser.parseComma() ||
      parser.parseOperand(lse) || parser.parseComma() ||
      parser.parseOperand(outputGrad) || parser.parseComma() ||
      parser.parseOperand(lseGrad))
    return failure();
  SMLoc outsLoc = parser.getCurrentLocation();
  if (parseOuts(parser, outs, outTypes, hasOuts, sources.size() + 1) ||
      parser.parseOptionalAttrDict(result.attributes) || parser.parseColon() ||
      parser.parseType(queriesType) || parser.parseComma() ||
      parseGroupTypes(parser, sources.size(), sourceTypes) ||
      parser.parseComma() || parser.parseType(lseType) || parser.parseComma() ||
      parser.parseType(outputGradType))
    return failure();
  lseGradType = lseType;
  if (succeeded(parser.parseOptionalComma()) && parser.parseType(lseGradType))
    return failure();
  if (succeeded(parser.parseOptionalArrow())) {
    Type queriesGradType;
    if (parser.parseType(queriesGradType) || parser.parseComma())
      return failure();
    resultTypes.push_back(queriesGradType);
    if (parseGroupTypes(parser, sources.size(), resultTypes))
      return failure();
  }
  if (hasOuts)
    result.addAttribute("has_outs", parser.getBuilder().getUnitAttr());
  if (parser.resolveOperand(queries, queriesType, result.operands) ||
      parser.resolveOperands(sources, sourceTypes, parser.getNameLoc(),
                             result.operands) ||
      parser.resolveOperand(lse, lseType, result.operands) ||
      parser.resolveOperand(outputGrad, outputGradType, result.operands) ||
      parser.resolveOperand(lseGrad, lseGradType, result.operands) ||
      parser.resolveOperands(outs, outTypes, outsLoc, result.operands))
    return failure();
  result.addTypes(resultTypes);
  return success();
}

void DepthAttnStatsGradOp::print(OpAsmPrinter &printer) {
  printer << " " << getQueries() << ", [" << getSources() << "], " << getLse()
          << ", " << getOutputGrad() << ", " << getLseGrad();
  printOuts(printer, getInits());
  printAttrs(printer, *this, getEpsAttr());
  printer << " : " << getQueries().getType() << ", ";
  printGroupTypes(printer, getSources().getTypes());
  printer << ", " << getLse().getType() << ", " << getOutputGrad().getType();
  if (getLseGrad().getType() != getLse().getType())
    printer << ", " << getLseGrad().getType();
  if (getNumResults()) {
    printer << " -> " << getQueriesGrad().getType() << ", ";
    printGroupTypes(printer, getSourceGrads().getTypes());
  }
}

//===----------------------------------------------------------------------===//
// DepthAttnMergeGradOp
//===----------------------------------------------------------------------===//

void DepthAttnMergeGradOp::build(OpBuilder &b, OperationState &state,
                                 Value output, Value lse, Value query,
                                 Value source, Value grad, FloatAttr eps) {
  state.addOperands({output, lse, query, source, grad});
  addEps(state, eps);
  state.addTypes(
      {output.getType(), lse.getType(), query.getType(), output.getType()});
}

void DepthAttnMergeGradOp::build(OpBuilder &b, OperationState &state,
                                 Value output, Value lse, Value query,
                                 Value source, Value grad, ValueRange inits,
                                 FloatAttr eps) {
  state.addOperands({output, lse, query, source, grad});
  addEps(state, eps);
  addOuts(b, state, inits, /*hasOutsAttr=*/false);
}

Value DepthAttnMergeGradOp::getOutputGrad() {
  return getNumResults() > 0 ? getResult(0) : Value();
}

Value DepthAttnMergeGradOp::getLseGrad() {
  return getNumResults() > 1 ? getResult(1) : Value();
}

Value DepthAttnMergeGradOp::getQueryGrad() {
  return getNumResults() > 2 ? getResult(2) : Value();
}

Value DepthAttnMergeGradOp::getSourceGrad() {
  return getNumResults() > 3 ? getResult(3) : Value();
}

void DepthAttnMergeGradOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setResultNames(*this, setNameFn,
                 {"output_grad", "lse_grad", "query_grad", "source_grad"});
}

/// Result sizes from the shape relations (a gradient has its operand's
/// shape); one-shot-bufferize sizes the buffers of results without
/// destinations with them.
LogicalResult DepthAttnMergeGradOp::verify() {
  if (failed(verifyEps(*this, getEpsAttr())))
    return failure();
  bool hasOuts = !getInits().empty();
  if (failed(verifyInitCount(*this, hasOuts, getInits().size(), 4,
                             "the gradients of output, lse, query and "
                             "source")) ||
      failed(verifyForm(*this, hasOuts, 4)))
    return failure();
  Type outputType = getOutput().getType();
  if (!sameTypeModuloShape(getSource().getType(), outputType) ||
      !sameTypeModuloShape(getGrad().getType(), outputType) ||
      (getNumResults() &&
       (!sameTypeModuloShape(getOutputGrad().getType(), outputType) ||
        !sameTypeModuloShape(getSourceGrad().getType(), outputType))))
    return sameTypeError(*this,
                         "output, source, grad, output_grad, source_grad");
  if (getNumResults() &&
      !sameTypeModuloShape(getLseGrad().getType(), getLse().getType()))
    return sameTypeError(*this, "lse, lse_grad");
  if (getNumResults() &&
      !sameTypeModuloShape(getQueryGrad().getType(), getQuery().getType()))
    return sameTypeError(*this, "query, query_grad");
  if (failed(verifySourceLike(*this, getSource().getType(), "source")))
    return failure();
  ShapedType src = rankedShaped(getSource().getType());
  if (failed(verifyVector(*this, getQuery().getType(), src, "query")))
    return failure();
  if (failed(verifyTokenShaped(*this, getLse().getType(), {}, tokenShape(src),
                               "lse (token dims of the source)")))
    return failure();
  if (failed(verifyInits(
          *this, getInits(),
          {outputType, getLse().getType(), getQuery().getType(), outputType},
          {"the output type", "the lse type", "the query type",
           "the source type"})))
    return failure();
  return verifyShapeRelations(*this);
}

/// `%o, %lse, %q, %u, %g outs(...)? attr-dict : T_o, T_lse, T_q (, T_u,
/// T_g)?`; `T_u, T_g` are printed when one differs from `T_o` (memref
/// layouts).
ParseResult DepthAttnMergeGradOp::parse(OpAsmParser &parser,
                                        OperationState &result) {
  SmallVector<OpAsmParser::UnresolvedOperand> operands, outs;
  SmallVector<Type> types, outTypes;
  bool hasOuts = false;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseOperandList(operands))
    return failure();
  SMLoc outsLoc = parser.getCurrentLocation();
  if (parseOuts(parser, outs, outTypes, hasOuts, 4) ||
      parser.parseOptionalAttrDict(result.attributes) || parser.parseColon() ||
      parser.parseTypeList(types))
    return failure();
  if (operands.size() != 5 || (types.size() != 3 && types.size() != 5))
    return parser.emitError(loc)
           << "expected 5 operands (output, lse, query, source, grad) and "
              "the types of output, lse and query";
  if (types.size() == 3)
    types.append({types[0], types[0]});
  if (parser.resolveOperands(operands, types, loc, result.operands) ||
      parser.resolveOperands(outs, outTypes, outsLoc, result.operands))
    return failure();
  addResultTypes(result, types[0], {types[0], types[1], types[2], types[0]});
  return success();
}

void DepthAttnMergeGradOp::print(OpAsmPrinter &printer) {
  printer << " " << getOutput() << ", " << getLse() << ", " << getQuery()
          << ", " << getSource() << ", " << getGrad();
  printOuts(printer, getInits());
  printAttrs(printer, *this, getEpsAttr());
  printer << " : " << getOutput().getType() << ", " << getLse().getType()
          << ", " << getQuery().getType();
  Type outputType = getOutput().getType();
  if (getSource().getType() != outputType || getGrad().getType() != outputType)
    printer << ", " << getSource().getType() << ", " << getGrad().getType();
}
