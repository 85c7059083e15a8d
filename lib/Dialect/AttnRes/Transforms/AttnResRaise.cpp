//===- AttnResRaise.cpp - raise frontend linalg into attnres ops ----------===//
//
// Recognizes AttnRes sites in linalg-on-tensors (what torch-mlir's FX
// importer, or MLIR's TOSA-to-linalg, make of a PyTorch AttnRes module) and
// rewrites each one into `attnres.depth_attn` with the key-norm gain folded
// into the query.
//
// Matching is semantic, not syntactic. A small symbolic evaluator reads the
// value of one element of a tensor, `X[i_0, ..., i_k]`, as a scalar
// expression over index variables:
//
//   * views (expand_shape, collapse_shape, concat, transpose, broadcast,
//     static extract_slice, tensor.cast, copy-like generics) are resolved on
//     the index itself: an index is a list of mixed-radix digits per
//     dimension, so reshapes that merge the source axis with the token axes
//     and split them again come back to the same digits; a concat along a
//     digit that is a variable becomes a `select` over the concatenated
//     tensors;
//   * a linalg op (generic or named: matmul, batch_matmul, matvec, fill, ...)
//     is read through its indexing maps, iterator types and body: parallel
//     loops bind to the index, reduction loops become `reduce(kind, vars,
//     body, init)` nodes;
//   * everything else (function arguments, dense_resource parameters, ops of
//     other dialects) is a leaf.
//
// Expressions are hash-consed, so two reads of the same element along
// different view chains are the same node. Leaves are only expanded when the
// matcher asks, so the sources of a site are never looked into.
//
// A site is then recognized top-down from a candidate root `h[t..., c]`:
//
//   h  = Σ_j α_j · V_j               (a reduction over a small axis, or a sum
//                                     of terms; unrolled into n terms)
//   α_j = exp(s_j − M) / Z,  M = max_j s_j,  Z = Σ_j exp(s_j − M)
//   s_j = ρ_j · Σ_r V_j[t,r] · q(r)  (q: a product of per-hidden factors,
//                                     e.g. the gain γ and the query w)
//   ρ_j = rsqrt(mean_r V_j[t,r]² + ε)  or  1 / sqrt(...)
//
// where every V_j read in the norm and the logits is the same element as the
// value read in the combine. The rewrite is all or nothing per root.
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "attnres/Dialect/AttnRes/Transforms/Passes.h"
#include "attnres/Dialect/AttnRes/Utils/Functions.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <deque>
#include <limits>
#include <map>
#include <string>

namespace mlir {
namespace attnres {
#define GEN_PASS_DEF_ATTNRESRAISEPASS
#include "attnres/Dialect/AttnRes/Transforms/Passes.h.inc"
} // namespace attnres
} // namespace mlir

using namespace mlir;
using namespace mlir::attnres;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;
/// Most factors a product in a site is unfolded into.
constexpr size_t kMaxFactors = 64;

//===----------------------------------------------------------------------===//
// Indices: per dimension, a list of mixed-radix digits (most significant
// first). A digit is a variable or a constant with the extent it ranges over.
//===----------------------------------------------------------------------===//

struct Digit {
  bool isVar;
  int64_t value; // variable id or constant
  int64_t extent;
  bool operator==(const Digit &o) const {
    return isVar == o.isVar && value == o.value && extent == o.extent;
  }
};
using DimIndex = SmallVector<Digit, 2>;
using Index = SmallVector<DimIndex, 4>;

/// Drops unit digits and merges adjacent static constant digits.
DimIndex normalize(ArrayRef<Digit> digits) {
  DimIndex out;
  for (const Digit &d : digits) {
    if (d.extent == 1)
      continue;
    if (!d.isVar && !out.empty() && !out.back().isVar &&
        out.back().extent != kDyn && d.extent != kDyn) {
      out.back().value = out.back().value * d.extent + d.value;
      out.back().extent *= d.extent;
      continue;
    }
    out.push_back(d);
  }
  return out;
}

