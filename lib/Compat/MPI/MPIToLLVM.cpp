//===- MPIToLLVM.cpp - mpi dialect to MPI library calls -------------------===//
//
// Upstream's MPI-to-LLVM patterns as a pass that is a no-op without mpi ops,
// with their implicit preconditions checked up front (the patterns count
// only dimension 0 of a buffer and assert on unsupported element types,
// which a release build of LLVM turns into a wrong MPI datatype).
//
//===----------------------------------------------------------------------===//

#include "attnres/Compat/MPI/MPI.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Conversion/MPIToLLVM/MPIToLLVM.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MPI/IR/MPI.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir {
namespace attnres {
#define GEN_PASS_DEF_ATTNRESCONVERTMPITOLLVMPASS
#include "attnres/Compat/Passes.h.inc"
} // namespace attnres
} // namespace mlir

using namespace mlir;
using namespace mlir::attnres;

namespace {

/// A buffer the upstream send/recv/allreduce lowering handles correctly.
LogicalResult checkBuffer(Operation *op, Value buffer) {
  auto type = dyn_cast<MemRefType>(buffer.getType());
  if (!type || type.getRank() != 1 || !type.getLayout().isIdentity())
    return op->emitError()
           << "attnres-convert-mpi-to-llvm: buffer of type " << buffer.getType()
           << " must be a rank-1 memref with an identity layout (the MPI "
              "lowering counts dimension 0 only)";
  Type elem = type.getElementType();
  auto intType = dyn_cast<IntegerType>(elem);
  bool supported =
      elem.isF32() || elem.isF64() ||
      (intType && llvm::is_contained({8u, 16u, 32u, 64u}, intType.getWidth()));
  if (!supported)
    return op->emitError() << "attnres-convert-mpi-to-llvm: element type "
                           << elem
                           << " has no MPI datatype in the MPI lowering "
                              "(f32, f64, 8/16/32/64-bit integers)";
  return success();
}

struct AttnResConvertMPIToLLVMPass
    : attnres::impl::AttnResConvertMPIToLLVMPassBase<
          AttnResConvertMPIToLLVMPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool hasMPI = false;
    module.walk([&](Operation *op) {
      if (isa<mpi::MPIDialect>(op->getDialect())) {
        hasMPI = true;
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (!hasMPI)
      return markAllAnalysesPreserved();
    MLIRContext *ctx = &getContext();
    LowerToLLVMOptions options(ctx);
    if (indexBitwidth)
      options.overrideIndexBitwidth(indexBitwidth);
    LLVMTypeConverter converter(ctx, options);
    if (converter.getIndexTypeBitwidth() != 64) {
      mlir::emitError(module.getLoc())
          << "attnres-convert-mpi-to-llvm: the MPI lowering reads "
             "memref offsets as i64; index-bitwidth "
          << converter.getIndexTypeBitwidth() << " is not supported";
      return signalPassFailure();
    }
    if (failed(checkMPIToLLVMPreconditions(module)))
      return signalPassFailure();
    RewritePatternSet patterns(ctx);
    mpi::populateMPIToLLVMConversionPatterns(converter, patterns);
    ConversionTarget target(*ctx);
    target.addLegalDialect<LLVM::LLVMDialect>();
    target.addIllegalDialect<mpi::MPIDialect>();
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

LogicalResult mlir::attnres::checkMPIToLLVMPreconditions(Operation *root) {
  bool ok = true;
  root->walk([&](Operation *op) {
    if (!isa<mpi::MPIDialect>(op->getDialect()))
      return;
    LogicalResult result =
        llvm::TypeSwitch<Operation *, LogicalResult>(op)
            .Case<mpi::SendOp, mpi::RecvOp>(
                [&](auto typed) { return checkBuffer(op, typed.getRef()); })
            .Case<mpi::AllReduceOp>([&](mpi::AllReduceOp typed) {
              if (failed(checkBuffer(op, typed.getSendbuf())))
                return failure();
              return checkBuffer(op, typed.getRecvbuf());
            })
            .Case<mpi::InitOp, mpi::FinalizeOp, mpi::CommWorldOp,
                  mpi::CommRankOp, mpi::CommSplitOp>(
                [](Operation *) { return success(); })
            .Default([](Operation *other) {
              return other->emitError()
                     << "attnres-convert-mpi-to-llvm: " << other->getName()
                     << " has no lowering to LLVM in MLIR 22.1";
            });
    ok &= succeeded(result);
  });
  return success(ok);
}
