// Activations: relu, hardtanh, relu6, hardswish, hardsigmoid, gelu, silu (and in place).
// Float bounds clamp as torch does: NaN stays NaN and a tie keeps the input (-0.0 stays).
#include <cmath>
#include <string>

#include "kernels/support/math.h"
#include "kernels/support/unary.h"
#include "kernels/support/vecmath.h"

namespace ember {
namespace elem {
namespace {

void relu(Call& c, bool inplace) {
  DType d = self_tensor(c).dtype();
  if (d == DType::Bool) fail("Boolean inputs not supported for relu");
  unary_op<kNumbers>(c, inplace, d, "relu", [](auto x) {
    using T = decltype(x);
    return x < T(0) ? T(0) : x;
  });
}

void clip(Call& c, bool inplace, const Arg& lo, const Arg& hi, const char* name) {
  DType d = self_tensor(c).dtype();
  if (d == DType::Bool) fail(std::string("Boolean inputs not supported for ") + name);
  if (lo.d > hi.d) fail("min_val cannot be greater than max_val");
  if (d == DType::UInt8 && lo.d < 0)
    fail("cannot do hardtanh on an unsigned type with negative limits");
  if (category(d) == 2) {
    return unary_op<kFloats>(c, inplace, d, name, [lo, hi](auto x) {
      using T = decltype(x);
      const T l = scalar_as<T>(lo), h = scalar_as<T>(hi);
      return x < l ? l : (x > h ? h : x);
    });
  }
  unary_op<kInts>(c, inplace, d, name, [lo, hi](auto x) {
    using T = decltype(x);
    double v = static_cast<double>(x);
    v = v < lo.d ? lo.d : v;
    v = v > hi.d ? hi.d : v;
    return static_cast<T>(v);
  });
}

void hardtanh(Call& c, bool inplace) {
  clip(c, inplace, arg(c.in(1), "hardtanh"), arg(c.in(2), "hardtanh"), "hardtanh");
}

void relu6(Call& c, bool inplace) {
  clip(c, inplace, number_arg(int64_t{0}), number_arg(int64_t{6}), "hardtanh");
}

DType float_only(const Call& c, const char* kernel) {
  DType d = self_tensor(c).dtype();
  if (category(d) != 2) not_implemented(kernel, d);
  return d;
}

template <class T>
inline T shifted_clamp(T x) {  // min(max(x + 3, 0), 6), NaN propagating
  return nan_min(nan_max(x + T(3), T(0)), T(6));
}

void hardswish(Call& c, bool inplace) {
  unary_op<kFloats>(c, inplace, float_only(c, "hardswish_cpu"), "hardswish_cpu", [](auto x) {
    using T = decltype(x);
    return x * shifted_clamp(x) / T(6);
  });
}

void hardsigmoid(Call& c, bool inplace) {
  unary_op<kFloats>(c, inplace, float_only(c, "hardsigmoid_cpu"), "hardsigmoid_cpu",
                    [](auto x) {
                      using T = decltype(x);
                      return shifted_clamp(x) / T(6);
                    });
}

void silu(Call& c, bool inplace) {
  unary_op<kFloats>(c, inplace, float_only(c, "silu_cpu"), "silu_cpu", [](auto x) {
    using T = decltype(x);
    return x * sigmoid_of(x);
  });
}

void gelu(Call& c) {
  const std::string& approximate = c.in(1).to_string();
  DType d = float_only(c, "GeluKernelImpl");
  if (approximate == "none") {
    return unary_op<kFloats>(c, false, d, "GeluKernelImpl", [](auto x) {
      using T = decltype(x);
      return (x * (erf_of(x * T(0.70710678118654752440)) + T(1))) * T(0.5);
    });
  }
  if (approximate != "tanh")
    fail("approximate argument must be either none or tanh, got " + approximate);
  unary_op<kFloats>(c, false, d, "GeluKernelImpl", [](auto x) {
    using T = decltype(x);
    const T inner = T(0.79788456080286535588) * (x + T(0.044715) * x * x * x);
    return T(0.5) * x * (T(1) + tanh_of(inner));
  });
}

}  // namespace

void register_activation_kernels(KernelRegistry& r) {
  r.add("aten::relu", [](Call& c) { relu(c, false); });
  r.add("aten::relu_", [](Call& c) { relu(c, true); });
  r.add("aten::hardtanh", [](Call& c) { hardtanh(c, false); });
  r.add("aten::hardtanh_", [](Call& c) { hardtanh(c, true); });
  r.add("aten::relu6", [](Call& c) { relu6(c, false); });
  r.add("aten::relu6_", [](Call& c) { relu6(c, true); });
  r.add("aten::hardswish", [](Call& c) { hardswish(c, false); });
  r.add("aten::hardswish_", [](Call& c) { hardswish(c, true); });
  r.add("aten::hardsigmoid", [](Call& c) { hardsigmoid(c, false); });
  r.add("aten::hardsigmoid_", [](Call& c) { hardsigmoid(c, true); });
  r.add("aten::silu", [](Call& c) { silu(c, false); });
  r.add("aten::silu_", [](Call& c) { silu(c, true); });
  r.add("aten::gelu", gelu);
}

}  // namespace elem
}  // namespace ember
