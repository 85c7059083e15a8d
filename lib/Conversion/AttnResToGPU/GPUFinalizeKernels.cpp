//===- GPUFinalizeKernels.cpp - device-reachable buffers ------------------===//

#include "attnres/Conversion/AttnResToGPU/AttnResToGPU.h"
#include "attnres/Dialect/AttnRes/Utils/Functions.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

namespace mlir {
namespace attnres {
#define GEN_PASS_DEF_ATTNRESGPUFINALIZEKERNELSPASS
#include "attnres/Conversion/Passes.h.inc"
} // namespace attnres
} // namespace mlir

using namespace mlir;

namespace {

/// The buffer a view (cast, reshape, subview, metadata) is taken of.
Value rootBuffer(Value value) {
  while (true) {
    Operation *def = value.getDefiningOp();
    if (auto view = dyn_cast_or_null<ViewLikeOpInterface>(def)) {
      value = view.getViewSource();
      continue;
    }
    if (auto meta = dyn_cast_or_null<memref::ExtractStridedMetadataOp>(def)) {
      value = meta.getSource();
      continue;
    }
    return value;
  }
}

/// The buffers (roots of views) of the memrefs a launch captures.
llvm::SetVector<Value> capturedRoots(gpu::LaunchOp launch) {
  llvm::SetVector<Value> captured, roots;
  getUsedValuesDefinedAbove(launch.getBody(), captured);
  for (Value v : captured)
    if (isa<MemRefType>(v.getType()))
      roots.insert(rootBuffer(v));
  return roots;
}

/// `memref<*xT>` of a ranked buffer (what gpu.host_register takes).
Value unranked(OpBuilder &b, Location loc, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  return memref::CastOp::create(
      b, loc,
      UnrankedMemRefType::get(type.getElementType(), type.getMemorySpace()),
      buffer);
}

/// gpu.alloc of `type`: managed memory (`host_shared`, the synchronous
/// form), or device memory in the asynchronous form, the only one
/// gpu-to-llvm lowers for device allocations: wait, alloc, wait.
Value createAlloc(OpBuilder &b, Location loc, MemRefType type,
                  ValueRange dynamicSizes, ValueRange symbols, bool managed) {
  if (managed)
    return gpu::AllocOp::create(b, loc, type, /*asyncToken=*/Type(),
                                /*asyncDependencies=*/ValueRange{},
                                dynamicSizes, symbols, /*hostShared=*/true)
        .getMemref();
  auto tokenType = gpu::AsyncTokenType::get(b.getContext());
  Value ready =
      gpu::WaitOp::create(b, loc, tokenType, ValueRange{}).getAsyncToken();
  auto alloc = gpu::AllocOp::create(b, loc, type, tokenType, ValueRange{ready},
                                    dynamicSizes, symbols,
                                    /*hostShared=*/false);
  gpu::WaitOp::create(b, loc, Type(), ValueRange{alloc.getAsyncToken()});
  return alloc.getMemref();
}

/// gpu.dealloc in the form gpu-to-llvm lowers (async): wait, free, wait.
void emitDealloc(OpBuilder &b, Location loc, Value buffer) {
  auto tokenType = gpu::AsyncTokenType::get(b.getContext());
  Value ready =
      gpu::WaitOp::create(b, loc, tokenType, ValueRange{}).getAsyncToken();
  Value done =
      gpu::DeallocOp::create(b, loc, tokenType, ValueRange{ready}, buffer)
          .getAsyncToken();
  gpu::WaitOp::create(b, loc, Type(), ValueRange{done});
}

/// The return-like terminators of the function body itself.
SmallVector<Operation *> functionReturns(FunctionOpInterface func) {
  SmallVector<Operation *> returns;
  for (Block &block : func.getFunctionBody())
    if (!block.empty() && block.back().hasTrait<OpTrait::ReturnLike>())
      returns.push_back(&block.back());
  return returns;
}

/// Whether `value` or a view of it reaches a return-like terminator.
bool escapesThroughReturn(Value value) {
  SmallVector<Value> work = {value};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (user->hasTrait<OpTrait::ReturnLike>())
        return true;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user))
        if (view.getViewSource() == v)
          llvm::append_range(work, user->getResults());
    }
  }
  return false;
}

