//===- Passes.cpp - C API of the attnres passes and pipelines -------------===//

#include "attnres-c/Passes.h"

#include "attnres/Compat/Passes.h"
#include "attnres/Conversion/Passes.h"
#include "attnres/Dialect/AttnRes/Transforms/Passes.h"
#include "attnres/InitAll.h"
#include "attnres/Transforms/Passes.h"
#include "mlir/CAPI/Pass.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;
using namespace mlir::attnres;

#ifdef __cplusplus
extern "C" {
#endif

#include "attnres/Compat/Passes.capi.cpp.inc"
#include "attnres/Conversion/Passes.capi.cpp.inc"
#include "attnres/Dialect/AttnRes/Transforms/Passes.capi.cpp.inc"
#include "attnres/Transforms/Passes.capi.cpp.inc"

#ifdef __cplusplus
}
#endif

void mlirRegisterAttnResPipelines(void) { registerAllAttnResPipelines(); }

void mlirRegisterAllAttnResPasses(void) {
  registerAllAttnResPasses();
  registerAllAttnResPipelines();
}
