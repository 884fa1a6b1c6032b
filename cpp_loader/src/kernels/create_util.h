// Shared by the creation kernels (create.cpp, create_range.cpp).
#pragma once

#include <string>

#include "core/dispatch.h"
#include "core/scalar.h"
#include "kernels/shape_util.h"

namespace ember {
namespace create {

// A `SymInt[] size` argument; negative sizes throw torch's error.
Dims sizes_arg(const Value& v);

// Refuses a Scalar that `dtype` cannot hold, as torch's Scalar conversions do
// ("value cannot be converted to type uint8_t without overflow").
void scalar_fits(const Value& v, DType dtype);

// `value` converted to out's dtype in every element of the contiguous `out`.
inline void fill(const Tensor& out, const Value& value) {
  const int64_t n = out.numel();
  if (n == 0) return;
  EMBER_DISPATCH_ALL_COMPLEX(out.dtype(), "fill_", [&] {
    scalar_t v = scalar_as<scalar_t>(value);
    scalar_t* p = static_cast<scalar_t*>(out.data_ptr());
    for (int64_t i = 0; i < n; ++i) p[i] = v;
  });
}

}  // namespace create
}  // namespace ember
