// Strided copies with dtype conversion. A conversion loop per (from, to) pair would be
// 144 loops; instead the common pairs have one, and every other pair goes through a
// buffer of the source's lossless wide type: int64 for bool and the integers, float
// for float16/bfloat16/float32, and double, complex<float>, complex<double> for
// themselves. Widening is exact (no hardware float conversion that could quiet a NaN),
// and convert<To>(wide(x)) == convert<To>(x) for every To, so results are the same as a
// direct loop's: one loader per dtype and one storer per (wide type, dtype).
#include "core/copy.h"

#include <complex>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "core/dispatch.h"
#include "core/iter.h"

namespace ember {

namespace {

template <class To, class From>
void convert_rows(char* const* data, const int64_t* s, int64_t n) {
  if (s[0] == static_cast<int64_t>(sizeof(To)) && s[1] == static_cast<int64_t>(sizeof(From))) {
    To* out = reinterpret_cast<To*>(data[0]);
    const From* in = reinterpret_cast<const From*>(data[1]);
    for (int64_t i = 0; i < n; ++i) out[i] = convert<To>(in[i]);
    return;
  }
  for (int64_t i = 0; i < n; ++i)
    *reinterpret_cast<To*>(data[0] + i * s[0]) =
        convert<To>(*reinterpret_cast<const From*>(data[1] + i * s[1]));
}

// Same dtype: the element's bytes, moved as an integer of its size.
template <class Bits>
void copy_rows(char* const* data, const int64_t* s, int64_t n) {
  constexpr int64_t size = sizeof(Bits);
  if (s[0] == size && s[1] == size) {
    std::memcpy(data[0], data[1], static_cast<size_t>(n * size));
    return;
  }
  for (int64_t i = 0; i < n; ++i)
    std::memcpy(data[0] + i * s[0], data[1] + i * s[1], sizeof(Bits));
}
struct Bytes16 {
  char b[16];
};

using Rows = void (*)(char* const*, const int64_t*, int64_t);

Rows same_dtype_rows(size_t itemsize) {
  switch (itemsize) {
    case 1: return copy_rows<uint8_t>;
    case 2: return copy_rows<uint16_t>;
    case 4: return copy_rows<uint32_t>;
    case 8: return copy_rows<uint64_t>;
    default: return copy_rows<Bytes16>;
  }
}

// The pairs models convert often (casts to and from float32, index dtypes, masks, 8-bit
// images): a loop each.
Rows direct_rows(DType to, DType from) {
  using D = DType;
  auto pair = [&](D t, D f) { return to == t && from == f; };
  if (pair(D::Float32, D::Float64)) return convert_rows<float, double>;
  if (pair(D::Float64, D::Float32)) return convert_rows<double, float>;
  if (pair(D::Float32, D::Int64)) return convert_rows<float, int64_t>;
  if (pair(D::Float32, D::Int32)) return convert_rows<float, int32_t>;
  if (pair(D::Float32, D::Bool)) return convert_rows<float, bool>;
  if (pair(D::Float32, D::UInt8)) return convert_rows<float, uint8_t>;
  if (pair(D::Float32, D::Float16)) return convert_rows<float, Half>;
  if (pair(D::Float32, D::BFloat16)) return convert_rows<float, BFloat16>;
  if (pair(D::Float16, D::Float32)) return convert_rows<Half, float>;
  if (pair(D::BFloat16, D::Float32)) return convert_rows<BFloat16, float>;
  if (pair(D::Int64, D::Float32)) return convert_rows<int64_t, float>;
  if (pair(D::Int64, D::Int32)) return convert_rows<int64_t, int32_t>;
  if (pair(D::Int32, D::Int64)) return convert_rows<int32_t, int64_t>;
  if (pair(D::Int64, D::Bool)) return convert_rows<int64_t, bool>;
  if (pair(D::Bool, D::Float32)) return convert_rows<bool, float>;
  if (pair(D::Float64, D::Int64)) return convert_rows<double, int64_t>;
  return nullptr;
}

constexpr int64_t kChunk = 256;

template <class W, class From>
void load(const char* p, int64_t stride, int64_t n, W* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = convert<W>(*reinterpret_cast<const From*>(p + i * stride));
}
template <class W, class To>
void store(const W* in, int64_t n, char* p, int64_t stride) {
  for (int64_t i = 0; i < n; ++i) *reinterpret_cast<To*>(p + i * stride) = convert<To>(in[i]);
}

// The lossless wide type of an element type: int64 for bool and the integers, float for
// the 16-bit floats, the type itself for the rest.
template <class T>
using wide_t = std::conditional_t<
    std::is_same<T, Half>::value || std::is_same<T, BFloat16>::value, float,
    std::conditional_t<std::is_integral<T>::value, int64_t, T>>;

// Rows converted a chunk at a time: loaded into a buffer of W, stored as dtype `to`.
template <class W>
void copy_through(const StridedLoop<2>& loop, DType to,
                  void (*loader)(const char*, int64_t, int64_t, W*)) {
  using Store = void (*)(const W*, int64_t, char*, int64_t);
  Store storer = EMBER_DISPATCH_ALL_COMPLEX(to, "copy_", [&]() -> Store { return store<W, scalar_t>; });
  loop.run([&](char* const* data, const int64_t* s, int64_t n) {
    W buffer[kChunk];
    for (int64_t i = 0; i < n; i += kChunk) {
      int64_t m = n - i < kChunk ? n - i : kChunk;
      loader(data[1] + i * s[1], s[1], m, buffer);
      storer(buffer, m, data[0] + i * s[0], s[0]);
    }
  });
}

}  // namespace

void copy_elements(const Tensor& dst, const Tensor& src) {
  StridedLoop<2> loop(dst.sizes(), {&dst, &src});
  DType to = dst.dtype(), from = src.dtype();
  for (DType d : {to, from})  // no element type, as the dispatch of every other path says
    if (d == DType::Complex32) throw_not_implemented("copy_", d);
  if (to == from) return loop.run(same_dtype_rows(dst.element_size()));
  if (Rows rows = direct_rows(to, from)) return loop.run(rows);
  EMBER_DISPATCH_ALL_COMPLEX(from, "copy_", [&] {
    using W = wide_t<scalar_t>;
    copy_through<W>(loop, to, load<W, scalar_t>);
  });
}

}  // namespace ember
