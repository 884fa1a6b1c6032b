// Reading a Value scalar (bool, int, float, complex; or a 1-element tensor) as a C++
// element type, converting as torch does: scalar_as<float>(call.in(2)).
#pragma once

#include <complex>
#include <string>

#include "core/convert.h"
#include "core/dispatch.h"
#include "ember/error.h"
#include "ember/value.h"

namespace ember {

template <class T>
T scalar_as(const Value& v) {
  switch (v.tag()) {
    case Tag::Bool: return convert<T>(v.to_bool());
    case Tag::Int: return convert<T>(v.to_int());
    case Tag::Double: return convert<T>(v.to_double());
    case Tag::Complex: return convert<T>(v.to_complex());
    case Tag::Tensor: {
      const Tensor& t = v.to_tensor();
      if (t.numel() != 1)
        throw Error(ErrorKind::Runtime, "a Tensor with " + std::to_string(t.numel()) +
                                            " elements cannot be converted to Scalar");
      return EMBER_DISPATCH_ALL_COMPLEX(t.dtype(), "item", [&] {
        return convert<T>(*static_cast<const scalar_t*>(t.data_ptr()));
      });
    }
    default:
      throw Error(ErrorKind::Runtime,
                  std::string("expected a number, got ") + tag_name(v.tag()));
  }
}

}  // namespace ember
