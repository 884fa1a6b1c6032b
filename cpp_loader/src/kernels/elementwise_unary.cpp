// Unary math: floating functions (integers give float32), rounding, neg/abs/sign/square,
// and their in-place forms.
#include <cmath>

#include "kernels/support/math.h"
#include "kernels/support/unary.h"
#include "kernels/support/vecmath.h"

namespace ember {
namespace elem {

namespace {

template <class F>
void floating(Call& c, bool inplace, const char* kernel, F f) {
  unary_op<kFloats>(c, inplace, float_result(self_tensor(c).dtype()), kernel, f);
}

using FloatFn = float (*)(float);
using DoubleFn = double (*)(double);

// A C library function (no vector loop to gain): every such kernel shares one loop per
// type, calling the function through a pointer.
void call_each(Call& c, bool inplace, DType rt, const char* kernel, FloatFn f, DoubleFn d) {
  unary_op<kFloats>(c, inplace, rt, kernel, [f, d](auto x) {
    if constexpr (std::is_same<decltype(x), float>::value) return f(x);
    else return d(x);
  });
}

// floor, ceil, round, trunc: integers round to themselves.
void rounding(Call& c, bool inplace, const char* kernel, FloatFn f, DoubleFn d) {
  const Tensor& t = self_tensor(c);
  DType dt = t.dtype();
  if (dt == DType::Bool || is_complex(dt)) not_implemented(kernel, dt);
  if (category(dt) == 2) return call_each(c, inplace, dt, kernel, f, d);
  if (inplace) {
    in_place(c, t, dt, t.sizes());
    return;
  }
  Tensor dst = out_of_place(c, t.sizes(), dt);
  dst.copy_from(t);
}

void neg(Call& c, bool inplace) {
  DType d = self_tensor(c).dtype();
  if (d == DType::Bool)
    fail("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
         "invert a mask, use the `~` or `logical_not()` operator instead.");
  unary_op<kNumbers>(c, inplace, d, "neg", [](auto x) { return wneg(x); });
}

void abs(Call& c, bool inplace) {
  DType d = self_tensor(c).dtype();
  if (d == DType::Bool) not_implemented("abs_cpu", d);
  unary_op<kNumbers>(c, inplace, d, "abs_cpu", [](auto x) {
    using T = decltype(x);
    if constexpr (std::is_floating_point<T>::value) return std::fabs(x);
    else if constexpr (std::is_signed<T>::value) return x < 0 ? wneg(x) : x;
    else return x;
  });
}

void sign(Call& c, bool inplace) {
  DType d = self_tensor(c).dtype();
  unary_op<kAll>(c, inplace, d, "sign", [](auto x) {
    using T = decltype(x);
    if constexpr (std::is_same<T, bool>::value) return x;
    else if constexpr (std::is_floating_point<T>::value)
      return x > 0 ? T(1) : x < 0 ? T(-1) : x == 0 ? T(0) : x;
    else return static_cast<T>((T(0) < x) - (x < T(0)));
  });
}

void square(Call& c, bool inplace) {
  DType d = self_tensor(c).dtype();
  DType rt = d == DType::Bool ? DType::Int64 : d;
  unary_op<kNumbers>(c, inplace, rt, "square", [](auto x) { return wmul(x, x); });
}

#define EMBER_FLOAT_FN(NAME, EXPR)                                       \
  void NAME(Call& c, bool inplace) {                                     \
    floating(c, inplace, #NAME, [](auto x) {                             \
      using T = decltype(x);                                             \
      (void)sizeof(T);                                                   \
      return EXPR;                                                       \
    });                                                                  \
  }

// Loops of their own: the vectorised float32 functions, square roots and reciprocals.
EMBER_FLOAT_FN(exp, exp_of(x))
EMBER_FLOAT_FN(sqrt, std::sqrt(x))
EMBER_FLOAT_FN(rsqrt, T(1) / std::sqrt(x))
EMBER_FLOAT_FN(tanh, tanh_of(x))
EMBER_FLOAT_FN(sigmoid, sigmoid_of(x))
EMBER_FLOAT_FN(erf, erf_of(x))
EMBER_FLOAT_FN(reciprocal, T(1) / x)
#undef EMBER_FLOAT_FN

#define EMBER_LIBM_FN(NAME, FN)                                                          \
  void NAME(Call& c, bool inplace) {                                                     \
    call_each(c, inplace, float_result(self_tensor(c).dtype()), #NAME,                   \
              [](float x) { return FN(x); }, [](double x) { return FN(x); });            \
  }

EMBER_LIBM_FN(log, std::log)
EMBER_LIBM_FN(log2, std::log2)
EMBER_LIBM_FN(log1p, std::log1p)
EMBER_LIBM_FN(sin, std::sin)
EMBER_LIBM_FN(cos, std::cos)
EMBER_LIBM_FN(tan, std::tan)
EMBER_LIBM_FN(erfc, std::erfc)
EMBER_LIBM_FN(log10, std::log10)
EMBER_LIBM_FN(expm1, std::expm1)
EMBER_LIBM_FN(exp2, std::exp2)
EMBER_LIBM_FN(asin, std::asin)
EMBER_LIBM_FN(acos, std::acos)
EMBER_LIBM_FN(atan, std::atan)
EMBER_LIBM_FN(sinh, std::sinh)
EMBER_LIBM_FN(cosh, std::cosh)
#undef EMBER_LIBM_FN

}  // namespace

void register_unary_kernels(KernelRegistry& r) {
#define EMBER_REG(NAME, FN)                                          \
  r.add("aten::" NAME, [](Call& c) { FN(c, false); });              \
  r.add("aten::" NAME "_", [](Call& c) { FN(c, true); });
  EMBER_REG("exp", exp)
  EMBER_REG("log", log)
  EMBER_REG("log2", log2)
  EMBER_REG("log1p", log1p)
  EMBER_REG("sqrt", sqrt)
  EMBER_REG("rsqrt", rsqrt)
  EMBER_REG("sin", sin)
  EMBER_REG("cos", cos)
  EMBER_REG("tan", tan)
  EMBER_REG("tanh", tanh)
  EMBER_REG("sigmoid", sigmoid)
  EMBER_REG("reciprocal", reciprocal)
  EMBER_REG("log10", log10)
  EMBER_REG("expm1", expm1)
  EMBER_REG("exp2", exp2)
  EMBER_REG("asin", asin)
  EMBER_REG("acos", acos)
  EMBER_REG("atan", atan)
  EMBER_REG("sinh", sinh)
  EMBER_REG("cosh", cosh)
  EMBER_REG("neg", neg)
  EMBER_REG("abs", abs)
  EMBER_REG("sign", sign)
  EMBER_REG("square", square)
#undef EMBER_REG
  // erf and erfc refuse complex inputs by their vml kernel's name
  r.add("aten::erf", [](Call& c) { erf(c, false); });
  r.add("aten::erf_", [](Call& c) { erf(c, true); });
  r.add("aten::erfc", [](Call& c) { erfc(c, false); });
  r.add("aten::erfc_", [](Call& c) { erfc(c, true); });
#define EMBER_ROUND(NAME, FN)                                                           \
  r.add("aten::" #NAME, [](Call& c) {                                                   \
    rounding(c, false, #NAME "_vml_cpu", [](float x) { return FN(x); },                 \
             [](double x) { return FN(x); });                                           \
  });                                                                                   \
  r.add("aten::" #NAME "_", [](Call& c) {                                               \
    rounding(c, true, #NAME "_vml_cpu", [](float x) { return FN(x); },                  \
             [](double x) { return FN(x); });                                           \
  });
  EMBER_ROUND(floor, std::floor)
  EMBER_ROUND(ceil, std::ceil)
  EMBER_ROUND(round, std::nearbyint)
  EMBER_ROUND(trunc, std::trunc)
#undef EMBER_ROUND
}

}  // namespace elem
}  // namespace ember
