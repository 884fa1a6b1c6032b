// The `math` module of scripted code (ember/ops/kernels/mathlib.py): C's <cmath> results
// where Python's math would raise (sqrt(-1) is NaN, log(0) is -inf, exp(1000) is inf).
#include <cmath>
#include <limits>
#include <string>

#include "kernels/prim_util.h"

namespace ember::prim {
namespace {

using Fn1 = double (*)(double);
using Fn2 = double (*)(double, double);

constexpr double kPi = 3.14159265358979323846;

double degrees(double x) { return x * (180.0 / kPi); }
double radians(double x) { return x * (kPi / 180.0); }
double natural_log(double x) { return std::log(x); }

// One kernel per function: the function is a template argument, so no call through a
// pointer at run time.
template <Fn1 F>
void unary(Call& c) { c.set(0, Value(F(as_double(c.in(0))))); }

template <Fn2 F>
void binary(Call& c) { c.set(0, Value(F(as_double(c.in(0)), as_double(c.in(1))))); }

double log_base(double x, double base) { return std::log(x) / std::log(base); }

template <Fn1 F>
void add_unary(KernelRegistry& r, const std::string& name) {
  r.add("aten::" + name + ".int", unary<F>);
  r.add("aten::" + name + ".float", unary<F>);
}

template <Fn2 F>
void add_binary(KernelRegistry& r, const std::string& name) {
  for (const char* overload : {".int", ".float", ".int_float", ".float_int"}) {
    r.add("aten::" + name + overload, binary<F>);
  }
}

#define EMBER_STD1(name) \
  double name##_(double x) { return std::name(x); }
EMBER_STD1(sqrt)
EMBER_STD1(exp)
EMBER_STD1(log10)
EMBER_STD1(log1p)
EMBER_STD1(expm1)
EMBER_STD1(sin)
EMBER_STD1(cos)
EMBER_STD1(tan)
EMBER_STD1(asin)
EMBER_STD1(acos)
EMBER_STD1(atan)
EMBER_STD1(sinh)
EMBER_STD1(cosh)
EMBER_STD1(tanh)
EMBER_STD1(asinh)
EMBER_STD1(acosh)
EMBER_STD1(atanh)
EMBER_STD1(erf)
EMBER_STD1(erfc)
EMBER_STD1(tgamma)
EMBER_STD1(lgamma)
EMBER_STD1(fabs)
#undef EMBER_STD1

double atan2_(double y, double x) { return std::atan2(y, x); }
double copysign_(double x, double y) { return std::copysign(x, y); }
double fmod_(double x, double y) { return std::fmod(x, y); }
double remainder_(double x, double y) { return std::remainder(x, y); }

void floor_int(Call& c) { c.set(0, Value(as_int(c.in(0)))); }
void floor_float(Call& c) { c.set(0, Value(float_to_int(std::floor(as_double(c.in(0)))))); }
void ceil_float(Call& c) { c.set(0, Value(float_to_int(std::ceil(as_double(c.in(0)))))); }
void isnan(Call& c) { c.set(0, Value(bool(std::isnan(as_double(c.in(0)))))); }
void isinf(Call& c) { c.set(0, Value(bool(std::isinf(as_double(c.in(0)))))); }
void isfinite(Call& c) { c.set(0, Value(bool(std::isfinite(as_double(c.in(0)))))); }

void gcd(Call& c) {
  const int64_t a = as_int(c.in(0)), b = as_int(c.in(1));
  uint64_t x = a < 0 ? 0 - uint64_t(a) : uint64_t(a);
  uint64_t y = b < 0 ? 0 - uint64_t(b) : uint64_t(b);
  while (y != 0) {
    const uint64_t t = x % y;
    x = y;
    y = t;
  }
  c.set(0, Value(int64_t(x)));
}

// n! wrapping at 64 bits; from 66! on, 2^64 divides it, so it wraps to 0.
void factorial(Call& c) {
  const int64_t n = as_int(c.in(0));
  if (n < 0) fail("factorial() not defined for negative values");
  int64_t result = 1;
  for (int64_t i = 2; i <= n && i <= 66; ++i) result = wrap_mul(result, i);
  c.set(0, Value(n >= 66 ? int64_t(0) : result));
}

void ldexp(Call& c) {
  const double x = as_double(c.in(0));
  int64_t i = as_int(c.in(1));
  constexpr int64_t kBound = 1 << 20;  // beyond any double's exponent range
  if (i > kBound) i = kBound;
  if (i < -kBound) i = -kBound;
  c.set(0, Value(std::ldexp(x, static_cast<int>(i))));
}

}  // namespace

void register_scalar_math(KernelRegistry& r) {
  add_unary<sqrt_>(r, "sqrt");
  add_unary<exp_>(r, "exp");
  add_unary<natural_log>(r, "log");
  add_unary<log10_>(r, "log10");
  add_unary<log1p_>(r, "log1p");
  add_unary<expm1_>(r, "expm1");
  add_unary<sin_>(r, "sin");
  add_unary<cos_>(r, "cos");
  add_unary<tan_>(r, "tan");
  add_unary<asin_>(r, "asin");
  add_unary<acos_>(r, "acos");
  add_unary<atan_>(r, "atan");
  add_unary<sinh_>(r, "sinh");
  add_unary<cosh_>(r, "cosh");
  add_unary<tanh_>(r, "tanh");
  add_unary<asinh_>(r, "asinh");
  add_unary<acosh_>(r, "acosh");
  add_unary<atanh_>(r, "atanh");
  add_unary<erf_>(r, "erf");
  add_unary<erfc_>(r, "erfc");
  add_unary<tgamma_>(r, "gamma");
  add_unary<lgamma_>(r, "lgamma");
  add_unary<fabs_>(r, "fabs");
  add_unary<degrees>(r, "degrees");
  add_unary<radians>(r, "radians");
  for (const char* overload : {".int_int", ".float_float", ".int_float", ".float_int"}) {
    r.add(std::string("aten::log") + overload, binary<log_base>);
  }
  add_binary<atan2_>(r, "atan2");
  add_binary<copysign_>(r, "copysign");
  add_binary<fmod_>(r, "fmod");
  add_binary<remainder_>(r, "mathremainder");
  r.add("aten::floor.int", floor_int);
  r.add("aten::floor.float", floor_float);
  r.add("aten::ceil.int", floor_int);
  r.add("aten::ceil.float", ceil_float);
  r.add("aten::isnan.float", isnan);
  r.add("aten::isinf.float", isinf);
  r.add("aten::isfinite.float", isfinite);
  r.add("aten::gcd.int", gcd);
  r.add("aten::factorial.int", factorial);
  r.add("aten::ldexp", ldexp);
}

}  // namespace ember::prim
