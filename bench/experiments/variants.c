// Hand-written C variants of one fused AttnRes site (math §1), used to test
// kernel structures before (or instead of) building them in the lowering:
// bench/experiments/run.py times them next to the streaming loop of
// bench/kernels.c. AVX-512 (+BF16 for the vdpbf16ps variant); K = 9 sources
// and D = 4096 are compile-time constants (-DK=, -DD=).
//
// f32, all `(src[K], q, out, rows)`:
//   two_pass     statistics of all sources, then the weighted sum from cache
//                (the structure convert-attnres-to-vector emits), NT stores
//   online       online softmax over sources: each source row read once,
//                accumulated while it is in L1
//   pipelined    statistics of row t+1 in the weighted-sum loop of row t
//   prefetch     two_pass + software prefetch of row t+1 spread over both
//                passes
//   backwards    two_pass with the weighted sum running backwards over D
//   pass1_only   only the statistics pass (writes one float per row)
//   pass2_only   only the weighted sum with fixed weights
// bf16 (uint16 bits):
//   bf16_extend  two_pass, each element extended (vpmovzxwd + shift)
//   bf16_pairs   two_pass, even/odd halves by shift and mask (what the
//                lowering does with bf16-pairs)
//   bf16_dpbf16  bf16_pairs with the statistics by vdpbf16ps (query split
//                into three bf16 parts)
#include <immintrin.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>

#ifndef K
#define K 9
#endif
#ifndef D
#define D 4096
#endif

static inline float hsum(__m512 v) { return _mm512_reduce_add_ps(v); }

static inline void softmax_weights(const __m512 *ss, const __m512 *dt,
                                   __m512 *w) {
  float l[K], m = -INFINITY, s = 0;
  for (int j = 0; j < K; ++j) {
    l[j] = hsum(dt[j]) / sqrtf(hsum(ss[j]) / D + 1e-5f);
    m = l[j] > m ? l[j] : m;
  }
  for (int j = 0; j < K; ++j) {
    l[j] = expf(l[j] - m);
    s += l[j];
  }
  for (int j = 0; j < K; ++j)
    w[j] = _mm512_set1_ps(l[j] / s);
}

static inline void stats_f32(const float *const *v, const float *q, __m512 *ss,
                             __m512 *dt) {
  for (int j = 0; j < K; ++j)
    ss[j] = dt[j] = _mm512_setzero_ps();
  for (long c = 0; c < D; c += 16) {
    __m512 qq = _mm512_loadu_ps(q + c);
    for (int j = 0; j < K; ++j) {
      __m512 x = _mm512_loadu_ps(v[j] + c);
      ss[j] = _mm512_fmadd_ps(x, x, ss[j]);
      dt[j] = _mm512_fmadd_ps(qq, x, dt[j]);
    }
  }
}

static inline void wsum_f32(const float *const *v, const __m512 *w, float *o,
                            long c) {
  __m512 a = _mm512_mul_ps(w[0], _mm512_loadu_ps(v[0] + c));
  for (int j = 1; j < K; ++j)
    a = _mm512_fmadd_ps(w[j], _mm512_loadu_ps(v[j] + c), a);
  _mm512_stream_ps(o + c, a);
}

#define ROWS(t, v, src)                                                        \
  const float *v[K];                                                           \
  for (int j = 0; j < K; ++j)                                                  \
    v[j] = src[j] + (t) * D;

void two_pass(const float **src, const float *q, float *out, long rows) {
#pragma omp parallel for schedule(static)
  for (long t = 0; t < rows; ++t) {
    ROWS(t, v, src)
    __m512 ss[K], dt[K], w[K];
    stats_f32(v, q, ss, dt);
    softmax_weights(ss, dt, w);
    for (long c = 0; c < D; c += 16)
      wsum_f32(v, w, out + t * D, c);
  }
}

