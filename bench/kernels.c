// Peers measured next to the attnres kernels by bench/attnres_bench.py.
//
//  * attnres_stream: a STREAM-style loop with exactly the traffic of a fused
//    site: reads K buffers of `bytes` bytes once and writes one, on all
//    cores, vectorized (integer adds, so the data's bit patterns do not
//    matter). attnres_stream_nt: the same with non-temporal stores.
//  * attnres_scalar_site_f32: a plain scalar, single-threaded reference of one
//    fused AttnRes site (math §1), written the obvious way.
#include <math.h>
#include <stdint.h>
#include <string.h>

// One pass over all K streams per element with K a compile-time constant
// (the fastest of the plain loops we tried: blocked accumulation and a
// runtime-K inner loop were 25-50 % slower here).
#define ATTNRES_STREAM_K(KK)                                                   \
  static void stream_##KK(const uint32_t **s, uint32_t *d, long n) {           \
    _Pragma("omp parallel for schedule(static)") for (long b = 0; b < n;       \
                                                      b += 4096) {             \
      long e = b + 4096 < n ? b + 4096 : n;                                    \
      for (long i = b; i < e; ++i) {                                           \
        uint32_t a = 0;                                                        \
        for (int k = 0; k < KK; ++k)                                           \
          a += s[k][i];                                                        \
        d[i] = a;                                                              \
      }                                                                        \
    }                                                                          \
  }                                                                            \
  static void stream_serial_##KK(const uint32_t **s, uint32_t *d, long n) {    \
    for (long i = 0; i < n; ++i) {                                             \
      uint32_t a = 0;                                                          \
      for (int k = 0; k < KK; ++k)                                             \
        a += s[k][i];                                                          \
      d[i] = a;                                                                \
    }                                                                          \
  }
ATTNRES_STREAM_K(1)
ATTNRES_STREAM_K(2)
ATTNRES_STREAM_K(3)
ATTNRES_STREAM_K(4)
ATTNRES_STREAM_K(5)
ATTNRES_STREAM_K(6)
ATTNRES_STREAM_K(7)
ATTNRES_STREAM_K(8)
ATTNRES_STREAM_K(9)
ATTNRES_STREAM_K(10)
ATTNRES_STREAM_K(11)
ATTNRES_STREAM_K(12)
ATTNRES_STREAM_K(13)
ATTNRES_STREAM_K(14)
ATTNRES_STREAM_K(15)
ATTNRES_STREAM_K(16)

// The same loop with non-temporal stores of the destination (64-byte vectors;
// `dst` must be 64-byte aligned and `bytes` a multiple of 64): no read for
// ownership of the output lines, exactly K reads and one write of DRAM.
typedef uint32_t attnres_v16u __attribute__((vector_size(64)));
#define ATTNRES_STREAM_NT_K(KK)                                                \
  static void stream_nt_##KK(const uint32_t **s, uint32_t *d, long n) {        \
    _Pragma("omp parallel for schedule(static)") for (long b = 0; b < n;       \
                                                      b += 4096) {             \
      long e = b + 4096 < n ? b + 4096 : n;                                    \
      for (long i = b; i < e; i += 16) {                                       \
        attnres_v16u a = {0};                                                  \
        for (int k = 0; k < KK; ++k) {                                         \
          attnres_v16u x;                                                      \
          memcpy(&x, s[k] + i, sizeof(x));                                     \
          a += x;                                                              \
        }                                                                      \
        __builtin_nontemporal_store(a, (attnres_v16u *)(d + i));               \
      }                                                                        \
    }                                                                          \
  }
ATTNRES_STREAM_NT_K(1)
ATTNRES_STREAM_NT_K(2)
ATTNRES_STREAM_NT_K(3)
ATTNRES_STREAM_NT_K(4)
ATTNRES_STREAM_NT_K(5)
ATTNRES_STREAM_NT_K(6)
ATTNRES_STREAM_NT_K(7)
ATTNRES_STREAM_NT_K(8)
ATTNRES_STREAM_NT_K(9)
ATTNRES_STREAM_NT_K(10)
ATTNRES_STREAM_NT_K(11)
ATTNRES_STREAM_NT_K(12)
ATTNRES_STREAM_NT_K(13)
ATTNRES_STREAM_NT_K(14)
ATTNRES_STREAM_NT_K(15)
ATTNRES_STREAM_NT_K(16)

