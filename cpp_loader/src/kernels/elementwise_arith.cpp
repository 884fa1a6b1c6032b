// Binary arithmetic: add, sub, rsub, mul, div (three rounding modes), floor_divide,
// remainder, fmod, pow, and their in-place forms, with PyTorch's promotion and
// integer rules (wraparound, division by zero refused).
#include <cmath>
#include <string>

#include "kernels/support/apply.h"
#include "kernels/support/math.h"

namespace ember {
namespace elem {
namespace {

struct Operands {
  Arg a, b;
  DType rt;
  Dims shape;
};

Operands operands(const Call& c, const char* op) {
  Operands o{arg(c.in(0), op), arg(c.in(1), op), DType::Float32, Dims()};
  o.rt = result_type({&o.a, &o.b});
  o.shape = broadcast_shape({&o.a, &o.b});
  return o;
}

Tensor dest(Call& c, bool inplace, const Operands& o, DType rt) {
  if (inplace) {
    if (!o.a.is_tensor()) fail("in-place op on a number");
    return in_place(c, *o.a.tensor, rt, o.shape);
  }
  return out_of_place(c, o.shape, rt);
}

bool is_bool_arg(const Arg& a) { return a.dtype() == DType::Bool; }

void check_alpha(DType rt, const Arg& alpha) {
  if (alpha.kind == Arg::kDouble && category(rt) < 2)
    fail("For integral input tensors, argument alpha must not be a floating point number.");
}

bool is_one(const Arg& alpha) { return alpha.kind == Arg::kDouble ? alpha.d == 1 : alpha.i == 1; }

void add_sub(Call& c, bool inplace, bool subtract, bool reverse) {
  const char* op = subtract ? "sub" : "add";
  Operands o = operands(c, op);
  if (reverse) std::swap(o.a, o.b);
  if (subtract && (is_bool_arg(o.a) || is_bool_arg(o.b))) {
    if (is_bool_arg(o.a) && is_bool_arg(o.b))
      fail("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
           "or `logical_xor()` operator instead.");
    fail("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
         "trying to invert a mask, use the `~` or `logical_not()` operator instead.");
  }
  Arg alpha = arg(c.in(2), op);
  bool one = is_one(alpha);
  if (!one) check_alpha(o.rt, alpha);
  Tensor dst = dest(c, inplace, o, o.rt);
  dispatch<kAll>(compute_dtype(o.rt), op, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (one && subtract)
      binary<T, T, T>(dst, o.a, o.b, [](T x, T y) { return wsub(x, y); });
    else if (one)
      binary<T, T, T>(dst, o.a, o.b, [](T x, T y) { return wadd(x, y); });
    else if (subtract)  // alpha != 1 is rare: the shared loop
      binary<T, T, T, kShared>(dst, o.a, o.b,
                               [al = scalar_as<T>(alpha)](T x, T y) { return wsub(x, wmul(y, al)); });
    else
      binary<T, T, T, kShared>(dst, o.a, o.b,
                               [al = scalar_as<T>(alpha)](T x, T y) { return wadd(x, wmul(y, al)); });
  });
}

void mul(Call& c, bool inplace) {
  Operands o = operands(c, "mul");
  Tensor dst = dest(c, inplace, o, o.rt);
  dispatch<kAll>(compute_dtype(o.rt), "mul", [&](auto tag) {
    using T = typename decltype(tag)::type;
    binary<T, T, T>(dst, o.a, o.b, [](T x, T y) { return wmul(x, y); });
  });
}

enum class Rounding { None, Trunc, Floor };

Rounding rounding_mode(const Value& v) {
  if (v.is_none()) return Rounding::None;
  const std::string& s = v.to_string();
  if (s == "trunc") return Rounding::Trunc;
  if (s == "floor") return Rounding::Floor;
  fail("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '" + s + "'");
}

[[noreturn]] void zero_division() { fail("ZeroDivisionError"); }

void divide(Call& c, bool inplace, Rounding mode) {
  Operands o = operands(c, "div");
  if (mode == Rounding::None) {
    DType rt = category(o.rt) < 2 ? DType::Float32 : o.rt;
    Tensor dst = dest(c, inplace, o, rt);
    dispatch<kFloats>(compute_dtype(rt), "div_true", [&](auto tag) {
      using T = typename decltype(tag)::type;
      binary<T, T, T>(dst, o.a, o.b, [](T x, T y) { return x / y; });
    });
    return;
  }
  bool floor = mode == Rounding::Floor;
  const char* kernel = floor ? "div_floor_cpu" : "div_trunc_cpu";
  Tensor dst = o.rt == DType::Bool ? Tensor() : dest(c, inplace, o, o.rt);
  dispatch<kNumbers>(compute_dtype(o.rt), kernel, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (is_int<T>) {
      bool zero = false;
      if (floor)
        binary<T, T, T, kShared>(dst, o.a, o.b, [&zero](T x, T y) {
          if (y == 0) return zero = true, T(0);
          return int_floor_div(x, y);
        });
      else
        binary<T, T, T, kShared>(dst, o.a, o.b, [&zero](T x, T y) {
          if (y == 0) return zero = true, T(0);
          return int_trunc_div(x, y);
        });
      if (zero) zero_division();
    } else if (floor) {
      binary<T, T, T, kShared>(dst, o.a, o.b, [](T x, T y) { return float_floor_div(x, y); });
    } else {
      binary<T, T, T, kShared>(dst, o.a, o.b, [](T x, T y) { return std::trunc(x / y); });
    }
  });
}

template <bool Remainder>
void modulus(Call& c, bool inplace) {
  const char* kernel = Remainder ? "remainder_cpu" : "fmod_cpu";
  Operands o = operands(c, kernel);
  if (o.rt == DType::Bool) not_implemented(kernel, o.rt);
  Tensor dst = dest(c, inplace, o, o.rt);
  dispatch<kNumbers>(compute_dtype(o.rt), kernel, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (is_int<T>) {
      bool zero = false;
      binary<T, T, T, kShared>(dst, o.a, o.b, [&zero](T x, T y) {
        if (y == 0) return zero = true, T(0);
        return Remainder ? int_remainder(x, y) : int_fmod(x, y);
      });
      if (zero) zero_division();
    } else if (Remainder) {
      binary<T, T, T, kShared>(dst, o.a, o.b, [](T x, T y) { return float_remainder(x, y); });
    } else {
      binary<T, T, T, kShared>(dst, o.a, o.b, [](T x, T y) { return std::fmod(x, y); });
    }
  });
}

