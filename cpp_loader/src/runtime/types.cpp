#include "runtime/types.h"

#include <cctype>

namespace ember {

namespace {

class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {}

  TypeSpec parse(int depth) {
    TypeSpec t;
    if (depth > 32) return fail(t);
    skip();
    size_t begin = at_;
    if (peek() == '(') {  // "(A, B)": a tuple
      ++at_;
      t.kind = TypeSpec::Tuple;
      if (!list(t, ')', depth)) return fail(t);
    } else {
      std::string word = name();
      if (word.empty()) return fail(t);
      skip();
      if (word == "Optional" && peek() == '[') {
        t.kind = TypeSpec::Optional;
        if (!args(t, '[', ']', depth, 1)) return fail(t);
      } else if (word == "List" && peek() == '[') {
        t.kind = TypeSpec::List;
        if (!args(t, '[', ']', depth, 1)) return fail(t);
      } else if (word == "Tuple" && peek() == '[') {
        t.kind = TypeSpec::Tuple;
        ++at_;
        if (!list(t, ']', depth)) return fail(t);
      } else if (word == "Dict" && (peek() == '(' || peek() == '[')) {
        t.kind = TypeSpec::Dict;
        if (!args(t, peek(), peek() == '(' ? ')' : ']', depth, 2)) return fail(t);
      } else {
        t.kind = scalar_kind(word);
      }
    }
    // Suffixes: "int[]" is a list, "Tensor?" an optional.
    for (skip(); at_ < s_.size(); skip()) {
      if (s_.compare(at_, 2, "[]") == 0) {
        at_ += 2;
        wrap(t, TypeSpec::List);
      } else if (peek() == '?') {
        ++at_;
        wrap(t, TypeSpec::Optional);
      } else {
        break;
      }
    }
    t.text = s_.substr(begin, at_ - begin);
    return t;
  }

  bool done() {
    skip();
    return at_ == s_.size() && ok_;
  }

 private:
  static TypeSpec::Kind scalar_kind(const std::string& w) {
    if (w == "Tensor") return TypeSpec::Tensor;
    if (w == "int" || w == "SymInt") return TypeSpec::Int;
    if (w == "float") return TypeSpec::Float;
    if (w == "bool") return TypeSpec::Bool;
    if (w == "str") return TypeSpec::Str;
    if (w == "number" || w == "Scalar") return TypeSpec::Number;
    if (w == "complex") return TypeSpec::Complex;
    if (w == "Device") return TypeSpec::Device;
    if (w == "NoneType" || w == "None") return TypeSpec::None;
    if (w.compare(0, 10, "__torch__.") == 0) return TypeSpec::Class;
    return TypeSpec::Any;
  }
  static void wrap(TypeSpec& t, TypeSpec::Kind kind) {
    TypeSpec outer;
    outer.kind = kind;
    outer.elems.push_back(std::move(t));
    t = std::move(outer);
  }
  bool args(TypeSpec& t, char open, char close, int depth, size_t n) {
    if (peek() != open) return false;
    ++at_;
    return list(t, close, depth) && t.elems.size() == n;
  }
  bool list(TypeSpec& t, char close, int depth) {
    skip();
    if (peek() == close) return ++at_, true;
    while (at_ < s_.size()) {
      t.elems.push_back(parse(depth + 1));
      if (!ok_) return false;
      skip();
      if (peek() == ',') {
        ++at_;
        continue;
      }
      if (peek() == close) return ++at_, true;
      return false;
    }
    return false;
  }
  std::string name() {
    size_t b = at_;
    while (at_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[at_])) ||
                               s_[at_] == '_' || s_[at_] == '.')) {
      ++at_;
    }
    return s_.substr(b, at_ - b);
  }
  char peek() const { return at_ < s_.size() ? s_[at_] : '\0'; }
  void skip() {
    while (at_ < s_.size() && s_[at_] == ' ') ++at_;
  }
  TypeSpec fail(TypeSpec& t) {
    ok_ = false;
    t = TypeSpec();
    return t;
  }

  const std::string& s_;
  size_t at_ = 0;
  bool ok_ = true;
};

bool items_match(const TypeSpec& elem, const std::vector<Value>& items) {
  for (const Value& v : items) {
    if (!type_matches(elem, v)) return false;
  }
  return true;
}

}  // namespace

TypeSpec parse_type(const std::string& text) {
  Parser p(text);
  TypeSpec t = p.parse(0);
  if (!p.done()) return TypeSpec();
  t.text = text;
  return t;
}

bool type_matches(const TypeSpec& t, const Value& v) {
  switch (t.kind) {
    case TypeSpec::Any: return true;
    case TypeSpec::Tensor: return v.is_tensor();
    case TypeSpec::Int: return v.is_int();
    case TypeSpec::Float: return v.is_double() || v.is_int();
    case TypeSpec::Bool: return v.is_bool();
    case TypeSpec::Str: return v.is_string();
    case TypeSpec::Number: return v.is_scalar();
    case TypeSpec::Complex: return v.is_complex() || v.is_scalar();
    case TypeSpec::Device: return v.is_device() || v.is_string();
    case TypeSpec::None: return v.is_none();
    case TypeSpec::Optional: return v.is_none() || type_matches(t.elems[0], v);
    case TypeSpec::List: return v.is_list() && items_match(t.elems[0], v.items());
    case TypeSpec::Tuple: {
      if (!v.is_tuple() || v.items().size() != t.elems.size()) return false;
      for (size_t i = 0; i < t.elems.size(); ++i) {
        if (!type_matches(t.elems[i], v.items()[i])) return false;
      }
      return true;
    }
    case TypeSpec::Dict: return v.is_dict();
    case TypeSpec::Class: return v.is_object() || v.is_tuple();
  }
  return true;
}

Value convert_argument(const TypeSpec& t, const Value& v) {
  const TypeSpec* s = &t;
  if (s->kind == TypeSpec::Optional) s = &s->elems[0];
  if (s->kind == TypeSpec::Float && v.is_int()) return Value(static_cast<double>(v.to_int()));
  if (s->kind == TypeSpec::Device && v.is_string()) return Value::device(v.to_string());
  return v;
}

std::string describe(const Value& v) {
  if (v.is_list()) {
    const auto& items = v.items();
    return items.empty() ? "List[]" : "List[" + describe(items[0]) + "]";
  }
  if (v.is_tuple()) {
    std::string s = "Tuple[";
    const auto& items = v.items();
    for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + describe(items[i]);
    return s + "]";
  }
  if (v.is_tensor()) return "Tensor";
  if (v.is_object() && v.to_object()->cls) return v.to_object()->cls->name;
  return tag_name(v.tag());
}

}  // namespace ember
