//===- CudaRuntimeWrappers.cpp - mgpu* C ABI over the CUDA driver ---------===//
//
// The host runtime that MLIR 22.1's `gpu-to-llvm` lowering calls
// (`mgpuModuleLoad`, `mgpuLaunchKernel`, ...), written against the CUDA
// driver API. libcuda.so.1 is loaded with dlopen on first use, so this
// library builds and loads on machines without a GPU or driver. Debian ships
// no libmlir_cuda_runtime.so; this replaces it.
//
// Failure policy (unlike upstream's wrappers, which print and continue):
// every failed driver call prints the call, the error's name, numeric code
// and description, and ends the process with status 1 through `_exit`. A
// CUDA context error is sticky, so continuing would only print wrong
// numbers; `_exit` (not `exit`) because the module's global destructor
// (`mgpuModuleUnload`) would otherwise re-enter the driver's one-time
// initialization while it is failing, and hang.
//
// Before a launch, the grid, block and shared-memory sizes are checked
// against the device's limits, so a too-large grid is reported with the
// dimension and the limit instead of CUDA_ERROR_INVALID_VALUE.
//
// Host registrations (`gpu.host_register`, for host buffers a caller passes
// to kernels under `memory=managed`) are reference counted per pointer and
// undone by `mgpuMemHostUnregister*`; memory the driver already maps
// (device, managed, registered) is left alone.
//
// Only the handful of driver types and entry points used are declared here
// (no cuda.h), with the ABI of the CUDA driver API (v2 entry points).
//
//===----------------------------------------------------------------------===//

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <mutex>
#include <string>
#include <unistd.h>

#define ATTNRES_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

using CUresult = int;
using CUdevice = int;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;
using CUdeviceptr = uint64_t;
using CUjit_option = int;

constexpr CUresult CUDA_SUCCESS = 0;
constexpr int CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
constexpr unsigned CU_MEM_ATTACH_GLOBAL = 1;
constexpr unsigned CU_EVENT_DEFAULT = 0;
constexpr unsigned CU_MEMHOSTREGISTER_PORTABLE = 1;
constexpr unsigned CU_MEMHOSTREGISTER_READ_ONLY = 8;
constexpr CUjit_option CU_JIT_ERROR_LOG_BUFFER = 5;
constexpr CUjit_option CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
constexpr CUjit_option CU_JIT_OPTIMIZATION_LEVEL = 7;
constexpr int CU_POINTER_ATTRIBUTE_MEMORY_TYPE = 2;
constexpr int CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 1;
constexpr int CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X = 2;
constexpr int CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X = 5;
constexpr int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
constexpr int CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE = 36;
constexpr int CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH = 37;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
constexpr int CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97;
constexpr int32_t kDefaultDynamicSharedBytes = 48 * 1024;

/// The driver entry points, resolved once.
struct Driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDriverGetVersion)(int *);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDeviceTotalMem)(size_t *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleLoadDataEx)(CUmodule *, const void *, unsigned,
                                 CUjit_option *, void **);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuFuncSetAttribute)(CUfunction, int, int);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, CUstream, void **,
                             void **);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamDestroy)(CUstream);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuStreamWaitEvent)(CUstream, CUevent, unsigned);
  CUresult (*cuEventCreate)(CUevent *, unsigned);
  CUresult (*cuEventDestroy)(CUevent);
  CUresult (*cuEventRecord)(CUevent, CUstream);
  CUresult (*cuEventSynchronize)(CUevent);
  CUresult (*cuEventElapsedTime)(float *, CUevent, CUevent);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemAllocManaged)(CUdeviceptr *, size_t, unsigned);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*cuMemsetD32Async)(CUdeviceptr, unsigned, size_t, CUstream);
  CUresult (*cuMemsetD16Async)(CUdeviceptr, unsigned short, size_t, CUstream);
  CUresult (*cuMemHostRegister)(void *, size_t, unsigned);
  CUresult (*cuMemHostUnregister)(void *);
  CUresult (*cuPointerGetAttributes)(unsigned, int *, void **, CUdeviceptr);
};

