// Elementwise classification (isnan, isinf, isfinite) and one element as a Python number
// (item, ScalarImplicit).
#include <cmath>
#include <complex>
#include <cstring>
#include <string>
#include <type_traits>

#include "core/convert.h"
#include "core/dispatch.h"
#include "core/iter.h"
#include "kernels/shape_util.h"

namespace ember {
namespace {

const Tensor& self(const Call& c) { return c.in(0).to_tensor(); }

enum class Test { Nan, Inf, Finite };

template <Test K, class R>
bool classify(R v) {
  if constexpr (K == Test::Nan) return std::isnan(v);
  if constexpr (K == Test::Inf) return std::isinf(v);
  return std::isfinite(v);
}

template <Test K, class T>
bool test(T x) {
  if constexpr (is_complex_t<T>::value) {
    if constexpr (K == Test::Finite) return std::isfinite(x.real()) && std::isfinite(x.imag());
    return classify<K>(x.real()) || classify<K>(x.imag());
  } else {
    return classify<K>(static_cast<float_compute_t<T>>(x));
  }
}

template <Test K>
void classify_kernel(Call& c) {
  const Tensor& a = self(c);
  Tensor out = shape::output_like(c, 0, a, DType::Bool);
  if (!is_floating(a.dtype()) && !is_complex(a.dtype())) {
    const size_t n = static_cast<size_t>(out.numel());
    if (n) std::memset(out.data_ptr(), K == Test::Finite, n);
    return;
  }
  auto run = [&](auto tag, const Tensor& x) {
    using T = typename decltype(tag)::type;
    map_elements<bool, T>(out, [](T v) { return test<K>(v); }, x);
  };
  switch (a.dtype()) {
    case DType::Float64: return run(TypeTag<double>{}, a);
    case DType::Complex64: return run(TypeTag<std::complex<float>>{}, a);
    case DType::Complex128: return run(TypeTag<std::complex<double>>{}, a);
    case DType::Float32: return run(TypeTag<float>{}, a);
    case DType::Float16:
    case DType::BFloat16: return run(TypeTag<float>{}, a.to(DType::Float32));  // exact
    default: throw_not_implemented("isnan", a.dtype());
  }
}

void item(Call& c) {
  const Tensor& a = self(c);
  if (a.numel() != 1) {
    shape::fail("a Tensor with " + std::to_string(a.numel()) +
                " elements cannot be converted to Scalar");
  }
  const void* p = a.data_ptr();
  switch (a.dtype()) {
    case DType::Bool: c.set(0, Value(*static_cast<const bool*>(p))); return;
    case DType::Complex64:
    case DType::Complex128: {
      std::complex<double> v = EMBER_DISPATCH_SWITCH(
          a.dtype(), "item", EMBER_CASES_COMPLEX([&] {
            return convert<std::complex<double>>(*static_cast<const scalar_t*>(p));
          }));
      c.set(0, Value(v));
      return;
    }
    default: break;
  }
  if (is_floating(a.dtype())) {
    double v = EMBER_DISPATCH_FLOATING(a.dtype(), "item", [&] {
      return static_cast<double>(static_cast<float_compute_t<scalar_t>>(
          *static_cast<const scalar_t*>(p)));
    });
    c.set(0, Value(v));
    return;
  }
  int64_t v = EMBER_DISPATCH_INTEGRAL(a.dtype(), "item", [&] {
    return static_cast<int64_t>(*static_cast<const scalar_t*>(p));
  });
  c.set(0, Value(v));
}

}  // namespace

void register_shape_extra_kernels(KernelRegistry& r) {
  r.add("aten::isnan", classify_kernel<Test::Nan>);
  r.add("aten::isinf", classify_kernel<Test::Inf>);
  r.add("aten::isfinite", classify_kernel<Test::Finite>);
  r.add("aten::item", item);
  r.add("aten::ScalarImplicit", item);
}

}  // namespace ember
