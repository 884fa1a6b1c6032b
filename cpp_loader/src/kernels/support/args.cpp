#include "kernels/support/args.h"

#include "core/promote.h"

#include <algorithm>
#include <cmath>

namespace ember {
namespace elem {

void fail(const std::string& message) { throw Error(ErrorKind::Runtime, message); }

void not_implemented(const char* kernel, DType d) {
  fail(std::string("\"") + kernel + "\" not implemented for '" + cpp_name(d) + "'");
}

int category(DType d) {
  if (d == DType::Bool) return 0;
  if (is_complex(d)) return 3;
  if (is_floating(d)) return 2;
  return 1;
}

DType Arg::dtype() const {
  switch (kind) {
    case kTensor: return tensor->dtype();
    case kBool: return DType::Bool;
    case kInt: return DType::Int64;
    case kDouble: return DType::Float32;
  }
  return DType::Float32;
}

int scalar_category(const Arg& a) { return a.kind == Arg::kBool ? 0 : a.kind == Arg::kInt ? 1 : 2; }

Arg arg(const Value& v, const char* op) {
  Arg a;
  switch (v.tag()) {
    case Tag::Tensor:
      a.kind = Arg::kTensor;
      a.tensor = &v.to_tensor();
      return a;
    case Tag::Bool:
      a.kind = Arg::kBool;
      a.i = v.to_bool() ? 1 : 0;
      a.d = static_cast<double>(a.i);
      return a;
    case Tag::Int:
      a.kind = Arg::kInt;
      a.i = v.to_int();
      a.d = static_cast<double>(a.i);
      return a;
    case Tag::Double:
      a.kind = Arg::kDouble;
      a.d = v.to_double();
      return a;
    default:
      fail(std::string(op) + ": expected a Tensor or a number but got " + tag_name(v.tag()));
  }
}

Arg number_arg(double d) {
  Arg a;
  a.kind = Arg::kDouble;
  a.d = d;
  return a;
}

Arg number_arg(int64_t i) {
  Arg a;
  a.kind = Arg::kInt;
  a.i = i;
  a.d = static_cast<double>(i);
  return a;
}

Arg element_arg(const Tensor& t) {
  DType d = t.dtype();
  if (d == DType::Bool) {
    Arg a;
    a.kind = Arg::kBool;
    a.i = t.item_int() != 0;
    a.d = static_cast<double>(a.i);
    return a;
  }
  if (is_floating(d)) return number_arg(t.item_double());
  if (is_complex(d)) not_implemented("element", d);
  return number_arg(t.item_int());
}

DType result_type(std::initializer_list<const Arg*> args) {
  ResultType r;
  for (const Arg* a : args) {
    if (a->is_tensor()) r.add(*a->tensor);
    else r.add_scalar_dtype(a->dtype());
  }
  DType d = r.get();
  if (is_complex(d)) not_implemented("the C++ runtime's elementwise kernels", d);
  return d;
}

std::string shape_str(const Dims& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(d[i]);
  }
  return s + "]";
}

Dims broadcast_shape(std::initializer_list<const Arg*> args) {
  const Dims* first = nullptr;
  bool same = true;
  for (const Arg* a : args) {
    if (!a->is_tensor()) continue;
    if (!first) first = &a->tensor->sizes();
    else same = same && *first == a->tensor->sizes();
  }
  if (!first) return Dims();
  if (same) return *first;
  Dims out;
  for (const Arg* a : args)
    if (a->is_tensor()) out = broadcast_shapes(out, a->tensor->sizes());
  return out;
}

void check_writable(const Tensor& self, DType result, const Dims& shape, bool c_names) {
  if (category(result) > category(self.dtype()))
    fail(std::string("result type ") + cpp_name(result) +
         " can't be cast to the desired output type " +
         (c_names ? c_type_name(self.dtype()) : cpp_name(self.dtype())));
  if (shape != self.sizes() && broadcast_shapes(shape, self.sizes()) != self.sizes())
    fail("output with shape " + shape_str(self.sizes()) + " doesn't match the broadcast shape " +
         shape_str(shape));
}

int64_t wrap_dim(int64_t dim, int64_t ndim) {
  int64_t n = std::max<int64_t>(ndim, 1);
  if (dim < -n || dim >= n)
    throw Error(ErrorKind::Runtime, "Dimension out of range (expected to be in range of [" +
                                        std::to_string(-n) + ", " + std::to_string(n - 1) +
                                        "], but got " + std::to_string(dim) + ")");
  return dim < 0 ? dim + n : dim;
}

void reduce_dims(const Value& dims, int64_t ndim, bool* reduce) {
  std::fill(reduce, reduce + ndim, false);
  if (dims.is_none()) {
    std::fill(reduce, reduce + ndim, true);
    return;
  }
  if (dims.is_int()) {
    int64_t d = wrap_dim(dims.to_int(), ndim);
    if (ndim) reduce[d] = true;
    return;
  }
  const auto& items = dims.items();
  if (items.empty()) {
    std::fill(reduce, reduce + ndim, true);
    return;
  }
  for (const Value& v : items) {
    int64_t d = wrap_dim(v.to_int(), ndim);
    if (ndim == 0) continue;
    if (reduce[d])
      fail("dim " + std::to_string(d) + " appears multiple times in the list of dims");
    reduce[d] = true;
  }
}

DType dtype_arg(const Value& v, DType fallback) {
  if (v.is_none()) return fallback;
  int64_t n = v.to_int();
  if (!is_valid_dtype(n)) fail("invalid dtype number " + std::to_string(n));
  return static_cast<DType>(n);
}

}  // namespace elem
}  // namespace ember

