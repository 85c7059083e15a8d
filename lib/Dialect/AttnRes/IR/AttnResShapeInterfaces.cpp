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

/// The facts of one op relative to its reference value (source #0, the
/// input, the logits), stated as the recurring groups of the dialect: each
/// op's `describe` below is a short list of these.
class Facts {
public:
  Facts(ShapeRelations &r, Value reference, StringRef name)
      : r(r), reference(reference), name(name.str()) {}

  /// A variadic group of source-like values (`name #i`): one shape, a
  /// non-zero hidden size; the reference is the group's first value. None
  /// for an empty group (the op's verifier rejects it).
  static std::optional<Facts> group(ShapeRelations &r, ValueRange group,
                                    StringRef name) {
    if (group.empty())
      return std::nullopt;
    r.sameShapes(group, name);
    Facts facts(r, group.front(), (name + " #0").str());
    facts.nonZeroHidden();
    return facts;
  }

  /// The sources of depth_attn_stats(_grad): a group whose hidden size is
  /// dimension 1 of `queries` (`S x D`).
  static std::optional<Facts> queriedGroup(ShapeRelations &r,
                                           ValueRange sources, Value queries) {
    std::optional<Facts> facts = group(r, sources, "source");
    if (facts)
      facts->hidden(queries, "queries", 1);
    return facts;
  }

  /// One source-like value: a non-zero hidden size.
  static Facts source(ShapeRelations &r, Value source, StringRef name) {
    Facts facts(r, source, name);
    facts.nonZeroHidden();
    return facts;
  }

  /// The hidden size of the reference is non-zero.
  Facts &nonZeroHidden() {
    r.nonZeroHidden(reference, name);
    return *this;
  }
  /// `value` has the reference's shape.
  Facts &like(Value value, StringRef valueName) {
    r.sameShape(value, valueName, reference, name);
    return *this;
  }
  /// Every value of `values` (`valueName #i`) has the reference's shape.
  Facts &likeEach(ValueRange values, StringRef valueName) {
    for (auto [index, value] : llvm::enumerate(values))
      like(value, (valueName + " #" + Twine(index)).str());
    return *this;
  }
  /// `value` has the shape of `other`, not the reference (a gradient of
  /// another operand, a destination of it).
  Facts &pair(Value value, StringRef valueName, Value other,
              StringRef otherName) {
    r.sameShape(value, valueName, other, otherName);
    return *this;
  }
  /// The result and the optional destination have the reference's shape.
  Facts &resultAndInit(Value result, Value init) {
    return like(result, "result").like(init, "init");
  }
  /// Dimension `dim` of `vector` (a query or gain) is the hidden size.
  Facts &hidden(Value vector, StringRef vectorName, int64_t dim = 0) {
    r.hidden(reference, name, vector, vectorName, dim);
    return *this;
  }
  /// Dimensions `leading`.. of `other` are the reference's token dims.
  Facts &tokens(Value other, StringRef otherName, int64_t leading) {
    r.tokens(reference, name, other, otherName, leading);
    return *this;
  }
  /// Dimension 0 of `other` is `count` and the token dims follow it
  /// (depth_logits' logits, depth_combine's weights).
  Facts &countThenTokens(Value other, StringRef otherName, int64_t count,
                         StringRef role) {
    r.size(other, 0, otherName, count, role);
    return tokens(other, otherName, 1);
  }
  /// `[S x] T... [x D]` values of depth_attn_stats(_grad): dimension 0 of
  /// `value` is the query count, the rest are the reference's dims
  /// (`withHidden`) or its token dims.
  Facts &queriesThenTokens(Value queries, Value value, StringRef valueName,
                           bool withHidden) {
    r.equal(value, 0, valueName, queries, 0, "queries", "query count");
    tokens(value, valueName, 1);
    std::optional<int64_t> rank = getRank(reference);
    if (withHidden && rank && *rank > 0)
      r.equal(value, *rank, valueName, reference, *rank - 1, name,
              "hidden size");
    return *this;
  }
  /// The inputs of depth_attn_merge(_norm, _grad) after the source: the
  /// partial output like the source, the LSE over its token rows.
  Facts &mergeInputs(Value output, Value lse) {
    return like(output, "output").tokens(lse, "lse", 0);
  }
  /// The RMSNorm epilogue of a fused op: the gain has the hidden size,
  /// every result and destination the reference's shape.
  Facts &normEpilogue(Operation *op, ValueRange inits, Value gain) {
    hidden(gain, "gain");
    for (OpResult result : op->getResults())
      like(result, result.getResultNumber() == 0 ? "normed" : "merged");
    for (auto [i, init] : llvm::enumerate(inits))
      like(init, i == 0 ? "normed init" : "merged init");
    return *this;
  }
  /// The destinations of a gradient op with a vector (or queries) gradient
  /// first and then one per source: init #0 has the shape of `first`, every
  /// other the reference's.
  Facts &gradInits(ValueRange inits, Value first, StringRef firstName) {
    if (inits.empty())
      return *this;
    r.sameShape(inits.front(), "init #0", first, firstName);
    for (auto [index, init] : llvm::enumerate(inits.drop_front()))
      like(init, ("init #" + Twine(index + 1)).str());
    return *this;
  }

private:
  ShapeRelations &r;
  Value reference;
  std::string name;
};

void describe(DepthAttnOp op, ShapeRelations &r) {
  if (auto sources = Facts::group(r, op.getSources(), "source"))
    sources->hidden(op.getQuery(), "query")
        .resultAndInit(op.getResult(), op.getInit());
}