/// The device's launch limits, read once at initialization.
struct Limits {
  int grid[3] = {0, 0, 0};
  int block[3] = {0, 0, 0};
  int threads = 0;
  int sharedOptin = 0;
};

Driver d;
Limits limits;
CUdevice device = 0;
CUcontext context = nullptr;
int defaultDevice = 0;
bool initialized = false;

/// Prints the message and ends the process without running destructors
/// (see the file comment). Output the program printed so far is flushed.
[[noreturn]] void fatal(const std::string &message) {
  fflush(stdout);
  fprintf(stderr, "attnres-cuda-runtime: %s\n", message.c_str());
  fflush(stderr);
  _exit(1);
}

/// "CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected".
std::string describe(CUresult result) {
  const char *name = nullptr, *text = nullptr;
  if (d.cuGetErrorName)
    d.cuGetErrorName(result, &name);
  if (d.cuGetErrorString)
    d.cuGetErrorString(result, &text);
  std::string out = name ? name : "CUDA error";
  out += " (" + std::to_string(result) + ")";
  if (text)
    out += std::string(": ") + text;
  return out;
}

/// "13.0 (13000)" or "unknown".
std::string driverVersion() {
  int v = 0;
  if (!d.cuDriverGetVersion || d.cuDriverGetVersion(&v) != CUDA_SUCCESS)
    return "unknown";
  return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10) + " (" +
         std::to_string(v) + ")";
}

template <typename Fn> void resolve(void *lib, Fn &fn, const char *name) {
  fn = reinterpret_cast<Fn>(dlsym(lib, name));
  if (!fn)
    fatal(std::string("libcuda.so.1 lacks a required entry point: ") + name);
}

