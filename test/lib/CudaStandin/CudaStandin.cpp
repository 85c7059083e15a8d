//===- CudaStandin.cpp - a checking stand-in for libcuda.so.1 -------------===//
//
// Exports the CUDA driver entry points the project's runtime library
// resolves, so that the GPU pipeline's host code runs on a machine without a
// GPU. Kernels do not run (launches are validated, then do nothing). Managed
// memory is ordinary host memory; device memory is mapped without access, so
// host code that touches it faults, and is reported as such (the stand-in's
// own copies and sets open it for the moment they need).
//
// Every call is checked and, with ATTNRES_CUDA_STANDIN_LOG=<file>, written to
// a trace. A call that would fail on a real H100/H200 returns the error code
// a driver gives and prints `cuda-standin: error: ...` on stderr:
//   * launches: grid and block dimensions, threads per block and dynamic
//     shared memory against the device's limits (above 48 KiB only after
//     cuFuncSetAttribute opted in); every 8-byte kernel parameter that holds
//     an address of this process must point into device or managed memory
//     or a live host registration (sizes of parameters come from the PTX,
//     or the cubin's .nv.info);
//   * modules: the image format (PTX text, cubin ELF, fatbin), kernels looked
//     up by name must exist;
//   * memory: frees and unregistrations of live allocations only, copies and
//     sets inside their allocations, registrations of mapped, non-overlapping
//     host memory (read-only pages only with CU_MEMHOSTREGISTER_READ_ONLY).
// At exit it prints `cuda-standin: N calls, L launches, P pointer arguments
// checked, E errors`.
//
// ATTNRES_CUDA_STANDIN_FAIL (comma-separated) injects failures:
//   cuInit          cuInit returns CUDA_ERROR_NO_DEVICE (100)
//   register        cuMemHostRegister returns CUDA_ERROR_NOT_SUPPORTED (801)
//   module-load     cuModuleLoadData(Ex) return CUDA_ERROR_INVALID_IMAGE (200)
//   old-driver      a CUDA 12.4 driver: cubins (and fatbins without plain
//                   PTX) are CUDA_ERROR_NO_BINARY_FOR_GPU (209), PTX loads
// ATTNRES_CUDA_STANDIN_DEVICE=h100 (default) or h200 picks the device.
//
//===----------------------------------------------------------------------===//

#include <csignal>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

#define EXPORT extern "C" __attribute__((visibility("default")))

