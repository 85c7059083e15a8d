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

py::object callCompiled(const api::CompiledFunction &function,
                        const py::args &args) {
  llvm::ArrayRef<api::TensorSpec> specs = function.getArguments();
  std::string entry = function.getEntry().str();
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
  py::object ascontiguous =
      py::module_::import("numpy").attr("ascontiguousarray");
  for (size_t i = 0; i < args.size(); ++i) {
    const api::TensorSpec &spec = specs[i];
    std::string where = "argument #" + std::to_string(i) + " of @" + entry +
                        " (" + spec.typeText + ")";
    py::handle arg = args[i];
    if (!py::isinstance<py::array>(arg))
      throw py::type_error(
          where + ": expected a numpy.ndarray of " +
          acceptedDtypes(spec.elementType) + ", got " +
          std::string(py::str(arg.get_type().attr("__name__"))));
    auto array = py::reinterpret_borrow<py::array>(arg);
    py::dtype dtype = array.dtype();
    std::optional<api::ElementType> type =
        elementTypeOf(dtype, spec.elementType);
    if (!type || !hasNativeByteOrder(dtype) || *type != spec.elementType)
      throw py::type_error(
          where + ": expected a numpy.ndarray of " +
          acceptedDtypes(spec.elementType) + ", got " + dtypeName(dtype) +
          (hasNativeByteOrder(dtype) ? "" : " (byte-swapped)"));
    bool contiguous = array.flags() & py::array::c_style;
    if (!contiguous) {
      if (spec.isMemRef)
        throw py::value_error(where +
                              " is written in place: pass a C-contiguous "
                              "array");
      array = py::reinterpret_steal<py::array>(ascontiguous(array).release());
    }
    api::ArgumentView view;
    view.elementType = *type;
    view.data = const_cast<void *>(array.data());
    view.shape.assign(array.shape(), array.shape() + array.ndim());
    view.writable = array.writeable();
    arrays.push_back(array);
    views.push_back(std::move(view));
  }

  std::optional<llvm::Expected<std::vector<api::ResultBuffer>>> results;
  {
    py::gil_scoped_release release;
    results.emplace(function.call(views));
  }
  std::vector<api::ResultBuffer> buffers = unwrap(std::move(*results));

  std::vector<py::array> outputs;
  for (const api::ResultBuffer &buffer : buffers) {
    std::vector<ssize_t> shape(buffer.getShape().begin(),
                               buffer.getShape().end());
    // C-contiguous strides from the dtype's Python itemsize: pybind11 2.10
    // would read NumPy 1's descriptor layout, which NumPy 2 changed.
    py::dtype dtype(numpyName(buffer.getElementType()));
    ssize_t stride = dtype.attr("itemsize").cast<ssize_t>();
    std::vector<ssize_t> strides(shape.size());
    for (size_t i = shape.size(); i-- > 0;) {
      strides[i] = stride;
      stride *= std::max<ssize_t>(shape[i], 1);
    }
    py::array out(dtype, shape, strides);
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
