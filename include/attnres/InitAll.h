//===- InitAll.h - register everything attnres provides ---------*- C++ -*-===//
//
// Entry points for tools and host compilers that embed attnres.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_INITALL_H
#define ATTNRES_INITALL_H

namespace mlir {
class DialectRegistry;
namespace attnres {

/// Adds the attnres dialect to `registry`, with the external models of its
/// ops (shape relations, value bounds, run-time checks) and of the `mpi` ops
/// attnres-pipeline-partition emits.
void registerAllAttnResDialects(DialectRegistry &registry);

/// Registers every attnres pass (conversions and transforms) with the global
/// pass registry, so they appear in `--help` and `--pass-pipeline`.
void registerAllAttnResPasses();

/// Registers the attnres pass pipelines (e.g. `attnres-to-llvm`).
void registerAllAttnResPipelines();

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_INITALL_H