namespace ember {
namespace elem {

static const char* c10_name(DType d) {
  switch (d) {
    case DType::UInt8: return "uint8_t";
    case DType::Int8: return "int8_t";
    case DType::Int16: return "int16_t";
    case DType::Int32: return "int";
    case DType::Int64: return "int64_t";
    case DType::Float16: return "c10::Half";
    case DType::BFloat16: return "c10::BFloat16";
    case DType::Float32: return "float";
    case DType::Float64: return "double";
    default: return cpp_name(d);
  }
}

static void limits(DType d, double* lo, double* hi) {
  switch (d) {
    case DType::UInt8: *lo = 0, *hi = 255; return;
    case DType::Int8: *lo = -128, *hi = 127; return;
    case DType::Int16: *lo = -32768, *hi = 32767; return;
    case DType::Int32: *lo = -2147483648.0, *hi = 2147483647.0; return;
    case DType::Int64: *lo = -9223372036854775808.0, *hi = 9223372036854775807.0; return;
    case DType::Float16: *lo = -65504, *hi = 65504; return;
    case DType::BFloat16: *lo = -3.3895313892515355e38, *hi = 3.3895313892515355e38; return;
    case DType::Float32: *lo = -3.4028234663852886e38, *hi = 3.4028234663852886e38; return;
    default: *lo = -1.7976931348623157e308, *hi = 1.7976931348623157e308; return;
  }
}

void scalar_fits(const Arg& value, DType d) {
  if (value.kind == Arg::kBool || value.kind == Arg::kTensor || d == DType::Bool) return;
  double lo, hi;
  limits(d, &lo, &hi);
  bool integral = is_integral(d, false);
  bool bad;
  if (value.kind == Arg::kInt) {
    if (d == DType::Int64) return;
    if (!integral) return;  // every int64 fits a floating range
    int64_t v = value.i, top = static_cast<int64_t>(hi);
    if (d == DType::UInt8) bad = v > top || -v > top;
    else bad = v < static_cast<int64_t>(lo) || v > top;
  } else {
    double v = value.d;
    if (std::isinf(v) || std::isnan(v)) bad = integral;
    else bad = !(lo <= v && v <= hi);
  }
  if (bad)
    fail(std::string("value cannot be converted to type ") + c10_name(d) + " without overflow");
}

}  // namespace elem
}  // namespace ember
