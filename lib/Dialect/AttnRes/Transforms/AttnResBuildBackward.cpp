//===- AttnResBuildBackward.cpp - reverse mode for attnres model functions ===//
//
// attnres-build-backward: for a function made of attnres forward ops, glue
// (slices, reshapes, transposes, matmuls, elementwise arith on tensors) and
// sublayer calls whose callees name their vector-Jacobian product
// (`attnres.vjp`), builds `@<f>_backward(args..., result cotangents...) ->
// (argument gradients...)`: the forward recomputed, then a reverse sweep
// with the gradient ops (docs/semantics.md, "Gradients").
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/IR/AttnResDialect.h"
#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "attnres/Dialect/AttnRes/Transforms/Passes.h"
#include "attnres/Dialect/AttnRes/Transforms/Transforms.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

namespace mlir {
namespace attnres {
#define GEN_PASS_DEF_ATTNRESBUILDBACKWARDPASS
#include "attnres/Dialect/AttnRes/Transforms/Passes.h.inc"
} // namespace attnres
} // namespace mlir

using namespace mlir;
using namespace mlir::attnres;

/// A value the reverse sweep carries a gradient for: a ranked tensor of
/// f32, f16 or bf16.
static bool isDifferentiableType(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor &&
         isa<Float32Type, Float16Type, BFloat16Type>(tensor.getElementType());
}

/// The VJP function a call's callee names with `attnres.vjp`, checked:
/// `(callee args..., result cotangents...) -> (callee arg types...)`.
static FailureOr<func::FuncOp> resolveVJP(func::CallOp call,
                                          SymbolTableCollection &symbols) {
  auto callee =
      symbols.lookupNearestSymbolFrom<func::FuncOp>(call, call.getCalleeAttr());
  if (!callee)
    return call.emitError() << "attnres-build-backward: callee @"
                            << call.getCallee() << " is not a func.func";
  auto vjpRef = callee->getAttrOfType<FlatSymbolRefAttr>(kVJPAttrName);
  if (!vjpRef)
    return call.emitError()
           << "attnres-build-backward: cannot differentiate the call of @"
           << call.getCallee() << ": the callee has no '" << kVJPAttrName
           << "' attribute naming its vector-Jacobian product";
  auto vjp = symbols.lookupNearestSymbolFrom<func::FuncOp>(callee, vjpRef);
  if (!vjp)
    return call.emitError() << "attnres-build-backward: '" << kVJPAttrName
                            << "' of @" << call.getCallee() << " names "
                            << vjpRef << ", which is not a func.func";
  FunctionType calleeType = callee.getFunctionType();
  SmallVector<Type> inputs(calleeType.getInputs());
  llvm::append_range(inputs, calleeType.getResults());
  FunctionType expected =
      FunctionType::get(call.getContext(), inputs, calleeType.getInputs());
  if (vjp.getFunctionType() != expected)
    return call.emitError()
           << "attnres-build-backward: the vector-Jacobian product " << vjpRef
           << " of @" << call.getCallee() << " has type "
           << vjp.getFunctionType() << ", expected " << expected
           << " (the callee's arguments and result cotangents in, the "
              "arguments' gradients out)";
  return vjp;
}

namespace {
/// Builds one backward function.
class BackwardBuilder {
public:
  BackwardBuilder(func::FuncOp forward, SymbolTableCollection &symbols)
      : forward(forward), symbols(symbols) {}

  /// Checks that every active op can be differentiated (errors at the ops),
  /// before anything is created.
  LogicalResult analyze();
  /// Creates the backward function named `name` after the forward.
  func::FuncOp build(StringRef name);

private:
  bool isActive(Value v) const { return active.contains(v); }
  LogicalResult checkOp(Operation *op);

  /// The backward's copy of a forward value.
  Value mapped(Value v) const { return mapping.lookup(v); }
  /// Adds `grad` to the gradient of forward value `v` (ignored when `v` is
  /// not active: nothing upstream of it depends on an argument).
  void accumulate(Value v, Value grad) {
    if (grad && isActive(v))
      grads[v].push_back(grad);
  }
  /// The gradient of forward value `v`: null when nothing reached it.
  Value gradientOf(Value v, Location loc);
  /// `gradientOf(v)`, or zeros shaped like `v`.
  Value gradientOrZeros(Value v, Location loc);
  Value zerosLike(Value backwardValue, Location loc);
  Value matmul(Value a, Value b, Location loc);
  Value transpose(Value v, ArrayRef<int64_t> permutation, Location loc);