/// Returns -1 (nothing done) when dst or bytes are not 64-byte multiples.
int attnres_stream_nt(int K, const void **src, void *dst, long bytes) {
  if (((uintptr_t)dst % 64) != 0 || bytes % 64 != 0)
    return -1;
  long n = bytes / 4;
  const uint32_t **s = (const uint32_t **)src;
  uint32_t *d = (uint32_t *)dst;
  static void (*const fns[16])(const uint32_t **, uint32_t *, long) = {
      stream_nt_1,  stream_nt_2,  stream_nt_3,  stream_nt_4,
      stream_nt_5,  stream_nt_6,  stream_nt_7,  stream_nt_8,
      stream_nt_9,  stream_nt_10, stream_nt_11, stream_nt_12,
      stream_nt_13, stream_nt_14, stream_nt_15, stream_nt_16};
  fns[(K < 1 ? 1 : K > 16 ? 16 : K) - 1](s, d, n);
  return 0;
}

void attnres_stream(int K, const void **src, void *dst, long bytes) {
  long n = bytes / 4;
  const uint32_t **s = (const uint32_t **)src;
  uint32_t *d = (uint32_t *)dst;
  static void (*const fns[16])(const uint32_t **, uint32_t *, long) = {
      stream_1,  stream_2,  stream_3,  stream_4,  stream_5,  stream_6,
      stream_7,  stream_8,  stream_9,  stream_10, stream_11, stream_12,
      stream_13, stream_14, stream_15, stream_16};
  fns[(K < 1 ? 1 : K > 16 ? 16 : K) - 1](s, d, n);
}

void attnres_scalar_site_f32(int n, const float **src, const float *q,
                             float *out, long rows, long d, float eps) {
  float logits[256];
  for (long t = 0; t < rows; ++t) {
    float max = -INFINITY;
    for (int j = 0; j < n; ++j) {
      const float *v = src[j] + t * d;
      float ss = 0, dot = 0;
      for (long c = 0; c < d; ++c) {
        ss += v[c] * v[c];
        dot += q[c] * v[c];
      }
      logits[j] = dot / sqrtf(ss / (float)d + eps);
      if (logits[j] > max)
        max = logits[j];
    }
    float sum = 0;
    for (int j = 0; j < n; ++j) {
      logits[j] = expf(logits[j] - max);
      sum += logits[j];
    }
    float *h = out + t * d;
    memset(h, 0, sizeof(float) * d);
    for (int j = 0; j < n; ++j) {
      const float *v = src[j] + t * d;
      float a = logits[j] / sum;
      for (long c = 0; c < d; ++c)
        h[c] += a * v[c];
    }
  }
}

// The streaming loop on one thread (no parallel region): the time a single
// core needs to move a decode call's bytes, the floor for small calls.
void attnres_stream_serial(int K, const void **src, void *dst, long bytes) {
  long n = bytes / 4;
  const uint32_t **s = (const uint32_t **)src;
  uint32_t *d = (uint32_t *)dst;
  static void (*const fns[16])(const uint32_t **, uint32_t *, long) = {
      stream_serial_1,  stream_serial_2,  stream_serial_3,  stream_serial_4,
      stream_serial_5,  stream_serial_6,  stream_serial_7,  stream_serial_8,
      stream_serial_9,  stream_serial_10, stream_serial_11, stream_serial_12,
      stream_serial_13, stream_serial_14, stream_serial_15, stream_serial_16};
  fns[(K < 1 ? 1 : K > 16 ? 16 : K) - 1](s, d, n);
}

// Calls `fn` (an `_mlir_ciface_` entry taking `nargs` pointer arguments)
// `iters` times in a C loop and returns the mean nanoseconds per call, so
// µs-sized calls are timed without the Python call overhead.
#include <time.h>
typedef void *P;
#define ATTNRES_CALL(N, ...)                                                   \
  case N: {                                                                    \
    void (*f)(__VA_ARGS__) = (void (*)(__VA_ARGS__))fn;                        \
    for (long i = 0; i < iters; ++i)                                           \
      ATTNRES_INVOKE_##N;                                                      \
    break;                                                                     \
  }
#define ATTNRES_INVOKE_3 f(a[0], a[1], a[2])
#define ATTNRES_INVOKE_4 f(a[0], a[1], a[2], a[3])
#define ATTNRES_INVOKE_5 f(a[0], a[1], a[2], a[3], a[4])
#define ATTNRES_INVOKE_6 f(a[0], a[1], a[2], a[3], a[4], a[5])
#define ATTNRES_INVOKE_7 f(a[0], a[1], a[2], a[3], a[4], a[5], a[6])
#define ATTNRES_INVOKE_8 f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7])
#define ATTNRES_INVOKE_9 f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8])
#define ATTNRES_INVOKE_10                                                      \
  f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9])
