//===- AttnResPlanBuffers.cpp - liveness-based buffer arena ---------------===//
//
// After buffer deallocation every buffer of a function is freed at the end of
// the function, so a model holds all its intermediates at once. This pass
// computes each buffer's live range in the function's block and places the
// buffers whose ranges do not overlap at the same offsets of one arena.
//
// Live range of a buffer: from its memref.alloc to the last op of the block
// that uses the buffer or a view of it (a use nested in a region counts at the
// op of the block that holds it). The buffer's memref.dealloc does not count
// as a use. Buffers that escape (a terminator or a non-view op yields an
// alias, or the pointer is taken) are left alone.
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/MathExtras.h"
#include <limits>

namespace mlir {
namespace attnres {
#define GEN_PASS_DEF_ATTNRESPLANBUFFERSPASS
#include "attnres/Dialect/AttnRes/Transforms/Passes.h.inc"
} // namespace attnres
} // namespace mlir

using namespace mlir;
using namespace mlir::attnres;

namespace {

constexpr int64_t kMinAlignment = 64;

/// One buffer of the function's block whose lifetime is known.
struct Buffer {
  memref::AllocOp alloc;
  /// The op of the block that holds the dealloc (the dealloc itself or the
  /// `scf.if %true` around it).
  Operation *deallocHolder = nullptr;
  memref::DeallocOp dealloc;
  /// Positions in the block: the alloc and the last use, and the op of the
  /// block at the last use.
  int64_t start = 0, end = 0;
  Operation *last = nullptr;
  /// Static size in bytes, or nullopt when the buffer cannot be placed.
  std::optional<int64_t> bytes;
  int64_t alignment = kMinAlignment;
  int64_t offset = 0;
};

/// The op of `block` that is `op` or holds it, or null.
Operation *ancestorIn(Block &block, Operation *op) {
  return block.findAncestorOpInBlock(*op);
}

/// Whether `op` is the single dealloc of the buffer and runs whenever the
/// block reaches it: directly in `block` or under `scf.if`s on constant true
/// conditions whose only other op is the yield. Returns the op of `block`
/// that holds it.
Operation *unconditionalHolder(Block &block, memref::DeallocOp dealloc) {
  Operation *op = dealloc;
  while (op->getBlock() != &block) {
    auto ifOp = dyn_cast_or_null<scf::IfOp>(op->getParentOp());
    if (!ifOp || !matchPattern(ifOp.getCondition(), m_One()) ||
        op->getBlock() != ifOp.thenBlock() ||
        !llvm::hasSingleElement(ifOp.thenBlock()->without_terminator()) ||
        ifOp.getNumResults() != 0)
      return nullptr;
    op = ifOp;
  }
  return op;
}

/// Bytes of a placeable buffer type, nullopt for any other type.
std::optional<int64_t> placeableBytes(MemRefType type) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getMemorySpace())
    return std::nullopt;
  Type element = type.getElementType();
  if (!element.isIntOrFloat())
    return std::nullopt;
  unsigned bits = element.getIntOrFloatBitWidth();
  if (bits == 0 || bits % 8 != 0)
    return std::nullopt;
  std::optional<int64_t> bytes = bits / 8;
  for (int64_t size : type.getShape())
    bytes = bytes ? llvm::checkedMul(*bytes, size) : std::nullopt;
  return bytes;
}

/// Fills `buffer`'s lifetime from the uses of its alloc and its views.
/// Returns false when the buffer escapes or its dealloc is not the single,
/// unconditional one in the block.
bool analyzeLifetime(Block &block, Buffer &buffer,
                     const DenseMap<Operation *, int64_t> &position) {
  SmallVector<Value> worklist{buffer.alloc.getResult()};
  buffer.end = buffer.start;
  buffer.last = buffer.alloc;
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
        if (value != buffer.alloc.getResult() || buffer.dealloc)
          return false;
        buffer.dealloc = dealloc;
        buffer.deallocHolder = unconditionalHolder(block, dealloc);
        if (!buffer.deallocHolder)
          return false;
        continue;
      }
      if (user->hasTrait<OpTrait::IsTerminator>() ||
          isa<memref::ExtractAlignedPointerAsIndexOp,
              memref::ExtractStridedMetadataOp>(user) ||
          user->getDialect() == nullptr ||
          user->getName().getDialectNamespace() == "llvm" ||
          user->getName().getDialectNamespace() == "builtin")
        return false;
      auto view = dyn_cast<ViewLikeOpInterface>(user);
      bool isView = view && view.getViewSource() == value;
      for (Value result : user->getResults()) {
        if (!isa<BaseMemRefType>(result.getType()))
          continue;
        if (!isView)
          return false;
        worklist.push_back(result);
      }
      Operation *holder = ancestorIn(block, user);
      if (!holder)
        return false;
      auto it = position.find(holder);
      if (it == position.end())
        return false;
      if (it->second > buffer.end) {
        buffer.end = it->second;
        buffer.last = holder;
      }
    }
  }
  if (!buffer.dealloc)
    return false;
  // The dealloc must come after every use.
  return position.lookup(buffer.deallocHolder) > buffer.end;
}