void initialize() {
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    fatal(std::string("cannot load libcuda.so.1 (no NVIDIA driver on this "
                      "machine?): ") +
          dlerror());
  resolve(lib, d.cuGetErrorString, "cuGetErrorString");
  resolve(lib, d.cuGetErrorName, "cuGetErrorName");
  resolve(lib, d.cuDriverGetVersion, "cuDriverGetVersion");
  resolve(lib, d.cuInit, "cuInit");
  resolve(lib, d.cuDeviceGetCount, "cuDeviceGetCount");
  resolve(lib, d.cuDeviceGet, "cuDeviceGet");
  resolve(lib, d.cuDeviceGetName, "cuDeviceGetName");
  resolve(lib, d.cuDeviceGetAttribute, "cuDeviceGetAttribute");
  resolve(lib, d.cuDeviceTotalMem, "cuDeviceTotalMem_v2");
  resolve(lib, d.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  resolve(lib, d.cuCtxSetCurrent, "cuCtxSetCurrent");
  resolve(lib, d.cuModuleLoadData, "cuModuleLoadData");
  resolve(lib, d.cuModuleLoadDataEx, "cuModuleLoadDataEx");
  resolve(lib, d.cuModuleUnload, "cuModuleUnload");
  resolve(lib, d.cuModuleGetFunction, "cuModuleGetFunction");
  resolve(lib, d.cuFuncSetAttribute, "cuFuncSetAttribute");
  resolve(lib, d.cuLaunchKernel, "cuLaunchKernel");
  resolve(lib, d.cuStreamCreate, "cuStreamCreate");
  resolve(lib, d.cuStreamDestroy, "cuStreamDestroy_v2");
  resolve(lib, d.cuStreamSynchronize, "cuStreamSynchronize");
  resolve(lib, d.cuStreamWaitEvent, "cuStreamWaitEvent");
  resolve(lib, d.cuEventCreate, "cuEventCreate");
  resolve(lib, d.cuEventDestroy, "cuEventDestroy_v2");
  resolve(lib, d.cuEventRecord, "cuEventRecord");
  resolve(lib, d.cuEventSynchronize, "cuEventSynchronize");
  resolve(lib, d.cuEventElapsedTime, "cuEventElapsedTime");
  resolve(lib, d.cuMemAlloc, "cuMemAlloc_v2");
  resolve(lib, d.cuMemAllocManaged, "cuMemAllocManaged");
  resolve(lib, d.cuMemFree, "cuMemFree_v2");
  resolve(lib, d.cuMemcpyAsync, "cuMemcpyAsync");
  resolve(lib, d.cuMemsetD32Async, "cuMemsetD32Async");
  resolve(lib, d.cuMemsetD16Async, "cuMemsetD16Async");
  resolve(lib, d.cuMemHostRegister, "cuMemHostRegister_v2");
  resolve(lib, d.cuMemHostUnregister, "cuMemHostUnregister");
  resolve(lib, d.cuPointerGetAttributes, "cuPointerGetAttributes");
  CUresult r = d.cuInit(0);
  if (r != CUDA_SUCCESS)
    fatal("cuInit failed: " + describe(r) + "; driver " + driverVersion() +
          " (no usable GPU, or CUDA_VISIBLE_DEVICES hides it?)");
  int count = 0;
  if ((r = d.cuDeviceGetCount(&count)) != CUDA_SUCCESS)
    fatal("cuDeviceGetCount failed: " + describe(r));
  if (count <= defaultDevice)
    fatal("no CUDA device " + std::to_string(defaultDevice) + " (" +
          std::to_string(count) + " found)");
  if ((r = d.cuDeviceGet(&device, defaultDevice)) != CUDA_SUCCESS ||
      (r = d.cuDevicePrimaryCtxRetain(&context, device)) != CUDA_SUCCESS)
    fatal("cannot create a context on device " + std::to_string(defaultDevice) +
          ": " + describe(r));
  auto attribute = [](int *value, int which) {
    if (CUresult r = d.cuDeviceGetAttribute(value, which, device))
      fatal("cuDeviceGetAttribute(" + std::to_string(which) +
            ") failed: " + describe(r));
  };
  for (int i = 0; i < 3; ++i) {
    attribute(&limits.grid[i], CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X + i);
    attribute(&limits.block[i], CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X + i);
  }
  attribute(&limits.threads, CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK);
  attribute(&limits.sharedOptin,
            CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
  initialized = true;
}

/// Loads the driver, initializes it and makes the primary context of the
/// default device current (once per process; the context is made current
/// on every calling thread). Any failure ends the process (`fatal`).
const Driver &driver() {
  static std::once_flag once;
  std::call_once(once, initialize);
  thread_local bool current = false;
  if (!current) {
    d.cuCtxSetCurrent(context);
    current = true;
  }
  return d;
}

/// Ends the process on a failed driver call, naming the call and the error.
void check(CUresult result, const char *expr) {
  if (result != CUDA_SUCCESS)
    fatal(std::string("'") + expr + "' failed: " + describe(result));
}

#define CHECK(expr) check(expr, #expr)

/// A ranked memref descriptor (the ABI of `StridedMemRefType`).
struct MemRefDescriptor {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizesAndStrides[1];
};

/// Kernel names, for messages.
std::mutex namesMutex;
std::map<CUfunction, std::string> functionNames;

/// Live host registrations made through mgpuMemHostRegister.
struct Registration {
  int refs = 0;
  bool ours = false; // false: the driver already mapped it; nothing to undo
};
std::mutex registryMutex;
std::map<void *, Registration> registry;

const char *imageKind(const void *data) {
  auto *bytes = static_cast<const unsigned char *>(data);
  uint32_t magic;
  memcpy(&magic, bytes, sizeof(magic));
  if (magic == 0xBA55ED50u)
    return "fatbin";
  if (bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F')
    return "cubin (ELF)";
  return "PTX";
}

[[noreturn]] void moduleLoadFailed(const void *data, size_t size,
                                   CUresult result,
                                   const char *jitLog = nullptr) {
  char name[256] = "unknown device";
  d.cuDeviceGetName(name, sizeof(name), device);
  int major = 0, minor = 0;
  d.cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                         device);
  d.cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                         device);
  std::string what =
      std::string("cannot load the GPU module (") + imageKind(data);
  if (size)
    what += ", " + std::to_string(size) + " bytes";
  what += "): " + describe(result) + "; driver " + driverVersion() + ", " +
          name + " (sm_" + std::to_string(major) + std::to_string(minor) +
          "). A cubin (or a fatbin with compressed PTX) from a newer CUDA "
          "toolkit than the driver does not load: compile with format=isa "
          "(PTX, compiled by the driver at load time; attnres-to-nvvm's "
          "default), with a chip and PTX version the driver supports";
  if (jitLog && *jitLog)
    what += std::string("\nPTX JIT log: ") + jitLog;
  fatal(what);
}

} // namespace