/// Splits `digits` into a prefix and a suffix whose extents multiply to
/// `size` (static, or one dynamic digit for a dynamic size). Fails when the
/// digits do not line up with `size`.
FailureOr<std::pair<DimIndex, DimIndex>> splitSuffix(ArrayRef<Digit> digits,
                                                     int64_t size) {
  DimIndex d = normalize(digits);
  size_t i = d.size();
  if (size == kDyn) {
    if (i == 0 || d[i - 1].extent != kDyn)
      return failure();
    --i;
  } else {
    int64_t product = 1;
    while (product < size && i > 0) {
      if (d[i - 1].extent == kDyn)
        return failure();
      product *= d[i - 1].extent;
      --i;
    }
    if (product != size) {
      // A constant digit may still straddle the boundary: split it.
      if (i < d.size() && !d[i].isVar && product % size == 0 &&
          d[i].extent != kDyn) {
        int64_t inner = size / (product / d[i].extent);
        if (d[i].extent % inner == 0) {
          Digit hi{false, d[i].value / inner, d[i].extent / inner};
          Digit lo{false, d[i].value % inner, inner};
          DimIndex pre(d.begin(), d.begin() + i), suf;
          pre.push_back(hi);
          suf.push_back(lo);
          suf.append(d.begin() + i + 1, d.end());
          return std::make_pair(normalize(pre), normalize(suf));
        }
      }
      return failure();
    }
  }
  return std::make_pair(DimIndex(d.begin(), d.begin() + i),
                        DimIndex(d.begin() + i, d.end()));
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

enum class Kind {
  Const,  // cst
  Leaf,   // value[index]
  Select, // cases[var]
  Acc,    // the accumulator of the enclosing reduction body
  Opaque, // anything the evaluator does not model
  Add,
  Sub,
  Mul,
  Div,
  Max,
  Min,
  Neg,
  Exp,
  Log,
  Sqrt,
  Rsqrt,
  PowI, // aux = exponent
  Cast, // type = target element type
  Reduce,
};

enum class ReduceKind : int64_t { Add, Max };

struct Expr {
  Kind kind = Kind::Opaque;
  double cst = 0;
  Value value;
  Index index;
  int64_t aux = 0;
  Type type;
  SmallVector<Expr *, 4> ops;
  SmallVector<int64_t, 2> vars; // Select: {var}; Reduce: reduction vars
  unsigned id = 0;
};

/// The symbolic evaluator: builds hash-consed expressions for tensor
/// elements. One instance per match attempt.
class Evaluator {
public:
  explicit Evaluator(unsigned maxNodes = 200000) : maxNodes(maxNodes) {}

  int64_t newVar(int64_t extent) {
    extents.push_back(extent);
    return extents.size() - 1;
  }
  int64_t extentOf(int64_t var) const { return extents[var]; }

  Expr *cst(double v) {
    Expr e;
    e.kind = Kind::Const;
    e.cst = v;
    return intern(std::move(e));
  }
  Expr *opaque(Value v) {
    Expr e;
    e.kind = Kind::Opaque;
    e.value = v;
    return intern(std::move(e));
  }
  Expr *acc() {
    Expr e;
    e.kind = Kind::Acc;
    return intern(std::move(e));
  }
  Expr *op(Kind k, ArrayRef<Expr *> ops, int64_t aux = 0, Type type = {}) {
    Expr e;
    e.kind = k;
    e.ops.assign(ops.begin(), ops.end());
    e.aux = aux;
    e.type = type;
    // Canonical operand order of commutative ops.
    if ((k == Kind::Add || k == Kind::Mul || k == Kind::Max ||
         k == Kind::Min) &&
        e.ops.size() == 2 && e.ops[0]->id > e.ops[1]->id)
      std::swap(e.ops[0], e.ops[1]);
    // Fold casts of constants with the target's rounding.
    if (k == Kind::Cast && ops[0]->kind == Kind::Const) {
      if (auto ft = dyn_cast<FloatType>(type)) {
        llvm::APFloat f(ops[0]->cst);
        bool lost;
        f.convert(ft.getFloatSemantics(), llvm::APFloat::rmNearestTiesToEven,
                  &lost);
        f.convert(llvm::APFloat::IEEEdouble(),
                  llvm::APFloat::rmNearestTiesToEven, &lost);
        return cst(f.convertToDouble());
      }
    }
    return intern(std::move(e));
  }
  Expr *reduce(ReduceKind kind, ArrayRef<int64_t> vars, Expr *body,
               Expr *init) {
    Expr e;
    e.kind = Kind::Reduce;
    e.aux = static_cast<int64_t>(kind);
    e.vars.assign(vars.begin(), vars.end());
    e.ops = {body, init};
    return intern(std::move(e));
  }
  Expr *select(int64_t var, ArrayRef<Expr *> cases) {
    Expr e;
    e.kind = Kind::Select;
    e.vars = {var};
    e.ops.assign(cases.begin(), cases.end());
    return intern(std::move(e));
  }
  Expr *leaf(Value v, const Index &idx) {
    Expr e;
    e.kind = Kind::Leaf;
    e.value = v;
    e.index = idx;
    return intern(std::move(e));
  }

  /// `v[idx]`, resolved through views.
  Expr *access(Value v, Index idx);

  /// The (value, index) pairs a leaf was reached through.
  ArrayRef<std::pair<Value, Index>> viewsOf(Expr *leaf) {
    auto it = views.find(leaf);
    if (it == views.end())
      return {};
    return it->second;
  }

  /// The computation behind a leaf (one level), or the leaf itself.
  Expr *expand(Expr *e);

  /// Expands leaves and strips casts until the top is not a leaf or cast.
  Expr *peel(Expr *e) {
    for (int i = 0; i < 64; ++i) {
      if (e->kind == Kind::Cast) {
        e = e->ops[0];
        continue;
      }
      if (e->kind != Kind::Leaf)
        return e;
      Expr *x = expand(e);
      if (x == e)
        return e;
      e = x;
    }
    return e;
  }

  /// `e` with variable `var` replaced by the constant `k`.
  Expr *substitute(Expr *e, int64_t var, int64_t k);
  /// `e` with variable `from` renamed to `to`.
  Expr *rename(Expr *e, int64_t from, int64_t to);

  /// Free variables of `e`.
  SmallVector<int64_t, 4> freeVars(Expr *e);
  bool dependsOn(Expr *e, int64_t var) {
    return llvm::is_contained(freeVars(e), var);
  }

  bool exhausted() const { return nodes.size() >= maxNodes; }

private:
  Expr *intern(Expr e);
  Expr *accessImpl(Value v, Index idx);
  SmallVector<std::pair<Value, Index>, 2> chain;
  DenseMap<Expr *, SmallVector<std::pair<Value, Index>, 2>> views;
  Expr *expandLinalg(linalg::LinalgOp op, unsigned result, const Index &idx);
  Expr *bodyValue(Value v, linalg::LinalgOp op, unsigned result,
                  ArrayRef<DimIndex> loops, DenseMap<Value, Expr *> &memo);
  Expr *mapDigits(Expr *e, llvm::function_ref<DimIndex(const Digit &)> f,
                  DenseMap<Expr *, Expr *> &memo, int64_t constVar,
                  int64_t constValue);

  unsigned maxNodes;
  std::deque<Expr> nodes;
  std::map<std::string, Expr *> table;
  SmallVector<int64_t> extents;
  DenseMap<Expr *, Expr *> expanded;
  DenseMap<Expr *, SmallVector<int64_t, 4>> free;
};

Expr *Evaluator::intern(Expr e) {
  std::string key;
  llvm::raw_string_ostream os(key);
  os << static_cast<int>(e.kind) << '|' << llvm::bit_cast<uint64_t>(e.cst)
     << '|' << e.value.getAsOpaquePointer() << '|' << e.aux << '|'
     << e.type.getAsOpaquePointer() << '|';
  for (const DimIndex &d : e.index) {
    for (const Digit &g : d)
      os << (g.isVar ? 'v' : 'c') << g.value << ':' << g.extent << ',';
    os << ';';
  }
  os << '|';
  for (Expr *o : e.ops)
    os << o->id << ',';
  os << '|';
  for (int64_t v : e.vars)
    os << v << ',';
  auto it = table.find(key);
  if (it != table.end())
    return it->second;
  e.id = nodes.size();
  nodes.push_back(std::move(e));
  Expr *p = &nodes.back();
  table.emplace(std::move(key), p);
  return p;
}

SmallVector<int64_t, 4> Evaluator::freeVars(Expr *e) {
  auto it = free.find(e);
  if (it != free.end())
    return it->second;
  SmallVector<int64_t, 4> vs;
  auto add = [&](int64_t v) {
    if (!llvm::is_contained(vs, v))
      vs.push_back(v);
  };
  for (const DimIndex &d : e->index)
    for (const Digit &g : d)
      if (g.isVar)
        add(g.value);
  if (e->kind == Kind::Select)
    add(e->vars[0]);
  for (Expr *o : e->ops)
    for (int64_t v : freeVars(o))
      add(v);
  if (e->kind == Kind::Reduce)
    llvm::erase_if(vs,
                   [&](int64_t v) { return llvm::is_contained(e->vars, v); });
  return free[e] = vs;
}

Expr *Evaluator::mapDigits(Expr *e,
                           llvm::function_ref<DimIndex(const Digit &)> f,
                           DenseMap<Expr *, Expr *> &memo, int64_t constVar,
                           int64_t constValue) {
  auto it = memo.find(e);
  if (it != memo.end())
    return it->second;
  Expr *result = e;
  switch (e->kind) {
  case Kind::Const:
  case Kind::Acc:
  case Kind::Opaque:
    break;
  case Kind::Leaf: {
    Index idx;
    for (const DimIndex &d : e->index) {
      DimIndex nd;
      for (const Digit &g : d)
        nd.append(f(g));
      idx.push_back(normalize(nd));
    }
    // Re-resolve: a view may select differently at a constant.
    result = access(e->value, idx);
    break;
  }
  case Kind::Select: {
    if (e->vars[0] == constVar) {
      result =
          constValue < (int64_t)e->ops.size()
              ? mapDigits(e->ops[constValue], f, memo, constVar, constValue)
              : opaque(Value());
      break;
    }
    SmallVector<Expr *> cases;
    for (Expr *o : e->ops)
      cases.push_back(mapDigits(o, f, memo, constVar, constValue));
    int64_t var = e->vars[0];
    DimIndex renamed = f(Digit{true, var, extentOf(var)});
    if (renamed.size() == 1 && renamed[0].isVar)
      var = renamed[0].value;
    result = select(var, cases);
    break;
  }
  case Kind::Reduce: {
    Expr *body = mapDigits(e->ops[0], f, memo, constVar, constValue);
    Expr *init = mapDigits(e->ops[1], f, memo, constVar, constValue);
    result = reduce(static_cast<ReduceKind>(e->aux), e->vars, body, init);
    break;
  }
  default: {
    SmallVector<Expr *> ops;
    for (Expr *o : e->ops)
      ops.push_back(mapDigits(o, f, memo, constVar, constValue));
    result = op(e->kind, ops, e->aux, e->type);
    break;
  }
  }
  return memo[e] = result;
}

Expr *Evaluator::substitute(Expr *e, int64_t var, int64_t k) {
  DenseMap<Expr *, Expr *> memo;
  int64_t extent = extentOf(var);
  return mapDigits(
      e,
      [&](const Digit &g) -> DimIndex {
        if (g.isVar && g.value == var)
          return {Digit{false, k, extent}};
        return {g};
      },
      memo, var, k);
}

Expr *Evaluator::rename(Expr *e, int64_t from, int64_t to) {
  DenseMap<Expr *, Expr *> memo;
  return mapDigits(
      e,
      [&](const Digit &g) -> DimIndex {
        if (g.isVar && g.value == from)
          return {Digit{true, to, extentOf(to)}};
        return {g};
      },
      memo, /*constVar=*/-1, 0);
}

/// The pieces of `v = insert_slice(p_{n-1}, ... insert_slice(p_0, empty))`
/// when the p_k tile one dim in equal static pieces (any insertion order),
/// unit strides, full extent elsewhere: a concat along `dim`.
LogicalResult insertSlicePieces(Value v, SmallVectorImpl<Value> &pieces,
                                int64_t &dim) {
  SmallVector<std::pair<int64_t, Value>> found;
  auto resultType = dyn_cast<RankedTensorType>(v.getType());
  if (!resultType || !resultType.hasStaticShape())
    return failure();
  dim = -1;
  int64_t size = -1;
  while (auto ins = v.getDefiningOp<tensor::InsertSliceOp>()) {
    auto srcType = ins.getSourceType();
    if (!ins.hasUnitStride() || srcType.getRank() != resultType.getRank() ||
        !srcType.hasStaticShape())
      return failure();
    ArrayRef<int64_t> offsets = ins.getStaticOffsets();
    int64_t d = -1;
    for (int64_t i = 0; i < resultType.getRank(); ++i) {
      if (offsets[i] == kDyn)
        return failure();
      if (srcType.getDimSize(i) != resultType.getDimSize(i)) {
        if (d >= 0)
          return failure();
        d = i;
      } else if (offsets[i] != 0) {
        return failure();
      }
    }
    if (d < 0 || (dim >= 0 && d != dim) ||
        (size >= 0 && srcType.getDimSize(d) != size))
      return failure();
    dim = d;
    size = srcType.getDimSize(d);
    if (offsets[d] % size != 0)
      return failure();
    found.push_back({offsets[d] / size, ins.getSource()});
    v = ins.getDest();
  }
  if (!v.getDefiningOp<tensor::EmptyOp>() || dim < 0 ||
      resultType.getDimSize(dim) != size * (int64_t)found.size())
    return failure();
  pieces.assign(found.size(), Value());
  for (auto &[k, piece] : found) {
    if (k >= (int64_t)pieces.size() || pieces[k])
      return failure();
    pieces[k] = piece;
  }
  return success();
}

/// Static sizes of a ranked tensor value (kDyn for dynamic ones).
SmallVector<int64_t> shapeOf(Value v) {
  if (auto t = dyn_cast<RankedTensorType>(v.getType()))
    return SmallVector<int64_t>(t.getShape());
  return {};
}

Expr *Evaluator::access(Value v, Index idx) {
  for (DimIndex &d : idx)
    d = normalize(d);
  Expr *e = accessImpl(v, idx);
  // Remember the views the element was read through: a site's source is
  // the view whose index is the result's (e.g. the [B, T, D] reshape of a
  // [B·T, D] matmul).
  if (e->kind == Kind::Leaf)
    for (const std::pair<Value, Index> &step : chain) {
      auto &list = views[e];
      if (!llvm::is_contained(list, step))
        list.push_back(step);
    }
  chain.clear();
  return e;
}

Expr *Evaluator::accessImpl(Value v, Index idx) {
  chain.clear();
  for (int guard = 0; guard < 256; ++guard) {
    chain.push_back({v, idx});
    Operation *def = v.getDefiningOp();
    if (!def)
      break;
    if (auto expand = dyn_cast<tensor::ExpandShapeOp>(def)) {
      Index src;
      for (const ReassociationIndices &group :
           expand.getReassociationIndices()) {
        DimIndex d;
        for (int64_t r : group)
          d.append(idx[r]);
        src.push_back(normalize(d));
      }
      v = expand.getSrc();
      idx = std::move(src);
      continue;
    }
    if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(def)) {
      SmallVector<int64_t> srcShape = shapeOf(collapse.getSrc());
      SmallVector<ReassociationIndices> groups =
          collapse.getReassociationIndices();
      Index src(srcShape.size());
      for (auto [r, group] : llvm::enumerate(groups)) {
        DimIndex rest = idx[r];
        // Unit dims read index 0; one non-unit dim takes every digit.
        SmallVector<int64_t> nonUnit;
        for (int64_t s : group)
          if (srcShape[s] != 1)
            nonUnit.push_back(s);
        if (nonUnit.size() <= 1) {
          for (int64_t s : group)
            src[s] = {};
          if (nonUnit.empty()) {
            if (!rest.empty())
              return leaf(v, idx);
          } else {
            src[nonUnit[0]] = rest;
          }
          continue;
        }
        for (int64_t s : llvm::reverse(group)) {
          if (s == group.front()) {
            // The outermost dim takes what is left, if it fits.
            if (srcShape[s] != kDyn) {
              int64_t product = 1;
              for (const Digit &g : rest) {
                if (g.extent == kDyn)
                  return leaf(v, idx);
                product *= g.extent;
              }
              if (product != srcShape[s])
                return leaf(v, idx);
            } else if (rest.size() != 1 || rest[0].extent != kDyn) {
              return leaf(v, idx);
            }
            src[s] = rest;
            break;
          }
          auto split = splitSuffix(rest, srcShape[s]);
          if (failed(split))
            return leaf(v, idx);
          src[s] = split->second;
          rest = split->first;
        }
      }
      v = collapse.getSrc();
      idx = std::move(src);
      continue;
    }
    // A concat, or what TOSA-to-tensor makes of one: a chain of
    // insert_slices of equal pieces along one dim into an empty tensor.
    SmallVector<Value> pieces;
    int64_t dim = -1;
    if (auto concat = dyn_cast<tensor::ConcatOp>(def)) {
      dim = concat.getDim();
      pieces.assign(concat.getInputs().begin(), concat.getInputs().end());
    } else if (isa<tensor::InsertSliceOp>(def)) {
      if (failed(insertSlicePieces(v, pieces, dim)))
        return leaf(v, idx);
    }
    if (dim >= 0) {
      SmallVector<int64_t> sizes;
      for (Value in : pieces)
        sizes.push_back(shapeOf(in)[dim]);
      if (!llvm::all_equal(sizes))
        return opaque(v);
      auto split = splitSuffix(idx[dim], sizes.front());
      if (failed(split))
        return opaque(v);
      auto [pre, suf] = *split;
      int64_t n = pieces.size();
      Index inner = idx;
      inner[dim] = suf;
      if (pre.empty()) {
        if (n != 1)
          return opaque(v);
        v = pieces[0];
        idx = std::move(inner);
        continue;
      }
      if (pre.size() != 1 || pre[0].extent != n)
        return opaque(v);
      if (!pre[0].isVar) {
        v = pieces[pre[0].value];
        idx = std::move(inner);
        continue;
      }
      SmallVector<Expr *> cases;
      for (Value in : pieces)
        cases.push_back(access(in, inner));
      return select(pre[0].value, cases);
    }
    if (auto transpose = dyn_cast<linalg::TransposeOp>(def)) {
      ArrayRef<int64_t> perm = transpose.getPermutation();
      Index src(idx.size());
      for (auto [i, p] : llvm::enumerate(perm))
        src[p] = idx[i];
      v = transpose.getInput();
      idx = std::move(src);
      continue;
    }
    if (auto broadcast = dyn_cast<linalg::BroadcastOp>(def)) {
      ArrayRef<int64_t> dims = broadcast.getDimensions();
      Index src;
      for (auto [i, d] : llvm::enumerate(idx))
        if (!llvm::is_contained(dims, (int64_t)i))
          src.push_back(d);
      v = broadcast.getInput();
      idx = std::move(src);
      continue;
    }
    if (auto cast = dyn_cast<tensor::CastOp>(def)) {
      v = cast.getSource();
      continue;
    }
    if (auto slice = dyn_cast<tensor::ExtractSliceOp>(def)) {
      if (!slice.hasUnitStride())
        return leaf(v, idx);
      SmallVector<int64_t> srcShape = shapeOf(slice.getSource());
      ArrayRef<int64_t> offsets = slice.getStaticOffsets();
      ArrayRef<int64_t> sizes = slice.getStaticSizes();
      llvm::SmallBitVector dropped = slice.getDroppedDims();
      Index src;
      unsigned r = 0;
      for (unsigned s = 0; s < srcShape.size(); ++s) {
        int64_t off = offsets[s];
        if (dropped.test(s)) {
          if (off == kDyn || srcShape[s] == kDyn)
            return leaf(v, idx);
          src.push_back(normalize({Digit{false, off, srcShape[s]}}));
          continue;
        }
        DimIndex d = idx[r++];
        if (off == 0 && sizes[s] == srcShape[s]) {
          src.push_back(d);
        } else if (sizes[s] == 1 && off != kDyn && srcShape[s] != kDyn) {
          src.push_back(normalize({Digit{false, off, srcShape[s]}}));
        } else {
          return leaf(v, idx);
        }
      }
      v = slice.getSource();
      idx = std::move(src);
      continue;
    }
    if (auto generic = dyn_cast<linalg::GenericOp>(def)) {
      // Copy-like generics: the body yields an input unchanged.
      auto result = cast<OpResult>(v);
      unsigned r = result.getResultNumber();
      Block *body = generic.getBody();
      auto yield = dyn_cast<linalg::YieldOp>(body->getTerminator());
      if (!yield || generic.getNumReductionLoops() != 0)
        break;
      auto arg = dyn_cast<BlockArgument>(yield.getOperand(r));
      if (!arg || arg.getOwner() != body ||
          arg.getArgNumber() >= (unsigned)generic.getNumDpsInputs())
        break;
      OpOperand *in = generic.getDpsInputOperand(arg.getArgNumber());
      if (in->get().getType() != v.getType() &&
          getElementTypeOrSelf(in->get().getType()) !=
              getElementTypeOrSelf(v.getType()))
        break;
      AffineMap outMap =
          generic.getMatchingIndexingMap(generic.getDpsInitOperand(r));
      AffineMap inMap = generic.getMatchingIndexingMap(in);
      SmallVector<DimIndex> loops(generic.getNumLoops());
      SmallVector<bool> bound(generic.getNumLoops(), false);
      bool ok = true;
      for (auto [p, e] : llvm::enumerate(outMap.getResults())) {
        if (auto d = dyn_cast<AffineDimExpr>(e)) {
          loops[d.getPosition()] = idx[p];
          bound[d.getPosition()] = true;
        } else if (!isa<AffineConstantExpr>(e)) {
          ok = false;
        }
      }
      Index src;
      for (AffineExpr e : inMap.getResults()) {
        if (auto d = dyn_cast<AffineDimExpr>(e)) {
          if (!bound[d.getPosition()])
            ok = false;
          else
            src.push_back(loops[d.getPosition()]);
        } else if (auto c = dyn_cast<AffineConstantExpr>(e)) {
          if (c.getValue() != 0)
            ok = false;
          src.push_back({});
        } else {
          ok = false;
        }
      }
      if (!ok)
        break;
      v = in->get();
      idx = std::move(src);
      continue;
    }
    break;
  }
  // Splat constants are constants.
  if (auto c = v.getDefiningOp<arith::ConstantOp>())
    if (auto dense = dyn_cast<DenseElementsAttr>(c.getValue()))
      if (dense.isSplat() && isa<FloatType>(dense.getElementType()))
        return cst(dense.getSplatValue<APFloat>().convertToDouble());
  return leaf(v, idx);
}