  /// The reverse rule of one active op; its results' gradients are known.
  void differentiate(Operation *op);

  func::FuncOp forward;
  SymbolTableCollection &symbols;
  llvm::DenseSet<Value> active;
  SmallVector<Operation *> activeOps;
  DenseMap<Operation *, func::FuncOp> vjps;
  OpBuilder builder{forward.getContext()};
  IRMapping mapping;
  DenseMap<Value, SmallVector<Value>> grads;
};
} // namespace

LogicalResult BackwardBuilder::checkOp(Operation *op) {
  auto fail = [&](const Twine &why) {
    return op->emitError() << "attnres-build-backward: cannot differentiate '"
                           << op->getName() << "': " << why;
  };
  if (isa<DepthAttnOp, RMSNormOp, BlockSummaryOp, DepthAttnStatsOp,
          DepthAttnMergeOp, tensor::ExtractSliceOp, tensor::InsertSliceOp,
          tensor::CollapseShapeOp, tensor::ExpandShapeOp, linalg::TransposeOp,
          arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::NegFOp>(op))
    return success();
  if (isa<DepthAttnNormOp, DepthAttnMergeNormOp>(op)) {
    // Differentiated as the site followed by its rms_norm.
    bool withInits =
        llvm::any_of(op->getOperandTypes(), llvm::IsaPred<MemRefType>) ||
        op->getNumResults() == 0;
    if (auto fused = dyn_cast<DepthAttnNormOp>(op))
      withInits |= !fused.getInits().empty();
    if (auto fused = dyn_cast<DepthAttnMergeNormOp>(op))
      withInits |= !fused.getInits().empty();
    if (withInits)
      return fail("destinations (outs) and the memref form are not "
                  "differentiated");
    return success();
  }
  if (isa<DepthLogitsOp, DepthSoftmaxOp, DepthCombineOp>(op))
    return fail("the unfused site has no gradient ops; run attnres-fuse "
                "first (its gradient is depth_attn_grad)");
  if (auto mm = dyn_cast<linalg::MatmulOp>(op)) {
    if (mm.hasUserDefinedMaps())
      return fail("only the default indexing maps (C += A·B) are supported");
    for (Value v : op->getOperands())
      if (cast<ShapedType>(v.getType()).getRank() != 2)
        return fail("operands must be rank-2 tensors");
    return success();
  }
  if (auto call = dyn_cast<func::CallOp>(op)) {
    if (!llvm::all_of(call.getResultTypes(), isDifferentiableType))
      return fail("every result of a differentiated call must be a ranked "
                  "f32, f16 or bf16 tensor (it gets a cotangent)");
    FailureOr<func::FuncOp> vjp = resolveVJP(call, symbols);
    if (failed(vjp))
      return failure();
    vjps[op] = *vjp;
    return success();
  }
  return fail("no reverse rule (attnres ops, slices, reshapes, transposes, "
              "matmuls, elementwise arith on tensors, and calls of functions "
              "with 'attnres.vjp' are differentiated)");
}

