//===- API.cpp - attnres facade: errors, registration, modules, NVVM ------===//
//
// Everything of the facade except the CPU JIT (CompiledFunction.cpp).
//
//===----------------------------------------------------------------------===//

#include "APIInternal.h"

#include "attnres/InitAll.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"

#include <mutex>

using namespace mlir;
using namespace mlir::attnres;
using namespace mlir::attnres::api;

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

char APIError::ID = 0;

void APIError::log(llvm::raw_ostream &os) const { os << message; }

std::error_code APIError::convertToErrorCode() const {
  return llvm::inconvertibleErrorCode();
}

llvm::Error api::makeError(ErrorKind kind, const llvm::Twine &message) {
  return llvm::make_error<APIError>(kind, message.str());
}

//===----------------------------------------------------------------------===//
// Registration
//===----------------------------------------------------------------------===//

namespace {
/// The dialects, extensions and translations every context gets.
const DialectRegistry &getRegistry() {
  static const DialectRegistry *registry = [] {
    auto *r = new DialectRegistry();
    registerAllDialects(*r);
    registerAllExtensions(*r);
    registerAllToLLVMIRTranslations(*r);
    registerAllAttnResDialects(*r);
    return r;
  }();
  return *registry;
}
} // namespace

void api::initialize() {
  static std::once_flag once;
  std::call_once(once, [] {
    registerAllPasses();
    registerAllAttnResPasses();
    registerAllAttnResPipelines();
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    (void)getRegistry();
  });
}

bool api::isPipelineRegistered(StringRef name) {
  initialize();
  return PassPipelineInfo::lookup(name) != nullptr;
}

bool api::isPassRegistered(StringRef name) {
  initialize();
  return PassInfo::lookup(name) != nullptr;
}

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

DiagnosticCapture::DiagnosticCapture(llvm::SourceMgr &sourceMgr,
                                     MLIRContext *context)
    : os(text), handler(sourceMgr, context, os) {}

std::string DiagnosticCapture::getText() {
  os.flush();
  return StringRef(text).trim().str();
}

llvm::Error DiagnosticCapture::makeError(const llvm::Twine &fallback) {
  std::string captured = getText();
  if (captured.empty())
    return api::makeError(ErrorKind::Diagnostic, fallback);
  return api::makeError(ErrorKind::Diagnostic, captured);
}

//===----------------------------------------------------------------------===//
// Modules
//===----------------------------------------------------------------------===//

llvm::Expected<std::unique_ptr<Module::Impl>>
api::parseModule(StringRef text, StringRef sourceName, bool verify) {
  initialize();
  auto impl = std::make_unique<Module::Impl>();
  impl->context = std::make_unique<MLIRContext>(
      getRegistry(), MLIRContext::Threading::DISABLED);
  // Diagnostics quote the source line; the op dump is noise for users.
  impl->context->printOpOnDiagnostic(false);
  // A NUL-terminated copy: the lexer reads one past the end otherwise.
  impl->sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, sourceName), llvm::SMLoc());
  DiagnosticCapture capture(impl->sourceMgr, impl->context.get());
  ParserConfig config(impl->context.get(), /*verifyAfterParse=*/verify);
  impl->module = parseSourceFile<ModuleOp>(impl->sourceMgr, config);
  if (!impl->module)
    return capture.makeError("failed to parse the module");
  return std::move(impl);
}

llvm::Expected<func::FuncOp> api::lookupEntry(ModuleOp module,
                                              StringRef entry) {
  if (auto func = module.lookupSymbol<func::FuncOp>(entry)) {
    if (func.isExternal())
      return makeError(ErrorKind::Diagnostic,
                       "entry function @" + entry +
                           " is a declaration without a body");
    return func;
  }
  std::string message =
      ("no func.func named @" + entry + " in the module").str();
  SmallVector<std::string> names;
  for (auto func : module.getOps<func::FuncOp>())
    if (!func.isExternal())
      names.push_back("@" + func.getSymName().str());
  if (names.empty())
    message += " (it defines no functions)";
  else
    message += "; functions: " + llvm::join(names, ", ");
  return makeError(ErrorKind::Diagnostic, message);
}