void describe(RMSNormOp op, ShapeRelations &r) {
  Facts::source(r, op.getInput(), "input")
      .hidden(op.getGain(), "gain")
      .resultAndInit(op.getResult(), op.getInit());
}

void describe(DepthLogitsOp op, ShapeRelations &r) {
  // Dimension 0 of the result is the (static) number of keys.
  int64_t n = op.getKeys().size();
  if (auto keys = Facts::group(r, op.getKeys(), "key"))
    keys->hidden(op.getQuery(), "query")
        .countThenTokens(op.getResult(), "result", n, "key count")
        .countThenTokens(op.getInit(), "init", n, "key count");
}

void describe(DepthSoftmaxOp op, ShapeRelations &r) {
  r.nonZero(op.getLogits(), 0, "logits", "depth axis");
  Facts(r, op.getLogits(), "logits")
      .resultAndInit(op.getResult(), op.getInit());
}

void describe(DepthCombineOp op, ShapeRelations &r) {
  // Dimension 0 of the weights is the (static) number of values.
  if (auto values = Facts::group(r, op.getValues(), "value"))
    values
        ->countThenTokens(op.getWeights(), "weights", op.getValues().size(),
                          "value count")
        .resultAndInit(op.getResult(), op.getInit());
}

void describe(BlockSummaryOp op, ShapeRelations &r) {
  if (auto outputs = Facts::group(r, op.getOutputs(), "output"))
    outputs->resultAndInit(op.getResult(), op.getInit());
}

void describe(DepthAttnStatsOp op, ShapeRelations &r) {
  Value queries = op.getQueries();
  auto sources = Facts::queriedGroup(r, op.getSources(), queries);
  if (!sources)
    return;
  sources
      ->queriesThenTokens(queries, op.getOutput(), "output",
                          /*withHidden=*/true)
      .queriesThenTokens(queries, op.getLse(), "lse",
                         /*withHidden=*/false);
  if (op.getInits().size() == 2)
    sources
        ->queriesThenTokens(queries, op.getInits()[0], "output init",
                            /*withHidden=*/true)
        .queriesThenTokens(queries, op.getInits()[1], "lse init",
                           /*withHidden=*/false);
}

void describe(DepthAttnMergeOp op, ShapeRelations &r) {
  Facts::source(r, op.getSource(), "source")
      .mergeInputs(op.getOutput(), op.getLse())
      .hidden(op.getQuery(), "query")
      .resultAndInit(op.getResult(), op.getInit());
}

void describe(DepthAttnNormOp op, ShapeRelations &r) {
  if (auto sources = Facts::group(r, op.getSources(), "source"))
    sources->hidden(op.getQuery(), "query")
        .normEpilogue(op, op.getInits(), op.getGain());
}

void describe(DepthAttnMergeNormOp op, ShapeRelations &r) {
  Facts::source(r, op.getSource(), "source")
      .mergeInputs(op.getOutput(), op.getLse())
      .hidden(op.getQuery(), "query")
      .normEpilogue(op, op.getInits(), op.getGain());
}

void describe(DepthAttnGradOp op, ShapeRelations &r) {
  if (auto sources = Facts::group(r, op.getSources(), "source"))
    sources->hidden(op.getQuery(), "query")
        .like(op.getGrad(), "grad")
        .pair(op.getQueryGrad(), "query_grad", op.getQuery(), "query")
        .likeEach(op.getSourceGrads(), "source_grad")
        .gradInits(op.getInits(), op.getQuery(), "query");
}

void describe(RMSNormGradOp op, ShapeRelations &r) {
  Facts::source(r, op.getInput(), "input")
      .hidden(op.getGain(), "gain")
      .like(op.getGrad(), "grad")
      .like(op.getInputGrad(), "input_grad")
      .pair(op.getGainGrad(), "gain_grad", op.getGain(), "gain");
  // init #0 like the input, init #1 like the gain.
  Facts(r, op.getGain(), "gain")
      .gradInits(op.getInits(), op.getInput(), "input");
}

void describe(DepthAttnStatsGradOp op, ShapeRelations &r) {
  Value queries = op.getQueries();
  auto sources = Facts::queriedGroup(r, op.getSources(), queries);
  if (!sources)
    return;
  sources->queriesThenTokens(queries, op.getLse(), "lse", /*withHidden=*/false)
      .queriesThenTokens(queries, op.getOutputGrad(), "output_grad",
                         /*withHidden=*/true)
      .pair(op.getLseGrad(), "lse_grad", op.getLse(), "lse")
      .pair(op.getQueriesGrad(), "queries_grad", queries, "queries")
      .likeEach(op.getSourceGrads(), "source_grad")
      .gradInits(op.getInits(), queries, "queries");
}

void describe(DepthAttnMergeGradOp op, ShapeRelations &r) {
  Facts source = Facts::source(r, op.getSource(), "source");
  source.like(op.getOutput(), "output")
      .like(op.getGrad(), "grad")
      .tokens(op.getLse(), "lse", 0)
      .hidden(op.getQuery(), "query")
      .like(op.getOutputGrad(), "output_grad")
      .pair(op.getLseGrad(), "lse_grad", op.getLse(), "lse")
      .pair(op.getQueryGrad(), "query_grad", op.getQuery(), "query")
      .like(op.getSourceGrad(), "source_grad");
  ValueRange inits = op.getInits();
  if (inits.size() == 4)
    source.pair(inits[0], "init #0", op.getOutput(), "output")
        .pair(inits[1], "init #1", op.getLse(), "lse")
        .pair(inits[2], "init #2", op.getQuery(), "query")
        .like(inits[3], "init #3");
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