LogicalResult BackwardBuilder::analyze() {
  Region &body = forward.getBody();
  if (!body.hasOneBlock())
    return forward.emitError()
           << "attnres-build-backward: @" << forward.getSymName()
           << " must have a body of one block";
  FunctionType type = forward.getFunctionType();
  for (auto [i, t] : llvm::enumerate(type.getInputs()))
    if (!isDifferentiableType(t))
      return forward.emitError()
             << "attnres-build-backward: argument #" << i << " of @"
             << forward.getSymName() << " has type " << t
             << "; arguments must be ranked f32, f16 or bf16 tensors";
  for (auto [i, t] : llvm::enumerate(type.getResults()))
    if (!isDifferentiableType(t))
      return forward.emitError()
             << "attnres-build-backward: result #" << i << " of @"
             << forward.getSymName() << " has type " << t
             << "; results must be ranked f32, f16 or bf16 tensors";
  for (BlockArgument arg : body.getArguments())
    active.insert(arg);
  bool ok = true;
  for (Operation &op : body.front().without_terminator()) {
    // An op with regions must not read an active value from above (e.g. a
    // linalg.generic's body capturing one).
    bool capturesActive = false;
    for (Region &region : op.getRegions())
      visitUsedValuesDefinedAbove(region, [&](OpOperand *use) {
        capturesActive |= isActive(use->get());
      });
    bool usesActive =
        capturesActive ||
        llvm::any_of(op.getOperands(), [&](Value v) { return isActive(v); });
    if (!usesActive)
      continue;
    // Results that carry no gradient (indices, integers: tensor.dim of an
    // activation) end the dependence.
    bool producesDifferentiable = llvm::any_of(
        op.getResultTypes(), [](Type t) { return isDifferentiableType(t); });
    if (!producesDifferentiable) {
      // A pure op (tensor.dim of an activation) ends the dependence; an op
      // that may write memory could carry it where the sweep cannot follow.
      if (!isMemoryEffectFree(&op)) {
        op.emitError() << "attnres-build-backward: cannot differentiate '"
                       << op.getName()
                       << "': it reads a value that depends on an argument "
                          "and may write memory (the gradient would be lost)";
        ok = false;
      }
      continue;
    }
    if (capturesActive || failed(checkOp(&op))) {
      if (capturesActive)
        op.emitError() << "attnres-build-backward: cannot differentiate '"
                       << op.getName()
                       << "': its regions read a value that depends on an "
                          "argument";
      ok = false;
      continue;
    }
    activeOps.push_back(&op);
    for (Value r : op.getResults())
      if (isDifferentiableType(r.getType()))
        active.insert(r);
  }
  return success(ok);
}

Value BackwardBuilder::zerosLike(Value v, Location loc) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.hasStaticShape())
    return arith::ConstantOp::create(
        builder, loc, cast<TypedAttr>(builder.getZeroAttr(type)));
  Value zero = arith::ConstantOp::create(
      builder, loc, builder.getZeroAttr(type.getElementType()));
  SmallVector<Value> dynamic;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      dynamic.push_back(tensor::DimOp::create(builder, loc, v, i));
  Value empty = tensor::EmptyOp::create(builder, loc, type, dynamic);
  return linalg::FillOp::create(builder, loc, zero, empty).getResult(0);
}

Value BackwardBuilder::gradientOf(Value v, Location loc) {
  auto it = grads.find(v);
  if (it == grads.end() || it->second.empty())
    return nullptr;
  SmallVector<Value> &parts = it->second;
  if (parts.size() > 1) {
    auto type = cast<RankedTensorType>(parts.front().getType());
    Value sum;
    if (type.getRank() >= 1 && type.getShape().back() != 0) {
      // One n-ary sum, accumulated in f32 and rounded once.
      sum = BlockSummaryOp::create(builder, loc, type, parts).getResult();
    } else {
      sum = parts.front();
      for (Value p : ArrayRef(parts).drop_front())
        sum = arith::AddFOp::create(builder, loc, sum, p);
    }
    parts.assign(1, sum);
  }
  return parts.front();
}

Value BackwardBuilder::gradientOrZeros(Value v, Location loc) {
  if (Value g = gradientOf(v, loc))
    return g;
  return zerosLike(mapped(v), loc);
}

Value BackwardBuilder::transpose(Value v, ArrayRef<int64_t> permutation,
                                 Location loc) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> sizes;
  for (int64_t p : permutation)
    sizes.push_back(tensor::getMixedSize(builder, loc, v, p));
  Value init =
      tensor::EmptyOp::create(builder, loc, sizes, type.getElementType());
  return linalg::TransposeOp::create(builder, loc, v, init, permutation)
      .getResult()
      .front();
}

