//===- API.h - C++ facade over attnres for language bindings ----*- C++ -*-===//
//
// A small, MLIR-free interface to attnres for the Python bindings (and any
// other host that wants text in, numbers out): parse/verify/transform modules,
// and compile a function for the CPU (attnres-to-llvm + in-process JIT) or
// through the NVVM pipeline. No MLIR type appears in this header; a `Module`
// owns its MLIRContext together with the IR. Every failure is an
// `llvm::Error` holding an `APIError` whose kind tells bindings which
// exception to raise; MLIR diagnostics are captured as located text.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_API_API_H
#define ATTNRES_API_API_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mlir {
namespace attnres {
namespace api {

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

/// What kind of failure an `APIError` reports.
enum class ErrorKind {
  /// The IR, a pass pipeline, the translation or the JIT failed; the message
  /// is the located MLIR diagnostics text.
  Diagnostic,
  /// A call argument has the wrong element type (or is not an array).
  Type,
  /// A call argument has the wrong count, rank, shape or layout, or an
  /// option has a bad value.
  Value,
};

/// The error payload of every facade function.
class APIError : public llvm::ErrorInfo<APIError> {
public:
  static char ID;

  APIError(ErrorKind kind, std::string message)
      : kind(kind), message(std::move(message)) {}

  ErrorKind getKind() const { return kind; }
  const std::string &getMessage() const { return message; }

  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override;

private:
  ErrorKind kind;
  std::string message;
};

/// Creates an `llvm::Error` holding an `APIError`.
llvm::Error makeError(ErrorKind kind, const llvm::Twine &message);

//===----------------------------------------------------------------------===//
// Registration
//===----------------------------------------------------------------------===//

/// Registers every upstream and attnres dialect, extension, pass, pipeline and
/// LLVM IR translation, and initializes the native target. Thread-safe and
/// idempotent; every other facade function calls it.
void initialize();

/// Whether `name` is a registered pass pipeline (e.g. `attnres-to-llvm`).
bool isPipelineRegistered(llvm::StringRef name);

/// Whether `name` is a registered pass.
bool isPassRegistered(llvm::StringRef name);

//===----------------------------------------------------------------------===//
// Modules
//===----------------------------------------------------------------------===//

/// One object of a `gpu.binary` op: the GPU module's name, the target
/// attribute as text, the format (`offload`, `assembly`, `bin`, `fatbin`) and
/// the bytes (PTX text for `assembly`).
struct GPUObject {
  std::string module;
  std::string target;
  std::string format;
  std::string data;
};

/// An MLIR module and the context that owns it.
class Module {
public:
  /// Parses `text` (a `builtin.module`, or ops that get wrapped into one).
  /// `sourceName` appears in diagnostic locations. With `verify`, the module
  /// is verified after parsing.
  static llvm::Expected<std::unique_ptr<Module>>
  parse(llvm::StringRef text, llvm::StringRef sourceName = "<input>",
        bool verify = true);

  ~Module();
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;

  /// Runs the verifier.
  llvm::Error verify();

  /// Runs a textual pass pipeline: `builtin.module(...)`, or a list of passes
  /// and pipelines anchored on the module (`attnres-to-llvm{fuse=false}`,
  /// `canonicalize,func.func(attnres-fuse)`). The module is verified first.
  /// On failure the module may be partially transformed.
  llvm::Error runPipeline(llvm::StringRef spec);

  /// The module in custom (or generic) assembly.
  std::string str(bool generic = false) const;

  /// The objects of every `gpu.binary` op, in order.
  std::vector<GPUObject> getGPUObjects() const;

  struct Impl;

private:
  explicit Module(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
};

//===----------------------------------------------------------------------===//
// Compiled functions (CPU)
//===----------------------------------------------------------------------===//

/// Element types that cross the boundary.
enum class ElementType { F16, BF16, F32, F64, I8, I16, I32, I64 };

/// Bytes per element.
size_t getByteSize(ElementType type);

/// `f32`, `bf16`, ... (MLIR spelling).
llvm::StringRef getName(ElementType type);

/// A shaped argument or result of a compiled function.
struct TensorSpec {
  ElementType elementType;
  /// Static sizes, `kDynamic` for dynamic ones.
  std::vector<int64_t> shape;
  /// A memref (written in place by the callee) rather than a tensor.
  bool isMemRef;
  /// The MLIR type as text, for messages.
  std::string typeText;
  static constexpr int64_t kDynamic = -1;
};

/// A caller's buffer: contiguous, row-major, native byte order.
struct ArgumentView {
  ElementType elementType;
  void *data;
  std::vector<int64_t> shape;
  bool writable;
};

/// A result buffer returned by compiled code. Owns the allocation (released
/// with free() of the allocated pointer) unless it aliases an argument.
class ResultBuffer {
public:
  ResultBuffer(ElementType elementType, void *allocated, void *aligned,
               int64_t offset, std::vector<int64_t> shape,
               std::vector<int64_t> strides, bool owned);
  ~ResultBuffer();
  ResultBuffer(ResultBuffer &&other) noexcept;
  ResultBuffer &operator=(ResultBuffer &&other) = delete;
  ResultBuffer(const ResultBuffer &) = delete;
  ResultBuffer &operator=(const ResultBuffer &) = delete;

