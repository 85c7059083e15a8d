//===- AttnResModule.cpp - the attnres._attnres native module -------------===//
//
// pybind11 bindings over the C++ facade (attnres/API/API.h). No MLIR object
// crosses this boundary: modules are opaque handles that own their context,
// compiled functions take and return numpy arrays. Facade errors become
// `attnres.Error` (diagnostics), `TypeError` or `ValueError`.
//
// Compiled with -fexceptions (LLVM's flags say -fno-exceptions); no C++
// exception crosses the facade, which reports through llvm::Error.
//
//===----------------------------------------------------------------------===//

#include "attnres/API/API.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace py = pybind11;
namespace api = mlir::attnres::api;

namespace {

/// Raised as `attnres.Error`.
class MLIRError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Turns a facade error into the matching Python exception.
[[noreturn]] void throwError(llvm::Error error) {
  api::ErrorKind kind = api::ErrorKind::Diagnostic;
  std::string message;
  llvm::handleAllErrors(
      std::move(error),
      [&](const api::APIError &e) {
        kind = e.getKind();
        message = e.getMessage();
      },
      [&](const llvm::ErrorInfoBase &e) { message = e.message(); });
  switch (kind) {
  case api::ErrorKind::Type:
    throw py::type_error(message);
  case api::ErrorKind::Value:
    throw py::value_error(message);
  case api::ErrorKind::Diagnostic:
    break;
  }
  throw MLIRError(message);
}

void check(llvm::Error error) {
  if (error)
    throwError(std::move(error));
}

template <typename T> T unwrap(llvm::Expected<T> value) {
  if (!value)
    throwError(value.takeError());
  return std::move(*value);
}

//===----------------------------------------------------------------------===//
// numpy <-> element types
//===----------------------------------------------------------------------===//

/// The numpy dtype results of `type` get. bf16 has no numpy type: bf16
/// results are uint16 bit patterns.
const char *numpyName(api::ElementType type) {
  switch (type) {
  case api::ElementType::F16:
    return "float16";
  case api::ElementType::BF16:
    return "uint16";
  case api::ElementType::F32:
    return "float32";
  case api::ElementType::F64:
    return "float64";
  case api::ElementType::I8:
    return "int8";
  case api::ElementType::I16:
    return "int16";
  case api::ElementType::I32:
    return "int32";
  case api::ElementType::I64:
    return "int64";
  }
  return "?";
}

/// What an argument of `type` accepts, for messages.
std::string acceptedDtypes(api::ElementType type) {
  if (type == api::ElementType::BF16)
    return "uint16 (bf16 bit patterns) or ml_dtypes.bfloat16";
  return numpyName(type);
}

/// The element type an array passes as, given the expected one: uint16 and
/// ml_dtypes' 2-byte `bfloat16` pass as bf16 where bf16 is expected.
std::optional<api::ElementType> elementTypeOf(const py::dtype &dtype,
                                              api::ElementType expected) {
  // Read through the Python attributes, not pybind11's view of the C struct:
  // NumPy 2 moved PyArray_Descr's fields (pybind11 2.10 reads NumPy 1's).
  char kind = py::str(dtype.attr("kind")).cast<std::string>()[0];
  ssize_t size = dtype.attr("itemsize").cast<ssize_t>();
  if (kind == 'f') {
    if (size == 2)
      return api::ElementType::F16;
    if (size == 4)
      return api::ElementType::F32;
    if (size == 8)
      return api::ElementType::F64;
  } else if (kind == 'i') {
    if (size == 1)
      return api::ElementType::I8;
    if (size == 2)
      return api::ElementType::I16;
    if (size == 4)
      return api::ElementType::I32;
    if (size == 8)
      return api::ElementType::I64;
  } else if (size == 2 && expected == api::ElementType::BF16) {
    if (kind == 'u')
      return api::ElementType::BF16;
    std::string name = py::str(dtype.attr("name"));
    if (name == "bfloat16")
      return api::ElementType::BF16;
  }
  return std::nullopt;
}

bool hasNativeByteOrder(const py::dtype &dtype) {
  char order = py::str(dtype.attr("byteorder")).cast<std::string>()[0];
  if (order == '=' || order == '|')
    return true;
  const uint16_t probe = 1;
  bool little = *reinterpret_cast<const uint8_t *>(&probe) == 1;
  return little ? order == '<' : order == '>';
}

std::string dtypeName(const py::dtype &dtype) {
  return py::str(dtype.attr("name"));
}

py::object shapeTuple(const api::TensorSpec &spec) {
  py::list dims;
  for (int64_t size : spec.shape) {
    if (size == api::TensorSpec::kDynamic)
      dims.append(py::none());
    else
      dims.append(size);
  }
  return py::tuple(dims);
}

py::dict describe(const api::TensorSpec &spec) {
  py::dict d;
  d["dtype"] = std::string(api::getName(spec.elementType));
  d["numpy_dtype"] = std::string(numpyName(spec.elementType));
  d["shape"] = shapeTuple(spec);
  d["memref"] = spec.isMemRef;
  d["type"] = spec.typeText;
  return d;
}

//===----------------------------------------------------------------------===//
// Calling compiled functions
//===----------------------------------------------------------------------===//

/// The view of `arg` as a buffer of `expected` elements (`where` names it in
/// errors). Non-contiguous arrays are copied into `keep` unless
/// `mustBeContiguous` (destinations, memrefs written in place).
api::ArgumentView viewOf(py::handle arg, api::ElementType expected,
                         const std::string &where, bool mustBeContiguous,
                         const std::string &contiguousReason,
                         std::vector<py::array> &keep) {
  if (!py::isinstance<py::array>(arg))
    throw py::type_error(where + ": expected a numpy.ndarray of " +
                         acceptedDtypes(expected) + ", got " +
                         std::string(py::str(arg.get_type().attr("__name__"))));
  auto array = py::reinterpret_borrow<py::array>(arg);
  py::dtype dtype = array.dtype();
  std::optional<api::ElementType> type = elementTypeOf(dtype, expected);
  if (!type || !hasNativeByteOrder(dtype) || *type != expected)
    throw py::type_error(where + ": expected a numpy.ndarray of " +
                         acceptedDtypes(expected) + ", got " +
                         dtypeName(dtype) +
                         (hasNativeByteOrder(dtype) ? "" : " (byte-swapped)"));
  bool contiguous = array.flags() & py::array::c_style;
  if (!contiguous) {
    if (mustBeContiguous)
      throw py::value_error(where + contiguousReason);
    py::object ascontiguous =
        py::module_::import("numpy").attr("ascontiguousarray");
    array = py::reinterpret_steal<py::array>(ascontiguous(array).release());
  }
  api::ArgumentView view;
  view.elementType = *type;
  view.data = const_cast<void *>(array.data());
  view.shape.assign(array.shape(), array.shape() + array.ndim());
  view.writable = array.writeable();
  keep.push_back(array);
  return view;
}

/// C-contiguous numpy strides (bytes) for `shape` and `dtype`, from the
/// dtype's Python itemsize: pybind11 2.10 would read NumPy 1's descriptor
/// layout, which NumPy 2 changed.
std::vector<ssize_t> contiguousStrides(const std::vector<ssize_t> &shape,
                                       const py::dtype &dtype) {
  ssize_t stride = dtype.attr("itemsize").cast<ssize_t>();
  std::vector<ssize_t> strides(shape.size());
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= std::max<ssize_t>(shape[i], 1);
  }
  return strides;
}

