// Shared helpers of the nn kernels (kernels/nn*.cpp, conv*.cpp, pool*.cpp, blas*.cpp,
// rnn*.cpp, attention*.cpp): argument reading, PyTorch's dtype names in messages, output
// sizes of window sweeps, a per-thread scratch buffer.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/dispatch.h"
#include "ember/error.h"
#include "ember/tensor.h"
#include "ember/value.h"
#include "runtime/kernel.h"

namespace ember {
namespace nn {

[[noreturn]] inline void fail(const std::string& message) {
  throw Error(ErrorKind::Runtime, message);
}

// PyTorch's C++ name of a dtype ("Float", "Long", ...) and the C type some messages print
// ("float", "long int"): core/dispatch.h's tables.
inline const char* cpp_name(DType d) { return dtype_cpp_name(d); }
inline const char* c_type_name(DType d) { return dtype_c_name(d); }

[[noreturn]] inline void not_implemented(const char* kernel, DType d) {
  fail(std::string("\"") + kernel + "\" not implemented for '" + cpp_name(d) + "'");
}

inline bool is_low_precision(DType d) { return d == DType::Float16 || d == DType::BFloat16; }

// "[1, 2, 3]"
inline std::string show(const int64_t* v, size_t n) {
  std::string s = "[";
  for (size_t i = 0; i < n; ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}
inline std::string show(const Dims& d) { return show(d.data(), d.size()); }
inline std::string show(const std::vector<int64_t>& d) { return show(d.data(), d.size()); }

inline const Tensor& tensor_arg(const Call& c, uint32_t i) { return c.in(i).to_tensor(); }
inline Tensor optional_tensor(const Call& c, uint32_t i) {
  const Value& v = c.in(i);
  return v.is_none() ? Tensor() : v.to_tensor();
}

// An int or a list of ints as n values (a one-element list repeats), as torch's int[n].
inline std::vector<int64_t> int_n(const Value& v, size_t n, const char* what) {
  if (v.is_int()) return std::vector<int64_t>(n, v.to_int());
  std::vector<int64_t> xs = v.to_int_vector();
  if (xs.size() == 1) return std::vector<int64_t>(n, xs[0]);
  if (xs.size() != n) fail(std::string(what) + ": expected " + std::to_string(n) + " values, got " + show(xs));
  return xs;
}

// Output length of a window sweep (floor; ceil_mode rounds up but the last window must
// start inside the input or its left padding).
inline int64_t out_size(int64_t size, int64_t kernel, int64_t stride, int64_t pad_lo,
                        int64_t pad_hi, int64_t dilation, bool ceil_mode = false) {
  int64_t span = size + pad_lo + pad_hi - dilation * (kernel - 1) - 1;
  int64_t num = span + (ceil_mode ? stride - 1 : 0);
  int64_t out = (num >= 0 ? num / stride : -((-num + stride - 1) / stride)) + 1;
  if (ceil_mode && (out - 1) * stride >= size + pad_lo) --out;
  return out;
}

// A per-thread growable buffer for intermediates (im2col columns, packed operands), so a
// kernel allocates nothing beyond its output once the buffer has grown. `slot` keeps
// buffers that live at the same time apart.
template <class T>
T* scratch(size_t count, int slot = 0) {
  thread_local std::vector<char> buffers[4];
  std::vector<char>& b = buffers[slot];
  size_t need = count * sizeof(T) + 64;
  if (b.size() < need) b.resize(need * 5 / 4);
  uintptr_t p = reinterpret_cast<uintptr_t>(b.data());
  return reinterpret_cast<T*>((p + 63) & ~uintptr_t(63));
}

// A contiguous tensor of `t`'s elements as `dtype` (`t` itself when already so).
inline Tensor contiguous_as(const Tensor& t, DType dtype) {
  Tensor x = t.dtype() == dtype ? t : t.to(dtype);
  return x.is_contiguous() ? x : x.contiguous();
}

// The dtype floats are computed in: double for double, float for the rest.
inline DType compute_dtype(DType d) { return d == DType::Float64 ? DType::Float64 : DType::Float32; }

// Writes `src` (contiguous, compute dtype) into the output `out` of another dtype.
inline void store_as(Tensor& out, const Tensor& src) {
  if (out.dtype() == src.dtype() && out.data_ptr() == src.data_ptr()) return;
  out.copy_from(src);
}

// The sizes of `t` with a leading 1 (unbatched input) when `add` is true.
inline Dims with_batch(const Tensor& t, bool add) {
  Dims d = t.sizes();
  if (add) d.insert(0, 1);
  return d;
}

}  // namespace nn
}  // namespace ember
