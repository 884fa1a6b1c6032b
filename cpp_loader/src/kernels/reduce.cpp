// Reductions: sum, prod, mean, var, std, max/min (all, and along a dim with indices),
// argmax/argmin, any/all. Floating sums accumulate in double and round once.
#include <cmath>
#include <string>

#include "kernels/support/apply.h"
#include "kernels/support/math.h"
#include "kernels/support/reduce.h"

namespace ember {
namespace elem {
namespace {

// The input in compute dtype `ct` (a converted copy when its dtype differs).
Tensor as_compute(const Tensor& t, DType ct) { return t.dtype() == ct ? t : t.to(ct); }

struct Dims2 {
  bool flags[kMaxDims];
};

Dims2 dims_of(const Value& dims, const Tensor& t) {
  if (t.dim() > kMaxDims) fail("reductions support at most 16 dimensions");
  Dims2 d;
  reduce_dims(dims, t.dim(), d.flags);
  return d;
}

template <class T>
using Acc = std::conditional_t<std::is_floating_point<T>::value, double,
                               std::conditional_t<std::is_same<T, bool>::value, bool, uint64_t>>;

// Sum of one output's elements in Acc<T>.
template <class T>
Acc<T> sum_of(const Reduction& r, const char* p) {
  Acc<T> total = 0;
  each_row(r, p, [&](const char* q, int64_t s, int64_t n) {
    const T* x = reinterpret_cast<const T*>(q);
    if constexpr (std::is_same<T, bool>::value) {
      for (int64_t i = 0; i < n; ++i) total = total || *reinterpret_cast<const T*>(q + i * s);
    } else if (s == static_cast<int64_t>(sizeof(T))) {
      Acc<T> lanes[8] = {};
      int64_t i = 0;
      for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; ++j) lanes[j] += static_cast<Acc<T>>(x[i + j]);
      for (; i < n; ++i) lanes[0] += static_cast<Acc<T>>(x[i]);
      for (int j = 0; j < 8; ++j) total += lanes[j];
    } else {
      for (int64_t i = 0; i < n; ++i) total += static_cast<Acc<T>>(*reinterpret_cast<const T*>(q + i * s));
    }
  });
  return total;
}

template <class T>
Acc<T> prod_of(const Reduction& r, const char* p) {
  Acc<T> total = 1;
  each_row(r, p, [&](const char* q, int64_t s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      T x = *reinterpret_cast<const T*>(q + i * s);
      if constexpr (std::is_same<T, bool>::value) total = total && x;
      else total *= static_cast<Acc<T>>(x);
    }
  });
  return total;
}

enum class Kind { Sum, Prod, Mean };

// sum/prod/mean of `t` over `flags` into output 0 of dtype `rt`.
void accumulate(Call& c, const Tensor& t, const bool* flags, bool keepdim, DType rt, Kind kind) {
  Tensor dst = c.output(0, reduced_shape(t.sizes(), flags, keepdim), rt);
  DType ct = compute_dtype(rt);
  Tensor x = as_compute(t, ct);
  Reduction r = plan_reduction(x, flags);
  dispatch<kAll>(ct, "sum_cpu", [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor out = target_for<T>(dst);
    T* o = out.data<T>();
    const double n = static_cast<double>(r.count);
    each_output(r, static_cast<const char*>(x.data_ptr()), [&](const char* p) {
      if (kind == Kind::Prod) {
        *o++ = static_cast<T>(prod_of<T>(r, p));
      } else if (kind == Kind::Sum) {
        *o++ = static_cast<T>(sum_of<T>(r, p));
      } else if constexpr (std::is_floating_point<T>::value) {
        *o++ = static_cast<T>(static_cast<double>(sum_of<T>(r, p)) / n);
      }
    });
    finish(dst, out);
  });
}

DType sum_dtype(const Tensor& t, const Value& dtype) {
  DType d = t.dtype();
  return dtype_arg(dtype, category(d) < 2 ? DType::Int64 : d);
}

DType mean_dtype(const Tensor& t, const Value& dtype) {
  DType rt = dtype_arg(dtype, t.dtype());
  if (category(rt) < 2)
    fail(std::string("mean(): could not infer output dtype. Input dtype must be either a "
                     "floating point or complex dtype. Got: ") + cpp_name(rt));
  return rt;
}

void sum_all(Call& c) {
  const Tensor& t = c.in(0).to_tensor();
  Dims2 d = dims_of(Value(), t);
  accumulate(c, t, d.flags, false, sum_dtype(t, c.in(1)), Kind::Sum);
}

void sum_dim(Call& c) {
  const Tensor& t = c.in(0).to_tensor();
  Dims2 d = dims_of(c.in(1), t);
  accumulate(c, t, d.flags, c.in(2).to_bool(), sum_dtype(t, c.in(3)), Kind::Sum);
}

void prod_all(Call& c) {
  const Tensor& t = c.in(0).to_tensor();
  Dims2 d = dims_of(Value(), t);
  accumulate(c, t, d.flags, false, sum_dtype(t, c.in(1)), Kind::Prod);
}

void prod_dim(Call& c) {
  const Tensor& t = c.in(0).to_tensor();
  Dims2 d = dims_of(c.in(1), t);
  accumulate(c, t, d.flags, c.in(2).to_bool(), sum_dtype(t, c.in(3)), Kind::Prod);
}

void mean_all(Call& c) {
  const Tensor& t = c.in(0).to_tensor();
  Dims2 d = dims_of(Value(), t);
  accumulate(c, t, d.flags, false, mean_dtype(t, c.in(1)), Kind::Mean);
}

void mean_dim(Call& c) {
  const Tensor& t = c.in(0).to_tensor();
  DType rt = mean_dtype(t, c.in(3));
  Dims2 d = dims_of(c.in(1), t);
  accumulate(c, t, d.flags, c.in(2).to_bool(), rt, Kind::Mean);
}

// Variance (or its root) over `dims` with `ddof` removed from the count.
void variance(Call& c, const Value& dims, double ddof, bool keepdim, bool root) {
  const Tensor& t = c.in(0).to_tensor();
  DType rt = t.dtype();
  if (category(rt) != 2) fail("std and var only support floating point and complex dtypes");
  Dims2 d = dims_of(dims, t);
  Tensor dst = c.output(0, reduced_shape(t.sizes(), d.flags, keepdim), rt);
  DType ct = compute_dtype(rt);
  Tensor x = as_compute(t, ct);
  Reduction r = plan_reduction(x, d.flags);
  dispatch<kFloats>(ct, "var", [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor out = target_for<T>(dst);
    T* o = out.data<T>();
    const double n = static_cast<double>(r.count);
    const double denom = n - ddof > 0 ? n - ddof : 0.0;
    each_output(r, static_cast<const char*>(x.data_ptr()), [&](const char* p) {
      double mean = sum_of<T>(r, p) / n, squares = 0;
      each_row(r, p, [&](const char* q, int64_t s, int64_t len) {
        for (int64_t i = 0; i < len; ++i) {
          double v = static_cast<double>(*reinterpret_cast<const T*>(q + i * s)) - mean;
          squares += v * v;
        }
      });
      double v = squares / denom;
      *o++ = static_cast<T>(root ? std::sqrt(v) : v);
    });
    finish(dst, out);
  });
}

double correction_of(const Value& v) {
  if (v.is_none()) return 1.0;
  return v.to_double();
}

template <bool Root>
void var_unbiased(Call& c) { variance(c, Value(), c.in(1).to_bool() ? 1 : 0, false, Root); }
template <bool Root>
void var_dim(Call& c) {
  variance(c, c.in(1), c.in(2).to_bool() ? 1 : 0, c.in(3).to_bool(), Root);
}
template <bool Root>
void var_correction(Call& c) {
  variance(c, c.in(1), correction_of(c.in(2)), c.in(3).to_bool(), Root);
}

}  // namespace

void register_extreme_kernels(KernelRegistry& r);

void register_reduce_kernels(KernelRegistry& r) {
  r.add("aten::sum", sum_all);
  r.add("aten::sum.dim_IntList", sum_dim);
  r.add("aten::prod", prod_all);
  r.add("aten::prod.dim_int", prod_dim);
  r.add("aten::mean", mean_all);
  r.add("aten::mean.dim", mean_dim);
  r.add("aten::var", var_unbiased<false>);
  r.add("aten::var.dim", var_dim<false>);
  r.add("aten::var.correction", var_correction<false>);
  r.add("aten::std", var_unbiased<true>);
  r.add("aten::std.dim", var_dim<true>);
  r.add("aten::std.correction", var_correction<true>);
  register_extreme_kernels(r);
}

}  // namespace elem
}  // namespace ember
