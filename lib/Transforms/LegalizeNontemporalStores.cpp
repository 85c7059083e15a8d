//===- LegalizeNontemporalStores.cpp - i16 non-temporal stores ------------===//
//
// LLVM's x86 instruction selection has non-temporal store patterns for
// integer and f32/f64 vectors but not for bf16/f16 vectors: the hint is
// silently dropped. Storing the same bits as an i16 vector keeps it.
//
//===----------------------------------------------------------------------===//

#include "attnres/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace attnres {
#define GEN_PASS_DEF_ATTNRESLEGALIZENONTEMPORALSTORESPASS
#include "attnres/Transforms/Passes.h.inc"
} // namespace attnres
} // namespace mlir

using namespace mlir;
using namespace mlir::attnres;

namespace {

struct NontemporalHalfStoreAsInt : OpRewritePattern<LLVM::StoreOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LLVM::StoreOp store,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<VectorType>(store.getValue().getType());
    if (!store.getNontemporal() || !type || type.isScalable() ||
        !isa<BFloat16Type, Float16Type>(type.getElementType()))
      return failure();
    auto intType = VectorType::get(type.getShape(), rewriter.getI16Type());
    Value bits = LLVM::BitcastOp::create(rewriter, store.getLoc(), intType,
                                         store.getValue());
    rewriter.modifyOpInPlace(store,
                             [&] { store.getValueMutable().assign(bits); });
    return success();
  }
};

struct AttnResLegalizeNontemporalStoresPass
    : attnres::impl::AttnResLegalizeNontemporalStoresPassBase<
          AttnResLegalizeNontemporalStoresPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateAttnResLegalizeNontemporalStorePatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void mlir::attnres::populateAttnResLegalizeNontemporalStorePatterns(
    RewritePatternSet &patterns) {
  patterns.add<NontemporalHalfStoreAsInt>(patterns.getContext());
}