Expr *Evaluator::expand(Expr *e) {
  if (e->kind != Kind::Leaf)
    return e;
  auto it = expanded.find(e);
  if (it != expanded.end())
    return it->second;
  Expr *result = e;
  if (!exhausted()) {
    if (auto res = dyn_cast<OpResult>(e->value))
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(res.getOwner()))
        if (linalgOp.hasPureTensorSemantics())
          result = expandLinalg(linalgOp, res.getResultNumber(), e->index);
  }
  return expanded[e] = result;
}

/// Whether a body expression reads the reduction's accumulator (each shared
/// node visited once).
static bool usesAccumulator(Expr *root) {
  SmallVector<Expr *> work = {root};
  llvm::SmallPtrSet<Expr *, 16> seen;
  while (!work.empty()) {
    Expr *x = work.pop_back_val();
    if (!seen.insert(x).second)
      continue;
    if (x->kind == Kind::Acc)
      return true;
    work.append(x->ops.begin(), x->ops.end());
  }
  return false;
}

Expr *Evaluator::expandLinalg(linalg::LinalgOp op, unsigned result,
                              const Index &idx) {
  unsigned numLoops = op.getNumLoops();
  SmallVector<DimIndex> loops(numLoops);
  SmallVector<bool> bound(numLoops, false);
  OpOperand *init = op.getDpsInitOperand(result);
  AffineMap outMap = op.getMatchingIndexingMap(init);
  for (auto [p, e] : llvm::enumerate(outMap.getResults())) {
    if (auto d = dyn_cast<AffineDimExpr>(e)) {
      loops[d.getPosition()] = idx[p];
      bound[d.getPosition()] = true;
    } else if (!isa<AffineConstantExpr>(e)) {
      return opaque(op->getResult(result));
    }
  }
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  SmallVector<int64_t> rvars;
  for (unsigned l = 0; l < numLoops; ++l) {
    if (bound[l])
      continue;
    if (iters[l] != utils::IteratorType::reduction)
      return opaque(op->getResult(result));
    int64_t var = newVar(ranges[l]);
    rvars.push_back(var);
    loops[l] = normalize({Digit{true, var, ranges[l]}});
  }
  DenseMap<Value, Expr *> memo;
  Block *body = op.getBlock();
  if (!body)
    return opaque(op->getResult(result));
  auto yield = dyn_cast<linalg::YieldOp>(body->getTerminator());
  if (!yield || yield.getNumOperands() <= result)
    return opaque(op->getResult(result));
  Expr *value = bodyValue(yield.getOperand(result), op, result, loops, memo);
  if (rvars.empty())
    return usesAccumulator(value) ? opaque(op->getResult(result)) : value;
  // A reduction: yield combine(acc, f) with acc not used in f.
  if ((value->kind != Kind::Add && value->kind != Kind::Max) ||
      value->ops.size() != 2)
    return opaque(op->getResult(result));
  Expr *f = nullptr;
  if (value->ops[0]->kind == Kind::Acc)
    f = value->ops[1];
  else if (value->ops[1]->kind == Kind::Acc)
    f = value->ops[0];
  if (!f)
    return opaque(op->getResult(result));
  if (usesAccumulator(f))
    return opaque(op->getResult(result));
  Index initIdx;
  for (const DimIndex &d : idx)
    initIdx.push_back(d);
  Expr *initValue = peel(access(init->get(), initIdx));
  return reduce(value->kind == Kind::Add ? ReduceKind::Add : ReduceKind::Max,
                rvars, f, initValue);
}

