// Writing into tensors: copy_, fill_, zero_, index_put_ (advanced indexing assignment).
#include <cstring>
#include <string>
#include <vector>

#include "kernels/support/apply.h"
#include "kernels/support/math.h"

namespace ember {
namespace elem {
namespace {

void fill_with(const Tensor& self, const Arg& value) {
  dispatch<kAll>(compute_dtype(self.dtype()), "fill_", [&](auto tag) {
    using T = typename decltype(tag)::type;
    unary<T, T>(self, value, [](T x) { return x; });
  });
}

void fill_scalar(Call& c) {
  const Tensor& self = c.in(0).to_tensor();
  Arg value = arg(c.in(1), "fill_");
  if (!(self.numel() == 1 && is_low_float(self.dtype()))) scalar_fits(value, self.dtype());
  fill_with(self, value);
  c.set(0, Value(self));
}

void fill_tensor(Call& c) {
  const Tensor& self = c.in(0).to_tensor();
  const Tensor& v = c.in(1).to_tensor();
  if (v.dim() != 0)
    fail("fill_ only supports 0-dimension value tensor but got tensor with " +
         std::to_string(v.dim()) + " dimensions.");
  fill_with(self, element_arg(v));
  c.set(0, Value(self));
}

void zero(Call& c) {
  const Tensor& self = c.in(0).to_tensor();
  fill_with(self, number_arg(int64_t{0}));
  c.set(0, Value(self));
}

void copy(Call& c) {
  Tensor self = c.in(0).to_tensor();
  const Tensor& src = c.in(1).to_tensor();
  broadcast_shapes(self.sizes(), src.sizes());  // throws on a mismatch
  if (broadcast_shapes(self.sizes(), src.sizes()) != self.sizes())
    fail("output with shape " + shape_str(self.sizes()) + " doesn't match the broadcast shape " +
         shape_str(broadcast_shapes(self.sizes(), src.sizes())));
  self.copy_from(src);
  c.set(0, Value(self));
}

// index_put_: the indexed positions of self (numpy's advanced indexing) set to, or
// increased by, values broadcast to the indexed shape.
struct IndexPlan {
  std::vector<Tensor> index;  // one int64 tensor (or undefined) per leading dim of self
  Dims bshape;                // the index tensors' broadcast shape
  Dims shape;                 // the indexed result shape
  int first = -1, last = -1;  // first and last indexed dim
  bool adjacent = true;
};

void add_index(IndexPlan& p, const Tensor& t) {
  DType d = t.dtype();
  if (d == DType::Bool || d == DType::UInt8) {
    Tensor mask = d == DType::Bool ? t.contiguous() : t.to(DType::Bool);
    int64_t k = mask.dim(), n = mask.numel(), hits = 0;
    const bool* m = mask.data<bool>();
    for (int64_t i = 0; i < n; ++i) hits += m[i];
    std::vector<Tensor> cols;
    for (int64_t j = 0; j < k; ++j) cols.push_back(Tensor::empty(Dims{hits}, DType::Int64));
    Dims strides = Tensor::contiguous_strides(mask.sizes());
    for (int64_t i = 0, h = 0; i < n; ++i) {
      if (!m[i]) continue;
      for (int64_t j = 0; j < k; ++j) cols[j].data<int64_t>()[h] = (i / strides[j]) % mask.sizes()[j];
      ++h;
    }
    for (int64_t j = 0; j < k; ++j) p.index.push_back(cols[j]);
    return;
  }
  if (d != DType::Int64 && d != DType::Int32)
    fail("tensors used as indices must be long, int, byte or bool tensors");
  p.index.push_back(d == DType::Int64 ? t : t.to(DType::Int64));
}

IndexPlan plan_index(const Tensor& self, const Value& indices) {
  IndexPlan p;
  for (const Value& v : indices.items()) {
    if (v.is_none()) p.index.push_back(Tensor());
    else add_index(p, v.to_tensor());
  }
  if (static_cast<int64_t>(p.index.size()) > self.dim())
    fail("too many indices for tensor of dimension " + std::to_string(self.dim()));
  bool gap = false;
  for (int d = 0; d < static_cast<int>(p.index.size()); ++d) {
    if (!p.index[d].defined()) {
      if (p.first >= 0) gap = true;
      continue;
    }
    if (gap) p.adjacent = false;
    if (p.first < 0) p.first = d;
    p.last = d;
    p.bshape = broadcast_shapes(p.bshape, p.index[d].sizes());
  }
  p.index.resize(static_cast<size_t>(self.dim()));
  return p;
}

void index_put(Call& c) {
  Tensor self = c.in(0).to_tensor();
  const Tensor& values = c.in(2).to_tensor();
  bool accumulate = c.in(3).to_bool();
  if (values.dtype() != self.dtype())
    fail(std::string("Index put requires the source and destination dtypes match, got ") +
         cpp_name(self.dtype()) + " for the destination and " + cpp_name(values.dtype()) +
         " for the source.");
  IndexPlan p = plan_index(self, c.in(1));
  c.set(0, Value(self));
  if (p.first < 0) {  // only slices: every element
    if (accumulate) fail("index_put_ with accumulate and no index tensors is not supported");
    self.copy_from(values);
    return;
  }
  // Result dims: (size, self stride, is a broadcast-index dim).
  const int64_t nd = self.dim();
  std::vector<int64_t> rsize, rstride;
  std::vector<char> rindex;
  auto put_slice = [&](int64_t d) {
    rsize.push_back(self.sizes()[d]);
    rstride.push_back(self.strides()[d]);
    rindex.push_back(0);
  };
  auto put_index = [&] {
    for (int64_t s : p.bshape) rsize.push_back(s), rstride.push_back(0), rindex.push_back(1);
  };
  if (!p.adjacent) put_index();
  for (int64_t d = 0; d < nd; ++d) {
    if (p.adjacent && d == p.first) put_index();
    if (!p.index[d].defined()) put_slice(d);
  }
  Dims shape(rsize.begin(), rsize.end());
  Dims vshape = broadcast_shapes(shape, values.sizes());
  if (vshape != shape)
    fail("shape mismatch: value tensor of shape " + shape_str(values.sizes()) +
         " cannot be broadcast to indexing result of shape " + shape_str(shape));
  const int64_t rn = static_cast<int64_t>(rsize.size());
  std::vector<int64_t> vstride(rn, 0);
  for (int64_t j = 0; j < values.dim(); ++j) {
    int64_t r = rn - values.dim() + j;
    vstride[r] = values.sizes()[j] == 1 ? 0 : values.strides()[j];
  }
  // Per index tensor: its strides aligned to the broadcast index shape.
  const int64_t bn = static_cast<int64_t>(p.bshape.size());
  std::vector<std::vector<int64_t>> istride(nd);
  for (int64_t d = 0; d < nd; ++d) {
    if (!p.index[d].defined()) continue;
    const Tensor& t = p.index[d];
    istride[d].assign(bn, 0);
    for (int64_t j = 0; j < t.dim(); ++j)
      istride[d][bn - t.dim() + j] = t.sizes()[j] == 1 ? 0 : t.strides()[j];
  }
  int64_t total = 1;
  for (int64_t s : rsize) total *= s;
  const size_t item = self.element_size();
  char* base = static_cast<char*>(self.data_ptr());
  const char* vbase = static_cast<const char*>(values.data_ptr());
  std::vector<int64_t> counter(rn, 0);
  for (int64_t n = 0; n < total; ++n) {
    int64_t off = 0, voff = 0, b = 0;
    for (int64_t r = 0; r < rn; ++r) {
      voff += counter[r] * vstride[r];
      if (!rindex[r]) off += counter[r] * rstride[r];
    }
    for (int64_t d = 0; d < nd; ++d) {
      if (!p.index[d].defined()) continue;
      int64_t ioff = 0;
      b = 0;
      for (int64_t r = 0; r < rn; ++r)
        if (rindex[r]) ioff += counter[r] * istride[d][b++];
      int64_t i = p.index[d].data<int64_t>()[ioff], size = self.sizes()[d];
      if (i < -size || i >= size)
        fail("index " + std::to_string(i) + " is out of bounds for dimension " +
             std::to_string(d) + " with size " + std::to_string(size));
      off += (i < 0 ? i + size : i) * self.strides()[d];
    }
    char* dst = base + off * static_cast<int64_t>(item);
    const char* src = vbase + voff * static_cast<int64_t>(item);
    if (!accumulate) {
      std::memcpy(dst, src, item);
    } else {
      dispatch<kAll>(self.dtype(), "index_put_", [&](auto tag) {
        using T = typename decltype(tag)::type;
        *reinterpret_cast<T*>(dst) = wadd(*reinterpret_cast<T*>(dst), *reinterpret_cast<const T*>(src));
      });
    }
    for (int64_t r = rn - 1; r >= 0; --r) {
      if (++counter[r] < rsize[r]) break;
      counter[r] = 0;
    }
  }
}

}  // namespace

void register_fill_kernels(KernelRegistry& r) {
  r.add("aten::copy_", copy);
  r.add("aten::fill_.Scalar", fill_scalar);
  r.add("aten::fill_.Tensor", fill_tensor);
  r.add("aten::zero_", zero);
  r.add("aten::index_put_", index_put);
}

}  // namespace elem
}  // namespace ember