ATTNRES_EXPORT void *mgpuModuleLoad(void *data, size_t size) {
  CUmodule module = nullptr;
  const Driver &drv = driver();
  if (CUresult r = drv.cuModuleLoadData(&module, data))
    moduleLoadFailed(data, size, r);
  return module;
}

ATTNRES_EXPORT void *mgpuModuleLoadJIT(void *data, int optLevel) {
  CUmodule module = nullptr;
  // The driver's PTX compiler explains a rejected module in its error log.
  static char log[4096];
  log[0] = 0;
  CUjit_option options[] = {CU_JIT_OPTIMIZATION_LEVEL, CU_JIT_ERROR_LOG_BUFFER,
                            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {reinterpret_cast<void *>(static_cast<intptr_t>(optLevel)),
                    log, reinterpret_cast<void *>(sizeof(log))};
  const Driver &drv = driver();
  if (CUresult r = drv.cuModuleLoadDataEx(&module, data, 3, options, values))
    moduleLoadFailed(data, 0, r, log);
  return module;
}

ATTNRES_EXPORT void mgpuModuleUnload(void *module) {
  // A global destructor: never start the driver here.
  if (!module || !initialized)
    return;
  CHECK(driver().cuModuleUnload(static_cast<CUmodule>(module)));
}

ATTNRES_EXPORT void *mgpuModuleGetFunction(void *module, const char *name) {
  CUfunction function = nullptr;
  CHECK(driver().cuModuleGetFunction(&function, static_cast<CUmodule>(module),
                                     name));
  std::lock_guard<std::mutex> lock(namesMutex);
  functionNames.emplace(function, name);
  return function;
}

ATTNRES_EXPORT void mgpuLaunchKernel(void *function, intptr_t gridX,
                                     intptr_t gridY, intptr_t gridZ,
                                     intptr_t blockX, intptr_t blockY,
                                     intptr_t blockZ, int32_t smem,
                                     void *stream, void **params, void **extra,
                                     size_t /*paramsCount*/) {
  const Driver &drv = driver();
  auto fn = static_cast<CUfunction>(function);
  // A grid without CTAs has no work (e.g. zero dynamic rows).
  if (gridX == 0 || gridY == 0 || gridZ == 0)
    return;
  intptr_t grid[3] = {gridX, gridY, gridZ};
  intptr_t block[3] = {blockX, blockY, blockZ};
  std::string bad;
  for (int i = 0; i < 3; ++i) {
    const char *axis = i == 0 ? "x" : i == 1 ? "y" : "z";
    if (grid[i] < 0 || grid[i] > limits.grid[i])
      bad += std::string(bad.empty() ? "" : ", ") + "gridDim." + axis + " = " +
             std::to_string(grid[i]) + " (limit " +
             std::to_string(limits.grid[i]) + ")";
    if (block[i] < 1 || block[i] > limits.block[i])
      bad += std::string(bad.empty() ? "" : ", ") + "blockDim." + axis + " = " +
             std::to_string(block[i]) + " (limit " +
             std::to_string(limits.block[i]) + ")";
  }
  if (bad.empty() && blockX * blockY * blockZ > limits.threads)
    bad = "threads per block = " + std::to_string(blockX * blockY * blockZ) +
          " (limit " + std::to_string(limits.threads) + ")";
  if (smem < 0 ||
      smem > std::max(limits.sharedOptin, kDefaultDynamicSharedBytes))
    bad += std::string(bad.empty() ? "" : ", ") +
           "dynamic shared memory = " + std::to_string(smem) +
           " bytes (limit " + std::to_string(limits.sharedOptin) + ")";
  if (!bad.empty()) {
    std::string name = "?";
    {
      std::lock_guard<std::mutex> lock(namesMutex);
      auto it = functionNames.find(fn);
      if (it != functionNames.end())
        name = it->second;
    }
    fatal("launch of kernel '" + name +
          "' exceeds the device's limits: " + bad);
  }
  // Kernels above the 48 KiB default must opt in to more dynamic smem.
  if (smem > kDefaultDynamicSharedBytes)
    CHECK(drv.cuFuncSetAttribute(
        fn, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem));
  CHECK(drv.cuLaunchKernel(fn, gridX, gridY, gridZ, blockX, blockY, blockZ,
                           smem, static_cast<CUstream>(stream), params, extra));
}

ATTNRES_EXPORT void *mgpuStreamCreate() {
  CUstream stream = nullptr;
  // Blocking streams order with the legacy default stream, so events
  // recorded there (benchmarks) bracket the kernels.
  CHECK(driver().cuStreamCreate(&stream, 0));
  return stream;
}

ATTNRES_EXPORT void mgpuStreamDestroy(void *stream) {
  CHECK(driver().cuStreamDestroy(static_cast<CUstream>(stream)));
}

ATTNRES_EXPORT void mgpuStreamSynchronize(void *stream) {
  CHECK(driver().cuStreamSynchronize(static_cast<CUstream>(stream)));
}

ATTNRES_EXPORT void mgpuStreamWaitEvent(void *stream, void *event) {
  CHECK(driver().cuStreamWaitEvent(static_cast<CUstream>(stream),
                                   static_cast<CUevent>(event), 0));
}

ATTNRES_EXPORT void *mgpuEventCreate() {
  CUevent event = nullptr;
  CHECK(driver().cuEventCreate(&event, CU_EVENT_DEFAULT));
  return event;
}

ATTNRES_EXPORT void mgpuEventDestroy(void *event) {
  CHECK(driver().cuEventDestroy(static_cast<CUevent>(event)));
}

ATTNRES_EXPORT void mgpuEventSynchronize(void *event) {
  CHECK(driver().cuEventSynchronize(static_cast<CUevent>(event)));
}

ATTNRES_EXPORT void mgpuEventRecord(void *event, void *stream) {
  CHECK(driver().cuEventRecord(static_cast<CUevent>(event),
                               static_cast<CUstream>(stream)));
}

ATTNRES_EXPORT void *mgpuMemAlloc(uint64_t bytes, void * /*stream*/,
                                  bool hostShared) {
  CUdeviceptr ptr = 0;
  if (bytes == 0)
    return nullptr;
  if (hostShared)
    CHECK(driver().cuMemAllocManaged(&ptr, bytes, CU_MEM_ATTACH_GLOBAL));
  else
    CHECK(driver().cuMemAlloc(&ptr, bytes));
  return reinterpret_cast<void *>(ptr);
}

ATTNRES_EXPORT void mgpuMemFree(void *ptr, void * /*stream*/) {
  if (ptr)
    CHECK(driver().cuMemFree(reinterpret_cast<CUdeviceptr>(ptr)));
}

ATTNRES_EXPORT void mgpuMemcpy(void *dst, void *src, size_t bytes,
                               void *stream) {
  if (bytes == 0)
    return;
  CHECK(driver().cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                               reinterpret_cast<CUdeviceptr>(src), bytes,
                               static_cast<CUstream>(stream)));
}