/// Whether [offset, offset + bytes) is free of every buffer in `live`.
bool fits(int64_t offset, int64_t bytes, ArrayRef<Buffer *> live) {
  for (Buffer *other : live)
    if (offset < other->offset + *other->bytes &&
        other->offset < offset + bytes)
      return false;
  return true;
}

bool overlapsInTime(const Buffer *a, const Buffer *b) {
  return a->start <= b->end && b->start <= a->end;
}

/// Places `order`'s buffers one by one, each at the first candidate offset
/// (in `candidates(buffer, placed)` order, then first fit) that overlaps no
/// placed buffer whose live range overlaps its own. Returns the arena size,
/// or nullopt on overflow.
std::optional<int64_t> placeInOrder(
    ArrayRef<Buffer *> order,
    function_ref<void(Buffer *, ArrayRef<Buffer *>, SmallVectorImpl<int64_t> &)>
        candidates) {
  SmallVector<Buffer *> placed;
  int64_t arena = 0;
  for (Buffer *buffer : order) {
    SmallVector<Buffer *> live;
    for (Buffer *other : placed)
      if (overlapsInTime(other, buffer) && *other->bytes > 0)
        live.push_back(other);
    SmallVector<int64_t> offsets;
    candidates(buffer, placed, offsets);
    // First fit: 0 and the aligned end of every live buffer.
    offsets.push_back(0);
    llvm::sort(live, [](const Buffer *a, const Buffer *b) {
      return a->offset < b->offset;
    });
    for (Buffer *other : live) {
      std::optional<int64_t> after =
          llvm::checkedAdd(other->offset, *other->bytes);
      if (!after ||
          *after > std::numeric_limits<int64_t>::max() - buffer->alignment)
        return std::nullopt;
      offsets.push_back(llvm::alignTo(*after, buffer->alignment));
    }
    std::optional<int64_t> chosen;
    for (int64_t offset : offsets)
      if (offset % buffer->alignment == 0 &&
          fits(offset, *buffer->bytes, live)) {
        chosen = offset;
        break;
      }
    if (!chosen)
      return std::nullopt; // Unreachable: the last live end always fits.
    buffer->offset = *chosen;
    std::optional<int64_t> top = llvm::checkedAdd(*chosen, *buffer->bytes);
    if (!top)
      return std::nullopt;
    arena = std::max(arena, *top);
    placed.push_back(buffer);
  }
  return arena;
}

/// Assigns offsets. Two greedy placements are tried and the smaller arena
/// wins (ties: the first):
///  * in program order, each buffer preferring the place of the buffer that
///    died most recently (its memory is likely still in cache), then first
///    fit;
///  * by decreasing size, first fit (fragments less when sizes differ).
/// Returns the arena size, or nullopt on overflow.
std::optional<int64_t> assignOffsets(MutableArrayRef<Buffer *> buffers) {
  SmallVector<Buffer *> byStart(buffers.begin(), buffers.end());
  llvm::stable_sort(byStart, [](const Buffer *a, const Buffer *b) {
    return a->start < b->start;
  });
  std::optional<int64_t> recent =
      placeInOrder(byStart, [](Buffer *buffer, ArrayRef<Buffer *> placed,
                               SmallVectorImpl<int64_t> &offsets) {
        SmallVector<Buffer *> dead;
        for (Buffer *other : placed)
          if (other->end < buffer->start)
            dead.push_back(other);
        llvm::stable_sort(dead, [](const Buffer *a, const Buffer *b) {
          return a->end > b->end;
        });
        for (Buffer *other : dead)
          offsets.push_back(other->offset);
      });
  SmallVector<int64_t> recentOffsets;
  for (Buffer *buffer : buffers)
    recentOffsets.push_back(buffer->offset);

  SmallVector<Buffer *> bySize(buffers.begin(), buffers.end());
  llvm::stable_sort(bySize, [](const Buffer *a, const Buffer *b) {
    if (*a->bytes != *b->bytes)
      return *a->bytes > *b->bytes;
    return a->start < b->start;
  });
  std::optional<int64_t> packed = placeInOrder(
      bySize, [](Buffer *, ArrayRef<Buffer *>, SmallVectorImpl<int64_t> &) {});
  if (!recent && !packed)
    return std::nullopt;
  if (recent && (!packed || *recent <= *packed)) {
    for (auto [buffer, offset] : llvm::zip(buffers, recentOffsets))
      buffer->offset = offset;
    return recent;
  }
  return packed;
}

