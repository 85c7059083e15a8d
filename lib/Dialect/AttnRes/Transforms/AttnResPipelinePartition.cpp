//===- AttnResPipelinePartition.cpp - SPMD pipeline over MPI ranks --------===//
//
// Turns a function whose ops are assigned to pipeline chunks (`attnres.chunk`)
// into one SPMD program: a private function per rank runs that rank's chunks
// in order and exchanges exactly the messages `StageTrafficAnalysis` lists
// (cross-stage caching: blocks the receiver already holds are not resent);
// the original function dispatches on the MPI rank.
//
//   func.func @f(%emb) -> T              func.func private @f.rank0(%emb) {
//     ... {attnres.chunk = 0}              <parameters>; <chunk 0>; send hop 0
//     ... {attnres.chunk = 1}              recv hop 1; <chunk 2>; send hop 2
//     ... return %y                          func.func private @f.rank1(...)
//     ...
//                                        func.func @f(%emb) -> T {
//                                          %rank =
//                                          mpi.comm_rank(mpi.comm_world)
//                                          scf.index_switch %rank -> T
//                                            case r { call @f.rank<r> ... }
//
// A module pass: it creates functions, sets the module's MPI implementation
// (`dlti.map`) and wraps the entry function in mpi.init / mpi.finalize.
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/Analysis/StageTraffic.h"
#include "attnres/Dialect/AttnRes/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/DLTI/DLTI.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MPI/IR/MPI.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/Support/CheckedArithmetic.h"
#include <climits>
#include <optional>

namespace mlir {
namespace attnres {
#define GEN_PASS_DEF_ATTNRESPIPELINEPARTITIONPASS
#include "attnres/Dialect/AttnRes/Transforms/Passes.h.inc"
} // namespace attnres
} // namespace mlir

using namespace mlir;
using namespace mlir::attnres;

namespace {

constexpr StringLiteral kMPIImplementationKey = "MPI:Implementation";
constexpr StringLiteral kMapAttrName = "dlti.map";

/// Element type a message carries for `type` (f16/bf16 travel as i16), or
/// null when the upstream MPI lowering has no datatype for it.
Type wireElementType(Type type) {
  if (type.isF32() || type.isF64())
    return type;
  if (type.isF16() || type.isBF16())
    return IntegerType::get(type.getContext(), 16);
  if (auto intType = dyn_cast<IntegerType>(type)) {
    unsigned width = intType.getWidth();
    if (width == 8 || width == 16 || width == 32 || width == 64)
      return type;
  }
  return {};
}

/// Whether values of `type` can be sent: static tensors of a wire type with
/// at most INT_MAX elements (MPI counts are `int`). The element count is
/// checked: `getNumElements` wraps around in a release build.
bool isSendable(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape() || tensor.getEncoding() ||
      !wireElementType(tensor.getElementType()))
    return false;
  if (llvm::is_contained(tensor.getShape(), 0))
    return true;
  std::optional<int64_t> count = 1;
  for (int64_t dim : tensor.getShape())
    if (count)
      count = llvm::checkedMul(*count, dim);
  return count && *count <= INT_MAX;
}

/// A zero of `type` (results on the ranks that do not compute them).
TypedAttr zeroAttr(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type)) {
    if (!tensor.hasStaticShape() || tensor.getEncoding())
      return {};
    Type elem = tensor.getElementType();
    if (isa<FloatType>(elem))
      return DenseElementsAttr::get(tensor, FloatAttr::get(elem, 0.0));
    if (isa<IntegerType, IndexType>(elem))
      return DenseElementsAttr::get(tensor, IntegerAttr::get(elem, 0));
    return {};
  }
  if (isa<FloatType>(type))
    return FloatAttr::get(type, 0.0);
  if (isa<IntegerType, IndexType>(type))
    return IntegerAttr::get(type, 0);
  return {};
}

/// Reinterprets the bits of a rank-1 tensor as `elementType` (f16/bf16 <->
/// i16), elementwise in a `linalg.map` (bufferizable, unlike arith.bitcast on
/// tensors).
Value bitcastElements(OpBuilder &b, Location loc, Value flat,
                      Type elementType) {
  auto type = cast<RankedTensorType>(flat.getType());
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(), elementType);
  auto map = linalg::MapOp::create(
      b, loc, ValueRange{flat}, init,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value cast = arith::BitcastOp::create(nb, nloc, elementType, args[0]);
        linalg::YieldOp::create(nb, nloc, cast);
      });
  return map.getResult().front();
}

