//===- CudaRuntimeWrappers.cpp - mgpu* C ABI over the CUDA driver ---------===//
//
// The host runtime that MLIR 22.1's `gpu-to-llvm` lowering calls
// (`mgpuModuleLoad`, `mgpuLaunchKernel`, ...), written against the CUDA
// driver API. libcuda.so.1 is loaded with dlopen on first use, so this
// library builds and loads on machines without a GPU or driver; there, the
// first call prints one clear message and exits with status 1 instead of
// crashing. Debian ships no libmlir_cuda_runtime.so; this replaces it.
//
// Only the handful of driver types and entry points used are declared here
// (no cuda.h), with the ABI of the CUDA driver API (v2 entry points).
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <mutex>

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
constexpr CUresult CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED = 712;
constexpr int CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
constexpr unsigned CU_MEM_ATTACH_GLOBAL = 1;
constexpr unsigned CU_EVENT_DEFAULT = 0;
constexpr unsigned CU_MEMHOSTREGISTER_PORTABLE = 1;
constexpr unsigned CU_MEMHOSTREGISTER_READ_ONLY = 8;
constexpr CUjit_option CU_JIT_OPTIMIZATION_LEVEL = 7;

/// The driver entry points, resolved once.
struct Driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleLoadDataEx)(CUmodule *, const void *, unsigned,
                                 CUjit_option *, void **);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuFuncSetAttribute)(CUfunction, int, int);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, unsigned, CUstream,
                             void **, void **);
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
};

[[noreturn]] void fatal(const char *what, const char *detail) {
  fprintf(stderr, "attnres-cuda-runtime: %s%s%s\n", what, detail ? ": " : "",
          detail ? detail : "");
  fflush(stderr);
  exit(1);
}

template <typename Fn>
void resolve(void *lib, Fn &fn, const char *name) {
  fn = reinterpret_cast<Fn>(dlsym(lib, name));
  if (!fn)
    fatal("libcuda.so.1 lacks a required entry point", name);
}

int defaultDevice = 0;

/// Loads the driver, initializes it and makes the primary context of the
/// default device current (once per process; the context is made current
/// on every calling thread).
const Driver &driver() {
  static Driver d;
  static std::once_flag once;
  static CUcontext context = nullptr;
  std::call_once(once, [] {
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
      fatal("cannot load libcuda.so.1 (no NVIDIA driver on this machine?)",
            dlerror());
    resolve(lib, d.cuInit, "cuInit");
    resolve(lib, d.cuDeviceGetCount, "cuDeviceGetCount");
    resolve(lib, d.cuDeviceGet, "cuDeviceGet");
    resolve(lib, d.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
    resolve(lib, d.cuCtxSetCurrent, "cuCtxSetCurrent");
    resolve(lib, d.cuGetErrorString, "cuGetErrorString");
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
    CUresult r = d.cuInit(0);
    if (r != CUDA_SUCCESS)
      fatal("cuInit failed (no usable GPU?)", nullptr);
    int count = 0;
    if (d.cuDeviceGetCount(&count) != CUDA_SUCCESS || count == 0)
      fatal("no CUDA device found", nullptr);
    CUdevice device;
    if (d.cuDeviceGet(&device, defaultDevice) != CUDA_SUCCESS ||
        d.cuDevicePrimaryCtxRetain(&context, device) != CUDA_SUCCESS)
      fatal("cannot create a context on the default device", nullptr);
  });
  thread_local bool current = false;
  if (!current) {
    d.cuCtxSetCurrent(context);
    current = true;
  }
  return d;
}

/// Reports a failed driver call (MLIR's wrappers report and continue).
void check(CUresult result, const char *expr) {
  if (result == CUDA_SUCCESS)
    return;
  const char *name = "unknown error";
  driver().cuGetErrorString(result, &name);
  fprintf(stderr, "attnres-cuda-runtime: '%s' failed: %s\n", expr, name);
}

#define CHECK(expr) check(expr, #expr)

/// A ranked memref descriptor (the ABI of `StridedMemRefType`).
struct MemRefDescriptor {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizesAndStrides[1];
};

} // namespace

ATTNRES_EXPORT void *mgpuModuleLoad(void *data, size_t /*size*/) {
  CUmodule module = nullptr;
  CHECK(driver().cuModuleLoadData(&module, data));
  return module;
}

