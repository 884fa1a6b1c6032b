// Broadcasting and strided iteration over 1-4 operands.
//
//   Dims shape = broadcast_shapes(a.sizes(), b.sizes());   // torch's error if they clash
//   Tensor out = call.output(0, shape, DType::Float32);
//   map_elements<float, float, float>(out, [](float x, float y) { return x + y; }, a, b);
//
// `map_elements` converts nothing: each tensor's dtype must be the C++ type given for it. It
// broadcasts the inputs to out's shape, merges dimensions that are laid out contiguously
// and, when every operand is contiguous, runs one flat loop the compiler vectorises.
//
// For loops of your own, StridedLoop<N> gives rows: f(char* const* data, const int64_t*
// byte_strides, int64_t n) is called for each innermost run of n elements.
#pragma once

#include <array>
#include <cstdint>
#include <tuple>
#include <utility>

#include "ember/dims.h"
#include "ember/tensor.h"

namespace ember {

// torch's broadcast: "The size of tensor a (3) must match the size of tensor b (4) at
// non-singleton dimension 1" (Error Runtime) when they do not broadcast.
Dims broadcast_shapes(const Dims& a, const Dims& b);
// Whether `from` broadcasts to exactly `to`.
bool broadcasts_to(const Dims& from, const Dims& to);
int64_t shape_numel(const Dims& sizes);

template <size_t N>
class StridedLoop {
 public:
  // operands[0] is usually the output; every operand's shape must broadcast to `shape`.
  StridedLoop(const Dims& shape, const std::array<const Tensor*, N>& operands);

  int64_t numel() const { return numel_; }
  // One row covers everything (after merging dims) and every stride equals its itemsize.
  bool contiguous() const;
  template <class F>
  void run(F&& f) const;

 private:
  void coalesce();

