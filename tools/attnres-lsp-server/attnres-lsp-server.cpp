//===- attnres-lsp-server.cpp - MLIR language server with attnres ---------===//
//
// mlir-lsp-server with the attnres dialect next to every upstream dialect and
// extension (the registry of attnres-opt): editors get diagnostics, hover,
// go-to-definition and completion for .mlir files that use attnres ops.
// Point the VS Code MLIR extension's `mlir.server_path` at this binary.
//
//===----------------------------------------------------------------------===//

#include "attnres/InitAll.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Tools/mlir-lsp-server/MlirLspServerMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::attnres::registerAllAttnResDialects(registry);
  return mlir::failed(mlir::MlirLspServerMain(argc, argv, registry));
}
