//===- AttnResOps.h - attnres operations ------------------------*- C++ -*-===//
//
// Declares the operations of the attnres dialect.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_IR_ATTNRESOPS_H
#define ATTNRES_DIALECT_ATTNRES_IR_ATTNRESOPS_H

#include "attnres/Dialect/AttnRes/IR/AttnResDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "attnres/Dialect/AttnRes/IR/AttnResOps.h.inc"

#endif // ATTNRES_DIALECT_ATTNRES_IR_ATTNRESOPS_H
