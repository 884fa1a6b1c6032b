// View kernels: results share the input's storage with torch's strides (select, slice,
// narrow, view, reshape, expand, transpose, permute, squeeze, unsqueeze, flatten, ...).
#include <cstdint>

#include "kernels/shape_util.h"

namespace ember {
namespace {

using shape::dims_str;
using shape::fail;
using shape::int_list;
using shape::wrap_dim;

const Tensor& self(const Call& c) { return c.in(0).to_tensor(); }

void set_view(const Call& c, const Tensor& t, const Dims& sizes, const Dims& strides,
              int64_t offset) {
  c.set(0, shape::view_of(t, sizes, strides, offset));
}

Tensor select_view(const Tensor& t, int64_t dim, int64_t index) {
  if (t.dim() == 0) fail("select() cannot be applied to a 0-dim tensor.");
  int64_t d = wrap_dim(dim, t.dim());
  int64_t size = t.size(d);
  if (index < -size || index >= size) {
    fail("select(): index " + std::to_string(index) + " out of range for tensor of size " +
         dims_str(t.sizes()) + " at dimension " + std::to_string(d));
  }
  if (index < 0) index += size;
  Dims sizes = t.sizes(), strides = t.strides();
  sizes.erase(d);
  strides.erase(d);
  return t.as_strided(sizes, strides, t.storage_offset() + index * t.stride(d));
}

void select(Call& c) { c.set(0, select_view(self(c), c.in(1).to_int(), c.in(2).to_int())); }

// a[start:end:step] along d, Python's clamping for step > 0.
Tensor slice_view(const Tensor& t, int64_t d, int64_t start, int64_t end, int64_t step) {
  int64_t size = t.size(d);
  if (start < 0) start += size;
  if (end < 0) end += size;
  start = start < 0 ? 0 : (start > size ? size : start);
  end = end < start ? start : (end > size ? size : end);
  Dims sizes = t.sizes(), strides = t.strides();
  sizes[d] = end == start ? 0 : (end - start - 1) / step + 1;
  strides[d] *= step;
  return t.as_strided(sizes, strides, t.storage_offset() + start * t.stride(d));
}

void slice(Call& c) {
  const Tensor& t = self(c);
  if (t.dim() == 0) fail("slice() cannot be applied to a 0-dim tensor.");
  int64_t d = wrap_dim(c.in(1).to_int(), t.dim());
  int64_t step = c.in(4).to_int();
  if (step <= 0) fail("slice step must be positive");
  int64_t start = c.in(2).is_none() ? 0 : c.in(2).to_int();
  int64_t end = c.in(3).is_none() ? INT64_MAX : c.in(3).to_int();
  c.set(0, slice_view(t, d, start, end, step));
}

void narrow(Call& c) {
  const Tensor& t = self(c);
  if (t.dim() == 0) fail("narrow() cannot be applied to a 0-dim tensor.");
  int64_t d = wrap_dim(c.in(1).to_int(), t.dim());
  int64_t start = c.in(2).to_int(), length = c.in(3).to_int();
  int64_t size = t.size(d);
  if (start < -size || start > size) {
    fail("start out of range (expected to be in range of [" + std::to_string(-size) + ", " +
         std::to_string(size) + "], but got " + std::to_string(start) + ")");
  }
  if (start < 0) start += size;
  if (length < 0 || length > size - start) {
    fail("start (" + std::to_string(start) + ") + length (" + std::to_string(length) +
         ") exceeds dimension size (" + std::to_string(size) + ").");
  }
  c.set(0, slice_view(t, d, start, start + length, 1));
}

// The view of t as `shape` (inferred), or an undefined tensor when strides forbid it.
Tensor try_view(const Tensor& t, const Dims& shape) {
  Dims sizes = shape::infer_shape(shape, t.numel());
  Dims strides;
  if (!shape::view_strides(t.sizes(), t.strides(), sizes, strides)) return Tensor();
  return t.as_strided(sizes, strides, t.storage_offset());
}

Tensor view_or_fail(const Tensor& t, const Dims& shape) {
  Tensor r = try_view(t, shape);
  if (!r.defined()) {
    fail(
        "view size is not compatible with input tensor's size and stride (at least one "
        "dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
  }
  return r;
}

Tensor reshape_to(const Call& c, const Tensor& t, const Dims& shape) {
  Tensor r = try_view(t, shape);
  if (r.defined()) return r;
  Dims sizes = shape::infer_shape(shape, t.numel());
  Tensor out = c.output(0, sizes, t.dtype());
  t.copy_to(out.data_ptr());
  return out;
}

void view(Call& c) { c.set(0, view_or_fail(self(c), int_list(c.in(1)))); }
void view_as(Call& c) { c.set(0, view_or_fail(self(c), c.in(1).to_tensor().sizes())); }
void reshape(Call& c) { c.set(0, reshape_to(c, self(c), int_list(c.in(1)))); }
void reshape_as(Call& c) { c.set(0, reshape_to(c, self(c), c.in(1).to_tensor().sizes())); }

Tensor expand_to(const Tensor& t, const Dims& size) {
  const int64_t nd = t.dim(), n = static_cast<int64_t>(size.size());
  if (n < nd) {
    fail("expand(" + std::string(dtype_name(t.dtype())) + "{" + dims_str(t.sizes()) +
         "}, size=" + dims_str(size) + "): the number of sizes provided (" + std::to_string(n) +
         ") must be greater or equal to the number of dimensions in the tensor (" +
         std::to_string(nd) + ")");
  }
  const int64_t lead = n - nd;
  Dims sizes(size.size()), strides(size.size());
  for (int64_t i = 0; i < n; ++i) {
    int64_t s = size[i];
    if (i < lead) {
      if (s < 0) {
        fail("The expanded size of the tensor (" + std::to_string(s) +
             ") isn't allowed in a leading, non-existing dimension " + std::to_string(i));
      }
      sizes[i] = s;
      strides[i] = 0;
      continue;
    }
    int64_t old = t.size(i - lead);
    if (s == -1) s = old;
    if (s == old) {
      sizes[i] = s;
      strides[i] = t.stride(i - lead);
    } else if (old == 1 && s >= 0) {
      sizes[i] = s;
      strides[i] = 0;
    } else {
      fail("The expanded size of the tensor (" + std::to_string(s) +
           ") must match the existing size (" + std::to_string(old) +
           ") at non-singleton dimension " + std::to_string(i) + ".  Target sizes: " +
           dims_str(size) + ".  Tensor sizes: " + dims_str(t.sizes()));
    }
  }
  return t.as_strided(sizes, strides, t.storage_offset());
}

void expand(Call& c) { c.set(0, expand_to(self(c), int_list(c.in(1)))); }
void expand_as(Call& c) { c.set(0, expand_to(self(c), c.in(1).to_tensor().sizes())); }

Tensor transpose_view(const Tensor& t, int64_t d0, int64_t d1) {
  int64_t a = wrap_dim(d0, t.dim()), b = wrap_dim(d1, t.dim());
  Dims sizes = t.sizes(), strides = t.strides();
  if (t.dim() > 0) {
    std::swap(sizes[a], sizes[b]);
    std::swap(strides[a], strides[b]);
  }
  return t.as_strided(sizes, strides, t.storage_offset());
}

void t_(Call& c) {
  const Tensor& t = self(c);
  if (t.dim() > 2) {
    fail("t() expects a tensor with <= 2 dimensions, but self is " + std::to_string(t.dim()) +
         "D");
  }
  c.set(0, transpose_view(t, 0, t.dim() < 2 ? 0 : 1));
}

void transpose(Call& c) {
  c.set(0, transpose_view(self(c), c.in(1).to_int(), c.in(2).to_int()));
}

void permute(Call& c) {
  const Tensor& t = self(c);
  Dims order = int_list(c.in(1));
  const int64_t nd = t.dim();
  if (static_cast<int64_t>(order.size()) != nd) {
    fail("permute(sparse_coo): number of dimensions in the tensor input does not match the "
         "length of the desired ordering of dimensions i.e. input.dim() = " +
         std::to_string(nd) + " is not equal to len(dims) = " + std::to_string(order.size()));
  }
  Dims sizes(order.size()), strides(order.size());
  uint64_t seen = 0;
  for (int64_t i = 0; i < nd; ++i) {
    int64_t d = wrap_dim(order[i], nd);
    if (d < 64 && (seen & (uint64_t{1} << d))) fail("permute(): duplicate dims are not allowed.");
    if (d < 64) seen |= uint64_t{1} << d;
    sizes[i] = t.size(d);
    strides[i] = t.stride(d);
  }
  c.set(0, t.as_strided(sizes, strides, t.storage_offset()));
}

void squeeze_mask(const Call& c, const Tensor& t, uint64_t mask) {
  Dims sizes, strides;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (t.size(d) == 1 && (mask >> d) & 1) continue;
    sizes.push_back(t.size(d));
    strides.push_back(t.stride(d));
  }
  set_view(c, t, sizes, strides, t.storage_offset());
}

void squeeze(Call& c) { squeeze_mask(c, self(c), ~uint64_t{0}); }

// A 0-d tensor squeezes to itself whatever dims are named (as ember's Python kernel).
void squeeze_dim(Call& c) {
  const Tensor& t = self(c);
  if (t.dim() == 0) return squeeze_mask(c, t, 0);
  squeeze_mask(c, t, uint64_t{1} << wrap_dim(c.in(1).to_int(), t.dim()));
}

void squeeze_dims(Call& c) {
  const Tensor& t = self(c);
  if (t.dim() == 0) return squeeze_mask(c, t, 0);
  squeeze_mask(c, t, shape::dim_mask(c.in(1), t.dim()));
}

void unsqueeze(Call& c) {
  const Tensor& t = self(c);
  int64_t d = wrap_dim(c.in(1).to_int(), t.dim() + 1);
  Dims sizes = t.sizes(), strides = t.strides();
  int64_t stride = d < t.dim() ? t.size(d) * t.stride(d) : 1;
  sizes.insert(d, 1);
  strides.insert(d, stride);
  set_view(c, t, sizes, strides, t.storage_offset());
}

void flatten(Call& c) {
  const Tensor& t = self(c);
  if (t.dim() == 0) {
    set_view(c, t, Dims{1}, Dims{1}, t.storage_offset());
    return;
  }
  int64_t s = wrap_dim(c.in(1).to_int(), t.dim()), e = wrap_dim(c.in(2).to_int(), t.dim());
  if (s > e) fail("flatten() has invalid args: start_dim cannot come after end_dim");
  if (s == e) {
    set_view(c, t, t.sizes(), t.strides(), t.storage_offset());
    return;
  }
  Dims shape;
  int64_t merged = 1;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (d < s || d > e) {
      shape.push_back(t.size(d));
      continue;
    }
    merged *= t.size(d);
    if (d == e) shape.push_back(merged);
  }
  c.set(0, reshape_to(c, t, shape));
}

void unflatten(Call& c) {
  const Tensor& t = self(c);
  if (t.dim() == 0) fail("unflatten: dimension 0 is out of range for a 0-dim tensor");
  int64_t d = wrap_dim(c.in(1).to_int(), t.dim());
  Dims inner = shape::infer_shape(int_list(c.in(2)), t.size(d));
  Dims shape;
  for (int64_t i = 0; i < t.dim(); ++i) {
    if (i != d) {
      shape.push_back(t.size(i));
      continue;
    }
    for (int64_t s : inner) shape.push_back(s);
  }
  c.set(0, view_or_fail(t, shape));
}

void as_strided(Call& c) {
  const Tensor& t = self(c);
  Dims sizes = int_list(c.in(1)), strides = int_list(c.in(2));
  int64_t offset = c.in(3).is_none() ? t.storage_offset() : c.in(3).to_int();
  if (sizes.size() != strides.size()) {
    fail("mismatch in length of strides and shape");
  }
  int64_t last = 0;
  bool empty = false;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] < 0) fail("as_strided: negative size " + std::to_string(sizes[i]));
    if (strides[i] < 0) {
      fail("as_strided: Negative strides are not supported at the moment, got strides: " +
           dims_str(strides));
    }
    if (sizes[i] == 0) empty = true;
    int64_t span;
    if (sizes[i] && (__builtin_mul_overflow(sizes[i] - 1, strides[i], &span) ||
                     __builtin_add_overflow(last, span, &last))) {
      fail("as_strided: sizes " + dims_str(sizes) + " and strides " + dims_str(strides) +
           " overflow");
    }
  }
  if (offset < 0) fail("as_strided: Tensor: invalid storage offset " + std::to_string(offset));
  int64_t item = static_cast<int64_t>(t.element_size());
  int64_t need = 0;
  if (!empty && (__builtin_add_overflow(offset, last + 1, &need) ||
                 __builtin_mul_overflow(need, item, &need))) {
    need = INT64_MAX;
  }
  int64_t have = static_cast<int64_t>(t.storage()->nbytes());
  if (need > have) {
    fail("setStorage: sizes " + dims_str(sizes) + ", strides " + dims_str(strides) +
         ", storage offset " + std::to_string(offset) + ", and itemsize " +
         std::to_string(item) + " requiring a storage size of " + std::to_string(need) +
         " are out of bounds for storage of size " + std::to_string(have));
  }
  set_view(c, t, sizes, strides, offset);
}