/// A symbol name based on `base` that is free in `table`.
std::string freshSymbol(SymbolTable &table, StringRef base) {
  std::string name = base.str();
  for (unsigned i = 0; table.lookup(name); ++i)
    name = (base + "_" + Twine(i)).str();
  return name;
}

/// Creates the arena at the start of `body` and releases it before
/// `terminator`. Returns the arena value.
Value createArena(OpBuilder &builder, Operation *func, Block &body,
                  Operation *terminator, BufferArena kind, int64_t bytes,
                  int64_t alignment) {
  Location loc = func->getLoc();
  MLIRContext *ctx = func->getContext();
  auto arenaType = MemRefType::get({bytes}, IntegerType::get(ctx, 8));
  IntegerAttr align = builder.getI64IntegerAttr(alignment);
  builder.setInsertionPointToStart(&body);
  if (kind == BufferArena::PerCall) {
    Value arena = memref::AllocOp::create(builder, loc, arenaType, ValueRange(),
                                          ValueRange(), align);
    builder.setInsertionPoint(terminator);
    memref::DeallocOp::create(builder, loc, arena);
    return arena;
  }

  // Static: a global arena and a busy flag, next to the function.
  Operation *tableOp = SymbolTable::getNearestSymbolTable(func->getParentOp());
  SymbolTable table(tableOp);
  std::string fnName =
      func->getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName())
          ? SymbolTable::getSymbolName(func).str()
          : std::string("fn");
  OpBuilder moduleBuilder(func);
  auto flagType = MemRefType::get({1}, builder.getI32Type());
  auto flagInit = DenseElementsAttr::get(
      RankedTensorType::get({1}, builder.getI32Type()), APInt(32, 0));
  std::string flagName = freshSymbol(table, "__attnres_arena_busy_" + fnName);
  auto flagGlobal = memref::GlobalOp::create(
      moduleBuilder, loc, flagName, builder.getStringAttr("private"), flagType,
      flagInit, /*constant=*/false, /*alignment=*/IntegerAttr());
  table.insert(flagGlobal);
  std::string arenaName = freshSymbol(table, "__attnres_arena_" + fnName);
  auto arenaGlobal = memref::GlobalOp::create(
      moduleBuilder, loc, arenaName, builder.getStringAttr("private"),
      arenaType, UnitAttr::get(ctx), /*constant=*/false, align);
  table.insert(arenaGlobal);

  // busy = xchg(flag, 1); arena = busy ? alloc : global.
  Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
  Value one = arith::ConstantIntOp::create(builder, loc, 1, 32);
  Value flag = memref::GetGlobalOp::create(builder, loc, flagType, flagName);
  Value previous = memref::AtomicRMWOp::create(
      builder, loc, arith::AtomicRMWKind::assign, one, flag, ValueRange{zero});
  Value clear = arith::ConstantIntOp::create(builder, loc, 0, 32);
  Value mine = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq,
                                     previous, clear);
  auto pick = scf::IfOp::create(builder, loc, TypeRange{arenaType}, mine,
                                /*addThenBlock=*/true, /*addElseBlock=*/true);
  {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(pick.thenBlock());
    Value global =
        memref::GetGlobalOp::create(builder, loc, arenaType, arenaName);
    scf::YieldOp::create(builder, loc, global);
    builder.setInsertionPointToStart(pick.elseBlock());
    Value own = memref::AllocOp::create(builder, loc, arenaType, ValueRange(),
                                        ValueRange(), align);
    scf::YieldOp::create(builder, loc, own);
  }
  Value arena = pick.getResult(0);

  // Release: clear the flag, or free the own arena.
  builder.setInsertionPoint(terminator);
  auto release = scf::IfOp::create(builder, loc, mine, /*withElseRegion=*/true);
  builder.setInsertionPoint(release.thenBlock()->getTerminator());
  memref::AtomicRMWOp::create(builder, loc, arith::AtomicRMWKind::assign, clear,
                              flag, ValueRange{zero});
  builder.setInsertionPoint(release.elseBlock()->getTerminator());
  memref::DeallocOp::create(builder, loc, arena);
  return arena;
}

} // namespace

