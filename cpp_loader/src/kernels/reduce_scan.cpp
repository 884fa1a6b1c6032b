// Kernels along one dimension: cumsum, softmax, log_softmax, diff; and baddbmm.
// Each works on a contiguous copy viewed as [outer, n, inner].
#include <cmath>
#include <string>
#include <vector>

#include "kernels/support/apply.h"
#include "kernels/support/math.h"
#include "kernels/support/vecmath.h"

namespace ember {
namespace elem {
namespace {

struct Lines {
  int64_t outer = 1, n = 1, inner = 1;
};

Lines lines(const Dims& sizes, int64_t dim) {
  Lines l;
  for (int64_t d = 0; d < static_cast<int64_t>(sizes.size()); ++d) {
    if (d < dim) l.outer *= sizes[d];
    else if (d == dim) l.n = sizes[d];
    else l.inner *= sizes[d];
  }
  return l;
}

// `t` as a contiguous tensor of dtype `d`.
Tensor contiguous_as(const Tensor& t, DType d) {
  Tensor x = t.dtype() == d ? t : t.to(d);
  return x.contiguous();
}

void cumsum(Call& c) {
  const Tensor& t = c.in(0).to_tensor();
  int64_t dim = wrap_dim(c.in(1).to_int(), t.dim());
  DType rt = dtype_arg(c.in(2), category(t.dtype()) < 2 ? DType::Int64 : t.dtype());
  Tensor dst = c.output(0, t.sizes(), rt);
  dispatch<kAll>(compute_dtype(rt), "cumsum", [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor x = contiguous_as(t, dtype_of<T>());
    Tensor out = target_for<T>(dst);
    const T* in = x.data<T>();
    T* o = out.data<T>();
    Lines l = t.dim() ? lines(t.sizes(), dim) : Lines();
    for (int64_t a = 0; a < l.outer; ++a) {
      const T* src = in + a * l.n * l.inner;
      T* row = o + a * l.n * l.inner;
      for (int64_t j = 0; j < l.inner && l.n > 0; ++j) row[j] = src[j];
      for (int64_t k = 1; k < l.n; ++k)
        for (int64_t j = 0; j < l.inner; ++j)
          row[k * l.inner + j] = wadd(row[(k - 1) * l.inner + j], src[k * l.inner + j]);
    }
    finish(dst, out);
  });
}

// Sum of n contiguous values in double (eight lanes, so the loop vectorises).
template <class T>
double sum_row(const T* x, int64_t n) {
  double lanes[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) lanes[j] += static_cast<double>(x[i + j]);
  for (; i < n; ++i) lanes[0] += static_cast<double>(x[i]);
  double total = 0;
  for (double v : lanes) total += v;
  return total;
}

// softmax (or log_softmax) of n values `s` apart into `row` (the same spacing).
template <bool Log, class T>
void softmax_line(const T* src, T* row, int64_t n, int64_t s) {
  T top = src[0];
  for (int64_t k = 1; k < n; ++k) top = nan_max(top, src[k * s]);
  double total = 0;
  if (s == 1) {
    for (int64_t k = 0; k < n; ++k) row[k] = exp_of(src[k] - top);
    total = sum_row(row, n);
  } else {
    for (int64_t k = 0; k < n; ++k) total += row[k * s] = exp_of(src[k * s] - top);
  }
  if (Log) {
    const T lse = static_cast<T>(std::log(total));
    for (int64_t k = 0; k < n; ++k) row[k * s] = (src[k * s] - top) - lse;
  } else {
    const T sum = static_cast<T>(total);
    for (int64_t k = 0; k < n; ++k) row[k * s] /= sum;
  }
}

template <bool Log>
void softmax(Call& c) {
  const Tensor& t0 = c.in(0).to_tensor();
  DType rt = dtype_arg(c.in(2), t0.dtype());
  int64_t dim = wrap_dim(c.in(1).to_int(), t0.dim());
  Tensor dst = c.output(0, t0.sizes(), rt);
  if (t0.numel() == 0) return;
  if (category(rt) != 2) {
    bool last = t0.dim() == 0 || t0.dim() == dim + 1;
    std::string k = std::string(Log ? "log_" : "") + "softmax" + (last ? "_lastdim" : "") +
                    "_kernel_impl";
    not_implemented(k.c_str(), rt);
  }
  dispatch<kFloats>(compute_dtype(rt), "softmax", [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor x = contiguous_as(t0, dtype_of<T>());
    Tensor out = target_for<T>(dst);
    const T* in = x.data<T>();
    T* o = out.data<T>();
    Lines l = t0.dim() ? lines(t0.sizes(), dim) : Lines();
    for (int64_t a = 0; a < l.outer; ++a)
      for (int64_t j = 0; j < l.inner; ++j) {
        int64_t at = a * l.n * l.inner + j;
        softmax_line<Log>(in + at, o + at, l.n, l.inner);
      }
    finish(dst, out);
  });
}

// The parts joined along `dim` (promoted to one dtype).
Tensor join(const std::vector<Tensor>& parts, int64_t dim) {
  if (parts.size() == 1) return parts[0];
  DType d = parts[0].dtype();
  Dims shape = parts[0].sizes();
  shape[dim] = 0;
  for (const Tensor& p : parts) {
    d = promote_types(d, p.dtype());
    for (int64_t k = 0; k < p.dim(); ++k)
      if (k != dim && p.sizes()[k] != shape[k])
        fail("Sizes of tensors must match except in dimension " + std::to_string(dim));
    shape[dim] += p.sizes()[dim];
  }
  Tensor out = Tensor::empty(shape, d);
  int64_t at = 0;
  for (const Tensor& p : parts) {
    Dims sizes = out.sizes();
    sizes[dim] = p.sizes()[dim];
    Tensor slot = out.as_strided(sizes, out.strides(), at * out.strides()[dim]);
    slot.copy_from(p);
    at += p.sizes()[dim];
  }
  return out;
}

void diff(Call& c) {
  const Tensor& t = c.in(0).to_tensor();
  if (t.dim() == 0) fail("diff expects input to be at least one-dimensional");
  int64_t n = c.in(1).to_int();
  if (n < 0) fail("order must be non-negative but got " + std::to_string(n));
  int64_t dim = wrap_dim(c.in(2).to_int(), t.dim());
  std::vector<Tensor> parts;
  for (int k : {3, 0, 4}) {
    const Value& v = k == 0 ? c.in(0) : c.in(k);
    if (v.is_none()) continue;
    if (v.to_tensor().dim() != t.dim())
      fail("diff expects prepend or append to be the same dimension as input");
    parts.push_back(v.to_tensor());
  }
  Tensor joined = join(parts, dim);
  DType d = joined.dtype();
  dispatch<kAll>(compute_dtype(d), "diff", [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor x = contiguous_as(joined, dtype_of<T>());
    if (x.same(joined) || x.storage() == joined.storage()) x = x.clone();
    T* p = x.data<T>();
    Lines l = lines(x.sizes(), dim);
    int64_t len = l.n;
    for (int64_t step = 0; step < n && len > 0; ++step, --len)
      for (int64_t a = 0; a < l.outer; ++a)
        for (int64_t k = 0; k + 1 < len; ++k)
          for (int64_t j = 0; j < l.inner; ++j) {
            T* row = p + a * l.n * l.inner + j;
            if constexpr (std::is_same<T, bool>::value)
              row[k * l.inner] = row[(k + 1) * l.inner] != row[k * l.inner];
            else
              row[k * l.inner] = wsub(row[(k + 1) * l.inner], row[k * l.inner]);
          }
    Dims shape = x.sizes();
    shape[dim] = len;
    Tensor dst = c.output(0, shape, d);
    dst.copy_from(x.as_strided(shape, x.strides(), x.storage_offset()));
  });
}

void baddbmm(Call& c) {
  const Tensor& self = c.in(0).to_tensor();
  const Tensor& b1 = c.in(1).to_tensor();
  const Tensor& b2 = c.in(2).to_tensor();
  if (self.dtype() != b1.dtype() || b1.dtype() != b2.dtype())
    fail(std::string("Input dtypes must be the same, got: input ") +
         std::string(dtype_name(self.dtype())) + ", batch1: " + std::string(dtype_name(b1.dtype())) +
         ", batch2: " + std::string(dtype_name(b2.dtype())));
  if (b1.dim() != 3) fail("batch1 must be a 3D tensor");
  if (b2.dim() != 3) fail("batch2 must be a 3D tensor");
  const int64_t B = b1.sizes()[0], M = b1.sizes()[1], K = b1.sizes()[2], N = b2.sizes()[2];
  if (b2.sizes()[0] != B || b2.sizes()[1] != K)
    fail("Expected size for first two dimensions of batch2 tensor to be: [" + std::to_string(B) +
         ", " + std::to_string(K) + "] but got: [" + std::to_string(b2.sizes()[0]) + ", " +
         std::to_string(b2.sizes()[1]) + "].");
  Dims shape{B, M, N};
  if (broadcast_shapes(self.sizes(), shape) != shape)
    fail("The size of self " + shape_str(self.sizes()) +
         " cannot be broadcast to the size of batch1 @ batch2 " + shape_str(shape));
  bool empty = B == 0 || M == 0 || K == 0 || N == 0;
  if (!empty && self.dtype() == DType::Bool) not_implemented("bmm", DType::Bool);
  Arg beta = arg(c.in(3), "baddbmm"), alpha = arg(c.in(4), "baddbmm");
  Tensor dst = c.output(0, shape, self.dtype());
  dispatch<kNumbers>(compute_dtype(self.dtype()), "baddbmm", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = std::conditional_t<std::is_floating_point<T>::value, double, T>;
    Tensor x = contiguous_as(b1, dtype_of<T>()), y = contiguous_as(b2, dtype_of<T>());
    Tensor prod = Tensor::empty(shape, dtype_of<T>());
    const T *p = x.data<T>(), *q = y.data<T>();
    T* o = prod.data<T>();
    const T al = scalar_as<T>(alpha);
    const bool scaled = !(alpha.kind == Arg::kDouble ? alpha.d == 1 : alpha.i == 1);
    std::vector<A> acc(static_cast<size_t>(N));
    for (int64_t b = 0; b < B; ++b)
      for (int64_t i = 0; i < M; ++i) {
        std::fill(acc.begin(), acc.end(), A(0));
        const T* row = p + (b * M + i) * K;
        for (int64_t k = 0; k < K; ++k) {
          const A v = static_cast<A>(row[k]);
          const T* col = q + (b * K + k) * N;
          for (int64_t j = 0; j < N; ++j) acc[j] = wadd(acc[j], wmul(v, static_cast<A>(col[j])));
        }
        T* out = o + (b * M + i) * N;
        for (int64_t j = 0; j < N; ++j) {
          T v = static_cast<T>(acc[j]);
          out[j] = scaled ? wmul(v, al) : v;
        }
      }
    bool zero_beta = beta.kind == Arg::kDouble ? beta.d == 0 : beta.i == 0;
    Arg pa{Arg::kTensor, &prod}, sa{Arg::kTensor, &self};
    if (zero_beta) {
      unary<T, T>(dst, pa, [](T v) { return v; });
    } else {
      const T be = scalar_as<T>(beta);
      binary<T, T, T>(dst, sa, pa, [be](T s, T v) { return wadd(wmul(s, be), v); });
    }
  });
}

}  // namespace

void register_scan_kernels(KernelRegistry& r) {
  r.add("aten::cumsum", cumsum);
  r.add("aten::softmax.int", softmax<false>);
  r.add("aten::log_softmax.int", softmax<true>);
  r.add("aten::diff", diff);
  r.add("aten::baddbmm", baddbmm);
}

}  // namespace elem
}  // namespace ember
