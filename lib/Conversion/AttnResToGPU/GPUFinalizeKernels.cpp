//===- GPUFinalizeKernels.cpp - barriers and device-reachable buffers -----===//

#include "attnres/Conversion/AttnResToGPU/AttnResToGPU.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"
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

struct AttnResGPUFinalizeKernelsPass
    : attnres::impl::AttnResGPUFinalizeKernelsPassBase<
          AttnResGPUFinalizeKernelsPass> {
  using Base::Base;
  void runOnOperation() override {
    FunctionOpInterface func = getOperation();
    if (func.isExternal())
      return;
    IRRewriter rewriter(&getContext());
    // Barriers carried as inline asm through bufferization.
    SmallVector<LLVM::InlineAsmOp> barriers;
    func->walk([&](LLVM::InlineAsmOp asmOp) {
      if (asmOp.getAsmString() == attnres::kCTABarrierAsm &&
          asmOp->getParentOfType<gpu::LaunchOp>())
        barriers.push_back(asmOp);
    });
    for (LLVM::InlineAsmOp asmOp : barriers) {
      rewriter.setInsertionPoint(asmOp);
      gpu::BarrierOp::create(rewriter, asmOp.getLoc());
      rewriter.eraseOp(asmOp);
    }
    if (memory != "managed" && memory != "device" && memory != "none") {
      func.emitError() << "attnres-gpu-finalize-kernels: unknown memory mode '"
                       << memory << "' (expected managed, device or none)";
      return signalPassFailure();
    }
    if (memory == "none")
      return;
    bool managed = memory == "managed";
    // Every host allocation becomes managed memory, and every deallocation
    // a gpu.dealloc: buffers cross function boundaries (a callee's result is
    // freed by its caller), so the choice is made for the whole program.
    SmallVector<memref::AllocOp> allocs;
    func->walk([&](memref::AllocOp alloc) {
      if (!alloc->getParentOfType<gpu::LaunchOp>())
        allocs.push_back(alloc);
    });
    for (memref::AllocOp alloc : allocs) {
      rewriter.setInsertionPoint(alloc);
      auto shared = gpu::AllocOp::create(
          rewriter, alloc.getLoc(), alloc.getType(), /*asyncToken=*/Type(),
          /*asyncDependencies=*/ValueRange{}, alloc.getDynamicSizes(),
          alloc.getSymbolOperands(), /*hostShared=*/managed);
      rewriter.replaceAllUsesWith(alloc.getResult(), shared.getMemref());
      rewriter.eraseOp(alloc);
    }
    SmallVector<memref::DeallocOp> deallocs;
    func->walk([&](memref::DeallocOp d) {
      if (!d->getParentOfType<gpu::LaunchOp>())
        deallocs.push_back(d);
    });
    // gpu-to-llvm lowers only the async form: wait, free, wait.
    auto tokenType = gpu::AsyncTokenType::get(&getContext());
    for (memref::DeallocOp dealloc : deallocs) {
      rewriter.setInsertionPoint(dealloc);
      Location loc = dealloc.getLoc();
      Value ready = gpu::WaitOp::create(rewriter, loc, tokenType, ValueRange{})
                        .getAsyncToken();
      Value done = gpu::DeallocOp::create(rewriter, loc, tokenType,
                                          ValueRange{ready},
                                          dealloc.getMemref())
                       .getAsyncToken();
      gpu::WaitOp::create(rewriter, loc, Type(), ValueRange{done});
      rewriter.eraseOp(dealloc);
    }
    if (!managed) {
      // Device memory: host code may not touch it; copies go to the device.
      SmallVector<memref::CopyOp> copies;
      func->walk([&](memref::CopyOp c) {
        if (!c->getParentOfType<gpu::LaunchOp>())
          copies.push_back(c);
      });
      for (memref::CopyOp copy : copies) {
        rewriter.setInsertionPoint(copy);
        Location loc = copy.getLoc();
        Value ready =
            gpu::WaitOp::create(rewriter, loc, tokenType, ValueRange{})
                .getAsyncToken();
        Value done = gpu::MemcpyOp::create(rewriter, loc, tokenType,
                                           ValueRange{ready}, copy.getTarget(),
                                           copy.getSource())
                         .getAsyncToken();
        gpu::WaitOp::create(rewriter, loc, Type(), ValueRange{done});
        rewriter.eraseOp(copy);
      }
      return;
    }
    // Anything else a kernel captures (arguments, constants) is registered.
    SmallVector<gpu::LaunchOp> launches;
    func->walk([&](gpu::LaunchOp launch) { launches.push_back(launch); });
    for (gpu::LaunchOp launch : launches) {
      llvm::SetVector<Value> captured;
      getUsedValuesDefinedAbove(launch.getBody(), captured);
      llvm::SetVector<Value> roots;
      for (Value v : captured)
        if (isa<MemRefType>(v.getType()))
          roots.insert(rootBuffer(v));
      for (Value root : roots) {
        if (isa_and_nonnull<gpu::AllocOp>(root.getDefiningOp()))
          continue;
        auto type = dyn_cast<MemRefType>(root.getType());
        if (!type || !type.getLayout().isIdentity())
          continue;
        rewriter.setInsertionPoint(launch);
        Value unranked = memref::CastOp::create(
            rewriter, launch.getLoc(),
            UnrankedMemRefType::get(type.getElementType(),
                                    type.getMemorySpace()),
            root);
        gpu::HostRegisterOp::create(rewriter, launch.getLoc(), unranked);
      }
    }
  }
};

} // namespace
