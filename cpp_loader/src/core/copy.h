// Element copies between tensors of any two dtypes, converting as convert<To>(from) does.
#pragma once

#include "ember/tensor.h"

namespace ember {

// dst's elements = src's (broadcast to dst's shape, converted to dst's dtype). The two
// must not overlap unless they are the same view.
void copy_elements(const Tensor& dst, const Tensor& src);

}  // namespace ember
