//===- AttnResBase.td - attnres dialect definition ---------*- tablegen -*-===//
//
// The attnres dialect: Attention Residuals (softmax attention over depth).
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_IR_ATTNRESBASE_TD
#define ATTNRES_DIALECT_ATTNRES_IR_ATTNRESBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/TilingInterface.td"

def AttnRes_Dialect : Dialect {
  let name = "attnres";
  let cppNamespace = "::mlir::attnres";
  let summary = "Attention Residuals: softmax attention over a network's depth";
  let description = [{
    Attention Residuals (AttnRes, arXiv 2603.15031) replace the fixed
    `h_{l+1} = h_l + f_l(h_l)` residual stream of a transformer with softmax
    attention over depth: every sublayer mixes the earlier layer outputs (its
    *sources*) with weights computed from a learned per-layer pseudo-query
    against RMS-normalized keys.

    A *source* is a ranked tensor `tensor<T0 x ... x D x E>` whose last dimension
    is the hidden size `D` and whose leading dimensions are token dimensions
    (static or dynamic, possibly none). `E` is `f32`, `f16` or `bf16`; for
    `f16`/`bf16` all statistics, logits and softmax weights are computed in
    `f32` and the result is rounded back to `E`. Logits, softmax weights and
    log-sum-exp values are always `f32` tensors.

    The ops come in four groups:
    * the fused site `attnres.depth_attn`, and its two-phase form
      `attnres.depth_attn_stats` + `attnres.depth_attn_merge`;
    * the unfused steps a frontend emits: `attnres.rms_norm`,
      `attnres.depth_logits`, `attnres.depth_softmax`, `attnres.depth_combine`;
    * `attnres.block_summary`, the sum of a block's sublayer outputs;
    * the gradients (training): `attnres.depth_attn_grad`,
      `attnres.rms_norm_grad`, `attnres.depth_attn_stats_grad`,
      `attnres.depth_attn_merge_grad`.
  }];
  let usePropertiesForAttributes = 1;
  let hasConstantMaterializer = 1;
  // The discardable attributes attnres defines (and nothing else under the
  // `attnres.` prefix): each is checked on every op that carries it.
  let discardableAttrs = (ins
    // The first op of a pipeline chunk: an integer 0 <= c <= 2^63 - 1.
    "::mlir::IntegerAttr":$chunk,
    // An scf.for whose stores may become non-temporal
    // (attnres-streaming-stores).
    "::mlir::UnitAttr":$streaming_stores,
    // The chunks a per-rank function of attnres-pipeline-partition runs.
    "::mlir::DenseI64ArrayAttr":$chunks,
    // attnres-pipeline-partition's summary on the dispatching function.
    "::mlir::DictionaryAttr":$pipeline,
    // attnres-stage-traffic's result on the analyzed function.
    "::mlir::DictionaryAttr":$stage_traffic,
    // On a function (a sublayer): its vector-Jacobian product, which
    // attnres-build-backward calls at every func.call of that function.
    "::mlir::FlatSymbolRefAttr":$vjp
  );
  let hasOperationAttrVerify = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

// The value form and the memref form of an op with destinations
// (AttnResTraits.h): hasBufferSemantics, the memory effects and the
// speculatability of the two forms, stated once.
def AttnRes_DestinationForm : NativeOpTrait<"DestinationForm"> {
  let cppNamespace = "::mlir::attnres";
}

// An op with one optional tensor result (none in the memref form). Its
// `getType()` is declared on the op itself (a trait's would be ambiguous with
// VariadicResults' `getType(unsigned)`).
def AttnRes_OptionalTensorResult : NativeOpTrait<"OptionalTensorResult", [],
    [{
    /// The result's type (null in the memref form).
    ::mlir::RankedTensorType getType() {
      return getNumResults() == 1
                 ? ::llvm::dyn_cast<::mlir::RankedTensorType>(
                       getOperation()->getResult(0).getType())
                 : ::mlir::RankedTensorType();
    }
    }]> {
  let cppNamespace = "::mlir::attnres";
}

class AttnRes_Op<string mnemonic, list<Trait> traits = []>
    : Op<AttnRes_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Methods the ops share, generated once
//===----------------------------------------------------------------------===//
//
// As upstream's InferTypeOpAdaptor: a trait list that declares an
// interface's methods on the op and a native trait whose
// `extraOpDefinition` defines them ($cppClass is the op) as forwarders to
// public functions of the IR library (AttnResTraits.h, AttnResRowTiling.h,
// AttnResShapeInterfaces.h); the operand-group accessors likewise. Ops with
// rules of their own (depth_attn_stats' tiling, the gradient ops' operand
// layout) declare and define the methods by hand.

// A native trait of the attnres namespace (AttnResTraits.h) that adds code
// to the op classes that list it.
class AttnRes_NativeOpTrait<string name, code extraOpDeclaration = [{}],
                            code extraOpDefinition = [{}]>
    : NativeOpTrait<name, [], extraOpDeclaration, extraOpDefinition> {
  let cppNamespace = "::mlir::attnres";
}

// The accessors of an op whose operands are `leading` operands, then the
// variadic group `name` (get<name>(), get<name>Mutable()), then, when the
// `has_outs` property is set, `numInits` destinations (getInit() for one,
// getInits() and getInitsMutable() for more). The operands are stored as
// one group so that the generic form of an op without destinations is the
// same as before destinations existed.
class AttnRes_OperandGroup<string name, int leading, int numInits = 1>
    : AttnRes_NativeOpTrait<"OperandGroup",
    "/// The `" # name # "` group (the operands after the first "
    # leading # ", before the destinations).\n"
    "::mlir::OperandRange get" # name # "();\n"
    "::mlir::MutableOperandRange get" # name # "Mutable();\n"
    # !if(!eq(numInits, 1),
      "/// The destination, or null without one.\n"
      "::mlir::Value getInit();\n",
      "/// The destinations (none, or " # numInits # ").\n"
      "::mlir::OperandRange getInits();\n"
      "::mlir::MutableOperandRange getInitsMutable();\n"),
    "::mlir::OperandRange $cppClass::get" # name # "() {\n"
    "  return ::mlir::attnres::detail::getOperandGroup(\n"
    "      getOperation(), " # leading # ", getHasOuts() ? " # numInits
    # " : 0);\n}\n\n"
    "::mlir::MutableOperandRange $cppClass::get" # name # "Mutable() {\n"
    "  return ::mlir::attnres::detail::getOperandGroupMutable(\n"
    "      getOperation(), " # leading # ", getHasOuts() ? " # numInits
    # " : 0);\n}\n\n"
    # !if(!eq(numInits, 1),
      "::mlir::Value $cppClass::getInit() {\n"
      "  return ::mlir::attnres::detail::trailingInit(getOperation(),\n"
      "      getHasOuts(), " # !add(leading, 1) # ");\n}\n",
      "::mlir::OperandRange $cppClass::getInits() {\n"
      "  return ::mlir::attnres::detail::getGroupInits(\n"
      "      getOperation(), " # leading # ", getHasOuts() ? " # numInits
      # " : 0);\n}\n\n"
      "::mlir::MutableOperandRange $cppClass::getInitsMutable() {\n"
      "  return ::mlir::attnres::detail::getGroupInitsMutable(\n"
      "      getOperation(), " # leading # ", getHasOuts() ? " # numInits
      # " : 0);\n}\n")>;

