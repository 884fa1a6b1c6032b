// aten::linear, matmul, mm, bmm. linear on contiguous float32 rows is one sgemv/sgemm with
// the bias preloaded into the output (beta = 1): nothing is allocated but the output.
#include <cstring>

#include "kernels/blas.h"
#include "kernels/blas_ops.h"
#include "kernels/nn_fused.h"
#include "kernels/nn_common.h"

namespace ember {
namespace nn {

// Weights up to this many elements (256 KB) go through blas::gemv_rows_add at small batch.
constexpr int64_t kSmallWeights = 1 << 16;

void linear_f32(const float* x, const float* w, const float* bias, float* out, int64_t m,
                int64_t n, int64_t k) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int64_t i = 0; i < m; ++i) {
      if (bias) std::memcpy(out + i * n, bias, n * sizeof(float));
      else std::memset(out + i * n, 0, n * sizeof(float));
    }
    return;
  }
  float beta = 0.f;
  if (bias) {
    for (int64_t i = 0; i < m; ++i) std::memcpy(out + i * n, bias, n * sizeof(float));
    beta = 1.f;
  }
  if (m <= 4 && n * k <= kSmallWeights) {
    if (!bias) std::memset(out, 0, m * n * sizeof(float));
    for (int64_t i = 0; i < m; ++i) blas::gemv_rows_add(n, k, w, x + i * k, out + i * n);
    return;
  }
  if (m == 1) {
    blas::sgemv(false, n, k, 1.f, w, k, x, 1, beta, out, 1);
  } else {
    blas::sgemm(false, true, m, n, k, 1.f, x, k, w, k, beta, out, n);
  }
}

namespace {

// out (contiguous, sizes `os`) += bias broadcast from the right.
template <class T>
void add_broadcast(T* out, const Dims& os, const Tensor& bias_t) {
  const T* bias = bias_t.data<T>();
  size_t nd = os.size(), bd = bias_t.dim();
  Dims bs(nd, 0);
  for (size_t i = 0; i < bd; ++i) {
    int64_t size = bias_t.size(i), od = os[nd - bd + i];
    if (size != od && size != 1)
      fail("The size of tensor a (" + std::to_string(od) + ") must match the size of tensor b (" +
           std::to_string(size) + ") at non-singleton dimension " + std::to_string(nd - bd + i));
    bs[nd - bd + i] = size == 1 ? 0 : bias_t.stride(i);
  }
  int64_t count = 1;
  for (int64_t s : os) count *= s;
  if (count == 0) return;
  int64_t inner = nd ? os[nd - 1] : 1, inner_stride = nd ? bs[nd - 1] : 0;
  Dims index(nd, 0);
  const T* b = bias;
  for (int64_t i = 0; i < count; i += inner) {
    for (int64_t j = 0; j < inner; ++j) out[i + j] += b[j * inner_stride];
    for (int64_t d = static_cast<int64_t>(nd) - 2; d >= 0; --d) {
      b += bs[d];
      if (++index[d] < os[d]) break;
      b -= bs[d] * os[d];
      index[d] = 0;
    }
  }
}

void add_bias(Tensor& out, const Tensor& bias) {
  Tensor b = bias.dtype() == out.dtype() ? bias : bias.to(out.dtype());
  switch (out.dtype()) {
    case DType::Float32: return add_broadcast(out.data<float>(), out.sizes(), b);
    case DType::Float64: return add_broadcast(out.data<double>(), out.sizes(), b);
    case DType::Int64: return add_broadcast(out.data<int64_t>(), out.sizes(), b);
    case DType::Int32: return add_broadcast(out.data<int32_t>(), out.sizes(), b);
    case DType::Int16: return add_broadcast(out.data<int16_t>(), out.sizes(), b);
    case DType::Int8: return add_broadcast(out.data<int8_t>(), out.sizes(), b);
    case DType::UInt8: return add_broadcast(out.data<uint8_t>(), out.sizes(), b);
    default: not_implemented("add", out.dtype());
  }
}

Tensor transposed(const Tensor& w) {
  if (w.dim() != 2) return w;
  return w.as_strided(Dims{w.size(1), w.size(0)}, Dims{w.stride(1), w.stride(0)},
                      w.storage_offset());
}

bool fast_linear(const Tensor& x, const Tensor& w, const Tensor& bias) {
  if (x.dtype() != DType::Float32 || w.dtype() != DType::Float32 || w.dim() != 2) return false;
  if (x.dim() == 0 || x.size(-1) != w.size(1) || !x.is_contiguous() || !w.is_contiguous())
    return false;
  if (!bias.defined()) return true;
  return bias.dtype() == DType::Float32 && bias.dim() == 1 && bias.size(0) == w.size(0) &&
         bias.stride(0) == 1;
}

Dims linear_sizes(const Tensor& x, const Tensor& w) {
  if (w.dim() == 0 || x.dim() == 0)
    fail("both arguments to linear need to be at least 1D, but they are " +
         std::to_string(x.dim()) + "D and " + std::to_string(w.dim()) + "D");
  return matmul_sizes(x, transposed(w));
}

void check_bias_dtype(const Tensor& x, const Tensor& w, const Tensor& bias) {
  if (bias.dtype() != w.dtype() && (x.dim() == 2 || bias.dim() == 1))
    fail(std::string("self and mat2 must have the same dtype, but got ") + cpp_name(bias.dtype()) +
         " and " + cpp_name(w.dtype()));
}

}  // namespace

