// str(tensor) in scripted code (print(x), f"{x}"): ember's tensor repr with the default print
// options (ember/tensor/printing.py: precision 4, threshold 1000, edge items 3, line width
// 80). One formatter per tensor picks the notation and width from the finite non-zero
// values the print shows; rows wrap at the line width; big tensors show 3 items at each end
// of every dimension.
#include <cmath>
#include <complex>
#include <cstdio>
#include <string>
#include <vector>

#include "kernels/prim_util.h"

namespace ember::prim {
namespace {

constexpr int kPrecision = 4;
constexpr int64_t kThreshold = 1000;
constexpr int64_t kEdge = 3;
constexpr int kLineWidth = 80;

// printf of one double with the print precision: "%.4e" / "%.4f".
std::string fixed(const char* format, double v) {
  char buf[512];
  std::snprintf(buf, sizeof buf, format, kPrecision, v);
  return buf;
}

std::string pad(const std::string& text, int width) {
  const size_t w = static_cast<size_t>(width);
  return text.size() < w ? std::string(w - text.size(), ' ') + text : text;
}

// Chooses one width and notation for every element (printing.py's _Formatter).
struct Formatter {
  bool int_mode = true;
  bool sci = false;
  int width = 1;

  std::string text(double v) const {
    if (std::isnan(v)) return "nan";
    if (sci) return fixed("%.*e", v);
    if (!int_mode) return fixed("%.*f", v);
    char buf[512];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return std::string(buf) + (std::isfinite(v) ? "." : "");
  }
  std::string format(double v) const { return pad(text(v), width); }

  // Picks the notation from the finite non-zero values among `shown`.
  void fit(const std::vector<double>& shown) {
    double low = INFINITY, high = 0;
    bool any = false;
    for (double v : shown) {
      if (!std::isfinite(v) || v == 0) continue;
      any = true;
      low = std::fmin(low, std::fabs(v));
      high = std::fmax(high, std::fabs(v));
      int_mode = int_mode && v == std::ceil(v);
    }
    if (!any) return;
    sci = high / low > 1000.0 || high > 1.0e8 || low < 1.0e-4;
    for (double v : shown) {
      if (std::isfinite(v) && v != 0) width = std::max(width, static_cast<int>(text(v).size()));
    }
  }
};

// A tensor's elements flattened row-major, as doubles (floating, and the two parts of a
// complex) or int64 (integers and bools).
struct Elements {
  enum Kind { Float, Int, Bool, Complex } kind = Float;
  std::vector<double> re, im;
  std::vector<int64_t> ints;
  Dims sizes;
};

Elements elements_of(const Tensor& t) {
  Elements e;
  e.sizes = t.sizes();
  const size_t n = static_cast<size_t>(t.numel());
  if (is_complex(t.dtype())) {
    e.kind = Elements::Complex;
    const Tensor c = t.to(DType::Complex128).contiguous();
    const auto* z = c.data<std::complex<double>>();
    for (size_t i = 0; i < n; ++i) {
      e.re.push_back(z[i].real());
      e.im.push_back(z[i].imag());
    }
  } else if (is_floating(t.dtype())) {
    const Tensor c = t.to(DType::Float64).contiguous();
    e.re.assign(c.data<double>(), c.data<double>() + n);
  } else {
    e.kind = t.dtype() == DType::Bool ? Elements::Bool : Elements::Int;
    const Tensor c = t.to(DType::Int64).contiguous();
    e.ints.assign(c.data<int64_t>(), c.data<int64_t>() + n);
  }
  return e;
}

// Elements in one row-major step of dimension `dim`.
int64_t inner_size(const Dims& sizes, size_t dim) {
  int64_t inner = 1;
  for (size_t d = dim + 1; d < sizes.size(); ++d) inner *= sizes[d];
  return inner;
}

// The index after i along a dimension of n, skipping the middle of a summarised one.
int64_t next_index(int64_t i, int64_t n, bool summarize) {
  return summarize && n > 2 * kEdge && i + 1 == kEdge ? n - kEdge : i + 1;
}

// Flat indices of the elements the print shows (all, or the edge items of every dimension).
void shown(const Dims& sizes, size_t dim, int64_t base, bool summarize, std::vector<int64_t>& out) {
  if (dim == sizes.size()) {
    out.push_back(base);
    return;
  }
  const int64_t inner = inner_size(sizes, dim), n = sizes[dim];
  for (int64_t i = 0; i < n; i = next_index(i, n, summarize)) {
    shown(sizes, dim + 1, base + i * inner, summarize, out);
  }
}

struct Printer {
  const Elements& e;
  bool summarize;
  Formatter real, imag;
  int int_width = 1;

  std::string int_text(int64_t v) const {
    return e.kind == Elements::Bool ? (v ? "True" : "False") : std::to_string(v);
  }

