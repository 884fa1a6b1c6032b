// Shared helpers of the kernels on plain values: TorchScript's int/float/bool/str/list/dict
// builtins and the value prims (kernels/prim*.cpp, scalar*.cpp, list*.cpp, str*.cpp,
// dict*.cpp). Their semantics are the Python runtime's (src/ember/ops/kernels/scalars.py,
// containers.py, mathlib.py, prims.py): Python's floor division and modulo, Python's
// slicing, Python's error messages; ints wrap around at 64 bits as TorchScript's do.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/kernel.h"

namespace ember::prim {

// Throws Error(ErrorKind::Runtime, message): the text Python's exception would carry
// ("list index out of range"), so both runtimes say the same thing.
[[noreturn]] void fail(const std::string& message);

// An int operand (a bool counts as 0 or 1, as in Python).
inline int64_t as_int(const Value& v) { return v.is_bool() ? int64_t(v.to_bool()) : v.to_int(); }
inline double as_double(const Value& v) { return v.to_double(); }
// An `int?` operand.
inline std::optional<int64_t> as_opt_int(const Value& v) {
  if (v.is_none()) return std::nullopt;
  return as_int(v);
}

// int(d) as Python truncates a float; NaN, infinities and values beyond int64 raise.
int64_t float_to_int(double d);

// Wrapping int64 arithmetic (TorchScript's ints overflow as C++'s two's complement does).
inline int64_t wrap_add(int64_t a, int64_t b) { return int64_t(uint64_t(a) + uint64_t(b)); }
inline int64_t wrap_sub(int64_t a, int64_t b) { return int64_t(uint64_t(a) - uint64_t(b)); }
inline int64_t wrap_mul(int64_t a, int64_t b) { return int64_t(uint64_t(a) * uint64_t(b)); }

// Python's `a == b` on values: numbers by value across bool/int/float (exactly, no
// rounding), strings and devices by text, lists and tuples element by element, tensors,
// dicts and objects by identity.
bool py_equal(const Value& a, const Value& b);
// Python's exact three-way comparison of an int and a float: -1, 0, 1, or 2 if d is NaN.
int compare_int_double(int64_t i, double d);

// Python's repr of a str ('it''s' -> "it's"), as error messages quote values.
std::string repr_str(const std::string& s);
// Python's repr of a number, str, bool or None (for "x is not in list", KeyError).
std::string repr(const Value& v);
// The shortest text that reads back as d, laid out as Python's repr(float) ("1e-05", "0.1").
std::string float_repr(double d);

// str(x) as TorchScript prints values (containers.to_str): "1.", "0.10000000000000001",
// strings inside containers unquoted.
std::string to_str(const Value& v);
void append_str(std::string& out, const Value& v);
// str(tensor), as ember prints a tensor (kernels/str_tensor.cpp).
void append_tensor_str(std::string& out, const Tensor& t);

// Python's slice bounds: the first index, step and count of l[start:stop:step] on a
// sequence of `length` items (step != 0 is checked: "slice step cannot be zero").
struct SliceRange {
  int64_t start, step, count;
};
SliceRange slice_range(int64_t length, std::optional<int64_t> start, std::optional<int64_t> stop,
                       int64_t step);

// A new list value.
inline Value new_list(std::vector<Value> items) {
  auto l = std::make_shared<List>();
  l->items = std::move(items);
  return Value(std::move(l));
}

// Each kernel file's part of register_prim_kernels.
void register_prim_structural(KernelRegistry& r);   // prim.cpp
void register_prim_queries(KernelRegistry& r);      // prim_device.cpp
void register_scalar_arith(KernelRegistry& r);      // scalar_arith.cpp
void register_scalar_logic(KernelRegistry& r);      // scalar_logic.cpp
void register_scalar_convert(KernelRegistry& r);    // scalar_convert.cpp
void register_scalar_math(KernelRegistry& r);       // scalar_math.cpp
void register_list_kernels(KernelRegistry& r);      // list_ops.cpp
void register_list_typed_kernels(KernelRegistry& r);// list_typed.cpp
void register_dict_kernels(KernelRegistry& r);      // dict_ops.cpp
void register_str_kernels(KernelRegistry& r);       // str_ops.cpp
void register_str_format_kernels(KernelRegistry& r);// str_format.cpp

}  // namespace ember::prim
