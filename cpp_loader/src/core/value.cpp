// Value: checked accessors, TorchScript `is` and `==`, Dict and ClassInfo lookups.
#include "ember/value.h"

#include <cmath>

#include "ember/error.h"

namespace ember {

const char* tag_name(Tag tag) {
  switch (tag) {
    case Tag::None: return "None";
    case Tag::Bool: return "bool";
    case Tag::Int: return "int";
    case Tag::Double: return "float";
    case Tag::Complex: return "complex";
    case Tag::String: return "str";
    case Tag::Device: return "Device";
    case Tag::Tensor: return "Tensor";
    case Tag::List: return "List";
    case Tag::Tuple: return "Tuple";
    case Tag::Dict: return "Dict";
    case Tag::Object: return "Object";
  }
  return "unknown";
}

namespace {

[[noreturn]] void wrong_tag(const char* expected, Tag got) {
  throw Error(ErrorKind::Runtime,
              std::string("expected a value of type ") + expected + " but got " + tag_name(got));
}

bool is_number(Tag t) { return t == Tag::Bool || t == Tag::Int || t == Tag::Double; }

bool tensor_equals(const Tensor& a, const Tensor& b) {
  if (a.same(b)) return true;
  if (!a.defined() || !b.defined()) return a.defined() == b.defined();
  if (a.numel() != 1 || b.numel() != 1)
    throw Error(ErrorKind::Runtime, "Boolean value of Tensor with more than one value is ambiguous");
  if (is_complex(a.dtype()) || is_complex(b.dtype())) return false;
  return a.item_double() == b.item_double();
}

bool items_equal(const std::vector<Value>& a, const std::vector<Value>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!a[i].is(b[i]) && !a[i].equals(b[i])) return false;
  return true;
}

bool dicts_equal(const Dict& a, const Dict& b) {
  if (a.items.size() != b.items.size()) return false;
  for (const auto& kv : a.items) {
    int64_t j = b.find(kv.first);
    if (j < 0) return false;
    const Value& other = b.items[static_cast<size_t>(j)].second;
    if (!kv.second.is(other) && !kv.second.equals(other)) return false;
  }
  return true;
}

}  // namespace

int64_t Dict::find(const Value& key) const {
  for (size_t i = 0; i < items.size(); ++i) {
    const Value& k = items[i].first;
    bool match = key.is_tensor() || k.is_tensor() ? key.is(k) : key.equals(k);
    if (match) return static_cast<int64_t>(i);
  }
  return -1;
}

void Dict::set(const Value& key, const Value& value) {
  int64_t i = find(key);
  if (i >= 0)
    items[static_cast<size_t>(i)].second = value;
  else
    items.emplace_back(key, value);
}

int64_t ClassInfo::slot(const std::string& attribute) const {
  for (size_t i = 0; i < attributes.size(); ++i)
    if (attributes[i] == attribute) return static_cast<int64_t>(i);
  return -1;
}

Value Value::device(std::string name) {
  Value v(std::move(name));
  v.tag_ = Tag::Device;  // same payload as a String
  return v;
}

Value Value::list(std::vector<Value> items) {
  auto l = std::make_shared<List>();
  l->items = std::move(items);
  return Value(std::move(l));
}

Value Value::tuple(std::vector<Value> items) {
  auto t = std::make_shared<Tuple>();
  t->items = std::move(items);
  return Value(std::move(t));
}

Value Value::int_list(const std::vector<int64_t>& items) {
  auto l = std::make_shared<List>();
  l->items.reserve(items.size());
  for (int64_t i : items) l->items.emplace_back(i);
  return Value(std::move(l));
}

bool Value::to_bool() const {
  if (tag_ != Tag::Bool) wrong_tag("bool", tag_);
  return u_.b;
}

int64_t Value::to_int() const {
  if (tag_ == Tag::Int) return u_.i;
  if (tag_ == Tag::Bool) return u_.b ? 1 : 0;
  wrong_tag("int", tag_);
}

double Value::to_double() const {
  switch (tag_) {
    case Tag::Double: return u_.d;
    case Tag::Int: return static_cast<double>(u_.i);
    case Tag::Bool: return u_.b ? 1.0 : 0.0;
    default: wrong_tag("float", tag_);
  }
}

std::complex<double> Value::to_complex() const {
  if (tag_ == Tag::Complex) return u_.c;
  if (is_scalar()) return {to_double(), 0.0};
  wrong_tag("complex", tag_);
}

