//===- AttnResPlugin.cpp - attnres as a plugin for stock mlir-opt ---------===//
//
// Loads the attnres dialect, passes and pipelines into tools built on
// MlirOptMain (e.g. Debian's /usr/lib/llvm-22/bin/mlir-opt):
//
//   mlir-opt --load-dialect-plugin=build/lib/AttnResPlugin.so ...
//   mlir-opt --load-pass-plugin=build/lib/AttnResPlugin.so ...
//
// The plugin links the same libMLIR.so as the host tool, so types, op
// registrations and command-line options are shared, not duplicated.
//
//===----------------------------------------------------------------------===//

#include "attnres/InitAll.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"
#include <mutex>

namespace {
/// Passes and pipelines register once even when both plugin entry points
/// are used in one process.
void registerPassesOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    mlir::attnres::registerAllAttnResPasses();
    mlir::attnres::registerAllAttnResPipelines();
  });
}
} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "AttnRes", LLVM_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            mlir::attnres::registerAllAttnResDialects(*registry);
            registerPassesOnce();
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "AttnResPasses", LLVM_VERSION_STRING,
          []() { registerPassesOnce(); }};
}