/// `a · b` for rank-2 tensors, into a zero-filled result.
Value BackwardBuilder::matmul(Value a, Value b, Location loc) {
  auto aType = cast<RankedTensorType>(a.getType());
  SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(builder, loc, a, 0),
                                     tensor::getMixedSize(builder, loc, b, 1)};
  Value init =
      tensor::EmptyOp::create(builder, loc, sizes, aType.getElementType());
  Value zero = arith::ConstantOp::create(
      builder, loc, builder.getZeroAttr(aType.getElementType()));
  Value acc = linalg::FillOp::create(builder, loc, zero, init).getResult(0);
  return linalg::MatmulOp::create(builder, loc, ValueRange{a, b},
                                  ValueRange{acc})
      .getResult(0);
}

void BackwardBuilder::differentiate(Operation *op) {
  Location loc = op->getLoc();
  auto operand = [&](unsigned i) { return mapped(op->getOperand(i)); };

  //===--- attnres ops ----------------------------------------------------===//
  if (auto site = dyn_cast<DepthAttnOp>(op)) {
    Value g = gradientOf(site.getResult(), loc);
    SmallVector<Value> sources;
    for (Value s : site.getSources())
      sources.push_back(mapped(s));
    SmallVector<Type> sourceTypes(site.getSources().getTypes());
    auto grad = DepthAttnGradOp::create(builder, loc, site.getQuery().getType(),
                                        sourceTypes, mapped(site.getQuery()),
                                        sources, g, site.getEpsAttr());
    accumulate(site.getQuery(), grad.getQueryGrad());
    for (auto [s, d] : llvm::zip(site.getSources(), grad.getSourceGrads()))
      accumulate(s, d);
    return;
  }
  if (auto norm = dyn_cast<RMSNormOp>(op)) {
    Value g = gradientOf(norm.getResult(), loc);
    auto grad = RMSNormGradOp::create(
        builder, loc, norm.getInput().getType(), norm.getGain().getType(),
        mapped(norm.getInput()), mapped(norm.getGain()), g, norm.getEpsAttr());
    accumulate(norm.getInput(), grad.getInputGrad());
    accumulate(norm.getGain(), grad.getGainGrad());
    return;
  }
  if (auto sum = dyn_cast<BlockSummaryOp>(op)) {
    // Linear: every summand receives the cotangent unchanged.
    Value g = gradientOf(sum.getResult(), loc);
    for (Value o : sum.getOutputs())
      accumulate(o, g);
    return;
  }
  if (auto stats = dyn_cast<DepthAttnStatsOp>(op)) {
    Value dO = gradientOrZeros(stats.getOutput(), loc);
    Value dlse = gradientOrZeros(stats.getLse(), loc);
    SmallVector<Value> sources;
    for (Value s : stats.getSources())
      sources.push_back(mapped(s));
    SmallVector<Type> sourceTypes(stats.getSources().getTypes());
    auto grad = DepthAttnStatsGradOp::create(
        builder, loc, stats.getQueries().getType(), sourceTypes,
        mapped(stats.getQueries()), sources, mapped(stats.getLse()), dO, dlse,
        stats.getEpsAttr());
    accumulate(stats.getQueries(), grad.getQueriesGrad());
    for (auto [s, d] : llvm::zip(stats.getSources(), grad.getSourceGrads()))
      accumulate(s, d);
    return;
  }
  if (auto merge = dyn_cast<DepthAttnMergeOp>(op)) {
    Value g = gradientOf(merge.getResult(), loc);
    auto grad = DepthAttnMergeGradOp::create(
        builder, loc, mapped(merge.getOutput()), mapped(merge.getLse()),
        mapped(merge.getQuery()), mapped(merge.getSource()), g,
        merge.getEpsAttr());
    accumulate(merge.getOutput(), grad.getOutputGrad());
    accumulate(merge.getLse(), grad.getLseGrad());
    accumulate(merge.getQuery(), grad.getQueryGrad());
    accumulate(merge.getSource(), grad.getSourceGrad());
    return;
  }

  if (isa<DepthAttnNormOp, DepthAttnMergeNormOp>(op)) {
    // The site, then the rms_norm of its result h: h is the recomputed
    // second result when kept, else the site rebuilt from the fused op's
    // operands (the unused norm it comes with is erased at the end).
    Value h = op->getNumResults() == 2 ? mapped(op->getResult(1)) : Value();
    if (!h) {
      FailureOr<std::pair<Value, Value>> unfused = buildUnfusedNormEpilogue(
          builder, mapped(op->getResult(0)).getDefiningOp());
      if (failed(unfused))
        return;
      h = unfused->second;
    }
    Value gain = isa<DepthAttnNormOp>(op)
                     ? cast<DepthAttnNormOp>(op).getGain()
                     : cast<DepthAttnMergeNormOp>(op).getGain();
    SmallVector<Value> parts;
    if (Value gNormed = gradientOf(op->getResult(0), loc)) {
      auto normGrad = RMSNormGradOp::create(
          builder, loc, h.getType(), gain.getType(), h, mapped(gain), gNormed,
          op->getAttrOfType<FloatAttr>("norm_eps"));
      accumulate(gain, normGrad.getGainGrad());
      parts.push_back(normGrad.getInputGrad());
    }
    if (op->getNumResults() == 2)
      if (Value gMerged = gradientOf(op->getResult(1), loc))
        parts.push_back(gMerged);
    if (parts.empty())
      return;
    Value g = parts.size() == 1
                  ? parts.front()
                  : BlockSummaryOp::create(builder, loc, h.getType(), parts)
                        .getResult();
    auto eps = op->getAttrOfType<FloatAttr>("eps");
    if (auto site = dyn_cast<DepthAttnNormOp>(op)) {
      SmallVector<Value> sources;
      for (Value s : site.getSources())
        sources.push_back(mapped(s));
      SmallVector<Type> sourceTypes(site.getSources().getTypes());
      auto grad = DepthAttnGradOp::create(
          builder, loc, site.getQuery().getType(), sourceTypes,
          mapped(site.getQuery()), sources, g, eps);
      accumulate(site.getQuery(), grad.getQueryGrad());
      for (auto [s, d] : llvm::zip(site.getSources(), grad.getSourceGrads()))
        accumulate(s, d);
      return;
    }
    auto merge = cast<DepthAttnMergeNormOp>(op);
    auto grad = DepthAttnMergeGradOp::create(
        builder, loc, mapped(merge.getOutput()), mapped(merge.getLse()),
        mapped(merge.getQuery()), mapped(merge.getSource()), g, eps);
    accumulate(merge.getOutput(), grad.getOutputGrad());
    accumulate(merge.getLse(), grad.getLseGrad());
    accumulate(merge.getQuery(), grad.getQueryGrad());
    accumulate(merge.getSource(), grad.getSourceGrad());
    return;
  }

  //===--- sublayer calls -------------------------------------------------===//
  if (auto call = dyn_cast<func::CallOp>(op)) {
    SmallVector<Value> args;
    for (Value a : call.getOperands())
      args.push_back(mapped(a));
    for (Value r : call.getResults())
      args.push_back(gradientOrZeros(r, loc));
    func::FuncOp vjp = vjps.lookup(op);
    auto back = func::CallOp::create(builder, loc, vjp, args);
    for (auto [a, d] : llvm::zip(call.getOperands(), back.getResults()))
      if (isDifferentiableType(a.getType()))
        accumulate(a, d);
    return;
  }

  //===--- glue -----------------------------------------------------------===//
  if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op)) {
    Value g = gradientOf(slice.getResult(), loc);
    auto offsets = llvm::map_to_vector(slice.getMixedOffsets(), [&](auto f) {
      return OpFoldResult(isa<Value>(f) ? mapped(cast<Value>(f)) : f);
    });
    auto sizes = llvm::map_to_vector(slice.getMixedSizes(), [&](auto f) {
      return OpFoldResult(isa<Value>(f) ? mapped(cast<Value>(f)) : f);
    });
    auto strides = llvm::map_to_vector(slice.getMixedStrides(), [&](auto f) {
      return OpFoldResult(isa<Value>(f) ? mapped(cast<Value>(f)) : f);
    });
    Value zeros = zerosLike(mapped(slice.getSource()), loc);
    Value d = tensor::InsertSliceOp::create(builder, loc, g, zeros, offsets,
                                            sizes, strides);
    accumulate(slice.getSource(), d);
    return;
  }
  if (auto insert = dyn_cast<tensor::InsertSliceOp>(op)) {
    Value g = gradientOf(insert.getResult(), loc);
    auto remap = [&](ArrayRef<OpFoldResult> list) {
      return llvm::map_to_vector(list, [&](OpFoldResult f) {
        return OpFoldResult(isa<Value>(f) ? mapped(cast<Value>(f)) : f);
      });
    };
    SmallVector<OpFoldResult> offsets = remap(insert.getMixedOffsets());
    SmallVector<OpFoldResult> sizes = remap(insert.getMixedSizes());
    SmallVector<OpFoldResult> strides = remap(insert.getMixedStrides());
    // The inserted tile gets its window of g; the destination gets g with
    // that window zeroed.
    Value dSource = tensor::ExtractSliceOp::create(
        builder, loc, insert.getSourceType(), g, offsets, sizes, strides);
    accumulate(insert.getSource(), dSource);
    if (isActive(insert.getDest())) {
      Value zeros = zerosLike(mapped(insert.getSource()), loc);
      accumulate(insert.getDest(),
                 tensor::InsertSliceOp::create(builder, loc, zeros, g, offsets,
                                               sizes, strides));
    }
    return;
  }
  if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op)) {
    Value g = gradientOf(collapse.getResult(), loc);
    Value src = mapped(collapse.getSrc());
    SmallVector<OpFoldResult> shape = tensor::getMixedSizes(builder, loc, src);
    accumulate(collapse.getSrc(),
               tensor::ExpandShapeOp::create(
                   builder, loc, collapse.getSrcType(), g,
                   collapse.getReassociationIndices(), shape));
    return;
  }
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op)) {
    Value g = gradientOf(expand.getResult(), loc);
    accumulate(expand.getSrc(), tensor::CollapseShapeOp::create(
                                    builder, loc, expand.getSrcType(), g,
                                    expand.getReassociationIndices()));
    return;
  }
  if (auto t = dyn_cast<linalg::TransposeOp>(op)) {
    Value g = gradientOf(t->getResult(0), loc);
    SmallVector<int64_t> inverse(t.getPermutation().size());
    for (auto [i, p] : llvm::enumerate(t.getPermutation()))
      inverse[p] = i;
    accumulate(t.getInput(), transpose(g, inverse, loc));
    return;
  }
  if (auto mm = dyn_cast<linalg::MatmulOp>(op)) {
    // C = C0 + A·B: dA = g·Bᵀ, dB = Aᵀ·g, dC0 = g.
    Value g = gradientOf(mm->getResult(0), loc);
    Value a = mm.getDpsInputOperand(0)->get();
    Value b = mm.getDpsInputOperand(1)->get();
    Value c = mm.getDpsInitOperand(0)->get();
    if (isActive(a))
      accumulate(a, matmul(g, transpose(mapped(b), {1, 0}, loc), loc));
    if (isActive(b))
      accumulate(b, matmul(transpose(mapped(a), {1, 0}, loc), g, loc));
    accumulate(c, g);
    return;
  }
  if (auto add = dyn_cast<arith::AddFOp>(op)) {
    Value g = gradientOf(add.getResult(), loc);
    accumulate(add.getLhs(), g);
    accumulate(add.getRhs(), g);
    return;
  }
  if (auto sub = dyn_cast<arith::SubFOp>(op)) {
    Value g = gradientOf(sub.getResult(), loc);
    accumulate(sub.getLhs(), g);
    if (isActive(sub.getRhs()))
      accumulate(sub.getRhs(), arith::NegFOp::create(builder, loc, g));
    return;
  }
  if (auto neg = dyn_cast<arith::NegFOp>(op)) {
    Value g = gradientOf(neg.getResult(), loc);
    accumulate(neg.getOperand(), arith::NegFOp::create(builder, loc, g));
    return;
  }
  if (auto mul = dyn_cast<arith::MulFOp>(op)) {
    Value g = gradientOf(mul.getResult(), loc);
    if (isActive(mul.getLhs()))
      accumulate(mul.getLhs(),
                 arith::MulFOp::create(builder, loc, g, operand(1)));
    if (isActive(mul.getRhs()))
      accumulate(mul.getRhs(),
                 arith::MulFOp::create(builder, loc, g, operand(0)));
    return;
  }
}