llvm::Error api::runPipelineOn(Module::Impl &impl, StringRef spec) {
  MLIRContext *context = impl.context.get();
  DiagnosticCapture capture(impl.sourceMgr, context);
  StringRef text = spec.trim();
  if (text.empty())
    return makeError(ErrorKind::Value, "empty pass pipeline");

  std::string parseErrors;
  llvm::raw_string_ostream errorStream(parseErrors);
  auto parseFailure = [&]() {
    errorStream.flush();
    return makeError(ErrorKind::Diagnostic,
                     "invalid pass pipeline '" + spec +
                         "': " + StringRef(parseErrors).trim());
  };

  // `builtin.module(...)`: check the anchored form, then parse its body into
  // the module's pass manager. Everything else is a list of passes anchored
  // on the module (as on the attnres-opt command line).
  StringRef rest = text;
  if (rest.consume_front(ModuleOp::getOperationName()) &&
      rest.ltrim().starts_with("(")) {
    if (failed(parsePassPipeline(text, errorStream)))
      return parseFailure();
    size_t open = text.find('(');
    text = text.slice(open + 1, text.size() - 1);
  }
  PassManager pm(context, ModuleOp::getOperationName(),
                 OpPassManager::Nesting::Implicit);
  if (failed(parsePassPipeline(text, pm, errorStream)))
    return parseFailure();
  pm.enableVerifier(true);

  if (failed(mlir::verify(*impl.module)))
    return capture.makeError("the module does not verify");
  if (failed(pm.run(*impl.module)))
    return capture.makeError("pass pipeline '" + spec +
                             "' failed without a diagnostic");
  return llvm::Error::success();
}

std::vector<GPUObject> api::collectGPUObjects(ModuleOp module) {
  std::vector<GPUObject> objects;
  module.walk([&](gpu::BinaryOp binary) {
    for (Attribute attr : binary.getObjects()) {
      auto object = dyn_cast<gpu::ObjectAttr>(attr);
      if (!object)
        continue;
      GPUObject result;
      result.module = binary.getSymName().str();
      llvm::raw_string_ostream targetOs(result.target);
      object.getTarget().print(targetOs);
      targetOs.flush();
      result.format = gpu::stringifyCompilationTarget(object.getFormat()).str();
      result.data = object.getObject().getValue().str();
      objects.push_back(std::move(result));
    }
  });
  return objects;
}

Module::Module(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}

Module::~Module() = default;

llvm::Expected<std::unique_ptr<Module>>
Module::parse(StringRef text, StringRef sourceName, bool verify) {
  auto impl = parseModule(text, sourceName, verify);
  if (!impl)
    return impl.takeError();
  return std::unique_ptr<Module>(new Module(std::move(*impl)));
}

llvm::Error Module::verify() {
  DiagnosticCapture capture(impl->sourceMgr, impl->context.get());
  if (failed(mlir::verify(*impl->module)))
    return capture.makeError("the module does not verify");
  return llvm::Error::success();
}

llvm::Error Module::runPipeline(StringRef spec) {
  return runPipelineOn(*impl, spec);
}

std::string Module::str(bool generic) const {
  // The printer verifies first and falls back to the generic form for
  // invalid IR; drop the diagnostics of that check.
  ScopedDiagnosticHandler silence(impl->context.get(),
                                  [](Diagnostic &) { return success(); });
  std::string text;
  llvm::raw_string_ostream os(text);
  OpPrintingFlags flags;
  if (generic)
    flags.printGenericOpForm();
  impl->module->print(os, flags);
  os.flush();
  return text;
}

std::vector<GPUObject> Module::getGPUObjects() const {
  return collectGPUObjects(*impl->module);
}

//===----------------------------------------------------------------------===//
// NVVM
//===----------------------------------------------------------------------===//

static constexpr StringLiteral kNVVMPipeline = "attnres-to-nvvm";

llvm::Expected<NVVMCompilation> api::compileForNVVM(StringRef irText,
                                                    StringRef entry,
                                                    StringRef pipelineOptions) {
  initialize();
  if (!isPipelineRegistered(kNVVMPipeline))
    return makeError(ErrorKind::Diagnostic,
                     "target 'nvvm' needs the '" + kNVVMPipeline +
                         "' pass pipeline, which is not registered in this "
                         "build of attnres (registered attnres pipelines: "
                         "attnres-to-llvm)");
  auto impl = parseModule(irText, "<input>", /*verify=*/true);
  if (!impl)
    return impl.takeError();
  auto func = lookupEntry(*(*impl)->module, entry);
  if (!func)
    return func.takeError();
  (*func)->setAttr("llvm.emit_c_interface",
                   UnitAttr::get((*impl)->context.get()));
  std::string spec = kNVVMPipeline.str();
  if (!pipelineOptions.trim().empty())
    spec += "{" + pipelineOptions.trim().str() + "}";
  if (llvm::Error err = runPipelineOn(**impl, spec))
    return std::move(err);

  NVVMCompilation result;
  result.objects = collectGPUObjects(*(*impl)->module);
  if (result.objects.empty())
    return makeError(ErrorKind::Diagnostic,
                     "'" + spec + "' produced no gpu.binary object");
  llvm::raw_string_ostream os(result.hostIR);
  (*impl)->module->print(os);
  os.flush();
  return result;
}
