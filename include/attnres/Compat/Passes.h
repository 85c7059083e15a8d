//===- Passes.h - attnres's stand-ins for upstream gaps ---------*- C++ -*-===//

#ifndef ATTNRES_COMPAT_PASSES_H
#define ATTNRES_COMPAT_PASSES_H

#include "attnres/Compat/MPI/MPI.h"

namespace mlir {
namespace attnres {

#define GEN_PASS_REGISTRATION
#include "attnres/Compat/Passes.h.inc"

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_COMPAT_PASSES_H
