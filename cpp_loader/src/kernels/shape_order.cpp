// Ordering and extremes: sort, argsort, topk (stable, NaN largest), amax, amin.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "core/dispatch.h"
#include "kernels/shape_util.h"

namespace ember {
namespace {

using shape::fail;
using shape::wrap_dim;

const Tensor& self(const Call& c) { return c.in(0).to_tensor(); }

// The type values are compared in: float for the 16-bit floats.
template <class T>
using key_t = std::conditional_t<std::is_same<T, Half>::value || std::is_same<T, BFloat16>::value,
                                 float, T>;

template <class K>
bool is_nan(K v) {
  if constexpr (std::is_floating_point<K>::value) {
    return std::isnan(v);
  } else {
    (void)v;
    return false;
  }
}

// Sorts each row of `a` along `d`, writing the first `k` of every row to `values` (if
// defined) and `indices` (both contiguous, with size k along d).
template <class T>
void sort_rows(const Tensor& a, int64_t d, bool descending, int64_t k, const Tensor& values,
               const Tensor& indices) {
  using K = key_t<T>;
  const int64_t n = a.size(d), stride = a.stride(d);
  const T* src = static_cast<const T*>(a.data_ptr());
  T* vout = values.defined() ? static_cast<T*>(values.data_ptr()) : nullptr;
  int64_t* iout = indices.data<int64_t>();
  const int64_t out_stride = indices.stride(d);
  std::vector<int64_t> order(static_cast<size_t>(n));
  Dims row_sizes = a.sizes(), src_strides = a.strides(), out_strides = indices.strides();
  row_sizes[d] = 1;
  const T* row = nullptr;
  auto less = [&](int64_t i, int64_t j) {
    K x = static_cast<K>(row[i * stride]), y = static_cast<K>(row[j * stride]);
    if (descending) return x > y || (is_nan(x) && !is_nan(y));
    return x < y || (!is_nan(x) && is_nan(y));
  };
  shape::odometer<2>(row_sizes, {&src_strides, &out_strides}, {0, 0},
                     [&](const std::array<int64_t, 2>& at) {
                       row = src + at[0];
                       for (int64_t i = 0; i < n; ++i) order[i] = i;
                       std::stable_sort(order.begin(), order.end(), less);
                       for (int64_t i = 0; i < k; ++i) {
                         iout[at[1] + i * out_stride] = order[i];
                         if (vout) vout[at[1] + i * out_stride] = row[order[i] * stride];
                       }
                     });
}

// values[..., i, ...] = a[..., indices[..., i, ...], ...] along d (values and indices
// contiguous, of one shape), element bytes copied whatever the dtype.
void take_along(const Tensor& a, int64_t d, const Tensor& indices, const Tensor& values) {
  const size_t item = a.element_size();
  const char* src = static_cast<const char*>(a.data_ptr());
  char* dst = static_cast<char*>(values.data_ptr());
  const int64_t* index = indices.data<int64_t>();
  const int64_t step = a.stride(d);
  Dims src_strides = a.strides(), out_strides = indices.strides();
  src_strides[d] = 0;
  shape::odometer<2>(indices.sizes(), {&src_strides, &out_strides}, {0, 0},
                     [&](const std::array<int64_t, 2>& at) {
                       std::memcpy(dst + at[1] * static_cast<int64_t>(item),
                                   src + (at[0] + index[at[1]] * step) * static_cast<int64_t>(item),
                                   item);
                     });
}

void sort_into(const Tensor& a, int64_t dim, bool descending, int64_t k, const Tensor& values,
               const Tensor& indices, const char* op) {
  const int64_t d = wrap_dim(dim, a.dim());
  if (a.dim() == 0) {
    indices.data<int64_t>()[0] = 0;
    if (values.defined()) Tensor(values).copy_from(a);
    return;
  }
  if (a.numel() == 0 || k == 0) return;
  switch (a.dtype()) {
    case DType::Float32: return sort_rows<float>(a, d, descending, k, values, indices);
    case DType::Float64: return sort_rows<double>(a, d, descending, k, values, indices);
    case DType::Int64: return sort_rows<int64_t>(a, d, descending, k, values, indices);
    case DType::Int32: return sort_rows<int32_t>(a, d, descending, k, values, indices);
    default: break;
  }
  if (is_complex(a.dtype())) throw_not_implemented(op, a.dtype());
  // The other dtypes sort by keys widened exactly and in order (int64 for bool and the
  // small integers, float32 for float16/bfloat16), the values then taken from `a`.
  Tensor keys = a.to(is_floating(a.dtype()) ? DType::Float32 : DType::Int64);
  if (keys.dtype() == DType::Float32) sort_rows<float>(keys, d, descending, k, Tensor(), indices);
  else sort_rows<int64_t>(keys, d, descending, k, Tensor(), indices);
  if (values.defined()) take_along(a, d, indices, values);
}

void check_sortable(const Tensor& a) {
  if (is_complex(a.dtype())) fail(" Sort does not support complex dtypes on CPU");
}

void sort(Call& c) {
  const Tensor& a = self(c);
  check_sortable(a);
  int64_t dim = c.in(1).to_int();
  wrap_dim(dim, a.dim());
  Tensor values = c.output(0, a.sizes(), a.dtype());
  Tensor indices = c.output(1, a.sizes(), DType::Int64);
  sort_into(a, dim, c.in(2).to_bool(), a.dim() ? a.size(wrap_dim(dim, a.dim())) : 1, values,
            indices, "sort");
}

void argsort(Call& c) {
  const Tensor& a = self(c);
  check_sortable(a);
  int64_t dim = c.in(1).to_int();
  wrap_dim(dim, a.dim());
  Tensor indices = c.output(0, a.sizes(), DType::Int64);
  sort_into(a, dim, c.in(2).to_bool(), a.dim() ? a.size(wrap_dim(dim, a.dim())) : 1, Tensor(),
            indices, "sort");
}

void topk(Call& c) {
  const Tensor& a = self(c);
  if (a.dtype() == DType::Bool) fail("topk does not support bool dtypes on CPU");
  if (is_complex(a.dtype())) fail(" topk does not support complex dtypes on CPU");
  const int64_t k = c.in(1).to_int();
  const int64_t d = wrap_dim(c.in(2).to_int(), a.dim());
  const int64_t size = a.dim() ? a.size(d) : 1;
  if (k < 0 || k > size) fail("selected index k out of range");
  Dims sizes = a.sizes();
  if (a.dim()) sizes[d] = k;
  Tensor values = c.output(0, sizes, a.dtype());
  Tensor indices = c.output(1, sizes, DType::Int64);
  sort_into(a, d, c.in(3).to_bool(), k, values, indices, "topk_cpu");
}

// --- amax / amin -------------------------------------------------------------------

template <class T, bool Max>
void extreme(const Tensor& a, const Dims& out_strides, const Tensor& out) {
  using K = key_t<T>;
  K init;
  if constexpr (std::is_same<T, bool>::value) {
    init = !Max;
  } else if constexpr (std::is_floating_point<K>::value) {
    init = Max ? -std::numeric_limits<K>::infinity() : std::numeric_limits<K>::infinity();
  } else {
    init = Max ? std::numeric_limits<K>::lowest() : std::numeric_limits<K>::max();
  }
  T* o = static_cast<T*>(out.data_ptr());
  for (int64_t i = 0; i < out.numel(); ++i) o[i] = static_cast<T>(init);
  const T* p = static_cast<const T*>(a.data_ptr());
  shape::odometer<2>(a.sizes(), {&a.strides(), &out_strides}, {0, 0},
                     [&](const std::array<int64_t, 2>& at) {
                       K r = static_cast<K>(o[at[1]]), x = static_cast<K>(p[at[0]]);
                       if (is_nan(r)) return;
                       if (is_nan(x) || (Max ? x > r : x < r)) o[at[1]] = p[at[0]];
                     });
}

template <bool Max>
void amax(Call& c) {
  const Tensor& a = self(c);
  const char* name = Max ? "amax" : "amin";
  const Value& dim = c.in(1);
  const bool keepdim = c.in(2).to_bool();
  const uint64_t mask = shape::dim_mask(dim, a.dim());
  const bool given = !shape::int_list(dim).empty();
  if (a.numel() == 0 && a.dim()) {
    if (!given) {
      fail(std::string(name) +
           "(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
           "reduction dim with the 'dim' argument.");
    }
    for (int64_t g : shape::int_list(dim)) {
      if (a.size(wrap_dim(g, a.dim())) == 0) {
        fail(std::string(name) + "(): Expected reduction dim " + std::to_string(g) +
             " to have non-zero size.");
      }
    }
  }
  const char* op = Max ? "max_values_cpu" : "min_values_cpu";
  if (is_complex(a.dtype())) throw_not_implemented(op, a.dtype());
  Dims sizes, keep_sizes = a.sizes();
  for (int64_t d = 0; d < a.dim(); ++d) {
    if ((mask >> d) & 1) {
      keep_sizes[d] = 1;
      if (keepdim) sizes.push_back(1);
    } else {
      sizes.push_back(a.size(d));
    }
  }
  Tensor out = c.output(0, sizes, a.dtype());
  Dims out_strides = Tensor::contiguous_strides(keep_sizes);
  for (int64_t d = 0; d < a.dim(); ++d) {
    if ((mask >> d) & 1) out_strides[d] = 0;
  }
  EMBER_DISPATCH_ALL(a.dtype(), op, [&] { extreme<scalar_t, Max>(a, out_strides, out); });
}

}  // namespace

void register_shape_order_kernels(KernelRegistry& r) {
  r.add("aten::sort", sort);
  r.add("aten::argsort", argsort);
  r.add("aten::topk", topk);
  r.add("aten::amax", amax<true>);
  r.add("aten::amin", amax<false>);
}

}  // namespace ember
