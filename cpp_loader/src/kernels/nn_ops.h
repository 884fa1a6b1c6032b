// nn functions shared between kernel files (attention and the LSTM reuse them).
#pragma once

#include "ember/tensor.h"

namespace ember {
namespace nn {

// aten::dropout as a new tensor (a copy in eval mode).
Tensor dropout(const Tensor& x, double p, bool train);

// Layer norm over the last dim (w, b may be undefined), float32 or float64 x.
Tensor layer_norm_last(const Tensor& x, const Tensor& w, const Tensor& b, double eps);

// Softmax over the last dim of contiguous float rows, in place; a row whose every value is
// -inf gives zeros (attention's safe softmax).
void safe_softmax_rows(float* x, int64_t rows, int64_t n);
void safe_softmax_rows(double* x, int64_t rows, int64_t n);

}  // namespace nn
}  // namespace ember
