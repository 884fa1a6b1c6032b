// Matrix products on tensors, shared by the matmul/linear kernels, attention and the LSTM.
#pragma once

#include "ember/tensor.h"

namespace ember {
namespace nn {

// Result sizes of torch.matmul(a, b) after its rank and shape checks.
Dims matmul_sizes(const Tensor& a, const Tensor& b);
// a @ b into `out` (contiguous, matmul_sizes(a, b), a's dtype). Any strides.
void matmul_into(const Tensor& a, const Tensor& b, Tensor& out);
// matmul(a, b) as a new tensor.
Tensor matmul(const Tensor& a, const Tensor& b);

// x @ w.T + bias (bias may be undefined) into `out` (contiguous, x.sizes[:-1] + [w.size(0)]).
void linear_into(const Tensor& x, const Tensor& w, const Tensor& bias, Tensor& out);
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& bias);

// Float32 rows: out[m, n] = x[m, k] @ w[n, k]^T + bias[n] (bias may be null), all contiguous.
void linear_f32(const float* x, const float* w, const float* bias, float* out, int64_t m,
                int64_t n, int64_t k);

}  // namespace nn
}  // namespace ember
