//===- Functions.h - run per-function work from op-agnostic passes -*- C++
//-*-===//
//
// The attnres passes are op-agnostic (like upstream's
// convert-elementwise-to-linalg), so `attnres-opt --attnres-fuse`, a stock
// `mlir-opt` with the plugin, or a host pipeline can schedule them on a
// module or nest them on functions. Their work is per function: on a
// function anchor, that function; on a `builtin.module` anchor, each function
// directly in it, as `any(...)` nesting would visit them; on any other anchor
// (e.g. a `gpu.module` reached through `any(...)` nesting), nothing.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_UTILS_FUNCTIONS_H
#define ATTNRES_DIALECT_ATTNRES_UTILS_FUNCTIONS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Operation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace mlir {
namespace attnres {

/// Calls `fn` on `anchor` if it is a function, on every function op directly
/// in it if it is a `builtin.module` (not on functions nested deeper, e.g. in
/// a `gpu.module`), else on nothing. The list is taken first, so `fn` may add
/// or erase ops.
inline void forEachFunction(Operation *anchor,
                            llvm::function_ref<void(FunctionOpInterface)> fn) {
  if (auto func = dyn_cast<FunctionOpInterface>(anchor))
    return fn(func);
  if (!isa<ModuleOp>(anchor))
    return;
  SmallVector<FunctionOpInterface> functions;
  for (Region &region : anchor->getRegions())
    for (Block &block : region)
      for (Operation &op : block)
        if (auto func = dyn_cast<FunctionOpInterface>(op))
          functions.push_back(func);
  for (FunctionOpInterface func : functions)
    fn(func);
}

/// `canScheduleOn` of the op-agnostic attnres passes: functions and
/// `builtin.module`s, so that in an `any(...)` nested pipeline they (and the
/// pipeline with them) skip other ops such as `gpu.module`, as passes
/// anchored on FunctionOpInterface do.
inline bool canScheduleOnFunctionsOrModules(RegisteredOperationName name) {
  return name.hasInterface<FunctionOpInterface>() ||
         name.getStringRef() == ModuleOp::getOperationName();
}

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_DIALECT_ATTNRES_UTILS_FUNCTIONS_H