void alias(Call& c) {
  const Tensor& t = self(c);
  set_view(c, t, t.sizes(), t.strides(), t.storage_offset());
}

}  // namespace

Tensor shape_select(const Tensor& t, int64_t dim, int64_t index) {
  return select_view(t, dim, index);
}
Tensor shape_slice(const Tensor& t, int64_t dim, int64_t start, int64_t end, int64_t step) {
  return slice_view(t, dim, start, end, step);
}

void register_shape_view_kernels(KernelRegistry& r) {
  r.add("aten::select.int", select);
  r.add("aten::slice.Tensor", slice);
  r.add("aten::narrow", narrow);
  r.add("aten::view", view);
  r.add("aten::view_as", view_as);
  r.add("aten::reshape", reshape);
  r.add("aten::reshape_as", reshape_as);
  r.add("aten::expand", expand);
  r.add("aten::expand_as", expand_as);
  r.add("aten::t", t_);
  r.add("aten::transpose.int", transpose);
  r.add("aten::permute", permute);
  r.add("aten::squeeze", squeeze);
  r.add("aten::squeeze.dim", squeeze_dim);
  r.add("aten::squeeze.dims", squeeze_dims);
  r.add("aten::unsqueeze", unsqueeze);
  r.add("aten::flatten.using_ints", flatten);
  r.add("aten::unflatten.int", unflatten);
  r.add("aten::as_strided", as_strided);
  r.add("aten::detach", alias);
  r.add("aten::alias", alias);
}

}  // namespace ember