/// Whether `select` is `select(cmpf olt|ult (x, C), 0.0, y)` with a constant
/// C ≤ −kSoftmaxFlushLogitGap: it replaces y by 0 only where x is a logit gap
/// so negative that the weight is below the ops' own flush threshold.
bool isTinyWeightFlush(arith::SelectOp select) {
  auto cmp = select.getCondition().getDefiningOp<arith::CmpFOp>();
  if (!cmp || (cmp.getPredicate() != arith::CmpFPredicate::OLT &&
               cmp.getPredicate() != arith::CmpFPredicate::ULT))
    return false;
  auto constantOf = [](Value value) -> std::optional<double> {
    if (auto c = value.getDefiningOp<arith::ConstantOp>())
      if (auto f = dyn_cast<FloatAttr>(c.getValue()))
        return f.getValueAsDouble();
    return std::nullopt;
  };
  std::optional<double> limit = constantOf(cmp.getRhs());
  std::optional<double> zero = constantOf(select.getTrueValue());
  // f32 rounding of the constant: accept it within 1e-5 of the gap.
  return limit && zero && *zero == 0.0 &&
         *limit <= -kSoftmaxFlushLogitGap + 1e-5;
}

Expr *Evaluator::bodyValue(Value v, linalg::LinalgOp op, unsigned result,
                           ArrayRef<DimIndex> loops,
                           DenseMap<Value, Expr *> &memo) {
  auto it = memo.find(v);
  if (it != memo.end())
    return it->second;
  Expr *e = nullptr;
  Block *body = op.getBlock();
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    if (arg.getOwner() != body) {
      e = opaque(v);
    } else {
      OpOperand *operand = op.getMatchingOpOperand(arg);
      if (op.isDpsInit(operand)) {
        e = operand->getOperandNumber() - op.getNumDpsInputs() == result
                ? acc()
                : opaque(v);
      } else if (!isa<RankedTensorType>(operand->get().getType())) {
        // A scalar input (linalg.fill).
        Value s = operand->get();
        FloatAttr fa;
        if (auto c = s.getDefiningOp<arith::ConstantOp>())
          fa = dyn_cast<FloatAttr>(c.getValue());
        e = fa ? cst(fa.getValueAsDouble()) : opaque(s);
      } else {
        AffineMap map = op.getMatchingIndexingMap(operand);
        Index idx;
        bool ok = true;
        for (AffineExpr r : map.getResults()) {
          if (auto d = dyn_cast<AffineDimExpr>(r))
            idx.push_back(loops[d.getPosition()]);
          else if (auto c = dyn_cast<AffineConstantExpr>(r);
                   c && c.getValue() == 0)
            idx.push_back({});
          else
            ok = false;
        }
        e = ok ? access(operand->get(), idx) : opaque(v);
      }
    }
    return memo[v] = e;
  }
  Operation *def = v.getDefiningOp();
  if (!def->getBlock() || def->getBlock() != body) {
    // Captured from above: a scalar constant or something opaque.
    FloatAttr fa;
    if (auto c = dyn_cast<arith::ConstantOp>(def))
      fa = dyn_cast<FloatAttr>(c.getValue());
    return memo[v] = fa ? cst(fa.getValueAsDouble()) : opaque(v);
  }
  auto operand = [&](unsigned i) {
    return bodyValue(def->getOperand(i), op, result, loops, memo);
  };
  if (auto c = dyn_cast<arith::ConstantOp>(def)) {
    auto fa = dyn_cast<FloatAttr>(c.getValue());
    e = fa ? cst(fa.getValueAsDouble()) : opaque(v);
  } else if (isa<arith::AddFOp>(def)) {
    e = this->op(Kind::Add, {operand(0), operand(1)});
  } else if (isa<arith::SubFOp>(def)) {
    e = this->op(Kind::Sub, {operand(0), operand(1)});
  } else if (isa<arith::MulFOp>(def)) {
    e = this->op(Kind::Mul, {operand(0), operand(1)});
  } else if (isa<arith::DivFOp>(def)) {
    e = this->op(Kind::Div, {operand(0), operand(1)});
  } else if (isa<arith::MaximumFOp, arith::MaxNumFOp>(def)) {
    e = this->op(Kind::Max, {operand(0), operand(1)});
  } else if (isa<arith::MinimumFOp, arith::MinNumFOp>(def)) {
    e = this->op(Kind::Min, {operand(0), operand(1)});
  } else if (isa<arith::NegFOp>(def)) {
    e = this->op(Kind::Neg, {operand(0)});
  } else if (isa<math::ExpOp>(def)) {
    e = this->op(Kind::Exp, {operand(0)});
  } else if (isa<math::LogOp>(def)) {
    e = this->op(Kind::Log, {operand(0)});
  } else if (isa<math::SqrtOp>(def)) {
    e = this->op(Kind::Sqrt, {operand(0)});
  } else if (isa<math::RsqrtOp>(def)) {
    e = this->op(Kind::Rsqrt, {operand(0)});
  } else if (auto powi = dyn_cast<math::FPowIOp>(def)) {
    IntegerAttr exp;
    if (auto c = powi.getRhs().getDefiningOp<arith::ConstantOp>())
      exp = dyn_cast<IntegerAttr>(c.getValue());
    e = exp ? this->op(Kind::PowI, {operand(0)}, exp.getInt()) : opaque(v);
  } else if (auto powf = dyn_cast<math::PowFOp>(def)) {
    Expr *rhs = operand(1);
    // x^2, x^0.5 and x^-0.5 (TOSA spells sqrt as pow).
    if (rhs->kind == Kind::Const && rhs->cst == 2.0)
      e = this->op(Kind::PowI, {operand(0)}, 2);
    else if (rhs->kind == Kind::Const && rhs->cst == 0.5)
      e = this->op(Kind::Sqrt, {operand(0)});
    else if (rhs->kind == Kind::Const && rhs->cst == -0.5)
      e = this->op(Kind::Rsqrt, {operand(0)});
    else
      e = opaque(v);
  } else if (isa<arith::ExtFOp, arith::TruncFOp>(def)) {
    e = this->op(Kind::Cast, {operand(0)}, 0, getElementTypeOrSelf(v));
  } else if (auto select = dyn_cast<arith::SelectOp>(def);
             select && isTinyWeightFlush(select)) {
    // `x < −C ? 0 : y` with C at least the lowerings' flush gap: the flush of
    // tiny softmax weights that attnres's own lowerings (and some frontends)
    // emit; the raised op flushes the same weights (kSoftmaxFlushLogitGap).
    e = operand(2);
  } else {
    e = opaque(v);
  }
  return memo[v] = e;
}

