// Element conversions as torch performs them: float -> integer truncates toward zero and
// wraps (300.0 -> int8 44, -1.0 -> uint8 255); anything -> bool is `!= 0`.
#pragma once

#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "core/half.h"

namespace ember {

template <class T>
struct is_complex_t : std::false_type {};
template <class T>
struct is_complex_t<std::complex<T>> : std::true_type {};

// Floating values (incl. Half/BFloat16) as the widest float type that holds them.
template <class T>
using float_compute_t =
    std::conditional_t<std::is_same<T, double>::value, double, float>;

namespace detail {

// x86 semantics: out-of-range or NaN gives the most negative value, then wraps.
inline int64_t float_to_int64(double v) {
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(v);
}
inline int32_t float_to_int32(double v) {
  if (!(v > -2147483649.0 && v < 2147483648.0)) return INT32_MIN;
  return static_cast<int32_t>(v);
}

template <class To>
To float_to_integral(double v) {
  if (sizeof(To) == 8) return static_cast<To>(float_to_int64(v));
  return static_cast<To>(float_to_int32(v));
}

}  // namespace detail

// convert<To>(from): one element of one dtype as another.
template <class To, class From>
inline To convert(From v) {
  if constexpr (std::is_same<To, From>::value) {
    return v;
  } else if constexpr (is_complex_t<From>::value) {
    if constexpr (is_complex_t<To>::value) {
      return To(static_cast<typename To::value_type>(v.real()),
                static_cast<typename To::value_type>(v.imag()));
    } else if constexpr (std::is_same<To, bool>::value) {
      return v.real() != 0 || v.imag() != 0;
    } else {
      return convert<To>(v.real());
    }
  } else if constexpr (is_complex_t<To>::value) {
    using R = typename To::value_type;
    return To(convert<R>(v), R(0));
  } else if constexpr (std::is_same<To, bool>::value) {
    return static_cast<float_compute_t<From>>(v) != 0;
  } else if constexpr (std::is_integral<To>::value &&
                       !std::is_integral<From>::value) {
    return detail::float_to_integral<To>(static_cast<double>(static_cast<float_compute_t<From>>(v)));
  } else if constexpr (std::is_same<To, Half>::value || std::is_same<To, BFloat16>::value) {
    return To(static_cast<float>(v));  // double rounds through float, as torch does
  } else if constexpr (std::is_same<From, Half>::value || std::is_same<From, BFloat16>::value) {
    return static_cast<To>(static_cast<float>(v));
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace ember
