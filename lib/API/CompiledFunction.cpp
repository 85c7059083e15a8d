//===- CompiledFunction.cpp - attnres facade: CPU compile and call --------===//
//
// Lowers one entry function with attnres-to-llvm, JIT-compiles it with the
// MLIR ExecutionEngine and calls its C interface (`_mlir_ciface_<entry>`)
// with memref descriptors built from the caller's buffers.
//
// A ranked memref descriptor is {ptr allocated, ptr aligned, i64 offset,
// i64 sizes[rank], i64 strides[rank]}: 3 + 2·rank 8-byte words. Several
// results come back as one struct of descriptors, i.e. their words in a row.
//
//===----------------------------------------------------------------------===//

#include "APIInternal.h"

#include "attnres/Dialect/AttnRes/IR/AttnResShapeInterfaces.h"
#include "attnres/Pipelines/Pipelines.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/CastInterfaces.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Target/TargetMachine.h"

#include <cstdlib>
#include <cstring>
#include <optional>

using namespace mlir;
using namespace mlir::attnres;
using namespace mlir::attnres::api;

#ifndef ATTNRES_LIBOMP_PATH
#define ATTNRES_LIBOMP_PATH ""
#endif
#ifndef ATTNRES_C_RUNNER_UTILS_PATH
#define ATTNRES_C_RUNNER_UTILS_PATH ""
#endif

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

size_t api::getByteSize(ElementType type) {
  switch (type) {
  case ElementType::I8:
    return 1;
  case ElementType::F16:
  case ElementType::BF16:
  case ElementType::I16:
    return 2;
  case ElementType::F32:
  case ElementType::I32:
    return 4;
  case ElementType::F64:
  case ElementType::I64:
    return 8;
  }
  llvm_unreachable("unknown element type");
}

StringRef api::getName(ElementType type) {
  switch (type) {
  case ElementType::F16:
    return "f16";
  case ElementType::BF16:
    return "bf16";
  case ElementType::F32:
    return "f32";
  case ElementType::F64:
    return "f64";
  case ElementType::I8:
    return "i8";
  case ElementType::I16:
    return "i16";
  case ElementType::I32:
    return "i32";
  case ElementType::I64:
    return "i64";
  }
  llvm_unreachable("unknown element type");
}

static std::optional<ElementType> toElementType(Type type) {
  if (type.isF16())
    return ElementType::F16;
  if (type.isBF16())
    return ElementType::BF16;
  if (type.isF32())
    return ElementType::F32;
  if (type.isF64())
    return ElementType::F64;
  if (type.isSignlessInteger(8))
    return ElementType::I8;
  if (type.isSignlessInteger(16))
    return ElementType::I16;
  if (type.isSignlessInteger(32))
    return ElementType::I32;
  if (type.isSignlessInteger(64))
    return ElementType::I64;
  return std::nullopt;
}

/// The boundary form of a function argument or result type, if supported:
/// a ranked tensor, or a memref with the identity layout in the default
/// memory space, of a supported element type.
static std::optional<TensorSpec> toTensorSpec(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasRank())
    return std::nullopt;
  bool isMemRef = false;
  if (auto memref = dyn_cast<MemRefType>(type)) {
    if (!memref.getLayout().isIdentity() || memref.getMemorySpace())
      return std::nullopt;
    isMemRef = true;
  } else if (auto tensor = dyn_cast<RankedTensorType>(type)) {
    if (tensor.getEncoding())
      return std::nullopt;
  } else {
    return std::nullopt;
  }
  std::optional<ElementType> element = toElementType(shaped.getElementType());
  if (!element)
    return std::nullopt;
  TensorSpec spec;
  spec.elementType = *element;
  spec.isMemRef = isMemRef;
  for (int64_t size : shaped.getShape())
    spec.shape.push_back(ShapedType::isDynamic(size) ? TensorSpec::kDynamic
                                                     : size);
  llvm::raw_string_ostream os(spec.typeText);
  type.print(os);
  os.flush();
  return spec;
}

//===----------------------------------------------------------------------===//
// Dimensions that must agree at run time
//===----------------------------------------------------------------------===//

namespace {
/// Union-find over (value or loop, dimension) pairs, each class with the
/// static size some member has (if any). Built from the ops of the entry
/// function; the argument check uses it so that, e.g., two sources of one
/// `depth_attn` with dynamic row counts must get the same number of rows
/// (the compiled code would read out of bounds otherwise).
///
/// What an op requires of its sizes comes from the op: the relations of
/// `ShapeRelationsOpInterface` (the attnres ops, stated once in the IR
/// library), else the generic rules every op of a kind follows: shape-
/// preserving casts, linalg indexing maps, elementwise ops.
class SizeClasses {
public:
  explicit SizeClasses(func::FuncOp func) {
    func.walk([&](Operation *op) { visit(op); });
  }

