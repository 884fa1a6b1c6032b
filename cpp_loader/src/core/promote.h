// torch.result_type over tensors and Python scalars (mirrors ember.dtypes.result_type).
//
// Tensors with dimensions win over 0-d tensors, which win over Python scalars, unless the
// lower class has a higher category (bool < integer < floating < complex): int tensor +
// 2.5 is float32 (the default dtype), uint8 tensor + int64 0-d tensor is uint8.
//
//   DType r = result_type(a, b);                 // two tensors
//   DType r = result_type(a, call.in(1));        // tensor and Scalar Value
//   ResultType rt; rt.add(a); rt.add(b); rt.add(value); DType r = rt.get();
#pragma once

#include "ember/dtype.h"
#include "ember/tensor.h"
#include "ember/value.h"

namespace ember {

// The dtype a Python scalar gets on its own: bool, int64, float32 (the default), complex64.
DType scalar_dtype(const Value& scalar);

class ResultType {
 public:
  void add(const Tensor& t) { add(t.dtype(), t.dim() == 0); }
  void add(DType dtype, bool zero_dim);
  // A Tensor or a scalar (Bool, Int, Double, Complex); other values throw.
  void add(const Value& v);
  void add_scalar_dtype(DType dtype);  // a Python scalar already mapped to its dtype
  DType get() const;  // throws when nothing was added

 private:
  static constexpr int kNone = -1;
  int dims_ = kNone, zeros_ = kNone, wrapped_ = kNone;  // DType numbers or kNone
};

DType result_type(const Tensor& a, const Tensor& b);
DType result_type(const Tensor& a, const Value& b);
DType result_type(const Value& a, const Value& b);

}  // namespace ember
