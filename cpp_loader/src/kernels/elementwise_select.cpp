// Selection: where, clamp (scalar and tensor bounds), masked_fill, and the closeness
// tests equal / isclose / allclose.
#include <cmath>
#include <algorithm>
#include <string>
#include <vector>

#include "kernels/support/apply.h"
#include "kernels/support/math.h"

namespace ember {
namespace elem {
namespace {

void where(Call& c) {
  Arg cond = arg(c.in(0), "where"), a = arg(c.in(1), "where"), b = arg(c.in(2), "where");
  DType cd = cond.dtype();
  if (cd != DType::Bool && cd != DType::UInt8)
    fail(std::string("where expected condition to be a boolean tensor, but got a tensor with "
                     "dtype ") + cpp_name(cd));
  DType rt = result_type({&a, &b});
  Tensor dst = out_of_place(c, broadcast_shape({&cond, &a, &b}), rt);
  dispatch<kAll>(compute_dtype(rt), "where_cpu", [&](auto tag) {
    using T = typename decltype(tag)::type;
    ternary<T, bool, T, T>(dst, cond, a, b, [](bool m, T x, T y) { return m ? x : y; });
  });
}

// where(condition): the indices of the non-zero elements, one int64 tensor per dim.
void nonzero(Call& c) {
  const Tensor& t = c.in(0).to_tensor();
  Tensor m = t.dtype() == DType::Bool ? t.contiguous() : t.to(DType::Bool).contiguous();
  const bool* p = m.data<bool>();
  const int64_t n = m.numel(), nd = std::max<int64_t>(t.dim(), 1);
  int64_t hits = 0;
  for (int64_t i = 0; i < n; ++i) hits += p[i];
  std::vector<Value> columns;
  std::vector<int64_t*> out;
  for (int64_t d = 0; d < nd; ++d) {
    Tensor col = Tensor::empty(Dims{hits}, DType::Int64);
    out.push_back(col.data<int64_t>());
    columns.emplace_back(col);
  }
  Dims sizes = t.dim() ? t.sizes() : Dims{1};
  for (int64_t i = 0, h = 0; i < n; ++i) {
    if (!p[i]) continue;
    for (int64_t d = nd - 1, rest = i; d >= 0; --d) {
      out[d][h] = rest % sizes[d];
      rest /= sizes[d];
    }
    ++h;
  }
  c.set(0, Value::list(std::move(columns)));
}

// clamp's bound: isnan(bound) wins, a tie keeps x.
template <class T>
inline T lower(T x, T lo) {
  if constexpr (std::is_floating_point<T>::value) {
    if (lo != lo) return lo;
  }
  return lo > x ? lo : x;
}
template <class T>
inline T upper(T x, T hi) {
  if constexpr (std::is_floating_point<T>::value) {
    if (hi != hi) return hi;
  }
  return hi < x ? hi : x;
}

void clamp(Call& c, bool inplace, const Value& lo_v, const Value& hi_v, bool tensors) {
  Arg a = arg(c.in(0), "clamp");
  bool has_lo = !lo_v.is_none(), has_hi = !hi_v.is_none();
  if (!has_lo && !has_hi) fail("torch.clamp: At least one of 'min' or 'max' must not be None");
  Arg lo = has_lo ? arg(lo_v, "clamp") : Arg(), hi = has_hi ? arg(hi_v, "clamp") : Arg();
  DType rt = has_lo && has_hi ? result_type({&a, &lo, &hi})
             : has_lo         ? result_type({&a, &lo})
                              : result_type({&a, &hi});
  if (has_lo) scalar_fits(lo, rt);
  if (has_hi) scalar_fits(hi, rt);
  if (rt == DType::Bool && !(tensors && has_lo != has_hi)) {
    const char* k = tensors ? (has_lo && has_hi ? "clamp_cpu" : has_lo ? "maximum_cpu" : "minimum_cpu")
                            : (has_lo && has_hi ? "clamp_scalar_cpu"
                               : has_lo         ? "clamp_min_scalar_cpu"
                                                : "clamp_max_scalar_cpu");
    not_implemented(k, rt);
  }
  Dims shape = has_lo && has_hi ? broadcast_shape({&a, &lo, &hi})
               : has_lo         ? broadcast_shape({&a, &lo})
                                : broadcast_shape({&a, &hi});
  Tensor dst = inplace ? in_place(c, *a.tensor, rt, shape, true) : out_of_place(c, shape, rt);
  dispatch<kAll>(compute_dtype(rt), "clamp", [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (has_lo && has_hi)
      ternary<T, T, T, T>(dst, a, lo, hi, [](T x, T l, T h) { return upper(lower(x, l), h); });
    else if (has_lo)
      binary<T, T, T>(dst, a, lo, [](T x, T l) { return lower(x, l); });
    else
      binary<T, T, T>(dst, a, hi, [](T x, T h) { return upper(x, h); });
  });
}

void masked_fill(Call& c, bool inplace) {
  Arg a = arg(c.in(0), "masked_fill"), mask = arg(c.in(1), "masked_fill");
  if (!a.is_tensor() || !mask.is_tensor()) fail("masked_fill: expected tensors");
  if (mask.dtype() != DType::Bool)
    fail(std::string("masked_fill_ only supports boolean masks, but got mask with dtype ") +
         c_type_name(mask.dtype()));
  DType d = a.dtype();
  Arg value = arg(c.in(2), "masked_fill");
  if (value.is_tensor()) {
    const Tensor& v = *value.tensor;
    if (v.numel() != 1)
      fail("a Tensor with " + std::to_string(v.numel()) + " elements cannot be converted to Scalar");
    value = element_arg(v);
  } else {
    scalar_fits(value, d);
  }
  if (value.kind == Arg::kDouble && category(d) < 2)  // ember fills int(value)
    value = number_arg(static_cast<int64_t>(std::trunc(value.d)));
  Dims shape = broadcast_shape({&a, &mask});
  Tensor dst = inplace ? in_place(c, *a.tensor, d, shape) : out_of_place(c, shape, d);
  dispatch<kAll>(compute_dtype(d), "masked_fill", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T fill = scalar_as<T>(value);
    binary<T, T, bool>(dst, a, mask, [fill](T x, bool m) { return m ? fill : x; });
  });
}

// isclose into `dst` (bool, the broadcast shape).
void close_into(const Tensor& dst, const Arg& a, const Arg& b, double rtol, double atol,
                bool equal_nan) {
  DType d = a.dtype();
  if (d != b.dtype())
    fail(std::string(dtype_name(d)) + " did not match " + std::string(dtype_name(b.dtype())));
  auto run = [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T rt = static_cast<T>(rtol), at = static_cast<T>(atol);
    binary<bool, T, T>(dst, a, b, [rt, at, equal_nan](T x, T y) {
      bool close = (std::fabs(x - y) <= at + rt * std::fabs(y) && std::isfinite(y)) || x == y;
      return close || (equal_nan && x != x && y != y);
    });
  };
  if (d == DType::Float32 || is_low_float(d)) run(TypeTag<float>{});
  else run(TypeTag<double>{});
}

void isclose(Call& c) {
  Arg a = arg(c.in(0), "isclose"), b = arg(c.in(1), "isclose");
  Tensor dst = out_of_place(c, broadcast_shape({&a, &b}), DType::Bool);
  close_into(dst, a, b, c.in(2).to_double(), c.in(3).to_double(), c.in(4).to_bool());
}

bool all_true(const Tensor& t) {
  const bool* p = t.data<bool>();
  for (int64_t i = 0, n = t.numel(); i < n; ++i)
    if (!p[i]) return false;
  return true;
}

void allclose(Call& c) {
  Arg a = arg(c.in(0), "allclose"), b = arg(c.in(1), "allclose");
  Tensor tmp = Tensor::empty(broadcast_shape({&a, &b}), DType::Bool);
  close_into(tmp, a, b, c.in(2).to_double(), c.in(3).to_double(), c.in(4).to_bool());
  c.set(0, Value(all_true(tmp)));
}

void equal(Call& c) {
  const Tensor& a = c.in(0).to_tensor();
  const Tensor& b = c.in(1).to_tensor();
  if (a.sizes() != b.sizes()) return c.set(0, Value(false));
  Arg x = arg(c.in(0), "equal"), y = arg(c.in(1), "equal");
  DType rt = promote_types(a.dtype(), b.dtype());
  Tensor tmp = Tensor::empty(a.sizes(), DType::Bool);
  equal_into(tmp, rt, x, y, "equal");
  c.set(0, Value(all_true(tmp)));
}

}  // namespace

void register_select_kernels(KernelRegistry& r) {
  for (const char* s : {"aten::where.self", "aten::where.ScalarOther", "aten::where.ScalarSelf",
                        "aten::where.Scalar"})
    r.add(s, where);
  r.add("aten::where", nonzero);
  r.add("aten::clamp", [](Call& c) { clamp(c, false, c.in(1), c.in(2), false); });
  r.add("aten::clamp.Tensor", [](Call& c) { clamp(c, false, c.in(1), c.in(2), true); });
  r.add("aten::clamp_min", [](Call& c) { clamp(c, false, c.in(1), Value(), false); });
  r.add("aten::clamp_max", [](Call& c) { clamp(c, false, Value(), c.in(1), false); });
  r.add("aten::clamp_", [](Call& c) { clamp(c, true, c.in(1), c.in(2), false); });
  r.add("aten::clamp_min_", [](Call& c) { clamp(c, true, c.in(1), Value(), false); });
  r.add("aten::clamp_max_", [](Call& c) { clamp(c, true, Value(), c.in(1), false); });
  r.add("aten::masked_fill.Scalar", [](Call& c) { masked_fill(c, false); });
  r.add("aten::masked_fill.Tensor", [](Call& c) { masked_fill(c, false); });
  r.add("aten::masked_fill_.Scalar", [](Call& c) { masked_fill(c, true); });
  r.add("aten::masked_fill_.Tensor", [](Call& c) { masked_fill(c, true); });
  r.add("aten::equal", equal);
  r.add("aten::isclose", isclose);
  r.add("aten::allclose", allclose);
}

}  // namespace elem
}  // namespace ember
