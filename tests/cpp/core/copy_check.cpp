// copy_from between every pair of dtypes, contiguous and strided, against convert<To>(from)
// element by element: the same bytes, NaN payloads and signs included (copy_from takes
// most pairs through a lossless wide type, so this is what keeps it exact).
#include <complex>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "core/dispatch.h"
#include "ember/tensor.h"

using namespace ember;

namespace {

const DType kDtypes[] = {DType::Bool,     DType::UInt8,    DType::Int8,      DType::Int16,
                         DType::Int32,    DType::Int64,    DType::Float16,   DType::BFloat16,
                         DType::Float32,  DType::Float64,  DType::Complex64, DType::Complex128};

// Random elements of `dtype`: random bit patterns for floats (NaNs with payloads,
// infinities, subnormals), whole numbers that overflow the small types, valid bools.
Tensor random_tensor(std::mt19937_64& g, DType dtype, const Dims& sizes) {
  Tensor t = Tensor::empty(sizes, dtype);
  unsigned char* p = static_cast<unsigned char*>(t.data_ptr());
  size_t n = static_cast<size_t>(t.numel()), item = t.element_size();
  for (size_t i = 0; i < n * item; ++i) p[i] = static_cast<unsigned char>(g());
  if (dtype == DType::Bool)
    for (size_t i = 0; i < n; ++i) p[i] &= 1;
  if (is_floating(dtype) || is_complex(dtype)) {  // some ordinary values too
    Tensor v = Tensor::empty(sizes, DType::Float64);
    for (size_t i = 0; i < n; ++i)
      v.data<double>()[i] = std::ldexp(static_cast<double>(static_cast<int64_t>(g())), -40);
    Tensor tv = v.to(dtype);
    for (size_t i = 0; i < n; i += 2) std::memcpy(p + i * item, static_cast<char*>(tv.data_ptr()) + i * item, item);
  }
  return t;
}

template <class To, class From>
void expect_converted(const Tensor& to, const Tensor& from, DType dt, DType df) {
  // `from` is contiguous; `to` has its own strides.
  const From* in = static_cast<const From*>(from.data_ptr());
  int64_t n = from.numel(), rows = from.sizes()[0], cols = n / rows;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      To want = convert<To>(in[r * cols + c]);
      const To* got = static_cast<const To*>(to.data_ptr()) + r * to.strides()[0] + c * to.strides()[1];
      if (std::memcmp(got, &want, sizeof(To)) != 0) {
        std::printf("copy %s -> %s differs at (%lld, %lld)\n", std::string(dtype_name(df)).c_str(),
                    std::string(dtype_name(dt)).c_str(),
                    static_cast<long long>(r), static_cast<long long>(c));
        ++g_failures;
        return;
      }
    }
  }
}

void check_pair(std::mt19937_64& g, DType to, DType from) {
  Tensor src = random_tensor(g, from, Dims{37, 41});
  Tensor contiguous = Tensor::empty(Dims{37, 41}, to);
  contiguous.copy_from(src);
  Tensor strided = Tensor::empty(Dims{41, 37}, to).as_strided(Dims{37, 41}, Dims{1, 37}, 0);
  Tensor src_columns = Tensor::empty(Dims{41, 37}, from).as_strided(Dims{37, 41}, Dims{1, 37}, 0);
  src_columns.copy_from(src);
  strided.copy_from(src_columns);  // both column-major: strided rows on both sides
  EMBER_DISPATCH_ALL_COMPLEX(to, "check", [&] {
    using To = scalar_t;
    EMBER_DISPATCH_ALL_COMPLEX(from, "check", [&] {
      expect_converted<To, scalar_t>(contiguous, src, to, from);
      expect_converted<To, scalar_t>(strided, src, to, from);
    });
  });
}

}  // namespace

void check_copies() {
  std::mt19937_64 g(7);
  for (DType to : kDtypes)
    for (DType from : kDtypes) check_pair(g, to, from);
}
