//===- AttnResShapeInterfaces.cpp - shape relations of the attnres ops ----===//
//
// The size relations of every attnres op, stated once (`describe` below),
// and three external models built on them:
// - ShapeRelationsOpInterface: the relations themselves (the compile API
//   checks call arguments with them);
// - ValueBoundsOpInterface: a result dimension equals the operand dimensions
//   it is related to;
// - RuntimeVerifiableOpInterface: `generate-runtime-verification` checks
//   every relation that involves a dynamic operand size (cf.assert).
// The verifiers check the same relations where the sizes are static
// (`verifyShapeRelations`).
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/IR/AttnResShapeInterfaces.h"

#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Interfaces/RuntimeVerifiableOpInterface.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::attnres;

#include "attnres/Dialect/AttnRes/IR/AttnResShapeInterfaces.cpp.inc"

//===----------------------------------------------------------------------===//
// ShapeRelations
//===----------------------------------------------------------------------===//

/// The rank of a ranked tensor or memref; none for anything else, including
/// an absent value (e.g. an optional result).
static std::optional<int64_t> getRank(Value value) {
  if (!value)
    return std::nullopt;
  auto type = dyn_cast<ShapedType>(value.getType());
  if (!type || !type.hasRank())
    return std::nullopt;
  return type.getRank();
}

std::string ShapeDim::describe() const {
  return "dimension " + std::to_string(dim) + " of " + name;
}

std::string ShapeRelation::describe() const {
  std::string text = lhs.describe();
  if (kind == Kind::Equal)
    text += " must equal " + rhs.describe();
  else if (kind == Kind::Size)
    text += " must be " + std::to_string(size);
  else
    text += " must be non-zero";
  if (!role.empty())
    text += " (" + role + ")";
  return text;
}

void ShapeRelations::equal(Value a, int64_t da, StringRef nameA, Value b,
                           int64_t db, StringRef nameB, StringRef role,
                           bool exact) {
  std::optional<int64_t> rankA = getRank(a), rankB = getRank(b);
  if (!rankA || !rankB || da < 0 || db < 0 || da >= *rankA || db >= *rankB)
    return;
  relations.push_back({ShapeRelation::Kind::Equal,
                       {a, da, nameA.str()},
                       {b, db, nameB.str()},
                       role.str(),
                       exact});
}

void ShapeRelations::sameShape(Value a, StringRef nameA, Value b,
                               StringRef nameB, StringRef role) {
  std::optional<int64_t> rankA = getRank(a), rankB = getRank(b);
  if (!rankA || !rankB || *rankA != *rankB)
    return;
  for (int64_t d = 0; d < *rankA; ++d)
    equal(a, d, nameA, b, d, nameB, role);
}

void ShapeRelations::sameShapes(ValueRange group, StringRef name) {
  std::string role = ("one shape for all " + name + "s").str();
  for (auto [index, value] : llvm::enumerate(group))
    if (index > 0)
      sameShape(value, (name + " #" + Twine(index)).str(), group.front(),
                (name + " #0").str(), role);
}

void ShapeRelations::tokens(Value source, StringRef sourceName, Value other,
                            StringRef otherName, int64_t leading) {
  std::optional<int64_t> rank = getRank(source);
  if (!rank)
    return;
  for (int64_t d = 0; d + 1 < *rank; ++d)
    equal(other, d + leading, otherName, source, d, sourceName,
          "token dimension");
}

void ShapeRelations::hidden(Value source, StringRef sourceName, Value vector,
                            StringRef vectorName, int64_t dim) {
  std::optional<int64_t> rank = getRank(source);
  if (!rank || *rank == 0)
    return;
  equal(vector, dim, vectorName, source, *rank - 1, sourceName, "hidden size",
        /*exact=*/false);
}

void ShapeRelations::nonZeroHidden(Value source, StringRef sourceName) {
  std::optional<int64_t> rank = getRank(source);
  if (rank && *rank > 0)
    nonZero(source, *rank - 1, sourceName, "hidden size");
}

void ShapeRelations::nonZero(Value value, int64_t dim, StringRef name,
                             StringRef role) {
  std::optional<int64_t> rank = getRank(value);
  if (!rank || dim < 0 || dim >= *rank)
    return;
  relations.push_back(
      {ShapeRelation::Kind::NonZero, {value, dim, name.str()}, {}, role.str()});
}

