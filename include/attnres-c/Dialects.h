/*===- attnres-c/Dialects.h - C API of the attnres dialect --------*- C -*-===*\
|*                                                                            *|
|* The attnres dialect for C hosts (language bindings, other compilers'     *|
|* C front ends), in the style of upstream's mlir-c/Dialect/ headers:       *|
|*                                                                            *|
|*   MlirDialectHandle attnres = mlirGetDialectHandle__attnres__();           *|
|*   mlirDialectHandleRegisterDialect(attnres, context);                      *|
|*   mlirDialectHandleLoadDialect(attnres, context);                          *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef ATTNRES_C_DIALECTS_H
#define ATTNRES_C_DIALECTS_H

#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

/// The attnres dialect alone: mlirGetDialectHandle__attnres__().
MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(AttnRes, attnres);

/// Everything the C++ `registerAllAttnResDialects` adds to a registry: the
/// attnres dialect with its shape-relation models (value bounds, run-time
/// checks), the upstream `mpi` dialect that attnres-pipeline-partition emits,
/// and the memory-effect models of its ops.
MLIR_CAPI_EXPORTED void
mlirAttnResRegisterAllDialects(MlirDialectRegistry registry);

#ifdef __cplusplus
}
#endif

#endif // ATTNRES_C_DIALECTS_H
