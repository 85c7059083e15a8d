/* The C API (include/attnres-c, libAttnResCAPI.so) from a C program: load
 * the attnres dialect into an MlirContext through its dialect handle, parse
 * attnres IR, run attnres-fuse (created through the ODS-generated C API) and
 * the attnres-to-llvm pipeline (by name, with options), check the results,
 * and get located diagnostics for invalid IR and bad pipeline options.
 *
 * RUN: %host_cc -std=c11 -Wall -Werror %s -I%attnres_src_root/include \
 * RUN:   -I%attnres_obj_root/include -I%mlir_include_dir -L%attnres_lib_dir \
 * RUN:   -lAttnResCAPI -Wl,-rpath,%attnres_lib_dir -o %t
 * RUN: %host_preload %t 2>&1 | FileCheck %s
 */

#include "attnres-c/Dialects.h"
#include "attnres-c/Passes.h"
#include "mlir-c/Diagnostics.h"
#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"
#include "mlir-c/RegisterEverything.h"
#include "mlir-c/Support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Collects printed IR and diagnostics in a growing buffer. */
typedef struct {
  char *data;
  size_t size;
} Buffer;

static void append(MlirStringRef text, void *userData) {
  Buffer *buffer = (Buffer *)userData;
  buffer->data = realloc(buffer->data, buffer->size + text.length + 1);
  memcpy(buffer->data + buffer->size, text.data, text.length);
  buffer->size += text.length;
  buffer->data[buffer->size] = 0;
}

static void clear(Buffer *buffer) {
  free(buffer->data);
  buffer->data = NULL;
  buffer->size = 0;
}

static int count(const char *text, const char *what) {
  int n = 0;
  for (const char *p = text; p && (p = strstr(p, what)); p += strlen(what))
    ++n;
  return n;
}

static Buffer diagnostics;

static MlirLogicalResult onDiagnostic(MlirDiagnostic diagnostic, void *ud) {
  (void)ud;
  mlirLocationPrint(mlirDiagnosticGetLocation(diagnostic), append,
                    &diagnostics);
  MlirStringRef sep = mlirStringRefCreateFromCString(": ");
  append(sep, &diagnostics);
  mlirDiagnosticPrint(diagnostic, append, &diagnostics);
  append(mlirStringRefCreateFromCString("\n"), &diagnostics);
  return mlirLogicalResultSuccess();
}

#define CHECK_OR_DIE(cond)                                                     \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "FAILED: %s (line %d)\n", #cond, __LINE__);              \
      return 1;                                                                \
    }                                                                          \
  } while (0)

static const char *chain =
    "func.func @chain(%v0: tensor<4x8xf32>, %v1: tensor<4x8xf32>,\n"
    "                 %w: tensor<8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {\n"
    "  %k0 = attnres.rms_norm %v0, %g : tensor<4x8xf32>, tensor<8xf32>\n"
    "  %k1 = attnres.rms_norm %v1, %g : tensor<4x8xf32>, tensor<8xf32>\n"
    "  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<8xf32>, "
    "tensor<4x8xf32> -> tensor<2x4xf32>\n"
    "  %a = attnres.depth_softmax %s : tensor<2x4xf32>\n"
    "  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<2x4xf32>, "
    "tensor<4x8xf32> -> tensor<4x8xf32>\n"
    "  return %h : tensor<4x8xf32>\n"
    "}\n";

