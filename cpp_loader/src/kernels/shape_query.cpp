// Shape queries (size, dim, numel, len) and the conversions that return their input when
// nothing changes (contiguous, to.dtype).
#include <memory>
#include <string>

#include "kernels/shape_util.h"

namespace ember {
namespace {

using shape::fail;
using shape::wrap_dim;

const Tensor& self(const Call& c) { return c.in(0).to_tensor(); }

void contiguous(Call& c) {
  const Tensor& t = self(c);
  if (t.is_contiguous()) {
    c.set(0, t);
    return;
  }
  Tensor out = c.output(0, t.sizes(), t.dtype());
  out.copy_from(t);
}

void convert(Call& c, DType dtype, bool copy) {
  const Tensor& t = self(c);
  if (dtype == t.dtype() && !copy) {
    c.set(0, t);
    return;
  }
  shape::output_like(c, 0, t, dtype).copy_from(t);
}

void to_dtype(Call& c) { convert(c, shape::to_dtype(c.in(1)), c.in(3).to_bool()); }

// What torch's tracer records for a tensor literal: torch.to(c, torch.device("cpu"), 6).
void to_device(Call& c) {
  shape::check_device(c.in(1), "aten::to.device");
  convert(c, shape::to_dtype(c.in(2)), c.in(4).to_bool());
}

void to_other(Call& c) { convert(c, c.in(1).to_tensor().dtype(), c.in(3).to_bool()); }

void size_int(Call& c) {
  const Tensor& t = self(c);
  int64_t d = wrap_dim(c.in(1).to_int(), t.dim());
  if (t.dim() == 0) {
    fail("Dimension specified as " + std::to_string(d) + " but tensor has no dimensions");
  }
  c.set(0, Value(t.size(d)));
}

void size(Call& c) {
  const Tensor& t = self(c);
  auto list = std::make_shared<List>();
  list->items.reserve(t.sizes().size());
  for (int64_t s : t.sizes()) list->items.emplace_back(s);
  c.set(0, Value(std::move(list)));
}

void dim(Call& c) { c.set(0, Value(self(c).dim())); }
void numel(Call& c) { c.set(0, Value(self(c).numel())); }

void len(Call& c) {
  const Tensor& t = self(c);
  if (t.dim() == 0) fail("len() of a 0-d tensor");
  c.set(0, Value(t.size(0)));
}

}  // namespace

void register_shape_query_kernels(KernelRegistry& r) {
  r.add("aten::contiguous", contiguous);
  r.add("aten::to.dtype", to_dtype);
  r.add("aten::to.device", to_device);
  r.add("aten::to.other", to_other);
  r.add("aten::size.int", size_int);
  r.add("aten::size", size);
  r.add("aten::dim", dim);
  r.add("aten::numel", numel);
  r.add("aten::len.Tensor", len);
}

}  // namespace ember