  void fit() {
    std::vector<int64_t> indices;
    shown(e.sizes, 0, 0, summarize, indices);
    if (e.kind == Elements::Int || e.kind == Elements::Bool) {
      for (int64_t i : indices) {
        int_width = std::max(int_width, static_cast<int>(int_text(e.ints[size_t(i)]).size()));
      }
      return;
    }
    std::vector<double> values;
    for (int64_t i : indices) values.push_back(e.re[size_t(i)]);
    real.fit(values);
    if (e.kind != Elements::Complex) return;
    values.clear();
    for (int64_t i : indices) values.push_back(e.im[size_t(i)]);
    imag.fit(values);
  }

  int width() const {
    if (e.kind == Elements::Int || e.kind == Elements::Bool) return int_width;
    return e.kind == Elements::Complex ? real.width + imag.width + 1 : real.width;
  }

  std::string element(int64_t i) const {
    const size_t k = static_cast<size_t>(i);
    if (e.kind == Elements::Int || e.kind == Elements::Bool) return pad(int_text(e.ints[k]), int_width);
    if (e.kind == Elements::Float) return real.format(e.re[k]);
    std::string re = real.format(e.re[k]), im = imag.format(e.im[k]) + "j";
    im.erase(0, im.find_first_not_of(' '));
    return im[0] == '+' || im[0] == '-' ? re + im : re + "+" + im;
  }

  std::string vector(int64_t base, int64_t n, int indent) const {
    const int per_line = std::max(1, (kLineWidth - indent) / (width() + 2));
    std::vector<std::string> data;
    for (int64_t i = 0; i < n; i = next_index(i, n, summarize)) {
      data.push_back(element(base + i));
      if (summarize && n > 2 * kEdge && i + 1 == kEdge) data.push_back(" ...");
    }
    std::string out = "[";
    const std::string wrap = ",\n" + std::string(static_cast<size_t>(indent) + 1, ' ');
    for (size_t i = 0; i < data.size(); ++i) {
      if (i > 0) out += i % static_cast<size_t>(per_line) == 0 ? wrap : ", ";
      out += data[i];
    }
    return out + "]";
  }

  std::string nested(size_t dim, int64_t base, int indent) const {
    const size_t ndim = e.sizes.size();
    if (ndim == 0) return element(0);
    if (dim + 1 == ndim) return vector(base, e.sizes[dim], indent);
    const int64_t inner = inner_size(e.sizes, dim), n = e.sizes[dim];
    const std::string sep = "," + std::string(ndim - dim - 1, '\n') +
                            std::string(static_cast<size_t>(indent) + 1, ' ');
    std::string out = "[";
    for (int64_t i = 0; i < n; i = next_index(i, n, summarize)) {
      if (i > 0) out += sep;
      out += nested(dim + 1, base + i * inner, indent + 1);
      if (summarize && n > 2 * kEdge && i + 1 == kEdge) out += sep + "...";
    }
    return out + "]";
  }
};

std::string sizes_text(const Dims& sizes) {
  std::string out = "(";
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (d > 0) out += ", ";
    out += std::to_string(sizes[d]);
  }
  return out + (sizes.size() == 1 ? ",)" : ")");
}

std::vector<std::string> suffixes(const Tensor& t) {
  std::vector<std::string> out;
  const DType dtype = t.dtype();
  const std::string dtype_text = "dtype=ember." + std::string(dtype_name(dtype));
  if (t.numel() == 0) {
    if (t.dim() != 1) out.push_back("size=" + sizes_text(t.sizes()));
    if (dtype != DType::Float32) out.push_back(dtype_text);
  } else if (dtype != DType::Float32 && dtype != DType::Complex64 && dtype != DType::Int64 &&
             dtype != DType::Bool) {
    out.push_back(dtype_text);
  }
  if (t.requires_grad()) out.push_back("requires_grad=True");
  return out;
}

}  // namespace

void append_tensor_str(std::string& out, const Tensor& t) {
  if (!t.defined()) {
    out += "None";
    return;
  }
  constexpr int kIndent = 7;  // "tensor("
  std::string text = "tensor(";
  if (t.numel() == 0) {
    text += "[]";
  } else {
    const Elements e = elements_of(t);
    Printer printer{e, t.numel() > kThreshold, {}, {}, 1};
    printer.fit();
    text += printer.nested(0, 0, kIndent);
  }
  // printing.py's _add_suffixes, including its count of the last line's length
  const size_t newline = text.rfind('\n');
  size_t last_line = text.size() + 1 - (newline == std::string::npos ? size_t(-1) : newline);
  for (const std::string& suffix : suffixes(t)) {
    if (last_line + suffix.size() + 2 > size_t(kLineWidth)) {
      text += ",\n" + std::string(kIndent, ' ') + suffix;
      last_line = kIndent + suffix.size();
    } else {
      text += ", " + suffix;
      last_line += suffix.size() + 2;
    }
  }
  out += text + ")";
}

}  // namespace ember::prim
