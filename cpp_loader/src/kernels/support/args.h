// Arguments of elementwise kernels: a tensor or a Python number, PyTorch's type
// promotion over them, broadcasting, and reading schema arguments (dims, optional
// scalars, dtypes) from a Call.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/convert.h"
#include "core/iter.h"
#include "ember/value.h"
#include "kernels/support/types.h"
#include "runtime/kernel.h"

namespace ember {
namespace elem {

// One operand: a tensor (dimensioned or 0-d) or a number (a TorchScript Scalar).
struct Arg {
  enum Kind : uint8_t { kTensor, kBool, kInt, kDouble };
  Kind kind = kInt;
  const Tensor* tensor = nullptr;
  int64_t i = 0;
  double d = 0;

  bool is_tensor() const { return kind == kTensor; }
  bool is_scalar() const { return kind != kTensor; }
  // The dtype a number has on its own (bool, int64, float32) or the tensor's.
  DType dtype() const;
  // A dimensioned tensor (ndim > 0).
  bool has_dims() const { return kind == kTensor && tensor->dim() > 0; }
};

// `v` as an operand (a Tensor, bool, int or float; anything else throws naming `op`).
Arg arg(const Value& v, const char* op);
Arg number_arg(double d);
Arg number_arg(int64_t i);

// PyTorch's result_type: dimensioned tensors over 0-d tensors over numbers, unless a
// lower class has a higher category (bool < integer < floating).
DType result_type(std::initializer_list<const Arg*> args);
// The broadcast shape of the tensor operands (numbers take no part).
Dims broadcast_shape(std::initializer_list<const Arg*> args);

// Category of a number kind: bool 0, int 1, float 2.
int scalar_category(const Arg& a);

// The one element of a tensor as an Arg number (bool, int64 or double).
Arg element_arg(const Tensor& t);

// In-place targets: PyTorch's checks that a result of `result` dtype and `shape` may be
// written into `self`.
void check_writable(const Tensor& self, DType result, const Dims& shape, bool c_names = false);

// PyTorch's refusal of a number `d` cannot hold ("value cannot be converted to type
// uint8_t without overflow"), as kernels that convert a Scalar argument check it.
void scalar_fits(const Arg& value, DType d);

// "[2, 3]"
std::string shape_str(const Dims& d);

// Dimension helpers.
int64_t wrap_dim(int64_t dim, int64_t ndim);
// A reduction's dims: None or [] -> all; wraps and checks duplicates. Fills `reduce`
// (one flag per dim).
void reduce_dims(const Value& dims, int64_t ndim, bool* reduce);

// Schema helpers.
inline bool is_none(const Value& v) { return v.is_none(); }
// A ScalarType argument (an int) as a DType, or `fallback` when None.
DType dtype_arg(const Value& v, DType fallback);

// A number converted for a loop computing in T, as torch converts elements.
template <class T>
T scalar_as(const Arg& a) {
  return a.kind == Arg::kDouble ? convert<T>(a.d) : convert<T>(a.i);
}

}  // namespace elem
}  // namespace ember