/// If `v` is an elementwise float conversion (`extf`/`truncf` of one input
/// with identity maps), the converted tensor.
Value convertedFrom(Value v) {
  auto generic = v.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumResults() != 1 || generic.getNumReductionLoops() != 0 ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }))
    return {};
  Block *body = generic.getBody();
  if (body->getOperations().size() != 2)
    return {};
  Operation *cast = &body->front();
  if (!isa<arith::ExtFOp, arith::TruncFOp>(cast) ||
      cast->getOperand(0) != body->getArgument(0) ||
      body->getTerminator()->getOperand(0) != cast->getResult(0))
    return {};
  return generic.getDpsInputOperand(0)->get();
}

//===----------------------------------------------------------------------===//
// The site matcher
//===----------------------------------------------------------------------===//

/// How far a candidate got; only candidates that reached `Softmax` are
/// reported as AttnRes candidates.
enum class Stage { Combine = 0, Softmax = 1, Logits = 2 };

struct Failure {
  Stage stage;
  std::string why;
};

struct SiteMatch {
  SmallVector<Value> sources;
  SmallVector<Expr *> queryFactors; // functions of the hidden var `qVar`
  int64_t qVar = -1;
  int64_t hidden = 0;
  double eps = 0;
};

class SiteMatcher {
public:
  SiteMatcher(Value root, unsigned maxSources)
      : root(root), maxSources(maxSources) {}

  FailureOr<SiteMatch> match();
  Failure failure;
  Evaluator ev;
  Index rootIndex;

private:
  LogicalResult fail(Stage s, const Twine &why) {
    failure = {s, why.str()};
    return mlir::failure();
  }
  void sumTerms(Expr *e, SmallVectorImpl<Expr *> &terms, bool &ok);
  void mulFactors(Expr *e, SmallVectorImpl<Expr *> &factors,
                  llvm::function_ref<bool(Expr *)> stop);
  LogicalResult matchRho(Expr *rho, Expr *source, double &eps);
  LogicalResult maxTerms(Expr *m, size_t n, SmallVectorImpl<Expr *> &out);
  LogicalResult matchLogit(unsigned k, Expr *logit, Expr *source,
                           SmallVectorImpl<Expr *> &qFactors, int64_t &qVar,
                           double &eps);

  Value root;
  unsigned maxSources;
  int64_t hiddenVar = -1;
};

void SiteMatcher::sumTerms(Expr *e, SmallVectorImpl<Expr *> &terms, bool &ok) {
  if (!ok)
    return;
  if (terms.size() > 2 * maxSources) {
    ok = false;
    return;
  }
  e = ev.peel(e);
  if (e->kind == Kind::Add) {
    sumTerms(e->ops[0], terms, ok);
    sumTerms(e->ops[1], terms, ok);
    return;
  }
  if (e->kind == Kind::Reduce &&
      static_cast<ReduceKind>(e->aux) == ReduceKind::Add &&
      e->vars.size() == 1) {
    int64_t var = e->vars[0];
    int64_t n = ev.extentOf(var);
    Expr *init = ev.peel(e->ops[1]);
    if (n == kDyn || n > (int64_t)maxSources || init->kind != Kind::Const ||
        init->cst != 0.0) {
      terms.push_back(e);
      return;
    }
    for (int64_t k = 0; k < n && ok; ++k)
      sumTerms(ev.substitute(e->ops[0], var, k), terms, ok);
    return;
  }
  terms.push_back(e);
}

void SiteMatcher::mulFactors(Expr *e, SmallVectorImpl<Expr *> &factors,
                             llvm::function_ref<bool(Expr *)> stop) {
  while (e->kind == Kind::Cast)
    e = e->ops[0];
  // A site's products have a handful of factors; do not unfold huge ones
  // (e.g. repeated squaring) only to reject them.
  if (factors.size() >= kMaxFactors) {
    factors.push_back(e);
    return;
  }
  if (stop(e)) {
    factors.push_back(e);
    return;
  }
  Expr *p = ev.peel(e);
  if (p->kind == Kind::Mul) {
    mulFactors(p->ops[0], factors, stop);
    mulFactors(p->ops[1], factors, stop);
    return;
  }
  if (p->kind == Kind::Div) {
    mulFactors(p->ops[0], factors, stop);
    factors.push_back(ev.op(Kind::Div, {ev.cst(1.0), p->ops[1]}));
    return;
  }
  if (p->kind == Kind::Const && p->cst == 1.0)
    return; // x · 1
  factors.push_back(e);
}

/// The operands of a maximum over `n` values: a max reduction over a small
/// axis starting at -inf (or the lowest float), or a tree of binary maxima.
LogicalResult SiteMatcher::maxTerms(Expr *m, size_t n,
                                    SmallVectorImpl<Expr *> &out) {
  m = ev.peel(m);
  if (m->kind == Kind::Max) {
    for (Expr *o : m->ops)
      if (failed(maxTerms(o, n, out)))
        return mlir::failure();
    return success();
  }
  if (m->kind == Kind::Reduce &&
      static_cast<ReduceKind>(m->aux) == ReduceKind::Max) {
    if (m->vars.size() != 1 || ev.extentOf(m->vars[0]) != (int64_t)n)
      return fail(Stage::Combine,
                  "the softmax maximum runs over a different axis");
    Expr *init = ev.peel(m->ops[1]);
    // -inf, or the lowest finite float (TOSA's reduce_max starts there).
    if (init->kind != Kind::Const ||
        init->cst > -static_cast<double>(std::numeric_limits<float>::max()))
      return fail(Stage::Combine, "the softmax maximum does not start at -inf");
    for (int64_t k = 0; k < (int64_t)n; ++k)
      out.push_back(ev.peel(ev.substitute(m->ops[0], m->vars[0], k)));
    return success();
  }
  out.push_back(m);
  return success();
}