/// Result memory for calls through the destination-passing entry: buffers
/// of arrays that died are kept (up to 4 per size and 1 GiB in all) and
/// handed to the next call that needs that size, so a loop of calls does not
/// map and page-fault fresh memory for every result (glibc returns blocks
/// above 32 MiB to the kernel on free). Thread-safe.
class ResultPool {
public:
  static ResultPool &get() {
    static ResultPool *pool = new ResultPool(); // Never destroyed: arrays may
                                                // outlive static destructors.
    return *pool;
  }

  void *take(size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = held.find(bytes);
      if (it != held.end()) {
        void *p = it->second;
        held.erase(it);
        heldBytes -= bytes;
        return p;
      }
    }
    size_t rounded = std::max<size_t>(64, (bytes + 63) / 64 * 64);
    void *p = std::aligned_alloc(64, rounded);
    if (!p)
      throw std::bad_alloc();
    return p;
  }

  void give(void *p, size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (heldBytes + bytes <= kMaxBytes && held.count(bytes) < kMaxPerSize) {
        held.emplace(bytes, p);
        heldBytes += bytes;
        return;
      }
    }
    std::free(p);
  }

  /// Frees every kept buffer.
  void clear() {
    std::multimap<size_t, void *> drop;
    {
      std::lock_guard<std::mutex> lock(mutex);
      drop.swap(held);
      heldBytes = 0;
    }
    for (auto &[bytes, p] : drop)
      std::free(p);
  }

  size_t getHeldBytes() {
    std::lock_guard<std::mutex> lock(mutex);
    return heldBytes;
  }

