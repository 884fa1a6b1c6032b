// aten::upsample_nearest{1,2,3}d, _upsample_nearest_exact{1,2,3}d, upsample_linear1d,
// upsample_bilinear2d, upsample_trilinear3d and their .vec overloads. Source positions in
// float32 arithmetic as PyTorch's CPU kernels (and the Python runtime) form them; linear
// modes blend dim by dim from the last one outwards. Bicubic and antialiased modes refuse,
// as the Python runtime does.
#include <cmath>
#include <cstring>
#include <string>

#include "kernels/nn_common.h"

namespace ember {
namespace nn {
namespace {

const char* kDimNames[3][3] = {{"W"}, {"H", "W"}, {"D", "H", "W"}};

void check_sizes(const Tensor& x, const std::vector<int64_t>& out) {
  size_t k = out.size();
  bool ok = x.dim() == static_cast<int64_t>(k) + 2;
  for (int64_t d = 1; ok && d < x.dim(); ++d) ok = x.size(d) != 0;
  if (!ok)
    fail("Non-empty " + std::to_string(k + 2) + "D data tensor expected but got a tensor with "
         "sizes " + show(x.sizes()));
  bool positive = true;
  for (size_t i = 0; i < k; ++i) positive = positive && x.size(2 + i) > 0 && out[i] > 0;
  if (!positive) {
    std::string given, wanted;
    for (size_t i = 0; i < k; ++i) {
      given += (i ? ", " : "") + std::string(kDimNames[k - 1][i]) + ": " + std::to_string(x.size(2 + i));
      wanted += (i ? ", " : "") + std::string(kDimNames[k - 1][i]) + ": " + std::to_string(out[i]);
    }
    fail("Input and output sizes should be greater than 0, but got input (" + given +
         ") output (" + wanted + ")");
  }
}

// torch's compute_scales_value: 1/given for a positive given scale, else in/out.
float scale_of(int64_t in, int64_t out, const double* given) {
  if (given && *given > 0) return static_cast<float>(1.0 / *given);
  return static_cast<float>(in) / static_cast<float>(out);
}

struct Request {
  std::vector<int64_t> sizes;
  std::vector<double> scales;
  std::vector<bool> has_scale;
  const double* scale(size_t i) const { return has_scale[i] ? &scales[i] : nullptr; }
};

// The plain overload's (output_size, scale...) arguments starting at input `first`.
Request plain_request(const Call& c, uint32_t size_arg, uint32_t first_scale, size_t k) {
  Request r;
  r.sizes = c.in(size_arg).to_int_vector();
  if (r.sizes.size() != k)
    fail("It is expected output_size equals to " + std::to_string(k) + ", but got size " +
         std::to_string(r.sizes.size()));
  for (size_t i = 0; i < k; ++i) {
    bool has = first_scale + i < c.num_inputs && !c.in(first_scale + i).is_none();
    r.has_scale.push_back(has);
    r.scales.push_back(has ? c.in(first_scale + i).to_double() : 0.0);
  }
  return r;
}

// The .vec overload's (output_size?, scale_factors?) arguments.
Request vec_request(const Tensor& x, const Value& sizes, const Value& factors) {
  if (sizes.is_none() == factors.is_none())
    fail("Must specify exactly one of output_size and scale_factors");
  size_t k = x.dim() >= 2 ? x.dim() - 2 : 0;
  Request r;
  if (!sizes.is_none()) {
    r.sizes = sizes.to_int_vector();
    r.scales.assign(r.sizes.size(), 0.0);
    r.has_scale.assign(r.sizes.size(), false);
    return r;
  }
  r.scales = factors.to_double_vector();
  if (r.scales.size() != k)
    fail("It is expected scale_factors to have " + std::to_string(k) + " elements, but got " +
         std::to_string(r.scales.size()));
  for (size_t i = 0; i < k; ++i) {
    r.sizes.push_back(static_cast<int64_t>(std::floor(x.size(2 + i) * r.scales[i])));
    r.has_scale.push_back(true);
  }
  return r;
}

std::vector<int64_t> nearest_index(int64_t in, int64_t out, const double* given, bool exact) {
  std::vector<int64_t> idx(out);
  float scale = scale_of(in, out, given);
  for (int64_t i = 0; i < out; ++i) {
    if (!exact && out == in) idx[i] = i;
    else if (!exact && out == 2 * in) idx[i] = i >> 1;
    else {
      float src = exact ? (static_cast<float>(i) + 0.5f) * scale : static_cast<float>(i) * scale;
      idx[i] = std::min(static_cast<int64_t>(std::floor(src)), in - 1);
    }
  }
  return idx;
}

template <class T>
void gather3(const T* x, T* out, int64_t planes, const Dims& in, const std::vector<int64_t>* ix) {
  int64_t od = ix[0].size(), oh = ix[1].size(), ow = ix[2].size();
  for (int64_t p = 0; p < planes; ++p) {
    const T* xp = x + p * in[0] * in[1] * in[2];
    for (int64_t a = 0; a < od; ++a)
      for (int64_t b = 0; b < oh; ++b) {
        const T* row = xp + (ix[0][a] * in[1] + ix[1][b]) * in[2];
        for (int64_t e = 0; e < ow; ++e) *out++ = row[ix[2][e]];
      }
  }
}

void nearest(Call& c, const Tensor& x, const Request& r, bool exact) {
  check_sizes(x, r.sizes);
  DType d = x.dtype();
  if (!is_floating(d) && d != DType::UInt8) not_implemented("upsample_nearest", d);
  size_t k = r.sizes.size();
  // as 3 spatial dims (D, H, W), leading ones of size 1
  std::vector<int64_t> ix[3];
  Dims in(size_t(3), 1);
  for (size_t i = 0; i < 3; ++i) {
    if (i + k < 3) {
      ix[i] = {0};
      continue;
    }
    size_t j = i + k - 3;
    in[i] = x.size(2 + j);
    ix[i] = nearest_index(in[i], r.sizes[j], r.scale(j), exact);
  }
  Dims os{x.size(0), x.size(1)};
  for (int64_t s : r.sizes) os.push_back(s);
  Tensor out = c.output(0, os, d);
  Tensor xc = x.is_contiguous() ? x : x.contiguous();
  int64_t planes = x.size(0) * x.size(1);
  switch (x.element_size()) {
    case 1: return gather3(xc.data<uint8_t>(), out.data<uint8_t>(), planes, in, ix);
    case 2: return gather3(xc.data<uint16_t>(), out.data<uint16_t>(), planes, in, ix);
    case 4: return gather3(xc.data<uint32_t>(), out.data<uint32_t>(), planes, in, ix);
    default: return gather3(xc.data<uint64_t>(), out.data<uint64_t>(), planes, in, ix);
  }
}

template <class T>
struct Taps {
  std::vector<int64_t> i0, i1;
  std::vector<T> w0, w1;
};

template <class T>
Taps<T> linear_taps(int64_t in, int64_t out, bool align, const double* given) {
  Taps<T> t;
  t.i0.resize(out), t.i1.resize(out), t.w0.resize(out), t.w1.resize(out);
  for (int64_t i = 0; i < out; ++i) {
    if (out == in) {
      t.i0[i] = t.i1[i] = i, t.w0[i] = T(1), t.w1[i] = T(0);
      continue;
    }
    float src;
    if (align) {
      float scale = out > 1 ? static_cast<float>(in - 1) / static_cast<float>(out - 1) : 0.f;
      src = scale * static_cast<float>(i);
    } else {
      float scale = scale_of(in, out, given);
      src = std::max(scale * (static_cast<float>(i) + 0.5f) - 0.5f, 0.f);
    }
    int64_t i0 = std::min(static_cast<int64_t>(std::floor(src)), in - 1);
    float w1 = std::min(std::max(src - static_cast<float>(i0), 0.f), 1.f);
    t.i0[i] = i0, t.i1[i] = i0 + (i0 < in - 1 ? 1 : 0);
    t.w1[i] = static_cast<T>(w1), t.w0[i] = static_cast<T>(1.f - w1);
  }
  return t;
}

// One blend along a dim: (outer, in, inner) -> (outer, out, inner).
template <class T>
void blend(const T* x, T* y, int64_t outer, int64_t in, int64_t inner, const Taps<T>& t) {
  int64_t out = t.i0.size();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < out; ++i) {
      const T* a = x + (o * in + t.i0[i]) * inner;
      const T* b = x + (o * in + t.i1[i]) * inner;
      T* dst = y + (o * out + i) * inner;
      T w0 = t.w0[i], w1 = t.w1[i];
      for (int64_t e = 0; e < inner; ++e) dst[e] = a[e] * w0 + b[e] * w1;
    }
}

template <class T>
void linear_t(const Tensor& xc, T* out, const Request& r, bool align) {
  size_t k = r.sizes.size();
  Dims cur = xc.sizes();
  const T* src = xc.data<T>();
  for (size_t step = 0; step < k; ++step) {
    size_t axis = 2 + k - 1 - step;
    int64_t outer = 1, inner = 1;
    for (size_t d = 0; d < axis; ++d) outer *= cur[d];
    for (size_t d = axis + 1; d < cur.size(); ++d) inner *= cur[d];
    Taps<T> t = linear_taps<T>(cur[axis], r.sizes[axis - 2], align, r.scale(axis - 2));
    int64_t total = outer * r.sizes[axis - 2] * inner;
    T* dst = step + 1 == k ? out : scratch<T>(total, step % 2);
    blend(src, dst, outer, cur[axis], inner, t);
    cur[axis] = r.sizes[axis - 2];
    src = dst;
  }
}

void linear(Call& c, const Tensor& x, const Request& r, bool align) {
  check_sizes(x, r.sizes);
  DType d = x.dtype();
  if (!is_floating(d)) not_implemented("upsample_linear", d);
  Dims os{x.size(0), x.size(1)};
  for (int64_t s : r.sizes) os.push_back(s);
  Tensor out = c.output(0, os, d);
  DType cd = compute_dtype(d);
  Tensor xc = contiguous_as(x, cd);
  Tensor dst = cd == d ? out : Tensor::empty(os, cd);
  if (cd == DType::Float64) linear_t<double>(xc, dst.data<double>(), r, align);
  else linear_t<float>(xc, dst.data<float>(), r, align);
  if (cd != d) out.copy_from(dst);
}

template <size_t K, bool kExact>
void k_nearest(Call& c) {
  nearest(c, tensor_arg(c, 0), plain_request(c, 1, 2, K), kExact);
}
template <bool kExact>
void k_nearest_vec(Call& c) {
  const Tensor& x = tensor_arg(c, 0);
  nearest(c, x, vec_request(x, c.in(1), c.in(2)), kExact);
}
template <size_t K>
void k_linear(Call& c) {
  linear(c, tensor_arg(c, 0), plain_request(c, 1, 3, K), c.in(2).to_bool());
}
void k_linear_vec(Call& c) {
  const Tensor& x = tensor_arg(c, 0);
  linear(c, x, vec_request(x, c.in(1), c.in(3)), c.in(2).to_bool());
}

void refuse_bicubic(Call&) { fail("upsample_bicubic2d is not supported by ember"); }
void refuse_bilinear_aa(Call&) { fail("_upsample_bilinear2d_aa is not supported by ember"); }
void refuse_bicubic_aa(Call&) { fail("_upsample_bicubic2d_aa is not supported by ember"); }
void refuse_lanczos_aa(Call&) { fail("_upsample_lanczos2d_aa is not supported by ember"); }

}  // namespace

void register_resample_kernels(KernelRegistry& r) {
  r.add("aten::upsample_nearest1d", k_nearest<1, false>);
  r.add("aten::upsample_nearest2d", k_nearest<2, false>);
  r.add("aten::upsample_nearest3d", k_nearest<3, false>);
  r.add("aten::_upsample_nearest_exact1d", k_nearest<1, true>);
  r.add("aten::_upsample_nearest_exact2d", k_nearest<2, true>);
  r.add("aten::_upsample_nearest_exact3d", k_nearest<3, true>);
  for (const char* name : {"aten::upsample_nearest1d.vec", "aten::upsample_nearest2d.vec",
                           "aten::upsample_nearest3d.vec"})
    r.add(name, k_nearest_vec<false>);
  for (const char* name : {"aten::_upsample_nearest_exact1d.vec",
                           "aten::_upsample_nearest_exact2d.vec",
                           "aten::_upsample_nearest_exact3d.vec"})
    r.add(name, k_nearest_vec<true>);
  r.add("aten::upsample_linear1d", k_linear<1>);
  r.add("aten::upsample_bilinear2d", k_linear<2>);
  r.add("aten::upsample_trilinear3d", k_linear<3>);
  for (const char* name : {"aten::upsample_linear1d.vec", "aten::upsample_bilinear2d.vec",
                           "aten::upsample_trilinear3d.vec"})
    r.add(name, k_linear_vec);
  r.add("aten::upsample_bicubic2d", refuse_bicubic);
  r.add("aten::upsample_bicubic2d.vec", refuse_bicubic);
  r.add("aten::_upsample_bilinear2d_aa", refuse_bilinear_aa);
  r.add("aten::_upsample_bilinear2d_aa.vec", refuse_bilinear_aa);
  r.add("aten::_upsample_bicubic2d_aa", refuse_bicubic_aa);
  r.add("aten::_upsample_bicubic2d_aa.vec", refuse_bicubic_aa);
  r.add("aten::_upsample_lanczos2d_aa", refuse_lanczos_aa);
  r.add("aten::_upsample_lanczos2d_aa.vec", refuse_lanczos_aa);
}

}  // namespace nn
}  // namespace ember
