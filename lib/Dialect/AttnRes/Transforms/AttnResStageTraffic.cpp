//===- AttnResStageTraffic.cpp - report pipeline-stage block traffic ------===//
//
// Attaches `StageTrafficAnalysis`'s traffic for the given P and V to each
// function as `attnres.stage_traffic` and prints the per-hop table as a
// remark.
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/Analysis/StageTraffic.h"
#include "attnres/Dialect/AttnRes/Transforms/Passes.h"
#include "attnres/Dialect/AttnRes/Utils/Functions.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace mlir {
namespace attnres {
#define GEN_PASS_DEF_ATTNRESSTAGETRAFFICPASS
#include "attnres/Dialect/AttnRes/Transforms/Passes.h.inc"
} // namespace attnres
} // namespace mlir

using namespace mlir;
using namespace mlir::attnres;

namespace {

struct AttnResStageTrafficPass
    : attnres::impl::AttnResStageTrafficPassBase<AttnResStageTrafficPass> {
  using Base::Base;

  bool canScheduleOn(RegisteredOperationName name) const override {
    return attnres::canScheduleOnFunctionsOrModules(name);
  }

  void runOnOperation() override {
    attnres::forEachFunction(
        getOperation(), [&](FunctionOpInterface func) { runOnFunction(func); });
    // Only discardable attributes changed.
    markAllAnalysesPreserved();
  }

  void runOnFunction(FunctionOpInterface func) {
    if (func.isExternal())
      return;
    // The function's own analysis (cached when the function is the anchor).
    std::optional<StageTrafficAnalysis> local;
    const StageTrafficAnalysis *found = nullptr;
    if (func.getOperation() == getOperation()) {
      found = &getAnalysis<StageTrafficAnalysis>();
    } else {
      local.emplace(func.getOperation());
      found = &*local;
    }
    const StageTrafficAnalysis &analysis = *found;
    if (failed(analysis.emitError()))
      return signalPassFailure();
    // A function without annotations is one chunk: nothing to report.
    if (!analysis.hasAnnotations())
      return;
    StageTrafficOptions options;
    options.stages = stages;
    options.virtualStages = virtualStages;
    options.reuseOwnBlocks = reuseOwnBlocks;
    FailureOr<StageTraffic> traffic = analysis.getTraffic(options);
    if (failed(traffic))
      return signalPassFailure();

    for (const TravellingValue &tv : analysis.getTravellingValues()) {
      if (tv.rowBytes >= 0)
        continue;
      InFlightDiagnostic diag = mlir::emitWarning(func.getLoc())
                                << "cannot size a value of type "
                                << tv.value.getType() << " that crosses chunk "
                                << tv.defChunk
                                << " (needs a ranked tensor of int/float with "
                                   "a static last dimension): bytes omitted";
      diag.attachNote(tv.value.getLoc()) << "value defined here";
      break;
    }

    func->setAttr(kStageTrafficAttrName, traffic->toAttr(&getContext()));
    std::string table;
    llvm::raw_string_ostream os(table);
    os << "stage traffic of @" << func.getName() << ": ";
    traffic->print(os);
    // At the function's location, without the op dump MlirOptMain attaches
    // to diagnostics emitted on an op.
    mlir::emitRemark(func.getLoc()) << table;
  }
};

} // namespace
