// Small matrix-vector products, where a BLAS call costs more than the arithmetic: an MLP
// layer at batch 1 (64 x 64 is 4096 multiply-adds, ~50 ns with AVX2; sgemv's dispatch alone
// is several times that). AVX2+FMA when the CPU has them, else plain loops.
#include <cstdint>

#include "kernels/blas.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define EMBER_X86 1
#endif

namespace ember {
namespace blas {
namespace {

void gemv_rows_plain(int64_t n, int64_t k, const float* w, const float* x, float* y) {
  for (int64_t i = 0; i < n; ++i) {
    const float* row = w + i * k;
    float acc[4] = {0, 0, 0, 0};
    int64_t j = 0;
    for (; j + 4 <= k; j += 4)
      for (int l = 0; l < 4; ++l) acc[l] += row[j + l] * x[j + l];
    float s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (; j < k; ++j) s += row[j] * x[j];
    y[i] += s;
  }
}

#ifdef EMBER_X86
__attribute__((target("avx2,fma"))) inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma"))) void gemv_rows_avx2(int64_t n, int64_t k, const float* w,
                                                         const float* x, float* y) {
  int64_t i = 0;
  int64_t k8 = k & ~int64_t(7);
  for (; i + 4 <= n; i += 4) {
    const float* r0 = w + i * k;
    const float *r1 = r0 + k, *r2 = r1 + k, *r3 = r2 + k;
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (int64_t j = 0; j < k8; j += 8) {
      __m256 xv = _mm256_loadu_ps(x + j);
      a0 = _mm256_fmadd_ps(_mm256_loadu_ps(r0 + j), xv, a0);
      a1 = _mm256_fmadd_ps(_mm256_loadu_ps(r1 + j), xv, a1);
      a2 = _mm256_fmadd_ps(_mm256_loadu_ps(r2 + j), xv, a2);
      a3 = _mm256_fmadd_ps(_mm256_loadu_ps(r3 + j), xv, a3);
    }
    float s0 = hsum(a0), s1 = hsum(a1), s2 = hsum(a2), s3 = hsum(a3);
    for (int64_t j = k8; j < k; ++j) {
      s0 += r0[j] * x[j], s1 += r1[j] * x[j], s2 += r2[j] * x[j], s3 += r3[j] * x[j];
    }
    y[i] += s0, y[i + 1] += s1, y[i + 2] += s2, y[i + 3] += s3;
  }
  for (; i < n; ++i) {
    const float* r = w + i * k;
    __m256 a = _mm256_setzero_ps();
    for (int64_t j = 0; j < k8; j += 8) a = _mm256_fmadd_ps(_mm256_loadu_ps(r + j), _mm256_loadu_ps(x + j), a);
    float s = hsum(a);
    for (int64_t j = k8; j < k; ++j) s += r[j] * x[j];
    y[i] += s;
  }
}

bool has_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}
#endif

}  // namespace

void gemv_rows_add(int64_t n, int64_t k, const float* w, const float* x, float* y) {
#ifdef EMBER_X86
  if (has_avx2()) return gemv_rows_avx2(n, k, w, x, y);
#endif
  gemv_rows_plain(n, k, w, x, y);
}

}  // namespace blas
}  // namespace ember
