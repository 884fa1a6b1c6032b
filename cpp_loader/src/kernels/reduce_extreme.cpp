// Order reductions: max/min of all elements, max/min along a dim with indices,
// argmax/argmin (first occurrence; a NaN counts as the extreme), any/all.
#include <string>

#include "kernels/support/apply.h"
#include "kernels/support/reduce.h"

namespace ember {
namespace elem {
namespace {

// Whether x beats the best so far (NaN beats everything and is never beaten).
template <bool Max, class T>
inline bool better(T x, T best) {
  if constexpr (std::is_floating_point<T>::value) {
    if (best != best) return false;
    if (x != x) return true;
  }
  return Max ? best < x : x < best;
}

// Index (flat over the reduced elements) of the first extreme of one output.
template <bool Max, class T>
int64_t arg_of(const Reduction& r, const char* p, T* value) {
  int64_t index = 0, base = 0;
  bool first = true;
  T best{};
  each_row(r, p, [&](const char* q, int64_t s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      T x = *reinterpret_cast<const T*>(q + i * s);
      if (first || better<Max>(x, best)) {
        best = x;
        index = base + i;
        first = false;
      }
    }
    base += n;
  });
  *value = best;
  return index;
}

void check_nonempty(const Tensor& t, const char* name, bool arg) {
  if (t.numel() != 0) return;
  std::string n(name);
  if (arg)
    fail(n + "(): Expected reduction dim to be specified for input.numel() == 0.");
  fail(n + "(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
           "reduction dim with the 'dim' argument.");
}

void check_dim_nonempty(const Tensor& t, const char* name, int64_t d) {
  if (t.numel() == 0 && (t.dim() == 0 || t.sizes()[d] == 0))
    fail(std::string(name) + "(): Expected reduction dim " + std::to_string(d) +
         " to have non-zero size.");
}

template <bool Max>
void extreme_all(Call& c) {
  const Tensor& t = c.in(0).to_tensor();
  const char* name = Max ? "max" : "min";
  if (is_complex(t.dtype())) not_implemented(Max ? "max_all" : "min_all", t.dtype());
  check_nonempty(t, name, false);
  bool flags[kMaxDims];
  for (int64_t d = 0; d < t.dim() && d < kMaxDims; ++d) flags[d] = true;
  Tensor dst = c.output(0, Dims(), t.dtype());
  Tensor x = t.dtype() == compute_dtype(t.dtype()) ? t : t.to(compute_dtype(t.dtype()));
  Reduction r = plan_reduction(x, flags);
  dispatch<kAll>(x.dtype(), name, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor out = target_for<T>(dst);
    arg_of<Max>(r, static_cast<const char*>(x.data_ptr()), out.data<T>());
    finish(dst, out);
  });
}

// max.dim / min.dim (values and indices) and argmax / argmin.
template <bool Max>
void along_dim(Call& c, const Tensor& t, const Value& dim, bool keepdim, bool values,
               const char* name) {
  if (is_complex(t.dtype()))
    fail(std::string(name) + "(): does not support complex input");
  bool flags[kMaxDims] = {};
  if (t.dim() > kMaxDims) fail("reductions support at most 16 dimensions");
  Dims shape;
  if (dim.is_none()) {
    check_nonempty(t, name, true);
    for (int64_t d = 0; d < t.dim(); ++d) flags[d] = true;
    shape = keepdim ? Dims(static_cast<size_t>(t.dim()), 1) : Dims();
  } else {
    int64_t d = wrap_dim(dim.to_int(), t.dim());
    if (t.dim()) {
      check_dim_nonempty(t, name, d);
      flags[d] = true;
    }
    shape = reduced_shape(t.sizes(), flags, keepdim);
  }
  Tensor x = t.dtype() == compute_dtype(t.dtype()) ? t : t.to(compute_dtype(t.dtype()));
  Reduction r = plan_reduction(x, flags);
  Tensor vals = values ? c.output(0, shape, t.dtype()) : Tensor();
  Tensor idx = c.output(values ? 1 : 0, shape, DType::Int64);
  dispatch<kAll>(x.dtype(), name, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor out = values ? target_for<T>(vals) : Tensor();
    T* v = values ? out.data<T>() : nullptr;
    int64_t* i = idx.data<int64_t>();
    T scratch;
    each_output(r, static_cast<const char*>(x.data_ptr()), [&](const char* p) {
      *i++ = arg_of<Max>(r, p, v ? v++ : &scratch);
    });
    if (values) finish(vals, out);
  });
}

template <bool Max>
void extreme_dim(Call& c) {
  along_dim<Max>(c, c.in(0).to_tensor(), c.in(1), c.in(2).to_bool(), true, Max ? "max" : "min");
}

template <bool Max>
void arg_extreme(Call& c) {
  const Tensor& t = c.in(0).to_tensor();
  const char* name = Max ? "argmax" : "argmin";
  if (t.dtype() == DType::Bool) fail(std::string(name) + "(): does not support bool input");
  along_dim<Max>(c, t, c.in(1), c.in(2).to_bool(), false, name);
}

// any / all over `dims` (None: every dim); uint8 inputs give uint8.
template <bool Any>
void any_all(Call& c, const Value& dims, bool keepdim) {
  const Tensor& t = c.in(0).to_tensor();
  if (t.dim() > kMaxDims) fail("reductions support at most 16 dimensions");
  bool flags[kMaxDims];
  reduce_dims(dims, t.dim(), flags);
  DType rt = t.dtype() == DType::UInt8 ? DType::UInt8 : DType::Bool;
  Tensor dst = c.output(0, reduced_shape(t.sizes(), flags, keepdim), rt);
  Tensor x = t.dtype() == DType::Bool ? t : t.to(DType::Bool);
  Reduction r = plan_reduction(x, flags);
  uint8_t* o = static_cast<uint8_t*>(dst.data_ptr());
  each_output(r, static_cast<const char*>(x.data_ptr()), [&](const char* p) {
    bool result = !Any;
    each_row(r, p, [&](const char* q, int64_t s, int64_t n) {
      for (int64_t i = 0; i < n && result != Any; ++i)
        if (*reinterpret_cast<const bool*>(q + i * s) == Any) result = Any;
    });
    *o++ = result;
  });
}

}  // namespace

void register_extreme_kernels(KernelRegistry& r) {
  r.add("aten::max", extreme_all<true>);
  r.add("aten::min", extreme_all<false>);
  r.add("aten::max.dim", extreme_dim<true>);
  r.add("aten::min.dim", extreme_dim<false>);
  r.add("aten::argmax", arg_extreme<true>);
  r.add("aten::argmin", arg_extreme<false>);
  r.add("aten::any", [](Call& c) { any_all<true>(c, Value(), false); });
  r.add("aten::any.dim", [](Call& c) { any_all<true>(c, c.in(1), c.in(2).to_bool()); });
  r.add("aten::any.dims", [](Call& c) { any_all<true>(c, c.in(1), c.in(2).to_bool()); });
  r.add("aten::all", [](Call& c) { any_all<false>(c, Value(), false); });
  r.add("aten::all.dim", [](Call& c) { any_all<false>(c, c.in(1), c.in(2).to_bool()); });
  r.add("aten::all.dims", [](Call& c) { any_all<false>(c, c.in(1), c.in(2).to_bool()); });
}

}  // namespace elem
}  // namespace ember
