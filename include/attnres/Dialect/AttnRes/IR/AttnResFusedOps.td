//===- AttnResFusedOps.td - sites with a fused RMSNorm epilogue -*- tablegen -*-===//
//
// A site (depth_attn) or a two-phase merge (depth_attn_merge) followed by the
// next sublayer's PreNorm (rms_norm of its result), as one op. Built by
// `attnres-fuse-norm-epilogues`; decomposes back into the two ops
// (linalg::AggregatedOpInterface). Included at the end of AttnResOps.td; the
// verifiers and builders are at the end of lib/Dialect/AttnRes/IR/
// AttnResOps.cpp, the tiling and reified shapes in AttnResInterfaces.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_IR_ATTNRESFUSEDOPS_TD
#define ATTNRES_DIALECT_ATTNRES_IR_ATTNRESFUSEDOPS_TD

include "attnres/Dialect/AttnRes/IR/AttnResBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/TilingInterface.td"

class AttnRes_NormEpilogueOp<string mnemonic, list<Trait> traits = []>
    : AttnRes_Op<mnemonic, !listconcat(traits, [
        AttnRes_DestinationForm, MemoryEffectsOpInterface,
        ConditionallySpeculatable,
        DeclareOpInterfaceMethods<TilingInterface, ["getLoopIteratorTypes",
           "getIterationDomain", "getTiledImplementation",
           "getResultTilePosition"]>,
        DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
           ["reifyResultShapes"]>])> {
  let results = (outs Variadic<AttnRes_Tensor>:$results);
  let hasVerifier = 1;
  code commonDeclarations = [{
    /// The normalized value `rms_norm(h)` (null in the memref form).
    ::mlir::Value getNormed() {
      return getNumResults() >= 1 ? getResult(0) : ::mlir::Value();
    }
    /// The site's value `h`: only a result when the op keeps it (null
    /// otherwise and in the memref form).
    ::mlir::Value getMerged() {
      return getNumResults() == 2 ? getResult(1) : ::mlir::Value();
    }
    /// The destination of the normalized value (null without destinations).
    ::mlir::Value getNormedInit() {
      return getInits().empty() ? ::mlir::Value() : getInits()[0];
    }
    /// The destination of `h` (null unless the op keeps `h`).
    ::mlir::Value getMergedInit() {
      return getInits().size() == 2 ? getInits()[1] : ::mlir::Value();
    }
    /// Whether `h` is a result (or, in the memref form, has a destination).
    bool keepsMerged() {
      return getNumResults() == 2 || getInits().size() == 2;
    }
    /// The shaped type of `h` and of the normalized value.
    ::mlir::ShapedType getRowType();
  }];
}

//===----------------------------------------------------------------------===//
// DepthAttnNormOp
//===----------------------------------------------------------------------===//