int main(void) {
  MlirContext ctx = mlirContextCreate();
  MlirDialectRegistry registry = mlirDialectRegistryCreate();
  mlirRegisterAllDialects(registry); /* upstream's, next to attnres */
  mlirAttnResRegisterAllDialects(registry);
  mlirContextAppendDialectRegistry(ctx, registry);
  mlirDialectRegistryDestroy(registry);
  mlirRegisterAllPasses();
  mlirRegisterAllAttnResPasses();
  mlirContextAttachDiagnosticHandler(ctx, onDiagnostic, NULL, NULL);

  /* The dialect handle loads the dialect. */
  MlirDialectHandle handle = mlirGetDialectHandle__attnres__();
  MlirDialect dialect = mlirDialectHandleLoadDialect(handle, ctx);
  CHECK_OR_DIE(!mlirDialectIsNull(dialect));
  MlirStringRef ns = mlirDialectGetNamespace(dialect);
  printf("loaded dialect: %.*s\n", (int)ns.length, ns.data);
  // CHECK: loaded dialect: attnres

  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(chain));
  CHECK_OR_DIE(!mlirModuleIsNull(module));
  MlirOperation op = mlirModuleGetOperation(module);
  CHECK_OR_DIE(mlirOperationVerify(op));

  /* attnres-fuse, created through the generated C API, on func.func. */
  MlirPassManager pm = mlirPassManagerCreate(ctx);
  MlirOpPassManager funcPm = mlirPassManagerGetNestedUnder(
      pm, mlirStringRefCreateFromCString("func.func"));
  mlirOpPassManagerAddOwnedPass(funcPm,
                                mlirCreateAttnResTransformsAttnResFusePass());
  CHECK_OR_DIE(mlirLogicalResultIsSuccess(mlirPassManagerRunOnOp(pm, op)));
  mlirPassManagerDestroy(pm);
  Buffer ir = {NULL, 0};
  mlirOperationPrint(op, append, &ir);
  printf("after attnres-fuse: %d depth_attn, %d depth_combine, %d rms_norm\n",
         count(ir.data, "attnres.depth_attn"),
         count(ir.data, "attnres.depth_combine"),
         count(ir.data, "attnres.rms_norm"));
  // CHECK: after attnres-fuse: 1 depth_attn, 0 depth_combine, 0 rms_norm
  clear(&ir);

  /* attnres-to-llvm by name, with options, through the pipeline registry. */
  pm = mlirPassManagerCreate(ctx);
  Buffer errors = {NULL, 0};
  MlirLogicalResult parsed = mlirOpPassManagerAddPipeline(
      mlirPassManagerGetAsOpPassManager(pm),
      mlirStringRefCreateFromCString("attnres-to-llvm{parallel=false}"),
      append, &errors);
  CHECK_OR_DIE(mlirLogicalResultIsSuccess(parsed));
  CHECK_OR_DIE(mlirLogicalResultIsSuccess(mlirPassManagerRunOnOp(pm, op)));
  mlirPassManagerDestroy(pm);
  mlirOperationPrint(op, append, &ir);
  printf("after attnres-to-llvm: %d attnres ops, %d llvm.func @chain, "
         "verifies: %d\n",
         count(ir.data, "attnres."), count(ir.data, "llvm.func @chain"),
         (int)mlirOperationVerify(op));
  // CHECK: after attnres-to-llvm: 0 attnres ops, 1 llvm.func @chain, verifies: 1
  clear(&ir);
  mlirModuleDestroy(module);

  /* Bad pipeline options: an error message, not a crash. */
  pm = mlirPassManagerCreate(ctx);
  parsed = mlirOpPassManagerAddPipeline(
      mlirPassManagerGetAsOpPassManager(pm),
      mlirStringRefCreateFromCString("attnres-to-llvm{index-bitwidth=32}"),
      append, &errors);
  printf("bad options: %s: %s\n",
         mlirLogicalResultIsSuccess(parsed) ? "accepted" : "rejected",
         errors.data ? errors.data : "(no message)");
  // CHECK: bad options: rejected: {{.*}}index-bitwidth=32 needs fast-kernels=false parallel=false
  mlirPassManagerDestroy(pm);
  clear(&errors);

  /* Invalid attnres IR: a null module and a located verifier diagnostic. */
  const char *bad =
      "func.func @site(%q: tensor<16xf32>, %v0: tensor<4x8xf32>) -> "
      "tensor<4x8xf32> {\n"
      "  %h = attnres.depth_attn %q, [%v0] : tensor<16xf32>, tensor<4x8xf32> "
      "-> tensor<4x8xf32>\n"
      "  return %h : tensor<4x8xf32>\n"
      "}\n";
  MlirModule invalid =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(bad));
  printf("invalid IR: module %s\n%s", mlirModuleIsNull(invalid) ? "null" : "parsed",
         diagnostics.data ? diagnostics.data : "(no diagnostic)\n");
  // CHECK: invalid IR: module null
  // CHECK-NEXT: loc("-":2:8): 'attnres.depth_attn' op expects dimension 0 of query to equal dimension 1 of source #0 (hidden size), got 16 in 'tensor<16xf32>' and 8 in 'tensor<4x8xf32>'
  clear(&diagnostics);

  mlirContextDestroy(ctx);
  printf("done\n");
  // CHECK: done
  return 0;
}
