// Copies that rearrange: cat, stack, clone, type_as, flip, repeat, tril, triu.
#include <algorithm>
#include <cstring>
#include <string>

#include "kernels/shape_util.h"

namespace ember {
namespace {

using shape::dims_str;
using shape::fail;
using shape::wrap_dim;

const Tensor& self(const Call& c) { return c.in(0).to_tensor(); }

int64_t prod(const Dims& d, size_t from, size_t to) {
  int64_t n = 1;
  for (size_t i = from; i < to; ++i) n *= d[i];
  return n;
}

bool legacy_empty(const Tensor& t) { return t.dim() == 1 && t.size(0) == 0; }

// Copies `src` into the block of `out` at element `offset` whose sizes are src's and whose
// strides are `strides`: one memcpy per row when src is contiguous and of out's dtype.
void copy_block(const Tensor& out, const Dims& strides, int64_t offset, const Tensor& src,
                int64_t outer, int64_t inner, int64_t out_row) {
  if (src.numel() == 0) return;
  if (src.dtype() == out.dtype() && src.is_contiguous()) {
    const size_t isz = out.element_size();
    char* dst = static_cast<char*>(out.data_ptr()) + offset * isz;
    const char* from = static_cast<const char*>(src.data_ptr());
    for (int64_t o = 0; o < outer; ++o) {
      std::memcpy(dst + o * out_row * isz, from + o * inner * isz, inner * isz);
    }
    return;
  }
  Tensor::make(out.storage(), out.storage_offset() + offset, src.sizes(), strides, out.dtype())
      .copy_from(src);
}

void cat(Call& c) {
  const std::vector<Value>& items = c.in(0).items();
  if (items.empty()) fail("torch.cat(): expected a non-empty list of Tensors");
  DType rt = items[0].to_tensor().dtype();
  const Tensor* ref = nullptr;
  size_t ref_index = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const Tensor& t = items[i].to_tensor();
    rt = promote_types(rt, t.dtype());
    if (!ref && !legacy_empty(t)) {
      ref = &t;
      ref_index = i;
    }
  }
  if (!ref) {
    c.output(0, Dims{0}, rt);
    return;
  }
  if (ref->dim() == 0) {
    fail("zero-dimensional tensor (at position " + std::to_string(ref_index) +
         ") cannot be concatenated");
  }
  const int64_t d = wrap_dim(c.in(1).to_int(), ref->dim());
  Dims sizes = ref->sizes();
  sizes[d] = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const Tensor& t = items[i].to_tensor();
    if (legacy_empty(t)) continue;
    if (t.dim() != ref->dim()) {
      fail("Tensors must have same number of dimensions: got " + std::to_string(ref->dim()) +
           " and " + std::to_string(t.dim()));
    }
    for (int64_t k = 0; k < t.dim(); ++k) {
      if (k != d && t.size(k) != ref->size(k)) {
        fail("Sizes of tensors must match except in dimension " + std::to_string(d) +
             ". Expected size " + std::to_string(ref->size(k)) + " but got size " +
             std::to_string(t.size(k)) + " for tensor number " + std::to_string(i) +
             " in the list.");
      }
    }
    if (__builtin_add_overflow(sizes[d], t.size(d), &sizes[d])) {
      fail("torch.cat(): the concatenated size overflows");
    }
  }
  Tensor out = c.output(0, sizes, rt);
  const int64_t outer = prod(sizes, 0, d), post = prod(sizes, d + 1, sizes.size());
  const int64_t out_row = sizes[d] * post;
  int64_t at = 0;
  for (const Value& v : items) {
    const Tensor& t = v.to_tensor();
    if (legacy_empty(t)) continue;
    copy_block(out, out.strides(), at * post, t, outer, t.size(d) * post, out_row);
    at += t.size(d);
  }
}

void stack(Call& c) {
  const std::vector<Value>& items = c.in(0).items();
  if (items.empty()) fail("stack expects a non-empty TensorList");
  const Tensor& first = items[0].to_tensor();
  const Dims& shape = first.sizes();
  DType rt = first.dtype();
  for (size_t i = 0; i < items.size(); ++i) {
    const Tensor& t = items[i].to_tensor();
    if (t.sizes() != shape) {
      fail("stack expects each tensor to be equal size, but got " + dims_str(shape) +
           " at entry 0 and " + dims_str(t.sizes()) + " at entry " + std::to_string(i));
    }
    rt = promote_types(rt, t.dtype());
  }
  const int64_t d = wrap_dim(c.in(1).to_int(), first.dim() + 1);
  const int64_t n = static_cast<int64_t>(items.size());
  Dims sizes = shape;
  sizes.insert(d, n);
  Tensor out = c.output(0, sizes, rt);
  Dims strides = out.strides();
  strides.erase(d);
  const int64_t outer = prod(shape, 0, d), inner = prod(shape, d, shape.size());
  for (int64_t i = 0; i < n; ++i) {
    copy_block(out, strides, i * inner, items[i].to_tensor(), outer, inner, n * inner);
  }
}

// torch's strides for channels_last (4-d) and channels_last_3d (5-d) tensors.
Dims channels_last_strides(const Dims& sizes) {
  const size_t nd = sizes.size();
  Dims strides(nd);
  int64_t acc = 1;
  auto put = [&](size_t d) {
    strides[d] = acc;
    acc *= std::max<int64_t>(sizes[d], 1);
  };
  put(1);
  for (size_t d = nd; d-- > 2;) put(d);
  put(0);
  return strides;
}

