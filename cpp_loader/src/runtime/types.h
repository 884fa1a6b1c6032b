// TorchScript type strings ("Tensor", "int[]", "Tensor?", "(Tensor, int)", "Dict(str, Tensor)",
// "Optional[List[int]]", "__torch__.M") parsed once at load, to check forward's arguments.
#pragma once

#include <string>
#include <vector>

#include "ember/value.h"

namespace ember {

struct TypeSpec {
  enum Kind { Any, Tensor, Int, Float, Bool, Str, Number, Complex, Device, None, Optional,
              List, Tuple, Dict, Class };
  Kind kind = Any;
  std::vector<TypeSpec> elems;  // Optional: 1, List: 1, Tuple: n, Dict: 2
  std::string text;             // the type as written, for messages
};

// Never throws: what it cannot read becomes Any (accepts everything).
TypeSpec parse_type(const std::string& text);

// Whether `v` is a value of type `t`; `convert` turns an int given for a float into a float.
bool type_matches(const TypeSpec& t, const Value& v);
// `v` as the function should see it (an int where a float is wanted becomes a float).
Value convert_argument(const TypeSpec& t, const Value& v);

// A short description of a value's type for messages ("Tensor", "int", "List[int]").
std::string describe(const Value& v);

}  // namespace ember