// ReifyRankedShapedTypeOpInterface derived from the op's shape relations
// (describe(); reifyResultShapesFromRelations in AttnResShapeInterfaces.h):
// every attnres op, no per-op code.
def AttnRes_ReifyFromRelations : TraitList<[
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
        ["reifyResultShapes"]>,
    AttnRes_NativeOpTrait<"ReifyFromRelations", [{}], [{
      ::llvm::LogicalResult $cppClass::reifyResultShapes(
          ::mlir::OpBuilder &builder,
          ::mlir::ReifiedRankedShapedTypeDims &reifiedReturnShapes) {
        return ::mlir::attnres::reifyResultShapesFromRelations(
            getOperation(), builder, reifiedReturnShapes);
      }
    }]>]>;

// TilingInterface over the token rows of a row op, whose results have the
// shape of the row-shaped operand `rows`, row for row
// (AttnResRowTiling.h). The op's `RowParts`: `rows` (an expression of the
// op's accessors giving that operand), `whole` (accessors of the operands a
// tile takes whole, the query and gain: `get...Mutable()`) and `rowsOnly`
// (the accessor of an operand tiled to the rows without the hidden dim, the
// LSE). Every other operand, destinations included, is tiled to the tile's
// rows.
class AttnRes_RowTiling<string rows, list<string> whole = [],
                        string rowsOnly = ""> : TraitList<[
    DeclareOpInterfaceMethods<TilingInterface, ["getLoopIteratorTypes",
        "getIterationDomain", "getTiledImplementation",
        "getResultTilePosition"]>,
    AttnRes_NativeOpTrait<"RowTiling", [{
      /// How a token-row tile takes the operands (AttnResRowTiling.h).
      ::mlir::attnres::RowParts getRowParts();
    }],
    "::mlir::attnres::RowParts $cppClass::getRowParts() {\n"
    "  return {" # rows # ", {"
    # !interleave(!foreach(operand, whole, "&" # operand), ", ") # "}, "
    # !if(!empty(rowsOnly), "nullptr", "&" # rowsOnly) # ",\n"
    "          ::mlir::attnres::detail::numInits(*this)};\n"
    "}\n" # [{
      ::llvm::SmallVector<::mlir::utils::IteratorType>
      $cppClass::getLoopIteratorTypes() {
        return ::mlir::attnres::getRowIteratorTypes(getRowParts());
      }

      ::llvm::SmallVector<::mlir::Range>
      $cppClass::getIterationDomain(::mlir::OpBuilder &b) {
        return ::mlir::attnres::getRowIterationDomain(getOperation(),
                                                      getRowParts(), b);
      }

      ::mlir::FailureOr<::mlir::TilingResult>
      $cppClass::getTiledImplementation(
          ::mlir::OpBuilder &b, ::llvm::ArrayRef<::mlir::OpFoldResult> offsets,
          ::llvm::ArrayRef<::mlir::OpFoldResult> sizes) {
        return ::mlir::attnres::getTiledRowImplementation(
            getOperation(), getRowParts(), b, offsets, sizes);
      }

      ::llvm::LogicalResult $cppClass::getResultTilePosition(
          ::mlir::OpBuilder &b, unsigned resultNumber,
          ::llvm::ArrayRef<::mlir::OpFoldResult> offsets,
          ::llvm::ArrayRef<::mlir::OpFoldResult> sizes,
          ::llvm::SmallVector<::mlir::OpFoldResult> &resultOffsets,
          ::llvm::SmallVector<::mlir::OpFoldResult> &resultSizes) {
        return ::mlir::attnres::getRowResultTilePosition(
            getOperation(), getRowParts(), b, offsets, sizes, resultOffsets,
            resultSizes);
      }
    }]>]>;

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

