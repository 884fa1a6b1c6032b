// Helpers shared by the shape, creation and indexing kernels (shape*.cpp, create*.cpp,
// index*.cpp): argument reading, dim wrapping and torch's stride rules.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "ember/dims.h"
#include "ember/error.h"
#include "ember/tensor.h"
#include "ember/value.h"
#include "runtime/kernel.h"

namespace ember {
namespace shape {

[[noreturn]] inline void fail(const std::string& message) {
  throw Error(ErrorKind::Runtime, message);
}

// "[2, 3]"
std::string dims_str(const Dims& d);

// `dim` wrapped into [0, ndim) (0-d tensors accept -1 and 0), torch's error otherwise.
int64_t wrap_dim(int64_t dim, int64_t ndim);

// An int[] argument (a bare int counts as a one-element list).
Dims int_list(const Value& v);

// A `ScalarType?` argument: nullopt for None; a bad number throws.
std::optional<DType> opt_dtype(const Value& v);
DType to_dtype(const Value& v);

// Accepts None and the CPU ("cpu", "cpu:N") as a device argument; anything else throws naming `op`.
void check_device(const Value& device, const char* op);

// Accepts the layout/device/pin_memory arguments of creation ops at `first..first+2`
// (None, strided, cpu, false); anything else throws naming `op`.
void check_options(const Call& c, uint32_t first, const char* op);

// The reduction dims of an `int[]` argument ([] = all), wrapped, duplicates refused;
// the result is a bit mask over dims.
uint64_t dim_mask(const Value& v, int64_t ndim);

// The product of the sizes.
int64_t numel_of(const Dims& sizes);

// torch's computeStride: strides viewing (sizes, strides) as `shape`, or false.
bool view_strides(const Dims& sizes, const Dims& strides, const Dims& shape, Dims& out);

// `shape` with one -1 inferred for `numel` elements (torch's infer_size errors).
Dims infer_shape(const Dims& shape, int64_t numel);

// torch's is_non_overlapping_and_dense and infer_dense_strides (the strides a
// preserve-format copy of such a tensor gets).
bool non_overlapping_and_dense(const Dims& sizes, const Dims& strides);
Dims dense_strides(const Dims& sizes, const Dims& strides);

// A new tensor for result `i` laid out like `like` (torch's preserve_format: contiguous
// inputs get arena outputs, permuted ones their dense strides).
Tensor output_like(const Call& c, uint32_t i, const Tensor& like, DType dtype);

// Calls f(E{}) with E an unsigned type of `size` bytes (1, 2, 4, 8; 16 is Pair16), for
// dtype-agnostic element moves.
struct Pair16 {
  uint64_t lo, hi;
};
template <class F>
decltype(auto) with_elem_size(size_t size, F&& f) {
  switch (size) {
    case 1: return f(uint8_t{});
    case 2: return f(uint16_t{});
    case 4: return f(uint32_t{});
    case 8: return f(uint64_t{});
    default: return f(Pair16{});
  }
}

// Element `i` of an int32/int64 index tensor's data (`p` points at element 0).
inline int64_t index_at(const void* p, DType dtype, int64_t i) {
  return dtype == DType::Int64 ? static_cast<const int64_t*>(p)[i]
                               : static_cast<const int32_t*>(p)[i];
}

// Visits every position of `sizes` in row-major order, calling f(offsets) with, per
// operand k, offsets[k] = base[k] + sum_d index[d] * strides[k][d].
template <size_t N, class F>
void odometer(const Dims& sizes, const std::array<const Dims*, N>& strides,
              std::array<int64_t, N> offsets, F&& f) {
  const size_t nd = sizes.size();
  for (int64_t s : sizes) {
    if (s == 0) return;
  }
  if (nd == 0) {
    f(offsets);
    return;
  }
  Dims counter(nd, 0);
  const int64_t inner = sizes[nd - 1];
  for (;;) {
    std::array<int64_t, N> at = offsets;
    for (int64_t i = 0; i < inner; ++i) {
      f(at);
      for (size_t k = 0; k < N; ++k) at[k] += (*strides[k])[nd - 1];
    }
    size_t d = nd - 1;
    for (;;) {
      if (d == 0) return;
      --d;
      if (++counter[d] < sizes[d]) {
        for (size_t k = 0; k < N; ++k) offsets[k] += (*strides[k])[d];
        break;
      }
      for (size_t k = 0; k < N; ++k) offsets[k] -= (*strides[k])[d] * (sizes[d] - 1);
      counter[d] = 0;
    }
  }
}

// A view of `t` (a new TensorImpl on the same storage).
inline Tensor view_of(const Tensor& t, const Dims& sizes, const Dims& strides, int64_t offset) {
  return t.as_strided(sizes, strides, offset);
}

}  // namespace shape

// Views other kernel files of this group build on (shape_view.cpp).
Tensor shape_select(const Tensor& t, int64_t dim, int64_t index);
Tensor shape_slice(const Tensor& t, int64_t dim, int64_t start, int64_t end, int64_t step);

}  // namespace ember
