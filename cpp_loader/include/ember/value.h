// Value: what a register of the interpreter holds, and what forward takes and returns.
//
// Scalars are held inline; strings, lists, tuples, dicts and objects are shared (a
// TorchScript list is mutable and aliased: two Values may hold the same List).
#pragma once

#include <complex>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ember/tensor.h"

namespace ember {

class Value;

enum class Tag : uint8_t {
  None,
  Bool,
  Int,
  Double,
  Complex,
  String,
  Device,  // held as a string: "cpu"
  Tensor,
  List,
  Tuple,
  Dict,
  Object,
};

const char* tag_name(Tag tag);  // "None", "bool", "int", "float", "complex", "str", ...

struct List {
  std::vector<Value> items;
};

struct Tuple {
  std::vector<Value> items;
  std::string type;  // a NamedTuple's qualified name ("__torch__.Out"), else empty
};

// Insertion-ordered; keys are str, int, float, bool or Tensor (by identity).
struct Dict {
  std::vector<std::pair<Value, Value>> items;
  // Index of `key` in items, or -1.
  int64_t find(const Value& key) const;
  // Inserts or overwrites.
  void set(const Value& key, const Value& value);
};

struct ClassInfo {
  std::string name;                     // "__torch__.torch.nn.modules.linear.Linear"
  std::vector<std::string> attributes;  // slot names, in order
  std::vector<std::string> attribute_types;
  bool is_module = true;
  // Slot index of `attribute`, or -1.
  int64_t slot(const std::string& attribute) const;
};

struct Object {
  std::shared_ptr<const ClassInfo> cls;
  std::vector<Value> slots;
};

class Value {
 public:
  Value() = default;  // None
  Value(bool b) : tag_(Tag::Bool) { s_.b = b; }
  Value(int64_t i) : tag_(Tag::Int) { s_.i = i; }
  Value(int i) : tag_(Tag::Int) { s_.i = i; }
  Value(double d) : tag_(Tag::Double) { s_.d = d; }
  Value(std::complex<double> c) : tag_(Tag::Complex), c_(c) {}
  Value(std::string s) : tag_(Tag::String), p_(std::make_shared<std::string>(std::move(s))) {}
  Value(const char* s) : Value(std::string(s)) {}
  Value(Tensor t) : tag_(Tag::Tensor), t_(std::move(t)) {}
  Value(std::shared_ptr<List> l) : tag_(Tag::List), p_(std::move(l)) {}
  Value(std::shared_ptr<Tuple> t) : tag_(Tag::Tuple), p_(std::move(t)) {}
  Value(std::shared_ptr<Dict> d) : tag_(Tag::Dict), p_(std::move(d)) {}
  Value(std::shared_ptr<Object> o) : tag_(Tag::Object), p_(std::move(o)) {}

  static Value device(std::string name);
  static Value list(std::vector<Value> items);
  static Value tuple(std::vector<Value> items);
  static Value int_list(const std::vector<int64_t>& items);

  Tag tag() const { return tag_; }
  bool is_none() const { return tag_ == Tag::None; }
  bool is_bool() const { return tag_ == Tag::Bool; }
  bool is_int() const { return tag_ == Tag::Int; }
  bool is_double() const { return tag_ == Tag::Double; }
  bool is_complex() const { return tag_ == Tag::Complex; }
  bool is_string() const { return tag_ == Tag::String; }
  bool is_device() const { return tag_ == Tag::Device; }
  bool is_tensor() const { return tag_ == Tag::Tensor; }
  bool is_list() const { return tag_ == Tag::List; }
  bool is_tuple() const { return tag_ == Tag::Tuple; }
  bool is_dict() const { return tag_ == Tag::Dict; }
  bool is_object() const { return tag_ == Tag::Object; }
  // Bool, Int or Double (a TorchScript `Scalar` / `number`).
  bool is_scalar() const { return tag_ == Tag::Bool || tag_ == Tag::Int || tag_ == Tag::Double; }

  // Checked accessors: the wrong tag throws Error(ErrorKind::Runtime) naming both tags.
  bool to_bool() const;
  int64_t to_int() const;
  double to_double() const;  // Int and Bool convert
  std::complex<double> to_complex() const;
  const std::string& to_string() const;  // String or Device
  const Tensor& to_tensor() const;
  Tensor& to_tensor();
  const std::shared_ptr<List>& to_list() const;
  const std::shared_ptr<Tuple>& to_tuple() const;
  const std::shared_ptr<Dict>& to_dict() const;
  const std::shared_ptr<Object>& to_object() const;
  // Items of a List or Tuple.
  const std::vector<Value>& items() const;
  std::vector<int64_t> to_int_vector() const;
  std::vector<double> to_double_vector() const;

  // TorchScript `is`: identity for shared values, equality for scalars and None.
  bool is(const Value& other) const;
  // TorchScript `==` for scalars, strings, devices and containers of them.
  bool equals(const Value& other) const;

 private:
  Tag tag_ = Tag::None;
  union {
    bool b;
    int64_t i;
    double d;
  } s_{};
  std::complex<double> c_{};
  Tensor t_;
  std::shared_ptr<void> p_;
};

}  // namespace ember
