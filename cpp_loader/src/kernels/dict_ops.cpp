// TorchScript's dict builtins on str- and int-keyed dicts (containers.py's _dict_ops):
// lookup, store, membership, keys/values/items in insertion order, and the methods.
// A missing key raises with Python's KeyError text (the key's repr).
#include <string>

#include "kernels/prim_util.h"

namespace ember::prim {
namespace {

Dict& dict_of(const Value& v) { return *v.to_dict(); }

size_t find_or_fail(const Dict& d, const Value& key) {
  const int64_t i = d.find(key);
  if (i < 0) fail(repr(key));
  return static_cast<size_t>(i);
}

void getitem(Call& c) {
  const Dict& d = dict_of(c.in(0));
  Value v = d.items[find_or_fail(d, c.in(1))].second;
  c.set(0, std::move(v));
}

void set_item(Call& c) { dict_of(c.in(0)).set(c.in(1), c.in(2)); }

void len(Call& c) { c.set(0, Value(static_cast<int64_t>(dict_of(c.in(0)).items.size()))); }

void keys(Call& c) {
  const Dict& d = dict_of(c.in(0));
  std::vector<Value> out;
  out.reserve(d.items.size());
  for (const auto& item : d.items) out.push_back(item.first);
  c.set(0, new_list(std::move(out)));
}

void values(Call& c) {
  const Dict& d = dict_of(c.in(0));
  std::vector<Value> out;
  out.reserve(d.items.size());
  for (const auto& item : d.items) out.push_back(item.second);
  c.set(0, new_list(std::move(out)));
}

void items(Call& c) {
  const Dict& d = dict_of(c.in(0));
  std::vector<Value> out;
  out.reserve(d.items.size());
  for (const auto& [key, value] : d.items) out.push_back(Value::tuple({key, value}));
  c.set(0, new_list(std::move(out)));
}

void contains(Call& c) { c.set(0, Value(dict_of(c.in(0)).find(c.in(1)) >= 0)); }

void get(Call& c) {
  const Dict& d = dict_of(c.in(0));
  const int64_t i = d.find(c.in(1));
  Value v = i < 0 ? Value() : d.items[static_cast<size_t>(i)].second;
  c.set(0, std::move(v));
}

void get_default(Call& c) {
  const Dict& d = dict_of(c.in(0));
  const int64_t i = d.find(c.in(1));
  Value v = i < 0 ? c.in(2) : d.items[static_cast<size_t>(i)].second;
  c.set(0, std::move(v));
}

Value take(Dict& d, size_t i) {
  Value v = std::move(d.items[i].second);
  d.items.erase(d.items.begin() + static_cast<std::ptrdiff_t>(i));
  return v;
}

void pop(Call& c) {
  Dict& d = dict_of(c.in(0));
  Value v = take(d, find_or_fail(d, c.in(1)));
  c.set(0, std::move(v));
}

void pop_default(Call& c) {
  Dict& d = dict_of(c.in(0));
  const int64_t i = d.find(c.in(1));
  Value v = i < 0 ? c.in(2) : take(d, static_cast<size_t>(i));
  c.set(0, std::move(v));
}

void setdefault(Call& c) {
  Dict& d = dict_of(c.in(0));
  const int64_t i = d.find(c.in(1));
  if (i >= 0) {
    Value v = d.items[static_cast<size_t>(i)].second;
    c.set(0, std::move(v));
    return;
  }
  Value v = c.in(2);
  d.set(c.in(1), v);
  c.set(0, std::move(v));
}

void update(Call& c) {
  Dict& d = dict_of(c.in(0));
  const Dict& more = dict_of(c.in(1));
  if (&d == &more) return;
  for (const auto& [key, value] : more.items) d.set(key, value);
}

void clear(Call& c) { dict_of(c.in(0)).items.clear(); }

void copy(Call& c) {
  auto d = std::make_shared<Dict>(dict_of(c.in(0)));
  c.set(0, Value(std::move(d)));
}

}  // namespace

void register_dict_kernels(KernelRegistry& r) {
  for (const char* k : {"str", "int"}) {
    const std::string key(k);
    r.add("aten::__getitem__.Dict_" + key, getitem);
    r.add("aten::_set_item." + key, set_item);
    r.add("aten::len.Dict_" + key, len);
    r.add("aten::keys." + key, keys);
    r.add("aten::values." + key, values);
    r.add("aten::items." + key, items);
    r.add("aten::__contains__." + key, contains);
    r.add("aten::get." + key, get);
    r.add("aten::get.default_" + key, get_default);
    r.add("aten::pop.Dict_" + key, pop);
    r.add("aten::pop.Dict_default_" + key, pop_default);
    r.add("aten::setdefault." + key, setdefault);
    r.add("aten::update." + key, update);
    r.add("aten::clear." + key, clear);
    r.add("aten::copy.Dict_" + key, copy);
  }
}

}  // namespace ember::prim
