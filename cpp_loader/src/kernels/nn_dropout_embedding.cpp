// aten::dropout (eval: a copy; training: zero with probability p, scale the rest by
// 1/(1-p), from a per-thread generator), aten::embedding, aten::embedding_renorm_.
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "kernels/nn_common.h"
#include "kernels/nn_ops.h"

namespace ember {
namespace nn {
namespace {

// splitmix64: a fast per-thread stream, seeded from the clock and the thread.
uint64_t next_random() {
  thread_local uint64_t state = static_cast<uint64_t>(
      std::chrono::steady_clock::now().time_since_epoch().count()) ^
      reinterpret_cast<uintptr_t>(&state);
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double uniform() { return (next_random() >> 11) * (1.0 / 9007199254740992.0); }

template <class T>
void dropout_t(const T* x, T* out, int64_t n, double p) {
  T scale = static_cast<T>(1.0 / (1.0 - p));
  for (int64_t i = 0; i < n; ++i) out[i] = uniform() >= p ? x[i] * scale : T(0);
}

void k_dropout(Call& c) {
  const Tensor& x = tensor_arg(c, 0);
  double p = c.in(1).to_double();
  bool train = c.in(2).to_bool();
  if (p >= 0 && p <= 1 && (!train || p == 0)) {  // eval: a copy into the arena
    Tensor out = c.output(0, x.sizes(), x.dtype());
    out.copy_from(x);
    return;
  }
  c.set(0, Value(dropout(x, p, train)));
}

void k_embedding(Call& c) {
  const Tensor& weight = tensor_arg(c, 0);
  const Tensor& indices = tensor_arg(c, 1);
  DType it = indices.dtype();
  if (it != DType::Int64 && it != DType::Int32) {
    std::string name = cpp_name(it);
    bool legacy = name == "Byte" || name == "Char" || name == "Short" || name == "Int" ||
                  name == "Long" || name == "Half" || name == "Float" || name == "Double";
    fail("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
         "Long, Int; but got " + (legacy ? "ember." + name + "Tensor" : "CPU" + name + "Type") +
         " instead (while checking arguments for embedding)");
  }
  if (weight.dim() != 2) fail("'weight' must be 2-D");
  Tensor idx = contiguous_as(indices, DType::Int64);
  Tensor w = weight.is_contiguous() ? weight : weight.contiguous();
  int64_t rows = w.size(0), count = idx.numel();
  const int64_t* ip = idx.data<int64_t>();
  for (int64_t i = 0; i < count; ++i)
    if (ip[i] < 0 || ip[i] >= rows) fail("index out of range in self");
  Dims sizes = indices.sizes();
  sizes.push_back(w.size(1));
  Tensor out = c.output(0, sizes, w.dtype());
  size_t row_bytes = w.size(1) * w.element_size();
  const char* src = static_cast<const char*>(w.data_ptr());
  char* dst = static_cast<char*>(out.data_ptr());
  for (int64_t i = 0; i < count; ++i) std::memcpy(dst + i * row_bytes, src + ip[i] * row_bytes, row_bytes);
}

template <class T>
void renorm_rows(const Tensor& weight, const std::set<int64_t>& rows, double max_norm, double p) {
  T* w = weight.data<T>();
  int64_t s0 = weight.stride(0), s1 = weight.stride(1), d = weight.size(1);
  for (int64_t r : rows) {
    T* row = w + r * s0;
    double norm = 0;
    if (std::isinf(p)) {
      norm = p > 0 ? 0 : INFINITY;
      for (int64_t k = 0; k < d; ++k) {
        double a = std::fabs(double(row[k * s1]));
        norm = p > 0 ? std::max(norm, a) : std::min(norm, a);
      }
    } else if (p == 0) {
      for (int64_t k = 0; k < d; ++k) norm += row[k * s1] != T(0);
    } else {
      for (int64_t k = 0; k < d; ++k) norm += std::pow(std::fabs(double(row[k * s1])), p);
      norm = std::pow(norm, 1.0 / p);
    }
    if (norm > max_norm) {
      T scale = static_cast<T>(max_norm / (norm + 1e-7));
      for (int64_t k = 0; k < d; ++k) row[k * s1] *= scale;
    }
  }
}

// embedding_renorm_(self, indices, max_norm, norm_type): in place, returns self.
void k_embedding_renorm(Call& c) {
  const Tensor& weight = tensor_arg(c, 0);
  Tensor idx = contiguous_as(tensor_arg(c, 1), DType::Int64);
  if (weight.dim() != 2) fail("embedding_renorm_: 'weight' must be 2-D");
  std::set<int64_t> rows;
  const int64_t* ip = idx.data<int64_t>();
  for (int64_t i = 0; i < idx.numel(); ++i) {
    int64_t r = ip[i] < 0 ? ip[i] + weight.size(0) : ip[i];
    if (r < 0 || r >= weight.size(0)) fail("index out of range in self");
    rows.insert(r);
  }
  double max_norm = c.in(2).to_double(), p = c.in(3).to_double();
  switch (weight.dtype()) {
    case DType::Float32: renorm_rows<float>(weight, rows, max_norm, p); break;
    case DType::Float64: renorm_rows<double>(weight, rows, max_norm, p); break;
    default: not_implemented("embedding_renorm_", weight.dtype());
  }
  c.set(0, c.in(0));
}

}  // namespace

Tensor dropout(const Tensor& x, double p, bool train) {
  if (p < 0 || p > 1)
    fail("dropout probability has to be between 0 and 1, but got " + std::to_string(p));
  if (!train || p == 0) return x.clone();
  if (p == 1) return Tensor::zeros(x.sizes(), x.dtype());
  DType d = x.dtype();
  if (is_complex(d)) not_implemented("bernoulli_scalar_cpu_", d);
  if (d == DType::Bool || is_integral(d, false))
    fail(std::string("result type Float can't be cast to the desired output type ") + cpp_name(d));
  DType cd = compute_dtype(d);
  Tensor xc = contiguous_as(x, cd);
  Tensor out = Tensor::empty(x.sizes(), cd);
  if (cd == DType::Float64) dropout_t(xc.data<double>(), out.data<double>(), xc.numel(), p);
  else dropout_t(xc.data<float>(), out.data<float>(), xc.numel(), p);
  return cd == d ? out : out.to(d);
}

void register_dropout_embedding_kernels(KernelRegistry& r) {
  r.add("aten::dropout", k_dropout);
  r.add("aten::embedding", k_embedding);
  r.add("aten::embedding_renorm_", k_embedding_renorm);
}

}  // namespace nn
}  // namespace ember