func::FuncOp BackwardBuilder::build(StringRef name) {
  FunctionType type = forward.getFunctionType();
  SmallVector<Type> inputs(type.getInputs());
  llvm::append_range(inputs, type.getResults());
  auto backwardType =
      FunctionType::get(forward.getContext(), inputs, type.getInputs());
  builder.setInsertionPointAfter(forward);
  auto backward =
      func::FuncOp::create(builder, forward.getLoc(), name, backwardType);
  backward.setVisibility(forward.getVisibility());
  if (forward->hasAttr("llvm.emit_c_interface"))
    backward->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
  Block *entry = backward.addEntryBlock();
  builder.setInsertionPointToStart(entry);

  // The forward, recomputed (ops nothing uses are erased at the end).
  Block &body = forward.getBody().front();
  for (auto [from, to] : llvm::zip(body.getArguments(), entry->getArguments()))
    mapping.map(from, to);
  for (Operation &op : body.without_terminator())
    builder.clone(op, mapping);

  // Seed the result cotangents, then sweep the active ops in reverse.
  Operation *terminator = body.getTerminator();
  unsigned numArgs = type.getNumInputs();
  for (auto [i, result] : llvm::enumerate(terminator->getOperands()))
    accumulate(result, entry->getArgument(numArgs + i));
  for (Operation *op : llvm::reverse(activeOps)) {
    bool reached = llvm::any_of(op->getResults(), [&](Value r) {
      auto it = grads.find(r);
      return it != grads.end() && !it->second.empty();
    });
    if (!reached)
      continue;
    differentiate(op);
  }

  SmallVector<Value> results;
  for (BlockArgument arg : body.getArguments())
    results.push_back(gradientOrZeros(arg, forward.getLoc()));
  func::ReturnOp::create(builder, forward.getLoc(), results);

  // Drop the recomputed forward ops the sweep does not read.
  SmallVector<Operation *> ops;
  for (Operation &op : entry->without_terminator())
    ops.push_back(&op);
  for (Operation *op : llvm::reverse(ops))
    if (isOpTriviallyDead(op))
      op->erase();
  return backward;
}

