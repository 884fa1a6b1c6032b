// int(), float() and bool() of numbers and strings, as Python converts them (scalars.py),
// and the range helpers the compiler lowers `for i in range(...)` to.
#include <cmath>
#include <cstdlib>
#include <string>

#include "kernels/prim_util.h"

namespace ember::prim {

int64_t float_to_int(double d) {
  if (std::isnan(d)) fail("cannot convert float NaN to integer");
  if (std::isinf(d)) fail("cannot convert float infinity to integer");
  const double t = std::trunc(d);
  if (t >= 9223372036854775808.0 || t < -9223372036854775808.0) {
    fail("int too large to convert to a 64-bit int: " + float_repr(d));
  }
  return static_cast<int64_t>(t);
}

namespace {

bool is_space(char ch) {
  return ch == ' ' || (ch >= '\t' && ch <= '\r') || (ch >= '\x1c' && ch <= '\x1f');
}

std::string strip(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

// Copies a run of digits with single underscores between them (Python's number syntax)
// from s[i] into out, without the underscores; false if there is none or it is malformed.
bool take_digits(const std::string& s, size_t& i, std::string& out) {
  if (i >= s.size() || !is_digit(s[i])) return false;
  while (i < s.size()) {
    if (is_digit(s[i])) {
      out += s[i++];
    } else if (s[i] == '_' && i + 1 < s.size() && is_digit(s[i + 1])) {
      ++i;
    } else {
      break;
    }
  }
  return true;
}

int64_t parse_int(const std::string& text) {
  const std::string s = strip(text);
  size_t i = 0;
  const bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) ++i;
  std::string digits;
  if (!take_digits(s, i, digits) || i != s.size()) {
    fail("invalid literal for int() with base 10: " + repr_str(text));
  }
  uint64_t magnitude = 0;
  const uint64_t limit = negative ? uint64_t(1) << 63 : (uint64_t(1) << 63) - 1;
  for (char d : digits) {
    const uint64_t digit = uint64_t(d - '0');
    if (magnitude > (limit - digit) / 10) fail("int too large to convert to a 64-bit int: " + text);
    magnitude = magnitude * 10 + digit;
  }
  return negative ? int64_t(0 - magnitude) : int64_t(magnitude);
}

bool equals_lower(const std::string& s, size_t from, const char* word) {
  size_t i = from;
  for (; *word != '\0'; ++word, ++i) {
    if (i >= s.size() || (s[i] | 0x20) != *word) return false;
  }
  return i == s.size();
}

double parse_float(const std::string& text) {
  const std::string s = strip(text);
  size_t i = 0;
  std::string clean;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) clean += s[i++];
  if (equals_lower(s, i, "inf") || equals_lower(s, i, "infinity") || equals_lower(s, i, "nan")) {
    return std::strtod(s.c_str(), nullptr);
  }
  bool ok = take_digits(s, i, clean);
  if (i < s.size() && s[i] == '.') {
    clean += s[i++];
    ok = take_digits(s, i, clean) || ok;
  }
  if (ok && i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    clean += s[i++];
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) clean += s[i++];
    ok = take_digits(s, i, clean);
  }
  if (!ok || i != s.size()) fail("could not convert string to float: " + repr_str(text));
  return std::strtod(clean.c_str(), nullptr);
}

void int_of_float(Call& c) { c.set(0, Value(float_to_int(as_double(c.in(0))))); }
void int_of_int(Call& c) { c.set(0, Value(as_int(c.in(0)))); }
void int_of_str(Call& c) { c.set(0, Value(parse_int(c.in(0).to_string()))); }
void int_of_scalar(Call& c) {
  const Value& v = c.in(0);
  c.set(0, Value(v.is_double() ? float_to_int(v.to_double()) : as_int(v)));
}
void float_of_number(Call& c) { c.set(0, Value(as_double(c.in(0)))); }
void float_of_str(Call& c) { c.set(0, Value(parse_float(c.in(0).to_string()))); }
void bool_of_int(Call& c) { c.set(0, Value(as_int(c.in(0)) != 0)); }
void bool_of_float(Call& c) { c.set(0, Value(as_double(c.in(0)) != 0.0)); }

// len(range(lo, hi, step)).
void range_length(Call& c) {
  const int64_t lo = as_int(c.in(0)), hi = as_int(c.in(1)), step = as_int(c.in(2));
  if (step == 0) fail("range() arg 3 must not be zero");
  __int128 n = 0;
  if (step > 0 && lo < hi) n = (__int128(hi) - lo - 1) / step + 1;
  if (step < 0 && lo > hi) n = (__int128(lo) - hi - 1) / -__int128(step) + 1;
  if (n > __int128(INT64_MAX)) fail("Python int too large to convert to C ssize_t");
  c.set(0, Value(static_cast<int64_t>(n)));
}

// The loop value of iteration `index` of range(start, ..., step).
void derive_index(Call& c) {
  const int64_t index = as_int(c.in(0)), start = as_int(c.in(1)), step = as_int(c.in(2));
  c.set(0, Value(wrap_add(start, wrap_mul(index, step))));
}

}  // namespace

void register_scalar_convert(KernelRegistry& r) {
  r.add("aten::Int.float", int_of_float);
  r.add("aten::Int.bool", int_of_int);
  r.add("aten::Int.str", int_of_str);
  r.add("aten::Int.Scalar", int_of_scalar);
  r.add("aten::Float.int", float_of_number);
  r.add("aten::Float.bool", float_of_number);
  r.add("aten::Float.str", float_of_str);
  r.add("aten::Float.Scalar", float_of_number);
  r.add("aten::Bool.int", bool_of_int);
  r.add("aten::Bool.float", bool_of_float);
  r.add("aten::__range_length", range_length);
  r.add("aten::__derive_index", derive_index);
}

}  // namespace ember::prim