void backwards(const float **src, const float *q, float *out, long rows) {
#pragma omp parallel for schedule(static)
  for (long t = 0; t < rows; ++t) {
    ROWS(t, v, src)
    __m512 ss[K], dt[K], w[K];
    stats_f32(v, q, ss, dt);
    softmax_weights(ss, dt, w);
    for (long c = D - 16; c >= 0; c -= 16)
      wsum_f32(v, w, out + t * D, c);
  }
}

void prefetch(const float **src, const float *q, float *out, long rows) {
#pragma omp parallel for schedule(static)
  for (long t = 0; t < rows; ++t) {
    ROWS(t, v, src)
    long next = t + 1 < rows ? D : 0;
    __m512 ss[K], dt[K], w[K];
    for (int j = 0; j < K; ++j)
      ss[j] = dt[j] = _mm512_setzero_ps();
    for (long c = 0; c < D; c += 16) {
      __m512 qq = _mm512_loadu_ps(q + c);
      for (int j = 0; j < K / 2; ++j)
        _mm_prefetch((const char *)(v[j] + next + c), _MM_HINT_T0);
      for (int j = 0; j < K; ++j) {
        __m512 x = _mm512_loadu_ps(v[j] + c);
        ss[j] = _mm512_fmadd_ps(x, x, ss[j]);
        dt[j] = _mm512_fmadd_ps(qq, x, dt[j]);
      }
    }
    softmax_weights(ss, dt, w);
    for (long c = 0; c < D; c += 16) {
      for (int j = K / 2; j < K; ++j)
        _mm_prefetch((const char *)(v[j] + next + c), _MM_HINT_T0);
      wsum_f32(v, w, out + t * D, c);
    }
  }
}

void online(const float **src, const float *q, float *out, long rows) {
#pragma omp parallel for schedule(static)
  for (long t = 0; t < rows; ++t) {
    float *o = out + t * D, m = -INFINITY, s = 0;
    for (int j = 0; j < K; ++j) {
      const float *v = src[j] + t * D;
      __m512 ss = _mm512_setzero_ps(), dt = ss;
      for (long c = 0; c < D; c += 16) {
        __m512 x = _mm512_loadu_ps(v + c);
        ss = _mm512_fmadd_ps(x, x, ss);
        dt = _mm512_fmadd_ps(_mm512_loadu_ps(q + c), x, dt);
      }
      float l = hsum(dt) / sqrtf(hsum(ss) / D + 1e-5f);
      if (j == 0) {
        m = l;
        s = 1;
        for (long c = 0; c < D; c += 16)
          _mm512_storeu_ps(o + c, _mm512_loadu_ps(v + c));
        continue;
      }
      float nm = l > m ? l : m, a = expf(m - nm), p = expf(l - nm);
      s = s * a + p;
      m = nm;
      __m512 A = _mm512_set1_ps(a), P = _mm512_set1_ps(p);
      for (long c = 0; c < D; c += 16)
        _mm512_storeu_ps(
            o + c, _mm512_fmadd_ps(_mm512_loadu_ps(o + c), A,
                                   _mm512_mul_ps(P, _mm512_loadu_ps(v + c))));
    }
    __m512 inv = _mm512_set1_ps(1.0f / s);
    for (long c = 0; c < D; c += 16)
      _mm512_stream_ps(o + c, _mm512_mul_ps(_mm512_loadu_ps(o + c), inv));
  }
}

void pipelined(const float **src, const float *q, float *out, long rows) {
#pragma omp parallel
  {
    int nt = omp_get_num_threads(), id = omp_get_thread_num();
    long per = (rows + nt - 1) / nt, b = id * per;
    long e = b + per < rows ? b + per : rows;
    if (b < e) {
      __m512 ss[K], dt[K], w[K];
      ROWS(b, first, src)
      stats_f32(first, q, ss, dt);
      for (long t = b; t < e; ++t) {
        softmax_weights(ss, dt, w);
        for (int j = 0; j < K; ++j)
          ss[j] = dt[j] = _mm512_setzero_ps();
        long next = t + 1 < e ? (t + 1) * D : t * D;
        for (long c = 0; c < D; c += 16) {
          __m512 qq = _mm512_loadu_ps(q + c);
          for (int j = 0; j < K; ++j) {
            __m512 x = _mm512_loadu_ps(src[j] + next + c);
            ss[j] = _mm512_fmadd_ps(x, x, ss[j]);
            dt[j] = _mm512_fmadd_ps(qq, x, dt[j]);
          }
          ROWS(t, v, src)
          wsum_f32(v, w, out + t * D, c);
        }
      }
    }
  }
}