  /// The class of dimension `dim` of argument `value`, with its static size
  /// (`kDynamic` if none).
  std::pair<unsigned, int64_t> classOf(Value value, unsigned dim) {
    std::optional<unsigned> node = getNode(value, dim);
    unsigned root = find(*node);
    return {root, sizes[root]};
  }

  /// Whether some op needs the sizes of class `root` to be non-zero (a
  /// hidden size, a depth axis).
  bool isNonZero(unsigned root) {
    return llvm::any_of(nonZero,
                        [&](unsigned node) { return find(node) == root; });
  }

private:
  using Key = std::pair<const void *, unsigned>;

  std::optional<unsigned> getNode(Value value, unsigned dim) {
    auto shaped = dyn_cast<ShapedType>(value.getType());
    if (!shaped || !shaped.hasRank() || dim >= shaped.getRank())
      return std::nullopt;
    int64_t size = shaped.getDimSize(dim);
    return getNode({value.getAsOpaquePointer(), dim},
                   ShapedType::isDynamic(size) ? TensorSpec::kDynamic : size);
  }

  unsigned getNode(Key key, int64_t size) {
    auto [it, inserted] = ids.try_emplace(key, parents.size());
    if (inserted) {
      parents.push_back(it->second);
      sizes.push_back(size);
    }
    return it->second;
  }

  unsigned find(unsigned node) {
    while (parents[node] != node) {
      parents[node] = parents[parents[node]];
      node = parents[node];
    }
    return node;
  }

  void unite(std::optional<unsigned> a, std::optional<unsigned> b) {
    if (!a || !b)
      return;
    unsigned ra = find(*a), rb = find(*b);
    if (ra == rb)
      return;
    parents[rb] = ra;
    if (sizes[ra] == TensorSpec::kDynamic)
      sizes[ra] = sizes[rb];
  }

  /// All dimensions of two values of equal rank.
  void uniteShapes(Value a, Value b) {
    auto ta = dyn_cast<ShapedType>(a.getType());
    auto tb = dyn_cast<ShapedType>(b.getType());
    if (!ta || !tb || !ta.hasRank() || !tb.hasRank() ||
        ta.getRank() != tb.getRank())
      return;
    for (unsigned d = 0, e = ta.getRank(); d < e; ++d)
      unite(getNode(a, d), getNode(b, d));
  }

  void visit(Operation *op) {
    if (auto relations = dyn_cast<ShapeRelationsOpInterface>(op)) {
      ShapeRelations list;
      relations.getShapeRelations(list);
      for (const ShapeRelation &relation : list.get()) {
        std::optional<unsigned> lhs =
            getNode(relation.lhs.value, relation.lhs.dim);
        if (relation.kind == ShapeRelation::Kind::Equal)
          unite(lhs, getNode(relation.rhs.value, relation.rhs.dim));
        else if (relation.kind == ShapeRelation::Kind::NonZero && lhs)
          nonZero.push_back(*lhs);
      }
    } else if (isa<CastOpInterface>(op) && op->getNumOperands() == 1 &&
               op->getNumResults() == 1 &&
               isa<TensorType, BaseMemRefType>(op->getOperand(0).getType()) &&
               isa<TensorType, BaseMemRefType>(op->getResult(0).getType())) {
      // tensor.cast, memref.cast: the same sizes, more or less static.
      uniteShapes(op->getOperand(0), op->getResult(0));
    } else if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      visitLinalg(linalgOp);
    } else if (op->hasTrait<OpTrait::Elementwise>()) {
      SmallVector<Value> shaped;
      for (Value v : llvm::concat<Value>(op->getOperands(), op->getResults()))
        if (isa<ShapedType>(v.getType()))
          shaped.push_back(v);
      for (Value v : shaped)
        uniteShapes(shaped.front(), v);
    }
  }

  /// Operand dimensions indexed by the same loop are equal; results have
  /// their inits' shapes.
  void visitLinalg(linalg::LinalgOp op) {
    for (OpOperand &operand : op->getOpOperands()) {
      auto type = dyn_cast<ShapedType>(operand.get().getType());
      if (!type || !type.hasRank())
        continue;
      AffineMap map = op.getMatchingIndexingMap(&operand);
      if (!map || map.getNumResults() != type.getRank())
        continue;
      for (auto [dim, expr] : llvm::enumerate(map.getResults()))
        if (auto loop = dyn_cast<AffineDimExpr>(expr))
          unite(getNode(operand.get(), dim),
                getNode(Key{op.getOperation(), loop.getPosition()},
                        TensorSpec::kDynamic));
    }
    for (auto [index, result] : llvm::enumerate(op->getResults()))
      if (index < static_cast<size_t>(op.getNumDpsInits()))
        uniteShapes(op.getDpsInitOperand(index)->get(), result);
  }

