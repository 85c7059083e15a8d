//===- MPIToLLVM.h - mpi dialect to MPI library calls -----------*- C++ -*-===//

#ifndef ATTNRES_CONVERSION_MPITOLLVM_MPITOLLVM_H
#define ATTNRES_CONVERSION_MPITOLLVM_MPITOLLVM_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace attnres {

#define GEN_PASS_DECL_CONVERTMPITOLLVMPASS
#include "attnres/Conversion/Passes.h.inc"

/// Checks the preconditions of upstream's MPI-to-LLVM patterns on every mpi
/// op under `root` (see `convert-mpi-to-llvm`), emitting an error at each
/// op that violates one.
LogicalResult checkMPIToLLVMPreconditions(Operation *root);

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_CONVERSION_MPITOLLVM_MPITOLLVM_H
