//===- AttnResDialect.cpp - attnres dialect -------------------------------===//

#include "attnres/Dialect/AttnRes/IR/AttnResDialect.h"
#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace mlir::attnres;

#include "attnres/Dialect/AttnRes/IR/AttnResOpsDialect.cpp.inc"

void AttnResDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "attnres/Dialect/AttnRes/IR/AttnResOps.cpp.inc"
      >();
}

/// Every discardable `attnres.*` attribute must be one the dialect declares,
/// with its type: `attnres.chunk = c` an integer (any integer type) with
/// 0 <= c <= INT64_MAX (the rules that need the whole function, chunks do not
/// decrease, are the stage-traffic analysis's), `attnres.streaming_stores`
/// unit, `attnres.chunks` array<i64>, `attnres.pipeline` and
/// `attnres.stage_traffic` dictionaries, `attnres.vjp` a flat symbol reference
/// on a function (that it names a function of the right signature is checked
/// by attnres-build-backward, which resolves it).
LogicalResult
AttnResDialect::verifyOperationAttribute(Operation *op,
                                         NamedAttribute attribute) {
  StringRef name = attribute.getName().strref();
  Attribute value = attribute.getValue();
  auto expect = [&](bool ok, StringRef what) -> LogicalResult {
    if (ok)
      return success();
    return op->emitError() << "'" << name << "' must be " << what << ", got "
                           << value;
  };
  if (name == kStreamingStoresAttrName)
    return expect(isa<UnitAttr>(value), "a unit attribute");
  if (name == kChunksAttrName) {
    auto chunks = dyn_cast<DenseI64ArrayAttr>(value);
    if (failed(expect(bool(chunks), "an array<i64: ...> of chunk numbers")))
      return failure();
    if (llvm::any_of(chunks.asArrayRef(), [](int64_t c) { return c < 0; }))
      return op->emitError() << "'" << name << "' must hold chunks >= 0";
    return success();
  }
  if (name == kPipelineAttrName || name == kStageTrafficAttrName)
    return expect(isa<DictionaryAttr>(value), "a dictionary");
  if (name == kVJPAttrName) {
    if (failed(expect(isa<FlatSymbolRefAttr>(value),
                      "a flat symbol reference (@function)")))
      return failure();
    if (!isa<FunctionOpInterface>(op))
      return op->emitError() << "'" << name
                             << "' must be on a function (the sublayer whose "
                                "vector-Jacobian product it names)";
    return success();
  }
  if (name != kChunkAttrName)
    return op->emitError() << "unknown attnres attribute '" << name
                           << "' (the dialect defines " << kChunkAttrName
                           << ", " << kStreamingStoresAttrName << ", "
                           << kChunksAttrName << ", " << kPipelineAttrName
                           << ", " << kStageTrafficAttrName << " and "
                           << kVJPAttrName << ")";
  auto chunk = dyn_cast<IntegerAttr>(attribute.getValue());
  if (!chunk || !isa<IntegerType, IndexType>(chunk.getType()))
    return op->emitError()
           << "'" << kChunkAttrName
           << "' must be an integer attribute (e.g. 3 : i64), got "
           << attribute.getValue();
  const APInt &number = chunk.getValue();
  bool isUnsigned = chunk.getType().isUnsignedInteger();
  if (!isUnsigned && number.isNegative()) {
    SmallString<24> text;
    number.toStringSigned(text);
    return op->emitError() << "'" << kChunkAttrName << "' must be >= 0, got "
                           << text;
  }
  if (number.getActiveBits() > 63)
    return op->emitError() << "'" << kChunkAttrName
                           << "' must be at most 2^63 - 1";
  return success();
}
