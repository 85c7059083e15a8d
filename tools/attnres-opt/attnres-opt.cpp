//===- attnres-opt.cpp - attnres optimizer driver -------------------------===//
//
// mlir-opt with the attnres dialect, its passes and pipelines, and every
// upstream dialect, pass and extension registered.
//
// The attnres passes are op-agnostic (their work is per function: the anchor
// if it is one, else each function directly in it), so bare flags work as in
// mlir-opt, and so do nested pipelines:
//
//   attnres-opt m.mlir --attnres-fuse --attnres-to-llvm
//   attnres-opt m.mlir
//   --pass-pipeline='builtin.module(func.func(attnres-fuse))'
//
//===----------------------------------------------------------------------===//

#include "attnres/InitAll.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::attnres::registerAllAttnResPasses();
  mlir::attnres::registerAllAttnResPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::attnres::registerAllAttnResDialects(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "attnres optimizer driver\n", registry));
}
