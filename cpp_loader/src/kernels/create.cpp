// Creation: zeros, ones, empty, full, *_like, eye, and random tensors.
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "core/promote.h"
#include "kernels/create_util.h"

namespace ember {
namespace create {

Dims sizes_arg(const Value& v) {
  Dims sizes = shape::int_list(v);
  for (int64_t s : sizes) {
    if (s < 0) {
      shape::fail("Trying to create tensor with negative dimension " + std::to_string(s) + ": " +
                  shape::dims_str(sizes));
    }
  }
  return sizes;
}

namespace {

const char* c10_name(DType dtype) {
  switch (dtype) {
    case DType::UInt8: return "uint8_t";
    case DType::Int8: return "int8_t";
    case DType::Int16: return "int16_t";
    case DType::Int32: return "int";
    case DType::Int64: return "int64_t";
    default: return dtype_c_name(dtype);
  }
}

// (lowest, max) of a dtype's values (of each part, for complex), as doubles.
void limits(DType d, double& lo, double& hi) {
  switch (d) {
    case DType::UInt8: lo = 0, hi = 255; return;
    case DType::Int8: lo = -128, hi = 127; return;
    case DType::Int16: lo = -32768, hi = 32767; return;
    case DType::Int32: lo = -2147483648.0, hi = 2147483647.0; return;
    case DType::Int64: lo = -9223372036854775808.0, hi = 9223372036854775807.0; return;
    case DType::Float16: lo = -65504, hi = 65504; return;
    case DType::BFloat16: lo = -3.3895313892515355e38, hi = 3.3895313892515355e38; return;
    case DType::Float32:
    case DType::Complex64: hi = std::numeric_limits<float>::max(), lo = -hi; return;
    default: hi = std::numeric_limits<double>::max(), lo = -hi; return;
  }
}

bool int_overflows(int64_t v, DType d) {
  if (d == DType::Int64) return false;
  double lo, hi;
  limits(d, lo, hi);
  if (d == DType::UInt8) return v > 255 || -v > 255;
  return static_cast<double>(v) < lo || static_cast<double>(v) > hi;
}

bool double_overflows(double v, DType d) {
  const bool integral = is_integral(d, false);
  if (std::isnan(v) || std::isinf(v)) return integral;
  double lo, hi;
  limits(d, lo, hi);
  return v < lo || v > hi;
}

}  // namespace

void scalar_fits(const Value& v, DType d) {
  if (v.is_bool() || d == DType::Bool) return;
  bool bad;
  if (v.is_int()) {
    bad = int_overflows(v.to_int(), d);
  } else if (v.is_complex()) {
    std::complex<double> z = v.to_complex();
    bad = double_overflows(z.real(), d) ||
          (is_complex(d) ? double_overflows(z.imag(), d) : z.imag() != 0);
  } else {
    bad = double_overflows(v.to_double(), d);
  }
  if (bad) {
    shape::fail(std::string("value cannot be converted to type ") + c10_name(d) +
                " without overflow");
  }
}

}  // namespace create

namespace {

using create::fill;
using create::sizes_arg;

DType dtype_or(const Value& v, DType fallback) {
  auto d = shape::opt_dtype(v);
  return d ? *d : fallback;
}

Tensor zeroed(const Call& c, const Dims& sizes, DType dtype) {
  Tensor out = c.output(0, sizes, dtype);
  const size_t n = static_cast<size_t>(out.numel()) * out.element_size();
  if (n) std::memset(out.data_ptr(), 0, n);
  return out;
}

void zeros(Call& c) {
  shape::check_options(c, 2, "zeros");
  zeroed(c, sizes_arg(c.in(0)), dtype_or(c.in(1), DType::Float32));
}

void ones(Call& c) {
  shape::check_options(c, 2, "ones");
  fill(c.output(0, sizes_arg(c.in(0)), dtype_or(c.in(1), DType::Float32)), Value(int64_t{1}));
}

void full_into(const Call& c, const Dims& sizes, const Value& value, DType dtype) {
  Tensor out = c.output(0, sizes, dtype);
  const bool half = dtype == DType::Float16 || dtype == DType::BFloat16;
  if (!(out.numel() == 1 && half)) {
    create::scalar_fits(value, dtype);
  } else if (value.is_complex()) {
    create::scalar_fits(value, DType::Float64);
  }
  fill(out, value);
}

void full(Call& c) {
  shape::check_options(c, 3, "full");
  const Value& value = c.in(1);
  full_into(c, sizes_arg(c.in(0)), value, dtype_or(c.in(2), scalar_dtype(value)));
}

void zeros_like(Call& c) {
  shape::check_options(c, 2, "zeros_like");
  const Tensor& a = c.in(0).to_tensor();
  zeroed(c, a.sizes(), dtype_or(c.in(1), a.dtype()));
}

void ones_like(Call& c) {
  shape::check_options(c, 2, "ones_like");
  const Tensor& a = c.in(0).to_tensor();
  fill(c.output(0, a.sizes(), dtype_or(c.in(1), a.dtype())), Value(int64_t{1}));
}

void full_like(Call& c) {
  shape::check_options(c, 3, "full_like");
  const Tensor& a = c.in(0).to_tensor();
  full_into(c, a.sizes(), c.in(1), dtype_or(c.in(2), a.dtype()));
}

void eye_into(const Call& c, int64_t n, int64_t m, const Value& dtype) {
  if (n < 0) shape::fail("n must be greater or equal to 0, got " + std::to_string(n));
  if (m < 0) shape::fail("m must be greater or equal to 0, got " + std::to_string(m));
  Tensor out = zeroed(c, Dims{n, m}, dtype_or(dtype, DType::Float32));
  EMBER_DISPATCH_ALL_COMPLEX(out.dtype(), "eye", [&] {
    scalar_t* p = static_cast<scalar_t*>(out.data_ptr());
    for (int64_t i = 0; i < n && i < m; ++i) p[i * m + i] = convert<scalar_t>(int64_t{1});
  });
}

void eye(Call& c) {
  shape::check_options(c, 2, "eye");
  eye_into(c, c.in(0).to_int(), c.in(0).to_int(), c.in(1));
}

void eye_m(Call& c) {
  shape::check_options(c, 3, "eye");
  eye_into(c, c.in(0).to_int(), c.in(1).to_int(), c.in(2));
}

// --- random ---------------------------------------------------------------------

std::mt19937_64& generator() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return gen;
}

template <class R>
R draw(bool normal) {
  auto& gen = generator();
  if (normal) return static_cast<R>(std::normal_distribution<double>(0.0, 1.0)(gen));
  if (std::is_same<R, double>::value) return static_cast<R>((gen() >> 11) * 0x1.0p-53);
  return static_cast<R>(static_cast<float>((gen() >> 40) * 0x1.0p-24f));
}

void random_float(const Tensor& out, bool normal) {
  const int64_t n = out.numel();
  const char* op = normal ? "normal_kernel_cpu" : "check_uniform_bounds";
  EMBER_DISPATCH_SWITCH(out.dtype(), op, EMBER_CASES_FLOATING([&] {
    scalar_t* p = static_cast<scalar_t*>(out.data_ptr());
    using R = float_compute_t<scalar_t>;
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<scalar_t>(draw<R>(normal));
  }) EMBER_CASES_COMPLEX([&] {
    scalar_t* p = static_cast<scalar_t*>(out.data_ptr());
    using R = typename scalar_t::value_type;
    const R scale = normal ? static_cast<R>(std::sqrt(0.5)) : R(1);
    for (int64_t i = 0; i < n; ++i) {
      R re = draw<R>(normal), im = draw<R>(normal);
      p[i] = scalar_t(re * scale, im * scale);
    }
  }));
}

template <bool Normal>
void rand(Call& c) {
  shape::check_options(c, 2, Normal ? "randn" : "rand");
  random_float(c.output(0, sizes_arg(c.in(0)), dtype_or(c.in(1), DType::Float32)), Normal);
}

template <bool Normal>
void rand_like(Call& c) {
  shape::check_options(c, 2, Normal ? "randn_like" : "rand_like");
  const Tensor& a = c.in(0).to_tensor();
  random_float(c.output(0, a.sizes(), dtype_or(c.in(1), a.dtype())), Normal);
}

void randint_into(const Call& c, int64_t low, int64_t high, const Value& size,
                  const Value& dtype) {
  if (low >= high) {
    shape::fail("random_ expects 'from' to be less than 'to', but got from=" +
                std::to_string(low) + " >= to=" + std::to_string(high));
  }
  DType rt = dtype_or(dtype, DType::Int64);
  if (is_complex(rt)) {
    shape::fail("check_random_bounds handles only integral, floating-point and boolean types");
  }
  double lo = 0, hi = 1;
  if (rt != DType::Bool) create::limits(rt, lo, hi);
  if (rt != DType::Int64 && !(lo <= low && low <= hi)) {
    shape::fail(std::string("from is out of bounds for ") + dtype_c_name(rt));
  }
  if (rt != DType::Int64 && !(lo <= high - 1 && high - 1 <= hi)) {
    shape::fail(std::string("to - 1 is out of bounds for ") + dtype_c_name(rt));
  }
  Tensor out = c.output(0, sizes_arg(size), rt);
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  std::uniform_int_distribution<uint64_t> dist(0, range - 1);
  EMBER_DISPATCH_ALL(rt, "random_", [&] {
    scalar_t* p = static_cast<scalar_t*>(out.data_ptr());
    for (int64_t i = 0; i < out.numel(); ++i) {
      int64_t v = static_cast<int64_t>(static_cast<uint64_t>(low) + dist(generator()));
      p[i] = convert<scalar_t>(v);
    }
  });
}

void randint(Call& c) {
  shape::check_options(c, 3, "randint");
  randint_into(c, 0, c.in(0).to_int(), c.in(1), c.in(2));
}

void randint_low(Call& c) {
  shape::check_options(c, 4, "randint");
  randint_into(c, c.in(0).to_int(), c.in(1).to_int(), c.in(2), c.in(3));
}

}  // namespace

void register_create_range_kernels(KernelRegistry& r);

void register_create_kernels(KernelRegistry& r) {
  r.add("aten::zeros", zeros);
  r.add("aten::ones", ones);
  r.add("aten::empty.memory_format", zeros);
  r.add("aten::full", full);
  r.add("aten::zeros_like", zeros_like);
  r.add("aten::ones_like", ones_like);
  r.add("aten::empty_like", zeros_like);
  r.add("aten::full_like", full_like);
  r.add("aten::eye", eye);
  r.add("aten::eye.m", eye_m);
  r.add("aten::rand", rand<false>);
  r.add("aten::randn", rand<true>);
  r.add("aten::rand_like", rand_like<false>);
  r.add("aten::randn_like", rand_like<true>);
  r.add("aten::randint", randint);
  r.add("aten::randint.low", randint_low);
  register_create_range_kernels(r);
}

}  // namespace ember
