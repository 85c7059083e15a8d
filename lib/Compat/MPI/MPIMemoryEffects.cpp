//===- MPIMemoryEffects.cpp - memory effects of the upstream mpi ops ------===//
//
// MLIR 22.1's `mpi.send`/`mpi.recv` declare no memory effects (fixed upstream
// by llvm/llvm-project#186158, after 22.1; delete this file then), so
// upstream's ownership-based buffer deallocation (part of `attnres-to-llvm`)
// rejects them ("ops with unknown memory side effects are not supported").
// These external models state what the blocking calls do: `send` reads its
// buffer, `recv` writes it, and every call (also `init`/`finalize`) reads and
// writes an MPI resource, which keeps the calls alive and in order.
//
//===----------------------------------------------------------------------===//

#include "attnres/Compat/MPI/MPI.h"
#include "mlir/Dialect/MPI/IR/MPI.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace {

/// The state of the MPI library (messages in flight, initialization).
struct MPIResource : public SideEffects::Resource::Base<MPIResource> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(MPIResource)
  StringRef getName() final { return "attnres.mpi"; }
};

void addLibraryEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  effects.emplace_back(MemoryEffects::Read::get(), MPIResource::get());
  effects.emplace_back(MemoryEffects::Write::get(), MPIResource::get());
}

/// `init`, `finalize`: library state only.
template <typename OpTy>
struct LibraryEffects
    : public MemoryEffectOpInterface::ExternalModel<LibraryEffects<OpTy>,
                                                    OpTy> {
  void
  getEffects(Operation *op,
             SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
                 &effects) const {
    addLibraryEffects(effects);
  }
};

/// `send` reads its buffer, `recv` writes it.
template <typename OpTy, bool Writes>
struct BufferEffects
    : public MemoryEffectOpInterface::ExternalModel<BufferEffects<OpTy, Writes>,
                                                    OpTy> {
  void
  getEffects(Operation *op,
             SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
                 &effects) const {
    OpOperand &ref = cast<OpTy>(op).getRefMutable();
    if (Writes)
      effects.emplace_back(MemoryEffects::Write::get(), &ref,
                           SideEffects::DefaultResource::get());
    else
      effects.emplace_back(MemoryEffects::Read::get(), &ref,
                           SideEffects::DefaultResource::get());
    addLibraryEffects(effects);
  }
};

} // namespace

void mlir::attnres::registerMPIMemoryEffectModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, mpi::MPIDialect *) {
    mpi::InitOp::attachInterface<LibraryEffects<mpi::InitOp>>(*ctx);
    mpi::FinalizeOp::attachInterface<LibraryEffects<mpi::FinalizeOp>>(*ctx);
    mpi::SendOp::attachInterface<BufferEffects<mpi::SendOp, false>>(*ctx);
    mpi::RecvOp::attachInterface<BufferEffects<mpi::RecvOp, true>>(*ctx);
  });
}
