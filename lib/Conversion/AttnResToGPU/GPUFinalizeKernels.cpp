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
    if (!hostShared)
      return;
    llvm::SmallPtrSet<Operation *, 8> managed;
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
        Operation *def = root.getDefiningOp();
        if (isa_and_nonnull<gpu::AllocOp>(def))
          continue;
        if (auto alloc = dyn_cast_or_null<memref::AllocOp>(def)) {
          if (!managed.insert(alloc).second)
            continue;
          rewriter.setInsertionPoint(alloc);
          auto shared = gpu::AllocOp::create(
              rewriter, alloc.getLoc(), alloc.getType(), /*asyncToken=*/Type(),
              /*asyncDependencies=*/ValueRange{}, alloc.getDynamicSizes(),
              alloc.getSymbolOperands(), /*hostShared=*/true);
          rewriter.replaceAllUsesWith(alloc.getResult(), shared.getMemref());
          rewriter.eraseOp(alloc);
          managed.insert(shared);
          continue;
        }
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
    // Managed buffers are freed with gpu.dealloc.
    SmallVector<memref::DeallocOp> deallocs;
    func->walk([&](memref::DeallocOp d) { deallocs.push_back(d); });
    for (memref::DeallocOp dealloc : deallocs) {
      Operation *def = rootBuffer(dealloc.getMemref()).getDefiningOp();
      if (!def || !managed.contains(def))
        continue;
      rewriter.setInsertionPoint(dealloc);
      gpu::DeallocOp::create(rewriter, dealloc.getLoc(), /*asyncToken=*/Type(),
                             ValueRange{}, dealloc.getMemref());
      rewriter.eraseOp(dealloc);
    }
  }
};

} // namespace
