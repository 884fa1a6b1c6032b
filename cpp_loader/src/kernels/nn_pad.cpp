// aten::pad: constant, reflect, replicate and circular padding of the trailing dims, with
// negative amounts cropping. Every mode is a per-dim table from output index to source
// index (-1: the fill value): reflect and replicate pad the input and then crop, circular
// wraps the cropped input, as torch's index arithmetic (and the Python runtime) do.
#include <cstring>
#include <string>

#include "kernels/nn_common.h"

namespace ember {
namespace nn {
namespace {

enum class Mode { Constant, Reflect, Replicate, Circular };

std::vector<int64_t> source_table(int64_t size, int64_t before, int64_t after, Mode mode) {
  int64_t pb = std::max<int64_t>(before, 0), pa = std::max<int64_t>(after, 0);
  int64_t cb = std::max<int64_t>(-before, 0), ca = std::max<int64_t>(-after, 0);
  int64_t out = size + before + after;
  std::vector<int64_t> t(out > 0 ? out : 0);
  for (int64_t o = 0; o < out; ++o) {
    int64_t s;
    switch (mode) {
      case Mode::Constant:
        s = o - before;
        t[o] = s >= 0 && s < size ? s : -1;
        break;
      case Mode::Reflect:
        s = o + cb - pb;
        if (s < 0) s = -s;
        if (s >= size) s = 2 * (size - 1) - s;
        t[o] = s;
        break;
      case Mode::Replicate:
        s = o + cb - pb;
        t[o] = std::min(std::max<int64_t>(s, 0), size - 1);
        break;
      case Mode::Circular: {
        int64_t kept = size - cb - ca;
        s = ((o - pb) % kept + kept) % kept;
        t[o] = s + cb;
        break;
      }
    }
  }
  (void)pa;
  return t;
}

void check_wrapping(const Tensor& x, const std::vector<int64_t>& pad, Mode mode) {
  size_t k = pad.size() / 2;
  if (k < 1 || k > 3 || (x.dim() != static_cast<int64_t>(k) + 1 && x.dim() != static_cast<int64_t>(k) + 2))
    fail("Padding size " + std::to_string(pad.size()) + " is not supported for " +
         std::to_string(x.dim()) + "D input tensor.\nSupported combinations for non-constant "
         "padding:\n  - 2D or 3D input: padding size = 2 (pads last dimension)\n  - 3D or 4D "
         "input: padding size = 4 (pads last 2 dimensions)\n  - 4D or 5D input: padding size = 6 "
         "(pads last 3 dimensions)");
  for (int64_t d = 1; d < x.dim(); ++d)
    if (x.size(d) == 0)
      fail("Expected " + std::to_string(k + 1) + "D or " + std::to_string(k + 2) +
           "D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for "
           "input, but got: " + show(x.sizes()));
  const char* names[3] = {"W", "H", "D"};
  for (size_t i = 0; i < k; ++i) {
    int64_t dim = x.dim() - 1 - i, size = x.size(dim), before = pad[2 * i], after = pad[2 * i + 1];
    if (mode == Mode::Reflect && (before >= size || after >= size))
      fail("Argument #4: Padding size should be less than the corresponding input dimension, but "
           "got: padding (" + std::to_string(before) + ", " + std::to_string(after) +
           ") at dimension " + std::to_string(dim) + " of input " + show(x.sizes()));
    int64_t kept = size + std::min<int64_t>(before, 0) + std::min<int64_t>(after, 0);
    if (mode == Mode::Circular && (before > kept || after > kept))
      fail("Padding value causes wrapping around more than once.");
    if (size + before + after <= 0)
      fail(std::string("input (") + names[i] + ": " + std::to_string(size) +
           ") is too small. Calculated output " + names[i] + ": " +
           std::to_string(size + before + after));
  }
}

// out[o...] = x[t0[o0], t1[o1], ...] or the fill where any table entry is -1.
template <class T>
void fill_padded(const Tensor& x, Tensor& out, const std::vector<std::vector<int64_t>>& tables,
                 T fill) {
  const T* src = x.data<T>();
  T* dst = out.data<T>();
  int64_t nd = out.dim(), count = out.numel();
  if (count == 0) return;
  int64_t inner = out.size(nd - 1);
  const std::vector<int64_t>& last = tables[nd - 1];
  int64_t last_stride = x.stride(nd - 1);
  Dims index(nd, 0);
  for (int64_t i = 0; i < count; i += inner) {
    int64_t base = 0;
    bool outside = false;
    for (int64_t d = 0; d + 1 < nd; ++d) {
      int64_t s = tables[d][index[d]];
      if (s < 0) outside = true;
      base += s * x.stride(d);
    }
    if (outside) {
      std::fill(dst + i, dst + i + inner, fill);
    } else {
      for (int64_t j = 0; j < inner; ++j) {
        int64_t s = last[j];
        dst[i + j] = s < 0 ? fill : src[base + s * last_stride];
      }
    }
    for (int64_t d = nd - 2; d >= 0; --d) {
      if (++index[d] < out.size(d)) break;
      index[d] = 0;
    }
  }
}

// pad(self, pad, mode, value)
void k_pad(Call& c) {
  const Tensor& x = tensor_arg(c, 0);
  std::vector<int64_t> pad = c.in(1).to_int_vector();
  std::string mode_s = c.in(2).to_string();
  const Value& value = c.in(3);
  if (pad.size() % 2) fail("Padding length must be divisible by 2");
  if (static_cast<int64_t>(pad.size() / 2) > x.dim())
    fail("Padding length should be less than or equal to two times the input dimension but got "
         "padding length " + std::to_string(pad.size()) + " and input of dimension " +
         std::to_string(x.dim()));
  Mode mode;
  if (mode_s == "constant") mode = Mode::Constant;
  else {
    if (!value.is_none())
      fail("Padding mode \"" + mode_s + "\" doesn't take in value argument");
    if (mode_s == "reflect") mode = Mode::Reflect;
    else if (mode_s == "replicate") mode = Mode::Replicate;
    else if (mode_s == "circular") mode = Mode::Circular;
    else fail("Unrecognised padding mode " + mode_s);
    check_wrapping(x, pad, mode);
  }
  int64_t nd = x.dim();
  std::vector<std::vector<int64_t>> tables(nd);
  Dims os = x.sizes();
  for (int64_t d = 0; d < nd; ++d) {
    int64_t i = nd - 1 - d;  // pad pair index
    int64_t before = 0, after = 0;
    if (static_cast<size_t>(i) < pad.size() / 2) before = pad[2 * i], after = pad[2 * i + 1];
    if (mode == Mode::Constant && x.size(d) + std::min<int64_t>(before, 0) + std::min<int64_t>(after, 0) < 0)
      fail("narrow(): length must be non-negative.");
    os[d] = std::max<int64_t>(x.size(d) + before + after, 0);
    tables[d] = source_table(x.size(d), before, after, mode);
  }
  double fill = value.is_none() ? 0.0 : value.to_double();
  Tensor out = c.output(0, os, x.dtype());
  if (nd == 0) {
    out.copy_from(x);
    return;
  }
  switch (x.dtype()) {
    case DType::Float32: return fill_padded<float>(x, out, tables, static_cast<float>(fill));
    case DType::Float64: return fill_padded<double>(x, out, tables, fill);
    case DType::Int64: return fill_padded<int64_t>(x, out, tables, static_cast<int64_t>(fill));
    case DType::Int32: return fill_padded<int32_t>(x, out, tables, static_cast<int32_t>(fill));
    case DType::Int16: return fill_padded<int16_t>(x, out, tables, static_cast<int16_t>(fill));
    case DType::Int8: return fill_padded<int8_t>(x, out, tables, static_cast<int8_t>(fill));
    case DType::UInt8: return fill_padded<uint8_t>(x, out, tables, static_cast<uint8_t>(fill));
    case DType::Bool: return fill_padded<bool>(x, out, tables, fill != 0);
    default: {
      // half precision: pad in float32, then convert back (exact)
      if (is_complex(x.dtype())) not_implemented("constant_pad_nd", x.dtype());
      Tensor xw = x.to(DType::Float32);
      Tensor tmp = Tensor::empty(os, DType::Float32);
      fill_padded<float>(xw, tmp, tables, static_cast<float>(fill));
      out.copy_from(tmp);
    }
  }
}

}  // namespace

void register_pad_kernels(KernelRegistry& r) { r.add("aten::pad", k_pad); }

}  // namespace nn
}  // namespace ember