  llvm::DenseMap<Key, unsigned> ids;
  SmallVector<unsigned> parents;
  SmallVector<int64_t> sizes;
  /// Nodes whose size must be non-zero.
  SmallVector<unsigned> nonZero;
};
} // namespace

//===----------------------------------------------------------------------===//
// ResultBuffer
//===----------------------------------------------------------------------===//

ResultBuffer::ResultBuffer(ElementType elementType, void *allocated,
                           void *aligned, int64_t offset,
                           std::vector<int64_t> shape,
                           std::vector<int64_t> strides, bool owned)
    : elementType(elementType), allocated(allocated), aligned(aligned),
      offset(offset), shape(std::move(shape)), strides(std::move(strides)),
      owned(owned) {}

ResultBuffer::ResultBuffer(ResultBuffer &&other) noexcept
    : elementType(other.elementType), allocated(other.allocated),
      aligned(other.aligned), offset(other.offset),
      shape(std::move(other.shape)), strides(std::move(other.strides)),
      owned(other.owned) {
  other.allocated = nullptr;
  other.owned = false;
}

ResultBuffer::~ResultBuffer() {
  if (owned)
    std::free(allocated);
}

void *ResultBuffer::getData() const {
  return static_cast<char *>(aligned) +
         offset * static_cast<int64_t>(getByteSize(elementType));
}

int64_t ResultBuffer::getNumElements() const {
  int64_t n = 1;
  for (int64_t size : shape)
    n *= size;
  return n;
}

void ResultBuffer::copyTo(void *dest) const {
  int64_t count = getNumElements();
  if (count == 0)
    return;
  size_t elementSize = getByteSize(elementType);
  const char *base =
      static_cast<const char *>(aligned) + offset * int64_t(elementSize);
  // Row-major contiguous: one memcpy.
  bool contiguous = true;
  int64_t expected = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    if (shape[d] != 1 && strides[d] != expected)
      contiguous = false;
    expected *= shape[d];
  }
  if (contiguous) {
    std::memcpy(dest, base, count * elementSize);
    return;
  }
  // Otherwise walk the index space in row-major order.
  char *out = static_cast<char *>(dest);
  std::vector<int64_t> index(shape.size(), 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t position = 0;
    for (size_t d = 0; d < shape.size(); ++d)
      position += index[d] * strides[d];
    std::memcpy(out + i * elementSize, base + position * int64_t(elementSize),
                elementSize);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

//===----------------------------------------------------------------------===//
// CompiledFunction
//===----------------------------------------------------------------------===//

struct CompiledFunction::Impl {
  std::string entry;
  std::vector<TensorSpec> arguments;
  std::vector<TensorSpec> results;
  /// Per argument and dimension: the equivalence class of that size.
  std::vector<std::vector<unsigned>> dimClasses;
  /// Per class: the static size it must have, or kDynamic.
  llvm::DenseMap<unsigned, int64_t> classSizes;
  /// The classes whose size must not be 0.
  llvm::DenseSet<unsigned> nonZeroClasses;
  std::unique_ptr<ExecutionEngine> engine;
  void (*packed)(void **) = nullptr;
  /// The destination-passing variant (callInto), or null with the reason.
  void (*packedInto)(void **) = nullptr;
  std::string intoUnavailable;
  /// Per result and dimension: (argument, dimension) whose size it has, or
  /// (-1, static size).
  std::vector<std::vector<std::pair<int64_t, int64_t>>> resultDims;
};

CompiledFunction::CompiledFunction(std::unique_ptr<Impl> impl)
    : impl(std::move(impl)) {}

CompiledFunction::~CompiledFunction() = default;

StringRef CompiledFunction::getEntry() const { return impl->entry; }

ArrayRef<TensorSpec> CompiledFunction::getArguments() const {
  return impl->arguments;
}

ArrayRef<TensorSpec> CompiledFunction::getResults() const {
  return impl->results;
}

static std::string getLibompPath() {
  if (const char *path = std::getenv("ATTNRES_LIBOMP_PATH"))
    return path;
  return ATTNRES_LIBOMP_PATH;
}

static std::string describeSupported() {
  return "ranked tensors or identity-layout memrefs of f16, bf16, f32, f64, "
         "i8, i16, i32 or i64";
}

/// The name of the destination-passing variant of `entry`.
static std::string destinationEntryName(StringRef entry) {
  return (entry + "__attnres_into").str();
}

/// Whether `func` can get a destination-passing variant: a single block
/// ending in func.return, tensor results whose sizes are static or known from
/// the arguments (`dimOf`). Fills `resultDims`; returns the reason when not.
static std::string checkDestinationForm(
    func::FuncOp func, ArrayRef<TensorSpec> results,
    llvm::function_ref<std::optional<std::pair<int64_t, int64_t>>(Value,
                                                                  unsigned)>
        dimOf,
    std::vector<std::vector<std::pair<int64_t, int64_t>>> &resultDims) {
  if (results.empty())
    return "@" + func.getName().str() + " has no results";
  if (!func.getBody().hasOneBlock())
    return "@" + func.getName().str() + " has more than one block";
  auto ret = dyn_cast<func::ReturnOp>(func.getBody().front().getTerminator());
  if (!ret)
    return "@" + func.getName().str() + " does not end in func.return";
  for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
    if (results[index].isMemRef)
      return "result #" + std::to_string(index) + " is a memref";
    std::vector<std::pair<int64_t, int64_t>> dims;
    for (unsigned d = 0, e = results[index].shape.size(); d < e; ++d) {
      std::optional<std::pair<int64_t, int64_t>> source = dimOf(value, d);
      if (!source)
        return "dimension " + std::to_string(d) + " of result #" +
               std::to_string(index) +
               " is not a size of an argument, so it is known only after "
               "the call";
      dims.push_back(*source);
    }
    resultDims.push_back(std::move(dims));
  }
  return "";
}