/// The element types of sources, values, keys and outputs.
def AttnRes_Float : AnyTypeOf<[F32, F16, BF16]>;

/// A source, value, key or output: a ranked tensor of f32, f16 or bf16.
def AttnRes_Tensor : RankedTensorOf<[AttnRes_Float]>;

/// Logits, softmax weights and LSE: ranked f32 tensors.
def AttnRes_F32Tensor : RankedTensorOf<[F32]>;

/// The memref form of a source, value or output (after bufferization): a
/// ranked memref of f32, f16 or bf16 with any layout.
def AttnRes_MemRef : MemRefOf<[F32, F16, BF16]>;

/// An operand of the ops that have a memref form (depth_attn,
/// depth_attn_stats, depth_attn_merge): a tensor before bufferization, a
/// memref after it (docs/semantics.md, "Destinations and bufferization").
def AttnRes_Shaped : AnyTypeOf<[AttnRes_Tensor, AttnRes_MemRef]>;

/// The f32 counterpart (LSE operands) of AttnRes_Shaped.
def AttnRes_F32Shaped : AnyTypeOf<[AttnRes_F32Tensor, MemRefOf<[F32]>]>;

/// The epsilon inside the RMS square root: an f32 attribute, default 1e-5.
def AttnRes_EpsAttr : DefaultValuedAttr<F32Attr, "1.0e-05">;

#endif // ATTNRES_DIALECT_ATTNRES_IR_ATTNRESBASE_TD
