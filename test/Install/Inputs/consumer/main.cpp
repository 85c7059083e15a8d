//===- main.cpp - a compiler that embeds attnres --------------------------===//
//
// Its own main: upstream dialects, extensions and passes are registered next
// to attnres's. `attnres-consumer FILE` parses FILE and runs attnres-fuse and
// attnres-to-llvm through their C++ builders; `attnres-consumer FILE PIPELINE`
// runs a textual pipeline instead (e.g. "builtin.module(func.func(
// attnres-fuse))"). Prints the result; errors are diagnostics and exit 1.
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/Transforms/Passes.h"
#include "attnres/InitAll.h"
#include "attnres/Pipelines/Pipelines.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  if (argc != 2 && argc != 3) {
    llvm::errs() << "usage: attnres-consumer FILE [PIPELINE]\n";
    return 2;
  }
  mlir::registerAllPasses();
  mlir::attnres::registerAllAttnResPasses();
  mlir::attnres::registerAllAttnResPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::attnres::registerAllAttnResDialects(registry);
  mlir::MLIRContext context(registry);

  // Diagnostics as file:line:col with the source line.
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(argv[1], sourceMgr,
                                            mlir::ParserConfig(&context));
  if (!module)
    return 1;

  mlir::PassManager pm(&context);
  if (argc == 3) {
    if (mlir::failed(mlir::parsePassPipeline(argv[2], pm, llvm::errs())))
      return 1;
  } else {
    pm.nest<mlir::func::FuncOp>().addPass(
        mlir::attnres::createAttnResFusePass());
    mlir::attnres::AttnResToLLVMPipelineOptions options;
    options.parallel = false;
    mlir::attnres::buildAttnResToLLVMPipeline(pm, options);
  }
  if (mlir::failed(pm.run(*module)))
    return 1;
  module->print(llvm::outs());
  return 0;
}
