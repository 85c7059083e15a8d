//===- AttnResOpHelpers.h - verifier and assembly helpers -------*- C++ -*-===//
//
// Helpers shared by the forward ops (AttnResOps.cpp, which defines them) and
// the gradient ops (AttnResGradOps.cpp): type checks of sources, queries and
// row-shaped values on tensors and memrefs, the two forms of the ops with
// destinations (value form, memref form), their memory effects and the
// `outs(...)` assembly. Private to the IR library.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_LIB_DIALECT_ATTNRES_IR_ATTNRESOPHELPERS_H
#define ATTNRES_LIB_DIALECT_ATTNRES_IR_ATTNRESOPHELPERS_H

#include "attnres/Dialect/AttnRes/IR/AttnResTraits.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::attnres::detail {

/// The token dimensions of a source type: all but the last.
ArrayRef<int64_t> tokenShape(ShapedType type);

/// A ranked tensor, or (the ops' memref form) a memref; null otherwise.
ShapedType rankedShaped(Type type);

/// Types that agree but for their sizes (which the shape relations state):
/// one rank and element type; one encoding (tensors) or memory space
/// (memrefs).
bool sameTypeModuloShape(Type a, Type b);

/// Checks a source-like type: rank >= 1 (the non-zero hidden size is a shape
/// relation).
LogicalResult verifySourceLike(Operation *op, Type type, StringRef what);

/// Checks a non-empty group of source-like operands sharing one type but for
/// sizes and returns the first type.
FailureOr<ShapedType> verifyUniformSources(Operation *op, TypeRange types,
                                           StringRef what);

/// Checks a vector of the hidden size (query or gain) against a source type:
/// rank 1, element type the source's or f32 (its length is a shape
/// relation).
LogicalResult verifyVector(Operation *op, Type type, ShapedType source,
                           StringRef what);

/// Checks that `type` has the rank of `leading ++ tokens` (the sizes are
/// shape relations; the message shows them).
LogicalResult verifyTokenShaped(Operation *op, Type type,
                                ArrayRef<int64_t> leading,
                                ArrayRef<int64_t> tokens, StringRef what);

/// The two forms of an op with destinations: all operands tensors and
/// `numResults` results, or all memrefs, destinations present, no results.
LogicalResult verifyForm(Operation *op, bool hasOuts, unsigned numResults);

/// A destination: the result's type but for sizes on tensors; on memrefs the
/// rank and element type of `expected` (any layout). Sizes are shape
/// relations.
LogicalResult verifyInit(Operation *op, Type init, ShapedType expected,
                         StringRef what);

/// `eps` is finite and >= 0.
LogicalResult verifyEps(Operation *op, FloatAttr eps);

/// Adds the destinations `inits` after every other operand, the `has_outs`
/// marker when `hasOutsAttr` (the ops whose destinations follow a variadic
/// group), and, on tensors, one result per destination of its type.
void addOuts(OpBuilder &b, OperationState &state, ValueRange inits,
             bool hasOutsAttr);

/// The destination list of an op with at most one destination.
SmallVector<Value, 1> optionalOuts(Value init);

/// Adds `eps` to `state` when given.
void addEps(OperationState &state, FloatAttr eps);

/// Parses `outs(%a, %b : T, U)` if present.
ParseResult
parseOptionalOuts(OpAsmParser &parser,
                  SmallVectorImpl<OpAsmParser::UnresolvedOperand> &outs,
                  SmallVectorImpl<Type> &outTypes, bool &present);

/// Prints ` outs(%a, %b : T, U)` unless `outs` is empty.
void printOuts(OpAsmPrinter &printer, ValueRange outs);

/// Prints the attribute dictionary without `has_outs` and a default `eps`.
void printAttrs(OpAsmPrinter &printer, Operation *op, FloatAttr eps);

} // namespace mlir::attnres::detail

#endif // ATTNRES_LIB_DIALECT_ATTNRES_IR_ATTNRESOPHELPERS_H
