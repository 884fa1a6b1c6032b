// The list methods TorchScript types by element (int, float, bool, str): remove, count,
// index, sort, and list == / != (containers.py's _typed_list_ops).
#include <algorithm>
#include <string>

#include "kernels/prim_util.h"

namespace ember::prim {
namespace {

// Position of the first element equal to `x`, or -1.
int64_t find_equal(const std::vector<Value>& items, const Value& x) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (py_equal(items[i], x)) return static_cast<int64_t>(i);
  }
  return -1;
}

void remove(Call& c) {
  std::vector<Value>& items = c.in(0).to_list()->items;
  const int64_t i = find_equal(items, c.in(1));
  if (i < 0) fail("list.remove(x): x not in list");
  items.erase(items.begin() + i);
}

void count(Call& c) {
  const Value& x = c.in(1);
  int64_t n = 0;
  for (const Value& item : c.in(0).items()) n += py_equal(item, x) ? 1 : 0;
  c.set(0, Value(n));
}

void index(Call& c) {
  const int64_t i = find_equal(c.in(0).items(), c.in(1));
  if (i < 0) fail(repr(c.in(1)) + " is not in list");
  c.set(0, Value(i));
}

struct IntLess {
  bool operator()(const Value& a, const Value& b) const { return as_int(a) < as_int(b); }
};
struct FloatLess {
  bool operator()(const Value& a, const Value& b) const { return as_double(a) < as_double(b); }
};
struct StrLess {
  bool operator()(const Value& a, const Value& b) const { return a.to_string() < b.to_string(); }
};

// Python's list.sort: stable; reverse=True reverses each comparison, keeping equal
// elements in their original order.
template <class Less>
void sort(Call& c) {
  std::vector<Value>& items = c.in(0).to_list()->items;
  if (c.in(1).to_bool()) {
    std::stable_sort(items.begin(), items.end(),
                     [](const Value& a, const Value& b) { return Less()(b, a); });
  } else {
    std::stable_sort(items.begin(), items.end(), Less());
  }
}

bool lists_equal(const Value& a, const Value& b) {
  const std::vector<Value>& x = a.items();
  const std::vector<Value>& y = b.items();
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!py_equal(x[i], y[i])) return false;
  }
  return true;
}

void eq(Call& c) { c.set(0, Value(lists_equal(c.in(0), c.in(1)))); }
void ne(Call& c) { c.set(0, Value(!lists_equal(c.in(0), c.in(1)))); }

}  // namespace

void register_list_typed_kernels(KernelRegistry& r) {
  const std::pair<const char*, KernelFn> sorts[] = {
      {"int", sort<IntLess>}, {"float", sort<FloatLess>}, {"bool", sort<IntLess>},
      {"str", sort<StrLess>}};
  for (const auto& [t, sort_fn] : sorts) {
    const std::string type(t);
    r.add("aten::remove." + type, remove);
    r.add("aten::count." + type, count);
    r.add("aten::index.list_" + type, index);
    r.add("aten::sort." + type, sort_fn);
    r.add("aten::eq." + type + "_list", eq);
    r.add("aten::ne." + type + "_list", ne);
  }
}

}  // namespace ember::prim