void pass1_only(const float **src, const float *q, float *out, long rows) {
#pragma omp parallel for schedule(static)
  for (long t = 0; t < rows; ++t) {
    ROWS(t, v, src)
    __m512 ss[K], dt[K], w[K];
    stats_f32(v, q, ss, dt);
    softmax_weights(ss, dt, w);
    out[t * D] = hsum(w[0]);
  }
}

void pass2_only(const float **src, const float *q, float *out, long rows) {
  (void)q;
#pragma omp parallel for schedule(static)
  for (long t = 0; t < rows; ++t) {
    ROWS(t, v, src)
    __m512 w[K];
    for (int j = 0; j < K; ++j)
      w[j] = _mm512_set1_ps(1.0f / K);
    for (long c = 0; c < D; c += 16)
      wsum_f32(v, w, out + t * D, c);
  }
}

// ---- bf16 -----------------------------------------------------------------

static inline __m512 extend16(const uint16_t *p) {
  return _mm512_castsi512_ps(_mm512_slli_epi32(
      _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p)), 16));
}
static inline __m512 even_half(__m512i x) {
  return _mm512_castsi512_ps(_mm512_slli_epi32(x, 16));
}
static inline __m512 odd_half(__m512i x) {
  return _mm512_castsi512_ps(
      _mm512_and_si512(x, _mm512_set1_epi32((int)0xFFFF0000u)));
}
static inline __m512i round_bits(__m512 a) {
  __m512i x = _mm512_castps_si512(a);
  __m512i lsb =
      _mm512_and_si512(_mm512_srli_epi32(x, 16), _mm512_set1_epi32(1));
  return _mm512_add_epi32(x, _mm512_add_epi32(lsb, _mm512_set1_epi32(0x7FFF)));
}

void bf16_extend(const uint16_t **src, const float *q, uint16_t *out,
                 long rows) {
#pragma omp parallel for schedule(static)
  for (long t = 0; t < rows; ++t) {
    const uint16_t *v[K];
    for (int j = 0; j < K; ++j)
      v[j] = src[j] + t * D;
    __m512 ss[K], dt[K], w[K];
    for (int j = 0; j < K; ++j)
      ss[j] = dt[j] = _mm512_setzero_ps();
    for (long c = 0; c < D; c += 16) {
      __m512 qq = _mm512_loadu_ps(q + c);
      for (int j = 0; j < K; ++j) {
        __m512 x = extend16(v[j] + c);
        ss[j] = _mm512_fmadd_ps(x, x, ss[j]);
        dt[j] = _mm512_fmadd_ps(qq, x, dt[j]);
      }
    }
    softmax_weights(ss, dt, w);
    for (long c = 0; c < D; c += 16) {
      __m512 a = _mm512_mul_ps(w[0], extend16(v[0] + c));
      for (int j = 1; j < K; ++j)
        a = _mm512_fmadd_ps(w[j], extend16(v[j] + c), a);
      __m512i r = _mm512_srli_epi32(round_bits(a), 16);
      _mm256_stream_si256((__m256i *)(out + t * D + c),
                          _mm512_cvtepi32_epi16(r));
    }
  }
}

static float q_even[D / 2] __attribute__((aligned(64)));
static float q_odd[D / 2] __attribute__((aligned(64)));

static void split_query(const float *q) {
  for (int i = 0; i < D / 2; ++i) {
    q_even[i] = q[2 * i];
    q_odd[i] = q[2 * i + 1];
  }
}

