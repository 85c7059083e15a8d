//===- Passes.td - attnres transformation passes -----------*- tablegen -*-===//

#ifndef ATTNRES_DIALECT_ATTNRES_TRANSFORMS_PASSES_TD
#define ATTNRES_DIALECT_ATTNRES_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def AttnResFusePass : InterfacePass<"attnres-fuse", "mlir::FunctionOpInterface"> {
  let summary = "Fuse RMSNorm + logits + softmax + combine chains into depth_attn";
  let description = [{
    Rewrites the unfused chain a frontend emits

    ```mlir
    %k0 = attnres.rms_norm %v0, %gamma {eps = E} : ...
    %k1 = attnres.rms_norm %v1, %gamma {eps = E} : ...
    %s = attnres.depth_logits %w, [%k0, %k1] : ...
    %a = attnres.depth_softmax %s : ...
    %h = attnres.depth_combine %a, [%v0, %v1] : ...
    ```

    into one `attnres.depth_attn %q, [%v0, %v1] {eps = E}` with the gain
    folded into the query once per site (`%q = γ ⊙ w`, an f32 `linalg.generic`
    over D, not per token), so the normalized keys are never materialized.

    The chain must match exactly: the combine's values are the raw sources
    that were normalized, in the same order; every key is an `rms_norm` with
    the same gain value and the same eps; the logits and the softmax have no
    other users. Any other chain is left unchanged. The normalized keys stay
    when they have other users.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def AttnResTwoPhasePass
    : InterfacePass<"attnres-two-phase", "mlir::FunctionOpInterface"> {
  let summary = "Batch the shared sources of a block's sites (two-phase AttnRes)";
  let description = [{
    Groups the `attnres.depth_attn` sites of a block (in the IR: a region
    block) that share a prefix of sources, identified structurally from SSA
    values: a site belongs to the group of prefix `P` when its sources are
    `P` or `P` followed by one more source `u` (the running partial of a
    Block AttnRes block). For each group it emits one
    `attnres.depth_attn_stats` over `P` for all the group's queries (phase 1)
    and, per site, either the phase-1 row itself (sources = `P`) or an
    `attnres.depth_attn_merge` of `u` (phase 2). This is exact (math §4).

    Whether a group is rewritten is decided by a traffic model, in bytes per
    token row, with `n = |P|`, `S` sites of which `M` merge one source:

    * per site: `S·(n + 1) + M` rows read or written;
    * two-phase: `n` (read once) `+ S` (phase-1 outputs) `+ 3·M` (each merge
      reads its phase-1 row and `u`, writes `h`), plus the LSE;

    so a group of a block with `M = S − 1` pays off from `n = 3` shared
    sources. `mode=force` rewrites every group of at least two sites,
    `mode=off` nothing. Sites whose query is not available before the
    group's first site stay as they are. The pass is idempotent.
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"auto\"",
           "auto (traffic model), force, or off">,
  ];
  let dependentDialects = [
    "mlir::tensor::TensorDialect",
  ];
}

#endif // ATTNRES_DIALECT_ATTNRES_TRANSFORMS_PASSES_TD