#define ATTNRES_INVOKE_11                                                      \
  f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10])
#define ATTNRES_INVOKE_12                                                      \
  f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11])
#define ATTNRES_INVOKE_13                                                      \
  f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11],  \
    a[12])
#define ATTNRES_INVOKE_14                                                      \
  f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11],  \
    a[12], a[13])
double attnres_time_ciface(void *fn, int nargs, void **a, long iters) {
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  switch (nargs) {
    ATTNRES_CALL(3, P, P, P)
    ATTNRES_CALL(4, P, P, P, P)
    ATTNRES_CALL(5, P, P, P, P, P)
    ATTNRES_CALL(6, P, P, P, P, P, P)
    ATTNRES_CALL(7, P, P, P, P, P, P, P)
    ATTNRES_CALL(8, P, P, P, P, P, P, P, P)
    ATTNRES_CALL(9, P, P, P, P, P, P, P, P, P)
    ATTNRES_CALL(10, P, P, P, P, P, P, P, P, P, P)
    ATTNRES_CALL(11, P, P, P, P, P, P, P, P, P, P, P)
    ATTNRES_CALL(12, P, P, P, P, P, P, P, P, P, P, P, P)
    ATTNRES_CALL(13, P, P, P, P, P, P, P, P, P, P, P, P, P)
    ATTNRES_CALL(14, P, P, P, P, P, P, P, P, P, P, P, P, P, P)
  default:
    return -1.0;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / iters;
}

// The same timing loop for a streaming loop (serial or OpenMP).
double attnres_time_stream(int serial, int K, const void **src, void *dst,
                           long bytes, long iters) {
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < iters; ++i) {
    if (serial)
      attnres_stream_serial(K, src, dst, bytes);
    else
      attnres_stream(K, src, dst, bytes);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / iters;
}

// The traffic of the fused depth_attn_grad kernel: reads K streams (the n
// sources and the incoming gradient g, K = n + 1) once and writes K - 1 (the
// dV_j) once, on all cores; every written element depends on all K reads.
#define ATTNRES_STREAM_GRAD_K(KK)                                              \
  static void stream_grad_##KK(const uint32_t **s, uint32_t **d, long n) {     \
    _Pragma("omp parallel for schedule(static)") for (long b = 0; b < n;       \
                                                      b += 4096) {             \
      long e = b + 4096 < n ? b + 4096 : n;                                    \
      for (long i = b; i < e; ++i) {                                           \
        uint32_t a = 0;                                                        \
        for (int k = 0; k < KK; ++k)                                           \
          a += s[k][i];                                                        \
        for (int k = 0; k < KK - 1; ++k)                                       \
          d[k][i] = a ^ s[k][i];                                               \
      }                                                                        \
    }                                                                          \
  }
ATTNRES_STREAM_GRAD_K(2)
ATTNRES_STREAM_GRAD_K(3)
ATTNRES_STREAM_GRAD_K(4)
ATTNRES_STREAM_GRAD_K(5)
ATTNRES_STREAM_GRAD_K(6)
ATTNRES_STREAM_GRAD_K(7)
ATTNRES_STREAM_GRAD_K(8)
ATTNRES_STREAM_GRAD_K(9)
ATTNRES_STREAM_GRAD_K(10)
ATTNRES_STREAM_GRAD_K(11)
ATTNRES_STREAM_GRAD_K(12)
ATTNRES_STREAM_GRAD_K(13)
ATTNRES_STREAM_GRAD_K(14)
ATTNRES_STREAM_GRAD_K(15)
ATTNRES_STREAM_GRAD_K(16)

void attnres_stream_grad(int K, const void **src, void **dst, long bytes) {
  long n = bytes / 4;
  static void (*const fns[15])(const uint32_t **, uint32_t **, long) = {
      stream_grad_2,  stream_grad_3,  stream_grad_4,  stream_grad_5,
      stream_grad_6,  stream_grad_7,  stream_grad_8,  stream_grad_9,
      stream_grad_10, stream_grad_11, stream_grad_12, stream_grad_13,
      stream_grad_14, stream_grad_15, stream_grad_16};
  fns[(K < 2    ? 2
       : K > 16 ? 16
                : K) -
      2]((const uint32_t **)src, (uint32_t **)dst, n);
}