void ShapeRelations::size(Value value, int64_t dim, StringRef name,
                          int64_t size, StringRef role) {
  std::optional<int64_t> rank = getRank(value);
  if (!rank || dim < 0 || dim >= *rank)
    return;
  relations.push_back({ShapeRelation::Kind::Size,
                       {value, dim, name.str()},
                       {},
                       role.str(),
                       /*exact=*/true,
                       size});
}

//===----------------------------------------------------------------------===//
// The relations of each op
//===----------------------------------------------------------------------===//
//
// A source-like value is `tensor<T... x D x E>`: token dims, then the hidden
// size D, which is never 0. Variadic groups (sources, keys, values, outputs)
// share one shape.

namespace {

void describe(DepthAttnOp op, ShapeRelations &r) {
  if (op.getSources().empty())
    return;
  Value source = op.getSources().front();
  r.sameShapes(op.getSources(), "source");
  r.nonZeroHidden(source, "source #0");
  r.hidden(source, "source #0", op.getQuery(), "query", 0);
  r.sameShape(op.getResult(), "result", source, "source #0");
  r.sameShape(op.getInit(), "init", source, "source #0");
}

void describe(RMSNormOp op, ShapeRelations &r) {
  r.nonZeroHidden(op.getInput(), "input");
  r.hidden(op.getInput(), "input", op.getGain(), "gain", 0);
  r.sameShape(op.getResult(), "result", op.getInput(), "input");
  r.sameShape(op.getInit(), "init", op.getInput(), "input");
}

void describe(DepthLogitsOp op, ShapeRelations &r) {
  if (op.getKeys().empty())
    return;
  Value key = op.getKeys().front();
  r.sameShapes(op.getKeys(), "key");
  r.nonZeroHidden(key, "key #0");
  r.hidden(key, "key #0", op.getQuery(), "query", 0);
  // Dimension 0 of the result is the (static) number of keys.
  int64_t n = op.getKeys().size();
  r.size(op.getResult(), 0, "result", n, "key count");
  r.tokens(key, "key #0", op.getResult(), "result", 1);
  r.size(op.getInit(), 0, "init", n, "key count");
  r.tokens(key, "key #0", op.getInit(), "init", 1);
}

void describe(DepthSoftmaxOp op, ShapeRelations &r) {
  r.nonZero(op.getLogits(), 0, "logits", "depth axis");
  r.sameShape(op.getResult(), "result", op.getLogits(), "logits");
  r.sameShape(op.getInit(), "init", op.getLogits(), "logits");
}

void describe(DepthCombineOp op, ShapeRelations &r) {
  if (op.getValues().empty())
    return;
  Value value = op.getValues().front();
  r.sameShapes(op.getValues(), "value");
  r.nonZeroHidden(value, "value #0");
  // Dimension 0 of the weights is the (static) number of values.
  r.size(op.getWeights(), 0, "weights", op.getValues().size(), "value count");
  r.tokens(value, "value #0", op.getWeights(), "weights", 1);
  r.sameShape(op.getResult(), "result", value, "value #0");
  r.sameShape(op.getInit(), "init", value, "value #0");
}

void describe(BlockSummaryOp op, ShapeRelations &r) {
  if (op.getOutputs().empty())
    return;
  Value output = op.getOutputs().front();
  r.sameShapes(op.getOutputs(), "output");
  r.nonZeroHidden(output, "output #0");
  r.sameShape(op.getResult(), "result", output, "output #0");
  r.sameShape(op.getInit(), "init", output, "output #0");
}

/// `[S x] T... x D` values of depth_attn_stats(_grad): dimension 0 of
/// `value` is the query count, the rest are the source's dims (`withHidden`)
/// or its token dims.
void queriesThenSource(ShapeRelations &r, Value queries, Value source,
                       Value value, StringRef name, bool withHidden) {
  r.equal(value, 0, name, queries, 0, "queries", "query count");
  r.tokens(source, "source #0", value, name, 1);
  if (withHidden) {
    std::optional<int64_t> rank = getRank(source);
    if (rank && *rank > 0)
      r.equal(value, *rank, name, source, *rank - 1, "source #0",
              "hidden size");
  }
}

void describe(DepthAttnStatsOp op, ShapeRelations &r) {
  if (op.getSources().empty())
    return;
  Value source = op.getSources().front();
  r.sameShapes(op.getSources(), "source");
  r.nonZeroHidden(source, "source #0");
  r.hidden(source, "source #0", op.getQueries(), "queries", 1);
  queriesThenSource(r, op.getQueries(), source, op.getOutput(), "output",
                    /*withHidden=*/true);
  queriesThenSource(r, op.getQueries(), source, op.getLse(), "lse",
                    /*withHidden=*/false);
  if (op.getInits().size() == 2) {
    queriesThenSource(r, op.getQueries(), source, op.getInits()[0],
                      "output init", /*withHidden=*/true);
    queriesThenSource(r, op.getQueries(), source, op.getInits()[1], "lse init",
                      /*withHidden=*/false);
  }
}

void describe(DepthAttnMergeOp op, ShapeRelations &r) {
  Value source = op.getSource();
  r.nonZeroHidden(source, "source");
  r.sameShape(op.getOutput(), "output", source, "source");
  r.tokens(source, "source", op.getLse(), "lse", 0);
  r.hidden(source, "source", op.getQuery(), "query", 0);
  r.sameShape(op.getResult(), "result", source, "source");
  r.sameShape(op.getInit(), "init", source, "source");
}

/// The RMSNorm epilogue of a fused op: the gain has the hidden size, every
/// result and destination the shape of `source`.
void describeNormEpilogue(Operation *op, ValueRange inits, Value gain,
                          Value source, StringRef sourceName,
                          ShapeRelations &r) {
  r.hidden(source, sourceName, gain, "gain", 0);
  for (OpResult result : op->getResults())
    r.sameShape(result, result.getResultNumber() == 0 ? "normed" : "merged",
                source, sourceName);
  for (auto [i, init] : llvm::enumerate(inits))
    r.sameShape(init, i == 0 ? "normed init" : "merged init", source,
                sourceName);
}

void describe(DepthAttnNormOp op, ShapeRelations &r) {
  if (op.getSources().empty())
    return;
  Value source = op.getSources().front();
  r.sameShapes(op.getSources(), "source");
  r.nonZeroHidden(source, "source #0");
  r.hidden(source, "source #0", op.getQuery(), "query", 0);
  describeNormEpilogue(op, op.getInits(), op.getGain(), source, "source #0", r);
}

void describe(DepthAttnMergeNormOp op, ShapeRelations &r) {
  Value source = op.getSource();
  r.nonZeroHidden(source, "source");
  r.sameShape(op.getOutput(), "output", source, "source");
  r.tokens(source, "source", op.getLse(), "lse", 0);
  r.hidden(source, "source", op.getQuery(), "query", 0);
  describeNormEpilogue(op, op.getInits(), op.getGain(), source, "source", r);
}

/// The destinations of a gradient op with a vector (or queries) gradient
/// first and then one per source: init #0 has the shape of `first`, every
/// other the shape of `rest`.
void gradInits(ShapeRelations &r, ValueRange inits, Value first,
               StringRef firstName, Value rest, StringRef restName) {
  if (inits.empty())
    return;
  r.sameShape(inits.front(), "init #0", first, firstName);
  for (auto [index, init] : llvm::enumerate(inits.drop_front()))
    r.sameShape(init, ("init #" + Twine(index + 1)).str(), rest, restName);
}

void describe(DepthAttnGradOp op, ShapeRelations &r) {
  if (op.getSources().empty())
    return;
  Value source = op.getSources().front();
  r.sameShapes(op.getSources(), "source");
  r.nonZeroHidden(source, "source #0");
  r.hidden(source, "source #0", op.getQuery(), "query", 0);
  r.sameShape(op.getGrad(), "grad", source, "source #0");
  r.sameShape(op.getQueryGrad(), "query_grad", op.getQuery(), "query");
  for (auto [index, grad] : llvm::enumerate(op.getSourceGrads()))
    r.sameShape(grad, ("source_grad #" + Twine(index)).str(), source,
                "source #0");
  gradInits(r, op.getInits(), op.getQuery(), "query", source, "source #0");
}

void describe(RMSNormGradOp op, ShapeRelations &r) {
  r.nonZeroHidden(op.getInput(), "input");
  r.hidden(op.getInput(), "input", op.getGain(), "gain", 0);
  r.sameShape(op.getGrad(), "grad", op.getInput(), "input");
  r.sameShape(op.getInputGrad(), "input_grad", op.getInput(), "input");
  r.sameShape(op.getGainGrad(), "gain_grad", op.getGain(), "gain");
  gradInits(r, op.getInits(), op.getInput(), "input", op.getGain(), "gain");
}

void describe(DepthAttnStatsGradOp op, ShapeRelations &r) {
  if (op.getSources().empty())
    return;
  Value source = op.getSources().front();
  r.sameShapes(op.getSources(), "source");
  r.nonZeroHidden(source, "source #0");
  r.hidden(source, "source #0", op.getQueries(), "queries", 1);
  queriesThenSource(r, op.getQueries(), source, op.getLse(), "lse",
                    /*withHidden=*/false);
  queriesThenSource(r, op.getQueries(), source, op.getOutputGrad(),
                    "output_grad", /*withHidden=*/true);
  r.sameShape(op.getLseGrad(), "lse_grad", op.getLse(), "lse");
  r.sameShape(op.getQueriesGrad(), "queries_grad", op.getQueries(), "queries");
  for (auto [index, grad] : llvm::enumerate(op.getSourceGrads()))
    r.sameShape(grad, ("source_grad #" + Twine(index)).str(), source,
                "source #0");
  gradInits(r, op.getInits(), op.getQueries(), "queries", source, "source #0");
}

void describe(DepthAttnMergeGradOp op, ShapeRelations &r) {
  Value source = op.getSource();
  r.nonZeroHidden(source, "source");
  r.sameShape(op.getOutput(), "output", source, "source");
  r.sameShape(op.getGrad(), "grad", source, "source");
  r.tokens(source, "source", op.getLse(), "lse", 0);
  r.hidden(source, "source", op.getQuery(), "query", 0);
  r.sameShape(op.getOutputGrad(), "output_grad", source, "source");
  r.sameShape(op.getLseGrad(), "lse_grad", op.getLse(), "lse");
  r.sameShape(op.getQueryGrad(), "query_grad", op.getQuery(), "query");
  r.sameShape(op.getSourceGrad(), "source_grad", source, "source");
  ValueRange inits = op.getInits();
  if (inits.size() == 4) {
    r.sameShape(inits[0], "init #0", op.getOutput(), "output");
    r.sameShape(inits[1], "init #1", op.getLse(), "lse");
    r.sameShape(inits[2], "init #2", op.getQuery(), "query");
    r.sameShape(inits[3], "init #3", source, "source");
  }
}

//===----------------------------------------------------------------------===//
// External models
//===----------------------------------------------------------------------===//

/// The relations of `op`, an OpT.
template <typename OpT> ShapeRelations getRelations(Operation *op) {
  ShapeRelations relations;
  if (auto concrete = dyn_cast<OpT>(op))
    describe(concrete, relations);
  return relations;
}

template <typename OpT>
struct ShapeRelationsModel
    : public ShapeRelationsOpInterface::ExternalModel<ShapeRelationsModel<OpT>,
                                                      OpT> {
  void getShapeRelations(Operation *op, ShapeRelations &relations) const {
    if (auto concrete = dyn_cast<OpT>(op))
      describe(concrete, relations);
  }
};

/// Every dimension equal to dimension `dim` of `value` by the relations,
/// directly or through others (the result of depth_attn has the rows of
/// every source, not only of source #0), in the order found, `value`'s
/// first.
SmallVector<std::pair<Value, int64_t>>
relatedDims(const ShapeRelations &relations, Value value, int64_t dim) {
  SmallVector<std::pair<Value, int64_t>> related = {{value, dim}};
  for (size_t next = 0; next < related.size(); ++next) {
    for (const ShapeRelation &relation : relations.get()) {
      if (relation.kind != ShapeRelation::Kind::Equal)
        continue;
      std::pair<Value, int64_t> lhs = {relation.lhs.value, relation.lhs.dim};
      std::pair<Value, int64_t> rhs = {relation.rhs.value, relation.rhs.dim};
      if (lhs == related[next] && !llvm::is_contained(related, rhs))
        related.push_back(rhs);
      else if (rhs == related[next] && !llvm::is_contained(related, lhs))
        related.push_back(lhs);
    }
  }
  return related;
}

/// A result dimension equals every operand dimension related to it.
template <typename OpT>
struct ValueBoundsModel
    : public ValueBoundsOpInterface::ExternalModel<ValueBoundsModel<OpT>, OpT> {
  void populateBoundsForShapedValueDim(Operation *op, Value value, int64_t dim,
                                       ValueBoundsConstraintSet &cstr) const {
    ShapeRelations relations = getRelations<OpT>(op);
    auto related = relatedDims(relations, value, dim);
    for (auto [other, otherDim] : llvm::drop_begin(related))
      if (other.getDefiningOp() != op)
        cstr.bound(value)[dim] == cstr.getExpr(other, otherDim);
  }
};

/// The size of `dim` when the op is about to run: its static size, or a
/// `tensor.dim` of an operand; none for a dynamic result size (the op
/// defines it).
std::optional<OpFoldResult> sizeBefore(Operation *op, OpBuilder &builder,
                                       Location loc, const ShapeDim &dim) {
  auto type = dyn_cast<RankedTensorType>(dim.value.getType());
  if (!type || dim.dim >= type.getRank())
    return std::nullopt;
  if (!type.isDynamicDim(dim.dim))
    return OpFoldResult(builder.getIndexAttr(type.getDimSize(dim.dim)));
  if (dim.value.getDefiningOp() == op)
    return std::nullopt;
  return OpFoldResult(
      tensor::DimOp::create(builder, loc, dim.value, dim.dim).getResult());
}

Value materialize(OpBuilder &builder, Location loc, OpFoldResult size) {
  if (auto value = dyn_cast<Value>(size))
    return value;
  return arith::ConstantIndexOp::create(builder, loc,
                                        getConstantIntValue(size).value_or(0));
}

/// Checks every relation that involves a dynamic operand size.
template <typename OpT>
struct RuntimeChecksModel : public RuntimeVerifiableOpInterface::ExternalModel<
                                RuntimeChecksModel<OpT>, OpT> {
  void
  generateRuntimeVerification(Operation *op, OpBuilder &builder, Location loc,
                              function_ref<std::string(Operation *, StringRef)>
                                  generateErrorMessage) const {
    ShapeRelations relations = getRelations<OpT>(op);
    for (const ShapeRelation &relation : relations.get()) {
      if (relation.kind == ShapeRelation::Kind::Size)
        continue; // static, checked by the verifier
      std::optional<OpFoldResult> lhs =
          sizeBefore(op, builder, loc, relation.lhs);
      if (!lhs)
        continue;
      Value holds;
      if (relation.kind == ShapeRelation::Kind::NonZero) {
        if (isa<Attribute>(*lhs))
          continue; // the verifier checked it
        Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
        holds = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ne,
                                      materialize(builder, loc, *lhs), zero);
      } else {
        std::optional<OpFoldResult> rhs =
            sizeBefore(op, builder, loc, relation.rhs);
        if (!rhs || (isa<Attribute>(*lhs) && isa<Attribute>(*rhs)))
          continue; // defined by the op, or checked by the verifier
        holds = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq,
                                      materialize(builder, loc, *lhs),
                                      materialize(builder, loc, *rhs));
      }
      cf::AssertOp::create(builder, loc, holds,
                           generateErrorMessage(op, relation.describe()));
    }
  }
};

