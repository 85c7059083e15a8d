//===- Passes.h - attnres transformation passes -----------------*- C++ -*-===//

#ifndef ATTNRES_DIALECT_ATTNRES_TRANSFORMS_PASSES_H
#define ATTNRES_DIALECT_ATTNRES_TRANSFORMS_PASSES_H

#include "attnres/Dialect/AttnRes/Transforms/Transforms.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace attnres {

#define GEN_PASS_DECL
#include "attnres/Dialect/AttnRes/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "attnres/Dialect/AttnRes/Transforms/Passes.h.inc"

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_DIALECT_ATTNRES_TRANSFORMS_PASSES_H