namespace {

using CUresult = int;
using CUdeviceptr = uint64_t;

enum : CUresult {
  SUCCESS = 0,
  INVALID_VALUE = 1,
  OUT_OF_MEMORY = 2,
  NOT_INITIALIZED = 3,
  NO_DEVICE = 100,
  INVALID_DEVICE = 101,
  INVALID_IMAGE = 200,
  INVALID_CONTEXT = 201,
  NO_BINARY_FOR_GPU = 209,
  INVALID_PTX = 218,
  INVALID_HANDLE = 400,
  NOT_FOUND = 500,
  ILLEGAL_ADDRESS = 700,
  LAUNCH_OUT_OF_RESOURCES = 701,
  HOST_MEMORY_ALREADY_REGISTERED = 712,
  HOST_MEMORY_NOT_REGISTERED = 713,
  NOT_SUPPORTED = 801,
};

struct ErrorText {
  CUresult code;
  const char *name, *text;
};
const ErrorText kErrors[] = {
    {SUCCESS, "CUDA_SUCCESS", "no error"},
    {INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {NO_DEVICE, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE",
     "device kernel image is invalid"},
    {INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {NO_BINARY_FOR_GPU, "CUDA_ERROR_NO_BINARY_FOR_GPU",
     "no kernel image is available for execution on the device"},
    {INVALID_PTX, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS",
     "an illegal memory access was encountered"},
    {LAUNCH_OUT_OF_RESOURCES, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES",
     "too many resources requested for launch"},
    {HOST_MEMORY_ALREADY_REGISTERED,
     "CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED",
     "part or all of the requested memory range is already mapped"},
    {HOST_MEMORY_NOT_REGISTERED, "CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED",
     "pointer does not correspond to a registered memory region"},
    {NOT_SUPPORTED, "CUDA_ERROR_NOT_SUPPORTED", "operation not supported"},
};

const ErrorText *errorText(CUresult code) {
  for (const ErrorText &e : kErrors)
    if (e.code == code)
      return &e;
  return nullptr;
}

struct Device {
  const char *name;
  int smCount, memoryClockKHz, busBits;
  size_t memoryBytes;
};
const Device kH100 = {"NVIDIA H100 80GB HBM3 (attnres cuda-standin)", 132,
                      2619000, 5120, 80ull << 30};
const Device kH200 = {"NVIDIA H200 (attnres cuda-standin)", 132, 3125000, 6144,
                      141ull << 30};
// Hopper launch limits (CUDA C Programming Guide, compute capability 9.0).
constexpr int kMaxGrid[3] = {2147483647, 65535, 65535};
constexpr int kMaxBlock[3] = {1024, 1024, 64};
constexpr int kMaxThreads = 1024;
constexpr int kDefaultSmem = 48 * 1024;
constexpr int kOptinSmem = 232448; // 227 KiB

enum class Memory { Device, Managed, Registered };
const char *memoryName(Memory m) {
  return m == Memory::Device    ? "device"
         : m == Memory::Managed ? "managed"
                                : "registered host";
}
struct Range {
  size_t size;
  Memory kind;
};

struct Kernel {
  std::string name;
  std::vector<int> paramSizes;
  bool paramsKnown = false;
  int maxDynamicSmem = kDefaultSmem;
};
struct Module {
  std::string format;
  std::map<std::string, Kernel *> kernels;
};

struct State {
  std::mutex mutex;
  FILE *trace = nullptr;
  const Device *device = &kH100;
  bool failInit = false, failRegister = false, failLoad = false,
       oldDriver = false;
  bool initialized = false;
  CUresult sticky = SUCCESS;
  unsigned long calls = 0, launches = 0, pointers = 0, errors = 0;
  std::map<uintptr_t, Range> ranges; // start -> range
  std::map<void *, Module *> modules;
  std::map<void *, int> streams, events;
  int nextHandle = 1;

  State() {
    if (const char *log = getenv("ATTNRES_CUDA_STANDIN_LOG"))
      trace = fopen(log, "a");
    if (const char *dev = getenv("ATTNRES_CUDA_STANDIN_DEVICE"))
      if (strcmp(dev, "h200") == 0)
        device = &kH200;
    std::string fail;
    if (const char *f = getenv("ATTNRES_CUDA_STANDIN_FAIL"))
      fail = std::string(",") + f + ",";
    failInit = fail.find(",cuInit,") != std::string::npos;
    failRegister = fail.find(",register,") != std::string::npos;
    failLoad = fail.find(",module-load,") != std::string::npos;
    oldDriver = fail.find(",old-driver,") != std::string::npos;
  }
};

State &state();
const std::pair<const uintptr_t, Range> *findRange(State &s, uintptr_t p,
                                                   size_t n = 1);

struct sigaction previousSegv;

/// Host code touching device memory: reported, then the process ends with
/// status 3 (as a real GPU host would crash). Other faults go to the
/// previous handler.
void onSegv(int sig, siginfo_t *info, void *context) {
  State &s = state();
  auto *r = findRange(s, uintptr_t(info->si_addr), 1);
  if (r && r->second.kind == Memory::Device) {
    char line[256];
    int n =
        snprintf(line, sizeof(line),
                 "cuda-standin: error: host code accessed device memory "
                 "at %p (device allocation 0x%llx of %zu bytes) -> "
                 "SIGSEGV\n",
                 info->si_addr, (unsigned long long)r->first, r->second.size);
    if (write(2, line, n) < 0)
      _exit(3);
    _exit(3);
  }
  sigaction(SIGSEGV, &previousSegv, nullptr);
  if (previousSegv.sa_flags & SA_SIGINFO && previousSegv.sa_sigaction)
    previousSegv.sa_sigaction(sig, info, context);
  else
    raise(sig);
}

void printSummary() {
  State &s = state();
  fprintf(stderr,
          "cuda-standin: %lu calls, %lu launches, %lu pointer arguments "
          "checked, %lu errors\n",
          s.calls, s.launches, s.pointers, s.errors);
  if (s.trace)
    fflush(s.trace);
}

/// Never destroyed: module destructors may call in after exit handlers ran.
State &state() {
  static State *s = [] {
    auto *st = new State;
    atexit(printSummary);
    struct sigaction action = {};
    action.sa_sigaction = onSegv;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &previousSegv);
    return st;
  }();
  return *s;
}

void log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log(const char *fmt, ...) {
  State &s = state();
  if (!s.trace)
    return;
  va_list args;
  va_start(args, fmt);
  vfprintf(s.trace, fmt, args);
  va_end(args);
  fputc('\n', s.trace);
  fflush(s.trace);
}

/// Reports a failing call and returns its error code.
CUresult fail(CUresult code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
CUresult fail(CUresult code, const char *fmt, ...) {
  State &s = state();
  char message[1024];
  va_list args;
  va_start(args, fmt);
  vsnprintf(message, sizeof(message), fmt, args);
  va_end(args);
  const ErrorText *e = errorText(code);
  ++s.errors;
  fprintf(stderr, "cuda-standin: error: %s -> %s (%d)\n", message,
          e ? e->name : "?", code);
  log("  error: %s -> %s (%d)", message, e ? e->name : "?", code);
  if (code == ILLEGAL_ADDRESS)
    s.sticky = code; // as on a GPU: the context is unusable from here on
  return code;
}

/// Common prologue: counts the call; requires cuInit; sticky errors.
#define ENTER(fmt, ...)                                                        \
  State &s = state();                                                          \
  std::lock_guard<std::mutex> lock(s.mutex);                                   \
  ++s.calls;                                                                   \
  log(fmt, ##__VA_ARGS__);                                                     \
  if (!s.initialized)                                                          \
    return fail(NOT_INITIALIZED, "%s before a successful cuInit", __func__);   \
  if (s.sticky)                                                                \
    return fail(s.sticky, "%s after a sticky error", __func__);

/// The device/managed/registered range holding [p, p + n), if any.
const std::pair<const uintptr_t, Range> *findRange(State &s, uintptr_t p,
                                                   size_t n) {
  auto it = s.ranges.upper_bound(p);
  if (it == s.ranges.begin())
    return nullptr;
  --it;
  if (p >= it->first && p + n <= it->first + it->second.size)
    return &*it;
  return nullptr;
}

/// The mapping of the process holding `p` ("r--p /path"), or "" if none.
std::string mappingOf(uintptr_t p, bool *writable = nullptr,
                      uintptr_t *end = nullptr) {
  FILE *maps = fopen("/proc/self/maps", "r");
  if (!maps)
    return "";
  char line[1024];
  std::string found;
  while (fgets(line, sizeof(line), maps)) {
    unsigned long lo, hi;
    char perms[8] = "";
    int pathAt = 0;
    if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &lo, &hi, perms, &pathAt) <
        3)
      continue;
    if (p < lo || p >= hi)
      continue;
    std::string path = pathAt ? line + pathAt : "";
    while (!path.empty() && (path.back() == '\n' || path.back() == ' '))
      path.pop_back();
    found = std::string(perms) + (path.empty() ? " (anonymous)" : " " + path);
    if (writable)
      *writable = perms[1] == 'w';
    if (end)
      *end = hi;
    break;
  }
  fclose(maps);
  return found;
}

//===----------------------------------------------------------------------===//
// Module images
//===----------------------------------------------------------------------===//

int ptxTypeSize(const std::string &t) {
  if (t.size() < 3)
    return 0;
  return atoi(t.c_str() + 2) / 8; // .u64 -> 8, .b32 -> 4, .f16 -> 2
}

/// Kernels and parameter sizes of PTX text (`.entry name( .param ... )`).
void parsePTX(const std::string &ptx, Module &m) {
  size_t pos = 0;
  while ((pos = ptx.find(".entry ", pos)) != std::string::npos) {
    pos += 7;
    size_t open = ptx.find('(', pos);
    if (open == std::string::npos)
      break;
    std::string name = ptx.substr(pos, open - pos);
    while (!name.empty() && isspace((unsigned char)name.back()))
      name.pop_back();
    size_t close = ptx.find(')', open);
    auto *k = new Kernel{name, {}, true};
    std::string params = ptx.substr(open + 1, close - open - 1);
    size_t p = 0;
    while ((p = params.find(".param", p)) != std::string::npos) {
      size_t endp = params.find(',', p);
      std::string decl = params.substr(
          p, endp == std::string::npos ? std::string::npos : endp - p);
      p += 6;
      // `.param .u64 .ptr .align 1 x`, `.param .align 8 .b8 x[16]`.
      int size = 0, count = 1;
      size_t t = 6;
      while ((t = decl.find(" .", t)) != std::string::npos) {
        std::string word = decl.substr(t + 1, decl.find(' ', t + 1) - t - 1);
        t += 1;
        if (word.size() >= 3 && strchr("usbf", word[1]) &&
            isdigit((unsigned char)word[2]))
          size = ptxTypeSize(word);
      }
      size_t bracket = decl.find('[');
      if (bracket != std::string::npos)
        count = atoi(decl.c_str() + bracket + 1);
      k->paramSizes.push_back(size * count);
    }
    m.kernels[name] = k;
  }
}

/// Kernels and parameter sizes of a cubin (EIATTR_KPARAM_INFO records of its
/// .nv.info.<kernel> sections).
bool parseCubin(const unsigned char *elf, size_t size, Module &m) {
  auto rd16 = [&](size_t o) {
    uint16_t v;
    memcpy(&v, elf + o, 2);
    return v;
  };
  auto rd32 = [&](size_t o) {
    uint32_t v;
    memcpy(&v, elf + o, 4);
    return v;
  };
  auto rd64 = [&](size_t o) {
    uint64_t v;
    memcpy(&v, elf + o, 8);
    return v;
  };
  if (size < 64 || elf[4] != 2)
    return false;
  uint64_t shoff = rd64(0x28);
  uint16_t shentsize = rd16(0x3a), shnum = rd16(0x3c), shstrndx = rd16(0x3e);
  if (shoff + uint64_t(shnum) * shentsize > size || shstrndx >= shnum)
    return false;
  auto sect = [&](int i) { return shoff + uint64_t(i) * shentsize; };
  uint64_t strtab = rd64(sect(shstrndx) + 0x18);
  for (int i = 0; i < shnum; ++i) {
    const char *name =
        reinterpret_cast<const char *>(elf + strtab + rd32(sect(i)));
    if (strncmp(name, ".nv.info.", 9) != 0)
      continue;
    auto *k = new Kernel{name + 9, {}, true};
    uint64_t off = rd64(sect(i) + 0x18), len = rd64(sect(i) + 0x20);
    std::map<int, int> byOrdinal;
    for (uint64_t p = off; p + 2 <= off + len;) {
      unsigned format = elf[p], attr = elf[p + 1];
      if (format == 4) { // EIFMT_SVAL: u16 size, payload
        unsigned n = rd16(p + 2);
        if (attr == 0x17 && n >= 12) // EIATTR_KPARAM_INFO
          byOrdinal[rd16(p + 8)] = (rd32(p + 12) >> 18) & 0x3fff;
        p += 4 + n;
      } else if (format == 3) { // EIFMT_HVAL: u16 value
        p += 4;
      } else if (format == 2) { // EIFMT_BVAL
        p += 4;
      } else {
        p += 4;
      }
    }
    for (auto &[ordinal, bytes] : byOrdinal)
      k->paramSizes.push_back(bytes);
    m.kernels[k->name] = k;
  }
  return true;
}

/// Loads an image: PTX text, cubin or fatbin.
CUresult loadImage(State &s, const void *image, Module **out) {
  if (!image)
    return fail(INVALID_VALUE, "module image is null");
  auto *bytes = static_cast<const unsigned char *>(image);
  auto *m = new Module;
  uint32_t magic;
  memcpy(&magic, bytes, 4);
  bool hasPTX = false, hasCubin = false;
  if (magic == 0xBA55ED50u) {
    m->format = "fatbin";
    uint16_t headerSize;
    uint64_t fatSize;
    memcpy(&headerSize, bytes + 6, 2);
    memcpy(&fatSize, bytes + 8, 8);
    for (uint64_t p = headerSize; p < headerSize + fatSize;) {
      uint16_t kind;
      uint32_t entryHeader;
      uint64_t payload;
      memcpy(&kind, bytes + p, 2);
      memcpy(&entryHeader, bytes + p + 4, 4);
      memcpy(&payload, bytes + p + 8, 8);
      const unsigned char *data = bytes + p + entryHeader;
      if (kind == 2 && data[0] == 0x7f && data[1] == 'E') {
        hasCubin = true;
        if (m->kernels.empty())
          parseCubin(data, payload, *m);
      } else if (kind == 1) {
        // Compressed PTX (zstd; CUDA 13's fatbinary compresses by default)
        // needs a driver that decompresses it.
        bool plain = data[0] == '/' || data[0] == '.' || data[0] == '\n';
        hasPTX |= plain;
        if (!plain)
          m->format = "fatbin (compressed PTX)";
        else if (m->kernels.empty())
          parsePTX(std::string(
                       reinterpret_cast<const char *>(data),
                       strnlen(reinterpret_cast<const char *>(data), payload)),
                   *m);
      }
      p += entryHeader + payload;
    }
  } else if (bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' &&
             bytes[3] == 'F') {
    m->format = "cubin";
    hasCubin = true;
    // The ELF's size is not passed: read section headers as needed.
    uint64_t shoff;
    uint16_t shentsize, shnum;
    memcpy(&shoff, bytes + 0x28, 8);
    memcpy(&shentsize, bytes + 0x3a, 2);
    memcpy(&shnum, bytes + 0x3c, 2);
    parseCubin(bytes, shoff + uint64_t(shentsize) * shnum, *m);
  } else {
    m->format = "PTX";
    std::string ptx(reinterpret_cast<const char *>(bytes));
    if (ptx.find(".version") == std::string::npos ||
        ptx.find(".target") == std::string::npos) {
      delete m;
      return fail(INVALID_IMAGE, "image is neither PTX, a cubin nor a fatbin");
    }
    hasPTX = true;
    parsePTX(ptx, *m);
  }
  if (s.failLoad) {
    std::string f = m->format;
    delete m;
    return fail(INVALID_IMAGE, "injected failure: module load (%s)", f.c_str());
  }
  if (s.oldDriver && !hasPTX) {
    std::string f = m->format;
    delete m;
    return fail(NO_BINARY_FOR_GPU,
                "driver 12.4 cannot load a %s%s without plain PTX", f.c_str(),
                hasCubin ? " from CUDA 13" : "");
  }
  log("  loaded %s with %zu kernel(s)", m->format.c_str(), m->kernels.size());
  *out = m;
  return SUCCESS;
}

} // namespace

//===----------------------------------------------------------------------===//
// Initialization, devices, errors
//===----------------------------------------------------------------------===//

EXPORT CUresult cuGetErrorName(CUresult code, const char **out) {
  const ErrorText *e = errorText(code);
  if (!out || !e)
    return INVALID_VALUE;
  *out = e->name;
  return SUCCESS;
}

EXPORT CUresult cuGetErrorString(CUresult code, const char **out) {
  const ErrorText *e = errorText(code);
  if (!out || !e)
    return INVALID_VALUE;
  *out = e->text;
  return SUCCESS;
}

EXPORT CUresult cuDriverGetVersion(int *version) {
  if (!version)
    return INVALID_VALUE;
  *version = state().oldDriver ? 12040 : 13000;
  return SUCCESS;
}

EXPORT CUresult cuInit(unsigned flags) {
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  ++s.calls;
  log("cuInit(%u)", flags);
  if (flags != 0)
    return fail(INVALID_VALUE, "cuInit flags must be 0, got %u", flags);
  if (s.failInit)
    return fail(NO_DEVICE, "injected failure: cuInit");
  s.initialized = true;
  return SUCCESS;
}

EXPORT CUresult cuDeviceGetCount(int *count) {
  ENTER("cuDeviceGetCount");
  if (!count)
    return fail(INVALID_VALUE, "null count");
  *count = 1;
  return SUCCESS;
}

EXPORT CUresult cuDeviceGet(int *device, int ordinal) {
  ENTER("cuDeviceGet(%d)", ordinal);
  if (ordinal != 0)
    return fail(INVALID_DEVICE, "device %d of 1", ordinal);
  *device = 0;
  return SUCCESS;
}

EXPORT CUresult cuDeviceGetName(char *name, int len, int device) {
  ENTER("cuDeviceGetName(%d)", device);
  if (!name || len <= 0 || device != 0)
    return fail(INVALID_VALUE, "bad cuDeviceGetName arguments");
  snprintf(name, len, "%s", s.device->name);
  return SUCCESS;
}

EXPORT CUresult cuDeviceTotalMem_v2(size_t *bytes, int device) {
  ENTER("cuDeviceTotalMem(%d)", device);
  if (!bytes || device != 0)
    return fail(INVALID_VALUE, "bad cuDeviceTotalMem arguments");
  *bytes = s.device->memoryBytes;
  return SUCCESS;
}

EXPORT CUresult cuDeviceGetAttribute(int *value, int attribute, int device) {
  ENTER("cuDeviceGetAttribute(%d, %d)", attribute, device);
  if (!value || device != 0)
    return fail(INVALID_VALUE, "bad cuDeviceGetAttribute arguments");
  switch (attribute) {
  case 1:
    *value = kMaxThreads;
    break;
  case 2:
  case 3:
  case 4:
    *value = kMaxBlock[attribute - 2];
    break;
  case 5:
  case 6:
  case 7:
    *value = kMaxGrid[attribute - 5];
    break;
  case 8:
    *value = kDefaultSmem;
    break;
  case 16:
    *value = s.device->smCount;
    break;
  case 36:
    *value = s.device->memoryClockKHz;
    break;
  case 37:
    *value = s.device->busBits;
    break;
  case 75:
    *value = 9;
    break;
  case 76:
    *value = 0;
    break;
  case 97:
    *value = kOptinSmem;
    break;
  default:
    return fail(INVALID_VALUE, "device attribute %d is not modelled",
                attribute);
  }
  return SUCCESS;
}

EXPORT CUresult cuDevicePrimaryCtxRetain(void **context, int device) {
  ENTER("cuDevicePrimaryCtxRetain(%d)", device);
  if (!context || device != 0)
    return fail(INVALID_VALUE, "bad cuDevicePrimaryCtxRetain arguments");
  *context = reinterpret_cast<void *>(0xc0000001);
  return SUCCESS;
}

EXPORT CUresult cuCtxSetCurrent(void *context) {
  ENTER("cuCtxSetCurrent(%p)", context);
  if (context != reinterpret_cast<void *>(0xc0000001))
    return fail(INVALID_CONTEXT, "context %p was not retained", context);
  return SUCCESS;
}

//===----------------------------------------------------------------------===//
// Modules and launches
//===----------------------------------------------------------------------===//

EXPORT CUresult cuModuleLoadData(void **module, const void *image) {
  ENTER("cuModuleLoadData");
  Module *m = nullptr;
  if (CUresult r = loadImage(s, image, &m))
    return r;
  s.modules[m] = m;
  *module = m;
  return SUCCESS;
}

EXPORT CUresult cuModuleLoadDataEx(void **module, const void *image,
                                   unsigned numOptions, int *options,
                                   void **values) {
  ENTER("cuModuleLoadDataEx(%u options)", numOptions);
  if (numOptions && (!options || !values))
    return fail(INVALID_VALUE, "JIT options without values");
  char *errorLog = nullptr;
  size_t errorLogSize = 0;
  for (unsigned i = 0; i < numOptions; ++i) {
    switch (options[i]) {
    case 5:
      errorLog = static_cast<char *>(values[i]);
      break;
    case 6:
      errorLogSize = reinterpret_cast<uintptr_t>(values[i]);
      break;
    case 7: {
      auto level = reinterpret_cast<uintptr_t>(values[i]);
      if (level > 4)
        return fail(INVALID_VALUE, "CU_JIT_OPTIMIZATION_LEVEL %zu above 4",
                    size_t(level));
      break;
    }
    default:
      return fail(INVALID_VALUE, "JIT option %d is not modelled", options[i]);
    }
  }
  if ((errorLog != nullptr) != (errorLogSize != 0))
    return fail(INVALID_VALUE, "JIT error log buffer without its size");
  Module *m = nullptr;
  if (CUresult r = loadImage(s, image, &m)) {
    if (errorLog)
      snprintf(errorLog, errorLogSize,
               "ptxas application ptx input: (attnres cuda-standin) module "
               "rejected with error %d",
               r);
    return r;
  }
  s.modules[m] = m;
  *module = m;
  return SUCCESS;
}

EXPORT CUresult cuModuleUnload(void *module) {
  ENTER("cuModuleUnload(%p)", module);
  auto it = s.modules.find(module);
  if (it == s.modules.end())
    return fail(INVALID_HANDLE, "module %p is not loaded", module);
  s.modules.erase(it); // kernels stay allocated: launches of them are bugs
  return SUCCESS;
}

EXPORT CUresult cuModuleGetFunction(void **function, void *module,
                                    const char *name) {
  ENTER("cuModuleGetFunction(%s)", name ? name : "(null)");
  auto it = s.modules.find(module);
  if (it == s.modules.end())
    return fail(INVALID_HANDLE, "module %p is not loaded", module);
  auto k = it->second->kernels.find(name ? name : "");
  if (k == it->second->kernels.end())
    return fail(NOT_FOUND, "no kernel '%s' in the module", name ? name : "");
  *function = k->second;
  return SUCCESS;
}

EXPORT CUresult cuFuncSetAttribute(void *function, int attribute, int value) {
  ENTER("cuFuncSetAttribute(%d, %d)", attribute, value);
  auto *k = static_cast<Kernel *>(function);
  if (!k)
    return fail(INVALID_HANDLE, "null function");
  if (attribute != 8)
    return fail(INVALID_VALUE, "function attribute %d is not modelled",
                attribute);
  if (value < 0 || value > kOptinSmem)
    return fail(INVALID_VALUE,
                "%s: max dynamic shared memory %d above the opt-in limit %d",
                k->name.c_str(), value, kOptinSmem);
  k->maxDynamicSmem = value;
  return SUCCESS;
}

EXPORT CUresult cuLaunchKernel(void *function, unsigned gx, unsigned gy,
                               unsigned gz, unsigned bx, unsigned by,
                               unsigned bz, unsigned smem, void *stream,
                               void **params, void **extra) {
  auto *k = static_cast<Kernel *>(function);
  ENTER("cuLaunchKernel(%s, grid=(%u,%u,%u), block=(%u,%u,%u), smem=%u)",
        k ? k->name.c_str() : "(null)", gx, gy, gz, bx, by, bz, smem);
  ++s.launches;
  if (!k)
    return fail(INVALID_HANDLE, "null function");
  const char *name = k->name.c_str();
  unsigned grid[3] = {gx, gy, gz}, block[3] = {bx, by, bz};
  for (int i = 0; i < 3; ++i) {
    if (grid[i] < 1 || grid[i] > unsigned(kMaxGrid[i]))
      return fail(INVALID_VALUE, "%s: gridDim.%c = %u outside [1, %d]", name,
                  "xyz"[i], grid[i], kMaxGrid[i]);
    if (block[i] < 1 || block[i] > unsigned(kMaxBlock[i]))
      return fail(INVALID_VALUE, "%s: blockDim.%c = %u outside [1, %d]", name,
                  "xyz"[i], block[i], kMaxBlock[i]);
  }
  if (uint64_t(bx) * by * bz > kMaxThreads)
    return fail(INVALID_VALUE, "%s: %llu threads per block above %d", name,
                (unsigned long long)bx * by * bz, kMaxThreads);
  if (int64_t(smem) > k->maxDynamicSmem)
    return fail(INVALID_VALUE,
                "%s: %u bytes of dynamic shared memory above %d (%s)", name,
                smem, k->maxDynamicSmem,
                k->maxDynamicSmem == kDefaultSmem
                    ? "the default; opt in with cuFuncSetAttribute"
                    : "the opted-in maximum");
  if (stream && !s.streams.count(stream))
    return fail(INVALID_HANDLE, "%s: stream %p does not exist", name, stream);
  if (extra)
    return fail(INVALID_VALUE,
                "%s: `extra` launch arguments are not used by "
                "the runtime",
                name);
  if (!k->paramsKnown)
    return fail(INVALID_IMAGE, "%s: parameter sizes unknown", name);
  if (!k->paramSizes.empty() && !params)
    return fail(INVALID_VALUE, "%s: %zu parameters expected, none passed", name,
                k->paramSizes.size());
  // Every address of this process a kernel gets must be reachable by the
  // device: device or managed memory, or registered host memory.
  for (size_t i = 0; i < k->paramSizes.size(); ++i) {
    int size = k->paramSizes[i];
    if (size % 8 != 0)
      continue;
    for (int w = 0; w < size / 8; ++w) {
      uint64_t v;
      memcpy(&v, static_cast<char *>(params[i]) + 8 * w, 8);
      if (v == 0 || findRange(s, v))
        continue;
      std::string mapping = mappingOf(v);
      if (mapping.empty())
        continue; // not an address of this process: a scalar
      ++s.pointers;
      return fail(ILLEGAL_ADDRESS,
                  "%s: parameter %zu = 0x%llx is host memory the device "
                  "cannot reach (mapping %s): neither device nor managed "
                  "memory nor a live registration",
                  name, i, (unsigned long long)v, mapping.c_str());
    }
  }
  for (size_t i = 0; i < k->paramSizes.size(); ++i) {
    if (k->paramSizes[i] % 8 != 0)
      continue;
    for (int w = 0; w < k->paramSizes[i] / 8; ++w) {
      uint64_t v;
      memcpy(&v, static_cast<char *>(params[i]) + 8 * w, 8);
      if (v && findRange(s, v)) {
        ++s.pointers;
        log("  param %zu: 0x%llx in %s memory", i, (unsigned long long)v,
            memoryName(findRange(s, v)->second.kind));
      }
    }
  }
  return SUCCESS; // the kernel does not run
}

//===----------------------------------------------------------------------===//
// Streams and events
//===----------------------------------------------------------------------===//

namespace {
CUresult createHandle(State &s, std::map<void *, int> &table, void **out) {
  if (!out)
    return fail(INVALID_VALUE, "null handle pointer");
  void *h = reinterpret_cast<void *>(uintptr_t(0x5000000 + s.nextHandle++));
  table[h] = 1;
  *out = h;
  return SUCCESS;
}
CUresult destroyHandle(std::map<void *, int> &table, void *h,
                       const char *what) {
  if (!table.erase(h))
    return fail(INVALID_HANDLE, "%s %p does not exist", what, h);
  return SUCCESS;
}
CUresult checkStream(State &s, void *stream) {
  if (stream && !s.streams.count(stream))
    return fail(INVALID_HANDLE, "stream %p does not exist", stream);
  return SUCCESS;
}
} // namespace

EXPORT CUresult cuStreamCreate(void **stream, unsigned flags) {
  ENTER("cuStreamCreate(%u)", flags);
  return createHandle(s, s.streams, stream);
}
EXPORT CUresult cuStreamDestroy_v2(void *stream) {
  ENTER("cuStreamDestroy(%p)", stream);
  return destroyHandle(s.streams, stream, "stream");
}
EXPORT CUresult cuStreamSynchronize(void *stream) {
  ENTER("cuStreamSynchronize(%p)", stream);
  return checkStream(s, stream);
}
EXPORT CUresult cuStreamWaitEvent(void *stream, void *event, unsigned) {
  ENTER("cuStreamWaitEvent(%p, %p)", stream, event);
  if (!s.events.count(event))
    return fail(INVALID_HANDLE, "event %p does not exist", event);
  return checkStream(s, stream);
}
EXPORT CUresult cuEventCreate(void **event, unsigned flags) {
  ENTER("cuEventCreate(%u)", flags);
  return createHandle(s, s.events, event);
}
EXPORT CUresult cuEventDestroy_v2(void *event) {
  ENTER("cuEventDestroy(%p)", event);
  return destroyHandle(s.events, event, "event");
}
EXPORT CUresult cuEventRecord(void *event, void *stream) {
  ENTER("cuEventRecord(%p, %p)", event, stream);
  if (!s.events.count(event))
    return fail(INVALID_HANDLE, "event %p does not exist", event);
  return checkStream(s, stream);
}
EXPORT CUresult cuEventSynchronize(void *event) {
  ENTER("cuEventSynchronize(%p)", event);
  if (!s.events.count(event))
    return fail(INVALID_HANDLE, "event %p does not exist", event);
  return SUCCESS;
}
EXPORT CUresult cuEventElapsedTime(float *ms, void *start, void *stop) {
  ENTER("cuEventElapsedTime(%p, %p)", start, stop);
  if (!ms || !s.events.count(start) || !s.events.count(stop))
    return fail(INVALID_HANDLE, "cuEventElapsedTime on unknown events");
  *ms = 1.0f; // nothing ran: a fixed, nonzero interval
  return SUCCESS;
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

namespace {
CUresult allocate(State &s, CUdeviceptr *out, size_t bytes, Memory kind) {
  if (!out || bytes == 0)
    return fail(INVALID_VALUE, "allocation of %zu bytes", bytes);
  // Device memory is not host memory: host code that touches it faults
  // (reported by the SIGSEGV handler below); managed memory is both.
  void *p = mmap(nullptr, bytes,
                 kind == Memory::Device ? PROT_NONE : PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    return fail(OUT_OF_MEMORY, "cannot back %zu bytes", bytes);
  s.ranges[uintptr_t(p)] = Range{bytes, kind};
  *out = uintptr_t(p);
  log("  -> 0x%llx", (unsigned long long)*out);
  return SUCCESS;
}

/// Lets the driver itself (copies, sets) reach device memory for a moment.
struct DeviceAccess {
  std::vector<std::pair<void *, size_t>> opened;
  void open(State &s, uint64_t p) {
    if (auto *r = findRange(s, p))
      if (r->second.kind == Memory::Device) {
        mprotect(reinterpret_cast<void *>(r->first), r->second.size,
                 PROT_READ | PROT_WRITE);
        opened.push_back({reinterpret_cast<void *>(r->first), r->second.size});
      }
  }
  ~DeviceAccess() {
    for (auto &[base, size] : opened)
      mprotect(base, size, PROT_NONE);
  }
};

/// Host memory, or a range inside one allocation, for copies and sets.
CUresult checkAccess(State &s, uint64_t p, size_t n, const char *role,
                     bool deviceOnly) {
  if (auto *r = findRange(s, p, 1)) {
    if (p + n > r->first + r->second.size)
      return fail(INVALID_VALUE,
                  "%s 0x%llx + %zu bytes overruns its %s allocation of %zu "
                  "bytes",
                  role, (unsigned long long)p, n, memoryName(r->second.kind),
                  r->second.size);
    return SUCCESS;
  }
  if (deviceOnly)
    return fail(INVALID_VALUE, "%s 0x%llx is not device memory", role,
                (unsigned long long)p);
  uintptr_t end = 0;
  if (mappingOf(p, nullptr, &end).empty())
    return fail(INVALID_VALUE, "%s 0x%llx is not mapped", role,
                (unsigned long long)p);
  return SUCCESS;
}
} // namespace

EXPORT CUresult cuMemAlloc_v2(CUdeviceptr *out, size_t bytes) {
  ENTER("cuMemAlloc(%zu)", bytes);
  return allocate(s, out, bytes, Memory::Device);
}

EXPORT CUresult cuMemAllocManaged(CUdeviceptr *out, size_t bytes,
                                  unsigned flags) {
  ENTER("cuMemAllocManaged(%zu, %u)", bytes, flags);
  if (flags != 1 && flags != 2)
    return fail(INVALID_VALUE, "cuMemAllocManaged flags %u", flags);
  return allocate(s, out, bytes, Memory::Managed);
}

EXPORT CUresult cuMemFree_v2(CUdeviceptr p) {
  ENTER("cuMemFree(0x%llx)", (unsigned long long)p);
  auto it = s.ranges.find(uintptr_t(p));
  if (it == s.ranges.end() || it->second.kind == Memory::Registered)
    return fail(INVALID_VALUE, "cuMemFree of 0x%llx, not a live allocation",
                (unsigned long long)p);
  munmap(reinterpret_cast<void *>(p), it->second.size);
  s.ranges.erase(it);
  return SUCCESS;
}

EXPORT CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t n,
                              void *stream) {
  ENTER("cuMemcpyAsync(0x%llx, 0x%llx, %zu)", (unsigned long long)dst,
        (unsigned long long)src, n);
  if (CUresult r = checkStream(s, stream))
    return r;
  if (CUresult r = checkAccess(s, dst, n, "destination", false))
    return r;
  if (CUresult r = checkAccess(s, src, n, "source", false))
    return r;
  DeviceAccess access;
  access.open(s, dst);
  access.open(s, src);
  memmove(reinterpret_cast<void *>(dst), reinterpret_cast<void *>(src), n);
  return SUCCESS;
}

EXPORT CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned value, size_t n,
                                 void *stream) {
  ENTER("cuMemsetD32Async(0x%llx, %u, %zu)", (unsigned long long)dst, value, n);
  if (CUresult r = checkStream(s, stream))
    return r;
  if (CUresult r = checkAccess(s, dst, 4 * n, "destination", true))
    return r;
  DeviceAccess access;
  access.open(s, dst);
  for (size_t i = 0; i < n; ++i)
    memcpy(reinterpret_cast<char *>(dst) + 4 * i, &value, 4);
  return SUCCESS;
}

EXPORT CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short value,
                                 size_t n, void *stream) {
  ENTER("cuMemsetD16Async(0x%llx, %u, %zu)", (unsigned long long)dst, value, n);
  if (CUresult r = checkStream(s, stream))
    return r;
  if (CUresult r = checkAccess(s, dst, 2 * n, "destination", true))
    return r;
  DeviceAccess access;
  access.open(s, dst);
  for (size_t i = 0; i < n; ++i)
    memcpy(reinterpret_cast<char *>(dst) + 2 * i, &value, 2);
  return SUCCESS;
}