FailureOr<BufferPlanSummary> mlir::attnres::planBuffers(Operation *func,
                                                        BufferArena kind) {
  BufferPlanSummary summary;
  auto fn = dyn_cast<FunctionOpInterface>(func);
  if (!fn || fn.isExternal() || !fn.getFunctionBody().hasOneBlock())
    return summary;
  Block &body = fn.getFunctionBody().front();
  Operation *terminator = body.getTerminator();
  if (!terminator || !terminator->hasTrait<OpTrait::ReturnLike>())
    return summary;

  DenseMap<Operation *, int64_t> position;
  int64_t index = 0;
  for (Operation &op : body)
    position[&op] = index++;

  // Every alloc of the function; those of the block may be planned.
  SmallVector<Buffer> buffers;
  fn.getFunctionBody().walk([&](memref::AllocOp alloc) {
    if (alloc->getBlock() != &body) {
      ++summary.left;
      return;
    }
    Buffer buffer;
    buffer.alloc = alloc;
    buffer.start = position.lookup(alloc);
    if (!analyzeLifetime(body, buffer, position)) {
      ++summary.left;
      return;
    }
    if (kind != BufferArena::Off)
      buffer.bytes = placeableBytes(alloc.getType());
    if (std::optional<uint64_t> align = alloc.getAlignment())
      buffer.alignment = std::max<int64_t>(kMinAlignment, *align);
    buffers.push_back(buffer);
  });

  SmallVector<Buffer *> placeable;
  for (Buffer &buffer : buffers)
    if (buffer.bytes)
      placeable.push_back(&buffer);
  int64_t arenaBytes = 0;
  int64_t alignment = kMinAlignment;
  if (!placeable.empty()) {
    std::optional<int64_t> size = assignOffsets(placeable);
    if (!size)
      return fn.emitOpError("attnres-plan-buffers: the arena of this "
                            "function would span more than 2^63 - 1 bytes");
    arenaBytes = std::max<int64_t>(*size, 1);
    for (Buffer *buffer : placeable)
      alignment = std::max(alignment, buffer->alignment);
  }

  OpBuilder builder(func->getContext());
  Value arena;
  if (!placeable.empty())
    arena = createArena(builder, func, body, terminator, kind, arenaBytes,
                        alignment);

  for (Buffer &buffer : buffers) {
    memref::AllocOp alloc = buffer.alloc;
    if (!buffer.bytes) {
      // Not placed: free it right after its last use.
      ++summary.left;
      if (buffer.deallocHolder->getPrevNode() != buffer.last) {
        buffer.deallocHolder->moveAfter(buffer.last);
        ++summary.movedDeallocs;
      }
      continue;
    }
    builder.setInsertionPoint(alloc);
    Value offset =
        arith::ConstantIndexOp::create(builder, alloc.getLoc(), buffer.offset);
    Value view = memref::ViewOp::create(
        builder, alloc.getLoc(), alloc.getType(), arena, offset, ValueRange());
    // The dealloc goes, with the `scf.if %true` around it if any.
    if (buffer.deallocHolder != buffer.dealloc.getOperation())
      buffer.deallocHolder->erase();
    else
      buffer.dealloc.erase();
    alloc.getResult().replaceAllUsesWith(view);
    alloc.erase();
    ++summary.planned;
    summary.plannedBytes += *buffer.bytes;
  }
  summary.arenaBytes = placeable.empty() ? 0 : arenaBytes;
  return summary;
}

namespace {
struct AttnResPlanBuffersPass
    : public attnres::impl::AttnResPlanBuffersPassBase<AttnResPlanBuffersPass> {
  using AttnResPlanBuffersPassBase::AttnResPlanBuffersPassBase;

  void runOnOperation() override {
    SmallVector<Operation *> functions;
    for (Operation &op : getOperation().getBody()->getOperations())
      if (isa<FunctionOpInterface>(op))
        functions.push_back(&op);
    bool failed = false;
    for (Operation *func : functions) {
      FailureOr<BufferPlanSummary> summary = planBuffers(func, arena);
      if (mlir::failed(summary)) {
        failed = true;
        continue;
      }
      if (report && (summary->planned || summary->left))
        func->emitRemark() << "attnres-plan-buffers: " << summary->planned
                           << " buffers of " << summary->plannedBytes
                           << " bytes in an arena of " << summary->arenaBytes
                           << " bytes; " << summary->left
                           << " left to the allocator ("
                           << summary->movedDeallocs
                           << " freed after their last use)";
    }
    if (failed)
      signalPassFailure();
  }
};
} // namespace
