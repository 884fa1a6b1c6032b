// Element types of the elementwise kernels: DType <-> C++ type, and dispatch over a set.
//
// float16 and bfloat16 never reach a loop: kernels compute them in float32 and round
// once at the end (as PyTorch's CPU kernels and ember's Python kernels do), so the
// loops are instantiated for bool, the integers, float32 and float64 only.
//
//   dispatch<kAll>(dtype, "add", [&](auto tag) { using T = typename decltype(tag)::type; ... });
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>

#include "core/dispatch.h"
#include "ember/dtype.h"
#include "ember/error.h"

namespace ember {
namespace elem {

// Sets of dtypes a kernel instantiates (bit per loop type).
enum : unsigned {
  kBool = 1u << 0,
  kUInt8 = 1u << 1,
  kInt8 = 1u << 2,
  kInt16 = 1u << 3,
  kInt32 = 1u << 4,
  kInt64 = 1u << 5,
  kFloat = 1u << 6,
  kDouble = 1u << 7,
  kInts = kUInt8 | kInt8 | kInt16 | kInt32 | kInt64,
  kFloats = kFloat | kDouble,
  kNumbers = kInts | kFloats,
  kAll = kBool | kNumbers,
};

// PyTorch's C++ name of a dtype ("Float", "Long", ...), as its error messages print it.
inline const char* cpp_name(DType d) { return dtype_cpp_name(d); }
// The C++ element type PyTorch prints in some messages ("float", "long int").
inline const char* c_type_name(DType d) { return dtype_c_name(d); }
// NotImplementedError-style message: "kernel" not implemented for 'Float'.
[[noreturn]] void not_implemented(const char* kernel, DType d);
[[noreturn]] void fail(const std::string& message);

inline bool is_low_float(DType d) { return d == DType::Float16 || d == DType::BFloat16; }
// The dtype a loop computes `d` in (float32 for float16/bfloat16).
inline DType compute_dtype(DType d) { return is_low_float(d) ? DType::Float32 : d; }
// 0 bool, 1 integer, 2 floating, 3 complex: the categories of type promotion.
int category(DType d);

template <unsigned Set, class F>
decltype(auto) dispatch(DType d, const char* kernel, F&& f) {
  switch (d) {
    case DType::Bool:
      if constexpr ((Set & kBool) != 0) return f(TypeTag<bool>{});
      break;
    case DType::UInt8:
      if constexpr ((Set & kUInt8) != 0) return f(TypeTag<uint8_t>{});
      break;
    case DType::Int8:
      if constexpr ((Set & kInt8) != 0) return f(TypeTag<int8_t>{});
      break;
    case DType::Int16:
      if constexpr ((Set & kInt16) != 0) return f(TypeTag<int16_t>{});
      break;
    case DType::Int32:
      if constexpr ((Set & kInt32) != 0) return f(TypeTag<int32_t>{});
      break;
    case DType::Int64:
      if constexpr ((Set & kInt64) != 0) return f(TypeTag<int64_t>{});
      break;
    case DType::Float32:
      if constexpr ((Set & kFloat) != 0) return f(TypeTag<float>{});
      break;
    case DType::Float64:
      if constexpr ((Set & kDouble) != 0) return f(TypeTag<double>{});
      break;
    default:
      break;
  }
  not_implemented(kernel, d);
}

}  // namespace elem
}  // namespace ember
