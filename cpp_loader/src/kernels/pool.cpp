// aten::max_pool2d(_with_indices), avg_pool2d, adaptive_avg_pool1d/2d (3d refuses, as the
// Python runtime does). Each works plane by plane on contiguous (planes, H, W) data,
// visiting only the taps inside the input (padding never wins a max and adds 0 to a sum).
#include <cmath>
#include <limits>
#include <string>

#include "kernels/nn_common.h"

namespace ember {
namespace nn {
namespace {

struct Pool {
  int64_t kh, kw, sh, sw, ph, pw, dh, dw, oh, ow;
};

// (N, C, H, W) sizes of a 3-d or 4-d pooling input after PyTorch's checks.
Dims pool_batched(const Tensor& x) {
  if (x.dim() != 3 && x.dim() != 4) fail("non-empty 3D or 4D (batch mode) tensor expected for input");
  for (int64_t d = x.dim() - 3; d < x.dim(); ++d)
    if (x.size(d) == 0)
      fail("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
           "got:" + show(x.sizes()));
  return with_batch(x, x.dim() == 3);
}

Pool pool_geometry(const Dims& xs, const Value& kernel_v, const Value& stride_v,
                   const Value& padding_v, const Value* dilation_v, bool ceil_mode) {
  std::vector<int64_t> k = int_n(kernel_v, 2, "kernel_size");
  bool no_stride = stride_v.is_none() || (stride_v.is_list() && stride_v.items().empty());
  std::vector<int64_t> s = no_stride ? k : int_n(stride_v, 2, "stride");
  std::vector<int64_t> p = int_n(padding_v, 2, "padding");
  std::vector<int64_t> d = dilation_v ? int_n(*dilation_v, 2, "dilation") : std::vector<int64_t>{1, 1};
  if (s[0] == 0 || s[1] == 0) fail("stride should not be zero");
  if (k[0] <= 0 || k[1] <= 0)
    fail("kernel size should be greater than zero, but got kH: " + std::to_string(k[0]) +
         " kW: " + std::to_string(k[1]));
  if (d[0] <= 0 || d[1] <= 0)
    fail("dilation should be greater than zero, but got dilationH: " + std::to_string(d[0]) +
         " dilationW: " + std::to_string(d[1]));
  for (int i = 0; i < 2; ++i)
    if (p[i] > (d[i] * (k[i] - 1) + 1) / 2)
      fail("pad should be at most half of effective kernel size, but got pad=" + std::to_string(p[i]) +
           ", kernel_size=" + std::to_string(k[i]) + " and dilation=" + std::to_string(d[i]));
  if (p[0] > k[0] / 2 || p[1] > k[1] / 2)
    fail("pad should be smaller than or equal to half of kernel size, but got padW = " +
         std::to_string(p[1]) + ", padH = " + std::to_string(p[0]) + ", kW = " +
         std::to_string(k[1]) + ", kH = " + std::to_string(k[0]));
  Pool g{k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], 0, 0};
  int64_t c = xs[1], h = xs[2], w = xs[3];
  g.oh = out_size(h, g.kh, g.sh, g.ph, g.ph, g.dh, ceil_mode);
  g.ow = out_size(w, g.kw, g.sw, g.pw, g.pw, g.dw, ceil_mode);
  if (g.oh < 1 || g.ow < 1)
    fail("Given input size: (" + std::to_string(c) + "x" + std::to_string(h) + "x" +
         std::to_string(w) + "). Calculated output size: (" + std::to_string(c) + "x" +
         std::to_string(g.oh) + "x" + std::to_string(g.ow) + "). Output size is too small");
  return g;
}

Dims pool_out_sizes(const Tensor& x, const Pool& g) {
  Dims os = x.sizes();
  os[os.size() - 2] = g.oh, os[os.size() - 1] = g.ow;
  return os;
}

// The first tap index >= 0 of a window starting at `start` with step d (taps < size).
inline int64_t first_tap(int64_t start, int64_t d) {
  return start >= 0 ? 0 : (-start + d - 1) / d;
}

template <class T, bool kIndices>
void max_planes(const T* x, T* out, int64_t* idx, int64_t planes, int64_t h, int64_t w,
                const Pool& g) {
  for (int64_t p = 0; p < planes; ++p) {
    const T* xp = x + p * h * w;
    for (int64_t oh = 0; oh < g.oh; ++oh) {
      int64_t h0 = oh * g.sh - g.ph;
      int64_t i0 = first_tap(h0, g.dh), i1 = std::min(g.kh, (h - h0 + g.dh - 1) / g.dh);
      for (int64_t ow = 0; ow < g.ow; ++ow) {
        int64_t w0 = ow * g.sw - g.pw;
        int64_t j0 = first_tap(w0, g.dw), j1 = std::min(g.kw, (w - w0 + g.dw - 1) / g.dw);
        if (i0 >= i1 || j0 >= j1) {  // only padding under the window
          *out++ = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                        : std::numeric_limits<T>::lowest();
          if (kIndices) *idx++ = std::max<int64_t>(h0, 0) * w + std::max<int64_t>(w0, 0);
          continue;
        }
        int64_t best_i = (h0 + i0 * g.dh) * w + (w0 + j0 * g.dw);
        T best = xp[best_i];
        for (int64_t i = i0; i < i1; ++i) {
          const T* row = xp + (h0 + i * g.dh) * w + w0;
          for (int64_t j = j0; j < j1; ++j) {
            T v = row[j * g.dw];
            bool take = v > best;
            if constexpr (std::is_floating_point<T>::value) take = take || std::isnan(v);
            if (take) {
              best = v;
              if (kIndices) best_i = (h0 + i * g.dh) * w + w0 + j * g.dw;
            }
          }
        }
        *out++ = best;
        if (kIndices) *idx++ = best_i;
      }
    }
  }
}

template <bool kIndices>
void max_pool(Call& c) {
  const Tensor& x = tensor_arg(c, 0);
  DType d = x.dtype();
  if (d == DType::Bool || is_complex(d)) not_implemented("max_pool2d", d);
  Dims xs = pool_batched(x);
  Pool g = pool_geometry(xs, c.in(1), c.in(2), c.in(3), &c.in(4), c.in(5).to_bool());
  Dims os = pool_out_sizes(x, g);
  Tensor out = c.output(0, os, d);
  int64_t* idx = nullptr;
  if (kIndices) idx = c.output(1, os, DType::Int64).data<int64_t>();
  DType cd = is_low_precision(d) ? DType::Float32 : d;
  Tensor xc = contiguous_as(x, cd);
  Tensor dst = cd == d ? out : Tensor::empty(os, cd);
  int64_t planes = xs[0] * xs[1], h = xs[2], w = xs[3];
  switch (cd) {
#define EMBER_MAX_CASE(DT, T) \
  case DT: max_planes<T, kIndices>(xc.data<T>(), dst.data<T>(), idx, planes, h, w, g); break;
    EMBER_MAX_CASE(DType::Float32, float)
    EMBER_MAX_CASE(DType::Float64, double)
    EMBER_MAX_CASE(DType::Int64, int64_t)
    EMBER_MAX_CASE(DType::Int32, int32_t)
    EMBER_MAX_CASE(DType::Int16, int16_t)
    EMBER_MAX_CASE(DType::Int8, int8_t)
    EMBER_MAX_CASE(DType::UInt8, uint8_t)
#undef EMBER_MAX_CASE
    default: not_implemented("max_pool2d", d);
  }
  if (cd != d) out.copy_from(dst);
}

// [start, end) of window o with PyTorch's avg_pool divisor rules.
inline int64_t avg_divisor(int64_t o, int64_t size, int64_t k, int64_t s, int64_t pad, bool incl) {
  int64_t start = o * s - pad, end = std::min(start + k, size + pad);
  if (incl) return end - start;
  return std::min(end, size) - std::max<int64_t>(start, 0);
}

template <class T, class Out>
void avg_planes(const T* x, Out* out, int64_t planes, int64_t h, int64_t w, const Pool& g,
                bool incl, int64_t override_div) {
  for (int64_t p = 0; p < planes; ++p) {
    const T* xp = x + p * h * w;
    for (int64_t oh = 0; oh < g.oh; ++oh) {
      int64_t h0 = oh * g.sh - g.ph;
      int64_t i0 = std::max<int64_t>(0, -h0), i1 = std::min(g.kh, h - h0);
      int64_t dh = avg_divisor(oh, h, g.kh, g.sh, g.ph, incl);
      for (int64_t ow = 0; ow < g.ow; ++ow) {
        int64_t w0 = ow * g.sw - g.pw;
        int64_t j0 = std::max<int64_t>(0, -w0), j1 = std::min(g.kw, w - w0);
        T total = T(0);
        for (int64_t i = i0; i < i1; ++i)
          for (int64_t j = j0; j < j1; ++j) total += xp[(h0 + i) * w + w0 + j];
        int64_t div = override_div ? override_div : dh * avg_divisor(ow, w, g.kw, g.sw, g.pw, incl);
        if constexpr (std::is_floating_point<T>::value) {
          *out++ = static_cast<Out>(total / static_cast<T>(div));
        } else {
          *out++ = static_cast<Out>(static_cast<double>(total) / static_cast<double>(div));
        }
      }
    }
  }
}

// avg_pool2d(self, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)
void k_avg_pool2d(Call& c) {
  const Tensor& x = tensor_arg(c, 0);
  DType d = x.dtype();
  if (!is_floating(d) && d != DType::Int64) not_implemented("avg_pool2d", d);
  Dims xs = pool_batched(x);
  Pool g = pool_geometry(xs, c.in(1), c.in(2), c.in(3), nullptr, c.in(4).to_bool());
  bool incl = c.in(5).to_bool();
  int64_t override_div = 0;
  if (!c.in(6).is_none()) {
    override_div = c.in(6).to_int();
    if (override_div == 0) fail("divisor must be not zero");
  }
  Dims os = pool_out_sizes(x, g);
  Tensor out = c.output(0, os, d);
  DType cd = d == DType::Int64 ? d : compute_dtype(d);
  Tensor xc = contiguous_as(x, cd);
  Tensor dst = cd == d ? out : Tensor::empty(os, cd);
  int64_t planes = xs[0] * xs[1];
  if (cd == DType::Float32)
    avg_planes(xc.data<float>(), dst.data<float>(), planes, xs[2], xs[3], g, incl, override_div);
  else if (cd == DType::Float64)
    avg_planes(xc.data<double>(), dst.data<double>(), planes, xs[2], xs[3], g, incl, override_div);
  else
    avg_planes(xc.data<int64_t>(), dst.data<int64_t>(), planes, xs[2], xs[3], g, incl, override_div);
  if (cd != d) out.copy_from(dst);
}

// The sum of n contiguous values in double, in eight independent lanes (the compiler
// vectorises them; one chained sum waits on every add).
template <class T>
double sum_run(const T* x, int64_t n) {
  double a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    a0 += static_cast<double>(x[j]), a1 += static_cast<double>(x[j + 1]);
    a2 += static_cast<double>(x[j + 2]), a3 += static_cast<double>(x[j + 3]);
    a4 += static_cast<double>(x[j + 4]), a5 += static_cast<double>(x[j + 5]);
    a6 += static_cast<double>(x[j + 6]), a7 += static_cast<double>(x[j + 7]);
  }
  double total = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
  for (; j < n; ++j) total += static_cast<double>(x[j]);
  return total;
}

template <class T>
void adaptive_planes(const T* x, T* out, int64_t planes, int64_t h, int64_t w, int64_t oh,
                     int64_t ow) {
  for (int64_t p = 0; p < planes; ++p) {
    const T* xp = x + p * h * w;
    if (oh == 1 && ow == 1) {  // global pooling: the plane is one run
      *out++ = static_cast<T>(sum_run(xp, h * w) / double(h * w));
      continue;
    }
    for (int64_t i = 0; i < oh; ++i) {
      int64_t h0 = i * h / oh, h1 = ((i + 1) * h + oh - 1) / oh;
      for (int64_t j = 0; j < ow; ++j) {
        int64_t w0 = j * w / ow, w1 = ((j + 1) * w + ow - 1) / ow;
        double total = 0;
        for (int64_t a = h0; a < h1; ++a) total += sum_run(xp + a * w + w0, w1 - w0);
        *out++ = static_cast<T>(total / double((h1 - h0) * (w1 - w0)));
      }
    }
  }
}

// The 2-d kernel on planes of h x w elements of `x` to (oh, ow).
void adaptive_avg(Call& c, const Tensor& x, int64_t h, int64_t w, int64_t oh, int64_t ow,
                  const Dims& out_sizes) {
  DType d = x.dtype();
  if (oh == 1 && ow == 1) {
    if (!is_floating(d) && !is_complex(d))
      fail(std::string("mean(): could not infer output dtype. Input dtype must be either a "
                       "floating point or complex dtype. Got: ") + cpp_name(d));
  } else if (x.numel() && !is_floating(d)) {
    not_implemented("adaptive_avg_pool2d", d);
  }
  if (is_complex(d)) not_implemented("adaptive_avg_pool2d", d);
  Tensor out = c.output(0, out_sizes, d);
  int64_t planes = h * w != 0 ? x.numel() / (h * w) : 0;
  DType cd = compute_dtype(d);
  Tensor xc = contiguous_as(x, cd);
  Tensor dst = cd == d ? out : Tensor::empty(out_sizes, cd);
  if (cd == DType::Float64) adaptive_planes(xc.data<double>(), dst.data<double>(), planes, h, w, oh, ow);
  else adaptive_planes(xc.data<float>(), dst.data<float>(), planes, h, w, oh, ow);
  if (cd != d) out.copy_from(dst);
}

void k_adaptive_avg_pool2d(Call& c) {
  const Tensor& x = tensor_arg(c, 0);
  if (x.dim() != 3 && x.dim() != 4)
    fail("adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got " + show(x.sizes()));
  for (int64_t d = x.dim() - 3; d < x.dim(); ++d)
    if (x.size(d) == 0)
      fail("adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch "
           "dimensions, but input has sizes " + show(x.sizes()) + " with dimension " +
           std::to_string(d) + " being empty");
  const Value& sizes = c.in(1);
  int64_t o[2];
  for (int i = 0; i < 2; ++i) {
    const Value* v = sizes.is_int() ? &sizes : &sizes.items().at(sizes.items().size() == 1 ? 0 : i);
    o[i] = v->is_none() ? x.size(x.dim() - 2 + i) : v->to_int();
  }
  if (o[0] < 0 || o[1] < 0)
    fail("adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
         "received {" + std::to_string(o[0]) + ", " + std::to_string(o[1]) + "}");
  Dims os = x.sizes();
  os[os.size() - 2] = o[0], os[os.size() - 1] = o[1];
  adaptive_avg(c, x, x.size(-2), x.size(-1), o[0], o[1], os);
}

void k_adaptive_avg_pool1d(Call& c) {
  const Tensor& x = tensor_arg(c, 0);
  if (x.dim() != 2 && x.dim() != 3)
    fail("Expected 2 to 3 dimensions, but got " + std::to_string(x.dim()) +
         "-dimensional tensor for argument #1 'self' (while checking arguments for "
         "adaptive_avg_pool1d)");
  int64_t o = int_n(c.in(1), 1, "output_size")[0];
  for (int64_t d = x.dim() - 2; d < x.dim(); ++d)
    if (x.size(d) == 0)
      fail("adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch "
           "dimensions, but input has sizes " + show(with_batch(x, false)) + " with dimension " +
           std::to_string(d + 1) + " being empty");
  if (o < 0)
    fail("adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
         "received {1, " + std::to_string(o) + "}");
  Dims os = x.sizes();
  os.back() = o;
  adaptive_avg(c, x, 1, x.size(-1), 1, o, os);
}

void k_adaptive_avg_pool3d(Call&) { fail("adaptive_avg_pool3d is not supported by ember"); }

}  // namespace

void register_pool_kernels(KernelRegistry& r) {
  r.add("aten::max_pool2d", max_pool<false>);
  r.add("aten::max_pool2d_with_indices", max_pool<true>);
  r.add("aten::avg_pool2d", k_avg_pool2d);
  r.add("aten::adaptive_avg_pool2d", k_adaptive_avg_pool2d);
  r.add("aten::adaptive_avg_pool1d", k_adaptive_avg_pool1d);
  r.add("aten::adaptive_avg_pool3d", k_adaptive_avg_pool3d);
}

}  // namespace nn
}  // namespace ember