private:
  static constexpr size_t kMaxBytes = size_t(1) << 30;
  static constexpr size_t kMaxPerSize = 4;
  std::mutex mutex;
  std::multimap<size_t, void *> held;
  size_t heldBytes = 0;
};

/// A pooled result buffer owned by a capsule.
struct PooledBuffer {
  void *data;
  size_t bytes;
  ~PooledBuffer() { ResultPool::get().give(data, bytes); }
};

/// A fresh C-contiguous array of `spec`'s element type and `shape` over
/// pooled memory.
py::array pooledArray(const api::TensorSpec &spec,
                      const std::vector<int64_t> &shape) {
  py::dtype dtype(numpyName(spec.elementType));
  std::vector<ssize_t> dims(shape.begin(), shape.end());
  size_t bytes = api::getByteSize(spec.elementType);
  for (int64_t size : shape)
    bytes *= static_cast<size_t>(size);
  auto *buffer = new PooledBuffer{ResultPool::get().take(bytes), bytes};
  py::capsule owner(buffer,
                    [](void *p) { delete static_cast<PooledBuffer *>(p); });
  return py::array(dtype, dims, contiguousStrides(dims, dtype), buffer->data,
                   owner);
}

/// numpy arrays over the results. A buffer the compiled code allocated
/// becomes the array's memory (no copy): a capsule owns it and frees it
/// when the last array over it dies. Results that alias an argument are
/// copied (an array never shares memory with an argument).
py::object wrapResults(std::vector<api::ResultBuffer> buffers) {
  std::vector<py::array> outputs;
  // Allocation -> the capsule that owns it (results returned twice share).
  std::vector<std::pair<const void *, py::capsule>> owners;
  for (api::ResultBuffer &buffer : buffers) {
    std::vector<ssize_t> shape(buffer.getShape().begin(),
                               buffer.getShape().end());
    py::dtype dtype(numpyName(buffer.getElementType()));
    ssize_t itemsize = dtype.attr("itemsize").cast<ssize_t>();
    std::optional<py::capsule> owner;
    for (auto &[allocation, capsule] : owners)
      if (allocation == buffer.getAllocatedPointer())
        owner = capsule;
    if (!owner && buffer.isOwned()) {
      const void *allocation = buffer.getAllocatedPointer();
      auto *held = new api::ResultBuffer(std::move(buffer));
      owner = py::capsule(
          held, [](void *p) { delete static_cast<api::ResultBuffer *>(p); });
      owners.emplace_back(allocation, *owner);
      api::ResultBuffer &kept = *held;
      std::vector<ssize_t> strides;
      for (int64_t stride : kept.getStrides())
        strides.push_back(stride * itemsize);
      outputs.emplace_back(dtype, shape, strides, kept.getData(), *owner);
      continue;
    }
    if (owner) {
      // The same allocation as an earlier result: share its owner.
      std::vector<ssize_t> strides;
      for (int64_t stride : buffer.getStrides())
        strides.push_back(stride * itemsize);
      outputs.emplace_back(dtype, shape, strides, buffer.getData(), *owner);
      continue;
    }
    py::array out(dtype, shape, contiguousStrides(shape, dtype));
    buffer.copyTo(out.mutable_data());
    outputs.push_back(std::move(out));
  }
  if (outputs.empty())
    return py::none();
  if (outputs.size() == 1)
    return std::move(outputs.front());
  py::tuple tuple(outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i)
    tuple[i] = std::move(outputs[i]);
  return std::move(tuple);
}

