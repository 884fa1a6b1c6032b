// str(), str.format (and f-strings), print() and warnings.warn() of scripted code, printing
// values as containers.to_str does: a float with an integral value that fits an int64 ends
// in a dot ("10."), other floats show 17 significant digits, strings inside containers are
// not quoted, a one-element tuple keeps its comma.
#include <atomic>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>

#include "kernels/prim_io.h"
#include "kernels/prim_util.h"

namespace ember {
namespace {

std::atomic<TextSink> print_sink{nullptr};
std::atomic<TextSink> warning_sink{nullptr};

}  // namespace

void set_print_sink(TextSink sink) { print_sink.store(sink); }
void set_warning_sink(TextSink sink) { warning_sink.store(sink); }

namespace prim {
namespace {

void append_float(std::string& out, double d) {
  char buf[40];
  if (std::isnan(d)) {
    out += "nan";
  } else if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == std::floor(d)) {
    std::snprintf(buf, sizeof buf, "%lld.", static_cast<long long>(d));
    out += buf;
  } else {
    std::snprintf(buf, sizeof buf, "%.17g", d);
    out += buf;
  }
}

// A complex part as Python's complex repr writes it: repr(float) without a trailing ".0".
std::string complex_part(double d) {
  std::string text = float_repr(d);
  if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) text.resize(text.size() - 2);
  return text;
}

void append_complex(std::string& out, std::complex<double> z) {
  std::string imag = complex_part(z.imag()) + "j";
  if (z.real() == 0 && !std::signbit(z.real())) {
    out += imag;
    return;
  }
  if (imag[0] != '-') imag = "+" + imag;
  out += "(" + complex_part(z.real()) + imag + ")";
}

// A list can hold itself (xs.append(xs)): Python's str() of it raises RecursionError.
constexpr int kMaxDepth = 1000;

void append_value(std::string& out, const Value& v, int depth);

void append_items(std::string& out, const std::vector<Value>& items, int depth) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    append_value(out, items[i], depth);
  }
}

void append_value(std::string& out, const Value& v, int depth) {
  if (++depth > kMaxDepth) fail("maximum recursion depth exceeded while getting the str of an object");
  switch (v.tag()) {
    case Tag::None:
      out += "None";
      break;
    case Tag::Bool:
      out += v.to_bool() ? "True" : "False";
      break;
    case Tag::Int:
      out += std::to_string(v.to_int());
      break;
    case Tag::Double:
      append_float(out, v.to_double());
      break;
    case Tag::Complex:
      append_complex(out, v.to_complex());
      break;
    case Tag::String:
    case Tag::Device:
      out += v.to_string();
      break;
    case Tag::Tensor:
      append_tensor_str(out, v.to_tensor());
      break;
    case Tag::List:
      out += "[";
      append_items(out, v.items(), depth);
      out += "]";
      break;
    case Tag::Tuple:
      out += "(";
      append_items(out, v.items(), depth);
      out += v.items().size() == 1 ? ",)" : ")";
      break;
    case Tag::Dict: {
      out += "{";
      bool first = true;
      for (const auto& [key, value] : v.to_dict()->items) {
        if (!first) out += ", ";
        append_value(out, key, depth);
        out += ": ";
        append_value(out, value, depth);
        first = false;
      }
      out += "}";
      break;
    }
    case Tag::Object:
      out += "<" + v.to_object()->cls->name + " object>";
      break;
  }
}

}  // namespace

void append_str(std::string& out, const Value& v) { append_value(out, v, 0); }

std::string to_str(const Value& v) {
  if (v.is_string()) return v.to_string();
  std::string out;
  append_str(out, v);
  return out;
}

namespace {

void str(Call& c) { c.set(0, Value(to_str(c.in(0)))); }

// containers.format_string: each "{}" takes the next operand; other braces are text;
// extra operands are ignored.
void format(Call& c) {
  const std::string& fmt = c.in(0).to_string();
  std::string out;
  size_t i = 0;
  uint32_t next = 1;
  for (size_t pos; (pos = fmt.find("{}", i)) != std::string::npos; i = pos + 2) {
    if (next >= c.num_inputs) fail("Too few arguments for format string: " + fmt);
    out.append(fmt, i, pos - i);
    append_str(out, c.in(next++));
  }
  out.append(fmt, i, std::string::npos);
  c.set(0, Value(std::move(out)));
}

void print(Call& c) {
  std::string line;
  for (uint32_t i = 0; i < c.num_inputs; ++i) {
    if (i > 0) line += ' ';
    append_str(line, c.in(i));
  }
  line += '\n';
  if (TextSink sink = print_sink.load()) {
    sink(line);
  } else {
    std::cout << line << std::flush;
  }
}

void warn(Call& c) {
  const std::string& message = c.in(0).to_string();
  if (TextSink sink = warning_sink.load()) {
    sink(message);
  } else {
    std::cerr << "UserWarning: " << message << std::endl;
  }
}

}  // namespace

void register_str_format_kernels(KernelRegistry& r) {
  r.add("aten::str", str);
  r.add("aten::format", format);
  r.add("prim::Print", print);
  r.add("aten::warn", warn);
}

}  // namespace prim
}  // namespace ember
