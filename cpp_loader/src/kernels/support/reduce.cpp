#include "kernels/support/reduce.h"

namespace ember {
namespace elem {

Reduction plan_reduction(const Tensor& t, const bool* reduce) {
  Reduction r;
  const int nd = static_cast<int>(t.dim());
  if (nd > kMaxDims) fail("reductions support at most 16 dimensions");
  const int64_t item = static_cast<int64_t>(t.element_size());
  for (int d = 0; d < nd; ++d) {
    int64_t size = t.sizes()[d], stride = t.strides()[d] * item;
    if (reduce[d]) r.count *= size;
    else r.outputs *= size;
    if (size == 1) continue;
    int& n = reduce[d] ? r.nred : r.nkeep;
    int64_t* sizes = reduce[d] ? r.rsize : r.ksize;
    int64_t* strides = reduce[d] ? r.rstride : r.kstride;
    if (n > 0 && strides[n - 1] == stride * size) {
      sizes[n - 1] *= size;
      strides[n - 1] = stride;
      continue;
    }
    sizes[n] = size;
    strides[n] = stride;
    ++n;
  }
  return r;
}

Dims reduced_shape(const Dims& sizes, const bool* reduce, bool keepdim) {
  Dims out;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (!reduce[d]) out.push_back(sizes[d]);
    else if (keepdim) out.push_back(1);
  }
  return out;
}

}  // namespace elem
}  // namespace ember