EXPORT CUresult cuMemHostRegister_v2(void *p, size_t n, unsigned flags) {
  ENTER("cuMemHostRegister(%p, %zu, %u)", p, n, flags);
  if (s.failRegister)
    return fail(NOT_SUPPORTED, "injected failure: host registration");
  if (!p || n == 0)
    return fail(INVALID_VALUE, "registration of %p, %zu bytes", p, n);
  uintptr_t lo = uintptr_t(p), hi = lo + n;
  for (auto &[start, range] : s.ranges)
    if (start < hi && lo < start + range.size)
      return range.kind == Memory::Registered
                 ? fail(HOST_MEMORY_ALREADY_REGISTERED,
                        "%p + %zu overlaps a live registration", p, n)
                 : fail(INVALID_VALUE, "%p + %zu is %s memory", p, n,
                        memoryName(range.kind));
  // Every page must be mapped; read-only pages need the READ_ONLY flag.
  for (uintptr_t q = lo; q < hi;) {
    bool writable = false;
    uintptr_t end = 0;
    std::string mapping = mappingOf(q, &writable, &end);
    if (mapping.empty())
      return fail(INVALID_VALUE, "%p + %zu is not mapped at 0x%llx", p, n,
                  (unsigned long long)q);
    if (!writable && !(flags & 8))
      return fail(INVALID_VALUE,
                  "%p + %zu lies in a read-only mapping (%s) and "
                  "CU_MEMHOSTREGISTER_READ_ONLY is not set",
                  p, n, mapping.c_str());
    q = end;
  }
  s.ranges[lo] = Range{n, Memory::Registered};
  return SUCCESS;
}

