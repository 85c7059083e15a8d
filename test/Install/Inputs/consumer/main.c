/* The C API from an installed attnres: load the dialect, parse a site,
 * lower it with attnres-export-linalg and print the result. */
#include "attnres-c/Dialects.h"
#include "attnres-c/Passes.h"
#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"
#include "mlir-c/RegisterEverything.h"

#include <stdio.h>

static void print(MlirStringRef text, void *userData) {
  fwrite(text.data, 1, text.length, (FILE *)userData);
}

int main(void) {
  MlirContext ctx = mlirContextCreate();
  MlirDialectRegistry registry = mlirDialectRegistryCreate();
  mlirRegisterAllDialects(registry);
  mlirAttnResRegisterAllDialects(registry);
  mlirContextAppendDialectRegistry(ctx, registry);
  mlirDialectRegistryDestroy(registry);
  mlirRegisterAllAttnResPasses();
  mlirDialectHandleLoadDialect(mlirGetDialectHandle__attnres__(), ctx);

  MlirModule module = mlirModuleCreateParse(
      ctx, mlirStringRefCreateFromCString(
               "func.func @site(%q: tensor<8xf32>, %v0: tensor<4x8xf32>, "
               "%v1: tensor<4x8xf32>) -> tensor<4x8xf32> {\n"
               "  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<8xf32>, "
               "tensor<4x8xf32> -> tensor<4x8xf32>\n"
               "  return %h : tensor<4x8xf32>\n}\n"));
  if (mlirModuleIsNull(module))
    return 1;
  MlirPassManager pm = mlirPassManagerCreate(ctx);
  if (mlirLogicalResultIsFailure(mlirOpPassManagerAddPipeline(
          mlirPassManagerGetAsOpPassManager(pm),
          mlirStringRefCreateFromCString("attnres-export-linalg"), print,
          stderr)))
    return 1;
  if (mlirLogicalResultIsFailure(
          mlirPassManagerRunOnOp(pm, mlirModuleGetOperation(module))))
    return 1;
  mlirOperationPrint(mlirModuleGetOperation(module), print, stdout);
  printf("\n");
  mlirPassManagerDestroy(pm);
  mlirModuleDestroy(module);
  mlirContextDestroy(ctx);
  return 0;
}
