// Indexing: gather, index_select, index.Tensor (advanced indexing), nonzero, count_nonzero.
#include <cstring>
#include <string>

#include "core/convert.h"
#include "core/dispatch.h"
#include "core/iter.h"
#include "kernels/shape_util.h"

namespace ember {
namespace {

using shape::dims_str;
using shape::fail;
using shape::index_at;
using shape::odometer;
using shape::wrap_dim;

const Tensor& self(const Call& c) { return c.in(0).to_tensor(); }

bool is_index_dtype(DType d) { return d == DType::Int64 || d == DType::Int32; }

[[noreturn]] void out_of_bounds(int64_t v, int64_t d, int64_t size) {
  fail("index " + std::to_string(v) + " is out of bounds for dimension " + std::to_string(d) +
       " with size " + std::to_string(size));
}

void gather(Call& c) {
  const Tensor& a = self(c);
  const Tensor& idx = c.in(2).to_tensor();
  if (!is_index_dtype(idx.dtype())) fail("gather(): Expected dtype int32/int64 for index");
  const int64_t d = wrap_dim(c.in(1).to_int(), a.dim());
  if (idx.dim() != a.dim() && !(a.dim() == 0 && idx.dim() <= 1)) {
    fail("Index tensor must have the same number of dimensions as input tensor");
  }
  for (int64_t k = 0; k < a.dim(); ++k) {
    if (k != d && idx.size(k) > a.size(k)) {
      fail("Size does not match at dimension " + std::to_string(k) + " expected index " +
           dims_str(idx.sizes()) + " to be smaller than self " + dims_str(a.sizes()) +
           " apart from dimension " + std::to_string(d));
    }
  }
  Tensor out = c.output(0, idx.sizes(), a.dtype());
  const int64_t size = a.dim() ? a.size(d) : 1;
  const int64_t stride_d = a.dim() ? a.stride(d) : 0;
  Dims src_strides(idx.sizes().size(), 0);
  for (int64_t k = 0; k < a.dim(); ++k) src_strides[k] = k == d ? 0 : a.stride(k);
  const Dims& out_strides = out.strides();
  const void* ip = idx.data_ptr();
  shape::with_elem_size(a.element_size(), [&](auto e) {
    using E = decltype(e);
    const E* src = static_cast<const E*>(a.data_ptr());
    E* dst = static_cast<E*>(out.data_ptr());
    odometer<3>(idx.sizes(), {&idx.strides(), &src_strides, &out_strides}, {0, 0, 0},
                [&](const std::array<int64_t, 3>& at) {
                  int64_t v = index_at(ip, idx.dtype(), at[0]);
                  if (v < 0 || v >= size) out_of_bounds(v, d, size);
                  dst[at[2]] = src[at[1] + v * stride_d];
                });
  });
}

// One advanced index: the source dim it indexes and the tensor of positions, with
// strides over the result's dims (0 where it broadcasts or the dim is not its own).
struct Adv {
  int64_t dim;
  const Tensor* index;
  Dims strides;
};

enum class Bounds { Index, IndexSelect };

// result[...] = a[...] with the advanced indices `adv` (broadcast to `bshape`) placed in
// the result at `bpos`, the other source dims in order around them.
void take(const Call& c, const Tensor& a, Adv* adv, size_t nadv, const Dims& bshape,
          int64_t bpos, Bounds bounds) {
  uint64_t indexed = 0;
  for (size_t k = 0; k < nadv; ++k) indexed |= uint64_t{1} << adv[k].dim;
  Dims sizes, src_strides;
  int64_t s = 0;
  auto add_plain = [&](int64_t upto) {
    for (; s < upto; ++s) {
      if ((indexed >> s) & 1) continue;
      sizes.push_back(a.size(s));
      src_strides.push_back(a.stride(s));
    }
  };
  add_plain(bpos);
  const size_t bstart = sizes.size();
  for (int64_t b : bshape) {
    sizes.push_back(b);
    src_strides.push_back(0);
  }
  add_plain(a.dim());
  for (size_t k = 0; k < nadv; ++k) {
    const Tensor& t = *adv[k].index;
    Dims st(sizes.size(), 0);
    const size_t lead = bshape.size() - t.sizes().size();
    for (size_t i = 0; i < t.sizes().size(); ++i) {
      if (t.sizes()[i] != 1) st[bstart + lead + i] = t.strides()[i];
    }
    adv[k].strides = st;
  }
  Tensor out = c.output(0, sizes, a.dtype());
  const int64_t total = out.numel();
  if (total == 0) return;
  const size_t nd = sizes.size();
  auto check = [&](const Adv& x, int64_t v) {
    const int64_t size = a.size(x.dim);
    if (v >= -size && v < size && (bounds == Bounds::Index || v >= 0)) return v < 0 ? v + size : v;
    if (bounds == Bounds::Index) out_of_bounds(v, x.dim, size);
    if (x.dim > 0) {
      fail("INDICES element is out of DATA bounds, id=" + std::to_string(v) +
           " axis_dim=" + std::to_string(size));
    }
    fail("index out of range in self");
  };
  shape::with_elem_size(a.element_size(), [&](auto e) {
    using E = decltype(e);
    const E* src = static_cast<const E*>(a.data_ptr());
    E* dst = static_cast<E*>(out.data_ptr());
    const int64_t inner = nd ? sizes[nd - 1] : 1;
    const int64_t src_step = nd ? src_strides[nd - 1] : 0;
    Dims counter(nd, 0), pos(nadv, 0);
    int64_t base = 0;
    // When the innermost dim is one the indices do not move along, a row's advanced offset
    // is computed once and the row is copied (with memcpy when it is contiguous).
    bool plain_row = nd > 0;
    for (size_t k = 0; k < nadv && plain_row; ++k) plain_row = adv[k].strides[nd - 1] == 0;
    auto adv_offset = [&](int64_t j) {
      int64_t off = 0;
      for (size_t k = 0; k < nadv; ++k) {
        const Tensor& t = *adv[k].index;
        int64_t at = pos[k] + (nd ? j * adv[k].strides[nd - 1] : 0);
        off += check(adv[k], index_at(t.data_ptr(), t.dtype(), at)) * a.stride(adv[k].dim);
      }
      return off;
    };
    for (int64_t i = 0; i < total;) {
      if (plain_row) {
        const E* row = src + base + adv_offset(0);
        if (src_step == 1) {
          std::memcpy(dst + i, row, static_cast<size_t>(inner) * sizeof(E));
        } else {
          for (int64_t j = 0; j < inner; ++j) dst[i + j] = row[j * src_step];
        }
        i += inner;
      } else {
        for (int64_t j = 0; j < inner; ++j, ++i) dst[i] = src[base + j * src_step + adv_offset(j)];
      }
      for (size_t d = nd ? nd - 1 : 0; d-- > 0;) {
        if (++counter[d] < sizes[d]) {
          base += src_strides[d];
          for (size_t k = 0; k < nadv; ++k) pos[k] += adv[k].strides[d];
          break;
        }
        base -= src_strides[d] * (sizes[d] - 1);
        for (size_t k = 0; k < nadv; ++k) pos[k] -= adv[k].strides[d] * (sizes[d] - 1);
        counter[d] = 0;
      }
    }
  });
}

void index_select(Call& c) {
  const Tensor& a = self(c);
  const Tensor& idx = c.in(2).to_tensor();
  if (idx.dim() > 1) fail("index_select(): Index is supposed to be a vector");
  if (!is_index_dtype(idx.dtype())) {
    fail("index_select(): Expected dtype int32 or int64 for index");
  }
  const int64_t d = wrap_dim(c.in(1).to_int(), a.dim());
  if (a.dim() == 0) {
    Tensor flat = a.as_strided(Dims{1}, Dims{1}, a.storage_offset());
    Adv adv{0, &idx, Dims()};
    take(c, flat, &adv, 1, idx.sizes(), 0, Bounds::IndexSelect);
    return;
  }
  Tensor flat = idx.dim() == 1 ? idx : idx.as_strided(Dims{1}, Dims{1}, idx.storage_offset());
  Adv adv{d, &flat, Dims()};
  take(c, a, &adv, 1, flat.sizes(), d, Bounds::IndexSelect);
}

// The positions of the true elements of `mask` (k dims), one int64 tensor per dim.
void mask_positions(const Tensor& mask, Tensor* out) {
  int64_t n = 0;
  for_each<bool>(mask, [&](bool b) { n += b; });
  const size_t k = mask.sizes().size();
  for (size_t i = 0; i < k; ++i) out[i] = Tensor::empty(Dims{n}, DType::Int64);
  Dims contiguous = Tensor::contiguous_strides(mask.sizes());
  const bool* p = static_cast<const bool*>(mask.data_ptr());
  int64_t j = 0;
  odometer<2>(mask.sizes(), {&mask.strides(), &contiguous}, {0, 0},
              [&](const std::array<int64_t, 2>& at) {
                if (!p[at[0]]) return;
                int64_t rest = at[1];
                for (size_t i = 0; i < k; ++i) {
                  out[i].data<int64_t>()[j] = rest / contiguous[i];
                  rest %= contiguous[i];
                }
                ++j;
              });
}

void index(Call& c) {
  const Tensor& a = self(c);
  const std::vector<Value>& given = c.in(1).items();
  Tensor masks[64];
  Adv adv[64];
  size_t nadv = 0, nmask = 0;
  int64_t dim = 0;
  Dims bshape;
  int64_t first = -1, last = -1;
  bool adjacent = true;
  for (const Value& v : given) {
    if (v.is_none()) {
      ++dim;
      continue;
    }
    const Tensor& t = v.to_tensor();
    const bool is_mask = t.dtype() == DType::Bool || t.dtype() == DType::UInt8;
    if (!is_mask && !is_index_dtype(t.dtype()) && t.dtype() != DType::Int16 &&
        t.dtype() != DType::Int8) {
      fail("tensors used as indices must be long, int, byte or bool tensors");
    }
    const int64_t consumed = is_mask ? t.dim() : 1;
    if (is_mask && t.dim() == 0) fail("index.Tensor: 0-d boolean masks are not supported");
    if (dim + consumed > a.dim() || dim + consumed > 64) {
      fail("too many indices for tensor of dimension " + std::to_string(a.dim()) + " (got " +
           std::to_string(dim + consumed) + ")");
    }
    if (!is_mask && t.dtype() != DType::Int64 && t.dtype() != DType::Int32) {
      masks[nmask] = t.to(DType::Int64);
      adv[nadv++] = Adv{dim, &masks[nmask++], Dims()};
    } else if (!is_mask) {
      adv[nadv++] = Adv{dim, &t, Dims()};
    } else {
      for (int64_t i = 0; i < t.dim(); ++i) {
        if (t.size(i) != a.size(dim + i)) {
          fail("The shape of the mask " + dims_str(t.sizes()) + " at index " +
               std::to_string(i) + " does not match the shape of the indexed tensor " +
               dims_str(a.sizes()) + " at index " + std::to_string(dim + i));
        }
      }
      Tensor bools = t.dtype() == DType::Bool ? t : t.to(DType::Bool);
      mask_positions(bools, masks + nmask);
      for (int64_t i = 0; i < t.dim(); ++i) adv[nadv++] = Adv{dim + i, &masks[nmask + i], Dims()};
      nmask += static_cast<size_t>(t.dim());
    }
    if (first >= 0 && last != dim - 1) adjacent = false;
    if (first < 0) first = dim;
    last = dim + consumed - 1;
    dim += consumed;
  }
  if (nadv == 0) {
    c.output(0, a.sizes(), a.dtype()).copy_from(a);
    return;
  }
  bshape = adv[0].index->sizes();
  for (size_t k = 1; k < nadv; ++k) {
    try {
      bshape = broadcast_shapes(bshape, adv[k].index->sizes());
    } catch (const Error&) {
      std::string shapes;
      for (size_t i = 0; i < nadv; ++i) shapes += (i ? ", " : "") + dims_str(adv[i].index->sizes());
      fail("shape mismatch: indexing tensors could not be broadcast together with shapes " +
           shapes);
    }
  }
  take(c, a, adv, nadv, bshape, adjacent ? first : 0, Bounds::Index);
}

// `t` as bool (x != 0, as convert<bool> tests it): one loop serves every dtype.
Tensor as_bool(const Tensor& t, const char* kernel) {
  if (t.dtype() == DType::Complex32) throw_not_implemented(kernel, t.dtype());
  return t.dtype() == DType::Bool ? t : t.to(DType::Bool);
}

void nonzero(Call& c) {
  const Tensor a = as_bool(self(c), "nonzero_cpu");
  int64_t n = 0;
  for_each<bool>(a, [&](bool x) { n += x; });
  const int64_t nd = a.dim();
  // torch's layout: an (ndim, n) block seen transposed, so each index's coordinates are
  // adjacent in memory.
  Tensor block = Tensor::empty(Dims{nd, n}, DType::Int64);
  c.set(0, block.as_strided(Dims{n, nd}, Dims{1, n}, 0));
  if (n == 0 || nd == 0) return;
  int64_t* o = block.data<int64_t>();
  int64_t j = 0;
  Dims contiguous = Tensor::contiguous_strides(a.sizes());
  Dims item_strides = a.strides();
  const bool* p = static_cast<const bool*>(a.data_ptr());
  odometer<2>(a.sizes(), {&item_strides, &contiguous}, {0, 0},
              [&](const std::array<int64_t, 2>& at) {
                if (!p[at[0]]) return;
                int64_t rest = at[1];
                for (int64_t i = 0; i < nd; ++i) {
                  o[i * n + j] = rest / contiguous[i];
                  rest %= contiguous[i];
                }
                ++j;
              });
}

void count_nonzero(Call& c) {
  const Tensor a = as_bool(self(c), "count_nonzero_cpu");
  Dims sizes, out_strides(a.sizes().size(), 0);
  int64_t d = -1;
  if (!c.in(1).is_none()) d = wrap_dim(c.in(1).to_int(), a.dim());
  if (d >= 0 && a.dim() > 0) {
    sizes = a.sizes();
    sizes.erase(d);
  }
  Tensor out = c.output(0, sizes, DType::Int64);
  int64_t* o = out.data<int64_t>();
  if (out.numel()) std::memset(o, 0, static_cast<size_t>(out.numel()) * sizeof(int64_t));
  if (d >= 0 && a.dim() > 0) {
    Dims cs = Tensor::contiguous_strides(sizes);
    for (int64_t k = 0, j = 0; k < a.dim(); ++k) out_strides[k] = k == d ? 0 : cs[j++];
  }
  const bool* p = static_cast<const bool*>(a.data_ptr());
  odometer<2>(a.sizes(), {&a.strides(), &out_strides}, {0, 0},
              [&](const std::array<int64_t, 2>& at) { o[at[1]] += p[at[0]]; });
}

}  // namespace

void register_index_kernels(KernelRegistry& r) {
  r.add("aten::gather", gather);
  r.add("aten::index_select", index_select);
  r.add("aten::index.Tensor", index);
  r.add("aten::nonzero", nonzero);
  r.add("aten::count_nonzero", count_nonzero);
}

}  // namespace ember