/// i32 constants (tags, ranks) created once per function, after `anchor`.
class I32Constants {
public:
  explicit I32Constants(Operation *anchor) : last(anchor) {}
  Value get(OpBuilder &b, int64_t value) {
    Value &slot = values[value];
    if (!slot) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointAfter(last);
      slot = arith::ConstantOp::create(b, last->getLoc(),
                                       b.getI32IntegerAttr(value));
      last = slot.getDefiningOp();
    }
    return slot;
  }

private:
  Operation *last;
  llvm::SmallDenseMap<int64_t, Value> values;
};

/// Emits `mpi.send` of `value` (a sendable tensor) as a rank-1 buffer.
void emitSend(OpBuilder &b, Location loc, Value value, int64_t tag,
              int64_t dest, Value comm, I32Constants &i32) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t n = type.getNumElements();
  auto flatType = RankedTensorType::get({n}, type.getElementType());
  Value flat = value;
  if (type.getRank() == 0)
    flat = tensor::ExpandShapeOp::create(b, loc, flatType, value,
                                         ArrayRef<ReassociationIndices>{});
  else if (type.getRank() > 1)
    flat = tensor::CollapseShapeOp::create(
        b, loc, value,
        ArrayRef<ReassociationIndices>{
            llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()))});
  Type wire = wireElementType(type.getElementType());
  if (wire != type.getElementType())
    flat = bitcastElements(b, loc, flat, wire);
  Value buffer = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get({n}, wire), flat, /*read_only=*/true);
  mpi::SendOp::create(b, loc, /*retval=*/Type(), buffer, i32.get(b, tag),
                      i32.get(b, dest), comm);
}

/// Emits `mpi.recv` of a value of `type` into a fresh buffer and returns it
/// as a tensor of `type`.
Value emitRecv(OpBuilder &b, Location loc, RankedTensorType type, int64_t tag,
               int64_t source, Value comm, I32Constants &i32) {
  int64_t n = type.getNumElements();
  Type wire = wireElementType(type.getElementType());
  Value buffer = memref::AllocOp::create(b, loc, MemRefType::get({n}, wire));
  mpi::RecvOp::create(b, loc, /*retval=*/Type(), buffer, i32.get(b, tag),
                      i32.get(b, source), comm);
  Value flat = bufferization::ToTensorOp::create(
      b, loc, RankedTensorType::get({n}, wire), buffer, /*restrict=*/true,
      /*writable=*/true);
  if (wire != type.getElementType())
    flat = bitcastElements(b, loc, flat, type.getElementType());
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, type, flat,
                                           ArrayRef<ReassociationIndices>{});
  if (type.getRank() == 1)
    return flat;
  return tensor::ExpandShapeOp::create(
      b, loc, type, flat,
      ArrayRef<ReassociationIndices>{
          llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()))});
}

/// Values defined outside `op` that it uses (operands and captured values).
void collectUsedValues(Operation *op, SetVector<Value> &used) {
  op->walk([&](Operation *nested) {
    for (Value v : nested->getOperands()) {
      Operation *owner = v.getParentRegion()->getParentOp();
      if (nested == op || !(owner == op || op->isProperAncestor(owner)))
        used.insert(v);
    }
  });
}

/// Everything needed to partition one function.
struct PartitionPlan {
  func::FuncOp func;
  const StageTrafficAnalysis *analysis;
  StageTraffic traffic;
  int64_t resultRank = 0;
};

struct AttnResPipelinePartitionPass
    : attnres::impl::AttnResPipelinePartitionPassBase<
          AttnResPipelinePartitionPass> {
  using Base::Base;

  void runOnOperation() override;

private:
  LogicalResult plan(func::FuncOp func, PartitionPlan &result);
  LogicalResult buildRankFunction(const PartitionPlan &p, int64_t rank,
                                  SymbolTable &symbols, func::FuncOp &created);
  void buildDispatcher(const PartitionPlan &p, ArrayRef<func::FuncOp> ranks);
  LogicalResult setMPIImplementation(ModuleOp module);
  void wrapEntry(ModuleOp module);
};

