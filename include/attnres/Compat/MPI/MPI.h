//===- MPI.h - gaps of MLIR 22.1's mpi dialect ------------------*- C++ -*-===//
//
// Upstream gap code (lib/Compat/MPI): the mpi ops' missing memory effects
// (fixed upstream by llvm/llvm-project#186158, after 22.1) and a checked
// MPI-to-LLVM pass (upstream offers the patterns only through
// convert-to-llvm, llvm/llvm-project#95524).
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_COMPAT_MPI_MPI_H
#define ATTNRES_COMPAT_MPI_MPI_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir {
namespace attnres {

#define GEN_PASS_DECL_ATTNRESCONVERTMPITOLLVMPASS
#include "attnres/Compat/Passes.h.inc"

/// Checks the preconditions of upstream's MPI-to-LLVM patterns on every mpi
/// op under `root` (see `attnres-convert-mpi-to-llvm`), emitting an error at
/// each op that violates one.
LogicalResult checkMPIToLLVMPreconditions(Operation *root);

/// Attaches memory effects to the upstream `mpi` ops that
/// `attnres-pipeline-partition` emits (`init`, `finalize`, `send`, `recv`
/// declare none in MLIR 22.1), so that buffer deallocation and the
/// canonicalizer handle them: `send` reads its buffer, `recv` writes it, and
/// all of them read and write the MPI library state.
void registerMPIMemoryEffectModels(DialectRegistry &registry);

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_COMPAT_MPI_MPI_H