EXPORT CUresult cuMemHostUnregister(void *p) {
  ENTER("cuMemHostUnregister(%p)", p);
  auto it = s.ranges.find(uintptr_t(p));
  if (it == s.ranges.end() || it->second.kind != Memory::Registered)
    return fail(HOST_MEMORY_NOT_REGISTERED, "%p is not a registration", p);
  s.ranges.erase(it);
  return SUCCESS;
}

EXPORT CUresult cuPointerGetAttributes(unsigned n, int *attributes, void **data,
                                       CUdeviceptr p) {
  ENTER("cuPointerGetAttributes(%u, 0x%llx)", n, (unsigned long long)p);
  if (n && (!attributes || !data))
    return fail(INVALID_VALUE, "null attribute arrays");
  auto *r = findRange(s, p);
  for (unsigned i = 0; i < n; ++i) {
    switch (attributes[i]) {
    case 2: // CU_POINTER_ATTRIBUTE_MEMORY_TYPE
      *static_cast<unsigned *>(data[i]) = !r ? 0
                                          : r->second.kind == Memory::Registered
                                              ? 1
                                              : 2;
      break;
    case 8: // CU_POINTER_ATTRIBUTE_IS_MANAGED
      *static_cast<int *>(data[i]) = r && r->second.kind == Memory::Managed;
      break;
    default:
      return fail(INVALID_VALUE, "pointer attribute %d is not modelled",
                  attributes[i]);
    }
  }
  return SUCCESS;
}