template <typename... OpTs> void attachModels(MLIRContext *context) {
  (OpTs::template attachInterface<ShapeRelationsModel<OpTs>,
                                  ValueBoundsModel<OpTs>,
                                  RuntimeChecksModel<OpTs>>(*context),
   ...);
}

} // namespace

void mlir::attnres::describeShapeRelations(Operation *op,
                                           ShapeRelations &relations) {
  llvm::TypeSwitch<Operation *>(op)
      .Case<DepthAttnOp, RMSNormOp, DepthLogitsOp, DepthSoftmaxOp,
            DepthCombineOp, BlockSummaryOp, DepthAttnStatsOp, DepthAttnMergeOp,
            DepthAttnGradOp, RMSNormGradOp, DepthAttnStatsGradOp,
            DepthAttnMergeGradOp, DepthAttnNormOp, DepthAttnMergeNormOp>(
          [&](auto concrete) { describe(concrete, relations); });
}

/// A size for a diagnostic: the number, or `?`.
static std::string printSize(int64_t size) {
  return ShapedType::isDynamic(size) ? "?" : std::to_string(size);
}

LogicalResult mlir::attnres::verifyShapeRelations(Operation *op) {
  ShapeRelations relations;
  describeShapeRelations(op, relations);
  auto sizeOf = [](const ShapeDim &dim) -> std::optional<int64_t> {
    auto type = dyn_cast<ShapedType>(dim.value.getType());
    if (!type || !type.hasRank() || dim.dim >= type.getRank())
      return std::nullopt;
    return type.getDimSize(dim.dim);
  };
  for (const ShapeRelation &relation : relations.get()) {
    std::optional<int64_t> lhs = sizeOf(relation.lhs);
    if (!lhs)
      continue;
    Type lhsType = relation.lhs.value.getType();
    switch (relation.kind) {
    case ShapeRelation::Kind::NonZero:
      if (*lhs == 0)
        return op->emitOpError()
               << "expects " << relation.lhs.describe() << " (" << relation.role
               << ") to be non-zero, got " << lhsType;
      break;
    case ShapeRelation::Kind::Size:
      if (*lhs != relation.size)
        return op->emitOpError()
               << "expects " << relation.lhs.describe() << " (" << relation.role
               << ") to be " << relation.size << ", got " << printSize(*lhs)
               << " in " << lhsType;
      break;
    case ShapeRelation::Kind::Equal: {
      std::optional<int64_t> rhs = sizeOf(relation.rhs);
      if (!rhs || *lhs == *rhs)
        break;
      bool lhsDynamic = ShapedType::isDynamic(*lhs);
      bool rhsDynamic = ShapedType::isDynamic(*rhs);
      if (!relation.exact && (lhsDynamic || rhsDynamic))
        break;
      auto diag = op->emitOpError()
                  << "expects " << relation.lhs.describe() << " to equal "
                  << relation.rhs.describe() << " (" << relation.role
                  << "), got " << printSize(*lhs) << " in " << lhsType
                  << " and " << printSize(*rhs) << " in "
                  << relation.rhs.value.getType();
      if (lhsDynamic || rhsDynamic)
        diag << " (one static, one dynamic)";
      return diag;
    }
    }
  }
  return success();
}