LogicalResult AttnResPipelinePartitionPass::plan(func::FuncOp func,
                                                 PartitionPlan &result) {
  const auto &analysis = getChildAnalysis<StageTrafficAnalysis>(func);
  StageTrafficOptions options;
  options.stages = stages;
  options.virtualStages = virtualStages;
  options.reuseOwnBlocks = reuseOwnBlocks;
  FailureOr<StageTraffic> traffic = analysis.getTraffic(options);
  if (failed(traffic))
    return failure();

  // Every message must be a static tensor the MPI lowering can carry. A
  // value that cannot travel makes the chunking impossible to honour: the
  // pass fails rather than recompute the value on the using rank.
  ArrayRef<TravellingValue> values = analysis.getTravellingValues();
  llvm::SmallDenseSet<unsigned> checked;
  for (const HopTraffic &hop : traffic->hops) {
    for (unsigned i : hop.sent) {
      const TravellingValue &tv = values[i];
      if (!checked.insert(i).second || isSendable(tv.value.getType()))
        continue;
      InFlightDiagnostic diag =
          emitError(tv.value.getLoc())
          << "attnres-pipeline-partition: a value of type "
          << tv.value.getType() << " defined in chunk " << tv.defChunk
          << " is used in chunk " << tv.lastUseChunk
          << "; only statically shaped tensors of f32, f64, f16, bf16 or "
             "8/16/32/64-bit integers (at most 2^31-1 elements) can travel, "
             "so the chunking cannot be honoured (the value would cross hop "
          << (&hop - traffic->hops.begin()) << ", rank " << hop.fromRank
          << " -> rank " << hop.toRank << ")";
      for (Operation *user : tv.value.getUsers()) {
        if (analysis.getChunk(user) != tv.lastUseChunk)
          continue;
        diag.attachNote(user->getLoc())
            << "used here, in chunk " << tv.lastUseChunk << " (rank "
            << tv.lastUseChunk % int64_t(stages) << ")";
        break;
      }
      return diag;
    }
  }

  // The ranks that do not compute the results return zeros.
  for (auto [i, type] : llvm::enumerate(func.getResultTypes()))
    if (!zeroAttr(type))
      return func.emitError()
             << "attnres-pipeline-partition: result #" << i << " of type "
             << type
             << " has no zero value for the ranks that do not compute it "
                "(needs a static tensor or a scalar of int, index or float)";

  Operation *terminator = func.getBody().front().getTerminator();
  result.func = func;
  result.analysis = &analysis;
  result.traffic = std::move(*traffic);
  result.resultRank = analysis.getChunk(terminator) % int64_t(stages);
  return success();
}

LogicalResult AttnResPipelinePartitionPass::buildRankFunction(
    const PartitionPlan &p, int64_t rank, SymbolTable &symbols,
    func::FuncOp &created) {
  func::FuncOp func = p.func;
  const StageTrafficAnalysis &analysis = *p.analysis;
  ArrayRef<TravellingValue> values = analysis.getTravellingValues();
  MLIRContext *ctx = func.getContext();
  Location loc = func.getLoc();
  int64_t P = stages;
  int64_t C = p.traffic.chunks;
  bool ownsResults = rank == p.resultRank;
  Operation *terminator = func.getBody().front().getTerminator();

  SmallVector<int64_t> chunks;
  for (int64_t c = rank; c < C; c += P)
    chunks.push_back(c);

  OpBuilder b(ctx);
  auto type =
      FunctionType::get(ctx, func.getArgumentTypes(),
                        ownsResults ? func.getResultTypes() : TypeRange());
  created = func::FuncOp::create(
      b, loc, (func.getName() + ".rank" + Twine(rank)).str(), type);
  created.setPrivate();
  created->setAttr(kChunksAttrName, b.getDenseI64ArrayAttr(chunks));
  symbols.insert(created, std::next(Block::iterator(func)));
  Block *entry = created.addEntryBlock();
  b.setInsertionPointToStart(entry);

  IRMapping map;
  for (auto [from, to] : llvm::zip(func.getArguments(), entry->getArguments()))
    map.map(from, to);

  // The ops this rank runs, in body order.
  SmallVector<Operation *> ops;
  for (Operation *op : analysis.getBodyOps()) {
    if (op == terminator || analysis.isParameterOp(op))
      continue;
    if (analysis.getChunk(op) % P == rank)
      ops.push_back(op);
  }

  // Parameters: materialize the ones this rank uses, with what they use.
  SetVector<Value> used;
  for (Operation *op : ops)
    collectUsedValues(op, used);
  if (ownsResults)
    used.insert(terminator->getOperands().begin(),
                terminator->getOperands().end());
  llvm::DenseSet<Operation *> neededParams;
  SmallVector<Value> worklist(used.begin(), used.end());
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    Operation *def = v.getDefiningOp();
    if (!def || !analysis.isParameterOp(def) ||
        !neededParams.insert(def).second)
      continue;
    SetVector<Value> inner;
    collectUsedValues(def, inner);
    worklist.append(inner.begin(), inner.end());
  }
  for (Operation *op : analysis.getBodyOps())
    if (neededParams.contains(op))
      b.clone(*op, map)->removeAttr(kChunkAttrName);

  Value comm;
  if (P > 1)
    comm = mpi::CommWorldOp::create(b, loc, mpi::CommType::get(ctx));
  I32Constants i32(comm ? comm.getDefiningOp() : nullptr);

  auto *opIt = ops.begin();
  for (int64_t chunk : chunks) {
    if (chunk > 0 && P > 1) {
      const HopTraffic &hop = p.traffic.hops[chunk - 1];
      for (auto [tag, i] : llvm::enumerate(hop.sent)) {
        const TravellingValue &tv = values[i];
        Value received = emitRecv(b, tv.value.getLoc(),
                                  cast<RankedTensorType>(tv.value.getType()),
                                  tag, hop.fromRank, comm, i32);
        map.map(tv.value, received);
      }
    }
    for (; opIt != ops.end() && analysis.getChunk(*opIt) == chunk; ++opIt)
      b.clone(**opIt, map)->removeAttr(kChunkAttrName);
    if (chunk + 1 < C && P > 1) {
      const HopTraffic &hop = p.traffic.hops[chunk];
      for (auto [tag, i] : llvm::enumerate(hop.sent)) {
        const TravellingValue &tv = values[i];
        Value held = map.lookupOrNull(tv.value);
        if (!held)
          return emitError(tv.value.getLoc())
                 << "attnres-pipeline-partition: internal error: rank " << rank
                 << " must send this value at hop " << chunk
                 << " but does not hold it";
        emitSend(b, tv.value.getLoc(), held, tag, hop.toRank, comm, i32);
      }
    }
  }

  SmallVector<Value> results;
  if (ownsResults)
    for (Value v : terminator->getOperands())
      results.push_back(map.lookupOrDefault(v));
  func::ReturnOp::create(b, terminator->getLoc(), results);
  return success();
}

