//===- AttnResGradOps.td - attnres gradient operations -----*- tablegen -*-===//
//
// The backward (vector-Jacobian product) of the attnres ops, for training.
// The derivation and the recomputation policy are in docs/semantics.md
// ("Gradients"). Included at the end of AttnResOps.td; the verifiers are in
// lib/Dialect/AttnRes/IR/AttnResGradOps.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_IR_ATTNRESGRADOPS_TD
#define ATTNRES_DIALECT_ATTNRES_IR_ATTNRESGRADOPS_TD

include "attnres/Dialect/AttnRes/IR/AttnResBase.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// DepthAttnGradOp
//===----------------------------------------------------------------------===//

def AttnRes_DepthAttnGradOp : AttnRes_Op<"depth_attn_grad",
    [AttnRes_DestinationForm, MemoryEffectsOpInterface,
     DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>,
     ConditionallySpeculatable,
     AttnRes_ReifyFromRelations]> {
  let summary = "gradient of depth_attn with respect to the query and the sources";
  let description = [{
    Given the inputs of `attnres.depth_attn` (`q`, `V_0 .. V_{n-1}`, `eps`) and
    the gradient `g = dL/dh` of its result, returns `dL/dq` and every
    `dL/dV_j`, including the path through the RMS normalization of the keys.
    Per row `t` (the forward's statistics are recomputed, nothing is saved):

    ```
    ρ_j = ((1/D)·Σ_c V_j[c]² + eps)^(-1/2),   s_j = ρ_j·(q·V_j),   α = softmax(s)
    a_j = g·V_j,   ā = Σ_j α_j a_j,   ds_j = α_j·(a_j − ā)
    dV_j[t,:] = α_j·g + ds_j·ρ_j·q − ds_j·s_j·ρ_j²/D · V_j[t,:]
    dq[:]     = Σ_t Σ_j ds_j[t]·ρ_j[t]·V_j[t,:]
    ```

    `dq` has the query's type (accumulated over all token rows in `f32`);
    each `dV_j` and `g` have the sources' type.

    Optional destinations `outs(%dq_init, %dv_init_0, ... : ...)`, one per
    result (the query's gradient, then one per source), with the results'
    types, are where the results are written when the op is bufferized; their
    values are never read. After bufferization the op has a memref form:
    memref operands, memref destinations (required) and no results. The
    operands are stored as one group after the query (the sources, the
    result gradient, then the destinations) and the `has_outs` property says
    whether the destinations are there, so the generic form of an op without
    destinations is the same as before destinations existed.

    Example:

    ```mlir
    %dq, %dv:2 = attnres.depth_attn_grad %q, [%v0, %v1], %dh {eps = 1.0e-06 : f32}
        : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>
        -> tensor<64xf32>, tensor<8x64xf32>
    attnres.depth_attn_grad %qm, [%m0, %m1], %gm outs(%dqm, %dm0, %dm1
        : memref<64xf32>, memref<8x64xf32>, memref<8x64xf32>)
        : memref<64xf32>, memref<8x64xf32>, memref<8x64xf32>
    ```
  }];
  let arguments = (ins AttnRes_Shaped:$query,
                       Variadic<AttnRes_Shaped>:$sourcesGradAndOuts,
                       AttnRes_EpsAttr:$eps,
                       UnitAttr:$has_outs);
  let results = (outs Variadic<AttnRes_Tensor>:$results);
  let hasCustomAssemblyFormat = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    // The value form (no destinations).
    OpBuilder<(ins "Type":$queryGrad, "TypeRange":$sourceGrads,
                   "Value":$query, "ValueRange":$sources, "Value":$grad,
                   CArg<"FloatAttr", "{}">:$eps)>,
    // With destinations (the query's gradient's, then one per source):
    // tensors give results of their types, memrefs none.
    OpBuilder<(ins "Value":$query, "ValueRange":$sources, "Value":$grad,
                   "ValueRange":$inits, CArg<"FloatAttr", "{}">:$eps)>
  ];
  let extraClassDeclaration = [{
    /// The sources (the operands between the query and the result gradient).
    ::mlir::OperandRange getSources();
    ::mlir::MutableOperandRange getSourcesMutable();
    /// The result gradient `g` (null only in unverified IR).
    ::mlir::Value getGrad();
    /// The destinations: none, or the query's gradient's then one per source.
    ::mlir::OperandRange getInits();
    ::mlir::MutableOperandRange getInitsMutable();
    /// The results (null / empty in the memref form).
    ::mlir::Value getQueryGrad();
    ::mlir::ResultRange getSourceGrads();
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// RMSNormGradOp
//===----------------------------------------------------------------------===//

def AttnRes_RMSNormGradOp : AttnRes_Op<"rms_norm_grad",
    [AttnRes_DestinationForm, MemoryEffectsOpInterface,
     DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>,
     ConditionallySpeculatable,
     AttnRes_ReifyFromRelations]> {
  let summary = "gradient of rms_norm with respect to the input and the gain";
  let description = [{
    Given the inputs of `attnres.rms_norm` (`x`, `γ`, `eps`) and `g = dL/dy`,
    per row (`ρ = ((1/D)·Σ_c x[c]² + eps)^(-1/2)`):

    ```
    dx[t,c] = ρ·γ[c]·g[t,c] − (ρ³/D)·x[t,c]·Σ_k γ[k]·g[t,k]·x[t,k]
    dγ[c]   = Σ_t ρ[t]·x[t,c]·g[t,c]
    ```

    `dx` has the input's type, `dγ` the gain's (accumulated in `f32`).

    Optional destinations `outs(%dx_init, %dgain_init : ...)` (the results'
    types); after bufferization the memref form has memref operands, the two
    memref destinations and no results. In the memref form the type of `g`
    is printed after the gain's when it differs from the input's (a layout).

    Example:

    ```mlir
    %dx, %dgain = attnres.rms_norm_grad %x, %gain, %dy {eps = 1.0e-05 : f32}
        : tensor<8x64xf32>, tensor<64xf32>
    attnres.rms_norm_grad %xm, %gm, %dym outs(%dxm, %dgm
        : memref<8x64xf32>, memref<64xf32>) : memref<8x64xf32>, memref<64xf32>
    ```
  }];
  let arguments = (ins AttnRes_Shaped:$input, AttnRes_Shaped:$gain,
                       AttnRes_Shaped:$grad, Variadic<AttnRes_Shaped>:$inits,
                       AttnRes_EpsAttr:$eps);
  let results = (outs Variadic<AttnRes_Tensor>:$results);
  let hasCustomAssemblyFormat = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    // The value form (no destinations).
    OpBuilder<(ins "Type":$inputGrad, "Type":$gainGrad, "Value":$input,
                   "Value":$gain, "Value":$grad,
                   CArg<"FloatAttr", "{}">:$eps)>,
    // With destinations (tensors: results of their types; memrefs: none).
    OpBuilder<(ins "Value":$input, "Value":$gain, "Value":$grad,
                   "ValueRange":$inits, CArg<"FloatAttr", "{}">:$eps)>
  ];
  let extraClassDeclaration = [{
    /// The results (null in the memref form).
    ::mlir::Value getInputGrad();
    ::mlir::Value getGainGrad();
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// DepthAttnStatsGradOp
//===----------------------------------------------------------------------===//

def AttnRes_DepthAttnStatsGradOp : AttnRes_Op<"depth_attn_stats_grad",
    [AttnRes_DestinationForm, MemoryEffectsOpInterface,
     DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>,
     ConditionallySpeculatable,
     AttnRes_ReifyFromRelations]> {
  let summary = "two-phase AttnRes, backward of phase 1 (depth_attn_stats)";
  let description = [{
    Given the inputs of `attnres.depth_attn_stats` (`Q : S x D`, `V_0..V_{n-1}`,
    `eps`), its saved log-sum-exp `lse : S x T...`, and the gradients of both of
    its results (`dO : S x T... x D`, `dlse : S x T...`), returns `dQ` and every
    `dV_j`. Per query `q` and row `t` the weights are recomputed from the saved
    LSE, `α_j = exp(s_j − lse)` (no max or sum):

    ```
    s_j = ρ_j·(Q[q]·V_j),   a_j = dO[q]·V_j,   ā = Σ_j α_j a_j
    ds_j = α_j·(a_j − ā + dlse[q])
    dV_j[t,:] = Σ_q (α_j·dO[q,t,:] + ds_j·ρ_j·Q[q,:] − ds_j·s_j·ρ_j²/D · V_j[t,:])
    dQ[q,:]   = Σ_t Σ_j ds_j·ρ_j·V_j[t,:]
    ```

    Optional destinations `outs(%dQ_init, %dv_init_0, ... : ...)`, one per
    result (the queries' gradient, then one per source); the memref form and
    the `has_outs` property are as in `depth_attn_grad` (the operands after
    the queries: the sources, `lse`, `dO`, `dlse`, then the destinations). In
    the memref form the type of `dlse` is printed after `dO`'s when it
    differs from the LSE's (a layout).

    Example:

    ```mlir
    %dQ, %dv:2 = attnres.depth_attn_stats_grad %Q, [%b0, %b1], %lse, %do, %dlse
        {eps = 1.0e-05 : f32}
        : tensor<4x64xf32>, tensor<8x64xf32>, tensor<4x8xf32>, tensor<4x8x64xf32>
        -> tensor<4x64xf32>, tensor<8x64xf32>
    ```
  }];
  let arguments = (ins AttnRes_Shaped:$queries,
                       Variadic<AttnRes_Shaped>:$sourcesGradsAndOuts,
                       AttnRes_EpsAttr:$eps,
                       UnitAttr:$has_outs);
  let results = (outs Variadic<AttnRes_Tensor>:$results);
  let hasCustomAssemblyFormat = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    // The value form (no destinations).
    OpBuilder<(ins "Type":$queriesGrad, "TypeRange":$sourceGrads,
                   "Value":$queries, "ValueRange":$sources, "Value":$lse,
                   "Value":$outputGrad, "Value":$lseGrad,
                   CArg<"FloatAttr", "{}">:$eps)>,
    // With destinations (tensors: results of their types; memrefs: none).
    OpBuilder<(ins "Value":$queries, "ValueRange":$sources, "Value":$lse,
                   "Value":$outputGrad, "Value":$lseGrad, "ValueRange":$inits,
                   CArg<"FloatAttr", "{}">:$eps)>
  ];
  let extraClassDeclaration = [{
    ::mlir::OperandRange getSources();
    ::mlir::MutableOperandRange getSourcesMutable();
    /// The saved LSE and the gradients of the forward's results (null only
    /// in unverified IR).
    ::mlir::Value getLse();
    ::mlir::Value getOutputGrad();
    ::mlir::Value getLseGrad();
    /// The destinations: none, or the queries' gradient's then one per
    /// source.
    ::mlir::OperandRange getInits();
    ::mlir::MutableOperandRange getInitsMutable();
    /// The results (null / empty in the memref form).
    ::mlir::Value getQueriesGrad();
    ::mlir::ResultRange getSourceGrads();
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// DepthAttnMergeGradOp
//===----------------------------------------------------------------------===//

def AttnRes_DepthAttnMergeGradOp : AttnRes_Op<"depth_attn_merge_grad",
    [AttnRes_DestinationForm, MemoryEffectsOpInterface,
     DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>,
     ConditionallySpeculatable,
     AttnRes_ReifyFromRelations]> {
  let summary = "two-phase AttnRes, backward of phase 2 (depth_attn_merge)";
  let description = [{
    Given the inputs of `attnres.depth_attn_merge` (`o`, `lse`, `q`, `u`,
    `eps`) and `g = dL/dh`, returns the gradients of all four inputs. Per row
    (`ρ = ρ(u)`, `s = ρ·(q·u)`, `β = sigmoid(s − lse)`):

    ```
    ds      = β·(1 − β)·(g·(u − o))
    do[t,:] = (1 − β)·g
    dlse[t] = −ds
    du[t,:] = β·g + ds·ρ·q − ds·s·ρ²/D · u[t,:]
    dq[:]   = Σ_t ds[t]·ρ[t]·u[t,:]
    ```

    Optional destinations `outs(%do_init, %dlse_init, %dq_init, %du_init :
    ...)` (the results' types); after bufferization the memref form has
    memref operands, the four memref destinations and no results. In the
    memref form the types of `u` and `g` are printed after the query's when
    one of them differs from the type of `o` (a layout).

    Example:

    ```mlir
    %do, %dlse, %dq, %du = attnres.depth_attn_merge_grad %o, %lse, %q, %u, %dh
        {eps = 1.0e-05 : f32}
        : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>
    ```
  }];
  let arguments = (ins AttnRes_Shaped:$output, AttnRes_F32Shaped:$lse,
                       AttnRes_Shaped:$query, AttnRes_Shaped:$source,
                       AttnRes_Shaped:$grad, Variadic<AttnRes_Shaped>:$inits,
                       AttnRes_EpsAttr:$eps);
  let results = (outs Variadic<AttnRes_Tensor>:$results);
  let hasCustomAssemblyFormat = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    // The value form (no destinations): results of the types of `o`, `lse`,
    // `q` and `o`.
    OpBuilder<(ins "Value":$output, "Value":$lse, "Value":$query,
                   "Value":$source, "Value":$grad,
                   CArg<"FloatAttr", "{}">:$eps)>,
    // With destinations (tensors: results of their types; memrefs: none).
    OpBuilder<(ins "Value":$output, "Value":$lse, "Value":$query,
                   "Value":$source, "Value":$grad, "ValueRange":$inits,
                   CArg<"FloatAttr", "{}">:$eps)>
  ];
  let extraClassDeclaration = [{
    /// The results (null in the memref form).
    ::mlir::Value getOutputGrad();
    ::mlir::Value getLseGrad();
    ::mlir::Value getQueryGrad();
    ::mlir::Value getSourceGrad();
  }];
  let hasVerifier = 1;
}

#endif // ATTNRES_DIALECT_ATTNRES_IR_ATTNRESGRADOPS_TD
