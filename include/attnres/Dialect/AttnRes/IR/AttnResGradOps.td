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
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// DepthAttnGradOp
//===----------------------------------------------------------------------===//

def AttnRes_DepthAttnGradOp : AttnRes_Op<"depth_attn_grad",
    [Pure, AllTypesMatch<["query", "query_grad"]>]> {
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

    Example:

    ```mlir
    %dq, %dv:2 = attnres.depth_attn_grad %q, [%v0, %v1], %dh {eps = 1.0e-06 : f32}
        : tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>
        -> tensor<64xf32>, tensor<8x64xf32>
    ```
  }];
  let arguments = (ins AttnRes_Tensor:$query,
                       Variadic<AttnRes_Tensor>:$sources,
                       AttnRes_Tensor:$grad,
                       AttnRes_EpsAttr:$eps);
  let results = (outs AttnRes_Tensor:$query_grad,
                      Variadic<AttnRes_Tensor>:$source_grads);
  let assemblyFormat = [{
    $query `,` `[` $sources `]` `,` $grad attr-dict `:` type($query) `,`
    custom<UniformTypes>(ref($sources), type($sources)) `,` type($grad) `->`
    type($query_grad) `,` custom<UniformTypes>(ref($sources), type($source_grads))
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// RMSNormGradOp
//===----------------------------------------------------------------------===//

def AttnRes_RMSNormGradOp : AttnRes_Op<"rms_norm_grad",
    [Pure, AllTypesMatch<["input", "grad", "input_grad"]>,
     AllTypesMatch<["gain", "gain_grad"]>]> {
  let summary = "gradient of rms_norm with respect to the input and the gain";
  let description = [{
    Given the inputs of `attnres.rms_norm` (`x`, `γ`, `eps`) and `g = dL/dy`,
    per row (`ρ = ((1/D)·Σ_c x[c]² + eps)^(-1/2)`):

    ```
    dx[t,c] = ρ·γ[c]·g[t,c] − (ρ³/D)·x[t,c]·Σ_k γ[k]·g[t,k]·x[t,k]
    dγ[c]   = Σ_t ρ[t]·x[t,c]·g[t,c]
    ```

    `dx` has the input's type, `dγ` the gain's (accumulated in `f32`).

    Example:

    ```mlir
    %dx, %dgain = attnres.rms_norm_grad %x, %gain, %dy {eps = 1.0e-05 : f32}
        : tensor<8x64xf32>, tensor<64xf32>
    ```
  }];
  let arguments = (ins AttnRes_Tensor:$input, AttnRes_Tensor:$gain,
                       AttnRes_Tensor:$grad, AttnRes_EpsAttr:$eps);
  let results = (outs AttnRes_Tensor:$input_grad, AttnRes_Tensor:$gain_grad);
  let assemblyFormat = [{
    $input `,` $gain `,` $grad attr-dict `:` type($input) `,` type($gain)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// DepthAttnStatsGradOp
//===----------------------------------------------------------------------===//

def AttnRes_DepthAttnStatsGradOp : AttnRes_Op<"depth_attn_stats_grad",
    [Pure, AllTypesMatch<["queries", "queries_grad"]>,
     AllTypesMatch<["lse", "lse_grad"]>]> {
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

    Example:

    ```mlir
    %dQ, %dv:2 = attnres.depth_attn_stats_grad %Q, [%b0, %b1], %lse, %do, %dlse
        {eps = 1.0e-05 : f32}
        : tensor<4x64xf32>, tensor<8x64xf32>, tensor<4x8xf32>, tensor<4x8x64xf32>
        -> tensor<4x64xf32>, tensor<8x64xf32>
    ```
  }];
  let arguments = (ins AttnRes_Tensor:$queries,
                       Variadic<AttnRes_Tensor>:$sources,
                       AttnRes_F32Tensor:$lse,
                       AttnRes_Tensor:$output_grad,
                       AttnRes_F32Tensor:$lse_grad,
                       AttnRes_EpsAttr:$eps);
  let results = (outs AttnRes_Tensor:$queries_grad,
                      Variadic<AttnRes_Tensor>:$source_grads);
  let assemblyFormat = [{
    $queries `,` `[` $sources `]` `,` $lse `,` $output_grad `,` $lse_grad
    attr-dict `:` type($queries) `,`
    custom<UniformTypes>(ref($sources), type($sources)) `,` type($lse) `,`
    type($output_grad) `->` type($queries_grad) `,`
    custom<UniformTypes>(ref($sources), type($source_grads))
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// DepthAttnMergeGradOp
//===----------------------------------------------------------------------===//

def AttnRes_DepthAttnMergeGradOp : AttnRes_Op<"depth_attn_merge_grad",
    [Pure, AllTypesMatch<["output", "source", "grad", "output_grad",
                          "source_grad"]>,
     AllTypesMatch<["lse", "lse_grad"]>,
     AllTypesMatch<["query", "query_grad"]>]> {
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

    Example:

    ```mlir
    %do, %dlse, %dq, %du = attnres.depth_attn_merge_grad %o, %lse, %q, %u, %dh
        {eps = 1.0e-05 : f32}
        : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>
    ```
  }];
  let arguments = (ins AttnRes_Tensor:$output, AttnRes_F32Tensor:$lse,
                       AttnRes_Tensor:$query, AttnRes_Tensor:$source,
                       AttnRes_Tensor:$grad, AttnRes_EpsAttr:$eps);
  let results = (outs AttnRes_Tensor:$output_grad, AttnRes_F32Tensor:$lse_grad,
                      AttnRes_Tensor:$query_grad, AttnRes_Tensor:$source_grad);
  let assemblyFormat = [{
    $output `,` $lse `,` $query `,` $source `,` $grad attr-dict `:`
    type($output) `,` type($lse) `,` type($query)
  }];
  let hasVerifier = 1;
}

#endif // ATTNRES_DIALECT_ATTNRES_IR_ATTNRESGRADOPS_TD