/// ρ = rsqrt(mean_r V[t,r]² + ε), or 1/sqrt(...).
LogicalResult SiteMatcher::matchRho(Expr *rho, Expr *source, double &eps) {
  Expr *p = ev.peel(rho);
  Expr *m = nullptr;
  if (p->kind == Kind::Rsqrt) {
    m = p->ops[0];
  } else if (p->kind == Kind::Div) {
    Expr *one = ev.peel(p->ops[0]);
    Expr *sq = ev.peel(p->ops[1]);
    if (one->kind == Kind::Const && one->cst == 1.0 && sq->kind == Kind::Sqrt)
      m = sq->ops[0];
  }
  if (!m)
    return mlir::failure();
  m = ev.peel(m);
  if (m->kind != Kind::Add)
    return mlir::failure();
  Expr *a = ev.peel(m->ops[0]), *b = ev.peel(m->ops[1]);
  if (a->kind == Kind::Const)
    std::swap(a, b);
  if (b->kind != Kind::Const || b->cst <= 0)
    return mlir::failure();
  eps = b->cst;
  // mean = Σ_r x² / D, or Σ_r x² · (1/D), or Σ_r (x² / D).
  double scale = 1.0;
  Expr *sum = a;
  if (a->kind == Kind::Div) {
    Expr *den = ev.peel(a->ops[1]);
    if (den->kind != Kind::Const)
      return mlir::failure();
    scale = 1.0 / den->cst;
    sum = ev.peel(a->ops[0]);
  } else if (a->kind == Kind::Mul) {
    Expr *x = ev.peel(a->ops[0]), *y = ev.peel(a->ops[1]);
    if (x->kind == Kind::Const)
      std::swap(x, y);
    if (y->kind != Kind::Const)
      return mlir::failure();
    scale = y->cst;
    sum = x;
  }
  if (sum->kind != Kind::Reduce ||
      static_cast<ReduceKind>(sum->aux) != ReduceKind::Add ||
      sum->vars.size() != 1)
    return mlir::failure();
  Expr *init = ev.peel(sum->ops[1]);
  if (init->kind != Kind::Const || init->cst != 0.0)
    return mlir::failure();
  int64_t r = sum->vars[0];
  if (ev.extentOf(r) != ev.extentOf(hiddenVar))
    return mlir::failure();
  Expr *expected = ev.rename(source, hiddenVar, r);
  SmallVector<Expr *> factors;
  mulFactors(sum->ops[0], factors, [&](Expr *x) { return x == expected; });
  // x·x, x^2, or (x^2)·c / x·x·c.
  int squares = 0;
  for (Expr *f : factors) {
    Expr *pf = f;
    if (pf == expected) {
      ++squares;
      continue;
    }
    pf = ev.peel(f);
    if (pf->kind == Kind::PowI && pf->aux == 2) {
      Expr *base = pf->ops[0];
      while (base->kind == Kind::Cast)
        base = base->ops[0];
      if (base == expected) {
        squares += 2;
        continue;
      }
    }
    if (pf->kind == Kind::Const) {
      scale *= pf->cst;
      continue;
    }
    return mlir::failure();
  }
  if (squares != 2)
    return mlir::failure();
  int64_t d = ev.extentOf(r);
  if (d == kDyn || std::abs(scale * d - 1.0) > 1e-6)
    return mlir::failure();
  return success();
}

/// s_k = ρ_k · Σ_r V_k[t,r] · Π q(r)   (factors in any order and nesting).
LogicalResult SiteMatcher::matchLogit(unsigned k, Expr *logit, Expr *source,
                                      SmallVectorImpl<Expr *> &qFactors,
                                      int64_t &qVar, double &eps) {
  SmallVector<Expr *> outer;
  mulFactors(logit, outer, [](Expr *) { return false; });
  Expr *sum = nullptr;
  SmallVector<Expr *> rhos;
  for (Expr *f : outer) {
    Expr *p = ev.peel(f);
    if (p->kind == Kind::Reduce &&
        static_cast<ReduceKind>(p->aux) == ReduceKind::Add &&
        p->vars.size() == 1 && !sum) {
      sum = p;
      continue;
    }
    rhos.push_back(f);
  }
  if (!sum)
    return fail(Stage::Logits,
                "the logit of source " + Twine(k) +
                    " is not a reduction over the hidden dimension");
  Expr *init = ev.peel(sum->ops[1]);
  if (init->kind != Kind::Const || init->cst != 0.0)
    return fail(Stage::Logits, "the logit reduction of source " + Twine(k) +
                                   " does not start at zero");
  int64_t r = sum->vars[0];
  if (ev.extentOf(r) != ev.extentOf(hiddenVar) || ev.extentOf(r) == kDyn)
    return fail(Stage::Logits, "the logit of source " + Twine(k) +
                                   " does not reduce over the hidden size");
  Expr *expected = ev.rename(source, hiddenVar, r);
  SmallVector<Expr *> inner;
  mulFactors(sum->ops[0], inner, [&](Expr *x) { return x == expected; });
  int sources = 0;
  SmallVector<Expr *> q;
  for (Expr *f : inner) {
    if (f == expected) {
      ++sources;
      continue;
    }
    SmallVector<int64_t, 4> vars = ev.freeVars(f);
    bool onlyR =
        !vars.empty() && llvm::all_of(vars, [&](int64_t v) { return v == r; });
    if (onlyR || ev.peel(f)->kind == Kind::Const) {
      q.push_back(f);
      continue;
    }
    if (!ev.dependsOn(f, r)) {
      rhos.push_back(f);
      continue;
    }
    return fail(Stage::Logits,
                "the logit of source " + Twine(k) +
                    " is not a dot product of the query with its "
                    "RMS-normalized source (a factor depends on the token "
                    "and the hidden index)");
  }
  if (sources != 1)
    return fail(Stage::Logits,
                "the logit of source " + Twine(k) +
                    " does not read the source that the combine mixes");
  if (rhos.size() != 1)
    return fail(Stage::Logits, "the logit of source " + Twine(k) +
                                   " is not scaled by one inverse RMS");
  double e = 0;
  if (failed(matchRho(rhos[0], source, e)))
    return fail(Stage::Logits,
                "the key of source " + Twine(k) +
                    " is not rms_norm of that source (rsqrt(mean(x²) + eps) "
                    "over the hidden dimension)");
  // Rename the query factors onto one shared variable.
  SmallVector<Expr *> renamed;
  if (qVar < 0)
    qVar = r;
  for (Expr *f : q)
    renamed.push_back(ev.rename(f, r, qVar));
  llvm::sort(renamed, [](Expr *a, Expr *b) { return a->id < b->id; });
  if (k == 0) {
    qFactors.assign(renamed.begin(), renamed.end());
    eps = e;
  } else {
    if (e != eps)
      return fail(Stage::Logits,
                  "source " + Twine(k) + " is normalized with a different eps");
    if (renamed != ArrayRef<Expr *>(qFactors))
      return fail(Stage::Logits,
                  "source " + Twine(k) +
                      " uses a different query or key-norm gain");
  }
  return success();
}

