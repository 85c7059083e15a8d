//===- Transforms.h - attnres rewrite entry points --------------*- C++ -*-===//
//
// Public pattern sets and analyses behind the attnres passes, for host
// compilers that run them in their own drivers.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_TRANSFORMS_TRANSFORMS_H
#define ATTNRES_DIALECT_ATTNRES_TRANSFORMS_TRANSFORMS_H

#include "attnres/Dialect/AttnRes/Analysis/TwoPhaseTraffic.h"
#include "mlir/Support/LLVM.h"
#include "mlir/Support/LogicalResult.h"
#include <cstdint>
#include <string>

namespace mlir {
class DialectRegistry;
class ModuleOp;
class Operation;
class RewritePatternSet;

namespace func {
class FuncOp;
} // namespace func

namespace attnres {

/// Adds `@name(args..., result cotangents...) -> (argument gradients...)`,
/// the backward of `forward` (see `attnres-build-backward`), right after it.
/// Every op that depends on an argument must have a reverse rule (attnres
/// ops, glue, calls of functions with `attnres.vjp`); otherwise errors are
/// emitted at those ops and nothing is built.
FailureOr<func::FuncOp> buildAttnResBackward(func::FuncOp forward,
                                             StringRef name);

/// `buildAttnResBackward(f, "<f>_backward")` for every function of `module`
/// named in `functions` (all resolved before anything is built).
LogicalResult buildAttnResBackwards(ModuleOp module,
                                    ArrayRef<std::string> functions);

/// Which `rms_norm → ... → depth_combine` chains `attnres-fuse` fuses.
enum class FuseKeyRounding {
  /// All of them; the fused site keeps the keys in f32 (the exact math).
  F32,
  /// Only chains whose keys are f32, so bf16/f16 chains keep their results.
  Chain,
};

/// What `attnres-prepare-export` does: drops `llvm.emit_c_interface`,
/// erases unused declarations with unranked types and reports (as errors at
/// the function) used ones and public functions whose signature is not made
/// of ranked tensors and scalars. Fails when it reported anything.
LogicalResult prepareAttnResExport(ModuleOp module);

/// Patterns fusing `rms_norm → depth_logits → depth_softmax → depth_combine`
/// into `depth_attn` (see `attnres-fuse`).
void populateAttnResFusePatterns(
    RewritePatternSet &patterns,
    FuseKeyRounding keyRounding = FuseKeyRounding::F32);

/// Which ops `attnres-fuse-norm-epilogues` fuses an rms_norm of the result
/// into.
enum class NormEpilogueProducers {
  /// depth_attn (into depth_attn_norm) and depth_attn_merge (into
  /// depth_attn_merge_norm).
  All,
  /// depth_attn_merge only (the GPU site kernel has no norm epilogue).
  Merges,
};

/// Patterns fusing `rms_norm(h)` into the value-form depth_attn or
/// depth_attn_merge that computes `h` (see `attnres-fuse-norm-epilogues`):
/// the result is a depth_attn_norm or depth_attn_merge_norm.
void populateAttnResFuseNormEpiloguePatterns(
    RewritePatternSet &patterns,
    NormEpilogueProducers producers = NormEpilogueProducers::All);

/// Patterns of `attnres-raise`: rooted at any linalg or reshape op, they
/// rewrite an AttnRes site computed in frontend linalg-on-tensors (what
/// torch-mlir or TOSA-to-linalg emit) into `depth_attn` with the gain folded
/// into the query. Sums over at most `maxSources` sources are recognized.
void populateAttnResRaisePatterns(RewritePatternSet &patterns,
                                  unsigned maxSources = 64);

/// Raises every AttnRes site under `op` (greedily, to a fixpoint) and
/// returns how many were raised; failure only when the rewrite driver fails.
FailureOr<int64_t> raiseAttnResSites(Operation *op, unsigned maxSources = 64);

/// When `attnres-two-phase` rewrites a group of sites.
enum class TwoPhaseMode { Auto, Force, Off };

/// Patterns of `attnres-two-phase`: rooted at the first site of each group of
/// `depth_attn` ops that share a source prefix, they rewrite the whole group
/// into `depth_attn_stats` + per-site `depth_attn_merge`.
void populateAttnResTwoPhasePatterns(RewritePatternSet &patterns,
                                     TwoPhaseMode mode);

/// Where `attnres-plan-buffers` puts the buffers it plans.
enum class BufferArena {
  /// A private global per function, taken with an atomic flag; a concurrent
  /// or recursive caller allocates its own arena for the call.
  Static,
  /// One allocation per call.
  PerCall,
  /// Nothing is placed; deallocs only move to the buffers' last uses.
  Off,
};

/// What `planBuffers` did to one function.
struct BufferPlanSummary {
  /// Buffers placed in the arena, and the sum of their sizes in bytes.
  int64_t planned = 0;
  int64_t plannedBytes = 0;
  /// Size of the arena in bytes (0 when nothing was placed).
  int64_t arenaBytes = 0;
  /// Buffers left to the allocator (dynamic shapes, escaping buffers, ...),
  /// and how many of those had their dealloc moved to their last use.
  int64_t left = 0;
  int64_t movedDeallocs = 0;
};

/// Plans the buffers of `func` (a function with a single-block body, on
/// memrefs after buffer deallocation) into one arena by liveness, see
/// `attnres-plan-buffers`. `arena == Static` adds private globals to the
/// symbol table that holds `func`, which must therefore not run in parallel
/// with other functions of that table. Fails only on sizes that overflow
/// 64 bits, with a located error.
FailureOr<BufferPlanSummary> planBuffers(Operation *func, BufferArena arena);

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_DIALECT_ATTNRES_TRANSFORMS_TRANSFORMS_H