FailureOr<func::FuncOp>
mlir::attnres::buildAttnResBackward(func::FuncOp forward, StringRef name) {
  auto module = forward->getParentOfType<ModuleOp>();
  if (!module)
    return forward.emitError()
           << "attnres-build-backward: @" << forward.getSymName()
           << " must be in a module";
  if (forward.isExternal())
    return forward.emitError()
           << "attnres-build-backward: @" << forward.getSymName()
           << " is a declaration; it needs a body to differentiate";
  if (SymbolTable::lookupSymbolIn(module, name))
    return forward.emitError()
           << "attnres-build-backward: the module already has a symbol @"
           << name;
  SymbolTableCollection symbols;
  BackwardBuilder builder(forward, symbols);
  if (failed(builder.analyze()))
    return failure();
  return builder.build(name);
}

LogicalResult
mlir::attnres::buildAttnResBackwards(ModuleOp module,
                                     ArrayRef<std::string> names) {
  if (names.empty())
    return module.emitError()
           << "attnres-build-backward: no function to differentiate (set "
              "functions=<name>,...)";
  // Resolve all names first, so nothing is built when one is wrong.
  SmallVector<func::FuncOp> forwards;
  for (const std::string &name : names) {
    auto fn = module.lookupSymbol<func::FuncOp>(name);
    if (!fn)
      return module.emitError()
             << "attnres-build-backward: no func.func named @" << name;
    forwards.push_back(fn);
  }
  for (func::FuncOp fn : forwards)
    if (failed(buildAttnResBackward(fn, (fn.getSymName() + "_backward").str())))
      return failure();
  return success();
}

namespace {
struct AttnResBuildBackwardPass
    : attnres::impl::AttnResBuildBackwardPassBase<AttnResBuildBackwardPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<std::string> names(functions.begin(), functions.end());
    if (failed(buildAttnResBackwards(getOperation(), names)))
      signalPassFailure();
  }
};
} // namespace