ATTNRES_EXPORT void mgpuMemset32(void *dst, unsigned value, size_t count,
                                 void *stream) {
  CHECK(driver().cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst), value,
                                  count, static_cast<CUstream>(stream)));
}

ATTNRES_EXPORT void mgpuMemset16(void *dst, unsigned short value, size_t count,
                                 void *stream) {
  CHECK(driver().cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(dst), value,
                                  count, static_cast<CUstream>(stream)));
}

/// Makes [ptr, ptr + bytes) reachable by kernels until the matching
/// mgpuMemHostUnregister. Memory the driver already maps (device, managed,
/// registered or pinned) is left as it is; otherwise the range is
/// registered (read-only pages with CU_MEMHOSTREGISTER_READ_ONLY). A range
/// that cannot be registered ends the process: a kernel would read
/// unmapped host memory (CUDA_ERROR_ILLEGAL_ADDRESS, a sticky error).
ATTNRES_EXPORT void mgpuMemHostRegister(void *ptr, uint64_t bytes) {
  if (!ptr || bytes == 0)
    return;
  const Driver &drv = driver();
  std::lock_guard<std::mutex> lock(registryMutex);
  Registration &reg = registry[ptr];
  if (reg.refs++ > 0)
    return;
  int attribute = CU_POINTER_ATTRIBUTE_MEMORY_TYPE;
  unsigned memoryType = 0;
  void *data[] = {&memoryType};
  if (drv.cuPointerGetAttributes(1, &attribute, data,
                                 reinterpret_cast<CUdeviceptr>(ptr)) ==
          CUDA_SUCCESS &&
      memoryType != 0)
    return; // already reachable: nothing to register or undo
  CUresult r = drv.cuMemHostRegister(ptr, bytes, CU_MEMHOSTREGISTER_PORTABLE);
  CUresult readOnly = CUDA_SUCCESS;
  if (r != CUDA_SUCCESS) {
    readOnly = drv.cuMemHostRegister(
        ptr, bytes, CU_MEMHOSTREGISTER_PORTABLE | CU_MEMHOSTREGISTER_READ_ONLY);
    if (readOnly != CUDA_SUCCESS) {
      char where[32];
      snprintf(where, sizeof(where), "%p", ptr);
      fatal(std::string("cannot make host buffer ") + where + " (" +
            std::to_string(bytes) +
            " bytes) reachable by kernels: "
            "cuMemHostRegister failed: " +
            describe(r) +
            "; with CU_MEMHOSTREGISTER_READ_ONLY: " + describe(readOnly) +
            " (pass device or managed memory, e.g. memory=device)");
    }
  }
  reg.ours = true;
}