void AttnResPipelinePartitionPass::buildDispatcher(
    const PartitionPlan &p, ArrayRef<func::FuncOp> ranks) {
  func::FuncOp func = p.func;
  Block &body = func.getBody().front();
  Location loc = func.getLoc();
  // Drop the old body (its ops were cloned into the rank functions).
  body.getTerminator()->erase();
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body))) {
    op.dropAllUses();
    op.erase();
  }

  OpBuilder b = OpBuilder::atBlockEnd(&body);
  MLIRContext *ctx = func.getContext();
  Value comm = mpi::CommWorldOp::create(b, loc, mpi::CommType::get(ctx));
  Value rank =
      mpi::CommRankOp::create(b, loc, /*retval=*/Type(), b.getI32Type(), comm)
          .getRank();
  Value index = arith::IndexCastOp::create(b, loc, b.getIndexType(), rank);
  SmallVector<int64_t> cases = llvm::to_vector(
      llvm::seq<int64_t>(0, static_cast<int64_t>(ranks.size())));
  TypeRange resultTypes = func.getResultTypes();
  auto dispatch = scf::IndexSwitchOp::create(b, loc, resultTypes, index, cases,
                                             cases.size());
  auto yieldZeros = [&](OpBuilder &rb) {
    SmallVector<Value> zeros;
    for (Type t : resultTypes)
      zeros.push_back(arith::ConstantOp::create(rb, loc, zeroAttr(t)));
    scf::YieldOp::create(rb, loc, zeros);
  };
  for (auto [r, rankFunc] : llvm::enumerate(ranks)) {
    Block *block = b.createBlock(&dispatch.getCaseRegions()[r]);
    OpBuilder rb = OpBuilder::atBlockEnd(block);
    auto call = func::CallOp::create(rb, loc, rankFunc,
                                     ValueRange(func.getArguments()));
    if (static_cast<int64_t>(r) == p.resultRank)
      scf::YieldOp::create(rb, loc, call.getResults());
    else
      yieldZeros(rb);
  }
  Block *fallback = b.createBlock(&dispatch.getDefaultRegion());
  OpBuilder fb = OpBuilder::atBlockEnd(fallback);
  yieldZeros(fb);
  b.setInsertionPointAfter(dispatch);
  func::ReturnOp::create(b, loc, dispatch.getResults());

  Builder attrs(ctx);
  func->setAttr(
      kPipelineAttrName,
      attrs.getDictionaryAttr(
          {attrs.getNamedAttr("stages", attrs.getI64IntegerAttr(stages)),
           attrs.getNamedAttr("virtual_stages",
                              attrs.getI64IntegerAttr(virtualStages)),
           attrs.getNamedAttr("result_rank",
                              attrs.getI64IntegerAttr(p.resultRank))}));
}