/// Adds `<entry>__attnres_into(args..., outs...)`: a copy of `func` whose
/// results are materialized into memref arguments (restrict, writable), so
/// bufferization computes them in place.
static void addDestinationVariant(func::FuncOp func) {
  func.getContext()->getOrLoadDialect<bufferization::BufferizationDialect>();
  OpBuilder builder(func);
  auto variant = cast<func::FuncOp>(builder.clone(*func));
  variant.setName(destinationEntryName(func.getName()));
  Block &body = variant.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  SmallVector<Type> inputs(variant.getArgumentTypes());
  SmallVector<Value> outs;
  for (Value value : ret.getOperands()) {
    auto tensor = cast<RankedTensorType>(value.getType());
    auto memref = MemRefType::get(tensor.getShape(), tensor.getElementType());
    inputs.push_back(memref);
    outs.push_back(body.addArgument(memref, ret.getLoc()));
  }
  builder.setInsertionPoint(ret);
  for (auto [value, out] : llvm::zip(ret.getOperands(), outs)) {
    auto copy = bufferization::MaterializeInDestinationOp::create(
        builder, ret.getLoc(), value, out);
    copy.setRestrict(true);
    copy.setWritable(true);
  }
  func::ReturnOp::create(builder, ret.getLoc());
  ret.erase();
  variant.setFunctionType(builder.getFunctionType(inputs, {}));
  // Keep the entry's argument attributes; none on the destinations.
  SmallVector<DictionaryAttr> argAttrs;
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
    DictionaryAttr attrs = func.getArgAttrDict(i);
    argAttrs.push_back(attrs ? attrs : DictionaryAttr::get(func.getContext()));
  }
  argAttrs.resize(inputs.size(), DictionaryAttr::get(func.getContext()));
  variant.setAllArgAttrs(argAttrs);
  variant.setPublic();
}