/// Registers the memory a ranked memref descriptor spans (from its aligned
/// pointer, sizes × strides × element size).
ATTNRES_EXPORT void mgpuMemHostRegisterMemRef(int64_t rank,
                                              MemRefDescriptor *descriptor,
                                              int64_t elementSizeBytes) {
  const int64_t *sizes = descriptor->sizesAndStrides;
  const int64_t *strides = sizes + rank;
  int64_t extent = 1;
  for (int64_t i = 0; i < rank; ++i) {
    if (sizes[i] == 0)
      return; // empty: nothing to reach
    extent += (sizes[i] - 1) * strides[i];
  }
  char *base = descriptor->aligned + descriptor->offset * elementSizeBytes;
  mgpuMemHostRegister(base, extent * elementSizeBytes);
}

/// Undoes one mgpuMemHostRegister of `ptr` (the last one unregisters).
ATTNRES_EXPORT void mgpuMemHostUnregister(void *ptr) {
  if (!ptr || !initialized)
    return;
  const Driver &drv = driver();
  std::lock_guard<std::mutex> lock(registryMutex);
  auto it = registry.find(ptr);
  if (it == registry.end())
    return; // never registered (empty buffer), or not by us
  if (--it->second.refs > 0)
    return;
  bool ours = it->second.ours;
  registry.erase(it);
  if (ours)
    CHECK(drv.cuMemHostUnregister(ptr));
}

