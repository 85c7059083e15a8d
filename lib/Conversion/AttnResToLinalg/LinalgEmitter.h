//===- LinalgEmitter.h - linalg on tensors or buffers -----------*- C++ -*-===//
//
// The builder the decompositions of convert-attnres-to-linalg share
// (AttnResToLinalg.cpp, AttnResGradToLinalg.cpp): the same linalg ops on
// tensors (the value form) or on buffers (the memref form, after
// bufferization), and the conversion pattern that replaces an op by its
// decomposition. Private to the AttnResToLinalg library.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_LIB_CONVERSION_ATTNRESTOLINALG_LINALGEMITTER_H
#define ATTNRES_LIB_CONVERSION_ATTNRESTOLINALG_LINALGEMITTER_H

#include "attnres/Conversion/AttnResToLinalg/AttnResToLinalg.h"
#include "attnres/Dialect/AttnRes/Utils/ScalarMath.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::attnres::detail {

/// Builds on tensors (the value form) or on buffers (the memref form of
/// the ops with destinations): temporaries are `tensor.empty` or
/// `memref.alloc`, generics return their results or write their outputs.
struct Emitter {
  OpBuilder &b;
  Location loc;
  bool buffers = false;

  OpFoldResult size(Value value, int64_t dim) {
    if (isa<MemRefType>(value.getType()))
      return memref::getMixedSize(b, loc, value, dim);
    return tensor::getMixedSize(b, loc, value, dim);
  }

  /// Sizes of dims [from, to) of `value`.
  SmallVector<OpFoldResult> sizes(Value value, int64_t from, int64_t to) {
    SmallVector<OpFoldResult> result;
    for (int64_t i = from; i < to; ++i)
      result.push_back(size(value, i));
    return result;
  }

  SmallVector<OpFoldResult> sizes(Value value) {
    return sizes(value, 0, cast<ShapedType>(value.getType()).getRank());
  }

  /// A new tensor or buffer of `sizes`.
  Value empty(ArrayRef<OpFoldResult> shape, Type elem) {
    if (!buffers)
      return tensor::EmptyOp::create(b, loc, shape, elem);
    SmallVector<int64_t> staticShape;
    SmallVector<Value> dynamic;
    dispatchIndexOpFoldResults(shape, dynamic, staticShape);
    return memref::AllocOp::create(b, loc, MemRefType::get(staticShape, elem),
                                   dynamic);
  }

  /// A linalg.generic; returns its results (tensors) or its outputs
  /// (buffers).
  SmallVector<Value>
  generic(ValueRange inputs, ValueRange outputs, ArrayRef<AffineMap> maps,
          ArrayRef<utils::IteratorType> iterators,
          function_ref<void(OpBuilder &, Location, ValueRange)> body) {
    TypeRange resultTypes =
        buffers ? TypeRange() : TypeRange(ValueRange(outputs).getTypes());
    auto op = linalg::GenericOp::create(b, loc, resultTypes, inputs, outputs,
                                        maps, iterators, body);
    if (buffers)
      return SmallVector<Value>(outputs);
    return SmallVector<Value>(op->getResults());
  }

  /// `fill(value)` of `target`, an f32 tensor or buffer.
  Value filled(Value target, double value) {
    auto fill = linalg::FillOp::create(
        b, loc, ValueRange{f32Constant(b, loc, value)}, ValueRange{target});
    return buffers ? target : fill->getResult(0);
  }

  /// `fill(value)` of a new f32 tensor or buffer of `sizes`.
  Value filledF32(ArrayRef<OpFoldResult> shape, double value) {
    return filled(empty(shape, b.getF32Type()), value);
  }
};

/// Replaces an attnres op (forward or gradient) by its decomposition
/// (`decomposeAttnResOp`). With
/// `freeTemporaries`, the temporaries the decomposition of a memref-form op
/// allocates are deallocated right after it (for IR whose buffer
/// deallocation already ran).
template <typename OpTy>
struct DecompositionLowering : OpConversionPattern<OpTy> {
  DecompositionLowering(MLIRContext *ctx, bool freeTemporaries)
      : OpConversionPattern<OpTy>(ctx), freeTemporaries(freeTemporaries) {}
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // The decomposition reads the op's operands: give it the converted ones.
    if (ValueRange(adaptor.getOperands()) != ValueRange(op->getOperands()))
      rewriter.modifyOpInPlace(op,
                               [&] { op->setOperands(adaptor.getOperands()); });
    Operation *before = op->getPrevNode();
    FailureOr<SmallVector<Value>> values =
        decomposeAttnResOp(rewriter, op.getOperation());
    if (failed(values))
      return rewriter.notifyMatchFailure(op, "cannot be decomposed");
    if (freeTemporaries && op->getNumResults() == 0) {
      // The decomposition is built right before the op, its temporaries
      // (`memref.alloc`) at its top level.
      SmallVector<Value> temporaries;
      Block *block = op->getBlock();
      for (Operation &built : llvm::make_range(
               before ? std::next(before->getIterator()) : block->begin(),
               op->getIterator()))
        if (auto alloc = dyn_cast<memref::AllocOp>(built))
          temporaries.push_back(alloc);
      rewriter.setInsertionPointAfter(op);
      for (Value temporary : temporaries)
        memref::DeallocOp::create(rewriter, op.getLoc(), temporary);
    }
    rewriter.replaceOp(op, *values);
    return success();
  }
  bool freeTemporaries;
};

} // namespace mlir::attnres::detail

#endif // ATTNRES_LIB_CONVERSION_ATTNRESTOLINALG_LINALGEMITTER_H