py::object callCompiled(const api::CompiledFunction &function,
                        const py::args &args, const py::kwargs &kwargs) {
  llvm::ArrayRef<api::TensorSpec> specs = function.getArguments();
  std::string entry = function.getEntry().str();
  py::object out = py::none();
  for (auto item : kwargs) {
    std::string key = py::str(item.first);
    if (key != "out")
      throw py::type_error("@" + entry +
                           "() got an unexpected keyword argument '" + key +
                           "' (only out= is accepted)");
    out = py::reinterpret_borrow<py::object>(item.second);
  }
  if (args.size() != specs.size()) {
    std::string types;
    for (size_t i = 0; i < specs.size(); ++i)
      types += (i ? ", " : "") + specs[i].typeText;
    throw py::value_error("@" + entry + " takes " +
                          std::to_string(specs.size()) + " arguments (" +
                          types + "), got " + std::to_string(args.size()));
  }
  // Keep converted arrays alive for the call.
  std::vector<py::array> arrays;
  std::vector<api::ArgumentView> views;
  for (size_t i = 0; i < args.size(); ++i) {
    const api::TensorSpec &spec = specs[i];
    std::string where = "argument #" + std::to_string(i) + " of @" + entry +
                        " (" + spec.typeText + ")";
    views.push_back(viewOf(args[i], spec.elementType, where, spec.isMemRef,
                           " is written in place: pass a C-contiguous array",
                           arrays));
  }

  if (!out.is_none()) {
    llvm::ArrayRef<api::TensorSpec> results = function.getResults();
    if (!function.hasDestinationEntry())
      throw py::value_error("out= is not available for @" + entry + ": " +
                            function.getDestinationUnavailableReason().str());
    bool single =
        !py::isinstance<py::tuple>(out) && !py::isinstance<py::list>(out);
    py::sequence outs =
        single ? py::sequence(py::make_tuple(out)) : py::sequence(out);
    if (outs.size() != results.size())
      throw py::value_error("@" + entry + " has " +
                            std::to_string(results.size()) +
                            " results; out= got " +
                            std::to_string(outs.size()) + " destinations");
    std::vector<api::ArgumentView> outViews;
    for (size_t i = 0; i < outs.size(); ++i) {
      std::string where = "out[" + std::to_string(i) + "] (result #" +
                          std::to_string(i) + " of @" + entry + ", " +
                          results[i].typeText + ")";
      outViews.push_back(viewOf(outs[i], results[i].elementType, where,
                                /*mustBeContiguous=*/true,
                                " must be C-contiguous (it is written in "
                                "place)",
                                arrays));
    }
    std::optional<llvm::Error> error;
    {
      py::gil_scoped_release release;
      error.emplace(function.callInto(views, outViews));
    }
    check(std::move(*error));
    return out;
  }

  // Results into pooled arrays through the destination-passing entry when
  // there is one (sizes known from the arguments), else the buffers the
  // compiled code allocates, without a copy.
  if (function.hasDestinationEntry()) {
    llvm::ArrayRef<api::TensorSpec> results = function.getResults();
    check(function.checkArguments(views));
    std::vector<std::vector<int64_t>> shapes =
        unwrap(function.getResultShapes(views));
    std::vector<py::array> outputs;
    std::vector<api::ArgumentView> outViews;
    for (size_t i = 0; i < results.size(); ++i) {
      outputs.push_back(pooledArray(results[i], shapes[i]));
      api::ArgumentView view;
      view.elementType = results[i].elementType;
      view.data = outputs.back().mutable_data();
      view.shape = shapes[i];
      view.writable = true;
      outViews.push_back(std::move(view));
    }
    std::optional<llvm::Error> error;
    {
      py::gil_scoped_release release;
      error.emplace(function.callInto(views, outViews));
    }
    check(std::move(*error));
    if (outputs.size() == 1)
      return std::move(outputs.front());
    py::tuple tuple(outputs.size());
    for (size_t i = 0; i < outputs.size(); ++i)
      tuple[i] = std::move(outputs[i]);
    return std::move(tuple);
  }
  std::optional<llvm::Expected<std::vector<api::ResultBuffer>>> results;
  {
    py::gil_scoped_release release;
    results.emplace(function.call(views));
  }
  return wrapResults(unwrap(std::move(*results)));
}

py::list gpuObjects(const std::vector<api::GPUObject> &objects) {
  py::list list;
  for (const api::GPUObject &object : objects) {
    py::dict d;
    d["module"] = object.module;
    d["target"] = object.target;
    d["format"] = object.format;
    d["data"] = py::bytes(object.data);
    list.append(d);
  }
  return list;
}

} // namespace

