//===- attnres-opt.cpp - attnres optimizer driver -------------------------===//
//
// mlir-opt with the attnres dialect, its passes and pipelines, and every
// upstream dialect, pass and extension registered.
//
//===----------------------------------------------------------------------===//

#include "attnres/InitAll.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
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
