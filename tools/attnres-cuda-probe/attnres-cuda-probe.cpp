//===- attnres-cuda-probe.cpp - does a CUDA device answer? ----------------===//
//
// Exit status 0 and "cuda devices: N" when the driver loads and reports at
// least one device; status 1 otherwise. Used by lit to set `cuda-gpu`.
// `--describe` also prints the driver version and the default device (name,
// compute capability, SMs, memory, peak memory bandwidth), for
// scripts/gpu-check.sh. A driver that fails to initialize is reported with
// its error code (also without --describe).
//
//===----------------------------------------------------------------------===//

#include <cstdio>
#include <cstring>

extern "C" int attnresCudaDeviceCount();
extern "C" int attnresCudaDescribe(char *buffer, size_t size,
                                   double *peakBytesPerSecond);

int main(int argc, char **argv) {
  bool describe = argc > 1 && strcmp(argv[1], "--describe") == 0;
  int count = attnresCudaDeviceCount();
  if (count < 0) {
    printf("cuda devices: none (libcuda.so.1 not loadable)\n");
    return 1;
  }
  if (describe || count == 0) {
    // Ends the process with the driver's error code if cuInit fails (or
    // names the device count if there is no device).
    char line[512];
    double peak = 0;
    attnresCudaDescribe(line, sizeof(line), &peak);
    printf("%s\n", line);
  }
  printf("cuda devices: %d\n", count);
  return count > 0 ? 0 : 1;
}