FailureOr<SiteMatch> SiteMatcher::match() {
  auto type = dyn_cast<RankedTensorType>(root.getType());
  if (!type || type.getRank() < 1 || !isa<FloatType>(type.getElementType()) ||
      type.isDynamicDim(type.getRank() - 1)) {
    (void)fail(Stage::Combine, "not a float tensor with a static hidden size");
    return mlir::failure();
  }
  for (int64_t s : type.getShape()) {
    int64_t var = ev.newVar(s);
    rootIndex.push_back(normalize({Digit{true, var, s}}));
    hiddenVar = var;
  }
  if (type.getShape().back() == 1) {
    (void)fail(Stage::Combine, "hidden size 1");
    return mlir::failure();
  }
  Expr *h = ev.access(root, rootIndex);
  SmallVector<Expr *> terms;
  bool ok = true;
  // Σ_j e_j V_j / Z (normalized after the sum) or Σ_j (e_j / Z) V_j.
  Expr *normalizer = nullptr;
  Expr *top = ev.peel(h);
  if (top->kind == Kind::Div && !ev.dependsOn(top->ops[1], hiddenVar)) {
    normalizer = ev.op(Kind::Div, {ev.cst(1.0), top->ops[1]});
    h = top->ops[0];
  }
  sumTerms(h, terms, ok);
  if (!ok || terms.size() < 2) {
    (void)fail(Stage::Combine, "not a sum over sources");
    return mlir::failure();
  }
  // Each term: α_k[t] · V_k[t, c].
  SmallVector<Expr *> weightNums, weightDens, sources;
  for (Expr *term : terms) {
    // The term itself is a product; below it, a hidden-dependent leaf is the
    // source and is not looked into (a source may itself be a product).
    Expr *product = ev.peel(term);
    if (product->kind != Kind::Mul) {
      (void)fail(Stage::Combine, "a term is not weight × source");
      return mlir::failure();
    }
    SmallVector<Expr *> factors;
    auto isSource = [&](Expr *x) {
      return x->kind == Kind::Leaf && ev.dependsOn(x, hiddenVar);
    };
    mulFactors(product->ops[0], factors, isSource);
    mulFactors(product->ops[1], factors, isSource);
    if (normalizer)
      factors.push_back(normalizer);
    Expr *source = nullptr;
    SmallVector<Expr *> w;
    for (Expr *f : factors) {
      if (ev.dependsOn(f, hiddenVar)) {
        if (source) {
          (void)fail(Stage::Combine, "a term has two hidden-dependent factors");
          return mlir::failure();
        }
        source = f;
      } else {
        w.push_back(f);
      }
    }
    // The weight: exp(X_k − M) times 1/Z (a division, or a product with
    // a reciprocal), possibly spread over several factors of the product.
    Expr *num = nullptr, *den = nullptr;
    for (Expr *f : w) {
      Expr *p = ev.peel(f);
      if (p->kind == Kind::Div) {
        Expr *one = ev.peel(p->ops[0]);
        if (one->kind == Kind::Const && one->cst == 1.0 && !den) {
          den = ev.peel(p->ops[1]);
          continue;
        }
      }
      if (p->kind == Kind::Exp && !num) {
        num = p;
        continue;
      }
      num = den = nullptr;
      break;
    }
    if (!source || !num || !den) {
      (void)fail(Stage::Combine, "a term is not softmax weight × source");
      return mlir::failure();
    }
    weightNums.push_back(num);
    weightDens.push_back(den);
    sources.push_back(source);
  }
  // Softmax: α_k = exp(X_k − M) / Z with M = max_k X_k, Z = Σ_k exp(X_k − M).
  Expr *Z = nullptr, *M = nullptr;
  SmallVector<Expr *> numerators, logits;
  for (auto [num, den] : llvm::zip_equal(weightNums, weightDens)) {
    if (Z && den != Z) {
      (void)fail(Stage::Combine, "the weights have different normalizers");
      return mlir::failure();
    }
    Z = den;
    Expr *sub = ev.peel(num->ops[0]);
    if (sub->kind != Kind::Sub) {
      (void)fail(Stage::Combine, "the softmax does not subtract a maximum");
      return mlir::failure();
    }
    Expr *m = ev.peel(sub->ops[1]);
    if (M && m != M) {
      (void)fail(Stage::Combine, "the weights subtract different maxima");
      return mlir::failure();
    }
    M = m;
    numerators.push_back(num);
    logits.push_back(sub->ops[0]);
  }
  // Z = Σ_k exp(X_k − M) over exactly the terms' numerators.
  SmallVector<Expr *> zTerms;
  ok = true;
  sumTerms(Z, zTerms, ok);
  SmallVector<Expr *> zPeeled;
  for (Expr *z : zTerms)
    zPeeled.push_back(ev.peel(z));
  auto sameSet = [](SmallVector<Expr *> a, SmallVector<Expr *> b) {
    auto byId = [](Expr *x, Expr *y) { return x->id < y->id; };
    llvm::sort(a, byId);
    llvm::sort(b, byId);
    return a == b;
  };
  if (!ok || !sameSet(zPeeled, numerators)) {
    (void)fail(Stage::Combine, "the softmax normalizer does not sum the "
                               "mixed sources' exponentials");
    return mlir::failure();
  }
  // M = max_k X_k: a max reduction over the sources, or a tree of maxima.
  SmallVector<Expr *> mTerms, logitsPeeled;
  if (failed(maxTerms(M, terms.size(), mTerms)))
    return mlir::failure();
  for (Expr *x : logits)
    logitsPeeled.push_back(ev.peel(x));
  if (!sameSet(mTerms, logitsPeeled)) {
    (void)fail(Stage::Combine,
               "the softmax maximum is not over the same logits");
    return mlir::failure();
  }
  // From here on this is an AttnRes candidate: a softmax-weighted sum.
  SiteMatch site;
  site.hidden = type.getShape().back();
  // The softmax's logits must not depend on the hidden index.
  for (auto [k, x] : llvm::enumerate(logits)) {
    if (ev.dependsOn(x, hiddenVar)) {
      (void)fail(Stage::Softmax, "the softmax runs over the hidden dimension");
      return mlir::failure();
    }
    if (failed(matchLogit(k, x, sources[k], site.queryFactors, site.qVar,
                          site.eps)))
      return mlir::failure();
  }
  for (auto [k, src] : llvm::enumerate(sources)) {
    if (src->kind != Kind::Leaf) {
      (void)fail(Stage::Softmax,
                 "source " + Twine(k) + " is computed inside the weighted sum");
      return mlir::failure();
    }
    // The source tensor: the leaf itself or a view it was read through,
    // indexed exactly like the result.
    Value value;
    SmallVector<std::pair<Value, Index>, 2> candidates = {
        {src->value, src->index}};
    llvm::append_range(candidates, ev.viewsOf(src));
    for (auto &[v, idx] : candidates) {
      auto st = dyn_cast<RankedTensorType>(v.getType());
      if (idx == rootIndex && st && st.getRank() == type.getRank() &&
          st.getElementType() == type.getElementType() &&
          succeeded(verifyCompatibleShape(st, type))) {
        value = v;
        break;
      }
    }
    // A model that upcasts its sources (x.float()) mixes the originals.
    for (auto &[v, idx] : candidates) {
      if (value || idx != rootIndex)
        continue;
      if (Value orig = convertedFrom(v))
        if (auto st = dyn_cast<RankedTensorType>(orig.getType()))
          if (st.getElementType() == type.getElementType() &&
              st.getRank() == type.getRank() &&
              succeeded(verifyCompatibleShape(st, type)))
            value = orig;
    }
    if (!value) {
      (void)fail(Stage::Softmax,
                 "source " + Twine(k) +
                     " is not a tensor of the result's type read at the "
                     "result's index (a transposed, sliced or converted "
                     "source)");
      return mlir::failure();
    }
    site.sources.push_back(value);
  }
  // f32 math on upcast sources whose result is rounded back: raise at the
  // rounding, over the original sources.
  if (root.hasOneUse()) {
    Operation *user = *root.getUsers().begin();
    if (user->getNumResults() == 1 &&
        convertedFrom(user->getResult(0)) == root) {
      Type narrow = getElementTypeOrSelf(user->getResult(0));
      if (llvm::all_of(site.sources, [&](Value s) {
            Value orig = convertedFrom(s);
            return orig && getElementTypeOrSelf(orig) == narrow;
          })) {
        (void)fail(Stage::Combine, "raised at its rounding user");
        return mlir::failure();
      }
    }
  }
  if (site.queryFactors.empty()) {
    (void)fail(Stage::Logits, "the logits have no query");
    return mlir::failure();
  }
  return site;
}

//===----------------------------------------------------------------------===//
// Materializing the query and the op
//===----------------------------------------------------------------------===//

/// Emits the scalar value of `e` (a function of `var` only) inside a
/// linalg.generic body over one loop; `inputs` collects the tensors read.
struct QueryEmitter {
  Evaluator &ev;
  int64_t var;
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;

  /// The affine map (d0) -> index of a leaf read, or failure.
  FailureOr<AffineMap> mapOf(Expr *leaf, MLIRContext *ctx) {
    SmallVector<AffineExpr> results;
    SmallVector<int64_t> shape = shapeOf(leaf->value);
    if (shape.size() != leaf->index.size())
      return failure();
    for (auto [d, digits] : llvm::enumerate(leaf->index)) {
      AffineExpr e = getAffineConstantExpr(0, ctx);
      for (const Digit &g : digits) {
        if (g.extent == kDyn)
          return failure();
        e = e * g.extent;
        if (g.isVar) {
          if (g.value != var)
            return failure();
          e = e + getAffineDimExpr(0, ctx);
        } else {
          e = e + g.value;
        }
      }
      results.push_back(e);
    }
    return AffineMap::get(1, 0, results, ctx);
  }

  LogicalResult collect(Expr *e, MLIRContext *ctx) {
    switch (e->kind) {
    case Kind::Const:
      return success();
    case Kind::Leaf: {
      if (llvm::is_contained(inputs, e->value)) // read once per value+map
        ;
      auto map = mapOf(e, ctx);
      if (failed(map))
        return failure();
      inputs.push_back(e->value);
      maps.push_back(*map);
      return success();
    }
    case Kind::Cast:
    case Kind::Mul:
    case Kind::Div:
    case Kind::Add:
    case Kind::Sub:
    case Kind::Neg:
      for (Expr *o : e->ops)
        if (failed(collect(o, ctx)))
          return failure();
      return success();
    default:
      return failure();
    }
  }