LogicalResult mlir::attnres::reifyResultShapesFromRelations(
    Operation *op, OpBuilder &b, ReifiedRankedShapedTypeDims &out) {
  ShapeRelations relations;
  describeShapeRelations(op, relations);
  Location loc = op->getLoc();
  ReifiedRankedShapedTypeDims reified;
  for (OpResult result : op->getResults()) {
    auto type = dyn_cast<RankedTensorType>(result.getType());
    if (!type)
      return failure();
    SmallVector<OpFoldResult> sizes;
    for (int64_t d = 0, e = type.getRank(); d < e; ++d) {
      if (!type.isDynamicDim(d)) {
        sizes.push_back(b.getIndexAttr(type.getDimSize(d)));
        continue;
      }
      // The first operand dimension the relations tie it to.
      // (Named: drop_begin of a temporary would outlive the vector.)
      std::optional<std::pair<Value, int64_t>> operandDim;
      auto related = relatedDims(relations, result, d);
      for (auto [other, otherDim] : llvm::drop_begin(related)) {
        if (other.getDefiningOp() == op)
          continue;
        operandDim = {other, otherDim};
        break;
      }
      if (!operandDim)
        return failure();
      auto [operand, dim] = *operandDim;
      if (isa<MemRefType>(operand.getType()))
        sizes.push_back(memref::getMixedSize(b, loc, operand, dim));
      else
        sizes.push_back(tensor::getMixedSize(b, loc, operand, dim));
    }
    reified.push_back(sizes);
  }
  llvm::append_range(out, reified);
  return success();
}

void mlir::attnres::registerShapeInterfaceExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, AttnResDialect *) {
    attachModels<DepthAttnOp, RMSNormOp, DepthLogitsOp, DepthSoftmaxOp,
                 DepthCombineOp, BlockSummaryOp, DepthAttnStatsOp,
                 DepthAttnMergeOp, DepthAttnGradOp, RMSNormGradOp,
                 DepthAttnStatsGradOp, DepthAttnMergeGradOp>(context);
    attachModels<DepthAttnNormOp, DepthAttnMergeNormOp>(context);
    // The run-time checks build arith, cf and tensor ops.
    context->loadDialect<arith::ArithDialect, cf::ControlFlowDialect,
                         tensor::TensorDialect>();
  });
}
