//===- AttnResShapeInterfaces.td - shape relations of ops --*- tablegen -*-===//
//
// The size relations an op requires of its operands and results, stated once
// per op (lib/Dialect/AttnRes/IR/AttnResShapeInterfaces.cpp) and queried by
// ValueBoundsOpInterface, RuntimeVerifiableOpInterface and the compile API.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_IR_ATTNRESSHAPEINTERFACES_TD
#define ATTNRES_DIALECT_ATTNRES_IR_ATTNRESSHAPEINTERFACES_TD

include "mlir/IR/OpBase.td"

def AttnRes_ShapeRelationsOpInterface
    : OpInterface<"ShapeRelationsOpInterface"> {
  let description = [{
    The size relations an op's semantics require of its shaped operands and
    results: pairs of dimensions that must be equal (e.g. the row counts of
    all sources of `attnres.depth_attn`, or a query's length and the sources'
    hidden size) and dimensions that must be non-zero (a hidden size). The
    verifier rejects static violations; dynamic sizes are checked at run time
    (`RuntimeVerifiableOpInterface`, `generate-runtime-verification`) or by a
    caller before a call (the compile API). Result dimensions equal to an
    operand dimension are also stated, which is what
    `ValueBoundsOpInterface` reports for them.
  }];
  let cppNamespace = "::mlir::attnres";
  let methods = [
    InterfaceMethod<
      /*desc=*/[{
        Appends the op's size relations to `relations`. Valid only on an op
        that passed its verifier.
      }],
      /*retTy=*/"void",
      /*methodName=*/"getShapeRelations",
      /*args=*/(ins "::mlir::attnres::ShapeRelations &":$relations)>,
  ];
}

#endif // ATTNRES_DIALECT_ATTNRES_IR_ATTNRESSHAPEINTERFACES_TD
