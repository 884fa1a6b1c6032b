// Comparisons, logical and bitwise ops, maximum/minimum.
#include "kernels/support/apply.h"
#include "kernels/support/math.h"

namespace ember {
namespace elem {
namespace {

enum class Cmp { Eq, Ne, Lt, Le, Gt, Ge };

template <Cmp K>
void compare_into(const Tensor& dst, DType rt, const Arg& a, const Arg& b, const char* kernel) {
  dispatch<kAll>(compute_dtype(rt), kernel, [&](auto tag) {
    using T = typename decltype(tag)::type;
    binary<bool, T, T>(dst, a, b, [](T x, T y) {
      if constexpr (K == Cmp::Eq) return x == y;
      else if constexpr (K == Cmp::Lt) return x < y;
      else if constexpr (K == Cmp::Le) return x <= y;
      else if constexpr (K == Cmp::Gt) return x > y;
      else return x >= y;
    });
  });
}

template <Cmp K>
void compare(Call& c) {
  Arg a = arg(c.in(0), "compare"), b = arg(c.in(1), "compare");
  DType rt = result_type({&a, &b});
  Tensor dst = out_of_place(c, broadcast_shape({&a, &b}), DType::Bool);
  if constexpr (K == Cmp::Ne) {  // x != y is !(x == y), NaN included: the == loops
    compare_into<Cmp::Eq>(dst, rt, a, b, "compare");
    bool* p = dst.data<bool>();
    for (int64_t i = 0, n = dst.numel(); i < n; ++i) p[i] = !p[i];
  } else {
    compare_into<K>(dst, rt, a, b, "compare");
  }
}

enum class Logic { And, Or, Xor };

template <Logic K>
void logical(Call& c) {
  Arg a = arg(c.in(0), "logical"), b = arg(c.in(1), "logical");
  Tensor dst = out_of_place(c, broadcast_shape({&a, &b}), DType::Bool);
  binary<bool, bool, bool>(dst, a, b, [](bool x, bool y) {
    if constexpr (K == Logic::And) return x && y;
    else if constexpr (K == Logic::Or) return x || y;
    else return x != y;
  });
}

void logical_not(Call& c) {
  Arg a = arg(c.in(0), "logical_not");
  Tensor dst = out_of_place(c, broadcast_shape({&a}), DType::Bool);
  unary<bool, bool>(dst, a, [](bool x) { return !x; });
}

template <Logic K>
void bitwise(Call& c, bool inplace) {
  static const char* names[] = {"bitwise_and_cpu", "bitwise_or_cpu", "bitwise_xor_cpu"};
  const char* kernel = names[static_cast<int>(K)];
  Arg a = arg(c.in(0), kernel), b = arg(c.in(1), kernel);
  DType rt = result_type({&a, &b});
  if (category(rt) > 1) not_implemented(kernel, rt);
  Dims shape = broadcast_shape({&a, &b});
  Tensor dst = inplace ? in_place(c, *a.tensor, rt, shape) : out_of_place(c, shape, rt);
  dispatch<kBool | kInts>(rt, kernel, [&](auto tag) {
    using T = typename decltype(tag)::type;
    binary<T, T, T>(dst, a, b, [](T x, T y) {
      if constexpr (K == Logic::And) return static_cast<T>(x & y);
      else if constexpr (K == Logic::Or) return static_cast<T>(x | y);
      else return static_cast<T>(x ^ y);
    });
  });
}

void bitwise_not(Call& c) {
  Arg a = arg(c.in(0), "bitwise_not");
  DType d = a.dtype();
  Tensor dst = out_of_place(c, broadcast_shape({&a}), d);
  dispatch<kBool | kInts>(d, "bitwise_not_cpu", [&](auto tag) {
    using T = typename decltype(tag)::type;
    unary<T, T>(dst, a, [](T x) {
      if constexpr (std::is_same<T, bool>::value) return !x;
      else return static_cast<T>(~x);
    });
  });
}

template <bool Max>
void extreme(Call& c) {
  Arg a = arg(c.in(0), "maximum"), b = arg(c.in(1), "maximum");
  DType rt = result_type({&a, &b});
  Tensor dst = out_of_place(c, broadcast_shape({&a, &b}), rt);
  dispatch<kAll>(compute_dtype(rt), Max ? "maximum_cpu" : "minimum_cpu", [&](auto tag) {
    using T = typename decltype(tag)::type;
    binary<T, T, T>(dst, a, b, [](T x, T y) { return Max ? nan_max(x, y) : nan_min(x, y); });
  });
}

}  // namespace

void equal_into(const Tensor& dst, DType rt, const Arg& a, const Arg& b, const char* kernel) {
  compare_into<Cmp::Eq>(dst, rt, a, b, kernel);
}

void register_compare_kernels(KernelRegistry& r) {
  r.add("aten::eq.Tensor", compare<Cmp::Eq>);
  r.add("aten::eq.Scalar", compare<Cmp::Eq>);
  r.add("aten::ne.Tensor", compare<Cmp::Ne>);
  r.add("aten::ne.Scalar", compare<Cmp::Ne>);
  r.add("aten::lt.Tensor", compare<Cmp::Lt>);
  r.add("aten::lt.Scalar", compare<Cmp::Lt>);
  r.add("aten::le.Tensor", compare<Cmp::Le>);
  r.add("aten::le.Scalar", compare<Cmp::Le>);
  r.add("aten::gt.Tensor", compare<Cmp::Gt>);
  r.add("aten::gt.Scalar", compare<Cmp::Gt>);
  r.add("aten::ge.Tensor", compare<Cmp::Ge>);
  r.add("aten::ge.Scalar", compare<Cmp::Ge>);
  r.add("aten::logical_and", logical<Logic::And>);
  r.add("aten::logical_or", logical<Logic::Or>);
  r.add("aten::logical_xor", logical<Logic::Xor>);
  r.add("aten::logical_not", logical_not);
  for (const char* s : {"aten::bitwise_and.Tensor", "aten::bitwise_and.Scalar"})
    r.add(s, [](Call& c) { bitwise<Logic::And>(c, false); });
  for (const char* s : {"aten::bitwise_and_.Tensor", "aten::bitwise_and_.Scalar"})
    r.add(s, [](Call& c) { bitwise<Logic::And>(c, true); });
  for (const char* s : {"aten::bitwise_or.Tensor", "aten::bitwise_or.Scalar"})
    r.add(s, [](Call& c) { bitwise<Logic::Or>(c, false); });
  for (const char* s : {"aten::bitwise_or_.Tensor", "aten::bitwise_or_.Scalar"})
    r.add(s, [](Call& c) { bitwise<Logic::Or>(c, true); });
  for (const char* s : {"aten::bitwise_xor.Tensor", "aten::bitwise_xor.Scalar"})
    r.add(s, [](Call& c) { bitwise<Logic::Xor>(c, false); });
  for (const char* s : {"aten::bitwise_xor_.Tensor", "aten::bitwise_xor_.Scalar"})
    r.add(s, [](Call& c) { bitwise<Logic::Xor>(c, true); });
  r.add("aten::bitwise_not", bitwise_not);
  r.add("aten::maximum", extreme<true>);
  r.add("aten::max.other", extreme<true>);
  r.add("aten::minimum", extreme<false>);
  r.add("aten::min.other", extreme<false>);
}

}  // namespace elem
}  // namespace ember
