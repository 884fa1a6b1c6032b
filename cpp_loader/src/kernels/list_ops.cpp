// TorchScript's list builtins (ember/ops/kernels/containers.py): indexing, the mutating
// methods (lists are shared: a method changes the list every alias sees), slicing,
// concatenation, repetition, membership, all() and any(). Python's IndexError texts.
#include <algorithm>
#include <string>

#include "kernels/prim_util.h"

namespace ember::prim {
namespace {

List& list_of(const Value& v) { return *v.to_list(); }

// items[i] with a Python index (negative counts from the end), or fail with `message`.
size_t python_index(int64_t i, size_t size, const char* message) {
  const int64_t n = static_cast<int64_t>(size);
  if (i < 0) i += n;
  if (i < 0 || i >= n) fail(message);
  return static_cast<size_t>(i);
}

void getitem(Call& c) {
  const std::vector<Value>& items = c.in(0).items();
  Value v = items[python_index(as_int(c.in(1)), items.size(), "list index out of range")];
  c.set(0, std::move(v));
}

void set_item(Call& c) {
  Value list = c.in(0);
  std::vector<Value>& items = list_of(list).items;
  items[python_index(as_int(c.in(1)), items.size(), "list assignment index out of range")] =
      c.in(2);
  c.set(0, std::move(list));
}

void len(Call& c) { c.set(0, Value(static_cast<int64_t>(c.in(0).items().size()))); }

void append(Call& c) {
  Value list = c.in(0);
  list_of(list).items.push_back(c.in(1));
  c.set(0, std::move(list));
}

void extend_items(std::vector<Value>& items, const Value& other) {
  const std::vector<Value>& more = other.items();
  if (&more == &items) {
    const std::vector<Value> copy = more;  // xs.extend(xs) doubles xs
    items.insert(items.end(), copy.begin(), copy.end());
  } else {
    items.insert(items.end(), more.begin(), more.end());
  }
}

void extend(Call& c) { extend_items(list_of(c.in(0)).items, c.in(1)); }

void add_inplace(Call& c) {
  Value list = c.in(0);
  extend_items(list_of(list).items, c.in(1));
  c.set(0, std::move(list));
}

void pop(Call& c) {
  std::vector<Value>& items = list_of(c.in(0)).items;
  if (items.empty()) fail("pop from empty list");
  const size_t i = python_index(as_int(c.in(1)), items.size(), "pop index out of range");
  Value v = std::move(items[i]);
  items.erase(items.begin() + static_cast<std::ptrdiff_t>(i));
  c.set(0, std::move(v));
}

void insert(Call& c) {
  std::vector<Value>& items = list_of(c.in(0)).items;
  const int64_t n = static_cast<int64_t>(items.size());
  int64_t i = as_int(c.in(1));
  if (i < 0) i = i + n < 0 ? 0 : i + n;
  if (i > n) i = n;
  items.insert(items.begin() + i, c.in(2));
}

void reverse(Call& c) {
  std::vector<Value>& items = list_of(c.in(0)).items;
  std::reverse(items.begin(), items.end());
}

void clear(Call& c) { list_of(c.in(0)).items.clear(); }

void copy(Call& c) { c.set(0, new_list(c.in(0).items())); }

void slice(Call& c) {
  const std::vector<Value>& items = c.in(0).items();
  const SliceRange s = slice_range(static_cast<int64_t>(items.size()), as_opt_int(c.in(1)),
                                   as_opt_int(c.in(2)), as_int(c.in(3)));
  std::vector<Value> out;
  out.reserve(static_cast<size_t>(s.count));
  for (int64_t k = 0; k < s.count; ++k) {
    out.push_back(items[static_cast<size_t>(s.start + k * s.step)]);
  }
  c.set(0, new_list(std::move(out)));
}

void concat(Call& c) {
  const std::vector<Value>& a = c.in(0).items();
  const std::vector<Value>& b = c.in(1).items();
  std::vector<Value> out;
  out.reserve(a.size() + b.size());
  out.insert(out.end(), a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  c.set(0, new_list(std::move(out)));
}

Value repeat(const std::vector<Value>& items, int64_t times) {
  std::vector<Value> out;
  if (times > 0 && !items.empty()) {
    if (static_cast<uint64_t>(times) > (uint64_t(1) << 28) / items.size()) {
      fail("list repetition of " + std::to_string(items.size()) + " items " +
           std::to_string(times) + " times is too large");
    }
    out.reserve(items.size() * static_cast<size_t>(times));
    for (int64_t k = 0; k < times; ++k) out.insert(out.end(), items.begin(), items.end());
  }
  return new_list(std::move(out));
}

void mul_left(Call& c) { c.set(0, repeat(c.in(0).items(), as_int(c.in(1)))); }
void mul_right(Call& c) { c.set(0, repeat(c.in(1).items(), as_int(c.in(0)))); }

void contains(Call& c) {
  const Value& item = c.in(1);
  bool found = false;
  for (const Value& x : c.in(0).items()) {
    if (py_equal(x, item)) {
      found = true;
      break;
    }
  }
  c.set(0, Value(found));
}

bool truthy(const Value& v) {
  if (v.is_string()) return !v.to_string().empty();
  if (v.is_double()) return v.to_double() != 0.0;
  return as_int(v) != 0;
}

template <bool kAll>
void all_any(Call& c) {
  bool result = kAll;
  for (const Value& x : c.in(0).items()) {
    if (truthy(x) != kAll) {
      result = !kAll;
      break;
    }
  }
  c.set(0, Value(result));
}

}  // namespace

void register_list_kernels(KernelRegistry& r) {
  r.add("aten::__getitem__.t", getitem);
  r.add("aten::_set_item.t", set_item);
  r.add("aten::len.t", len);
  r.add("aten::append.t", append);
  r.add("aten::extend.t", extend);
  r.add("aten::add_.t", add_inplace);
  r.add("aten::pop.t", pop);
  r.add("aten::insert.t", insert);
  r.add("aten::reverse.t", reverse);
  r.add("aten::clear.t", clear);
  r.add("aten::copy.t", copy);
  r.add("aten::list.t", copy);
  r.add("aten::slice.t", slice);
  r.add("aten::add.t", concat);
  r.add("aten::mul.left_t", mul_left);
  r.add("aten::mul.right_", mul_right);
  r.add("aten::__contains__.int_list", contains);
  r.add("aten::__contains__.str_list", contains);
  for (const char* t : {"int", "float", "bool"}) {
    r.add(std::string("aten::all.") + t, all_any<true>);
  }
  for (const char* t : {"str", "int", "float", "bool"}) {
    r.add(std::string("aten::any.") + t, all_any<false>);
  }
}

}  // namespace ember::prim
