// Element types: torch's ScalarType numbers (TorchScript code passes dtypes as these ints).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ember {

enum class DType : int8_t {
  UInt8 = 0,
  Int8 = 1,
  Int16 = 2,
  Int32 = 3,
  Int64 = 4,
  Float16 = 5,
  Float32 = 6,
  Float64 = 7,
  Complex32 = 8,
  Complex64 = 9,
  Complex128 = 10,
  Bool = 11,
  BFloat16 = 15,
};

// Bytes per element; 0 for a number that is not a DType.
size_t itemsize(DType dtype);
// torch's name: "float32", "int64", "bool", ...
std::string_view dtype_name(DType dtype);
bool is_valid_dtype(int64_t scalar_type);
bool is_floating(DType dtype);  // Float16, BFloat16, Float32, Float64
bool is_complex(DType dtype);
bool is_integral(DType dtype, bool include_bool);

// torch.promote_types.
DType promote_types(DType a, DType b);

}  // namespace ember
