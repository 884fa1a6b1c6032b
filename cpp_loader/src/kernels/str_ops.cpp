// TorchScript's str builtins (containers.py): indexing, slicing and len count code points
// of the UTF-8 text, as Python's str does; comparisons are by code point (UTF-8 byte
// order is code point order). lower() and upper() change ASCII letters only.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>

#include "kernels/prim_util.h"

namespace ember::prim {
namespace {

bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

bool is_ascii(const std::string& s) {
  for (unsigned char b : s) {
    if (b >= 0x80) return false;
  }
  return true;
}

// Byte offset of each code point, then s.size().
std::vector<size_t> code_points(const std::string& s) {
  std::vector<size_t> offsets;
  offsets.reserve(s.size() + 1);
  for (size_t i = 0; i < s.size(); ++i) {
    if (!is_continuation(static_cast<unsigned char>(s[i]))) offsets.push_back(i);
  }
  offsets.push_back(s.size());
  return offsets;
}

int64_t code_point_count(const std::string& s) {
  int64_t n = 0;
  for (unsigned char b : s) n += is_continuation(b) ? 0 : 1;
  return n;
}

void len(Call& c) { c.set(0, Value(code_point_count(c.in(0).to_string()))); }

void getitem(Call& c) {
  const std::string& s = c.in(0).to_string();
  const bool ascii = is_ascii(s);
  const std::vector<size_t> cps = ascii ? std::vector<size_t>() : code_points(s);
  const int64_t n = ascii ? static_cast<int64_t>(s.size()) : static_cast<int64_t>(cps.size()) - 1;
  int64_t i = as_int(c.in(1));
  if (i < 0) i += n;
  if (i < 0 || i >= n) fail("string index out of range");
  const size_t k = static_cast<size_t>(i);
  c.set(0, Value(ascii ? s.substr(k, 1) : s.substr(cps[k], cps[k + 1] - cps[k])));
}

void slice(Call& c) {
  const std::string& s = c.in(0).to_string();
  const bool ascii = is_ascii(s);
  const std::vector<size_t> cps = ascii ? std::vector<size_t>() : code_points(s);
  const int64_t n = ascii ? static_cast<int64_t>(s.size()) : static_cast<int64_t>(cps.size()) - 1;
  const SliceRange r =
      slice_range(n, as_opt_int(c.in(1)), as_opt_int(c.in(2)), as_int(c.in(3)));
  std::string out;
  for (int64_t k = 0; k < r.count; ++k) {
    const size_t j = static_cast<size_t>(r.start + k * r.step);
    if (ascii) {
      out += s[j];
    } else {
      out.append(s, cps[j], cps[j + 1] - cps[j]);
    }
  }
  c.set(0, Value(std::move(out)));
}

void concat(Call& c) { c.set(0, Value(c.in(0).to_string() + c.in(1).to_string())); }

template <class Cmp>
void compare(Call& c) {
  c.set(0, Value(Cmp()(c.in(0).to_string().compare(c.in(1).to_string()), 0)));
}

void join(Call& c) {
  const std::string& sep = c.in(0).to_string();
  std::string out;
  bool first = true;
  for (const Value& v : c.in(1).items()) {
    if (!first) out += sep;
    out += v.to_string();
    first = false;
  }
  c.set(0, Value(std::move(out)));
}

template <bool kLower>
void change_case(Call& c) {
  std::string s = c.in(0).to_string();
  for (char& ch : s) {
    if (kLower && ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    if (!kLower && ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
  c.set(0, Value(std::move(s)));
}

// str.replace(old, new, count): count < 0 replaces every occurrence; an empty `old`
// matches before every code point and at the end.
void replace(Call& c) {
  const std::string& s = c.in(0).to_string();
  const std::string& old = c.in(1).to_string();
  const std::string& with = c.in(2).to_string();
  int64_t left = as_int(c.in(3));
  if (left < 0) left = INT64_MAX;
  std::string out;
  if (old.empty()) {
    for (size_t i = 0; i <= s.size(); ++i) {
      const bool boundary = i == s.size() || !is_continuation(static_cast<unsigned char>(s[i]));
      if (boundary && left > 0) {
        out += with;
        --left;
      }
      if (i < s.size()) out += s[i];
    }
  } else {
    size_t i = 0;
    for (size_t pos; left > 0 && (pos = s.find(old, i)) != std::string::npos; --left) {
      out.append(s, i, pos - i);
      out += with;
      i = pos + old.size();
    }
    out.append(s, i, std::string::npos);
  }
  c.set(0, Value(std::move(out)));
}

// containers.find: s.find(sub, start, end + len + 1 if end < 0 else end), with Python's
// index adjustment and the result in code points.
void find(Call& c) {
  const std::string& s = c.in(0).to_string();
  const std::string& sub = c.in(1).to_string();
  const std::vector<size_t> cps = code_points(s);
  const int64_t n = static_cast<int64_t>(cps.size()) - 1;
  int64_t start = as_int(c.in(2)), end = as_int(c.in(3));
  if (end < 0) end += n + 1;
  if (end > n) end = n;
  if (end < 0) end = end + n < 0 ? 0 : end + n;
  if (start < 0) start = start + n < 0 ? 0 : start + n;
  int64_t found = -1;
  if (end - start >= code_point_count(sub)) {
    const size_t b_start = cps[static_cast<size_t>(start)], b_end = cps[static_cast<size_t>(end)];
    const size_t pos = s.find(sub, b_start);
    if (pos != std::string::npos && pos + sub.size() <= b_end) {
      found = static_cast<int64_t>(std::lower_bound(cps.begin(), cps.end(), pos) - cps.begin());
    }
  }
  c.set(0, Value(found));
}

// Bytes of the whitespace code point (Python's str.isspace) at s[i], or 0.
size_t space_at(const std::string& s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char x = b(i);
  if (x == ' ' || (x >= '\t' && x <= '\r') || (x >= 0x1c && x <= 0x1f)) return 1;
  if (x == 0xC2 && i + 1 < s.size() && (b(i + 1) == 0x85 || b(i + 1) == 0xA0)) return 2;
  if (i + 2 >= s.size()) return 0;
  const unsigned y = b(i + 1), z = b(i + 2);
  const bool space = (x == 0xE1 && y == 0x9A && z == 0x80) ||              // U+1680
                     (x == 0xE2 && y == 0x80 && (z <= 0x8A || z == 0xA8 || z == 0xA9 ||
                                                 z == 0xAF)) ||            // U+2000..202F
                     (x == 0xE2 && y == 0x81 && z == 0x9F) ||              // U+205F
                     (x == 0xE3 && y == 0x80 && z == 0x80);                // U+3000
  return space ? 3 : 0;
}

// CPython's split_whitespace.
std::vector<Value> split_whitespace(const std::string& s, int64_t max) {
  std::vector<Value> out;
  size_t i = 0, w;
  const size_t n = s.size();
  for (; max > 0; --max) {
    while (i < n && (w = space_at(s, i)) != 0) i += w;
    if (i == n) break;
    const size_t j = i;
    while (i < n && space_at(s, i) == 0) ++i;
    out.emplace_back(s.substr(j, i - j));
  }
  if (i < n) {
    while (i < n && (w = space_at(s, i)) != 0) i += w;
    if (i != n) out.emplace_back(s.substr(i));
  }
  return out;
}

void split(Call& c) {
  const std::string& s = c.in(0).to_string();
  int64_t max = as_int(c.in(2));
  if (max < 0) max = INT64_MAX;
  std::vector<Value> out;
  if (c.in(1).is_none()) {
    out = split_whitespace(s, max);
  } else {
    const std::string& sep = c.in(1).to_string();
    if (sep.empty()) fail("empty separator");
    size_t i = 0;
    for (size_t pos; max > 0 && (pos = s.find(sep, i)) != std::string::npos; --max) {
      out.emplace_back(s.substr(i, pos - i));
      i = pos + sep.size();
    }
    out.emplace_back(s.substr(i));
  }
  c.set(0, new_list(std::move(out)));
}

}  // namespace

void register_str_kernels(KernelRegistry& r) {
  r.add("aten::len.str", len);
  r.add("aten::__getitem__.str", getitem);
  r.add("aten::slice.str", slice);
  r.add("aten::add.str", concat);
  r.add("aten::eq.str", compare<std::equal_to<int>>);
  r.add("aten::ne.str", compare<std::not_equal_to<int>>);
  r.add("aten::lt.str", compare<std::less<int>>);
  r.add("aten::le.str", compare<std::less_equal<int>>);
  r.add("aten::gt.str", compare<std::greater<int>>);
  r.add("aten::ge.str", compare<std::greater_equal<int>>);
  r.add("aten::join", join);
  r.add("aten::lower", change_case<true>);
  r.add("aten::upper", change_case<false>);
  r.add("aten::replace", replace);
  r.add("aten::find", find);
  r.add("aten::split.str", split);
}

}  // namespace ember::prim
