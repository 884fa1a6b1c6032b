// Switching on a DType to a C++ element type, torch-style:
//
//   EMBER_DISPATCH_ALL(t.dtype(), "aten::neg", [&] {
//     const scalar_t* x = t.data<scalar_t>();  // scalar_t is the element type
//     ...
//   });
//
// The lambda's result is the macro's result. A dtype outside the group throws
// Error(Runtime, "\"aten::neg\" not implemented for 'Bool'"), as torch says.
//
// Groups: ALL (bool, integers, float16, bfloat16, float32, float64), ALL_COMPLEX (ALL plus
// complex64/128), FLOATING (float16, bfloat16, float32, float64), INTEGRAL (integers without
// bool), INTEGRAL_BOOL, NUMERIC (ALL without bool), FLOAT32_64 (float32, float64).
//
// With templates instead of macros: visit_all(dtype, "op", [&](auto tag) {
//   using T = typename decltype(tag)::type; ... });
#pragma once

#include <complex>
#include <cstdint>
#include <string>

#include "core/convert.h"
#include "core/half.h"
#include "ember/dtype.h"
#include "ember/error.h"

namespace ember {

template <class T>
struct TypeTag {
  using type = T;
};

// The C++ element type of a dtype (ctype<DType::Float32> is float).
template <DType D> struct ctype_of;
template <> struct ctype_of<DType::Bool> { using type = bool; };
template <> struct ctype_of<DType::UInt8> { using type = uint8_t; };
template <> struct ctype_of<DType::Int8> { using type = int8_t; };
template <> struct ctype_of<DType::Int16> { using type = int16_t; };
template <> struct ctype_of<DType::Int32> { using type = int32_t; };
template <> struct ctype_of<DType::Int64> { using type = int64_t; };
template <> struct ctype_of<DType::Float16> { using type = Half; };
template <> struct ctype_of<DType::BFloat16> { using type = BFloat16; };
template <> struct ctype_of<DType::Float32> { using type = float; };
template <> struct ctype_of<DType::Float64> { using type = double; };
template <> struct ctype_of<DType::Complex64> { using type = std::complex<float>; };
template <> struct ctype_of<DType::Complex128> { using type = std::complex<double>; };
template <DType D>
using ctype = typename ctype_of<D>::type;

// The DType of a C++ element type (dtype_of<float>() is Float32).
template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<bool>() { return DType::Bool; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::UInt8; }
template <> constexpr DType dtype_of<int8_t>() { return DType::Int8; }
template <> constexpr DType dtype_of<int16_t>() { return DType::Int16; }
template <> constexpr DType dtype_of<int32_t>() { return DType::Int32; }
template <> constexpr DType dtype_of<int64_t>() { return DType::Int64; }
template <> constexpr DType dtype_of<Half>() { return DType::Float16; }
template <> constexpr DType dtype_of<BFloat16>() { return DType::BFloat16; }
template <> constexpr DType dtype_of<float>() { return DType::Float32; }
template <> constexpr DType dtype_of<double>() { return DType::Float64; }
template <> constexpr DType dtype_of<std::complex<float>>() { return DType::Complex64; }
template <> constexpr DType dtype_of<std::complex<double>>() { return DType::Complex128; }

// torch's C++ ScalarType name ("Float", "Long", "Bool"), as its kernel errors spell it.
const char* dtype_cpp_name(DType dtype);
// The C++ element type torch prints in some messages ("float", "long int", "c10::Half").
const char* dtype_c_name(DType dtype);

[[noreturn]] void throw_not_implemented(const char* op, DType dtype);

}  // namespace ember

#define EMBER_DTYPE_CASE(ENUM, CTYPE, ...) \
  case ::ember::DType::ENUM: {             \
    using scalar_t [[maybe_unused]] = CTYPE; \
    return __VA_ARGS__();                  \
  }

#define EMBER_CASES_INTEGRAL(...)                      \
  EMBER_DTYPE_CASE(UInt8, uint8_t, __VA_ARGS__)        \
  EMBER_DTYPE_CASE(Int8, int8_t, __VA_ARGS__)          \
  EMBER_DTYPE_CASE(Int16, int16_t, __VA_ARGS__)        \
  EMBER_DTYPE_CASE(Int32, int32_t, __VA_ARGS__)        \
  EMBER_DTYPE_CASE(Int64, int64_t, __VA_ARGS__)

