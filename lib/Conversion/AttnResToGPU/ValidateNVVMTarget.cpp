//===- ValidateNVVMTarget.cpp - reject targets LLVM would abort on --------===//

#include "attnres/Conversion/AttnResToGPU/AttnResToGPU.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"

namespace mlir {
namespace attnres {
#define GEN_PASS_DEF_ATTNRESVALIDATENVVMTARGETPASS
#include "attnres/Conversion/Passes.h.inc"
} // namespace attnres
} // namespace mlir

using namespace mlir;

namespace {
/// Minimum PTX ISA version (x10) per chip, from the PTX ISA release notes.
std::optional<int> minimumPTX(StringRef chip) {
  return llvm::StringSwitch<std::optional<int>>(chip)
      .Case("sm_75", 63)
      .Case("sm_80", 70)
      .Case("sm_86", 71)
      .Case("sm_87", 74)
      .Case("sm_89", 78)
      .Case("sm_90", 78)
      .Case("sm_90a", 80)
      .Case("sm_100", 86)
      .Case("sm_100a", 86)
      .Case("sm_101", 86)
      .Case("sm_120", 87)
      .Case("sm_120a", 87)
      .Default(std::nullopt);
}

bool haveTool(StringRef cudaPath, StringRef name) {
  SmallString<128> path(cudaPath);
  llvm::sys::path::append(path, "bin", name);
  if (llvm::sys::fs::can_execute(path))
    return true;
  return static_cast<bool>(llvm::sys::findProgramByName(name));
}
} // namespace

StringRef mlir::attnres::stringifyNVVMBinaryFormat(NVVMBinaryFormat format) {
  switch (format) {
  case NVVMBinaryFormat::Isa:
    return "isa";
  case NVVMBinaryFormat::Bin:
    return "bin";
  case NVVMBinaryFormat::Fatbin:
    return "fatbin";
  }
  return "isa";
}

std::string mlir::attnres::checkNVVMTarget(StringRef chip, StringRef features,
                                           NVVMBinaryFormat binaryFormat,
                                           StringRef cudaPath) {
  StringRef format = stringifyNVVMBinaryFormat(binaryFormat);
  std::optional<int> minPtx = minimumPTX(chip);
  if (!minPtx)
    return ("unknown or unsupported chip '" + chip +
            "' (expected one of sm_75, sm_80, sm_86, sm_87, sm_89, sm_90, "
            "sm_90a, sm_100, sm_100a, sm_101, sm_120, sm_120a)")
        .str();
  int ptx = 0;
  for (StringRef feature : llvm::split(features, ',')) {
    feature = feature.trim();
    if (feature.consume_front("+ptx")) {
      if (feature.getAsInteger(10, ptx))
        return ("malformed PTX feature '+ptx" + feature + "'").str();
    }
  }
  if (ptx == 0)
    return ("features '" + features + "' name no PTX version (e.g. +ptx80)")
        .str();
  if (ptx < *minPtx)
    return ("chip " + chip + " needs PTX " + std::to_string(*minPtx / 10) +
            "." + std::to_string(*minPtx % 10) + " or newer (features +ptx" +
            std::to_string(*minPtx) + "), got '" + features + "'")
        .str();
  SmallString<128> libdevice(cudaPath);
  llvm::sys::path::append(libdevice, "nvvm", "libdevice", "libdevice.10.bc");
  if (!llvm::sys::fs::exists(libdevice))
    return ("no libdevice at '" + libdevice +
            "' (set cuda-path=<CUDA toolkit root>)")
        .str();
  if (binaryFormat != NVVMBinaryFormat::Isa && !haveTool(cudaPath, "ptxas"))
    return ("format '" + format + "' needs the CUDA toolkit's ptxas (not in " +
            cudaPath + "/bin or on PATH); use format=isa for PTX only")
        .str();
  if (binaryFormat == NVVMBinaryFormat::Fatbin &&
      !haveTool(cudaPath, "fatbinary"))
    return "format 'fatbin' needs the CUDA toolkit's fatbinary";
  return "";
}

namespace {
struct AttnResValidateNVVMTargetPass
    : attnres::impl::AttnResValidateNVVMTargetPassBase<
          AttnResValidateNVVMTargetPass> {
  using Base::Base;
  void runOnOperation() override {
    std::string error =
        attnres::checkNVVMTarget(chip, features, format, cudaPath);
    if (!error.empty()) {
      getOperation().emitError() << "attnres-to-nvvm: " << error;
      signalPassFailure();
    }
  }
};
} // namespace

std::string mlir::attnres::defaultCudaPathFromEnvironment() {
  for (const char *var : {"CUDA_HOME", "CUDA_ROOT", "CUDA_PATH"})
    if (std::optional<std::string> value = llvm::sys::Process::GetEnv(var))
      if (!value->empty())
        return *value;
  return "/usr/local/cuda";
}