def AttnRes_DepthAttnNormOp : AttnRes_NormEpilogueOp<"depth_attn_norm",
    [AttrSizedOperandSegments]> {
  let summary = "AttnRes site followed by the RMSNorm of its result";
  let description = [{
    `attnres.depth_attn` of `%q` over the sources, then `attnres.rms_norm` of
    its result `h` with gain `%gain` and `norm_eps`, as one op:

    ```
    h      = depth_attn(q, [V_0, ..., V_(n-1)]) {eps}
    normed = rms_norm(h, gain) {eps = norm_eps}
    ```

    Results: `normed`, then `h` only when the op keeps it (a second result
    type); without it the kernels never write `h` to memory. `h` is rounded
    to the sources' element type before it is normalized, exactly as the
    two ops do. `attnres-fuse-norm-epilogues` builds it when the result of a
    site feeds an `rms_norm`; it decomposes into the two ops.

    Optional destinations `outs(%n_init[, %h_init] : ...)` (one per result).
    The memref form (after bufferization) has memref operands, one or two
    memref destinations (the second keeps `h`) and no results.

    Example:

    ```mlir
    %n, %h = attnres.depth_attn_norm %q, [%v0, %v1], %gain
        {eps = 1.0e-06 : f32, norm_eps = 1.0e-05 : f32}
        : tensor<64xf32>, tensor<8x64xf32>, tensor<64xf32>
          -> tensor<8x64xf32>, tensor<8x64xf32>
    ```
  }];
  let arguments = (ins AttnRes_Shaped:$query,
                       Variadic<AttnRes_Shaped>:$sources,
                       AttnRes_Shaped:$gain,
                       Variadic<AttnRes_Shaped>:$inits,
                       AttnRes_EpsAttr:$eps,
                       AttnRes_EpsAttr:$norm_eps);
  let assemblyFormat = [{
    $query `,` `[` $sources `]` `,` $gain
    (`outs` `(` $inits^ `:` type($inits) `)`)? attr-dict `:`
    type($query) `,` custom<UniformTypes>(ref($sources), type($sources)) `,`
    type($gain) (`->` type($results)^)?
  }];
  let skipDefaultBuilders = 1;
  let builders = [
    // The value form: `keepMerged` adds the `h` result.
    OpBuilder<(ins "Value":$query, "ValueRange":$sources, "Value":$gain,
                   "bool":$keepMerged, "FloatAttr":$eps,
                   "FloatAttr":$norm_eps)>,
    // With destinations (tensors: results of their types; memrefs: none).
    OpBuilder<(ins "Value":$query, "ValueRange":$sources, "Value":$gain,
                   "ValueRange":$inits, "FloatAttr":$eps,
                   "FloatAttr":$norm_eps)>
  ];
  let extraClassDeclaration = commonDeclarations;
}

//===----------------------------------------------------------------------===//
// DepthAttnMergeNormOp
//===----------------------------------------------------------------------===//

def AttnRes_DepthAttnMergeNormOp
    : AttnRes_NormEpilogueOp<"depth_attn_merge_norm"> {
  let summary = "two-phase merge followed by the RMSNorm of its result";
  let description = [{
    `attnres.depth_attn_merge` of `(%o, %lse)` with `%u`, then
    `attnres.rms_norm` of its result `h` with gain `%gain` and `norm_eps`:

    ```
    h      = depth_attn_merge(o, lse, q, u) {eps}
    normed = rms_norm(h, gain) {eps = norm_eps}
    ```

    Results, destinations and the memref form as `attnres.depth_attn_norm`:
    `normed`, then `h` only when kept.

    Example:

    ```mlir
    %n = attnres.depth_attn_merge_norm %o, %lse, %q, %u, %gain
        : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>,
          tensor<64xf32> -> tensor<8x64xf32>
    ```
  }];
  let arguments = (ins AttnRes_Shaped:$output, AttnRes_F32Shaped:$lse,
                       AttnRes_Shaped:$query, AttnRes_Shaped:$source,
                       AttnRes_Shaped:$gain,
                       Variadic<AttnRes_Shaped>:$inits,
                       AttnRes_EpsAttr:$eps,
                       AttnRes_EpsAttr:$norm_eps);
  let assemblyFormat = [{
    $output `,` $lse `,` $query `,` $source `,` $gain
    (`outs` `(` $inits^ `:` type($inits) `)`)? attr-dict `:`
    type($output) `,` type($lse) `,` type($query) `,` type($source) `,`
    type($gain) (`->` type($results)^)?
  }];
  let skipDefaultBuilders = 1;
  let builders = [
    OpBuilder<(ins "Value":$output, "Value":$lse, "Value":$query,
                   "Value":$source, "Value":$gain, "bool":$keepMerged,
                   "FloatAttr":$eps, "FloatAttr":$norm_eps)>,
    OpBuilder<(ins "Value":$output, "Value":$lse, "Value":$query,
                   "Value":$source, "Value":$gain, "ValueRange":$inits,
                   "FloatAttr":$eps, "FloatAttr":$norm_eps)>
  ];
  let extraClassDeclaration = commonDeclarations;
}

#endif // ATTNRES_DIALECT_ATTNRES_IR_ATTNRESFUSEDOPS_TD