const std::string& Value::to_string() const {
  if (tag_ != Tag::String && tag_ != Tag::Device) wrong_tag("str", tag_);
  return *u_.str;
}

const Tensor& Value::to_tensor() const {
  if (tag_ != Tag::Tensor) wrong_tag("Tensor", tag_);
  return u_.t;
}

Tensor& Value::to_tensor() {
  if (tag_ != Tag::Tensor) wrong_tag("Tensor", tag_);
  return u_.t;
}

#define EMBER_SHARED_VIEW(TYPE, TAG, NAME, MEMBER)        \
  const std::shared_ptr<TYPE>& Value::NAME() const {      \
    if (tag_ != Tag::TAG) wrong_tag(#TAG, tag_);          \
    return u_.MEMBER;                                     \
  }
EMBER_SHARED_VIEW(List, List, to_list, list)
EMBER_SHARED_VIEW(Tuple, Tuple, to_tuple, tuple)
EMBER_SHARED_VIEW(Dict, Dict, to_dict, dict)
EMBER_SHARED_VIEW(Object, Object, to_object, object)
#undef EMBER_SHARED_VIEW

const std::vector<Value>& Value::items() const {
  if (tag_ == Tag::List) return to_list()->items;
  if (tag_ == Tag::Tuple) return to_tuple()->items;
  wrong_tag("List", tag_);
}

std::vector<int64_t> Value::to_int_vector() const {
  if (tag_ == Tag::Int) return {u_.i};
  const std::vector<Value>& xs = items();
  std::vector<int64_t> out;
  out.reserve(xs.size());
  for (const Value& x : xs) out.push_back(x.to_int());
  return out;
}

std::vector<double> Value::to_double_vector() const {
  if (tag_ == Tag::Double || tag_ == Tag::Int) return {to_double()};
  const std::vector<Value>& xs = items();
  std::vector<double> out;
  out.reserve(xs.size());
  for (const Value& x : xs) out.push_back(x.to_double());
  return out;
}

bool Value::is(const Value& other) const {
  if (tag_ == Tag::Tensor || other.tag_ == Tag::Tensor) {
    // an undefined tensor is None
    bool a_none = tag_ == Tag::None || (tag_ == Tag::Tensor && !u_.t.defined());
    bool b_none = other.tag_ == Tag::None || (other.tag_ == Tag::Tensor && !other.u_.t.defined());
    if (a_none || b_none) return a_none && b_none;
    return tag_ == other.tag_ && u_.t.same(other.u_.t);
  }
  if (tag_ != other.tag_) return false;
  switch (tag_) {
    case Tag::None: return true;
    case Tag::Bool: return u_.b == other.u_.b;
    case Tag::Int: return u_.i == other.u_.i;
    case Tag::Double: return u_.d == other.u_.d;
    case Tag::Complex: return u_.c == other.u_.c;
    case Tag::Device: return to_string() == other.to_string();
    case Tag::String: return u_.str == other.u_.str;
    case Tag::List: return u_.list == other.u_.list;
    case Tag::Tuple: return u_.tuple == other.u_.tuple;
    case Tag::Dict: return u_.dict == other.u_.dict;
    case Tag::Object: return u_.object == other.u_.object;
    default: return false;
  }
}

bool Value::equals(const Value& other) const {
  if (is_number(tag_) && is_number(other.tag_)) {
    if (tag_ == Tag::Double || other.tag_ == Tag::Double) return to_double() == other.to_double();
    return to_int() == other.to_int();
  }
  if (tag_ == Tag::Complex || other.tag_ == Tag::Complex) {
    bool ok = (tag_ == Tag::Complex || is_number(tag_)) &&
              (other.tag_ == Tag::Complex || is_number(other.tag_));
    return ok && to_complex() == other.to_complex();
  }
  if (tag_ != other.tag_) return false;
  switch (tag_) {
    case Tag::None: return true;
    case Tag::String:
    case Tag::Device: return to_string() == other.to_string();
    case Tag::Tensor: return tensor_equals(u_.t, other.u_.t);
    case Tag::List: return u_.list == other.u_.list || items_equal(items(), other.items());
    case Tag::Tuple: return u_.tuple == other.u_.tuple || items_equal(items(), other.items());
    case Tag::Dict: return u_.dict == other.u_.dict || dicts_equal(*to_dict(), *other.to_dict());
    case Tag::Object: return u_.object == other.u_.object;
    default: return false;
  }
}

}  // namespace ember
