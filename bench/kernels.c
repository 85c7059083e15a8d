// Peers measured next to the attnres kernels by bench/attnres_bench.py.
//
//  * attnres_stream: a STREAM-style loop with exactly the traffic of a fused
//    site: reads K buffers of `bytes` bytes once and writes one, on all
//    cores, vectorized (integer adds, so the data's bit patterns do not
//    matter).
//  * attnres_scalar_site_f32: a plain scalar, single-threaded reference of one
//    fused AttnRes site (math §1), written the obvious way.
#include <math.h>
#include <stdint.h>
#include <string.h>

void attnres_stream(int K, const void **src, void *dst, long bytes) {
  long n = bytes / 4;
  const uint32_t **s = (const uint32_t **)src;
  uint32_t *d = (uint32_t *)dst;
#pragma omp parallel for schedule(static)
  for (long b = 0; b < n; b += 1024) {
    long e = b + 1024 < n ? b + 1024 : n;
    uint32_t acc[1024];
    for (long i = b; i < e; ++i)
      acc[i - b] = s[0][i];
    for (int k = 1; k < K; ++k) {
      const uint32_t *sk = s[k];
      for (long i = b; i < e; ++i)
        acc[i - b] += sk[i];
    }
    for (long i = b; i < e; ++i)
      d[i] = acc[i - b];
  }
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
