//===- Dialects.cpp - C API of the attnres dialect ------------------------===//

#include "attnres-c/Dialects.h"

#include "attnres/Dialect/AttnRes/IR/AttnResDialect.h"
#include "attnres/InitAll.h"
#include "mlir/CAPI/Registration.h"

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(AttnRes, attnres,
                                      mlir::attnres::AttnResDialect)

void mlirAttnResRegisterAllDialects(MlirDialectRegistry registry) {
  mlir::attnres::registerAllAttnResDialects(*unwrap(registry));
}
