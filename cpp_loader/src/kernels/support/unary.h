// Unary kernels' shared driver: one tensor in, one result (or in place).
#pragma once

#include <string>

#include "kernels/support/apply.h"

namespace ember {
namespace elem {

// Runs `f` (a generic lambda of one T) over input 0 into a result of dtype `rt`
// computed in the types of `Set`; in place writes into input 0.
template <unsigned Set, class F>
inline void unary_op(Call& c, bool inplace, DType rt, const char* kernel, F f) {
  Arg a = arg(c.in(0), kernel);
  if (!a.is_tensor()) fail(std::string(kernel) + ": expected a Tensor");
  const Tensor& t = *a.tensor;
  Tensor dst = inplace ? in_place(c, t, rt, t.sizes()) : out_of_place(c, t.sizes(), rt);
  dispatch<Set>(compute_dtype(rt), kernel, [&](auto tag) {
    using T = typename decltype(tag)::type;
    unary<T, T>(dst, a, [&f](T x) { return static_cast<T>(f(x)); });
  });
}

// The dtype of a floating function of `d` (integers and bool give float32).
inline DType float_result(DType d) {
  if (is_complex(d)) not_implemented("the C++ runtime's unary kernels", d);
  return category(d) < 2 ? DType::Float32 : d;
}

inline const Tensor& self_tensor(const Call& c) { return c.in(0).to_tensor(); }

}  // namespace elem
}  // namespace ember
