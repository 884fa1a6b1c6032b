// Lists of views (unbind, split, split_with_sizes, chunk) and views reinterpreting
// memory as another dtype (view.dtype, real, imag, view_as_real, view_as_complex).
#include <string>

#include "core/dispatch.h"
#include "kernels/shape_util.h"

namespace ember {
namespace {

using shape::dims_str;
using shape::fail;
using shape::wrap_dim;

const Tensor& self(const Call& c) { return c.in(0).to_tensor(); }

void unbind(Call& c) {
  const Tensor& t = self(c);
  int64_t d = wrap_dim(c.in(1).to_int(), t.dim());
  if (t.dim() == 0) fail("Dimension specified as 0 but tensor has no dimensions");
  auto list = std::make_shared<List>();
  list->items.reserve(static_cast<size_t>(t.size(d)));
  for (int64_t i = 0; i < t.size(d); ++i) list->items.emplace_back(shape_select(t, d, i));
  c.set(0, Value(std::move(list)));
}

void at_least_1d(const Tensor& t, const char* name) {
  if (t.dim() == 0) fail(std::string(name) + " expects at least a 1-dimensional tensor");
}

void split_into(const Call& c, const Tensor& t, int64_t d, int64_t split_size) {
  int64_t n = t.size(d);
  if (split_size <= 0 && n) {
    fail("split expects split_size be non-negative, but got split_size=" +
         std::to_string(split_size));
  }
  auto list = std::make_shared<List>();
  if (n == 0) {
    list->items.emplace_back(shape_slice(t, d, 0, split_size, 1));
  } else {
    list->items.reserve(static_cast<size_t>((n - 1) / split_size + 1));
    for (int64_t s = 0; s < n;) {
      int64_t end = split_size >= n - s ? n : s + split_size;
      list->items.emplace_back(shape_slice(t, d, s, end, 1));
      s = end;
    }
  }
  c.set(0, Value(std::move(list)));
}

void split(Call& c) {
  const Tensor& t = self(c);
  at_least_1d(t, "split");
  split_into(c, t, wrap_dim(c.in(2).to_int(), t.dim()), c.in(1).to_int());
}

void split_with_sizes(Call& c) {
  const Tensor& t = self(c);
  at_least_1d(t, "split");
  int64_t d = wrap_dim(c.in(2).to_int(), t.dim());
  const std::vector<Value>& sizes = c.in(1).items();
  int64_t total = 0;
  bool negative = false;
  for (const Value& v : sizes) {
    int64_t s = v.to_int();
    negative |= s < 0;
    if (!negative && __builtin_add_overflow(total, s, &total)) total = -1;
  }
  if (negative || total != t.size(d)) {
    std::string given = "[";
    for (size_t i = 0; i < sizes.size(); ++i) {
      given += (i ? ", " : "") + std::to_string(sizes[i].to_int());
    }
    given += "]";
    if (negative) {
      fail("split_with_sizes expects split_sizes have only non-negative entries, but got "
           "split_sizes=" + given);
    }
    fail("split_with_sizes expects split_sizes to sum exactly to " + std::to_string(t.size(d)) +
         " (input tensor's size at dimension " + std::to_string(d) + "), but got split_sizes=" +
         given);
  }
  auto list = std::make_shared<List>();
  list->items.reserve(sizes.size());
  int64_t start = 0;
  for (const Value& v : sizes) {
    int64_t s = v.to_int();
    list->items.emplace_back(shape_slice(t, d, start, start + s, 1));
    start += s;
  }
  c.set(0, Value(std::move(list)));
}

void chunk(Call& c) {
  const Tensor& t = self(c);
  int64_t chunks = c.in(1).to_int();
  if (chunks <= 0) {
    fail("chunk expects `chunks` to be greater than 0, got: " + std::to_string(chunks));
  }
  at_least_1d(t, "chunk");
  int64_t d = wrap_dim(c.in(2).to_int(), t.dim());
  int64_t n = t.size(d);
  int64_t size = n / chunks + (n % chunks != 0);
  if (size == 0) {
    auto list = std::make_shared<List>();
    list->items.reserve(static_cast<size_t>(chunks));
    for (int64_t i = 0; i < chunks; ++i) {
      list->items.emplace_back(t.as_strided(t.sizes(), t.strides(), t.storage_offset()));
    }
    c.set(0, Value(std::move(list)));
    return;
  }
  split_into(c, t, d, size);
}

// --- dtype views -------------------------------------------------------------------

std::string what(const Tensor& t, DType to) {
  return std::string("to view ") + dtype_cpp_name(t.dtype()) + " as " + dtype_cpp_name(to) +
         " (different element sizes)";
}

void check_view_dtype(const Tensor& t, DType to) {
  const int64_t old_size = static_cast<int64_t>(itemsize(t.dtype()));
  const int64_t new_size = static_cast<int64_t>(itemsize(to));
  if (t.dim() == 0) fail("self.dim() cannot be 0 " + what(t, to));
  if (t.numel() && t.stride(-1) != 1 && t.size(-1) != 1) {
    fail("self.stride(-1) must be 1 " + what(t, to) + ", but got " +
         std::to_string(t.stride(-1)));
  }
  if (new_size <= old_size) return;
  const int64_t ratio = new_size / old_size;
  if (t.size(-1) % ratio) {
    fail("self.size(-1) must be divisible by " + std::to_string(ratio) + " " + what(t, to) +
         ", but got " + std::to_string(t.size(-1)));
  }
  if (t.storage_offset() % ratio) {
    fail("self.storage_offset() must be divisible by " + std::to_string(ratio) + " " +
         what(t, to) + ", but got " + std::to_string(t.storage_offset()));
  }
  for (int64_t d = 0; d + 1 < t.dim(); ++d) {
    if (t.stride(d) % ratio) {
      fail("self.stride(" + std::to_string(d) + ") must be divisible by " +
           std::to_string(ratio) + " " + what(t, to) + ", but got " +
           std::to_string(t.stride(d)));
    }
  }
}

Tensor retyped(const Tensor& t, const Dims& sizes, const Dims& strides, int64_t offset,
               DType dtype) {
  return Tensor::make(t.storage(), offset, sizes, strides, dtype);
}

void view_dtype(Call& c) {
  const Tensor& t = self(c);
  DType to = shape::to_dtype(c.in(1));
  const int64_t old_size = static_cast<int64_t>(itemsize(t.dtype()));
  const int64_t new_size = static_cast<int64_t>(itemsize(to));
  if (old_size == new_size) {
    c.set(0, retyped(t, t.sizes(), t.strides(), t.storage_offset(), to));
    return;
  }
  check_view_dtype(t, to);
  Dims sizes = t.sizes(), strides = t.strides();
  int64_t offset = t.storage_offset();
  const size_t last = sizes.size() - 1;
  if (new_size < old_size) {
    const int64_t ratio = old_size / new_size;
    for (size_t d = 0; d < last; ++d) strides[d] *= ratio;
    sizes[last] *= ratio;
    offset *= ratio;
  } else {
    const int64_t ratio = new_size / old_size;
    for (size_t d = 0; d < last; ++d) strides[d] /= ratio;
    sizes[last] /= ratio;
    offset /= ratio;
  }
  strides[last] = 1;
  c.set(0, retyped(t, sizes, strides, offset, to));
}

DType real_of(DType d) { return d == DType::Complex64 ? DType::Float32 : DType::Float64; }

// The real (part 0) or imaginary (part 1) floats of a complex tensor.
Tensor complex_part(const Tensor& t, int64_t part) {
  Dims strides = t.strides();
  for (int64_t& s : strides) s *= 2;
  return retyped(t, t.sizes(), strides, t.storage_offset() * 2 + part, real_of(t.dtype()));
}

void real(Call& c) {
  const Tensor& t = self(c);
  c.set(0, is_complex(t.dtype()) ? complex_part(t, 0) : t);
}

void imag(Call& c) {
  const Tensor& t = self(c);
  if (!is_complex(t.dtype())) {
    fail("imag is not implemented for tensors with non-complex dtypes.");
  }
  c.set(0, complex_part(t, 1));
}

void view_as_real(Call& c) {
  const Tensor& t = self(c);
  if (!is_complex(t.dtype())) fail("view_as_real is only supported for complex tensors");
  Tensor part = complex_part(t, 0);
  Dims sizes = part.sizes(), strides = part.strides();
  sizes.push_back(2);
  strides.push_back(1);
  c.set(0, retyped(t, sizes, strides, part.storage_offset(), part.dtype()));
}

void view_as_complex(Call& c) {
  const Tensor& t = self(c);
  if (t.dtype() == DType::Float16) {
    fail("view_as_complex: ember has no complex32, so float16 is not supported");
  }
  if (t.dtype() != DType::Float32 && t.dtype() != DType::Float64) {
    fail(std::string("view_as_complex is only supported for half, float and double tensors, "
                     "but got a tensor of scalar type: ") +
         dtype_cpp_name(t.dtype()));
  }
  if (t.dim() == 0 || t.size(-1) != 2) fail("Tensor must have a last dimension of size 2");
  if (t.stride(-1) != 1) fail("Tensor must have a last dimension with stride 1");
  Dims sizes = t.sizes(), strides = t.strides();
  sizes.erase(sizes.size() - 1);
  strides.erase(strides.size() - 1);
  for (int64_t& s : strides) {
    if (s % 2) fail("Tensor must have a stride divisible by 2 for all but last dimension");
    s /= 2;
  }
  if (t.storage_offset() % 2) fail("Tensor must have a storage_offset divisible by 2");
  DType to = t.dtype() == DType::Float32 ? DType::Complex64 : DType::Complex128;
  c.set(0, retyped(t, sizes, strides, t.storage_offset() / 2, to));
}

}  // namespace

void register_shape_split_kernels(KernelRegistry& r) {
  r.add("aten::unbind.int", unbind);
  r.add("aten::split.Tensor", split);
  r.add("aten::split_with_sizes", split_with_sizes);
  r.add("aten::split.sizes", split_with_sizes);
  r.add("aten::split", split_with_sizes);
  r.add("aten::chunk", chunk);
  r.add("aten::view.dtype", view_dtype);
  r.add("aten::real", real);
  r.add("aten::imag", imag);
  r.add("aten::view_as_real", view_as_real);
  r.add("aten::view_as_complex", view_as_complex);
}

}  // namespace ember