static inline void wsum_pairs(const uint16_t *const *v, const __m512 *w,
                              uint16_t *o, long c) {
  __m512i x = _mm512_loadu_si512(v[0] + c);
  __m512 ae = _mm512_mul_ps(w[0], even_half(x));
  __m512 ao = _mm512_mul_ps(w[0], odd_half(x));
  for (int j = 1; j < K; ++j) {
    x = _mm512_loadu_si512(v[j] + c);
    ae = _mm512_fmadd_ps(w[j], even_half(x), ae);
    ao = _mm512_fmadd_ps(w[j], odd_half(x), ao);
  }
  __m512i r = _mm512_or_si512(
      _mm512_srli_epi32(round_bits(ae), 16),
      _mm512_and_si512(round_bits(ao), _mm512_set1_epi32((int)0xFFFF0000u)));
  _mm512_stream_si512((__m512i *)(o + c), r);
}

void bf16_pairs(const uint16_t **src, const float *q, uint16_t *out,
                long rows) {
  split_query(q);
#pragma omp parallel for schedule(static)
  for (long t = 0; t < rows; ++t) {
    const uint16_t *v[K];
    for (int j = 0; j < K; ++j)
      v[j] = src[j] + t * D;
    __m512 ss[K], dt[K], w[K];
    for (int j = 0; j < K; ++j)
      ss[j] = dt[j] = _mm512_setzero_ps();
    for (long c = 0; c < D; c += 32) {
      __m512 qe = _mm512_load_ps(q_even + c / 2),
             qo = _mm512_load_ps(q_odd + c / 2);
      for (int j = 0; j < K; ++j) {
        __m512i x = _mm512_loadu_si512(v[j] + c);
        __m512 e = even_half(x), o = odd_half(x);
        ss[j] = _mm512_fmadd_ps(o, o, _mm512_fmadd_ps(e, e, ss[j]));
        dt[j] = _mm512_fmadd_ps(qo, o, _mm512_fmadd_ps(qe, e, dt[j]));
      }
    }
    softmax_weights(ss, dt, w);
    for (long c = 0; c < D; c += 32)
      wsum_pairs(v, w, out + t * D, c);
  }
}

static uint16_t q_parts[3][D] __attribute__((aligned(64)));

void bf16_dpbf16(const uint16_t **src, const float *q, uint16_t *out,
                 long rows) {
  for (int i = 0; i < D; ++i) {
    float r = q[i];
    for (int p = 0; p < 3; ++p) {
      __bf16 h = (__bf16)r;
      r -= (float)h;
      __builtin_memcpy(&q_parts[p][i], &h, 2);
    }
  }
#pragma omp parallel for schedule(static)
  for (long t = 0; t < rows; ++t) {
    const uint16_t *v[K];
    for (int j = 0; j < K; ++j)
      v[j] = src[j] + t * D;
    __m512 ss[K], dt[K], w[K];
    for (int j = 0; j < K; ++j)
      ss[j] = dt[j] = _mm512_setzero_ps();
    for (long c = 0; c < D; c += 32) {
      __m512bh h = (__m512bh)_mm512_load_si512(q_parts[0] + c);
      __m512bh m = (__m512bh)_mm512_load_si512(q_parts[1] + c);
      __m512bh l = (__m512bh)_mm512_load_si512(q_parts[2] + c);
      for (int j = 0; j < K; ++j) {
        __m512bh x = (__m512bh)_mm512_loadu_si512(v[j] + c);
        ss[j] = _mm512_dpbf16_ps(ss[j], x, x);
        dt[j] = _mm512_dpbf16_ps(
            _mm512_dpbf16_ps(_mm512_dpbf16_ps(dt[j], h, x), m, x), l, x);
      }
    }
    softmax_weights(ss, dt, w);
    for (long c = 0; c < D; c += 32)
      wsum_pairs(v, w, out + t * D, c);
  }
}