llvm::Expected<std::unique_ptr<CompiledFunction>>
CompiledFunction::compileForCPU(StringRef irText, StringRef entry,
                                StringRef pipelineOptions) {
  initialize();

  // Pipeline options first: a bad option needs no parsing of the IR.
  AttnResToLLVMPipelineOptions options;
  {
    std::string errors;
    llvm::raw_string_ostream errorStream(errors);
    if (failed(options.parseFromString(pipelineOptions, errorStream))) {
      errorStream.flush();
      return makeError(ErrorKind::Value, "invalid attnres-to-llvm options '" +
                                             pipelineOptions +
                                             "': " + StringRef(errors).trim());
    }
  }
  // The descriptors below have 64-bit offsets, sizes and strides.
  if (options.indexBitwidth != 0 && options.indexBitwidth != 64)
    return makeError(ErrorKind::Value,
                     "compile() needs 64-bit indices at the function "
                     "boundary; got index-bitwidth=" +
                         llvm::Twine(options.indexBitwidth.getValue()));

  auto parsed = parseModule(irText, "<input>", /*verify=*/true);
  if (!parsed)
    return parsed.takeError();
  Module::Impl &module = **parsed;
  MLIRContext *context = module.context.get();
  DiagnosticCapture capture(module.sourceMgr, context);

  auto lookedUp = lookupEntry(*module.module, entry);
  if (!lookedUp)
    return lookedUp.takeError();
  func::FuncOp func = *lookedUp;

  auto result = std::make_unique<Impl>();
  result->entry = entry.str();
  FunctionType type = func.getFunctionType();
  for (auto [index, argType] : llvm::enumerate(type.getInputs())) {
    std::optional<TensorSpec> spec = toTensorSpec(argType);
    if (!spec) {
      func.emitError() << "argument #" << index << " of @" << entry
                       << " has type " << argType << "; compile() supports "
                       << describeSupported();
      return capture.makeError("unsupported argument type");
    }
    result->arguments.push_back(std::move(*spec));
  }
  for (auto [index, resultType] : llvm::enumerate(type.getResults())) {
    std::optional<TensorSpec> spec = toTensorSpec(resultType);
    if (!spec) {
      func.emitError() << "result #" << index << " of @" << entry
                       << " has type " << resultType << "; compile() supports "
                       << describeSupported();
      return capture.makeError("unsupported result type");
    }
    result->results.push_back(std::move(*spec));
  }

  // Which argument sizes must agree at run time, and which argument size
  // (or static size) each result size is.
  {
    SizeClasses equivalences(func);
    llvm::DenseMap<unsigned, std::pair<int64_t, int64_t>> firstArgumentDim;
    for (BlockArgument arg : func.getArguments()) {
      std::vector<unsigned> classes;
      auto shaped = cast<ShapedType>(arg.getType());
      for (unsigned d = 0, e = shaped.getRank(); d < e; ++d) {
        auto [id, size] = equivalences.classOf(arg, d);
        classes.push_back(id);
        result->classSizes[id] = size;
        if (equivalences.isNonZero(id))
          result->nonZeroClasses.insert(id);
        firstArgumentDim.try_emplace(id, arg.getArgNumber(), d);
      }
      result->dimClasses.push_back(std::move(classes));
    }
    result->intoUnavailable = checkDestinationForm(
        func, result->results,
        [&](Value value, unsigned dim) {
          auto [id, size] = equivalences.classOf(value, dim);
          if (size != TensorSpec::kDynamic)
            return std::optional<std::pair<int64_t, int64_t>>({-1, size});
          auto it = firstArgumentDim.find(id);
          if (it == firstArgumentDim.end())
            return std::optional<std::pair<int64_t, int64_t>>();
          return std::optional<std::pair<int64_t, int64_t>>(it->second);
        },
        result->resultDims);
  }

  // Compile the entry and what it calls, nothing else: other functions
  // become private and symbol-dce drops the unused ones.
  for (auto other : module.module->getOps<func::FuncOp>())
    if (other != func && !other.isExternal())
      other.setPrivate();
  // C interface, public, and tensor arguments that bufferization must not
  // write to (they are the caller's arrays).
  func->setAttr("llvm.emit_c_interface", UnitAttr::get(context));
  func.setPublic();
  for (auto [index, spec] : llvm::enumerate(result->arguments))
    if (!spec.isMemRef)
      func.setArgAttr(index,
                      bufferization::BufferizationDialect::kWritableAttrName,
                      BoolAttr::get(context, false));

  if (result->intoUnavailable.empty())
    addDestinationVariant(func);

  PassManager pm(context, ModuleOp::getOperationName(),
                 OpPassManager::Nesting::Implicit);
  pm.addPass(createSymbolDCEPass());
  buildAttnResToLLVMPipeline(pm, options);
  pm.enableVerifier(true);
  if (failed(pm.run(*module.module)))
    return capture.makeError("attnres-to-llvm failed without a diagnostic");

  std::string libomp = getLibompPath();
  SmallVector<StringRef> libraries;
  if (options.parallel) {
    if (libomp.empty() || !llvm::sys::fs::exists(libomp))
      return makeError(ErrorKind::Diagnostic,
                       "the parallel kernels need libomp, which was not found "
                       "at '" +
                           libomp +
                           "' (install libomp-22-dev, set ATTNRES_LIBOMP_PATH, "
                           "or compile with options='parallel=false')");
    libraries.push_back(libomp);
  }
  std::string runnerUtils = ATTNRES_C_RUNNER_UTILS_PATH;
  if (!runnerUtils.empty() && llvm::sys::fs::exists(runnerUtils))
    libraries.push_back(runnerUtils);
  ExecutionEngineOptions engineOptions;
  // Optimize for the host CPU: without a target machine LLVM's loop and SLP
  // vectorizers cost loops for a generic target, and the loops outside the
  // fused kernels (sublayers, block sums) come out narrower than the same
  // module built with `clang -O3 -march=native` (Block model: 1.14x slower).
  std::unique_ptr<llvm::TargetMachine> hostMachine;
  if (auto builder = llvm::orc::JITTargetMachineBuilder::detectHost()) {
    builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
    if (auto machine = builder->createTargetMachine())
      hostMachine = std::move(*machine);
    else
      llvm::consumeError(machine.takeError());
  } else {
    llvm::consumeError(builder.takeError());
  }
  std::function<llvm::Error(llvm::Module *)> transformer =
      makeOptimizingTransformer(/*optLevel=*/3, /*sizeLevel=*/0,
                                hostMachine.get());
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  engineOptions.sharedLibPaths = libraries;
  engineOptions.enableGDBNotificationListener = false;
  engineOptions.enablePerfNotificationListener = false;
  auto engine = ExecutionEngine::create(*module.module, engineOptions);
  if (!engine) {
    std::string message = llvm::toString(engine.takeError());
    std::string captured = capture.getText();
    return makeError(ErrorKind::Diagnostic,
                     "JIT compilation of @" + entry + " failed: " + message +
                         (captured.empty() ? "" : "\n" + captured));
  }
  (*engine)->initialize();
  auto packed = (*engine)->lookupPacked(("_mlir_ciface_" + entry).str());
  if (!packed)
    return makeError(ErrorKind::Diagnostic,
                     "JIT compilation of @" + entry +
                         " failed: " + llvm::toString(packed.takeError()));
  if (result->intoUnavailable.empty()) {
    auto into =
        (*engine)->lookupPacked("_mlir_ciface_" + destinationEntryName(entry));
    if (!into)
      return makeError(ErrorKind::Diagnostic,
                       "JIT compilation of @" + destinationEntryName(entry) +
                           " failed: " + llvm::toString(into.takeError()));
    result->packedInto = *into;
  }
  result->engine = std::move(*engine);
  result->packed = *packed;
  return std::unique_ptr<CompiledFunction>(
      new CompiledFunction(std::move(result)));
}