void linear_into(const Tensor& x, const Tensor& w, const Tensor& bias, Tensor& out) {
  if (fast_linear(x, w, bias)) {
    int64_t k = w.size(1), n = w.size(0), m = k ? x.numel() / k : out.numel() / std::max<int64_t>(n, 1);
    linear_f32(x.data<float>(), w.data<float>(), bias.defined() ? bias.data<float>() : nullptr,
               out.data<float>(), m, n, k);
    return;
  }
  if (bias.defined()) check_bias_dtype(x, w, bias);
  if (is_low_precision(out.dtype()) && x.dtype() == w.dtype()) {
    Tensor tmp = Tensor::empty(out.sizes(), DType::Float32);
    linear_into(x.to(DType::Float32), w.to(DType::Float32),
                bias.defined() ? bias.to(DType::Float32) : bias, tmp);
    out.copy_from(tmp);
    return;
  }
  matmul_into(x, transposed(w), out);
  if (bias.defined()) add_bias(out, bias);
}

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& bias) {
  Tensor out = Tensor::empty(linear_sizes(x, w), x.dtype());
  linear_into(x, w, bias, out);
  return out;
}

void k_linear(Call& c) {
  const Tensor& x = tensor_arg(c, 0);
  const Tensor& w = tensor_arg(c, 1);
  Tensor bias = optional_tensor(c, 2);
  if (fast_linear(x, w, bias)) {  // the hot path: no Dims juggling beyond the output's
    Dims sizes = x.sizes();
    sizes.back() = w.size(0);
    Tensor out = c.output(0, sizes, DType::Float32);
    int64_t k = w.size(1), n = w.size(0), m = 1;
    for (size_t i = 0; i + 1 < x.sizes().size(); ++i) m *= x.sizes()[i];
    linear_f32(x.data<float>(), w.data<float>(), bias.defined() ? bias.data<float>() : nullptr,
               out.data<float>(), m, n, k);
    return;
  }
  Tensor out = c.output(0, linear_sizes(x, w), x.dtype());
  linear_into(x, w, bias, out);
}

namespace {

void k_matmul(Call& c) {
  const Tensor& a = tensor_arg(c, 0);
  const Tensor& b = tensor_arg(c, 1);
  Tensor out = c.output(0, matmul_sizes(a, b), a.dtype());
  matmul_into(a, b, out);
}

void k_mm(Call& c) {
  const Tensor& a = tensor_arg(c, 0);
  const Tensor& b = tensor_arg(c, 1);
  if (a.dim() != 2) fail("self must be a matrix");
  if (b.dim() != 2) fail("mat2 must be a matrix");
  k_matmul(c);
}

void k_bmm(Call& c) {
  const Tensor& a = tensor_arg(c, 0);
  const Tensor& b = tensor_arg(c, 1);
  if (a.dim() != 3) fail("batch1 must be a 3D tensor");
  if (b.dim() != 3) fail("batch2 must be a 3D tensor");
  if (b.size(0) != a.size(0) || b.size(1) != a.size(2))
    fail("Expected size for first two dimensions of batch2 tensor to be: [" +
         std::to_string(a.size(0)) + ", " + std::to_string(a.size(2)) + "] but got: [" +
         std::to_string(b.size(0)) + ", " + std::to_string(b.size(1)) + "].");
  Tensor out = c.output(0, Dims{a.size(0), a.size(1), b.size(2)}, a.dtype());
  bool empty = out.numel() == 0 || a.size(2) == 0;
  if (!empty && a.dtype() != b.dtype())
    fail(std::string("expected scalar type ") + cpp_name(a.dtype()) + " but found " +
         cpp_name(b.dtype()));
  if (!empty && a.dtype() == DType::Bool) not_implemented("bmm", a.dtype());
  matmul_into(a, b, out);
}

}  // namespace

void register_blas_kernels(KernelRegistry& r) {
  r.add("aten::linear", k_linear);
  r.add("aten::matmul", k_matmul);
  r.add("aten::mm", k_mm);
  r.add("aten::bmm", k_bmm);
}

}  // namespace nn
}  // namespace ember
