// aten::batch_norm, layer_norm, group_norm. Statistics accumulate in double (two passes);
// per-channel terms are folded first, as PyTorch's CPU kernels do:
// out = x * (rstd * weight) + (bias - mean * rstd * weight). float64 computes in double,
// every other float dtype in float; half precision rounds once at the end.
#include <cmath>
#include <string>

#include "kernels/nn_common.h"
#include "kernels/nn_fused.h"
#include "kernels/nn_ops.h"

namespace ember {
namespace nn {
namespace {

// Element i of a 1-d tensor of any float dtype, as double.
double load(const Tensor& t, int64_t i) {
  const char* p = static_cast<const char*>(t.data_ptr());
  int64_t s = t.dim() ? t.stride(0) : 0;
  switch (t.dtype()) {
    case DType::Float32: return reinterpret_cast<const float*>(p)[i * s];
    case DType::Float64: return reinterpret_cast<const double*>(p)[i * s];
    default: return t.dim() ? t.as_strided(Dims{1}, Dims{1}, t.storage_offset() + i * s).item_double() : t.item_double();
  }
}

void store(const Tensor& t, int64_t i, double v) {
  char* p = static_cast<char*>(t.data_ptr());
  int64_t s = t.dim() ? t.stride(0) : 0;
  switch (t.dtype()) {
    case DType::Float32: reinterpret_cast<float*>(p)[i * s] = static_cast<float>(v); return;
    case DType::Float64: reinterpret_cast<double*>(p)[i * s] = v; return;
    default: {
      Tensor one = Tensor::from_buffer(&v, Dims{1}, DType::Float64);
      t.as_strided(Dims{1}, Dims{1}, t.storage_offset() + i * s).copy_from(one);
    }
  }
}

bool is_float(DType d) { return d == DType::Float32 || d == DType::Float64 || is_low_precision(d); }

// PyTorch's CPU rule for norm parameters: all of the input's dtype, or all float32 for a
// half-precision input.
void check_mixed(const Tensor& x, std::initializer_list<const Tensor*> params) {
  bool has_in = false, has_f32 = false, other = false;
  for (const Tensor* t : params) {
    if (!t->defined()) continue;
    if (t->dtype() == x.dtype()) has_in = true;
    else if (t->dtype() == DType::Float32) has_f32 = true;
    else other = true;
  }
  if (!has_f32 && !other) return;
  if (is_low_precision(x.dtype())) {
    if (has_f32 && !has_in && !other) return;
    if (has_f32 && has_in && !other)
      fail(std::string("expected scalar type ") + cpp_name(x.dtype()) + " but found Float");
  } else if (x.dtype() == DType::Float64 && has_f32 && !other) {
    fail("mixed dtype (CPU): all inputs must share same datatype.");
  }
  fail("mixed dtype (CPU): expect parameter to have scalar type of Float");
}

// out[n, c, p] = x[n, c, p] * scale[n * cs + c] + shift[...] over (N, C, P) contiguous data;
// cs = 0 shares one row of terms between the samples.
template <class T>
void channel_affine(const T* x, T* out, const T* scale, const T* shift, int64_t n, int64_t c,
                    int64_t p, int64_t cs) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < c; ++j) {
      const T a = scale[i * cs + j], b = shift[i * cs + j];
      const T* src = x + (i * c + j) * p;
      T* dst = out + (i * c + j) * p;
      for (int64_t k = 0; k < p; ++k) dst[k] = src[k] * a + b;
    }
}

// Runs `body(x_contiguous, out_ptr)` in the compute dtype T and stores into `out`.
template <class T, class F>
void in_compute(const Tensor& x, Tensor& out, F body) {
  DType cd = compute_dtype(x.dtype());
  Tensor xc = contiguous_as(x, cd);
  if (out.dtype() == cd) {
    body(xc.data<T>(), out.data<T>());
  } else {
    Tensor tmp = Tensor::empty(out.sizes(), cd);
    body(xc.data<T>(), tmp.data<T>());
    out.copy_from(tmp);
  }
}

template <class T>
void batch_norm_t(Call& c, const Tensor& x, Tensor& out) {
  Tensor weight = optional_tensor(c, 1), bias = optional_tensor(c, 2);
  Tensor rmean = optional_tensor(c, 3), rvar = optional_tensor(c, 4);
  bool training = c.in(5).to_bool();
  double momentum = c.in(6).to_double(), eps = c.in(7).to_double();
  int64_t n = x.size(0), ch = x.size(1), p = ch && n ? x.numel() / (n * ch) : 0;
  T* terms = scratch<T>(2 * ch, 0);
  in_compute<T>(x, out, [&](const T* xp, T* op) {
    for (int64_t j = 0; j < ch; ++j) {
      T mean, var;
      if (training) {
        double s = 0;
        for (int64_t i = 0; i < n; ++i)
          for (int64_t k = 0; k < p; ++k) s += xp[(i * ch + j) * p + k];
        int64_t count = n * p;
        double m = count ? s / count : NAN;
        T mt = static_cast<T>(m);
        double q = 0;
        for (int64_t i = 0; i < n; ++i)
          for (int64_t k = 0; k < p; ++k) {
            T d = xp[(i * ch + j) * p + k] - mt;
            q += double(d * d);
          }
        double v = count ? q / count : NAN;
        if (rmean.defined() && rvar.defined()) {
          double unbiased = count > 1 ? v * (double(count) / double(count - 1)) : NAN;
          store(rmean, j, (1.0 - momentum) * load(rmean, j) + momentum * m);
          store(rvar, j, (1.0 - momentum) * load(rvar, j) + momentum * unbiased);
        }
        mean = static_cast<T>(m), var = static_cast<T>(v);
      } else {
        mean = static_cast<T>(load(rmean, j)), var = static_cast<T>(load(rvar, j));
      }
      T alpha = T(1) / std::sqrt(var + static_cast<T>(eps));
      if (weight.defined()) alpha = alpha * static_cast<T>(load(weight, j));
      T beta = -(mean * alpha);
      if (bias.defined()) beta = static_cast<T>(load(bias, j)) - mean * alpha;
      terms[j] = alpha, terms[ch + j] = beta;
    }
    channel_affine(xp, op, terms, terms + ch, n, ch, p, 0);
  });
}

}  // namespace

// batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
// cudnn_enabled)
void k_batch_norm(Call& c) {
  const Tensor& x = tensor_arg(c, 0);
  if (!is_float(x.dtype())) not_implemented("batch_norm", x.dtype());
  bool training = c.in(5).to_bool();
  Tensor params[4] = {optional_tensor(c, 1), optional_tensor(c, 2), optional_tensor(c, 3),
                      optional_tensor(c, 4)};
  if (!training && !params[2].defined()) fail("running_mean must be defined in evaluation mode");
  if (!training && !params[3].defined()) fail("running_var must be defined in evaluation mode");
  int64_t channels = x.dim() > 1 ? x.size(1) : 0;
  const char* names[4] = {"weight", "bias", "running_mean", "running_var"};
  for (int i = 0; i < 4; ++i)
    if (params[i].defined() && params[i].numel() != channels)
      fail(std::string(names[i]) + " should contain " + std::to_string(channels) +
           " elements not " + std::to_string(params[i].numel()));
  check_mixed(x, {&params[0], &params[1], &params[2], &params[3]});
  if (x.dim() < 2) fail("batch_norm: expected an input of at least 2 dims, got " + show(x.sizes()));
  Tensor out = c.output(0, x.sizes(), x.dtype());
  if (x.dtype() == DType::Float64) batch_norm_t<double>(c, x, out);
  else batch_norm_t<float>(c, x, out);
}

