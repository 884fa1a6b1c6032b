// Python's equality, repr and slice bounds on values, shared by the value kernels.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "kernels/prim_util.h"

namespace ember::prim {

int compare_int_double(int64_t i, double d) {
  if (std::isnan(d)) return 2;
  constexpr double kTwo63 = 9223372036854775808.0;
  if (d >= kTwo63) return -1;
  if (d < -kTwo63) return 1;
  const double fl = std::floor(d);  // in [-2^63, 2^63): fits an int64 exactly
  const int64_t fi = static_cast<int64_t>(fl);
  if (i < fi) return -1;
  if (i > fi) return 1;
  return d > fl ? -1 : 0;
}

namespace {

bool numbers_equal(const Value& a, const Value& b) {
  if (a.is_double() && b.is_double()) return a.to_double() == b.to_double();
  if (a.is_double()) return compare_int_double(as_int(b), a.to_double()) == 0;
  if (b.is_double()) return compare_int_double(as_int(a), b.to_double()) == 0;
  return as_int(a) == as_int(b);
}

// Containers can hold themselves; Python's == on such ones raises RecursionError.
constexpr int kMaxDepth = 1000;

bool equal(const Value& a, const Value& b, int depth);

bool sequences_equal(const std::vector<Value>& a, const std::vector<Value>& b, int depth) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!equal(a[i], b[i], depth)) return false;
  }
  return true;
}

bool dicts_equal(const Dict& a, const Dict& b, int depth) {
  if (a.items.size() != b.items.size()) return false;
  for (const auto& [key, value] : a.items) {
    int64_t j = b.find(key);
    if (j < 0 || !equal(value, b.items[static_cast<size_t>(j)].second, depth)) return false;
  }
  return true;
}

bool equal(const Value& a, const Value& b, int depth) {
  if (++depth > kMaxDepth) fail("maximum recursion depth exceeded in comparison");
  if (a.is_scalar() && b.is_scalar()) return numbers_equal(a, b);
  if ((a.is_complex() || a.is_scalar()) && (b.is_complex() || b.is_scalar())) {
    return a.to_complex() == b.to_complex();
  }
  const bool a_text = a.is_string() || a.is_device(), b_text = b.is_string() || b.is_device();
  if (a_text || b_text) return a_text && b_text && a.to_string() == b.to_string();
  if (a.tag() != b.tag()) return false;
  switch (a.tag()) {
    case Tag::None:
      return true;
    case Tag::List:
    case Tag::Tuple:
      return a.is(b) || sequences_equal(a.items(), b.items(), depth);
    case Tag::Dict:
      return a.is(b) || dicts_equal(*a.to_dict(), *b.to_dict(), depth);
    case Tag::Tensor:
      return a.to_tensor().same(b.to_tensor());
    default:
      return a.is(b);
  }
}

}  // namespace

bool py_equal(const Value& a, const Value& b) { return equal(a, b, 0); }

std::string repr_str(const std::string& s) {
  const bool has_single = s.find('\'') != std::string::npos;
  const char quote = has_single && s.find('"') == std::string::npos ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char ch : s) {
    if (ch == '\\' || ch == static_cast<unsigned char>(quote)) {
      out += '\\';
      out += static_cast<char>(ch);
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (ch < 0x20 || ch == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", ch);
      out += buf;
    } else {
      out += static_cast<char>(ch);
    }
  }
  out += quote;
  return out;
}

std::string repr(const Value& v) {
  if (v.is_string()) return repr_str(v.to_string());
  if (v.is_double()) return float_repr(v.to_double());
  return to_str(v);
}

std::string float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[40];
  int precision = 1;
  for (; precision < 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  std::snprintf(buf, sizeof buf, "%.*e", precision - 1, d);
  // buf is "[-]D.DDDe[+-]XX": split it into sign, digits and decimal point position.
  std::string text(buf);
  std::string out = text[0] == '-' ? "-" : "";
  const size_t start = out.size();
  const size_t e = text.find('e');
  std::string digits;
  for (size_t i = start; i < e; ++i) {
    if (text[i] != '.') digits += text[i];
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  const int exponent = std::atoi(text.c_str() + e + 1);
  const int decpt = exponent + 1;
  const int n = static_cast<int>(digits.size());
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return out + "0." + std::string(static_cast<size_t>(-decpt), '0') + digits;
    if (decpt >= n) return out + digits + std::string(static_cast<size_t>(decpt - n), '0') + ".0";
    return out + digits.substr(0, static_cast<size_t>(decpt)) + "." + digits.substr(static_cast<size_t>(decpt));
  }
  out += digits.substr(0, 1);
  if (n > 1) out += "." + digits.substr(1);
  std::snprintf(buf, sizeof buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  return out + buf;
}

SliceRange slice_range(int64_t length, std::optional<int64_t> start, std::optional<int64_t> stop,
                       int64_t step) {
  if (step == 0) fail("slice step cannot be zero");
  if (step < -std::numeric_limits<int64_t>::max()) step = -std::numeric_limits<int64_t>::max();
  auto clamp = [&](std::optional<int64_t> v, int64_t if_none) {
    if (!v) return if_none;
    int64_t i = *v;
    if (i < 0) {
      i += length;
      if (i < 0) i = step < 0 ? -1 : 0;
    } else if (i >= length) {
      i = step < 0 ? length - 1 : length;
    }
    return i;
  };
  const int64_t lo = clamp(start, step < 0 ? length - 1 : 0);
  const int64_t hi = clamp(stop, step < 0 ? -1 : length);
  int64_t count = 0;
  if (step < 0 && hi < lo) count = (lo - hi - 1) / (-step) + 1;
  if (step > 0 && lo < hi) count = (hi - lo - 1) / step + 1;
  return {lo, step, count};
}

}  // namespace ember::prim
