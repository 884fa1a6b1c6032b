// Value: what a register of the interpreter holds, and what forward takes and returns.
//
// Scalars are held inline; strings, lists, tuples, dicts and objects are shared (a
// TorchScript list is mutable and aliased: two Values may hold the same List).
#pragma once

#include <complex>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
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
  Value() {}  // None
  Value(bool b) : tag_(Tag::Bool) { u_.b = b; }
  Value(int64_t i) : tag_(Tag::Int) { u_.i = i; }
  Value(int i) : tag_(Tag::Int) { u_.i = i; }
  Value(double d) : tag_(Tag::Double) { u_.d = d; }
  Value(std::complex<double> c) : tag_(Tag::Complex) { new (&u_.c) std::complex<double>(c); }
  Value(std::string s) : tag_(Tag::String) {
    new (&u_.str) std::shared_ptr<std::string>(std::make_shared<std::string>(std::move(s)));
  }
  Value(const char* s) : Value(std::string(s)) {}
  Value(Tensor t) : tag_(Tag::Tensor) { new (&u_.t) Tensor(std::move(t)); }
  Value(std::shared_ptr<List> l) : tag_(Tag::List) { new (&u_.list) std::shared_ptr<List>(std::move(l)); }
  Value(std::shared_ptr<Tuple> t) : tag_(Tag::Tuple) {
    new (&u_.tuple) std::shared_ptr<Tuple>(std::move(t));
  }
  Value(std::shared_ptr<Dict> d) : tag_(Tag::Dict) { new (&u_.dict) std::shared_ptr<Dict>(std::move(d)); }
  Value(std::shared_ptr<Object> o) : tag_(Tag::Object) {
    new (&u_.object) std::shared_ptr<Object>(std::move(o));
  }
  // None, bool, int, float and complex own nothing: they copy as bytes, without the
  // switches over tags (the interpreter moves one per scalar op).
  Value(const Value& other) : tag_(other.tag_) {
    if (holds_nothing(tag_)) {
      copy_bytes(other);
    } else {
      copy_payload(other);
    }
  }
  Value(Value&& other) noexcept : tag_(other.tag_) {
    if (holds_nothing(tag_)) {
      copy_bytes(other);
    } else {
      move_payload(other);
    }
  }
  Value& operator=(const Value& other) {
    if (holds_nothing(tag_) && holds_nothing(other.tag_)) {
      tag_ = other.tag_;
      copy_bytes(other);
    } else if (this != &other) {
      *this = Value(other);
    }
    return *this;
  }
  Value& operator=(Value&& other) noexcept {
    if (holds_nothing(tag_) && holds_nothing(other.tag_)) {
      tag_ = other.tag_;
      copy_bytes(other);
    } else if (this != &other) {
      Value held(std::move(other));  // `other` may live inside what this value owns
      destroy();
      tag_ = held.tag_;
      move_payload(held);
    }
    return *this;
  }
  ~Value() {
    if (!holds_nothing(tag_)) destroy();
  }

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
  static bool holds_nothing(Tag t) { return t <= Tag::Complex; }
  void copy_bytes(const Value& o) { std::memcpy(static_cast<void*>(&u_), &o.u_, sizeof(u_)); }
  // Scalars need no destructor; the other tags hold one live member of the union.
  void destroy() noexcept {
    switch (tag_) {
      case Tag::String:
      case Tag::Device: u_.str.~shared_ptr(); break;
      case Tag::Tensor: u_.t.~Tensor(); break;
      case Tag::List: u_.list.~shared_ptr(); break;
      case Tag::Tuple: u_.tuple.~shared_ptr(); break;
      case Tag::Dict: u_.dict.~shared_ptr(); break;
      case Tag::Object: u_.object.~shared_ptr(); break;
      default: break;
    }
    tag_ = Tag::None;
  }
  void copy_payload(const Value& o) {
    switch (tag_) {
      case Tag::String:
      case Tag::Device: new (&u_.str) std::shared_ptr<std::string>(o.u_.str); break;
      case Tag::Tensor: new (&u_.t) Tensor(o.u_.t); break;
      case Tag::List: new (&u_.list) std::shared_ptr<List>(o.u_.list); break;
      case Tag::Tuple: new (&u_.tuple) std::shared_ptr<Tuple>(o.u_.tuple); break;
      case Tag::Dict: new (&u_.dict) std::shared_ptr<Dict>(o.u_.dict); break;
      case Tag::Object: new (&u_.object) std::shared_ptr<Object>(o.u_.object); break;
      case Tag::Complex: new (&u_.c) std::complex<double>(o.u_.c); break;
      default: u_.i = o.u_.i; break;
    }
  }
  // Leaves `o` None.
  void move_payload(Value& o) noexcept {
    switch (tag_) {
      case Tag::String:
      case Tag::Device: new (&u_.str) std::shared_ptr<std::string>(std::move(o.u_.str)); break;
      case Tag::Tensor: new (&u_.t) Tensor(std::move(o.u_.t)); break;
      case Tag::List: new (&u_.list) std::shared_ptr<List>(std::move(o.u_.list)); break;
      case Tag::Tuple: new (&u_.tuple) std::shared_ptr<Tuple>(std::move(o.u_.tuple)); break;
      case Tag::Dict: new (&u_.dict) std::shared_ptr<Dict>(std::move(o.u_.dict)); break;
      case Tag::Object: new (&u_.object) std::shared_ptr<Object>(std::move(o.u_.object)); break;
      case Tag::Complex: new (&u_.c) std::complex<double>(o.u_.c); break;
      default: u_.i = o.u_.i; break;
    }
    o.destroy();
  }

  union Payload {
    Payload() : i(0) {}
    ~Payload() {}
    bool b;
    int64_t i;
    double d;
    std::complex<double> c;
    Tensor t;
    std::shared_ptr<std::string> str;  // String and Device
    std::shared_ptr<List> list;
    std::shared_ptr<Tuple> tuple;
    std::shared_ptr<Dict> dict;
    std::shared_ptr<Object> object;
  } u_;
  Tag tag_ = Tag::None;
};

}  // namespace ember
