// The runtime library's own checks, called directly (as the bench and
// frameworks do), against the stand-in driver.
// REQUIRES: cuda-standin, clang
// RUN: %cc_native %s -o %t -L%attnres_lib_dir -Wl,-rpath,%attnres_lib_dir -lattnres_cuda_runtime
// RUN: rm -f %t.trace
// RUN: env ATTNRES_CUDA_STANDIN_LOG=%t.trace %standin_env %t register 2>&1 | FileCheck %s --check-prefix=REGISTER
// RUN: FileCheck %s --check-prefix=REGISTER-TRACE --input-file %t.trace
// RUN: not env ATTNRES_CUDA_STANDIN_FAIL=register %standin_env %t register 2>&1 | FileCheck %s --check-prefix=NO-REGISTER
// RUN: not %standin_env %t grid 2>&1 | FileCheck %s --check-prefix=GRID
// RUN: not %standin_env %t stale 2>&1 | FileCheck %s --check-prefix=STALE
// RUN: %standin_env %t zero-grid 2>&1 | FileCheck %s --check-prefix=ZERO

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *mgpuModuleLoadJIT(void *data, int optLevel);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *fn, intptr_t gx, intptr_t gy, intptr_t gz,
                      intptr_t bx, intptr_t by, intptr_t bz, int32_t smem,
                      void *stream, void **params, void **extra,
                      size_t count);
void *mgpuMemAlloc(uint64_t bytes, void *stream, int8_t hostShared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemHostRegister(void *ptr, uint64_t bytes);
void mgpuMemHostUnregister(void *ptr);

static const char kPTX[] = ".version 8.0\n.target sm_90\n.address_size 64\n"
                           ".visible .entry k(.param .u64 k_param_0)\n"
                           "{\n  ret;\n}\n";
static const float kConstant[4096] = {1.0f};

static void launch(void *fn, intptr_t gy, void *arg) {
  void *params[] = {&arg};
  mgpuLaunchKernel(fn, 1, gy, 1, 32, 1, 1, 0, NULL, params, NULL, 1);
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  void *fn = mgpuModuleGetFunction(mgpuModuleLoadJIT((void *)kPTX, 2), "k");
  float *host = malloc(1 << 20);
  memset(host, 0, 1 << 20);
  if (!strcmp(mode, "register")) {
    // Nested registrations of one buffer: one driver registration, undone
    // by the last unregistration; kernels see it only in between.
    mgpuMemHostRegister(host, 1 << 20);
    mgpuMemHostRegister(host, 1 << 20);
    launch(fn, 1, host);
    mgpuMemHostUnregister(host);
    launch(fn, 1, host);
    mgpuMemHostUnregister(host);
    // Managed memory is left alone (no driver registration, no error).
    void *managed = mgpuMemAlloc(4096, NULL, 1);
    mgpuMemHostRegister(managed, 4096);
    launch(fn, 1, managed);
    mgpuMemHostUnregister(managed);
    mgpuMemFree(managed, NULL);
    // A read-only constant: registered read-only where the host allows it.
    mgpuMemHostRegister((void *)kConstant, sizeof(kConstant));
    launch(fn, 1, (void *)kConstant);
    mgpuMemHostUnregister((void *)kConstant);
    printf("register: done\n");
    fflush(stdout);
  } else if (!strcmp(mode, "grid")) {
    launch(fn, 70000, NULL);
  } else if (!strcmp(mode, "stale")) {
    // A registration that has been undone does not make memory reachable.
    mgpuMemHostRegister(host, 1 << 20);
    mgpuMemHostUnregister(host);
    launch(fn, 1, host);
  } else if (!strcmp(mode, "zero-grid")) {
    mgpuLaunchKernel(fn, 0, 1, 1, 32, 1, 1, 0, NULL, NULL, NULL, 1);
    printf("zero-grid: no launch\n");
    fflush(stdout);
  }
  free(host);
  return 0;
}

// REGISTER: register: done
// REGISTER: cuda-standin: {{[0-9]+}} calls, 4 launches, 4 pointer arguments checked, 1 errors
// REGISTER-TRACE: cuMemHostRegister([[HOST:0x[0-9a-f]+]], 1048576, 1)
// REGISTER-TRACE-NOT: cuMemHostRegister
// REGISTER-TRACE: cuLaunchKernel(k,
// REGISTER-TRACE-NEXT: param 0: [[HOST]] in registered host memory
// REGISTER-TRACE: cuLaunchKernel(k,
// REGISTER-TRACE: cuMemHostUnregister([[HOST]])
// REGISTER-TRACE: cuMemAllocManaged
// REGISTER-TRACE-NOT: cuMemHostRegister
// REGISTER-TRACE: in managed memory
// REGISTER-TRACE: cuMemHostRegister([[RO:0x[0-9a-f]+]], 16384, 1)
// REGISTER-TRACE-NEXT: error: {{.*}} lies in a read-only mapping {{.*}} and CU_MEMHOSTREGISTER_READ_ONLY is not set -> CUDA_ERROR_INVALID_VALUE (1)
// REGISTER-TRACE-NEXT: cuMemHostRegister([[RO]], 16384, 9)
// REGISTER-TRACE: in registered host memory
// REGISTER-TRACE: cuMemHostUnregister([[RO]])

// NO-REGISTER: attnres-cuda-runtime: cannot make host buffer 0x{{[0-9a-f]+}} (1048576 bytes) reachable by kernels: cuMemHostRegister failed: CUDA_ERROR_NOT_SUPPORTED (801): operation not supported; with CU_MEMHOSTREGISTER_READ_ONLY: CUDA_ERROR_NOT_SUPPORTED (801)
// GRID: attnres-cuda-runtime: launch of kernel 'k' exceeds the device's limits: gridDim.y = 70000 (limit 65535)
// STALE: cuda-standin: error: k: parameter 0 = 0x{{[0-9a-f]+}} is host memory the device cannot reach (mapping rw-p {{.*}}): neither device nor managed memory nor a live registration -> CUDA_ERROR_ILLEGAL_ADDRESS (700)
// STALE: attnres-cuda-runtime: 'drv.cuLaunchKernel({{.*}})' failed: CUDA_ERROR_ILLEGAL_ADDRESS (700)
// ZERO: zero-grid: no launch
// ZERO: cuda-standin: {{[0-9]+}} calls, 0 launches, 0 pointer arguments checked, 0 errors