static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text = "(";
  for (auto [i, size] : llvm::enumerate(shape)) {
    if (i)
      text += ", ";
    text += size == TensorSpec::kDynamic ? "?" : std::to_string(size);
  }
  if (shape.size() == 1)
    text += ",";
  return text + ")";
}

llvm::Error
CompiledFunction::checkArguments(ArrayRef<ArgumentView> args) const {
  const std::string &entry = impl->entry;
  if (args.size() != impl->arguments.size()) {
    std::string types;
    for (auto [i, spec] : llvm::enumerate(impl->arguments))
      types += (i ? ", " : "") + spec.typeText;
    return makeError(ErrorKind::Value, "@" + entry + " takes " +
                                           llvm::Twine(impl->arguments.size()) +
                                           " arguments (" + types + "), got " +
                                           llvm::Twine(args.size()));
  }
  // First occurrence of each dynamic size class: (argument, dim, size).
  llvm::DenseMap<unsigned, std::tuple<size_t, size_t, int64_t>> seen;
  for (auto [i, arg] : llvm::enumerate(args)) {
    const TensorSpec &spec = impl->arguments[i];
    std::string where = "argument #" + std::to_string(i) + " of @" + entry +
                        " (" + spec.typeText + ")";
    if (arg.elementType != spec.elementType)
      return makeError(ErrorKind::Type,
                       where + ": expected " + getName(spec.elementType) +
                           " elements, got " + getName(arg.elementType));
    if (arg.shape.size() != spec.shape.size())
      return makeError(ErrorKind::Value, where + ": expected rank " +
                                             llvm::Twine(spec.shape.size()) +
                                             ", got shape " +
                                             formatShape(arg.shape));
    if (spec.isMemRef && !arg.writable)
      return makeError(ErrorKind::Value,
                       where + " is written in place: pass a writable array");
    for (auto [d, size] : llvm::enumerate(arg.shape)) {
      if (size < 0)
        return makeError(ErrorKind::Value, where + ": negative size");
      int64_t expected = spec.shape[d];
      if (expected != TensorSpec::kDynamic && size != expected)
        return makeError(ErrorKind::Value,
                         where + ": expected shape " + formatShape(spec.shape) +
                             ", got " + formatShape(arg.shape));
      unsigned id = impl->dimClasses[i][d];
      if (size == 0 && impl->nonZeroClasses.contains(id))
        return makeError(ErrorKind::Value, where + ": dimension " +
                                               llvm::Twine(d) + " is 0, but @" +
                                               entry +
                                               " needs it to be non-zero");
      int64_t required = impl->classSizes.lookup(id);
      if (required != TensorSpec::kDynamic && size != required)
        return makeError(ErrorKind::Value,
                         where + ": dimension " + llvm::Twine(d) + " is " +
                             llvm::Twine(size) + ", but @" + entry +
                             " needs it to be " + llvm::Twine(required));
      auto [it, inserted] = seen.try_emplace(id, i, d, size);
      auto [firstArg, firstDim, firstSize] = it->second;
      if (!inserted && firstSize != size)
        return makeError(ErrorKind::Value,
                         where + ": dimension " + llvm::Twine(d) + " is " +
                             llvm::Twine(size) + ", but @" + entry +
                             " needs it to equal dimension " +
                             llvm::Twine(firstDim) + " of argument #" +
                             llvm::Twine(firstArg) + ", which is " +
                             llvm::Twine(firstSize));
    }
  }
  return llvm::Error::success();
}