  ElementType getElementType() const { return elementType; }
  llvm::ArrayRef<int64_t> getShape() const { return shape; }
  /// Strides in elements.
  llvm::ArrayRef<int64_t> getStrides() const { return strides; }
  int64_t getNumElements() const;
  const void *getAllocatedPointer() const { return allocated; }
  /// The first element.
  void *getData() const;
  /// Whether this buffer frees its allocation (false when it aliases an
  /// argument or an earlier result of the same call).
  bool isOwned() const { return owned; }

  /// Copies the elements, row-major and contiguous, to `dest`.
  void copyTo(void *dest) const;

private:
  ElementType elementType;
  void *allocated;
  void *aligned;
  int64_t offset;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;
  bool owned;
};

/// A function compiled for the host CPU with `attnres-to-llvm` and JIT-ed
/// in-process (MLIR ExecutionEngine, libomp loaded for the OpenMP kernels).
class CompiledFunction {
public:
  /// Parses `irText`, marks `entry` (a `func.func` whose arguments and
  /// results are ranked tensors or identity-layout memrefs of supported
  /// element types) with `llvm.emit_c_interface` and its tensor arguments as
  /// read-only, lowers with `attnres-to-llvm{pipelineOptions}` and JIT
  /// compiles at -O3 for the host.
  static llvm::Expected<std::unique_ptr<CompiledFunction>>
  compileForCPU(llvm::StringRef irText, llvm::StringRef entry,
                llvm::StringRef pipelineOptions = "");

  ~CompiledFunction();
  CompiledFunction(const CompiledFunction &) = delete;
  CompiledFunction &operator=(const CompiledFunction &) = delete;

  llvm::StringRef getEntry() const;
  llvm::ArrayRef<TensorSpec> getArguments() const;
  llvm::ArrayRef<TensorSpec> getResults() const;

  /// Checks `args` against the signature: count, element types, static
  /// sizes, and equal sizes for dynamic dimensions that the function's ops
  /// require to be equal (sources of one attnres op, operands of linalg ops
  /// sharing a loop, casts). Memref arguments must be writable.
  llvm::Error checkArguments(llvm::ArrayRef<ArgumentView> args) const;

  /// Checks the arguments, runs the function and returns its results.
  /// Thread-safe; does not touch any interpreter state.
  llvm::Expected<std::vector<ResultBuffer>>
  call(llvm::ArrayRef<ArgumentView> args) const;

  /// Whether `callInto` is available: every result is a tensor whose sizes
  /// are static or equal to sizes of arguments (so destinations can be
  /// checked before the call). The reason when it is not.
  bool hasDestinationEntry() const;
  llvm::StringRef getDestinationUnavailableReason() const;

  /// The result shapes for `args` (checked like `checkArguments`), when
  /// `hasDestinationEntry()`.
  llvm::Expected<std::vector<std::vector<int64_t>>>
  getResultShapes(llvm::ArrayRef<ArgumentView> args) const;

  /// Runs the function with its results computed directly into `outs` (one
  /// writable, contiguous buffer per result, of the result's element type
  /// and shape, overlapping no argument and no other destination):
  /// destination passing, through a variant of the entry compiled with
  /// `bufferization.materialize_in_destination` of each result. Thread-safe.
  llvm::Error callInto(llvm::ArrayRef<ArgumentView> args,
                       llvm::ArrayRef<ArgumentView> outs) const;

  struct Impl;

private:
  explicit CompiledFunction(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
};

//===----------------------------------------------------------------------===//
// NVVM
//===----------------------------------------------------------------------===//

/// The result of `compileForNVVM`.
struct NVVMCompilation {
  /// The host module after the pipeline.
  std::string hostIR;
  /// The objects of its `gpu.binary` ops (PTX or cubin).
  std::vector<GPUObject> objects;
};

/// Parses `irText`, marks `entry` with `llvm.emit_c_interface` and runs
/// `attnres-to-nvvm{pipelineOptions}`. Fails with a diagnostic error if that
/// pipeline is not registered in this build, or if it produces no
/// `gpu.binary`.
llvm::Expected<NVVMCompilation> compileForNVVM(llvm::StringRef irText,
                                               llvm::StringRef entry,
                                               llvm::StringRef pipelineOptions);

} // namespace api
} // namespace attnres
} // namespace mlir

#endif // ATTNRES_API_API_H