ATTNRES_EXPORT void *mgpuModuleLoadJIT(void *data, int optLevel) {
  CUmodule module = nullptr;
  CUjit_option options[] = {CU_JIT_OPTIMIZATION_LEVEL};
  void *values[] = {reinterpret_cast<void *>(static_cast<intptr_t>(optLevel))};
  CHECK(driver().cuModuleLoadDataEx(&module, data, 1, options, values));
  return module;
}

ATTNRES_EXPORT void mgpuModuleUnload(void *module) {
  CHECK(driver().cuModuleUnload(static_cast<CUmodule>(module)));
}

ATTNRES_EXPORT void *mgpuModuleGetFunction(void *module, const char *name) {
  CUfunction function = nullptr;
  CHECK(driver().cuModuleGetFunction(&function, static_cast<CUmodule>(module),
                                     name));
  return function;
}

ATTNRES_EXPORT void mgpuLaunchKernel(void *function, intptr_t gridX,
                                     intptr_t gridY, intptr_t gridZ,
                                     intptr_t blockX, intptr_t blockY,
                                     intptr_t blockZ, int32_t smem,
                                     void *stream, void **params,
                                     void **extra, size_t /*paramsCount*/) {
  const Driver &d = driver();
  auto fn = static_cast<CUfunction>(function);
  // Kernels above the 48 KiB default must opt in to more dynamic smem.
  if (smem > 48 * 1024)
    CHECK(d.cuFuncSetAttribute(
        fn, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem));
  CHECK(d.cuLaunchKernel(fn, gridX, gridY, gridZ, blockX, blockY, blockZ, smem,
                         static_cast<CUstream>(stream), params, extra));
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
  CHECK(driver().cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                               reinterpret_cast<CUdeviceptr>(src), bytes,
                               static_cast<CUstream>(stream)));
}

ATTNRES_EXPORT void mgpuMemset32(void *dst, unsigned value, size_t count,
                                 void *stream) {
  CHECK(driver().cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst), value,
                                  count, static_cast<CUstream>(stream)));
}

ATTNRES_EXPORT void mgpuMemset16(void *dst, unsigned short value,
                                 size_t count, void *stream) {
  CHECK(driver().cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(dst), value,
                                  count, static_cast<CUstream>(stream)));
}

ATTNRES_EXPORT void mgpuMemHostRegister(void *ptr, uint64_t bytes) {
  if (!ptr || bytes == 0)
    return;
  const Driver &d = driver();
  CUresult r = d.cuMemHostRegister(ptr, bytes, CU_MEMHOSTREGISTER_PORTABLE);
  // Constants live in read-only pages; buffers may be registered twice.
  if (r != CUDA_SUCCESS && r != CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED)
    r = d.cuMemHostRegister(ptr, bytes,
                            CU_MEMHOSTREGISTER_PORTABLE |
                                CU_MEMHOSTREGISTER_READ_ONLY);
  if (r != CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED)
    check(r, "cuMemHostRegister");
}

/// Registers the memory a ranked memref descriptor spans (from its aligned
/// pointer, sizes × strides × element size).
ATTNRES_EXPORT void mgpuMemHostRegisterMemRef(int64_t rank,
                                              MemRefDescriptor *descriptor,
                                              int64_t elementSizeBytes) {
  const int64_t *sizes = descriptor->sizesAndStrides;
  const int64_t *strides = sizes + rank;
  int64_t extent = 1;
  for (int64_t i = 0; i < rank; ++i)
    if (sizes[i] > 0)
      extent += (sizes[i] - 1) * strides[i];
  char *base = descriptor->aligned + descriptor->offset * elementSizeBytes;
  mgpuMemHostRegister(base, extent * elementSizeBytes);
}

ATTNRES_EXPORT void mgpuMemHostUnregister(void *ptr) {
  CHECK(driver().cuMemHostUnregister(ptr));
}

ATTNRES_EXPORT void mgpuMemHostUnregisterMemRef(int64_t, MemRefDescriptor *d,
                                                int64_t elementSizeBytes) {
  mgpuMemHostUnregister(d->aligned + d->offset * elementSizeBytes);
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
  auto count = reinterpret_cast<CUresult (*)(int *)>(
      dlsym(lib, "cuDeviceGetCount"));
  int n = 0;
  if (!init || !count || init(0) != CUDA_SUCCESS ||
      count(&n) != CUDA_SUCCESS)
    n = 0;
  dlclose(lib);
  return n;
}
