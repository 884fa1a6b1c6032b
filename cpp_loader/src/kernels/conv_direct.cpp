// The direct convolution (conv_direct.h): the loops of conv_direct_body.inc compiled for
// AVX-512 (16 lanes, tiles of 32 columns) and for AVX2+FMA (8 lanes, tiles of 8), chosen
// once by the CPU.
#include "kernels/conv_direct.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "kernels/nn_common.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define EMBER_DIRECT_CONV 1
#endif

namespace ember {
namespace nn {

#ifdef EMBER_DIRECT_CONV

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
#endif
namespace avx512 {
using V = __m512;
constexpr int L = 16, NV = 2;
inline V vzero() { return _mm512_setzero_ps(); }
inline V vset1(float x) { return _mm512_set1_ps(x); }
inline V vload(const float* p) { return _mm512_loadu_ps(p); }
inline V vfma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
// max(lo, x) then min(hi, x): x itself when NaN (as torch's relu and hardtanh keep it).
inline V vclamp(V x, V lo, V hi) { return _mm512_min_ps(hi, _mm512_max_ps(lo, x)); }
inline void vstore_n(float* p, V v, int n) {
  if (n == L) _mm512_storeu_ps(p, v);
  else _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1), v);
}
#include "kernels/conv_direct_body.inc"
}  // namespace avx512
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
namespace avx2 {
using V = __m256;
constexpr int L = 8, NV = 1;
inline V vzero() { return _mm256_setzero_ps(); }
inline V vset1(float x) { return _mm256_set1_ps(x); }
inline V vload(const float* p) { return _mm256_loadu_ps(p); }
inline V vfma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
inline V vclamp(V x, V lo, V hi) { return _mm256_min_ps(hi, _mm256_max_ps(lo, x)); }
inline void vstore_n(float* p, V v, int n) {
  if (n == L) return _mm256_storeu_ps(p, v);
  __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  _mm256_maskstore_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lanes), v);
}
#include "kernels/conv_direct_body.inc"
}  // namespace avx2
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#endif  // EMBER_DIRECT_CONV

namespace {

enum class Isa { None, Avx2, Avx512 };

Isa detect() {
#ifdef EMBER_DIRECT_CONV
  Isa best = Isa::None;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) best = Isa::Avx2;
  if (best == Isa::Avx2 && __builtin_cpu_supports("avx512f")) best = Isa::Avx512;
  const char* cap = std::getenv("EMBER_ISA");
  if (cap && std::string(cap) == "none") return Isa::None;
  if (cap && std::string(cap) == "avx2" && best == Isa::Avx512) return Isa::Avx2;
  return best;
#else
  return Isa::None;
#endif
}

Isa isa() {
  static const Isa chosen = detect();
  return chosen;
}

}  // namespace

bool direct_conv_fits(const ConvGeom& g) {
  Isa i = isa();
  if (i == Isa::None || g.groups != 1 || g.sh != 1 || g.sw != 1 || g.dh != 1 || g.dw != 1) {
    return false;
  }
  int64_t lanes = i == Isa::Avx512 ? 16 : 8;
  // Narrow rows waste lanes; wide reductions stream the weights from L2 for every row.
  return g.ow >= lanes && g.c * g.kh * g.kw <= 1152;
}

int64_t packed_conv_numel(int64_t o, int64_t per_output) {
  return (o + kConvBlock - 1) / kConvBlock * kConvBlock * per_output;
}

Tensor pack_conv_weight(const Tensor& w) {
  int64_t o = w.size(0), per = w.numel() / std::max<int64_t>(o, 1);
  Tensor packed = Tensor::zeros(Dims{packed_conv_numel(o, per)}, DType::Float32);
  const float* src = w.data<float>();
  float* dst = packed.data<float>();
  for (int64_t oc = 0; oc < o; ++oc) {
    float* block = dst + (oc / kConvBlock) * per * kConvBlock + oc % kConvBlock;
    for (int64_t t = 0; t < per; ++t) block[t * kConvBlock] = src[oc * per + t];
  }
  return packed;
}

void conv2d_direct(const float* x, const float* packed, const float* bias, float* out,
                   const ConvGeom& g, float lo, float hi) {
#ifdef EMBER_DIRECT_CONV
  if (isa() == Isa::Avx512) return avx512::run(x, packed, bias, out, g, lo, hi);
  if (isa() == Isa::Avx2) return avx2::run(x, packed, bias, out, g, lo, hi);
#endif
  fail("conv2d_direct: no vector unit for the direct convolution");
}

}  // namespace nn
}  // namespace ember
