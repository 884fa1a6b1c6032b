// aten::conv1d, conv2d (int-list and 'same'/'valid' padding overloads), convolution and
// _convolution: PyTorch's argument checks, then conv_impl on contiguous data (conv1d is
// conv2d on a height-1 plane; half precision computes in float32 and rounds once).
#include <cmath>
#include <string>

#include "kernels/conv_direct.h"
#include "kernels/conv_impl.h"
#include "kernels/nn_fused.h"
#include "kernels/nn_common.h"

namespace ember {
namespace nn {
namespace {

struct Pads {
  int64_t lo[2], hi[2];
};

std::string join_x(const int64_t* v, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += (i ? " x " : "") + std::to_string(v[i]);
  return s;
}

// (low, high) pads per spatial dim: an int list, or the strings 'valid' / 'same'.
Pads conv_pads(const Value& padding, const Tensor& w, const std::vector<int64_t>& stride,
               const std::vector<int64_t>& dilation, size_t n) {
  Pads p{{0, 0}, {0, 0}};
  if (padding.is_string()) {
    const std::string& s = padding.to_string();
    if (s == "valid") return p;
    if (s != "same") fail("Invalid padding string: '" + s + "'");
    for (int64_t v : stride)
      if (v != 1) fail("padding='same' is not supported for strided convolutions");
    for (size_t i = 0; i < n; ++i) {
      int64_t total = dilation[i] * (w.size(2 + i) - 1);
      p.lo[i] = total / 2, p.hi[i] = total - total / 2;
    }
    return p;
  }
  std::vector<int64_t> v = int_n(padding, n, "padding");
  for (size_t i = 0; i < n; ++i) p.lo[i] = p.hi[i] = v[i];
  return p;
}

void check_conv(const Dims& xs, const Tensor& x, const Tensor& w, const Tensor& bias,
                const std::vector<int64_t>& stride, const Pads& pads,
                const std::vector<int64_t>& dilation, int64_t groups, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (pads.lo[i] < 0 || pads.hi[i] < 0) fail("negative padding is not supported");
  for (int64_t s : stride)
    if (s <= 0) fail("non-positive stride is not supported");
  if (groups <= 0) fail("non-positive groups is not supported");
  if (w.dim() != static_cast<int64_t>(n) + 2)
    fail("Expected " + std::to_string(n + 2) + "-dimensional weight for " +
         std::to_string(n) + "-D convolution, but got weight of size " + show(w.sizes()));
  if (w.size(0) % groups)
    fail("Given groups=" + std::to_string(groups) + ", expected weight to be divisible by " +
         std::to_string(groups) + " at dimension 0, but got weight of size [" + show(w.sizes()) +
         "] instead");
  if (xs[1] != w.size(1) * groups)
    fail("Given groups=" + std::to_string(groups) + ", weight of size " + show(w.sizes()) +
         ", expected input" + show(xs) + " to have " + std::to_string(w.size(1) * groups) +
         " channels, but got " + std::to_string(xs[1]) + " channels instead");
  if (bias.defined() && (bias.dim() != 1 || bias.size(0) != w.size(0)))
    fail("Given weight of size " + show(w.sizes()) +
         ", expected bias to be 1-dimensional with " + std::to_string(w.size(0)) +
         " elements, but got bias of size " + show(bias.sizes()) + " instead");
  int64_t padded[2], extent[2];
  bool too_big = false;
  for (size_t i = 0; i < n; ++i) {
    padded[i] = xs[2 + i] + pads.lo[i] + pads.hi[i];
    extent[i] = dilation[i] * (w.size(2 + i) - 1) + 1;
    too_big |= extent[i] > padded[i];
  }
  if (too_big)
    fail("Calculated padded input size per channel: (" + join_x(padded, n) +
         "). Kernel size: (" + join_x(extent, n) +
         "). Kernel size can't be greater than actual input size");
  DType d = x.dtype();
  if (w.dtype() != d)
    fail(std::string("expected scalar type ") + cpp_name(d) + " but found " + cpp_name(w.dtype()));
  if (bias.defined() && bias.dtype() != d)
    fail(std::string("Input type (") + c_type_name(d) + ") and bias type (" +
         c_type_name(bias.dtype()) + ") should be the same");
  bool dilated = false;
  for (int64_t v : dilation) dilated |= v != 1;
  bool small_int = d == DType::Bool || d == DType::UInt8 || d == DType::Int8 ||
                   d == DType::Int16 || d == DType::Int32;
  if (dilated && small_int) not_implemented("slow_conv_dilated<>", d);
  if (d == DType::Bool) not_implemented("slow_conv2d_cpu", d);
  if (is_complex(d)) not_implemented("slow_conv2d_cpu", d);
}

// What a pre-packed convolution adds: the packed weight (pack_conv_weight) and the
// activation to apply (0 none, else 1 + Activation).
struct ConvPlan {
  const Tensor& packed;
  int act;
};

// The direct kernel on float32 data when the plan's packed weight fits the geometry; false
// when the caller computes another way.
bool run_direct(const ConvPlan* plan, const Tensor& x, const Tensor& w, const Tensor& bias,
                Tensor& out, const ConvGeom& g) {
  if (!plan || x.dtype() != DType::Float32 || !direct_conv_fits(g)) return false;
  const Tensor& pk = plan->packed;
  if (pk.dtype() != DType::Float32 || !pk.is_contiguous() ||
      pk.numel() != packed_conv_numel(g.o, g.c * g.kh * g.kw)) {
    return false;
  }
  float lo = plan->act ? 0.f : -INFINITY, hi = plan->act == 2 ? 6.f : INFINITY;
  Tensor xc = x.is_contiguous() ? x : x.contiguous();
  Tensor bc = bias.defined() ? contiguous_as(bias, DType::Float32) : bias;
  conv2d_direct(xc.data<float>(), pk.data<float>(), bc.defined() ? bc.data<float>() : nullptr,
                out.data<float>(), g, lo, hi);
  return true;
}

// conv{n}d(input, weight, bias, stride, padding, dilation, groups) with n = 1 or 2.
void conv_nd(Call& c, size_t n, const Tensor& x, const Tensor& w, const Tensor& bias,
             const Value& stride_v, const Value& padding_v, const Value& dilation_v,
             int64_t groups, const ConvPlan* plan = nullptr) {
  const char* name = n == 1 ? "conv1d" : "conv2d";
  bool unbatched = x.dim() == static_cast<int64_t>(n) + 1;
  if (!unbatched && x.dim() != static_cast<int64_t>(n) + 2)
    fail("Expected " + std::to_string(n + 1) + "D (unbatched) or " + std::to_string(n + 2) +
         "D (batched) input to " + name + ", but got input of size: " + show(x.sizes()));
  std::vector<int64_t> stride = int_n(stride_v, n, "stride");
  std::vector<int64_t> dilation = int_n(dilation_v, n, "dilation");
  if (w.dim() < 2) fail(std::string(name) + ": weight must have at least 2 dims, got " + show(w.sizes()));
  Dims xs = with_batch(x, unbatched);
  if (w.dim() != static_cast<int64_t>(n) + 2)
    fail("Expected " + std::to_string(n + 2) + "-dimensional weight for " + name +
         ", but got weight of size " + show(w.sizes()));
  Pads pads = conv_pads(padding_v, w, stride, dilation, n);
  check_conv(xs, x, w, bias, stride, pads, dilation, groups, n);
  ConvGeom g;
  g.n = xs[0], g.c = xs[1], g.o = w.size(0), g.groups = groups;
  if (n == 1) {
    g.h = 1, g.w = xs[2], g.kh = 1, g.kw = w.size(2);
    g.sh = 1, g.sw = stride[0], g.ph = 0, g.pw = pads.lo[0], g.dh = 1, g.dw = dilation[0];
    g.oh = 1;
    g.ow = out_size(g.w, g.kw, g.sw, pads.lo[0], pads.hi[0], g.dw);
  } else {
    g.h = xs[2], g.w = xs[3], g.kh = w.size(2), g.kw = w.size(3);
    g.sh = stride[0], g.sw = stride[1], g.ph = pads.lo[0], g.pw = pads.lo[1];
    g.dh = dilation[0], g.dw = dilation[1];
    g.oh = out_size(g.h, g.kh, g.sh, pads.lo[0], pads.hi[0], g.dh);
    g.ow = out_size(g.w, g.kw, g.sw, pads.lo[1], pads.hi[1], g.dw);
  }
  Dims os = n == 1 ? Dims{g.n, g.o, g.ow} : Dims{g.n, g.o, g.oh, g.ow};
  if (unbatched) os.erase(0);
  DType d = x.dtype();
  Tensor out = c.output(0, os, d);
  if (out.numel() != 0 && run_direct(plan, x, w, bias, out, g)) return;
  DType cd = is_low_precision(d) ? DType::Float32 : d;
  Tensor xc = contiguous_as(x, cd), wc = contiguous_as(w, cd);
  Tensor bc = bias.defined() ? contiguous_as(bias, cd) : bias;
  if (cd == d) {
    conv2d_compute(xc, wc, bc, out, g);
  } else {
    Tensor tmp = Tensor::empty(os, cd);
    conv2d_compute(xc, wc, bc, tmp, g);
    out.copy_from(tmp);
  }
  if (plan && plan->act) activate_in_place(out, static_cast<Activation>(plan->act - 1));
}

}  // namespace

namespace {

void conv_rank(Call& c, size_t n, const ConvPlan* plan) {
  conv_nd(c, n, tensor_arg(c, 0), tensor_arg(c, 1), optional_tensor(c, 2), c.in(3), c.in(4),
          c.in(5), c.in(6).to_int(), plan);
}

// convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding,
// groups, [benchmark, deterministic, cudnn_enabled, allow_tf32]): by the weight's rank.
void convolution(Call& c, const ConvPlan* plan) {
  if (c.in(6).to_bool()) fail("ember does not support transposed convolutions");
  const Tensor& w = tensor_arg(c, 1);
  int64_t rank = w.dim() - 2;
  if (rank != 1 && rank != 2)
    fail("ember supports 1-D and 2-D convolutions; the weight has rank " + std::to_string(rank));
  conv_nd(c, static_cast<size_t>(rank), tensor_arg(c, 0), w, optional_tensor(c, 2), c.in(3),
          c.in(4), c.in(5), c.in(8).to_int(), plan);
}

// Kind: 1 conv1d, 2 conv2d, 0 convolution; Act: 0 none, else 1 + Activation. The packed
// weight is the op's last input (appended by the load-time packing pass).
template <int Kind, int Act>
void k_packed(Call& c) {
  ConvPlan plan{tensor_arg(c, c.num_inputs - 1), Act};
  if (Kind == 0) convolution(c, &plan);
  else conv_rank(c, Kind, &plan);
}

template <int Kind>
KernelFn packed_with(int act) {
  return act == 0 ? k_packed<Kind, 0> : act == 1 ? k_packed<Kind, 1> : k_packed<Kind, 2>;
}

}  // namespace

void k_conv1d(Call& c) { conv_rank(c, 1, nullptr); }
void k_conv2d(Call& c) { conv_rank(c, 2, nullptr); }
void k_convolution(Call& c) { convolution(c, nullptr); }

KernelFn packed_conv_kernel(KernelFn base) {
  if (base == k_conv1d) return k_packed<1, 0>;
  if (base == k_conv2d) return k_packed<2, 0>;
  if (base == k_convolution) return k_packed<0, 0>;
  return nullptr;
}

KernelFn packed_conv_fused(KernelFn packed, Activation act) {
  int a = 1 + static_cast<int>(act);
  if (packed == k_packed<1, 0>) return packed_with<1>(a);
  if (packed == k_packed<2, 0>) return packed_with<2>(a);
  if (packed == k_packed<0, 0>) return packed_with<0>(a);
  return nullptr;
}

void register_conv_kernels(KernelRegistry& r) {
  r.add("aten::conv1d", k_conv1d);
  r.add("aten::conv1d.padding", k_conv1d);
  r.add("aten::conv2d", k_conv2d);
  r.add("aten::conv2d.padding", k_conv2d);
  r.add("aten::convolution", k_convolution);
  r.add("aten::_convolution", k_convolution);
}

}  // namespace nn
}  // namespace ember
