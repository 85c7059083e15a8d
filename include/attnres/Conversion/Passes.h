//===- Passes.h - attnres conversion passes ---------------------*- C++ -*-===//

#ifndef ATTNRES_CONVERSION_PASSES_H
#define ATTNRES_CONVERSION_PASSES_H

#include "attnres/Conversion/AttnResToGPU/AttnResToGPU.h"
#include "attnres/Conversion/AttnResToLinalg/AttnResToLinalg.h"
#include "attnres/Conversion/AttnResToVector/AttnResToVector.h"

namespace mlir {
namespace attnres {

#define GEN_PASS_REGISTRATION
#include "attnres/Conversion/Passes.h.inc"

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_CONVERSION_PASSES_H