/// Replaces every `memref.get_global` of a constant global whose buffer a
/// kernel captures or a call receives by one copy in managed (`managed`) or
/// device memory, made at the function's entry and freed at its returns.
LogicalResult copyConstants(IRRewriter &rewriter, FunctionOpInterface func,
                            bool managed, ArrayRef<Operation *> returns) {
  llvm::SetVector<Value> roots;
  func->walk([&](Operation *op) {
    if (op->getParentOfType<gpu::LaunchOp>())
      return;
    if (auto launch = dyn_cast<gpu::LaunchOp>(op)) {
      roots.insert_range(capturedRoots(launch));
      return;
    }
    if (isa<CallOpInterface>(op))
      for (Value operand : op->getOperands())
        if (isa<MemRefType>(operand.getType()))
          roots.insert(rootBuffer(operand));
  });
  // By global: one copy however often the function takes the global.
  llvm::MapVector<StringAttr, SmallVector<memref::GetGlobalOp>> byGlobal;
  for (Value root : roots) {
    auto get = root.getDefiningOp<memref::GetGlobalOp>();
    if (!get)
      continue;
    auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
        get, get.getNameAttr());
    if (!global || !global.getConstant())
      continue;
    byGlobal[get.getNameAttr().getAttr()].push_back(get);
  }
  if (byGlobal.empty())
    return success();
  // Every other get_global of those constants (host reads) uses the copy too.
  func->walk([&](memref::GetGlobalOp get) {
    auto it = byGlobal.find(get.getNameAttr().getAttr());
    if (it != byGlobal.end() && !get->getParentOfType<gpu::LaunchOp>() &&
        !llvm::is_contained(it->second, get))
      it->second.push_back(get);
  });
  Block &entry = func.getFunctionBody().front();
  auto tokenType = gpu::AsyncTokenType::get(rewriter.getContext());
  for (auto &[name, gets] : byGlobal) {
    memref::GetGlobalOp first = gets.front();
    auto type = cast<MemRefType>(first.getType());
    if (!type.hasStaticShape() || !type.getLayout().isIdentity())
      continue;
    Location loc = first.getLoc();
    rewriter.setInsertionPointToStart(&entry);
    Value source =
        memref::GetGlobalOp::create(rewriter, loc, type, first.getNameAttr());
    Value copy =
        createAlloc(rewriter, loc, type, ValueRange{}, ValueRange{}, managed);
    if (managed) {
      memref::CopyOp::create(rewriter, loc, source, copy);
    } else {
      Value ready = gpu::WaitOp::create(rewriter, loc, tokenType, ValueRange{})
                        .getAsyncToken();
      Value done = gpu::MemcpyOp::create(rewriter, loc, tokenType,
                                         ValueRange{ready}, copy, source)
                       .getAsyncToken();
      gpu::WaitOp::create(rewriter, loc, Type(), ValueRange{done});
    }
    bool escapes = false;
    for (memref::GetGlobalOp get : gets) {
      escapes |= escapesThroughReturn(get.getResult());
      rewriter.replaceAllUsesWith(get.getResult(), copy);
      rewriter.eraseOp(get);
    }
    // A constant the function returns lives on (its caller owns it).
    if (escapes)
      continue;
    for (Operation *ret : returns) {
      rewriter.setInsertionPoint(ret);
      emitDealloc(rewriter, ret->getLoc(), copy);
    }
  }
  return success();
}

/// The ops of type `OpTy` in `func` outside the kernels (`gpu.launch`), in
/// walk order (listed first: the caller may rewrite them).
template <typename OpTy> SmallVector<OpTy> hostOps(FunctionOpInterface func) {
  SmallVector<OpTy> ops;
  func->walk([&](OpTy op) {
    if (!op->template getParentOfType<gpu::LaunchOp>())
      ops.push_back(op);
  });
  return ops;
}