llvm::Expected<std::vector<ResultBuffer>>
CompiledFunction::call(ArrayRef<ArgumentView> args) const {
  if (llvm::Error err = checkArguments(args))
    return std::move(err);

  // Argument descriptors (contiguous row-major buffers).
  std::vector<std::vector<int64_t>> descriptors;
  descriptors.reserve(args.size());
  for (const ArgumentView &arg : args) {
    size_t rank = arg.shape.size();
    std::vector<int64_t> words(3 + 2 * rank, 0);
    auto address = reinterpret_cast<int64_t>(arg.data);
    words[0] = address;
    words[1] = address;
    words[2] = 0;
    int64_t stride = 1;
    for (size_t d = rank; d-- > 0;) {
      words[3 + d] = arg.shape[d];
      words[3 + rank + d] = stride;
      stride *= arg.shape[d];
    }
    descriptors.push_back(std::move(words));
  }
  std::vector<void *> descriptorPointers;
  for (std::vector<int64_t> &words : descriptors)
    descriptorPointers.push_back(words.data());

  size_t resultWords = 0;
  for (const TensorSpec &spec : impl->results)
    resultWords += 3 + 2 * spec.shape.size();
  std::vector<int64_t> resultStorage(resultWords, 0);
  void *resultPointer = resultStorage.data();

  // The packed wrapper takes the address of every parameter of
  // `_mlir_ciface_<entry>(results*, arg0*, arg1*, ...)`.
  SmallVector<void *> packedArgs;
  if (!impl->results.empty())
    packedArgs.push_back(&resultPointer);
  for (void *&pointer : descriptorPointers)
    packedArgs.push_back(&pointer);
  impl->packed(packedArgs.data());

  std::vector<ResultBuffer> results;
  size_t word = 0;
  for (const TensorSpec &spec : impl->results) {
    size_t rank = spec.shape.size();
    auto *allocated = reinterpret_cast<void *>(resultStorage[word]);
    auto *aligned = reinterpret_cast<void *>(resultStorage[word + 1]);
    int64_t offset = resultStorage[word + 2];
    std::vector<int64_t> shape(resultStorage.begin() + word + 3,
                               resultStorage.begin() + word + 3 + rank);
    std::vector<int64_t> strides(resultStorage.begin() + word + 3 + rank,
                                 resultStorage.begin() + word + 3 + 2 * rank);
    word += 3 + 2 * rank;
    // The pipeline hands every returned buffer to the caller (it clones
    // arguments and constants); never free memory that belongs to an
    // argument all the same, and free a buffer returned twice once.
    bool owned = allocated != nullptr;
    for (const ResultBuffer &earlier : results)
      if (earlier.getAllocatedPointer() == allocated)
        owned = false;
    for (const ArgumentView &arg : args) {
      int64_t bytes = getByteSize(arg.elementType);
      for (int64_t size : arg.shape)
        bytes *= size;
      auto *begin = static_cast<char *>(arg.data);
      auto *pointer = static_cast<char *>(allocated);
      if (pointer == begin || (pointer > begin && pointer < begin + bytes))
        owned = false;
    }
    results.emplace_back(spec.elementType, allocated, aligned, offset,
                         std::move(shape), std::move(strides), owned);
  }
  return results;
}

bool CompiledFunction::hasDestinationEntry() const {
  return impl->packedInto != nullptr;
}

