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
    _Pragma("omp parallel for schedule(static)")                               \
    for (long b = 0; b < n; b += 4096) {                                       \
      long e = b + 4096 < n ? b + 4096 : n;                                    \
      for (long i = b; i < e; ++i) {                                           \
        uint32_t a = 0;                                                        \
        for (int k = 0; k < KK; ++k)                                           \
          a += s[k][i];                                                        \
        d[i] = a;                                                              \
      }                                                                        \
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
    _Pragma("omp parallel for schedule(static)")                               \
    for (long b = 0; b < n; b += 4096) {                                       \
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