LogicalResult
AttnResPipelinePartitionPass::setMPIImplementation(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  auto key = StringAttr::get(ctx, kMPIImplementationKey);
  auto value = StringAttr::get(ctx, mpiImplementation);
  SmallVector<DataLayoutEntryInterface> entries;
  if (Attribute existing = module->getAttr(kMapAttrName)) {
    auto map = dyn_cast<MapAttr>(existing);
    if (!map)
      return module.emitError()
             << "attnres-pipeline-partition: module attribute '" << kMapAttrName
             << "' is not a #dlti.map";
    for (DataLayoutEntryInterface entry : map.getEntries()) {
      auto entryKey = dyn_cast<StringAttr>(entry.getKey());
      if (entryKey && entryKey == key) {
        if (entry.getValue() != value)
          return module.emitError()
                 << "attnres-pipeline-partition: the module already targets "
                 << entry.getValue() << " as \"" << kMPIImplementationKey
                 << "\", not \"" << std::string(mpiImplementation) << "\"";
        return success();
      }
      entries.push_back(entry);
    }
  }
  entries.push_back(DataLayoutEntryAttr::get(key, value));
  module->setAttr(kMapAttrName, MapAttr::get(ctx, entries));
  return success();
}

void AttnResPipelinePartitionPass::wrapEntry(ModuleOp module) {
  if (entry.empty())
    return;
  auto entryFunc = module.lookupSymbol<func::FuncOp>(entry);
  if (!entryFunc || entryFunc.isExternal()) {
    mlir::emitWarning(module.getLoc())
        << "attnres-pipeline-partition: no function @" << entry
        << " with a body to initialize MPI in; call MPI_Init before and "
           "MPI_Finalize after the partitioned functions (option entry)";
    return;
  }
  bool initialized = false;
  entryFunc.walk([&](mpi::InitOp) { initialized = true; });
  if (initialized)
    return;
  OpBuilder b = OpBuilder::atBlockBegin(&entryFunc.getBody().front());
  mpi::InitOp::create(b, entryFunc.getLoc(), /*retval=*/Type());
  entryFunc.walk([&](func::ReturnOp ret) {
    b.setInsertionPoint(ret);
    mpi::FinalizeOp::create(b, ret.getLoc(), /*retval=*/Type());
  });
}

void AttnResPipelinePartitionPass::runOnOperation() {
  ModuleOp module = getOperation();
  int64_t P = stages, V = virtualStages;
  if (P < 1 || V < 1) {
    mlir::emitError(module.getLoc())
        << "attnres-pipeline-partition: stages and virtual-stages must be >= "
           "1, got stages = "
        << P << " and virtual-stages = " << V;
    return signalPassFailure();
  }
  std::string implementation = mpiImplementation;
  if (implementation != "MPICH" && implementation != "OpenMPI") {
    mlir::emitError(module.getLoc())
        << "attnres-pipeline-partition: unknown mpi-implementation '"
        << implementation << "' (expected MPICH or OpenMPI)";
    return signalPassFailure();
  }

  // Functions to partition: those with a chunk annotation.
  SmallVector<func::FuncOp> funcs;
  bool failedAny = false;
  for (Operation &op : module.getBody()->getOperations()) {
    auto fn = dyn_cast<FunctionOpInterface>(&op);
    if (!fn || fn.isExternal())
      continue;
    bool annotated = false;
    fn->walk([&](Operation *nested) {
      if (nested->hasAttr(kChunkAttrName))
        annotated = true;
    });
    if (!annotated)
      continue;
    auto func = dyn_cast<func::FuncOp>(&op);
    if (!func) {
      fn->emitError() << "attnres-pipeline-partition: only func.func can be "
                         "partitioned, not "
                      << op.getName();
      failedAny = true;
      continue;
    }
    funcs.push_back(func);
  }
  if (failedAny)
    return signalPassFailure();
  if (funcs.empty())
    return markAllAnalysesPreserved();

  // Check everything before changing anything.
  SmallVector<PartitionPlan, 1> plans(funcs.size());
  for (auto [func, p] : llvm::zip(funcs, plans))
    if (failed(plan(func, p)))
      failedAny = true;
  if (failedAny || failed(setMPIImplementation(module)))
    return signalPassFailure();

  SymbolTable symbols(module);
  for (PartitionPlan &p : plans) {
    SmallVector<func::FuncOp> rankFuncs(stages);
    for (int64_t r = stages - 1; r >= 0; --r)
      if (failed(buildRankFunction(p, r, symbols, rankFuncs[r])))
        return signalPassFailure();
    buildDispatcher(p, rankFuncs);
  }
  wrapEntry(module);
}

} // namespace
