// TorchScript's comparisons, boolean and bitwise operators on numbers (scalars.py):
// == != < <= > >= in the four overloads (an int and a float compare exactly, as in Python),
// not/and/or/xor on bools, & | ^ << >> on ints, and `is` / `is not`.
#include <string>

#include "kernels/prim_util.h"

namespace ember::prim {
namespace {

// A comparison's truth from a three-way result (-1, 0, 1; 2 when unordered, i.e. NaN).
struct Eq { static bool of(int r) { return r == 0; } };
struct Ne { static bool of(int r) { return r != 0; } };
struct Lt { static bool of(int r) { return r == -1; } };
struct Le { static bool of(int r) { return r == -1 || r == 0; } };
struct Gt { static bool of(int r) { return r == 1; } };
struct Ge { static bool of(int r) { return r == 1 || r == 0; } };

template <class T>
int three_way(T a, T b) {
  if (a < b) return -1;
  if (a > b) return 1;
  return a == b ? 0 : 2;
}

template <class Cmp>
void cmp_int(Call& c) { c.set(0, Value(Cmp::of(three_way(as_int(c.in(0)), as_int(c.in(1)))))); }
template <class Cmp>
void cmp_float(Call& c) {
  c.set(0, Value(Cmp::of(three_way(as_double(c.in(0)), as_double(c.in(1))))));
}
template <class Cmp>
void cmp_int_float(Call& c) {
  c.set(0, Value(Cmp::of(compare_int_double(as_int(c.in(0)), as_double(c.in(1))))));
}
template <class Cmp>
void cmp_float_int(Call& c) {
  const int r = compare_int_double(as_int(c.in(1)), as_double(c.in(0)));
  c.set(0, Value(Cmp::of(r == 2 ? 2 : -r)));
}

template <class Cmp>
void add_compare(KernelRegistry& r, const std::string& name) {
  r.add(name + ".int", cmp_int<Cmp>);
  r.add(name + ".float", cmp_float<Cmp>);
  r.add(name + ".int_float", cmp_int_float<Cmp>);
  r.add(name + ".float_int", cmp_float_int<Cmp>);
}

void not_(Call& c) { c.set(0, Value(!c.in(0).to_bool())); }
void and_bool(Call& c) { c.set(0, Value(c.in(0).to_bool() && c.in(1).to_bool())); }
void or_bool(Call& c) { c.set(0, Value(c.in(0).to_bool() || c.in(1).to_bool())); }
void ne_bool(Call& c) { c.set(0, Value(c.in(0).to_bool() != c.in(1).to_bool())); }
void eq_bool(Call& c) { c.set(0, Value(c.in(0).to_bool() == c.in(1).to_bool())); }

void and_int(Call& c) { c.set(0, Value(as_int(c.in(0)) & as_int(c.in(1)))); }
void or_int(Call& c) { c.set(0, Value(as_int(c.in(0)) | as_int(c.in(1)))); }
void xor_int(Call& c) { c.set(0, Value(as_int(c.in(0)) ^ as_int(c.in(1)))); }

void lshift(Call& c) {
  const int64_t a = as_int(c.in(0)), b = as_int(c.in(1));
  if (b < 0) fail("negative shift count");
  c.set(0, Value(b >= 64 ? int64_t(0) : int64_t(uint64_t(a) << b)));
}

void rshift(Call& c) {
  const int64_t a = as_int(c.in(0)), b = as_int(c.in(1));
  if (b < 0) fail("negative shift count");
  c.set(0, Value(b >= 64 ? (a < 0 ? int64_t(-1) : int64_t(0)) : a >> b));
}

// TorchScript's identity (IValue::isSameIdentity): strings, like numbers, by value.
bool same_identity(const Value& a, const Value& b) {
  if (a.is_string() && b.is_string()) return a.to_string() == b.to_string();
  return a.is(b);
}
void is(Call& c) { c.set(0, Value(same_identity(c.in(0), c.in(1)))); }
void isnot(Call& c) { c.set(0, Value(!same_identity(c.in(0), c.in(1)))); }

}  // namespace

void register_scalar_logic(KernelRegistry& r) {
  add_compare<Eq>(r, "aten::eq");
  add_compare<Ne>(r, "aten::ne");
  add_compare<Lt>(r, "aten::lt");
  add_compare<Le>(r, "aten::le");
  add_compare<Gt>(r, "aten::gt");
  add_compare<Ge>(r, "aten::ge");
  r.add("aten::__not__", not_);
  r.add("aten::__and__.bool", and_bool);
  r.add("aten::__or__.bool", or_bool);
  r.add("aten::__xor__.bool", ne_bool);
  r.add("aten::eq.bool", eq_bool);
  r.add("aten::ne.bool", ne_bool);
  r.add("aten::__and__.int", and_int);
  r.add("aten::__or__.int", or_int);
  r.add("aten::__xor__.int", xor_int);
  r.add("aten::__lshift__.int", lshift);
  r.add("aten::__rshift__.int", rshift);
  r.add("aten::__is__", is);
  r.add("aten::__isnot__", isnot);
}

}  // namespace ember::prim
