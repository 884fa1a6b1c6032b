// TorchScript's arithmetic on ints and floats (ember/ops/kernels/scalars.py): + - * / // %
// and ** in the four overloads .int, .float, .int_float, .float_int, min, max, abs, neg.
// Floor division and modulo follow Python (the result takes the divisor's sign), ints wrap
// at 64 bits, ** gives C's pow results, division by zero raises Python's ZeroDivisionError
// text.
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "kernels/prim_util.h"

namespace ember::prim {
namespace {

template <class T>
T get(const Value& v);
template <>
int64_t get<int64_t>(const Value& v) { return as_int(v); }
template <>
double get<double>(const Value& v) { return as_double(v); }

// Mixed operands compute in float, as Python converts the int.
template <class Op, class A, class B>
void binary(Call& c) {
  const A a = get<A>(c.in(0));
  const B b = get<B>(c.in(1));
  if constexpr (std::is_same_v<A, B>) {
    c.set(0, Value(Op::apply(a, b)));
  } else {
    c.set(0, Value(Op::apply(static_cast<double>(a), static_cast<double>(b))));
  }
}

template <class Op>
void add_four(KernelRegistry& r, const std::string& name) {
  r.add(name + ".int", binary<Op, int64_t, int64_t>);
  r.add(name + ".float", binary<Op, double, double>);
  r.add(name + ".int_float", binary<Op, int64_t, double>);
  r.add(name + ".float_int", binary<Op, double, int64_t>);
}

struct Add {
  static int64_t apply(int64_t a, int64_t b) { return wrap_add(a, b); }
  static double apply(double a, double b) { return a + b; }
};
struct Sub {
  static int64_t apply(int64_t a, int64_t b) { return wrap_sub(a, b); }
  static double apply(double a, double b) { return a - b; }
};
struct Mul {
  static int64_t apply(int64_t a, int64_t b) { return wrap_mul(a, b); }
  static double apply(double a, double b) { return a * b; }
};

struct Div {
  static double apply(int64_t a, int64_t b) {
    if (b == 0) fail("division by zero");
    constexpr int64_t kExact = int64_t(1) << 53;  // Python divides these as doubles
    if (a >= -kExact && a <= kExact && b >= -kExact && b <= kExact) {
      return static_cast<double>(a) / static_cast<double>(b);
    }
    return static_cast<double>(static_cast<long double>(a) / static_cast<long double>(b));
  }
  static double apply(double a, double b) {
    if (b == 0) fail("float division by zero");
    return a / b;
  }
};

struct FloorDiv {
  static int64_t apply(int64_t a, int64_t b) {
    if (b == 0) fail("integer division or modulo by zero");
    if (b == -1) return wrap_sub(0, a);
    int64_t q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0))) --q;
    return q;
  }
  // CPython's float_floor_div.
  static double apply(double a, double b) {
    if (b == 0) fail("float floor division by zero");
    double mod = std::fmod(a, b);
    double div = (a - mod) / b;
    if (mod != 0) {
      if ((b < 0) != (mod < 0)) div -= 1.0;
    }
    if (div == 0) return std::copysign(0.0, a / b);
    double floordiv = std::floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
    return floordiv;
  }
};

struct Remainder {
  static int64_t apply(int64_t a, int64_t b) {
    if (b == 0) fail("integer modulo by zero");
    if (b == -1) return 0;
    int64_t r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  }
  // CPython's float_rem.
  static double apply(double a, double b) {
    if (b == 0) fail("float modulo");
    double mod = std::fmod(a, b);
    if (mod != 0) {
      if ((b < 0) != (mod < 0)) mod += b;
    } else {
      mod = std::copysign(0.0, b);
    }
    return mod;
  }
};

