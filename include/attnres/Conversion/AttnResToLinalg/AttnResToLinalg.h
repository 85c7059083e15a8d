//===- AttnResToLinalg.h - attnres to linalg conversion ---------*- C++ -*-===//

#ifndef ATTNRES_CONVERSION_ATTNRESTOLINALG_ATTNRESTOLINALG_H
#define ATTNRES_CONVERSION_ATTNRESTOLINALG_ATTNRESTOLINALG_H

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class ConversionTarget;
class DialectRegistry;
class OpBuilder;
class RewritePatternSet;

namespace attnres {

#define GEN_PASS_DECL_CONVERTATTNRESTOLINALGPASS
#include "attnres/Conversion/Passes.h.inc"

/// Adds the patterns that rewrite every attnres op into linalg/tensor/arith/
/// math ops on tensors (on buffers for the memref form). Patterns fail to
/// match (and change nothing) on ops they cannot lower; see
/// `checkAttnResToLinalgPreconditions`. `options.freeTemporaries`: the
/// decomposition of a memref-form op deallocates its temporaries after it.
/// (`options.keepBufferizable` is the conversion target's business:
/// `configureAttnResToLinalgConversionTarget`.)
void populateAttnResToLinalgConversionPatterns(
    RewritePatternSet &patterns,
    const ConvertAttnResToLinalgPassOptions &options = {});

/// Adds the patterns that rewrite the gradient ops (`depth_attn_grad`,
/// `rms_norm_grad`, `depth_attn_stats_grad`, `depth_attn_merge_grad`) into
/// linalg/tensor/arith/math ops on tensors (on buffers for the memref form;
/// `options.freeTemporaries` as above); part of
/// `populateAttnResToLinalgConversionPatterns`.
void populateAttnResGradToLinalgConversionPatterns(
    RewritePatternSet &patterns,
    const ConvertAttnResToLinalgPassOptions &options = {});

/// The source type whose hidden size the lowering of a gradient op needs
/// static; a null type for other ops.
Type getGradOpSourceType(Operation *op);

/// Builds, before `op`, the linalg ops (on tensors, or on buffers for the
/// memref form) that compute the attnres op `op`, and returns the values that
/// replace its results (none in the memref form): the lowering of
/// `convert-attnres-to-linalg` and the ops' `linalg::AggregatedOpInterface`.
/// Fails, building nothing, for other ops and ops the lowering cannot handle
/// (a dynamic hidden size, no sources).
FailureOr<SmallVector<Value>> decomposeAttnResOp(OpBuilder &b, Operation *op);

/// The same for the gradient ops (`depth_attn_grad`, `rms_norm_grad`,
/// `depth_attn_stats_grad`, `depth_attn_merge_grad`), in their value form
/// (results written into their destinations if they have them) or their
/// memref form (generics on buffers); `decomposeAttnResOp` dispatches to it.
FailureOr<SmallVector<Value>> decomposeAttnResGradOp(OpBuilder &b,
                                                     Operation *op);

/// Attaches `linalg::AggregatedOpInterface` (`decomposeAttnResOp`) to the
/// eight forward attnres ops, so upstream's
/// `transform.structured.decompose_interface` decomposes them.
void registerAttnResDecompositionInterfaceExternalModels(
    DialectRegistry &registry);

/// Marks the attnres dialect illegal and the dialects the patterns produce
/// legal. With `keepBufferizable`, attnres ops that implement
/// `bufferization::BufferizableOpInterface` stay legal (a lowering after
/// bufferization takes their memref form).
void configureAttnResToLinalgConversionTarget(ConversionTarget &target,
                                              bool keepBufferizable = false);

/// Emits an error on every attnres op under `root` that the patterns cannot
/// lower (e.g. a dynamic hidden dimension) and fails if there was one. Ops
/// that `keep-bufferizable` keeps are checked alike: every lowering after
/// bufferization has the same requirements.
LogicalResult checkAttnResToLinalgPreconditions(Operation *root);

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_CONVERSION_ATTNRESTOLINALG_ATTNRESTOLINALG_H
