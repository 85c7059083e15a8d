//===- attnres-cuda-probe.cpp - does a CUDA device answer? ----------------===//
//
// Exit status 0 and "cuda devices: N" when the driver loads and reports at
// least one device; status 1 otherwise. Used by lit to set `cuda-gpu`.
//
//===----------------------------------------------------------------------===//

#include <cstdio>

extern "C" int attnresCudaDeviceCount();

int main() {
  int count = attnresCudaDeviceCount();
  if (count < 0) {
    printf("cuda devices: none (libcuda.so.1 not loadable)\n");
    return 1;
  }
  printf("cuda devices: %d\n", count);
  return count > 0 ? 0 : 1;
}