PYBIND11_MODULE(_attnres, m) {
  m.doc() = "attnres native module (use the `attnres` package)";

  py::register_exception<MLIRError>(m, "Error", PyExc_Exception);

  m.def(
      "is_pipeline_registered",
      [](const std::string &name) { return api::isPipelineRegistered(name); },
      py::arg("name"), "Whether `name` is a registered pass pipeline.");
  m.def(
      "release_result_memory", []() { ResultPool::get().clear(); },
      "Frees the memory kept for results of compiled functions.");
  m.def(
      "result_memory_held", []() { return ResultPool::get().getHeldBytes(); },
      "Bytes kept for results of compiled functions (freed arrays' buffers "
      "waiting for reuse).");
  m.def(
      "is_pass_registered",
      [](const std::string &name) { return api::isPassRegistered(name); },
      py::arg("name"), "Whether `name` is a registered pass.");

  py::class_<api::Module>(m, "Module",
                          "An MLIR module together with the context that "
                          "owns it.")
      .def_static(
          "parse",
          [](const std::string &text, const std::string &name, bool verify) {
            return unwrap(api::Module::parse(text, name, verify));
          },
          py::arg("text"), py::arg("name") = "<input>",
          py::arg("verify") = true,
          "Parses MLIR text (verified unless verify=False). `name` is the "
          "file name in diagnostic locations.")
      .def(
          "verify", [](api::Module &self) { check(self.verify()); },
          "Runs the verifier; raises attnres.Error on failure.")
      .def(
          "run_pipeline",
          [](api::Module &self, const std::string &spec) {
            check(self.runPipeline(spec));
          },
          py::arg("spec"),
          "Runs a textual pass pipeline ('builtin.module(...)' or passes "
          "anchored on the module, e.g. 'attnres-to-llvm') in place.")
      .def(
          "to_string",
          [](const api::Module &self, bool generic) {
            return self.str(generic);
          },
          py::arg("generic") = false,
          "The module as MLIR text (generic op form with generic=True).")
      .def("__str__", [](const api::Module &self) { return self.str(); })
      .def(
          "gpu_objects",
          [](const api::Module &self) {
            return gpuObjects(self.getGPUObjects());
          },
          "The objects of the module's gpu.binary ops: dicts with module, "
          "target, format and data (bytes).");

  py::class_<api::CompiledFunction>(m, "CompiledFunction")
      .def_property_readonly("entry",
                             [](const api::CompiledFunction &self) {
                               return self.getEntry().str();
                             })
      .def_property_readonly("arguments",
                             [](const api::CompiledFunction &self) {
                               py::list list;
                               for (const auto &spec : self.getArguments())
                                 list.append(describe(spec));
                               return list;
                             })
      .def_property_readonly("results",
                             [](const api::CompiledFunction &self) {
                               py::list list;
                               for (const auto &spec : self.getResults())
                                 list.append(describe(spec));
                               return list;
                             })
      .def_property_readonly("supports_out",
                             [](const api::CompiledFunction &self) {
                               return self.hasDestinationEntry();
                             })
      .def("__call__", &callCompiled);

  m.def(
      "compile_cpu",
      [](const std::string &ir, const std::string &entry,
         const std::string &options) {
        std::optional<llvm::Expected<std::unique_ptr<api::CompiledFunction>>>
            compiled;
        {
          py::gil_scoped_release release;
          compiled.emplace(
              api::CompiledFunction::compileForCPU(ir, entry, options));
        }
        return unwrap(std::move(*compiled));
      },
      py::arg("ir"), py::arg("entry"), py::arg("options") = "",
      "Compiles `entry` with attnres-to-llvm{options} and JIT-compiles it.");

  m.def(
      "compile_nvvm",
      [](const std::string &ir, const std::string &entry,
         const std::string &options) {
        std::optional<llvm::Expected<api::NVVMCompilation>> compiled;
        {
          py::gil_scoped_release release;
          compiled.emplace(api::compileForNVVM(ir, entry, options));
        }
        api::NVVMCompilation result = unwrap(std::move(*compiled));
        return py::make_tuple(result.hostIR, gpuObjects(result.objects));
      },
      py::arg("ir"), py::arg("entry"), py::arg("options") = "",
      "Runs attnres-to-nvvm{options}; returns (host IR, gpu objects).");
}
