/*===- attnres-c/Passes.h - C API of the attnres passes -----------*- C -*-===*\
|*                                                                            *|
|* Pass creation and registration generated from the passes' ODS (as        *|
|* upstream's mlir-c/Transforms.h and mlir-c/Conversion.h are), and the     *|
|* pipelines. After mlirRegisterAllAttnResPasses() a pipeline string such   *|
|* as "builtin.module(func.func(attnres-fuse),attnres-to-llvm)" works with  *|
|* mlirParsePassPipeline / mlirOpPassManagerAddPipeline (mlir-c/Pass.h).    *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef ATTNRES_C_PASSES_H
#define ATTNRES_C_PASSES_H

#include "mlir-c/Pass.h"
#include "mlir-c/Support.h"

/* mlirRegisterAttnResTransformsPasses(), mlirCreateAttnResTransforms<Def>(),
 * mlirRegisterAttnResTransforms<Def>() for every def of
 * attnres/Dialect/AttnRes/Transforms/Passes.td, e.g.
 * mlirCreateAttnResTransformsAttnResFusePass(). */
#include "attnres/Dialect/AttnRes/Transforms/Passes.capi.h.inc"
/* The same for attnres/Conversion/Passes.td (prefix AttnResConversion), e.g.
 * mlirCreateAttnResConversionConvertAttnResToLinalgPass(). */
#include "attnres/Conversion/Passes.capi.h.inc"
/* And for attnres/Compat/Passes.td (prefix AttnResCompat), e.g.
 * mlirCreateAttnResCompatAttnResConvertMPIToLLVMPass(). */
#include "attnres/Compat/Passes.capi.h.inc"
/* And for attnres/Transforms/Passes.td (prefix AttnResCodegen), e.g.
 * mlirCreateAttnResCodegenAttnResStreamingStoresPass(). */
#include "attnres/Transforms/Passes.capi.h.inc"

#ifdef __cplusplus
extern "C" {
#endif

/// Registers the attnres pipelines: attnres-to-llvm, attnres-to-nvvm,
/// attnres-raise-tosa and attnres-export-linalg (docs/pipelines.md).
MLIR_CAPI_EXPORTED void mlirRegisterAttnResPipelines(void);

/// Registers every attnres pass (all groups) and pipeline.
MLIR_CAPI_EXPORTED void mlirRegisterAllAttnResPasses(void);

#ifdef __cplusplus
}
#endif

#endif // ATTNRES_C_PASSES_H