struct AttnResGPUFinalizeKernelsPass
    : attnres::impl::AttnResGPUFinalizeKernelsPassBase<
          AttnResGPUFinalizeKernelsPass> {
  using Base::Base;
  bool canScheduleOn(RegisteredOperationName name) const override {
    return attnres::canScheduleOnFunctionsOrModules(name);
  }

  void runOnOperation() override {
    attnres::forEachFunction(
        getOperation(), [&](FunctionOpInterface func) { runOnFunction(func); });
  }

  void runOnFunction(FunctionOpInterface func) {
    if (func.isExternal())
      return;
    IRRewriter rewriter(&getContext());
    if (memory == attnres::GPUMemoryMode::None)
      return;
    bool managed = memory == attnres::GPUMemoryMode::Managed;
    // Every host allocation becomes managed memory, and every deallocation
    // a gpu.dealloc: buffers cross function boundaries (a callee's result is
    // freed by its caller), so the choice is made for the whole program.
    for (auto alloc : hostOps<memref::AllocOp>(func)) {
      rewriter.setInsertionPoint(alloc);
      Value buffer = createAlloc(rewriter, alloc.getLoc(), alloc.getType(),
                                 alloc.getDynamicSizes(),
                                 alloc.getSymbolOperands(), managed);
      rewriter.replaceAllUsesWith(alloc.getResult(), buffer);
      rewriter.eraseOp(alloc);
    }
    for (auto dealloc : hostOps<memref::DeallocOp>(func)) {
      rewriter.setInsertionPoint(dealloc);
      emitDealloc(rewriter, dealloc.getLoc(), dealloc.getMemref());
      rewriter.eraseOp(dealloc);
    }
    SmallVector<Operation *> returns = functionReturns(func);
    // Constants that kernels (or callees, which may launch kernels on their
    // arguments) read are copied into device-reachable memory once per call:
    // the JIT and the linker put them in read-only pages, which not every
    // host can register with the driver.
    if (failed(copyConstants(rewriter, func, managed, returns)))
      return signalPassFailure();
    if (!managed) {
      // Device memory: host code may not touch it; copies go to the device.
      SmallVector<memref::CopyOp> copies;
      func->walk([&](memref::CopyOp c) {
        if (!c->getParentOfType<gpu::LaunchOp>())
          copies.push_back(c);
      });
      auto tokenType = gpu::AsyncTokenType::get(&getContext());
      for (memref::CopyOp copy : copies) {
        rewriter.setInsertionPoint(copy);
        Location loc = copy.getLoc();
        Value ready =
            gpu::WaitOp::create(rewriter, loc, tokenType, ValueRange{})
                .getAsyncToken();
        Value done =
            gpu::MemcpyOp::create(rewriter, loc, tokenType, ValueRange{ready},
                                  copy.getTarget(), copy.getSource())
                .getAsyncToken();
        gpu::WaitOp::create(rewriter, loc, Type(), ValueRange{done});
        rewriter.eraseOp(copy);
      }
    }
    // Any other host buffer a kernel captures is registered for as long as
    // the kernel needs it: the function's arguments (managed mode; device
    // mode takes device pointers) from entry to return, other buffers (e.g.
    // a mutable global) around the launch (launches are synchronous). The
    // runtime leaves memory the driver already maps (managed, device,
    // registered) alone and counts nested registrations.
    Block &entry = func.getFunctionBody().front();
    llvm::SetVector<Value> entryArgs;
    SmallVector<gpu::LaunchOp> launches;
    func->walk([&](gpu::LaunchOp launch) { launches.push_back(launch); });
    for (gpu::LaunchOp launch : launches) {
      SmallVector<Value> around;
      for (Value root : capturedRoots(launch)) {
        if (isa_and_nonnull<gpu::AllocOp>(root.getDefiningOp()))
          continue;
        auto type = dyn_cast<MemRefType>(root.getType());
        if (!type || !type.getLayout().isIdentity())
          continue;
        auto arg = dyn_cast<BlockArgument>(root);
        if (arg && arg.getOwner() == &entry) {
          if (managed)
            entryArgs.insert(root);
        } else
          around.push_back(root);
      }
      for (Value root : around) {
        rewriter.setInsertionPoint(launch);
        gpu::HostRegisterOp::create(rewriter, launch.getLoc(),
                                    unranked(rewriter, launch.getLoc(), root));
        rewriter.setInsertionPointAfter(launch);
        gpu::HostUnregisterOp::create(
            rewriter, launch.getLoc(),
            unranked(rewriter, launch.getLoc(), root));
      }
    }
    for (Value arg : entryArgs) {
      rewriter.setInsertionPointToStart(&entry);
      gpu::HostRegisterOp::create(rewriter, arg.getLoc(),
                                  unranked(rewriter, arg.getLoc(), arg));
      for (Operation *ret : returns) {
        rewriter.setInsertionPoint(ret);
        gpu::HostUnregisterOp::create(rewriter, ret->getLoc(),
                                      unranked(rewriter, ret->getLoc(), arg));
      }
    }
  }
};

} // namespace
