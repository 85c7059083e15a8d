// The stand-in driver's own checks, called directly: each misuse returns the
// error code a driver gives and is reported; valid calls succeed. (The
// runtime checks launch limits itself first, so the GPU programs never reach
// these; a regression of, e.g., the stats grid to gridDim.y = rows would.)
// REQUIRES: cuda-standin, clang
// RUN: %cc_native %s -o %t -ldl
// RUN: %standin_env %t 2>&1 | FileCheck %s

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef int (*Fn)();
static void *lib;
#define CALL(name, ...) ((int (*)())dlsym(lib, name))(__VA_ARGS__)

static const char kPTX[] = ".version 8.0\n.target sm_90\n.address_size 64\n"
                           ".visible .entry k(.param .u64 k_param_0, .param .u32 k_param_1)\n"
                           "{\n  ret;\n}\n";

int main() {
  setvbuf(stdout, NULL, _IONBF, 0);
  lib = dlopen("libcuda.so.1", RTLD_NOW);
  if (!lib)
    return 1;
  void *ctx, *module, *fn, *bogus;
  int dev;
  // CHECK: before init: 3
  printf("before init: %d\n", CALL("cuDeviceGetCount", &dev));
  CALL("cuInit", 0);
  CALL("cuDeviceGet", &dev, 0);
  CALL("cuDevicePrimaryCtxRetain", &ctx, dev);
  CALL("cuCtxSetCurrent", ctx);
  // CHECK: load: 0
  printf("load: %d\n", CALL("cuModuleLoadData", &module, kPTX));
  // CHECK: cuda-standin: error: no kernel 'missing' in the module -> CUDA_ERROR_NOT_FOUND (500)
  // CHECK: missing kernel: 500
  printf("missing kernel: %d\n", CALL("cuModuleGetFunction", &bogus, module, "missing"));
  CALL("cuModuleGetFunction", &fn, module, "k");
  uint64_t device;
  CALL("cuMemAlloc_v2", &device, (size_t)4096);
  unsigned n = 4;
  void *params[] = {&device, &n};
  // CHECK: valid launch: 0
  printf("valid launch: %d\n", CALL("cuLaunchKernel", fn, 1, 1, 1, 32, 1, 1, 0, NULL, params, NULL));
  // CHECK: cuda-standin: error: k: gridDim.y = 70000 outside [1, 65535] -> CUDA_ERROR_INVALID_VALUE (1)
  printf("grid y: %d\n", CALL("cuLaunchKernel", fn, 1, 70000, 1, 32, 1, 1, 0, NULL, params, NULL));
  // CHECK: cuda-standin: error: k: 2048 threads per block above 1024
  printf("threads: %d\n", CALL("cuLaunchKernel", fn, 1, 1, 1, 1024, 2, 1, 0, NULL, params, NULL));
  // CHECK: cuda-standin: error: k: 65536 bytes of dynamic shared memory above 49152 (the default; opt in with cuFuncSetAttribute)
  printf("smem: %d\n", CALL("cuLaunchKernel", fn, 1, 1, 1, 32, 1, 1, 65536, NULL, params, NULL));
  CALL("cuFuncSetAttribute", fn, 8, 65536);
  // CHECK: smem opted in: 0
  printf("smem opted in: %d\n", CALL("cuLaunchKernel", fn, 1, 1, 1, 32, 1, 1, 65536, NULL, params, NULL));
  // CHECK: cuda-standin: error: k: max dynamic shared memory 300000 above the opt-in limit 232448
  CALL("cuFuncSetAttribute", fn, 8, 300000);
  // CHECK: cuda-standin: error: cuMemFree of 0x{{[0-9a-f]+}}, not a live allocation -> CUDA_ERROR_INVALID_VALUE (1)
  CALL("cuMemFree_v2", device);
  CALL("cuMemFree_v2", device);
  // CHECK: cuda-standin: error: {{.*}} is not a registration -> CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED (713)
  CALL("cuMemHostUnregister", (void *)kPTX);
  // A pointer to ordinary (unregistered) host memory is caught; the error
  // is sticky, as on a GPU.
  void *host = malloc(64);
  params[0] = &host;
  // CHECK: cuda-standin: error: k: parameter 0 = 0x{{[0-9a-f]+}} is host memory the device cannot reach (mapping rw-p {{.*}}): neither device nor managed memory nor a live registration -> CUDA_ERROR_ILLEGAL_ADDRESS (700)
  // CHECK: host pointer: 700
  printf("host pointer: %d\n", CALL("cuLaunchKernel", fn, 1, 1, 1, 32, 1, 1, 0, NULL, params, NULL));
  // CHECK: cuda-standin: error: cuStreamCreate after a sticky error -> CUDA_ERROR_ILLEGAL_ADDRESS (700)
  void *stream;
  CALL("cuStreamCreate", &stream, 0);
  fflush(stdout);
  return 0;
}
// CHECK: cuda-standin: {{[0-9]+}} calls, 6 launches, {{[0-9]+}} pointer arguments checked, 10 errors
