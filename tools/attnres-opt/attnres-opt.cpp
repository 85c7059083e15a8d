//===- attnres-opt.cpp - attnres optimizer driver -------------------------===//
//
// mlir-opt with the attnres dialect, its passes and pipelines, and every
// upstream dialect, pass and extension registered.
//
// The project's per-function passes anchor on FunctionOpInterface, so like
// upstream's interface passes they must be nested under a function op. For
// convenience attnres-opt accepts them as bare flags too: when the command
// line names one of them (and no --pass-pipeline is given), the pass flags
// are turned into the equivalent --pass-pipeline, with the function passes
// nested under `any(...)`:
//
//   attnres-opt m.mlir --attnres-fuse --attnres-to-llvm
//   == attnres-opt m.mlir --pass-pipeline='builtin.module(any(attnres-fuse),attnres-to-llvm)'
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
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"
#include <string>
#include <vector>

namespace {

/// The attnres passes anchored on FunctionOpInterface.
bool isFunctionPass(llvm::StringRef name) {
  return llvm::is_contained(
      {"attnres-fuse", "attnres-raise", "attnres-two-phase", "attnres-stage-traffic",
       "convert-attnres-to-linalg", "convert-attnres-to-vector",
       "convert-attnres-to-gpu", "attnres-gpu-finalize-kernels",
       "attnres-streaming-stores"},
      name);
}

/// Rewrites bare pass flags into one --pass-pipeline when a function pass is
/// among them; returns the new argument list (unchanged otherwise).
std::vector<std::string> nestFunctionPassFlags(int argc, char **argv) {
  std::vector<std::string> args(argv, argv + argc);
  std::vector<std::string> kept, elements;
  bool sawFunctionPass = false;
  for (size_t i = 0; i < args.size(); ++i) {
    llvm::StringRef arg = args[i];
    if (i == 0 || !arg.starts_with("-") || arg == "-" || arg == "--") {
      kept.push_back(args[i]);
      continue;
    }
    llvm::StringRef flag = arg.ltrim('-');
    if (flag.starts_with("pass-pipeline") || flag == "p" ||
        flag.starts_with("p=")) // An explicit pipeline: leave it alone.
      return args;
    auto [name, options] = flag.split('=');
    bool hasOptions = flag.contains('=');
    if (!mlir::PassInfo::lookup(name) && !mlir::PassPipelineInfo::lookup(name)) {
      kept.push_back(args[i]);
      continue;
    }
    std::string element = name.str();
    if (hasOptions)
      element += "{" + options.str() + "}";
    if (isFunctionPass(name)) {
      sawFunctionPass = true;
      element = "any(" + element + ")";
    }
    elements.push_back(element);
  }
  if (!sawFunctionPass)
    return args;
  std::string pipeline = "--pass-pipeline=builtin.module(";
  for (size_t i = 0; i < elements.size(); ++i)
    pipeline += (i ? "," : "") + elements[i];
  pipeline += ")";
  kept.insert(kept.begin() + 1, pipeline);
  return kept;
}

} // namespace

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::attnres::registerAllAttnResPasses();
  mlir::attnres::registerAllAttnResPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::attnres::registerAllAttnResDialects(registry);

  std::vector<std::string> args = nestFunctionPassFlags(argc, argv);
  std::vector<char *> rewritten;
  for (std::string &arg : args)
    rewritten.push_back(arg.data());
  rewritten.push_back(nullptr);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      static_cast<int>(args.size()), rewritten.data(),
      "attnres optimizer driver\n", registry));
}
