// Fused kernels: an op's kernel, then relu or relu6 (hardtanh(0, 6)) on its result.
#include "kernels/nn_fused.h"

#include <climits>
#include <cstdint>

#include "kernels/nn_common.h"

namespace ember {
namespace nn {
namespace {

template <class T>
void clamp_range(T* x, int64_t n, T lo, T hi) {
  for (int64_t i = 0; i < n; ++i) {
    T v = x[i];
    x[i] = v < lo ? lo : (v > hi ? hi : v);
  }
}

template <KernelFn F, Activation A>
void fused(Call& c) {
  F(c);
  activate_in_place(c.out(0).to_tensor(), A);
}

template <Activation A>
KernelFn pick(KernelFn base) {
  if (KernelFn packed = packed_conv_fused(base, A)) return packed;
  if (base == k_conv1d) return fused<k_conv1d, A>;
  if (base == k_conv2d) return fused<k_conv2d, A>;
  if (base == k_convolution) return fused<k_convolution, A>;
  if (base == k_linear) return fused<k_linear, A>;
  if (base == k_batch_norm) return fused<k_batch_norm, A>;
  return nullptr;
}

}  // namespace

void activate_in_place(const Tensor& t, Activation act) {
  int64_t n = t.numel();
  bool six = act == Activation::Relu6;
  switch (t.dtype()) {
    case DType::Float32:
      return clamp_range(t.data<float>(), n, 0.f, six ? 6.f : INFINITY);
    case DType::Float64:
      return clamp_range(t.data<double>(), n, 0.0, six ? 6.0 : double(INFINITY));
    case DType::Int64:
      return clamp_range<int64_t>(t.data<int64_t>(), n, 0, six ? 6 : INT64_MAX);
    case DType::Int32:
      return clamp_range<int32_t>(t.data<int32_t>(), n, 0, six ? 6 : INT32_MAX);
    default: {  // half precision (and small ints): through float32, exact
      Tensor f = t.to(DType::Float32);
      clamp_range(f.data<float>(), n, 0.f, six ? 6.f : INFINITY);
      const_cast<Tensor&>(t).copy_from(f);
    }
  }
}

KernelFn fused_kernel(KernelFn base, Activation act) {
  return act == Activation::Relu ? pick<Activation::Relu>(base) : pick<Activation::Relu6>(base);
}

}  // namespace nn
}  // namespace ember