void power(Call& c, bool inplace) {
  Operands o = operands(c, "pow");
  if (o.rt == DType::Bool && o.b.kind == Arg::kBool && o.a.is_tensor()) {
    Tensor dst = dest(c, inplace, o, o.rt);  // torch's x ** 0 and x ** 1 paths
    binary<bool, bool, bool>(dst, o.a, o.b, [](bool x, bool y) { return y ? x : true; });
    return;
  }
  if (category(o.rt) < 2) {
    if (o.rt == DType::Bool) not_implemented("pow", o.rt);
    if (o.b.is_scalar()) {
      if (o.b.i < 0) fail("Integers to negative integer powers are not allowed.");
      scalar_fits(o.b, o.rt);
    }
  }
  Tensor dst = dest(c, inplace, o, o.rt);
  dispatch<kNumbers>(compute_dtype(o.rt), "pow", [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (is_int<T>) {
      binary<T, T, T, kShared>(dst, o.a, o.b, [](T x, T y) { return int_pow(x, y); });
    } else {
      if (o.b.is_scalar() && o.a.is_tensor()) {
        double e = o.b.d;
        if (e == 2) return binary<T, T, T>(dst, o.a, o.b, [](T x, T) { return x * x; });
        if (e == 1) return binary<T, T, T>(dst, o.a, o.b, [](T x, T) { return x; });
      }
      binary<T, T, T, kShared>(dst, o.a, o.b, [](T x, T y) { return std::pow(x, y); });
    }
  });
}

}  // namespace

void register_arith_kernels(KernelRegistry& r) {
  for (const char* s : {"aten::add.Tensor", "aten::add.Scalar"})
    r.add(s, [](Call& c) { add_sub(c, false, false, false); });
  for (const char* s : {"aten::add_.Tensor", "aten::add_.Scalar"})
    r.add(s, [](Call& c) { add_sub(c, true, false, false); });
  for (const char* s : {"aten::sub.Tensor", "aten::sub.Scalar"})
    r.add(s, [](Call& c) { add_sub(c, false, true, false); });
  for (const char* s : {"aten::sub_.Tensor", "aten::sub_.Scalar"})
    r.add(s, [](Call& c) { add_sub(c, true, true, false); });
  for (const char* s : {"aten::rsub.Tensor", "aten::rsub.Scalar"})
    r.add(s, [](Call& c) { add_sub(c, false, true, true); });
  for (const char* s : {"aten::mul.Tensor", "aten::mul.Scalar"})
    r.add(s, [](Call& c) { mul(c, false); });
  for (const char* s : {"aten::mul_.Tensor", "aten::mul_.Scalar"})
    r.add(s, [](Call& c) { mul(c, true); });
  for (const char* s : {"aten::div.Tensor", "aten::div.Scalar"})
    r.add(s, [](Call& c) { divide(c, false, Rounding::None); });
  for (const char* s : {"aten::div_.Tensor", "aten::div_.Scalar"})
    r.add(s, [](Call& c) { divide(c, true, Rounding::None); });
  for (const char* s : {"aten::div.Tensor_mode", "aten::div.Scalar_mode"})
    r.add(s, [](Call& c) { divide(c, false, rounding_mode(c.in(2))); });
  for (const char* s : {"aten::div_.Tensor_mode", "aten::div_.Scalar_mode"})
    r.add(s, [](Call& c) { divide(c, true, rounding_mode(c.in(2))); });
  for (const char* s : {"aten::floor_divide", "aten::floor_divide.Scalar"})
    r.add(s, [](Call& c) { divide(c, false, Rounding::Floor); });
  for (const char* s : {"aten::floor_divide_.Tensor", "aten::floor_divide_.Scalar"})
    r.add(s, [](Call& c) { divide(c, true, Rounding::Floor); });
  for (const char* s : {"aten::remainder.Tensor", "aten::remainder.Scalar"})
    r.add(s, [](Call& c) { modulus<true>(c, false); });
  for (const char* s : {"aten::remainder_.Tensor", "aten::remainder_.Scalar"})
    r.add(s, [](Call& c) { modulus<true>(c, true); });
  for (const char* s : {"aten::fmod.Tensor", "aten::fmod.Scalar"})
    r.add(s, [](Call& c) { modulus<false>(c, false); });
  for (const char* s : {"aten::fmod_.Tensor", "aten::fmod_.Scalar"})
    r.add(s, [](Call& c) { modulus<false>(c, true); });
  for (const char* s : {"aten::pow.Tensor_Tensor", "aten::pow.Tensor_Scalar", "aten::pow.Scalar"})
    r.add(s, [](Call& c) { power(c, false); });
  for (const char* s : {"aten::pow_.Tensor", "aten::pow_.Scalar"})
    r.add(s, [](Call& c) { power(c, true); });
}

}  // namespace elem
}  // namespace ember
