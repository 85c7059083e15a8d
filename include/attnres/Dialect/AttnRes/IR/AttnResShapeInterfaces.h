//===- AttnResShapeInterfaces.h - shape relations of ops --------*- C++ -*-===//
//
// The size relations each attnres op requires of its operands and results,
// stated once (AttnResShapeInterfaces.cpp) and exposed through
// `ShapeRelationsOpInterface`. The same statements back the ops'
// `ValueBoundsOpInterface` (result sizes in terms of operand sizes) and
// `RuntimeVerifiableOpInterface` (run-time checks of dynamic sizes) models.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_IR_ATTNRESSHAPEINTERFACES_H
#define ATTNRES_DIALECT_ATTNRES_IR_ATTNRESSHAPEINTERFACES_H

#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/Value.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace mlir {
class DialectRegistry;
namespace attnres {

/// One dimension of a shaped operand or result, with the name the op's
/// documentation gives the value ("source #1", "query", "result").
struct ShapeDim {
  Value value;
  int64_t dim;
  std::string name;

  /// "dimension 0 of source #1".
  std::string describe() const;
};

/// A size relation an op requires: `lhs == rhs`, `lhs != 0`, or
/// `lhs == size` (a size the op's structure fixes, such as its source count).
struct ShapeRelation {
  enum class Kind { Equal, NonZero, Size };
  Kind kind;
  ShapeDim lhs;
  /// Unused for NonZero and Size.
  ShapeDim rhs;
  /// What the sizes are ("token dimension", "hidden size").
  std::string role;
  /// Equal: the two sizes must also be equally static (both dynamic or both
  /// the same number), as for two values of one type; otherwise a dynamic
  /// size is only checked at run time. Size: the size is always static.
  bool exact = true;
  /// Size: the required size.
  int64_t size = 0;

  /// The message of a failed run-time check, e.g. "dimension 0 of source #1
  /// must equal dimension 0 of source #0 (token dimension)".
  std::string describe() const;
};

/// The relations of one op, built with the shape vocabulary of the dialect
/// (a source-like value is `tensor<T... x D x E>`: token dims, then the hidden
/// size). Dimensions beyond a value's rank are ignored, so unverified IR
/// cannot make the builders index out of range.
class ShapeRelations {
public:
  /// Dimension `da` of `a` equals dimension `db` of `b`; with `exact`,
  /// the verifier also requires them to be equally static.
  void equal(Value a, int64_t da, StringRef nameA, Value b, int64_t db,
             StringRef nameB, StringRef role, bool exact = true);
  /// Every dimension of `a` equals the same dimension of `b`.
  void sameShape(Value a, StringRef nameA, Value b, StringRef nameB,
                 StringRef role = "same shape");
  /// Every dimension of every value of `group` (named `name #i`) equals the
  /// same dimension of the group's first value.
  void sameShapes(ValueRange group, StringRef name);
  /// The token dims of source-like `source` equal dims `leading`.. of
  /// `other`.
  void tokens(Value source, StringRef sourceName, Value other,
              StringRef otherName, int64_t leading);
  /// The hidden size of source-like `source` equals dimension `dim` of
  /// `vector` (a query or gain); a dynamic size on either side is allowed.
  void hidden(Value source, StringRef sourceName, Value vector,
              StringRef vectorName, int64_t dim);
  /// The hidden size of source-like `source` is non-zero.
  void nonZeroHidden(Value source, StringRef sourceName);
  /// Dimension `dim` of `value` is non-zero.
  void nonZero(Value value, int64_t dim, StringRef name, StringRef role);
  /// Dimension `dim` of `value` is statically `size`.
  void size(Value value, int64_t dim, StringRef name, int64_t size,
            StringRef role);

  ArrayRef<ShapeRelation> get() const { return relations; }

private:
  SmallVector<ShapeRelation> relations;
};

/// Appends the relations of `op` (any attnres op; nothing for other ops) to
/// `relations`, without the interface being registered.
void describeShapeRelations(Operation *op, ShapeRelations &relations);

/// The verifier's part of the relations of `op` (any attnres op; success for
/// other ops): every relation whose sizes are known statically holds (equal
/// sizes, exact ones equally static; a non-zero size; a fixed size). Emits
/// an error on `op` naming both values, their dimensions, sizes and types.
/// Relations between dimensions of differing ranks are not stated, so the
/// caller checks ranks (and element types) first.
LogicalResult verifyShapeRelations(Operation *op);

/// `ReifyRankedShapedTypeOpInterface` from the relations: each dynamic
/// result dimension is the first operand dimension the relations tie it to,
/// each static one its size. The attnres ops' `reifyResultShapes` (one
/// statement of each relation); fails if a dynamic dimension is tied to no
/// operand.
LogicalResult reifyResultShapesFromRelations(Operation *op, OpBuilder &b,
                                             ReifiedRankedShapedTypeDims &out);

/// Attaches `ShapeRelationsOpInterface`, `ValueBoundsOpInterface` and
/// `RuntimeVerifiableOpInterface` to the attnres ops (called by
/// `registerAllAttnResDialects`).
void registerShapeInterfaceExternalModels(DialectRegistry &registry);

} // namespace attnres
} // namespace mlir

#include "attnres/Dialect/AttnRes/IR/AttnResShapeInterfaces.h.inc"

#endif // ATTNRES_DIALECT_ATTNRES_IR_ATTNRESSHAPEINTERFACES_H