// scalars.c_pow: Python's ** with C's special values (inf for 0 ** -n, NaN where Python
// would give a complex number); the result is always a float.
struct Pow {
  static double apply(double a, double b) {
    if (a == 0 && b < 0) return std::numeric_limits<double>::infinity();
    return std::pow(a, b);
  }
  static double apply(int64_t a, int64_t b) {
    if (b < 0) return apply(static_cast<double>(a), static_cast<double>(b));
    // Python computes the exact int, then rounds it to a float once.
    uint64_t base = a < 0 ? 0 - uint64_t(a) : uint64_t(a), result = 1;
    uint64_t e = uint64_t(b);
    bool exact = true;
    while (e != 0 && exact) {
      if (e & 1) exact = !__builtin_mul_overflow(result, base, &result);
      e >>= 1;
      if (e != 0 && exact) exact = !__builtin_mul_overflow(base, base, &base);
    }
    if (!exact) return std::pow(static_cast<double>(a), static_cast<double>(b));
    const double magnitude = static_cast<double>(result);
    return a < 0 && (b & 1) ? -magnitude : magnitude;
  }
};

// Python's min/max of two: the first operand unless the second is strictly smaller/larger.
template <class T>
void min2(Call& c) {
  const T a = get<T>(c.in(0)), b = get<T>(c.in(1));
  c.set(0, Value(b < a ? b : a));
}
template <class T>
void max2(Call& c) {
  const T a = get<T>(c.in(0)), b = get<T>(c.in(1));
  c.set(0, Value(b > a ? b : a));
}

template <bool kMin>
void extreme_of_list(Call& c) {
  const std::vector<Value>& items = c.in(0).items();
  if (items.empty()) fail(std::string(kMin ? "min" : "max") + "() arg is an empty sequence");
  int64_t best = as_int(items[0]);
  for (size_t i = 1; i < items.size(); ++i) {
    const int64_t x = as_int(items[i]);
    if (kMin ? x < best : x > best) best = x;
  }
  c.set(0, Value(best));
}

void abs_int(Call& c) {
  const int64_t a = as_int(c.in(0));
  c.set(0, Value(a < 0 ? wrap_sub(0, a) : a));
}
void abs_float(Call& c) { c.set(0, Value(std::fabs(as_double(c.in(0))))); }
void neg_int(Call& c) { c.set(0, Value(wrap_sub(0, as_int(c.in(0))))); }
void neg_float(Call& c) { c.set(0, Value(-as_double(c.in(0)))); }

// aten::div(Scalar a, Scalar b) -> float: int / int divides as ints do in Python.
void div_scalar(Call& c) {
  const Value& a = c.in(0);
  const Value& b = c.in(1);
  if (a.is_double() || b.is_double()) {
    c.set(0, Value(Div::apply(as_double(a), as_double(b))));
  } else {
    c.set(0, Value(Div::apply(as_int(a), as_int(b))));
  }
}

}  // namespace

void register_scalar_arith(KernelRegistry& r) {
  add_four<Add>(r, "aten::add");
  add_four<Sub>(r, "aten::sub");
  add_four<Mul>(r, "aten::mul");
  add_four<FloorDiv>(r, "aten::floordiv");
  add_four<Remainder>(r, "aten::remainder");
  add_four<Pow>(r, "aten::pow");
  r.add("aten::div.int", binary<Div, int64_t, int64_t>);
  r.add("aten::div.float", binary<Div, double, double>);
  r.add("aten::div", div_scalar);
  r.add("prim::min.int", min2<int64_t>);
  r.add("prim::min.float", min2<double>);
  r.add("prim::min.self_int", extreme_of_list<true>);
  r.add("prim::max.int", max2<int64_t>);
  r.add("prim::max.float", max2<double>);
  r.add("prim::max.self_int", extreme_of_list<false>);
  r.add("prim::abs.int", abs_int);
  r.add("prim::abs.float", abs_float);
  r.add("aten::neg.int", neg_int);
  r.add("aten::neg.float", neg_float);
}

}  // namespace ember::prim
