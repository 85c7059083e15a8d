//===- APIInternal.h - shared pieces of the attnres facade ------*- C++ -*-===//
//
// Private to lib/API: the module state behind `api::Module`, diagnostic
// capture, and helpers shared by the CPU and NVVM compile paths.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_LIB_API_APIINTERNAL_H
#define ATTNRES_LIB_API_APIINTERNAL_H

#include "attnres/API/API.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>

namespace mlir {
namespace func {
class FuncOp;
} // namespace func
namespace attnres {
namespace api {

/// The state behind a `Module`: the context owns the IR; the source manager
/// keeps the parsed text so diagnostics can quote it. Members are destroyed
/// in reverse order: module, then sources, then context.
struct Module::Impl {
  std::unique_ptr<MLIRContext> context;
  llvm::SourceMgr sourceMgr;
  OwningOpRef<ModuleOp> module;
};

/// Captures every diagnostic emitted on a context while alive, as
/// `file:line:col: error: message` text with the quoted source line.
class DiagnosticCapture {
public:
  DiagnosticCapture(llvm::SourceMgr &sourceMgr, MLIRContext *context);

  /// The captured text so far, trimmed.
  std::string getText();

  /// An `ErrorKind::Diagnostic` error with the captured text, or with
  /// `fallback` when nothing was captured.
  llvm::Error makeError(const llvm::Twine &fallback);

private:
  std::string text;
  llvm::raw_string_ostream os;
  SourceMgrDiagnosticHandler handler;
};

/// Parses `text` into a fresh context with everything registered.
llvm::Expected<std::unique_ptr<Module::Impl>>
parseModule(llvm::StringRef text, llvm::StringRef sourceName, bool verify);

/// Finds the function `entry` (with a body), or fails naming the functions
/// that exist.
llvm::Expected<func::FuncOp> lookupEntry(ModuleOp module,
                                         llvm::StringRef entry);

/// Parses `spec` (see `Module::runPipeline`) into a module-anchored pass
/// manager and runs it on `impl.module`, verifying the module first.
llvm::Error runPipelineOn(Module::Impl &impl, llvm::StringRef spec);

/// Collects the objects of every `gpu.binary` op in `module`.
std::vector<GPUObject> collectGPUObjects(ModuleOp module);

} // namespace api
} // namespace attnres
} // namespace mlir

#endif // ATTNRES_LIB_API_APIINTERNAL_H
