//===- AttnResOps.td - attnres operations ------------------*- tablegen -*-===//
//
// Operations of the attnres dialect. The normative math is
// docs/semantics.md (which follows shared attnres-math.md).
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_IR_ATTNRESOPS_TD
#define ATTNRES_DIALECT_ATTNRES_IR_ATTNRESOPS_TD

include "attnres/Dialect/AttnRes/IR/AttnResBase.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/TilingInterface.td"

//===----------------------------------------------------------------------===//
// DepthAttnOp
//===----------------------------------------------------------------------===//

def AttnRes_DepthAttnOp : AttnRes_Op<"depth_attn",
    [AttnRes_DestinationForm, AttnRes_OperandGroup<"Sources", 1>,
     AttnRes_OptionalTensorResult, MemoryEffectsOpInterface,
     ConditionallySpeculatable,
     AttnRes_RowTiling<"getSources().front()", ["getQueryMutable()"]>,
     AttnRes_ReifyFromRelations]> {
  let summary = "fused AttnRes site: softmax attention over depth";
  let description = [{
    Mixes `n >= 1` sources `V_0 .. V_{n-1}` (each `tensor<T... x D x E>`) with
    softmax weights over the source axis, computed from the query `q` (the
    pseudo-query already multiplied by the key-norm gain, `q = γ ⊙ w`) against
    the RMS-normalized sources. For every token row `t`:

    ```
    ρ_j[t] = ((1/D)·Σ_c V_j[t,c]² + eps)^(-1/2)
    s_j[t] = ρ_j[t] · Σ_c q[c]·V_j[t,c]
    α_j[t] = softmax_j(s[t])                  // over the sources
    h[t,:] = Σ_j α_j[t] · V_j[t,:]            // raw sources as values
    ```

    There is no `1/sqrt(D)` scale. Statistics, logits and the weighted sum are
    computed in `f32`; the result has the sources' type. The query has the
    sources' element type or `f32`. With one source the result is that source.

    An optional destination `outs(%init : type)` (the result's type) is where
    the result is written when the op is bufferized; its values are never
    read. After bufferization the op has a memref form: memref operands, a
    memref `outs` (required) and no result. The operands are stored as one
    group (the sources, then the destination) and the `has_outs` property
    says whether the last one is the destination, so the generic form of an
    op without destination is the same as before destinations existed.

    Example:

    ```mlir
    %h = attnres.depth_attn %q, [%v0, %v1] {eps = 1.0e-06 : f32}
        : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
    %h2 = attnres.depth_attn %q, [%v0, %v1] outs(%init : tensor<8x64xf32>)
        : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
    attnres.depth_attn %qm, [%m0, %m1] outs(%out : memref<8x64xf32>)
        : memref<64xf32>, memref<8x64xf32>
    ```
  }];
  let arguments = (ins AttnRes_Shaped:$query,
                       Variadic<AttnRes_Shaped>:$sourcesAndOuts,
                       AttnRes_EpsAttr:$eps,
                       UnitAttr:$has_outs);
  let results = (outs Optional<AttnRes_Tensor>:$result);
  let hasCustomAssemblyFormat = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    // The value form (no destination).
    OpBuilder<(ins "Type":$result, "Value":$query, "ValueRange":$sources,
                   CArg<"FloatAttr", "{}">:$eps)>,
    // With a destination: a tensor `init` gives a result of its type, a
    // memref one none.
    OpBuilder<(ins "Value":$query, "ValueRange":$sources, "Value":$init,
                   CArg<"FloatAttr", "{}">:$eps)>
  ];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// RMSNormOp
//===----------------------------------------------------------------------===//

def AttnRes_RMSNormOp : AttnRes_Op<"rms_norm",
    [AttnRes_DestinationForm, AttnRes_OptionalTensorResult, MemoryEffectsOpInterface,
     ConditionallySpeculatable,
     AttnRes_RowTiling<"getInput()", ["getGainMutable()"]>,
     AttnRes_ReifyFromRelations]> {
  let summary = "RMS normalization over the hidden dimension";
  let description = [{
    `y[t,c] = x[t,c] · ((1/D)·Σ_c' x[t,c']² + eps)^(-1/2) · gain[c]`, computed
    in `f32` and rounded to the input's element type. The gain has the input's
    element type or `f32`.

    An optional destination `outs(%init : type)` (the input's type) is where
    the result is written when the op is bufferized; its values are never
    read, and it may be the input itself (each element is written after its
    row's statistics have read the row). After bufferization the memref form
    has memref operands, a memref `outs` (required) and no result.

    Example:

    ```mlir
    %k = attnres.rms_norm %x, %gain {eps = 1.0e-05 : f32}
        : tensor<8x64xbf16>, tensor<64xf32>
    attnres.rms_norm %xm, %gm outs(%km : memref<8x64xbf16>)
        : memref<8x64xbf16>, memref<64xf32>
    ```
  }];
  let arguments = (ins AttnRes_Shaped:$input, AttnRes_Shaped:$gain,
                       Optional<AttnRes_Shaped>:$init,
                       AttnRes_EpsAttr:$eps);
  let results = (outs Optional<AttnRes_Tensor>:$result);
  let hasCustomAssemblyFormat = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    // The value form (no destination).
    OpBuilder<(ins "Type":$result, "Value":$input, "Value":$gain,
                   CArg<"FloatAttr", "{}">:$eps)>,
    // With a destination (tensor: a result of its type; memref: none).
    OpBuilder<(ins "Value":$input, "Value":$gain, "Value":$init,
                   CArg<"FloatAttr", "{}">:$eps)>
  ];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// DepthLogitsOp
//===----------------------------------------------------------------------===//

def AttnRes_DepthLogitsOp : AttnRes_Op<"depth_logits",
    [AttnRes_DestinationForm, AttnRes_OperandGroup<"Keys", 1>,
     AttnRes_OptionalTensorResult, MemoryEffectsOpInterface,
     ConditionallySpeculatable,
     AttnRes_ReifyFromRelations]> {
  let summary = "depth-attention logits of one query against N keys";
  let description = [{
    `s[j,t] = Σ_c w[c] · k_j[t,c]` for `N >= 1` keys `k_j : tensor<T... x D x E>`.
    The result is `tensor<N x T... x f32>`: the source axis comes first.
    The query has the keys' element type or `f32`.

    An optional destination `outs(%init : type)` (the result's type) is where
    the result is written when the op is bufferized (never read); the memref
    form (after bufferization) has memref operands, a memref `outs` and no
    result. The operands are one group after the query (the keys, then the
    destination) and the `has_outs` property says whether the last one is
    the destination.

    Example:

    ```mlir
    %s = attnres.depth_logits %w, [%k0, %k1, %k2]
        : tensor<64xf32>, tensor<8x64xf32> -> tensor<3x8xf32>
    attnres.depth_logits %wm, [%m0, %m1] outs(%sm : memref<2x8xf32>)
        : memref<64xf32>, memref<8x64xf32>
    ```
  }];
  let arguments = (ins AttnRes_Shaped:$query,
                       Variadic<AttnRes_Shaped>:$keysAndOuts,
                       UnitAttr:$has_outs);
  let results = (outs Optional<AttnRes_F32Tensor>:$result);
  let hasCustomAssemblyFormat = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    // The value form (no destination).
    OpBuilder<(ins "Type":$result, "Value":$query, "ValueRange":$keys)>,
    // With a destination (tensor: a result of its type; memref: none).
    OpBuilder<(ins "Value":$query, "ValueRange":$keys, "Value":$init)>
  ];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// DepthSoftmaxOp
//===----------------------------------------------------------------------===//

def AttnRes_DepthSoftmaxOp : AttnRes_Op<"depth_softmax",
    [AttnRes_DestinationForm, AttnRes_OptionalTensorResult, MemoryEffectsOpInterface,
     ConditionallySpeculatable,
     AttnRes_ReifyFromRelations]> {
  let summary = "softmax over the depth (source) axis, dimension 0";
  let description = [{
    `a[j,t] = exp(s[j,t] − max_k s[k,t]) / Σ_k exp(s[k,t] − max_k s[k,t])`:
    a numerically stable softmax over dimension 0 of an `f32` tensor
    `tensor<N x T... x f32>` (`N >= 1`).

    An optional destination `outs(%init : type)` (the logits' type; never
    read, it may be the logits: each weight is written after the row's
    maximum and sum have read the row, and after its own logit is read) is
    where the result is written when the op is bufferized; the memref form
    has memref operands, a memref `outs` and no result.

    Example:

    ```mlir
    %a = attnres.depth_softmax %s : tensor<3x8xf32>
    attnres.depth_softmax %sm outs(%am : memref<3x8xf32>) : memref<3x8xf32>
    ```
  }];
  let arguments = (ins AttnRes_F32Shaped:$logits,
                       Optional<AttnRes_F32Shaped>:$init);
  let results = (outs Optional<AttnRes_F32Tensor>:$result);
  let hasCustomAssemblyFormat = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    // The value form (no destination).
    OpBuilder<(ins "Value":$logits)>,
    // With a destination (tensor: a result of its type; memref: none).
    OpBuilder<(ins "Value":$logits, "Value":$init)>
  ];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// DepthCombineOp
//===----------------------------------------------------------------------===//

def AttnRes_DepthCombineOp : AttnRes_Op<"depth_combine",
    [AttnRes_DestinationForm, AttnRes_OperandGroup<"Values", 1>,
     AttnRes_OptionalTensorResult, MemoryEffectsOpInterface,
     ConditionallySpeculatable,
     AttnRes_ReifyFromRelations]> {
  let summary = "weighted sum of N values with depth-softmax weights";
  let description = [{
    `h[t,:] = Σ_j a[j,t] · v_j[t,:]` with `a : tensor<N x T... x f32>` and `N`
    values `v_j : tensor<T... x D x E>`, accumulated in `f32`; the result has
    the values' type.

    An optional destination `outs(%init : type)` (the values' type; never
    read, it may be a value: each element is written after it is read) is
    where the result is written when the op is bufferized; the memref form
    has memref operands, a memref `outs` and no result. The operands are
    one group after the weights (the values, then the destination) and the
    `has_outs` property says whether the last one is the destination.

    Example:

    ```mlir
    %h = attnres.depth_combine %a, [%v0, %v1, %v2]
        : tensor<3x8xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
    attnres.depth_combine %am, [%m0, %m1] outs(%hm : memref<8x64xf32>)
        : memref<2x8xf32>, memref<8x64xf32>
    ```
  }];
  let arguments = (ins AttnRes_F32Shaped:$weights,
                       Variadic<AttnRes_Shaped>:$valuesAndOuts,
                       UnitAttr:$has_outs);
  let results = (outs Optional<AttnRes_Tensor>:$result);
  let hasCustomAssemblyFormat = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    // The value form (no destination).
    OpBuilder<(ins "Type":$result, "Value":$weights, "ValueRange":$values)>,
    // With a destination (tensor: a result of its type; memref: none).
    OpBuilder<(ins "Value":$weights, "ValueRange":$values, "Value":$init)>
  ];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// BlockSummaryOp
//===----------------------------------------------------------------------===//

def AttnRes_BlockSummaryOp : AttnRes_Op<"block_summary",
    [AttnRes_DestinationForm, AttnRes_OperandGroup<"Outputs", 0>,
     AttnRes_OptionalTensorResult, MemoryEffectsOpInterface,
     ConditionallySpeculatable,
     AttnRes_RowTiling<"getOutputs().front()">,
     AttnRes_ReifyFromRelations]> {
  let summary = "block representation: sum of a block's sublayer outputs";
  let description = [{
    `b = Σ_j o_j` over `n >= 1` sublayer outputs of equal type, accumulated in
    `f32` and rounded once to the element type. In Block AttnRes, `b_n` is the
    summary of block `n` and the running partial of an unfinished block.

    An optional destination `outs(%init : type)` (the outputs' type) is where
    the result is written when the op is bufferized (never read; it may be
    one of the outputs, every element is written after it is read). After
    bufferization the memref form has memref operands, a memref `outs` and
    no result. The operands are one group (the outputs, then the
    destination) and the `has_outs` property says whether the last one is
    the destination, so the generic form of an op without destination is the
    same as before destinations existed.

    Example:

    ```mlir
    %b = attnres.block_summary [%o0, %o1, %o2, %o3] : tensor<8x64xf32>
    attnres.block_summary [%m0, %m1] outs(%bm : memref<8x64xf32>)
        : memref<8x64xf32>
    ```
  }];
  let arguments = (ins Variadic<AttnRes_Shaped>:$outputsAndOuts,
                       UnitAttr:$has_outs);
  let results = (outs Optional<AttnRes_Tensor>:$result);
  let hasCustomAssemblyFormat = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    // The value form (no destination).
    OpBuilder<(ins "Type":$result, "ValueRange":$outputs)>,
    // With a destination (tensor: a result of its type; memref: none).
    OpBuilder<(ins "ValueRange":$outputs, "Value":$init)>
  ];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// DepthAttnStatsOp
//===----------------------------------------------------------------------===//

def AttnRes_DepthAttnStatsOp : AttnRes_Op<"depth_attn_stats",
    [AttnRes_DestinationForm, AttnRes_OperandGroup<"Sources", 1, 2>,
     MemoryEffectsOpInterface,
     DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>,
     ConditionallySpeculatable,
     DeclareOpInterfaceMethods<TilingInterface, ["getLoopIteratorTypes",
        "getIterationDomain", "getTiledImplementation",
        "getResultTilePosition"]>,
     AttnRes_ReifyFromRelations]> {
  let summary = "two-phase AttnRes, phase 1: batched queries over shared sources";
  let description = [{
    For `S` queries `Q : tensor<S x D x E'>` against `n >= 1` shared sources
    `V_j : tensor<T... x D x E>` (a block's completed block summaries), computes
    per query `q` and row `t` the normalized output and the log-sum-exp:

    ```
    s[q,j,t] = ρ_j[t] · Σ_c Q[q,c]·V_j[t,c]
    m[q,t]   = max_j s[q,j,t]
    ℓ[q,t]   = Σ_j exp(s[q,j,t] − m[q,t])
    o[q,t,:] = Σ_j exp(s[q,j,t] − m[q,t]) · V_j[t,:] / ℓ[q,t]
    lse[q,t] = m[q,t] + log ℓ[q,t]
    ```

    `o : tensor<S x T... x D x E>`, `lse : tensor<S x T... x f32>`.

    Optional destinations `outs(%o, %l : type, type)` (the results' types);
    after bufferization the memref form has memref operands, two memref
    destinations and no results (as `depth_attn`; property `has_outs`).

    Example:

    ```mlir
    %o, %lse = attnres.depth_attn_stats %Q, [%b0, %b1, %b2] {eps = 1.0e-05 : f32}
        : tensor<4x64xf32>, tensor<8x64xf32> -> tensor<4x8x64xf32>, tensor<4x8xf32>
    ```
  }];
  let arguments = (ins AttnRes_Shaped:$queries,
                       Variadic<AttnRes_Shaped>:$sourcesAndOuts,
                       AttnRes_EpsAttr:$eps,
                       UnitAttr:$has_outs);
  let results = (outs Variadic<AttnRes_Tensor>:$results);
  let hasCustomAssemblyFormat = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    // The value form (no destinations).
    OpBuilder<(ins "Type":$output, "Type":$lse, "Value":$queries,
                   "ValueRange":$sources, CArg<"FloatAttr", "{}">:$eps)>,
    // With destinations (tensors: results of their types; memrefs: none).
    OpBuilder<(ins "Value":$queries, "ValueRange":$sources,
                   "Value":$outputInit, "Value":$lseInit,
                   CArg<"FloatAttr", "{}">:$eps)>
  ];
  let extraClassDeclaration = [{
    /// The results (null in the memref form).
    ::mlir::Value getOutput();
    ::mlir::Value getLse();
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// DepthAttnMergeOp
//===----------------------------------------------------------------------===//

def AttnRes_DepthAttnMergeOp : AttnRes_Op<"depth_attn_merge",
    [AttnRes_DestinationForm, AttnRes_OptionalTensorResult, MemoryEffectsOpInterface,
     ConditionallySpeculatable,
     AttnRes_RowTiling<"getOutput()", ["getQueryMutable()"],
                       "getLseMutable()">,
     AttnRes_ReifyFromRelations]> {
  let summary = "two-phase AttnRes, phase 2: merge one more source";
  let description = [{
    Merges one more source `u` into a phase-1 result `(o, lse)` by online
    softmax, which is exact:

    ```
    s_u[t] = ρ(u)[t] · Σ_c q[c]·u[t,c]
    h[t,:] = o[t,:] + sigmoid(s_u[t] − lse[t]) · (u[t,:] − o[t,:])
    ```

    `o`, `u` and the result share one type `tensor<T... x D x E>`;
    `lse : tensor<T... x f32>`; `q : tensor<D x E'>`.

    An optional destination `outs(%init : type)` has the result's type; the
    memref form (after bufferization) has memref operands, a memref `outs`
    and no result. The destination may be `o` or `u` itself (the result is
    computed row by row, element by element).

    Example:

    ```mlir
    %h = attnres.depth_attn_merge %o, %lse, %q, %u {eps = 1.0e-05 : f32}
        : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
    ```
  }];
  let arguments = (ins AttnRes_Shaped:$output, AttnRes_F32Shaped:$lse,
                       AttnRes_Shaped:$query, AttnRes_Shaped:$source,
                       Optional<AttnRes_Shaped>:$init,
                       AttnRes_EpsAttr:$eps);
  let results = (outs Optional<AttnRes_Tensor>:$result);
  let hasCustomAssemblyFormat = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    // The value form (no destination).
    OpBuilder<(ins "Type":$result, "Value":$output, "Value":$lse,
                   "Value":$query, "Value":$source,
                   CArg<"FloatAttr", "{}">:$eps)>,
    // With a destination (tensor: a result of its type; memref: none).
    OpBuilder<(ins "Value":$output, "Value":$lse, "Value":$query,
                   "Value":$source, "Value":$init,
                   CArg<"FloatAttr", "{}">:$eps)>
  ];
  let hasVerifier = 1;
}

// The gradient (backward) ops.
include "attnres/Dialect/AttnRes/IR/AttnResGradOps.td"

// Sites with a fused RMSNorm epilogue.
include "attnres/Dialect/AttnRes/IR/AttnResFusedOps.td"

#endif // ATTNRES_DIALECT_ATTNRES_IR_ATTNRESOPS_TD