  Value emit(OpBuilder &b, Location loc, Expr *e, ValueRange args,
             unsigned &next) {
    Type f32 = b.getF32Type();
    auto toF32 = [&](Value v) -> Value {
      if (v.getType() == f32)
        return v;
      if (cast<FloatType>(v.getType()).getWidth() > 32)
        return arith::TruncFOp::create(b, loc, f32, v);
      return arith::ExtFOp::create(b, loc, f32, v);
    };
    switch (e->kind) {
    case Kind::Const:
      return arith::ConstantOp::create(b, loc, f32,
                                       b.getF32FloatAttr((float)e->cst));
    case Kind::Leaf:
      return toF32(args[next++]);
    case Kind::Cast:
      return emit(b, loc, e->ops[0], args, next);
    case Kind::Neg:
      return arith::NegFOp::create(b, loc, emit(b, loc, e->ops[0], args, next));
    default: {
      Value l = emit(b, loc, e->ops[0], args, next);
      Value r = emit(b, loc, e->ops[1], args, next);
      switch (e->kind) {
      case Kind::Mul:
        return arith::MulFOp::create(b, loc, l, r);
      case Kind::Div:
        return arith::DivFOp::create(b, loc, l, r);
      case Kind::Add:
        return arith::AddFOp::create(b, loc, l, r);
      default:
        return arith::SubFOp::create(b, loc, l, r);
      }
    }
    }
  }
};

/// q[c] = Π factors(c) as a tensor<D x f32> (or the factor itself when it is
/// one f32/element-type vector read in order).
FailureOr<Value> materializeQuery(OpBuilder &b, Location loc, Evaluator &ev,
                                  const SiteMatch &site, Type elementType) {
  MLIRContext *ctx = b.getContext();
  if (site.queryFactors.size() == 1) {
    Expr *f = site.queryFactors.front();
    if (f->kind == Kind::Leaf && f->index.size() == 1 &&
        f->index[0].size() == 1 && f->index[0][0].isVar) {
      auto t = dyn_cast<RankedTensorType>(f->value.getType());
      if (t && t.getRank() == 1 && t.getDimSize(0) == site.hidden &&
          (t.getElementType().isF32() || t.getElementType() == elementType))
        return f->value;
    }
  }
  QueryEmitter em{ev, site.qVar, {}, {}};
  for (Expr *f : site.queryFactors)
    if (failed(em.collect(f, ctx)))
      return failure();
  // Compute q as early as its inputs allow (parameters: at the top of the
  // block), so that every site's query is available before the first site
  // of a block and attnres-two-phase can batch them.
  OpBuilder::InsertionGuard guard(b);
  Block *block = b.getInsertionBlock();
  Operation *after = nullptr;
  for (Value in : em.inputs) {
    Operation *def = in.getDefiningOp();
    if (!def)
      continue;
    Operation *ancestor = block->findAncestorOpInBlock(*def);
    if (ancestor && ancestor->getBlock() == block &&
        (!after || after->isBeforeInBlock(ancestor)))
      after = ancestor;
  }
  if (after)
    b.setInsertionPointAfter(after);
  else
    b.setInsertionPointToStart(block);
  auto outType = RankedTensorType::get({site.hidden}, b.getF32Type());
  Value init = tensor::EmptyOp::create(b, loc, outType.getShape(),
                                       outType.getElementType());
  SmallVector<AffineMap> maps = em.maps;
  maps.push_back(AffineMap::getMultiDimIdentityMap(1, ctx));
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, em.inputs, ValueRange{init}, maps,
      ArrayRef<utils::IteratorType>{utils::IteratorType::parallel},
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        unsigned next = 0;
        Value product;
        for (Expr *f : site.queryFactors) {
          Value v = em.emit(nb, nl, f, args, next);
          product = product
                        ? arith::MulFOp::create(nb, nl, product, v).getResult()
                        : v;
        }
        linalg::YieldOp::create(nb, nl, product);
      });
  return generic->getResult(0);
}

/// Notified for every candidate the patterns decide on.
using RaiseObserver =
    std::function<void(Operation *root, bool raised, StringRef message)>;

struct RaiseAttnResSite : RewritePattern {
  RaiseAttnResSite(MLIRContext *ctx, unsigned maxSources,
                   RaiseObserver observer)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx),
        maxSources(maxSources), observer(std::move(observer)) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1 || isa<AttnResDialect>(op->getDialect()))
      return failure();
    if (!isa<linalg::LinalgOp, tensor::CollapseShapeOp, tensor::ExpandShapeOp,
             tensor::CastOp>(op))
      return failure();
    Value root = op->getResult(0);
    SiteMatcher matcher(root, maxSources);
    FailureOr<SiteMatch> site = matcher.match();
    if (failed(site)) {
      if (observer && (matcher.failure.stage >= Stage::Softmax))
        observer(op, false, matcher.failure.why);
      return rewriter.notifyMatchFailure(op, matcher.failure.why);
    }
    auto type = cast<RankedTensorType>(root.getType());
    rewriter.setInsertionPoint(op);
    Location loc = op->getLoc();
    FailureOr<Value> query = materializeQuery(rewriter, loc, matcher.ev, *site,
                                              type.getElementType());
    if (failed(query)) {
      if (observer)
        observer(op, false,
                 "the query is not a vector over the hidden "
                 "dimension that can be materialized");
      return rewriter.notifyMatchFailure(op, "query not materializable");
    }
    // Sources share one type: the result's (static sizes where known).
    SmallVector<Value> sources;
    for (Value s : site->sources) {
      if (s.getType() != type)
        s = tensor::CastOp::create(rewriter, loc, type, s);
      sources.push_back(s);
    }
    auto attn = DepthAttnOp::create(
        rewriter, loc, type, *query, sources,
        rewriter.getF32FloatAttr(static_cast<float>(site->eps)));
    if (observer) {
      std::string msg;
      llvm::raw_string_ostream os(msg);
      os << "raised an AttnRes site: " << sources.size()
         << " sources, hidden size " << site->hidden << ", eps "
         << static_cast<float>(site->eps);
      observer(op, true, msg);
    }
    rewriter.replaceOp(op, attn.getOperation());
    return success();
  }

  unsigned maxSources;
  RaiseObserver observer;
};

} // namespace

void mlir::attnres::populateAttnResRaisePatterns(RewritePatternSet &patterns,
                                                 unsigned maxSources) {
  patterns.add<RaiseAttnResSite>(patterns.getContext(), maxSources,
                                 RaiseObserver());
}

FailureOr<int64_t> mlir::attnres::raiseAttnResSites(Operation *op,
                                                    unsigned maxSources) {
  int64_t raised = 0;
  RewritePatternSet patterns(op->getContext());
  patterns.add<RaiseAttnResSite>(
      op->getContext(), maxSources,
      [&](Operation *, bool ok, StringRef) { raised += ok; });
  if (failed(applyPatternsGreedily(op, std::move(patterns))))
    return failure();
  return raised;
}

namespace {
struct AttnResRaisePass
    : attnres::impl::AttnResRaisePassBase<AttnResRaisePass> {
  using Base::Base;

  bool canScheduleOn(RegisteredOperationName name) const override {
    return attnres::canScheduleOnFunctionsOrModules(name);
  }

  void runOnOperation() override {
    attnres::forEachFunction(
        getOperation(), [&](FunctionOpInterface func) { runOnFunction(func); });
  }

  void runOnFunction(FunctionOpInterface func) {
    if (func.isExternal())
      return;
    if (maxSources < 2) {
      func.emitError("attnres-raise: max-sources must be >= 2, got ")
          << static_cast<unsigned>(maxSources);
      return signalPassFailure();
    }
    struct Note {
      Location loc;
      std::string message;
    };
    SmallVector<Note> raisedNotes;
    struct Rejection {
      OperationName name;
      Location loc;
      std::string why;
    };
    DenseMap<Operation *, Rejection> rejected;
    RaiseObserver observer;
    if (report)
      observer = [&](Operation *root, bool raised, StringRef message) {
        if (raised) {
          raisedNotes.push_back({root->getLoc(), message.str()});
          rejected.erase(root);
        } else {
          rejected.insert_or_assign(
              root, Rejection{root->getName(), root->getLoc(), message.str()});
        }
      };
    RewritePatternSet patterns(&getContext());
    patterns.add<RaiseAttnResSite>(&getContext(), maxSources, observer);
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    if (failed(applyPatternsGreedily(func, std::move(patterns), config)))
      return signalPassFailure();
    if (!report)
      return;
    for (Note &n : raisedNotes)
      emitRemark(n.loc) << n.message;
    // Rejected candidates that are still in the function.
    func.walk([&](Operation *op) {
      auto it = rejected.find(op);
      if (it != rejected.end() && it->second.name == op->getName() &&
          it->second.loc == op->getLoc())
        op->emitRemark() << "not raised: a softmax-weighted sum that is not an "
                            "AttnRes site: "
                         << it->second.why;
    });
    int64_t count = 0;
    func.walk([&](DepthAttnOp) { ++count; });
    emitRemark(func.getLoc())
        << "attnres-raise: " << raisedNotes.size() << " sites raised in @"
        << func.getName() << " (" << count << " depth_attn ops)";
  }
};
} // namespace
