// float32 exp, tanh, sigmoid and erf written so loops over them vectorise (no calls, no
// branches: both sides of a choice are computed and one selected). Accuracy: exp within
// 1-2 ulp (Cody-Waite reduction and the Cephes expf polynomial, scaled in two steps so
// results in the subnormal range stay right), tanh and erf within a few ulp; ember's
// Python float32 kernels and torch's agree with these to well under 1e-5 relative.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if defined(__GNUC__)
#define EMBER_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define EMBER_ALWAYS_INLINE inline
#endif

namespace ember {
namespace elem {

EMBER_ALWAYS_INLINE float bits_to_float(int32_t i) {
  float f;
  std::memcpy(&f, &i, sizeof f);
  return f;
}
EMBER_ALWAYS_INLINE int32_t float_to_bits(float f) {
  int32_t i;
  std::memcpy(&i, &f, sizeof i);
  return i;
}

// c ? a : b without a branch (the compiler will not if-convert float selects itself
// while floating-point traps are observable).
EMBER_ALWAYS_INLINE float select(bool c, float a, float b) {
  int32_t m = -static_cast<int32_t>(c);
  return bits_to_float((m & float_to_bits(a)) | (~m & float_to_bits(b)));
}
// min(max(x, lo), hi); NaN stays NaN.
EMBER_ALWAYS_INLINE float clip(float x, float lo, float hi) {
  x = select(x < lo, lo, x);
  return select(x > hi, hi, x);
}

EMBER_ALWAYS_INLINE float exp_f32(float x) {
  const float magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  float xc = clip(x, -104.0f, 89.0f);
  float kf = xc * 1.44269504088896341f + magic;
  int32_t k = float_to_bits(kf) - float_to_bits(magic);
  kf -= magic;
  float r = xc - kf * 0.693359375f;
  r = r - kf * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float y = p * r * r + r + 1.0f;
  int32_t k1 = k >> 1, k2 = k - k1;  // both in [-75, 64]: normal scale factors
  return y * bits_to_float((k1 + 127) << 23) * bits_to_float((k2 + 127) << 23);
}

EMBER_ALWAYS_INLINE float tanh_f32(float x) {
  float a = std::fabs(x);
  float z = x * x;
  float near = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z +
                 1.33314422036e-1f) * z - 3.33332819422e-1f) * z * x + x;
  float far = 1.0f - 2.0f / (exp_f32(2.0f * a) + 1.0f);
  far = std::copysign(far, x);
  return select(a < 0.625f, near, far);
}

EMBER_ALWAYS_INLINE float sigmoid_f32(float x) { return 1.0f / (1.0f + exp_f32(-x)); }

// erf with the fits of ember's Python float32 erf (src/ember/ops/kernels/erf32.py):
// |x| < 1: x * P(x^2); 1 <= |x| < 4: sign(x) * (1 - exp(-x^2) * Q(1/|x| - 0.625)); else +-1.
EMBER_ALWAYS_INLINE float erf_f32(float x) {
  float a = std::fabs(x);
  float c = clip(x, -1.0f, 1.0f);
  float t = c * c;
  float near = 8.006874067938171e-05f;
  near = near * t - 0.0008053751099110395f;
  near = near * t + 0.0051929578653704895f;
  near = near * t - 0.026856069567831816f;
  near = near * t + 0.11283634634319561f;
  near = near * t - 0.37612629767094236f;
  near = near * t + 1.1283791662326472f;
  near *= c;
  float m = clip(a, 1.0f, 4.0f);
  float u = 1.0f / m - 0.625f;
  float q = -0.03681724865734193f;
  q = q * u + 0.02539108341727474f;
  q = q * u + 0.005775381157449301f;
  q = q * u - 0.026740435982005213f;
  q = q * u + 0.043087917735082734f;
  q = q * u - 0.046960189153651834f;
  q = q * u + 0.023336790657854115f;
  q = q * u + 0.04376753449794672f;
  q = q * u - 0.17239486909745247f;
  q = q * u + 0.38228376625062355f;
  q = q * u + 0.3059529925871624f;
  float far = std::copysign(1.0f - exp_f32(-(m * m)) * q, x);
  return select(a < 1.0f, near, far);
}

// The float32 versions above for float, the C library's for double.
template <class T>
EMBER_ALWAYS_INLINE T exp_of(T x) {
  if constexpr (std::is_same<T, float>::value) return exp_f32(x);
  else return std::exp(x);
}
template <class T>
EMBER_ALWAYS_INLINE T tanh_of(T x) {
  if constexpr (std::is_same<T, float>::value) return tanh_f32(x);
  else return std::tanh(x);
}
template <class T>
EMBER_ALWAYS_INLINE T erf_of(T x) {
  if constexpr (std::is_same<T, float>::value) return erf_f32(x);
  else return std::erf(x);
}
template <class T>
EMBER_ALWAYS_INLINE T sigmoid_of(T x) {
  return T(1) / (T(1) + exp_of(-x));
}

}  // namespace elem
}  // namespace ember