  int64_t numel_ = 1;
  Dims sizes_;
  std::array<Dims, N> strides_;  // bytes, per dim of sizes_
  std::array<char*, N> data_{};
  std::array<int64_t, N> itemsize_{};
};

template <size_t N>
StridedLoop<N>::StridedLoop(const Dims& shape, const std::array<const Tensor*, N>& operands) {
  size_t nd = shape.size();
  for (size_t k = 0; k < N; ++k) {
    const Tensor& t = *operands[k];
    data_[k] = static_cast<char*>(t.data_ptr());
    itemsize_[k] = static_cast<int64_t>(t.element_size());
  }
  for (size_t d = 0; d < nd; ++d) {
    if (shape[d] == 1) continue;  // size-1 dims never move a pointer
    sizes_.push_back(shape[d]);
    for (size_t k = 0; k < N; ++k) {
      const Tensor& t = *operands[k];
      size_t td = static_cast<size_t>(t.dim());
      int64_t stride = 0;
      if (d + td >= nd) {
        size_t i = d + td - nd;
        if (t.sizes()[i] != 1) stride = t.strides()[i] * itemsize_[k];
      }
      strides_[k].push_back(stride);
    }
  }
  numel_ = shape_numel(shape);
  coalesce();
}

template <size_t N>
void StridedLoop<N>::coalesce() {
  size_t n = sizes_.size();
  if (n < 2) return;
  size_t out = n - 1;  // merge from the innermost dim outwards, compacting toward the end
  for (size_t d = n - 1; d-- > 0;) {
    bool merge = true;
    for (size_t k = 0; k < N && merge; ++k)
      merge = strides_[k][d] == strides_[k][out] * sizes_[out];
    if (merge) {
      sizes_[out] *= sizes_[d];
    } else {
      --out;
      sizes_[out] = sizes_[d];
      for (size_t k = 0; k < N; ++k) strides_[k][out] = strides_[k][d];
    }
  }
  if (out > 0) {
    Dims s(sizes_.begin() + out, sizes_.end());
    sizes_ = s;
    for (size_t k = 0; k < N; ++k) {
      Dims t(strides_[k].begin() + out, strides_[k].end());
      strides_[k] = t;
    }
  }
}

template <size_t N>
bool StridedLoop<N>::contiguous() const {
  if (sizes_.size() > 1) return false;
  if (sizes_.empty()) return true;
  for (size_t k = 0; k < N; ++k)
    if (strides_[k][0] != itemsize_[k]) return false;
  return true;
}

template <size_t N>
template <class F>
void StridedLoop<N>::run(F&& f) const {
  if (numel_ == 0) return;
  size_t nd = sizes_.size();
  std::array<int64_t, N> inner{};
  if (nd == 0) {
    f(data_.data(), inner.data(), int64_t{1});
    return;
  }
  for (size_t k = 0; k < N; ++k) inner[k] = strides_[k][nd - 1];
  int64_t n = sizes_[nd - 1];
  if (nd == 1) {
    f(data_.data(), inner.data(), n);
    return;
  }
  std::array<char*, N> ptr = data_;
  Dims counter(nd - 1, 0);
  for (;;) {
    f(ptr.data(), inner.data(), n);
    size_t d = nd - 1;
    for (;;) {
      if (d == 0) return;
      --d;
      if (++counter[d] < sizes_[d]) {
        for (size_t k = 0; k < N; ++k) ptr[k] += strides_[k][d];
        break;
      }
      for (size_t k = 0; k < N; ++k) ptr[k] -= strides_[k][d] * (sizes_[d] - 1);
      counter[d] = 0;
    }
  }
}

namespace detail {

template <class Out, class... In, class F, size_t... I>
inline void map_row(char* const* data, const int64_t* s, int64_t n, F& f,
                    std::index_sequence<I...>) {
  bool contiguous = s[0] == static_cast<int64_t>(sizeof(Out)) &&
                    ((s[I + 1] == static_cast<int64_t>(sizeof(In))) && ...);
  Out* out = reinterpret_cast<Out*>(data[0]);
  if (contiguous) {
    std::tuple<const In*...> in{reinterpret_cast<const In*>(data[I + 1])...};
    for (int64_t i = 0; i < n; ++i) out[i] = f(std::get<I>(in)[i]...);
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    *reinterpret_cast<Out*>(data[0] + i * s[0]) =
        f(*reinterpret_cast<const In*>(data[I + 1] + i * s[I + 1])...);
  }
}

}  // namespace detail

namespace detail {

template <class Out, class... In, class F, size_t... I>
inline void map_flat(Out* out, int64_t n, F& f, const std::tuple<const In*...>& in,
                     std::index_sequence<I...>) {
  for (int64_t i = 0; i < n; ++i) out[i] = f(std::get<I>(in)[i]...);
}

}  // namespace detail

// out = f(in...) elementwise; the inputs broadcast to out's shape (1 to 3 inputs).
template <class Out, class... In, class F, class... Ts>
void map_elements(const Tensor& out, F f, const Ts&... in) {
  static_assert(sizeof...(In) == sizeof...(Ts), "one C++ type per input tensor");
  if (out.is_contiguous() && ((in.sizes() == out.sizes() && in.is_contiguous()) && ...)) {
    std::tuple<const In*...> ptrs{static_cast<const In*>(in.data_ptr())...};
    detail::map_flat<Out, In...>(static_cast<Out*>(out.data_ptr()), out.numel(), f, ptrs,
                                 std::index_sequence_for<In...>{});
    return;
  }
  constexpr size_t N = 1 + sizeof...(Ts);
  StridedLoop<N> loop(out.sizes(), std::array<const Tensor*, N>{&out, &in...});
  loop.run([&](char* const* data, const int64_t* s, int64_t n) {
    detail::map_row<Out, In...>(data, s, n, f, std::index_sequence_for<In...>{});
  });
}

// f(x) for each element of `t` (read only), in row-major order.
template <class T, class F>
void for_each(const Tensor& t, F f) {
  if (t.is_contiguous()) {
    const T* p = static_cast<const T*>(t.data_ptr());
    for (int64_t i = 0, n = t.numel(); i < n; ++i) f(p[i]);
    return;
  }
  StridedLoop<1> loop(t.sizes(), std::array<const Tensor*, 1>{&t});
  loop.run([&](char* const* data, const int64_t* s, int64_t n) {
    if (s[0] == static_cast<int64_t>(sizeof(T))) {
      const T* p = reinterpret_cast<const T*>(data[0]);
      for (int64_t i = 0; i < n; ++i) f(p[i]);
    } else {
      for (int64_t i = 0; i < n; ++i) f(*reinterpret_cast<const T*>(data[0] + i * s[0]));
    }
  });
}

}  // namespace ember
