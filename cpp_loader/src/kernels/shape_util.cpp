#include "kernels/shape_util.h"

#include <algorithm>

namespace ember {
namespace shape {

std::string dims_str(const Dims& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(d[i]);
  }
  return s + "]";
}

int64_t wrap_dim(int64_t dim, int64_t ndim) {
  int64_t n = ndim > 0 ? ndim : 1;
  if (dim < -n || dim >= n) {
    fail("Dimension out of range (expected to be in range of [" + std::to_string(-n) + ", " +
         std::to_string(n - 1) + "], but got " + std::to_string(dim) + ")");
  }
  return dim < 0 ? dim + n : dim;
}

Dims int_list(const Value& v) {
  Dims out;
  if (v.is_int()) {
    out.push_back(v.to_int());
    return out;
  }
  if (v.is_tensor()) fail("expected a list of ints, got a Tensor");
  for (const Value& item : v.items()) out.push_back(item.to_int());
  return out;
}

DType to_dtype(const Value& v) {
  int64_t n = v.to_int();
  if (!is_valid_dtype(n)) fail("unsupported ScalarType " + std::to_string(n));
  return static_cast<DType>(n);
}

std::optional<DType> opt_dtype(const Value& v) {
  if (v.is_none()) return std::nullopt;
  return to_dtype(v);
}

void check_device(const Value& device, const char* op) {
  if (device.is_none()) return;
  const std::string& name = device.to_string();
  if (name != "cpu" && name.rfind("cpu:", 0) != 0) {
    fail(std::string(op) + ": ember tensors live on the CPU, not on device '" + name + "'");
  }
}

void check_options(const Call& c, uint32_t first, const char* op) {
  if (first < c.num_inputs) {
    const Value& layout = c.in(first);
    if (!layout.is_none() && layout.to_int() != 0) {
      fail(std::string(op) + ": only the strided layout is supported");
    }
  }
  if (first + 1 < c.num_inputs) {
    check_device(c.in(first + 1), op);
  }
  if (first + 2 < c.num_inputs) {
    const Value& pin = c.in(first + 2);
    if (!pin.is_none()) pin.to_bool();
  }
}

uint64_t dim_mask(const Value& v, int64_t ndim) {
  if (ndim > 64) fail("tensors of more than 64 dimensions are not supported");
  if (v.is_none()) return ndim ? (~uint64_t{0} >> (64 - ndim)) : 0;
  Dims given = int_list(v);
  if (given.empty()) return ndim ? (~uint64_t{0} >> (64 - ndim)) : 0;
  uint64_t mask = 0;
  for (int64_t g : given) {
    int64_t d = wrap_dim(g, ndim);
    if (mask & (uint64_t{1} << d)) {
      fail("dim " + std::to_string(d) + " appears multiple times in the list of dims");
    }
    mask |= uint64_t{1} << d;
  }
  return ndim ? mask : 0;
}

int64_t numel_of(const Dims& sizes) {
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  return n;
}

bool view_strides(const Dims& sizes, const Dims& strides, const Dims& shape, Dims& out) {
  const int64_t nd = static_cast<int64_t>(shape.size());
  out.resize(shape.size());
  if (sizes.empty()) {
    for (int64_t i = 0; i < nd; ++i) out[i] = 1;
    return true;
  }
  int64_t numel = numel_of(sizes);
  if (numel == 0 && sizes == shape) {
    out = strides;
    return true;
  }
  if (numel == 0) {
    for (int64_t d = nd - 1; d >= 0; --d) {
      out[d] = d == nd - 1 ? 1 : std::max<int64_t>(shape[d + 1], 1) * out[d + 1];
    }
    return true;
  }
  int64_t view_d = nd - 1;
  int64_t chunk_base = strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    tensor_numel *= sizes[d];
    if (d == 0 || (sizes[d - 1] != 1 && strides[d - 1] != tensor_numel * chunk_base)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        out[view_d] = view_numel * chunk_base;
        view_numel *= shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return false;
      if (d > 0) {
        chunk_base = strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  return view_d == -1;
}

Dims infer_shape(const Dims& shape, int64_t numel) {
  Dims out = shape;
  int64_t infer = -1, known = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      if (infer >= 0) fail("only one dimension can be inferred");
      infer = static_cast<int64_t>(i);
    } else if (out[i] < 0) {
      fail("invalid shape dimension " + std::to_string(out[i]));
    } else if (__builtin_mul_overflow(known, out[i], &known)) {
      fail("shape '" + dims_str(shape) + "' is invalid for input of size " +
           std::to_string(numel));
    }
  }
  if (infer >= 0) {
    if (known == 0 || numel % known) {
      fail("shape '" + dims_str(shape) + "' is invalid for input of size " +
           std::to_string(numel));
    }
    out[infer] = numel / known;
  } else if (known != numel) {
    fail("shape '" + dims_str(shape) + "' is invalid for input of size " + std::to_string(numel));
  }
  return out;
}

bool non_overlapping_and_dense(const Dims& sizes, const Dims& strides) {
  const size_t nd = sizes.size();
  if (nd == 1) return sizes[0] < 2 || strides[0] == 1;
  Dims perm(nd);
  for (size_t i = 0; i < nd; ++i) perm[i] = static_cast<int64_t>(i);
  std::sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) {
    if (sizes[a] < 2) return false;
    if (sizes[b] < 2) return true;
    return strides[a] < strides[b];
  });
  int64_t require = 1;
  for (size_t i = 0; i < nd; ++i) {
    int64_t size = sizes[perm[i]];
    if (size < 2) return true;
    if (strides[perm[i]] != require) return false;
    require *= size;
  }
  return true;
}

Dims dense_strides(const Dims& sizes, const Dims& strides) {
  const size_t nd = sizes.size();
  Dims out(nd);
  if (nd == 0) return out;
  if (nd == 1) {
    out[0] = 1;
    return out;
  }
  Dims perm(nd);
  for (size_t i = 0; i < nd; ++i) perm[i] = static_cast<int64_t>(nd - 1 - i);
  auto should_swap = [&](int64_t d0, int64_t d1) {
    int64_t s0 = strides[d0], s1 = strides[d1];
    if (s0 == 0 || s1 == 0) return 0;
    if (s0 < s1) return -1;
    if (s0 > s1) return 1;
    return sizes[d0] > sizes[d1] ? 1 : 0;
  };
  for (size_t i = 1; i < nd; ++i) {
    size_t d1 = i;
    for (size_t j = 1; j <= i; ++j) {
      size_t d0 = i - j;
      int cmp = should_swap(perm[d0], perm[d1]);
      if (cmp > 0) {
        std::swap(perm[d0], perm[d1]);
        d1 = d0;
      } else if (cmp < 0) {
        break;
      }
    }
  }
  int64_t stride = 1;
  for (size_t i = 0; i < nd; ++i) {
    int64_t d = perm[i];
    out[d] = stride;
    if (sizes[d] > 1) stride *= sizes[d];
  }
  return out;
}

Tensor output_like(const Call& c, uint32_t i, const Tensor& like, DType dtype) {
  const Dims& sizes = like.sizes();
  Dims strides = non_overlapping_and_dense(sizes, like.strides())
                     ? like.strides()
                     : dense_strides(sizes, like.strides());
  if (strides == Tensor::contiguous_strides(sizes)) {
    return c.output(i, sizes, dtype);
  }
  size_t bytes = static_cast<size_t>(like.numel()) * itemsize(dtype);
  Tensor out = Tensor::make(Storage::allocate(bytes), 0, sizes, strides, dtype);
  c.set(i, out);
  return out;
}

}  // namespace shape
}  // namespace ember