StringRef CompiledFunction::getDestinationUnavailableReason() const {
  return impl->intoUnavailable;
}

llvm::Expected<std::vector<std::vector<int64_t>>>
CompiledFunction::getResultShapes(ArrayRef<ArgumentView> args) const {
  if (!impl->packedInto)
    return makeError(ErrorKind::Value, "result shapes of @" + impl->entry +
                                           " are not known before the call: " +
                                           impl->intoUnavailable);
  if (llvm::Error err = checkArguments(args))
    return std::move(err);
  std::vector<std::vector<int64_t>> shapes;
  for (const auto &dims : impl->resultDims) {
    std::vector<int64_t> shape;
    for (auto [argIndex, size] : dims)
      shape.push_back(argIndex < 0 ? size : args[argIndex].shape[size]);
    shapes.push_back(std::move(shape));
  }
  return shapes;
}

/// Row-major contiguous descriptor words of a caller's buffer.
static std::vector<int64_t> describeBuffer(const ArgumentView &view) {
  size_t rank = view.shape.size();
  std::vector<int64_t> words(3 + 2 * rank, 0);
  auto address = reinterpret_cast<int64_t>(view.data);
  words[0] = address;
  words[1] = address;
  int64_t stride = 1;
  for (size_t d = rank; d-- > 0;) {
    words[3 + d] = view.shape[d];
    words[3 + rank + d] = stride;
    stride *= view.shape[d];
  }
  return words;
}

static int64_t byteSizeOf(const ArgumentView &view) {
  int64_t bytes = getByteSize(view.elementType);
  for (int64_t size : view.shape)
    bytes *= size;
  return bytes;
}

static bool overlap(const ArgumentView &a, const ArgumentView &b) {
  auto *pa = static_cast<const char *>(a.data);
  auto *pb = static_cast<const char *>(b.data);
  int64_t na = byteSizeOf(a), nb = byteSizeOf(b);
  return na > 0 && nb > 0 && pa < pb + nb && pb < pa + na;
}

llvm::Error CompiledFunction::callInto(ArrayRef<ArgumentView> args,
                                       ArrayRef<ArgumentView> outs) const {
  const std::string &entry = impl->entry;
  if (!impl->packedInto)
    return makeError(ErrorKind::Value, "out= is not available for @" + entry +
                                           ": " + impl->intoUnavailable);
  if (llvm::Error err = checkArguments(args))
    return err;
  if (outs.size() != impl->results.size())
    return makeError(ErrorKind::Value,
                     "@" + entry + " has " + llvm::Twine(impl->results.size()) +
                         " results; out= got " + llvm::Twine(outs.size()) +
                         " destinations");
  for (auto [i, out] : llvm::enumerate(outs)) {
    const TensorSpec &spec = impl->results[i];
    std::string where = "out[" + std::to_string(i) + "] (result #" +
                        std::to_string(i) + " of @" + entry + ", " +
                        spec.typeText + ")";
    if (out.elementType != spec.elementType)
      return makeError(ErrorKind::Type,
                       where + ": expected " + getName(spec.elementType) +
                           " elements, got " + getName(out.elementType));
    if (!out.writable)
      return makeError(ErrorKind::Value, where + " is not writable");
    std::vector<int64_t> expected;
    for (auto [argIndex, size] : impl->resultDims[i])
      expected.push_back(argIndex < 0 ? size : args[argIndex].shape[size]);
    if (out.shape != expected)
      return makeError(ErrorKind::Value, where + ": expected shape " +
                                             formatShape(expected) +
                                             " for these arguments, got " +
                                             formatShape(out.shape));
    for (auto [j, arg] : llvm::enumerate(args))
      if (overlap(out, arg))
        return makeError(ErrorKind::Value,
                         where + " overlaps argument #" + llvm::Twine(j) +
                             " in memory; destinations must not alias the "
                             "arguments");
    for (size_t j = 0; j < i; ++j)
      if (overlap(out, outs[j]))
        return makeError(ErrorKind::Value, where + " overlaps out[" +
                                               llvm::Twine(j) + "] in memory");
  }
  std::vector<std::vector<int64_t>> descriptors;
  for (const ArgumentView &view : args)
    descriptors.push_back(describeBuffer(view));
  for (const ArgumentView &view : outs)
    descriptors.push_back(describeBuffer(view));
  std::vector<void *> pointers;
  for (std::vector<int64_t> &words : descriptors)
    pointers.push_back(words.data());
  SmallVector<void *> packedArgs;
  for (void *&pointer : pointers)
    packedArgs.push_back(&pointer);
  impl->packedInto(packedArgs.data());
  return llvm::Error::success();
}