void clone(Call& c) {
  const Tensor& t = self(c);
  const Value& format = c.num_inputs > 1 ? c.in(1) : Value();
  int64_t mf = format.is_none() ? 1 : format.to_int();
  if (mf == 1) {
    shape::output_like(c, 0, t, t.dtype()).copy_from(t);
    return;
  }
  if (mf == 0 || (mf == 2 && t.dim() != 4) || (mf == 3 && t.dim() != 5)) {
    if (mf > 1) {
      fail(std::string("required rank ") + (mf == 2 ? "4" : "5") +
           " tensor to use channels_last" + (mf == 2 ? "" : "_3d") + " format");
    }
    c.output(0, t.sizes(), t.dtype()).copy_from(t);
    return;
  }
  if (mf != 2 && mf != 3) fail("clone: unknown memory format " + std::to_string(mf));
  Dims strides = channels_last_strides(t.sizes());
  size_t bytes = static_cast<size_t>(t.numel()) * t.element_size();
  Tensor out = Tensor::make(Storage::allocate(bytes), 0, t.sizes(), strides, t.dtype());
  out.copy_from(t);
  c.set(0, out);
}

void type_as(Call& c) {
  const Tensor& t = self(c);
  shape::output_like(c, 0, t, c.in(1).to_tensor().dtype()).copy_from(t);
}

void flip(Call& c) {
  const Tensor& t = self(c);
  Dims given = shape::int_list(c.in(1));
  Tensor out = c.output(0, t.sizes(), t.dtype());
  for (int64_t g : given) wrap_dim(g, t.dim());
  if (t.dim() == 0 || given.empty()) {
    out.copy_from(t);
    return;
  }
  Dims strides = t.strides();
  int64_t offset = t.storage_offset();
  uint64_t seen = 0;
  for (int64_t g : given) {
    int64_t d = wrap_dim(g, t.dim());
    if (d < 64 && (seen >> d) & 1) {
      fail("dim " + std::to_string(d) + " appears multiple times in the list of dims");
    }
    if (d < 64) seen |= uint64_t{1} << d;
    if (t.size(d) > 0) offset += (t.size(d) - 1) * strides[d];
    strides[d] = -strides[d];
  }
  if (t.numel() == 0) return;
  out.copy_from(Tensor::make(t.storage(), offset, t.sizes(), strides, t.dtype()));
}

void repeat(Call& c) {
  const Tensor& t = self(c);
  Dims reps = shape::int_list(c.in(1));
  const int64_t nd = static_cast<int64_t>(reps.size());
  if (nd < t.dim()) {
    fail("Number of dimensions of repeat dims can not be smaller than number of dimensions "
         "of tensor");
  }
  const int64_t lead = nd - t.dim();
  Dims sizes(reps.size());
  for (int64_t i = 0; i < nd; ++i) {
    if (__builtin_mul_overflow(reps[i], i < lead ? 1 : t.size(i - lead), &sizes[i])) {
      fail("repeat: the repeated size overflows");
    }
  }
  for (int64_t i = 0; i < nd; ++i) {
    if (reps[i] < 0) {
      fail("Trying to create tensor with negative dimension " + std::to_string(sizes[i]) +
           ": " + dims_str(sizes));
    }
  }
  Tensor out = c.output(0, sizes, t.dtype());
  if (out.numel() == 0) return;
  Dims vsizes, vstrides, ssizes, sstrides;
  for (int64_t i = 0; i < nd; ++i) {
    int64_t size = i < lead ? 1 : t.size(i - lead);
    vsizes.push_back(reps[i]);
    vsizes.push_back(size);
    vstrides.push_back(size * out.stride(i));
    vstrides.push_back(out.stride(i));
    ssizes.push_back(1);
    ssizes.push_back(size);
    sstrides.push_back(0);
    sstrides.push_back(i < lead ? 0 : t.stride(i - lead));
  }
  Tensor dst = Tensor::make(out.storage(), out.storage_offset(), vsizes, vstrides, t.dtype());
  dst.copy_from(Tensor::make(t.storage(), t.storage_offset(), ssizes, sstrides, t.dtype()));
}

template <bool Lower>
void triangle(Call& c) {
  const Tensor& t = self(c);
  if (t.dim() < 2) {
    fail(std::string(Lower ? "tril" : "triu") + ": input tensor must have at least 2 dimensions");
  }
  Tensor out = c.output(0, t.sizes(), t.dtype());
  out.copy_from(t);
  const int64_t rows = t.size(-2), cols = t.size(-1);
  if (out.numel() == 0) return;
  const int64_t k = std::max(-rows - cols, std::min(rows + cols, c.in(1).to_int()));
  const int64_t batch = out.numel() / (rows * cols);
  const size_t isz = out.element_size();
  char* p = static_cast<char*>(out.data_ptr());
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t i = 0; i < rows; ++i) {
      char* row = p + ((b * rows + i) * cols) * isz;
      int64_t lo = Lower ? std::max<int64_t>(0, i + k + 1) : 0;
      int64_t hi = Lower ? cols : std::min(cols, std::max<int64_t>(0, i + k));
      if (lo < hi) std::memset(row + lo * isz, 0, (hi - lo) * isz);
    }
  }
}

}  // namespace

void register_shape_join_kernels(KernelRegistry& r) {
  r.add("aten::cat", cat);
  r.add("aten::stack", stack);
  r.add("aten::clone", clone);
  r.add("aten::type_as", type_as);
  r.add("aten::flip", flip);
  r.add("aten::repeat", repeat);
  r.add("aten::tril", triangle<true>);
  r.add("aten::triu", triangle<false>);
}

}  // namespace ember