namespace {

template <class T>
void layer_norm_t(const Tensor& x, const Tensor& w, const Tensor& b, double eps, int64_t d,
                  Tensor& out) {
  int64_t rows = d ? x.numel() / d : 0;
  DType cd = compute_dtype(x.dtype());
  Tensor wc = w.defined() ? contiguous_as(w, cd) : w, bc = b.defined() ? contiguous_as(b, cd) : b;
  const T* wp = w.defined() ? wc.data<T>() : nullptr;
  const T* bp = b.defined() ? bc.data<T>() : nullptr;
  in_compute<T>(x, out, [&](const T* xp, T* op) {
    for (int64_t r = 0; r < rows; ++r) {
      const T* src = xp + r * d;
      T* dst = op + r * d;
      double s = 0;
      for (int64_t k = 0; k < d; ++k) s += src[k];
      T mean = static_cast<T>(s / d);
      double q = 0;
      for (int64_t k = 0; k < d; ++k) {
        T v = src[k] - mean;
        dst[k] = v;
        q += double(v) * v;
      }
      T rstd = T(1) / std::sqrt(static_cast<T>(q / d) + static_cast<T>(eps));
      if (wp && bp) {
        for (int64_t k = 0; k < d; ++k) dst[k] = dst[k] * rstd * wp[k] + bp[k];
      } else {
        for (int64_t k = 0; k < d; ++k) {
          T v = dst[k] * rstd;
          if (wp) v *= wp[k];
          if (bp) v += bp[k];
          dst[k] = v;
        }
      }
    }
  });
}

// layer_norm(input, normalized_shape, weight, bias, eps, cudnn_enable)
void k_layer_norm(Call& c) {
  const Tensor& x = tensor_arg(c, 0);
  std::vector<int64_t> shape = c.in(1).to_int_vector();
  Tensor w = optional_tensor(c, 2), b = optional_tensor(c, 3);
  double eps = c.in(4).to_double();
  size_t k = shape.size();
  if (k == 0)
    fail("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
         "element, but got normalized_shape = []");
  const Tensor* params[2] = {&w, &b};
  const char* names[2] = {"weight", "bias"};
  for (int i = 0; i < 2; ++i)
    if (params[i]->defined() && params[i]->sizes().vec() != shape)
      fail(std::string("Expected ") + names[i] + " to be of same shape as normalized_shape, but got " +
           names[i] + " of shape " + show(params[i]->sizes()) + " and normalized_shape = " + show(shape));
  bool match = static_cast<size_t>(x.dim()) >= k;
  for (size_t i = 0; match && i < k; ++i) match = x.size(x.dim() - k + i) == shape[i];
  if (!match) {
    std::string dims;
    for (int64_t s : shape) dims += ", " + std::to_string(s);
    fail("Given normalized_shape=" + show(shape) + ", expected input with shape [*" + dims +
         "], but got input of size" + show(x.sizes()));
  }
  if (!is_float(x.dtype())) not_implemented("LayerNormKernelImpl", x.dtype());
  check_mixed(x, {&w, &b});
  int64_t d = 1;
  for (int64_t s : shape) d *= s;
  Tensor out = c.output(0, x.sizes(), x.dtype());
  if (x.numel() == 0) return;
  if (x.dtype() == DType::Float64) layer_norm_t<double>(x, w, b, eps, d, out);
  else layer_norm_t<float>(x, w, b, eps, d, out);
}

template <class T>
void group_norm_t(const Tensor& x, int64_t groups, const Tensor& w, const Tensor& b, double eps,
                  Tensor& out) {
  int64_t n = x.size(0), ch = x.size(1), p = x.numel() / (n * ch), per = ch / groups;
  T* terms = scratch<T>(2 * n * ch, 0);
  in_compute<T>(x, out, [&](const T* xp, T* op) {
    for (int64_t i = 0; i < n; ++i)
      for (int64_t g = 0; g < groups; ++g) {
        const T* src = xp + (i * ch + g * per) * p;
        int64_t count = per * p;
        double s = 0;
        for (int64_t k = 0; k < count; ++k) s += src[k];
        double m = s / count;
        T mt = static_cast<T>(m);
        double q = 0;
        for (int64_t k = 0; k < count; ++k) {
          T dv = src[k] - mt;
          q += double(dv * dv);
        }
        T rstd = static_cast<T>(1.0 / std::sqrt(q / count + eps));
        for (int64_t j = g * per; j < (g + 1) * per; ++j) {
          T scale = rstd;
          if (w.defined()) scale = scale * static_cast<T>(load(w, j));
          T shift = -mt * scale;
          if (b.defined()) shift = shift + static_cast<T>(load(b, j));
          terms[i * ch + j] = scale, terms[n * ch + i * ch + j] = shift;
        }
      }
    channel_affine(xp, op, terms, terms + n * ch, n, ch, p, ch);
  });
}

// group_norm(input, num_groups, weight, bias, eps, cudnn_enabled)
void k_group_norm(Call& c) {
  const Tensor& x = tensor_arg(c, 0);
  int64_t groups = c.in(1).to_int();
  Tensor w = optional_tensor(c, 2), b = optional_tensor(c, 3);
  if (x.dim() < 2)
    fail("Expected at least 2 dimensions for input tensor but received " + std::to_string(x.dim()));
  int64_t ch = x.size(1);
  if (groups <= 0 || ch % groups != 0)
    fail("Expected number of channels in input to be divisible by num_groups, but got input of "
         "shape " + show(x.sizes()) + " and num_groups=" + std::to_string(groups));
  const Tensor* params[2] = {&w, &b};
  const char* names[2] = {"weight", "bias"};
  for (int i = 0; i < 2; ++i)
    if (params[i]->defined() && (params[i]->dim() != 1 || params[i]->numel() != ch))
      fail(std::string("Expected ") + names[i] + " to be a vector of size equal to the number of "
           "channels in input, but got " + names[i] + " of shape " + show(params[i]->sizes()) +
           " and input of shape " + show(x.sizes()));
  if (!is_float(x.dtype())) not_implemented("group_norm", x.dtype());
  Tensor out = c.output(0, x.sizes(), x.dtype());
  if (x.numel() == 0) return;
  if (x.dtype() == DType::Float64) group_norm_t<double>(x, groups, w, b, c.in(4).to_double(), out);
  else group_norm_t<float>(x, groups, w, b, c.in(4).to_double(), out);
}

}  // namespace

Tensor layer_norm_last(const Tensor& x, const Tensor& w, const Tensor& b, double eps) {
  Tensor out = Tensor::empty(x.sizes(), x.dtype());
  if (x.numel() == 0) return out;
  if (x.dtype() == DType::Float64) layer_norm_t<double>(x, w, b, eps, x.size(-1), out);
  else layer_norm_t<float>(x, w, b, eps, x.size(-1), out);
  return out;
}

void register_norm_kernels(KernelRegistry& r) {
  r.add("aten::batch_norm", k_batch_norm);
  r.add("aten::layer_norm", k_layer_norm);
  r.add("aten::group_norm", k_group_norm);
}

}  // namespace nn
}  // namespace ember
