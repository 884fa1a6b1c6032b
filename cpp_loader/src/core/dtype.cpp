// DType facts and torch.promote_types.
#include "ember/dtype.h"

namespace ember {

size_t itemsize(DType dtype) {
  switch (dtype) {
    case DType::Bool:
    case DType::UInt8:
    case DType::Int8:
      return 1;
    case DType::Int16:
    case DType::Float16:
    case DType::BFloat16:
      return 2;
    case DType::Int32:
    case DType::Float32:
    case DType::Complex32:
      return 4;
    case DType::Int64:
    case DType::Float64:
    case DType::Complex64:
      return 8;
    case DType::Complex128:
      return 16;
  }
  return 0;
}

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::UInt8: return "uint8";
    case DType::Int8: return "int8";
    case DType::Int16: return "int16";
    case DType::Int32: return "int32";
    case DType::Int64: return "int64";
    case DType::Float16: return "float16";
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Complex32: return "complex32";
    case DType::Complex64: return "complex64";
    case DType::Complex128: return "complex128";
    case DType::Bool: return "bool";
    case DType::BFloat16: return "bfloat16";
  }
  return "unknown";
}

bool is_valid_dtype(int64_t scalar_type) {
  return (scalar_type >= 0 && scalar_type <= 11) || scalar_type == 15;
}

bool is_floating(DType dtype) {
  return dtype == DType::Float16 || dtype == DType::BFloat16 || dtype == DType::Float32 ||
         dtype == DType::Float64;
}

bool is_complex(DType dtype) {
  return dtype == DType::Complex32 || dtype == DType::Complex64 || dtype == DType::Complex128;
}

bool is_integral(DType dtype, bool include_bool) {
  switch (dtype) {
    case DType::UInt8:
    case DType::Int8:
    case DType::Int16:
    case DType::Int32:
    case DType::Int64:
      return true;
    case DType::Bool:
      return include_bool;
    default:
      return false;
  }
}

namespace {

int category(DType d) {
  if (d == DType::Bool) return 0;
  if (is_integral(d, false)) return 1;
  if (is_floating(d)) return 2;
  return 3;
}

DType promote_integers(DType a, DType b) {
  if (a == DType::UInt8 || b == DType::UInt8) {
    DType other = a == DType::UInt8 ? b : a;
    return itemsize(other) > 1 ? other : DType::Int16;
  }
  return itemsize(a) > itemsize(b) ? a : b;
}

}  // namespace

DType promote_types(DType a, DType b) {
  if (a == b) return a;
  int ca = category(a), cb = category(b);
  if (ca != cb) {
    DType low = ca < cb ? a : b, high = ca < cb ? b : a;
    if (is_complex(high) && is_floating(low)) {
      if (low == DType::Float64) return DType::Complex128;
      if (high == DType::Complex32 && low != DType::Float16) return DType::Complex64;
    }
    return high;
  }
  if (ca == 3 || ca == 2) {
    if (ca == 2 && itemsize(a) == 2 && itemsize(b) == 2) return DType::Float32;  // f16 vs bf16
    return itemsize(a) > itemsize(b) ? a : b;
  }
  return promote_integers(a, b);
}

}  // namespace ember
