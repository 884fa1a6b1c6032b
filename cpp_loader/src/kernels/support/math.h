// Scalar arithmetic with numpy's and PyTorch's rules: integer wraparound, Python-style
// floor division and remainder, NaN-propagating max/min.
#pragma once

#include <cmath>
#include <limits>
#include <type_traits>

namespace ember {
namespace elem {

template <class T>
constexpr bool is_int = std::is_integral<T>::value && !std::is_same<T, bool>::value;

template <class T>
using Wide = std::conditional_t<is_int<T>, std::make_unsigned_t<std::conditional_t<is_int<T>, T, int>>, T>;

// + - * that wrap on overflow for integers (bool: nonzero is true).
template <class T>
inline T wadd(T a, T b) {
  if constexpr (is_int<T>) return static_cast<T>(static_cast<Wide<T>>(a) + static_cast<Wide<T>>(b));
  else if constexpr (std::is_same<T, bool>::value) return a || b;
  else return a + b;
}
template <class T>
inline T wsub(T a, T b) {
  if constexpr (is_int<T>) return static_cast<T>(static_cast<Wide<T>>(a) - static_cast<Wide<T>>(b));
  else return a - b;
}
template <class T>
inline T wmul(T a, T b) {
  if constexpr (is_int<T>) return static_cast<T>(static_cast<Wide<T>>(a) * static_cast<Wide<T>>(b));
  else if constexpr (std::is_same<T, bool>::value) return a && b;
  else return a * b;
}
template <class T>
inline T wneg(T a) {
  if constexpr (is_int<T>) return static_cast<T>(Wide<T>(0) - static_cast<Wide<T>>(a));
  else return -a;
}

// Integer division helpers; b must not be 0.
template <class T>
inline T int_trunc_div(T a, T b) {
  if constexpr (std::is_signed<T>::value) {
    if (b == -1) return wneg(a);
  }
  return static_cast<T>(a / b);
}
template <class T>
inline T int_floor_div(T a, T b) {
  if constexpr (std::is_signed<T>::value) {
    if (b == -1) return wneg(a);
    T q = static_cast<T>(a / b);
    if (static_cast<T>(a % b) != 0 && ((a < 0) != (b < 0))) --q;
    return q;
  } else {
    return static_cast<T>(a / b);
  }
}
template <class T>
inline T int_remainder(T a, T b) {
  if constexpr (std::is_signed<T>::value) {
    if (b == -1) return 0;
    T r = static_cast<T>(a % b);
    if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
    return r;
  } else {
    return static_cast<T>(a % b);
  }
}
template <class T>
inline T int_fmod(T a, T b) {
  if constexpr (std::is_signed<T>::value) {
    if (b == -1) return 0;
  }
  return static_cast<T>(a % b);
}

// numpy's npy_divmod for floats: the floor quotient and the remainder with b's sign.
template <class T>
inline T float_floor_div(T a, T b) {
  if (b == 0) return a / b;
  T mod = std::fmod(a, b);
  T div = (a - mod) / b;
  if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1;
  if (div == 0) return std::copysign(T(0), a / b);
  T fl = std::floor(div);
  if (div - fl > T(0.5)) fl += 1;
  return fl;
}
template <class T>
inline T float_remainder(T a, T b) {
  T mod = std::fmod(a, b);
  if (b == 0) return mod;
  if (mod != 0) {
    if ((b < 0) != (mod < 0)) mod += b;
  } else {
    mod = std::copysign(T(0), b);
  }
  return mod;
}

// Integer power by squaring (wrapping); negative exponents as numpy's fix-up does.
template <class T>
inline T int_pow(T base, T exp) {
  if constexpr (std::is_signed<T>::value) {
    if (exp < 0) {
      if (base == 1) return 1;
      if (base == -1) return (exp % 2 == 0) ? 1 : -1;
      return 0;
    }
  }
  T result = 1;
  using U = std::make_unsigned_t<T>;
  U e = static_cast<U>(exp);
  while (e) {
    if (e & 1) result = wmul(result, base);
    base = wmul(base, base);
    e >>= 1;
  }
  return result;
}

// Max/min keeping a on ties (torch), NaN from either side.
template <class T>
inline T nan_max(T a, T b) {
  if constexpr (std::is_floating_point<T>::value) {
    if (a != a) return a;
    if (b != b) return b;
  }
  return a < b ? b : a;
}
template <class T>
inline T nan_min(T a, T b) {
  if constexpr (std::is_floating_point<T>::value) {
    if (a != a) return a;
    if (b != b) return b;
  }
  return b < a ? b : a;
}

}  // namespace elem
}  // namespace ember
