//===- AttnResPrepareExport.cpp - portable linalg for other compilers -----===//
//
// attnres-prepare-export: the module attnres-export-linalg hands to a
// compiler that cannot load attnres (IREE: docs/pipelines.md, "Handing off to
// IREE") keeps only what such a compiler's entry-point ABI accepts.
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/Transforms/Passes.h"
#include "attnres/Dialect/AttnRes/Transforms/Transforms.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

namespace mlir {
namespace attnres {
#define GEN_PASS_DEF_ATTNRESPREPAREEXPORTPASS
#include "attnres/Dialect/AttnRes/Transforms/Passes.h.inc"
} // namespace attnres
} // namespace mlir

using namespace mlir;

/// Types an exported entry point may take and return.
static bool isPortableEntryType(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return !tensor.getEncoding();
  return isa<IntegerType, IndexType, FloatType>(type);
}

static bool hasUnrankedType(FunctionOpInterface fn) {
  auto unranked = [](Type type) {
    return isa<UnrankedTensorType, UnrankedMemRefType>(type);
  };
  return llvm::any_of(fn.getArgumentTypes(), unranked) ||
         llvm::any_of(fn.getResultTypes(), unranked);
}

LogicalResult mlir::attnres::prepareAttnResExport(ModuleOp module) {
  bool ok = true;
  SmallVector<Operation *> unusedDeclarations;
  for (auto fn : module.getOps<FunctionOpInterface>()) {
    fn->removeAttr("llvm.emit_c_interface");
    if (fn.isExternal()) {
      if (!hasUnrankedType(fn))
        continue;
      if (SymbolTable::symbolKnownUseEmpty(fn, module)) {
        unusedDeclarations.push_back(fn);
        continue;
      }
      fn.emitError() << "attnres-prepare-export: '" << fn.getName()
                     << "' has unranked types and is called; other "
                        "compilers' entry-point ABIs (IREE) reject unranked "
                        "tensors";
      ok = false;
      continue;
    }
    if (!fn.isPublic())
      continue;
    for (Type type :
         llvm::concat<const Type>(fn.getArgumentTypes(), fn.getResultTypes())) {
      if (isPortableEntryType(type))
        continue;
      fn.emitError() << "attnres-prepare-export: public function '"
                     << fn.getName() << "' takes or returns " << type
                     << "; exported entry points take and return ranked "
                        "tensors and scalars (make it private, or lower "
                        "from tensors)";
      ok = false;
      break;
    }
  }
  for (Operation *op : unusedDeclarations)
    op->erase();
  return success(ok);
}

namespace {
struct AttnResPrepareExportPass
    : attnres::impl::AttnResPrepareExportPassBase<AttnResPrepareExportPass> {
  void runOnOperation() override {
    if (failed(attnres::prepareAttnResExport(getOperation())))
      signalPassFailure();
  }
};
} // namespace
