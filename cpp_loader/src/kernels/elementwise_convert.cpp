// Tensors and Python values: dtype/device queries, int(t)/float(t)/bool(t), numbers made
// 0-d tensors, and ember.tensor(data) in scripted code (nested lists).
#include <cmath>
#include <string>
#include <vector>

#include "kernels/support/apply.h"

namespace ember {
namespace elem {
namespace {

Arg one_element(const Call& c) {
  const Tensor& t = c.in(0).to_tensor();
  if (t.numel() != 1)
    fail("a Tensor with " + std::to_string(t.numel()) + " elements cannot be converted to Scalar");
  return element_arg(t);
}

void to_int(Call& c) {
  Arg a = one_element(c);
  if (a.kind != Arg::kDouble) return c.set(0, Value(a.i));
  if (std::isnan(a.d)) fail("cannot convert float NaN to integer");
  if (std::isinf(a.d)) fail("cannot convert float infinity to integer");
  if (!(a.d > -9.3e18 && a.d < 9.3e18)) fail("int too big to convert");
  c.set(0, Value(static_cast<int64_t>(a.d)));
}

void to_float(Call& c) { c.set(0, Value(one_element(c).d)); }

void to_bool(Call& c) {
  Arg a = one_element(c);
  c.set(0, Value(a.kind == Arg::kDouble ? a.d != 0 : a.i != 0));
}

// A 0-d tensor of `dtype` holding number `a` (output 0).
void number_tensor(Call& c, const Arg& a, DType dtype) {
  Tensor dst = c.output(0, Dims(), dtype);
  dispatch<kAll>(compute_dtype(dtype), "tensor", [&](auto tag) {
    using T = typename decltype(tag)::type;
    unary<T, T, kShared>(dst, a, [](T x) { return x; });  // one element
  });
}

void num_to_tensor(Call& c) {
  Arg a = arg(c.in(0), "NumToTensor");
  DType d = a.kind == Arg::kBool ? DType::Bool : a.kind == Arg::kInt ? DType::Int64 : DType::Float64;
  number_tensor(c, a, d);
}

void check_cpu(const Value& device) {
  if (device.is_none()) return;
  const std::string& s = device.to_string();
  if (s != "cpu" && s.rfind("cpu:", 0) != 0)
    fail("ember runs on the CPU only; got device '" + s + "'");
}

void tensor_number(Call& c) {
  Arg a = arg(c.in(0), "tensor");
  check_cpu(c.in(2));
  number_tensor(c, a, dtype_arg(c.in(1), a.dtype()));
}

// Shape and leaf dtype of nested lists of numbers (as ember.tensor infers them).
struct Scan {
  Dims shape;
  int kind = -1;  // highest leaf category: 0 bool, 1 int, 2 float; -1 no leaves
};

void scan(const Value& v, size_t depth, Scan& s) {
  if (v.is_scalar()) {
    if (depth != s.shape.size()) fail("expected a sequence at dim " + std::to_string(depth));
    s.kind = std::max(s.kind, v.is_bool() ? 0 : v.is_int() ? 1 : 2);
    return;
  }
  if (!v.is_list() && !v.is_tuple())
    fail(std::string("Could not infer dtype of ") + tag_name(v.tag()));
  const auto& items = v.items();
  int64_t n = static_cast<int64_t>(items.size());
  if (depth == s.shape.size()) {
    s.shape.push_back(n);
  } else if (depth > s.shape.size() || s.shape[depth] != n) {
    fail("expected sequence of length " +
         std::to_string(depth < s.shape.size() ? s.shape[depth] : 0) + " at dim " +
         std::to_string(depth) + " (got " + std::to_string(n) + ")");
  }
  for (const Value& item : items) scan(item, depth + 1, s);
}

template <class T>
void fill_leaves(const Value& v, T*& out) {
  if (v.is_scalar()) {
    Arg a = arg(v, "tensor");
    *out++ = scalar_as<T>(a);
    return;
  }
  for (const Value& item : v.items()) fill_leaves(item, out);
}

void tensor_data(Call& c) {
  const Value& data = c.in(0);
  check_cpu(c.in(2));
  Scan s;
  if (data.is_scalar()) {
    s.kind = data.is_bool() ? 0 : data.is_int() ? 1 : 2;
  } else {
    scan(data, 0, s);
  }
  DType inferred = s.kind == 0 ? DType::Bool : s.kind == 1 ? DType::Int64 : DType::Float32;
  DType dtype = dtype_arg(c.in(1), inferred);
  Tensor dst = c.output(0, s.shape, dtype);
  dispatch<kAll>(compute_dtype(dtype), "tensor", [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor out = target_for<T>(dst);
    T* p = out.data<T>();
    fill_leaves<T>(data, p);
    finish(dst, out);
  });
}

}  // namespace

void register_convert_kernels(KernelRegistry& r) {
  r.add("prim::dtype", [](Call& c) {
    c.set(0, Value(static_cast<int64_t>(c.in(0).to_tensor().dtype())));
  });
  r.add("prim::device", [](Call& c) { c.set(0, Value::device("cpu")); });
  r.add("prim::is_cuda", [](Call& c) { c.set(0, Value(false)); });
  r.add("prim::is_nested", [](Call& c) { c.set(0, Value(false)); });
  r.add("prim::requires_grad", [](Call& c) { c.set(0, Value(false)); });
  r.add("aten::Int.Tensor", to_int);
  r.add("aten::IntImplicit", to_int);
  r.add("aten::Float.Tensor", to_float);
  r.add("aten::FloatImplicit", to_float);
  r.add("aten::Bool.Tensor", to_bool);
  r.add("aten::is_floating_point", [](Call& c) {
    c.set(0, Value(is_floating(c.in(0).to_tensor().dtype())));
  });
  r.add("prim::NumToTensor.Scalar", num_to_tensor);
  r.add("aten::tensor.int", tensor_number);
  r.add("aten::tensor.float", tensor_number);
  r.add("aten::tensor.bool", tensor_number);
  r.add("aten::tensor", tensor_data);
}

}  // namespace elem
}  // namespace ember
