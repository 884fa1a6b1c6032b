// aten::scaled_dot_product_attention, _native_multi_head_attention and
// _transformer_encoder_layer_fwd (the fast paths torch's nn.MultiheadAttention and
// nn.TransformerEncoderLayer take in eval mode), plus the nested-tensor ops their archives
// name. Heads stay strided views of the projections: the batched matmul hands them to BLAS
// as they lie. Computation in float32 (float64 for float64 inputs).
#include <cmath>
#include <limits>

#include "kernels/blas_ops.h"
#include "kernels/nn_common.h"
#include "kernels/nn_ops.h"

namespace ember {
namespace nn {
namespace {

template <class T>
void softmax_rows_t(T* x, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r) {
    T* row = x + r * n;
    T peak = -std::numeric_limits<T>::infinity();
    for (int64_t j = 0; j < n; ++j) peak = std::max(peak, row[j]);
    bool dead = std::isinf(peak) && peak < 0;
    if (dead) peak = T(0);
    T total = T(0);
    for (int64_t j = 0; j < n; ++j) total += (row[j] = std::exp(row[j] - peak));
    if (dead) total = T(1);
    for (int64_t j = 0; j < n; ++j) row[j] /= total;
  }
}

Tensor swap_last(const Tensor& t) {
  Dims s = t.sizes(), st = t.strides();
  size_t n = s.size();
  std::swap(s[n - 1], s[n - 2]);
  std::swap(st[n - 1], st[n - 2]);
  return t.as_strided(s, st, t.storage_offset());
}

// Columns [start, start + len) of the last dim of `t`.
Tensor narrow_last(const Tensor& t, int64_t start, int64_t len) {
  Dims s = t.sizes();
  s.back() = len;
  return t.as_strided(s, t.strides(), t.storage_offset() + start * t.strides().back());
}

// Rows [start, start + len) of dim 0.
Tensor narrow_first(const Tensor& t, int64_t start, int64_t len) {
  Dims s = t.sizes();
  s[0] = len;
  return t.as_strided(s, t.strides(), t.storage_offset() + start * t.stride(0));
}

// (B, T, D) -> (B, H, T, D/H) as a view.
Tensor heads(const Tensor& x, int64_t h) {
  int64_t d = x.size(2) / h;
  return x.as_strided(Dims{x.size(0), h, x.size(1), d},
                      Dims{x.stride(0), d * x.stride(2), x.stride(1), x.stride(2)},
                      x.storage_offset());
}

// softmax(q @ k^T * scale + mask) over the last dim: a bool mask keeps True, a float one
// is added. A new contiguous tensor in q's dtype (float or double).
template <class T>
Tensor weights_t(const Tensor& q, const Tensor& k, double scale, const Tensor& mask) {
  Tensor scores = matmul(q, swap_last(k));
  T* s = scores.data<T>();
  int64_t count = scores.numel(), n = scores.size(-1);
  T sc = static_cast<T>(scale);
  for (int64_t i = 0; i < count; ++i) s[i] *= sc;
  if (mask.defined()) {
    bool is_bool = mask.dtype() == DType::Bool;
    Tensor m = Tensor::empty(scores.sizes(), is_bool ? DType::Bool : scores.dtype());
    m.copy_from(mask);
    if (is_bool) {
      const bool* keep = m.data<bool>();
      for (int64_t i = 0; i < count; ++i)
        if (!keep[i]) s[i] = -std::numeric_limits<T>::infinity();
    } else {
      const T* add = m.data<T>();
      for (int64_t i = 0; i < count; ++i) s[i] += add[i];
    }
  }
  if (n) softmax_rows_t(s, count / n, n);
  return scores;
}

Tensor weights(const Tensor& q, const Tensor& k, double scale, const Tensor& mask) {
  return q.dtype() == DType::Float64 ? weights_t<double>(q, k, scale, mask)
                                     : weights_t<float>(q, k, scale, mask);
}

// np.repeat(t, r, axis=-3)
Tensor repeat_heads(const Tensor& t, int64_t r) {
  Dims s = t.sizes();
  size_t n = s.size();
  Dims vs = s, vst = t.strides();
  vs.insert(n - 2, r);
  vst.insert(n - 2, 0);
  Tensor view = t.as_strided(vs, vst, t.storage_offset());
  Tensor out = Tensor::empty(vs, t.dtype());
  out.copy_from(view);
  s[n - 3] *= r;
  return out.as_strided(s, Tensor::contiguous_strides(s), 0);
}

Tensor as_compute(const Tensor& t) {
  return t.defined() && is_low_precision(t.dtype()) ? t.to(DType::Float32) : t;
}

Tensor set_result(Call& c, uint32_t i, const Tensor& result, DType dtype) {
  Tensor out = c.output(i, result.sizes(), dtype);
  out.copy_from(result);
  return out;
}

// scaled_dot_product_attention(query, key, value, attn_mask, dropout_p, is_causal, *,
// scale, enable_gqa)
void k_sdpa(Call& c) {
  Tensor q = as_compute(tensor_arg(c, 0)), k = as_compute(tensor_arg(c, 1));
  Tensor v = as_compute(tensor_arg(c, 2)), mask = optional_tensor(c, 3);
  double dropout_p = c.in(4).to_double();
  bool causal = c.in(5).to_bool(), gqa = c.in(7).to_bool();
  DType dt = tensor_arg(c, 0).dtype();
  if (causal && mask.defined())
    fail("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True");
  if (!is_floating(dt)) not_implemented("scaled_dot_product_attention", dt);
  if (gqa && q.dim() >= 3) {
    int64_t kv = k.size(-3), qh = q.size(-3);
    if (qh % kv) fail("Number of heads in key and value must divide the number of heads in query");
    k = repeat_heads(k, qh / kv), v = repeat_heads(v, qh / kv);
  }
  double scale = c.in(6).is_none() ? 1.0 / std::sqrt(static_cast<double>(q.size(-1)))
                                   : c.in(6).to_double();
  if (causal) {
    int64_t l = q.size(-2), s = k.size(-2);
    mask = Tensor::empty(Dims{l, s}, DType::Bool);
    bool* m = mask.data<bool>();
    for (int64_t i = 0; i < l; ++i)
      for (int64_t j = 0; j < s; ++j) m[i * s + j] = j <= i;
  }
  if (mask.defined() && mask.dtype() != DType::Bool) mask = mask.to(q.dtype());
  Tensor w = weights(q, k, scale, mask);
  if (dropout_p > 0) w = dropout(w, dropout_p, true);
  Dims os = matmul_sizes(w, v);
  if (dt == q.dtype()) {
    Tensor out = c.output(0, os, dt);
    matmul_into(w, v, out);
  } else {
    set_result(c, 0, matmul(w, v), dt);
  }
}

struct Mha {
  int64_t embed, heads;
  Tensor qkv_w, qkv_b, proj_w, proj_b;
};

// Multi-head self/cross attention; `mask` (may be undefined) follows the native path's
// rules (True or non-zero masks out). Returns (output, weights (B, H, L, S)).
std::pair<Tensor, Tensor> mha(const Tensor& query, const Tensor& key, const Tensor& value,
                              bool same, const Mha& p, const Tensor& mask_in, int64_t mask_type) {
  int64_t d = p.embed;
  Tensor q, k, v;
  if (same) {
    Tensor qkv = linear(query, p.qkv_w, p.qkv_b);
    q = narrow_last(qkv, 0, d), k = narrow_last(qkv, d, d), v = narrow_last(qkv, 2 * d, d);
  } else {
    q = linear(query, narrow_first(p.qkv_w, 0, d), narrow_first(p.qkv_b, 0, d));
    k = linear(key, narrow_first(p.qkv_w, d, d), narrow_first(p.qkv_b, d, d));
    v = linear(value, narrow_first(p.qkv_w, 2 * d, d), narrow_first(p.qkv_b, 2 * d, d));
  }
  Tensor keep;
  if (mask_in.defined()) {
    Tensor m = mask_in;
    if (m.dtype() != DType::Bool) {
      Tensor mc = contiguous_as(m, DType::Float64);
      m = Tensor::empty(mc.sizes(), DType::Bool);
      for (int64_t i = 0; i < mc.numel(); ++i) m.data<bool>()[i] = mc.data<double>()[i] != 0;
    }
    bool per_batch = mask_type == 1 ||
                     (mask_type < 0 && m.dim() == 2 && m.size(0) == query.size(0));
    Tensor mc = m.is_contiguous() ? m : m.contiguous();
    keep = Tensor::empty(mc.sizes(), DType::Bool);
    for (int64_t i = 0; i < mc.numel(); ++i) keep.data<bool>()[i] = !mc.data<bool>()[i];
    if (per_batch) {
      Dims s{keep.size(0), 1, 1, keep.size(-1)};
      keep = keep.as_strided(s, Tensor::contiguous_strides(s), 0);
    }
  }
  Tensor w = weights(heads(q, p.heads), heads(k, p.heads), 1.0 / std::sqrt(double(d / p.heads)), keep);
  Tensor o = matmul(w, heads(v, p.heads));  // (B, H, L, hd)
  int64_t b = o.size(0), l = o.size(2), hd = o.size(3);
  Tensor merged = o.as_strided(Dims{b, l, p.heads, hd}, Dims{o.stride(0), o.stride(2), o.stride(1), o.stride(3)},
                               o.storage_offset()).contiguous();
  merged = merged.as_strided(Dims{b, l, d}, Dims{l * d, d, 1}, merged.storage_offset());
  return {linear(merged, p.proj_w, p.proj_b), w};
}

int64_t optional_int(const Value& v) { return v.is_none() ? -1 : v.to_int(); }

// _native_multi_head_attention(query, key, value, embed_dim, num_head, qkv_weight, qkv_bias,
// proj_weight, proj_bias, mask, need_weights, average_attn_weights, mask_type)
void k_native_mha(Call& c) {
  DType dt = tensor_arg(c, 0).dtype();
  Tensor q = as_compute(tensor_arg(c, 0)), k = as_compute(tensor_arg(c, 1)),
         v = as_compute(tensor_arg(c, 2));
  Mha p{c.in(3).to_int(), c.in(4).to_int(), as_compute(tensor_arg(c, 5)),
        as_compute(tensor_arg(c, 6)), as_compute(tensor_arg(c, 7)), as_compute(tensor_arg(c, 8))};
  if (p.heads <= 0 || p.embed % p.heads) fail("embed_dim must be divisible by num_heads");
  bool same = tensor_arg(c, 0).same(tensor_arg(c, 1)) && tensor_arg(c, 1).same(tensor_arg(c, 2));
  auto [out, w] = mha(q, k, v, same, p, optional_tensor(c, 9), optional_int(c.in(12)));
  set_result(c, 0, out, dt);
  if (!c.in(10).to_bool()) {
    c.output(1, Dims{0}, dt);
    return;
  }
  if (!c.in(11).to_bool()) {
    set_result(c, 1, w, dt);
    return;
  }
  // mean over the heads
  int64_t b = w.size(0), h = w.size(1), per = w.numel() / std::max<int64_t>(b * h, 1);
  Tensor mean = Tensor::empty(Dims{b, w.size(2), w.size(3)}, w.dtype());
  Tensor w64 = w.to(DType::Float64), m64 = Tensor::zeros(mean.sizes(), DType::Float64);
  const double* src = w64.data<double>();
  double* dst = m64.data<double>();
  for (int64_t i = 0; i < b; ++i)
    for (int64_t j = 0; j < h; ++j)
      for (int64_t e = 0; e < per; ++e) dst[i * per + e] += src[(i * h + j) * per + e];
  for (int64_t e = 0; e < m64.numel(); ++e) dst[e] /= double(h);
  set_result(c, 1, m64, dt);
}

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = a.clone();
  if (out.dtype() == DType::Float64) {
    double* o = out.data<double>();
    Tensor bc = b.contiguous();
    for (int64_t i = 0; i < out.numel(); ++i) o[i] += bc.data<double>()[i];
  } else {
    float* o = out.data<float>();
    Tensor bc = b.contiguous();
    for (int64_t i = 0; i < out.numel(); ++i) o[i] += bc.data<float>()[i];
  }
  return out;
}

template <class T>
void activate(T* x, int64_t n, bool gelu) {
  for (int64_t i = 0; i < n; ++i) {
    T v = x[i];
    if (gelu) x[i] = v * T(0.5) * (T(1) + std::erf(v * T(M_SQRT1_2)));
    else x[i] = std::isnan(v) ? v : (v > T(0) ? v : T(0));
  }
}

// _transformer_encoder_layer_fwd(src, embed_dim, num_heads, qkv_weight, qkv_bias,
// proj_weight, proj_bias, use_gelu, norm_first, eps, norm_weight_1, norm_bias_1,
// norm_weight_2, norm_bias_2, ffn_weight_1, ffn_bias_1, ffn_weight_2, ffn_bias_2, mask,
// mask_type)
void k_encoder_layer(Call& c) {
  DType dt = tensor_arg(c, 0).dtype();
  Tensor src = as_compute(tensor_arg(c, 0));
  int64_t d = c.in(1).to_int();
  Mha p{d, c.in(2).to_int(), as_compute(tensor_arg(c, 3)), as_compute(tensor_arg(c, 4)),
        as_compute(tensor_arg(c, 5)), as_compute(tensor_arg(c, 6))};
  if (p.heads <= 0 || d % p.heads) fail("embed_dim must be divisible by num_heads");
  bool use_gelu = c.in(7).to_bool(), norm_first = c.in(8).to_bool();
  double eps = c.in(9).to_double();
  Tensor nw1 = as_compute(tensor_arg(c, 10)), nb1 = as_compute(tensor_arg(c, 11));
  Tensor nw2 = as_compute(tensor_arg(c, 12)), nb2 = as_compute(tensor_arg(c, 13));
  Tensor f1w = as_compute(tensor_arg(c, 14)), f1b = as_compute(tensor_arg(c, 15));
  Tensor f2w = as_compute(tensor_arg(c, 16)), f2b = as_compute(tensor_arg(c, 17));
  Tensor mask = optional_tensor(c, 18);
  int64_t mask_type = optional_int(c.in(19));
  auto norm = [&](const Tensor& x, const Tensor& w, const Tensor& b) {
    return layer_norm_last(x, w, b, eps);
  };
  auto attend = [&](const Tensor& x) { return mha(x, x, x, true, p, mask, mask_type).first; };
  auto feed_forward = [&](const Tensor& x) {
    Tensor hidden = linear(x, f1w, f1b);
    if (hidden.dtype() == DType::Float64) activate(hidden.data<double>(), hidden.numel(), use_gelu);
    else activate(hidden.data<float>(), hidden.numel(), use_gelu);
    return linear(hidden, f2w, f2b);
  };
  Tensor x = src;
  if (norm_first) {
    x = add(x, attend(norm(x, nw1, nb1)));
    x = add(x, feed_forward(norm(x, nw2, nb2)));
  } else {
    x = norm(add(x, attend(x)), nw1, nb1);
    x = norm(add(x, feed_forward(x)), nw2, nb2);
  }
  set_result(c, 0, x, dt);
}

// _nested_tensor_from_mask_left_aligned(t, mask): each row holds its tokens first.
void k_left_aligned(Call& c) {
  const Tensor& mask = tensor_arg(c, 1);
  Tensor m = contiguous_as(mask, DType::Float64);
  int64_t n = m.dim() ? m.size(-1) : 1, rows = n ? m.numel() / n : 0;
  const double* p = m.data<double>();
  bool ok = true;
  for (int64_t r = 0; r < rows && ok; ++r)
    for (int64_t j = 1; j < n && ok; ++j) ok = !((p[r * n + j - 1] == 0) && (p[r * n + j] != 0));
  c.set(0, Value(ok));
}

void k_refuse_nested(Call&) {
  fail("ember has no nested tensors (aten::_nested_tensor_from_mask): this encoder was saved "
       "with enable_nested_tensor=True and is called with a padding mask; build it with "
       "enable_nested_tensor=False to run it in ember");
}

}  // namespace

void safe_softmax_rows(float* x, int64_t rows, int64_t n) { softmax_rows_t(x, rows, n); }
void safe_softmax_rows(double* x, int64_t rows, int64_t n) { softmax_rows_t(x, rows, n); }

void register_attention_kernels(KernelRegistry& r) {
  r.add("aten::scaled_dot_product_attention", k_sdpa);
  r.add("aten::_native_multi_head_attention", k_native_mha);
  r.add("aten::_transformer_encoder_layer_fwd", k_encoder_layer);
  r.add("aten::_nested_tensor_from_mask_left_aligned", k_left_aligned);
  r.add("aten::_nested_tensor_from_mask", k_refuse_nested);
  r.add("aten::to_padded_tensor", k_refuse_nested);
}

}  // namespace nn
}  // namespace ember