#define EMBER_CASES_FLOATING(...)                           \
  EMBER_DTYPE_CASE(Float16, ::ember::Half, __VA_ARGS__)     \
  EMBER_DTYPE_CASE(BFloat16, ::ember::BFloat16, __VA_ARGS__) \
  EMBER_DTYPE_CASE(Float32, float, __VA_ARGS__)             \
  EMBER_DTYPE_CASE(Float64, double, __VA_ARGS__)

#define EMBER_CASES_COMPLEX(...)                                   \
  EMBER_DTYPE_CASE(Complex64, std::complex<float>, __VA_ARGS__)   \
  EMBER_DTYPE_CASE(Complex128, std::complex<double>, __VA_ARGS__)

#define EMBER_DISPATCH_SWITCH(DTYPE, OP, CASES)               \
  [&] {                                                       \
    const ::ember::DType ember_dispatch_dtype_ = (DTYPE);     \
    switch (ember_dispatch_dtype_) {                          \
      CASES                                                   \
      default:                                                \
        ::ember::throw_not_implemented(OP, ember_dispatch_dtype_); \
    }                                                         \
  }()

#define EMBER_DISPATCH_ALL(DTYPE, OP, ...)                                        \
  EMBER_DISPATCH_SWITCH(DTYPE, OP,                                                \
                        EMBER_DTYPE_CASE(Bool, bool, __VA_ARGS__)                 \
                        EMBER_CASES_INTEGRAL(__VA_ARGS__)                         \
                        EMBER_CASES_FLOATING(__VA_ARGS__))

#define EMBER_DISPATCH_ALL_COMPLEX(DTYPE, OP, ...)                                \
  EMBER_DISPATCH_SWITCH(DTYPE, OP,                                                \
                        EMBER_DTYPE_CASE(Bool, bool, __VA_ARGS__)                 \
                        EMBER_CASES_INTEGRAL(__VA_ARGS__)                         \
                        EMBER_CASES_FLOATING(__VA_ARGS__)                         \
                        EMBER_CASES_COMPLEX(__VA_ARGS__))

#define EMBER_DISPATCH_NUMERIC(DTYPE, OP, ...) \
  EMBER_DISPATCH_SWITCH(DTYPE, OP, EMBER_CASES_INTEGRAL(__VA_ARGS__) EMBER_CASES_FLOATING(__VA_ARGS__))

#define EMBER_DISPATCH_FLOATING(DTYPE, OP, ...) \
  EMBER_DISPATCH_SWITCH(DTYPE, OP, EMBER_CASES_FLOATING(__VA_ARGS__))

#define EMBER_DISPATCH_FLOAT32_64(DTYPE, OP, ...)         \
  EMBER_DISPATCH_SWITCH(DTYPE, OP,                        \
                        EMBER_DTYPE_CASE(Float32, float, __VA_ARGS__) \
                        EMBER_DTYPE_CASE(Float64, double, __VA_ARGS__))

#define EMBER_DISPATCH_INTEGRAL(DTYPE, OP, ...) \
  EMBER_DISPATCH_SWITCH(DTYPE, OP, EMBER_CASES_INTEGRAL(__VA_ARGS__))

#define EMBER_DISPATCH_INTEGRAL_BOOL(DTYPE, OP, ...) \
  EMBER_DISPATCH_SWITCH(DTYPE, OP,                   \
                        EMBER_DTYPE_CASE(Bool, bool, __VA_ARGS__) EMBER_CASES_INTEGRAL(__VA_ARGS__))

namespace ember {

// Template forms: f(TypeTag<T>{}) for the element type T of `dtype`.
template <class F>
decltype(auto) visit_all(DType dtype, const char* op, F&& f) {
  return EMBER_DISPATCH_ALL(dtype, op, [&] { return f(TypeTag<scalar_t>{}); });
}
template <class F>
decltype(auto) visit_all_complex(DType dtype, const char* op, F&& f) {
  return EMBER_DISPATCH_ALL_COMPLEX(dtype, op, [&] { return f(TypeTag<scalar_t>{}); });
}
template <class F>
decltype(auto) visit_floating(DType dtype, const char* op, F&& f) {
  return EMBER_DISPATCH_FLOATING(dtype, op, [&] { return f(TypeTag<scalar_t>{}); });
}
template <class F>
decltype(auto) visit_numeric(DType dtype, const char* op, F&& f) {
  return EMBER_DISPATCH_NUMERIC(dtype, op, [&] { return f(TypeTag<scalar_t>{}); });
}

}  // namespace ember
