//===- AttnResDialect.cpp - attnres dialect -------------------------------===//

#include "attnres/Dialect/AttnRes/IR/AttnResDialect.h"
#include "attnres/Dialect/AttnRes/IR/AttnResOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mlir::attnres;

#include "attnres/Dialect/AttnRes/IR/AttnResOpsDialect.cpp.inc"

void AttnResDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "attnres/Dialect/AttnRes/IR/AttnResOps.cpp.inc"
      >();
}

/// `attnres.chunk = c`: an integer attribute (any integer type) with
/// 0 <= c <= INT64_MAX. The rules that need the whole function (chunks do
/// not decrease, only ops of the body) are the stage-traffic analysis's.
/// Other discardable `attnres.*` attributes are results of passes and
/// accepted as they are.
LogicalResult
AttnResDialect::verifyOperationAttribute(Operation *op,
                                         NamedAttribute attribute) {
  if (attribute.getName() != kChunkAttrName)
    return success();
  auto chunk = dyn_cast<IntegerAttr>(attribute.getValue());
  if (!chunk || !isa<IntegerType, IndexType>(chunk.getType()))
    return op->emitError()
           << "'" << kChunkAttrName
           << "' must be an integer attribute (e.g. 3 : i64), got "
           << attribute.getValue();
  const APInt &value = chunk.getValue();
  bool isUnsigned = chunk.getType().isUnsignedInteger();
  if (!isUnsigned && value.isNegative()) {
    SmallString<24> text;
    value.toStringSigned(text);
    return op->emitError() << "'" << kChunkAttrName << "' must be >= 0, got "
                           << text;
  }
  if (value.getActiveBits() > 63)
    return op->emitError() << "'" << kChunkAttrName
                           << "' must be at most 2^63 - 1";
  return success();
}