ATTNRES_EXPORT void mgpuMemHostUnregisterMemRef(int64_t rank,
                                                MemRefDescriptor *descriptor,
                                                int64_t elementSizeBytes) {
  for (int64_t i = 0; i < rank; ++i)
    if (descriptor->sizesAndStrides[i] == 0)
      return;
  mgpuMemHostUnregister(descriptor->aligned +
                        descriptor->offset * elementSizeBytes);
}

ATTNRES_EXPORT void mgpuSetDefaultDevice(int32_t device) {
  defaultDevice = device;
}

/// Timing helper for benchmarks: milliseconds between two recorded events.
ATTNRES_EXPORT float attnresEventElapsedMs(void *start, void *stop) {
  float ms = 0;
  CHECK(driver().cuEventElapsedTime(&ms, static_cast<CUevent>(start),
                                    static_cast<CUevent>(stop)));
  return ms;
}

/// Number of CUDA devices, or -1 when no driver can be loaded (for probes:
/// never exits).
ATTNRES_EXPORT int attnresCudaDeviceCount() {
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    return -1;
  auto init = reinterpret_cast<CUresult (*)(unsigned)>(dlsym(lib, "cuInit"));
  auto count =
      reinterpret_cast<CUresult (*)(int *)>(dlsym(lib, "cuDeviceGetCount"));
  int n = 0;
  if (!init || !count || init(0) != CUDA_SUCCESS || count(&n) != CUDA_SUCCESS)
    n = 0;
  dlclose(lib);
  return n;
}

/// One line about the driver and the default device ("driver 13.0 (13000);
/// device 0: NVIDIA H100 80GB HBM3, sm_90, 132 SMs, 79.1 GiB, peak HBM
/// 3352 GB/s"), and the peak memory bandwidth in bytes/s through
/// `peakBytesPerSecond` (0 when unknown). Returns the device count; ends the
/// process (with the error code) when the driver fails to initialize.
ATTNRES_EXPORT int attnresCudaDescribe(char *buffer, size_t size,
                                       double *peakBytesPerSecond) {
  const Driver &drv = driver();
  int count = 0;
  drv.cuDeviceGetCount(&count);
  char name[256] = "unknown";
  drv.cuDeviceGetName(name, sizeof(name), device);
  int major = 0, minor = 0, sms = 0, clockKHz = 0, busBits = 0;
  drv.cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                           device);
  drv.cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                           device);
  drv.cuDeviceGetAttribute(&sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT,
                           device);
  drv.cuDeviceGetAttribute(&clockKHz, CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE,
                           device);
  drv.cuDeviceGetAttribute(&busBits,
                           CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH, device);
  size_t memory = 0;
  drv.cuDeviceTotalMem(&memory, device);
  // Double data rate: two transfers per memory clock.
  double peak = 2.0 * clockKHz * 1e3 * busBits / 8.0;
  if (peakBytesPerSecond)
    *peakBytesPerSecond = peak;
  if (buffer && size)
    snprintf(buffer, size,
             "driver %s; %d device(s); device %d: %s, sm_%d%d, %d SMs, "
             "%.1f GiB, peak memory bandwidth %.0f GB/s",
             driverVersion().c_str(), count, defaultDevice, name, major, minor,
             sms, memory / double(1ull << 30), peak / 1e9);
  return count;
}
