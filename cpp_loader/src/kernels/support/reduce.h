// Reductions over a set of dimensions: the kept dimensions give the outputs (in
// row-major order), the reduced ones the rows each output accumulates; dimensions
// keep their order, so a flat index over the reduced ones is row * row_length + i.
#pragma once

#include "ember/tensor.h"
#include "kernels/support/loop.h"

namespace ember {
namespace elem {

struct Reduction {
  int nkeep = 0, nred = 0;
  int64_t ksize[kMaxDims], kstride[kMaxDims];  // bytes
  int64_t rsize[kMaxDims], rstride[kMaxDims];  // bytes
  int64_t outputs = 1;                         // number of results
  int64_t count = 1;                           // elements per result
};

// The plan for reducing `t` over the dims flagged in `reduce` (one flag per dim).
Reduction plan_reduction(const Tensor& t, const bool* reduce);
// The result shape: reduced dims dropped, or kept as 1 with keepdim.
Dims reduced_shape(const Dims& sizes, const bool* reduce, bool keepdim);

// f(p) for every output, p pointing at its first input element.
template <class F>
void each_output(const Reduction& r, const char* base, F&& f) {
  if (r.outputs == 0) return;
  if (r.nkeep == 0) return f(base);
  int64_t counter[kMaxDims] = {};
  const int last = r.nkeep - 1;
  for (;;) {
    const char* p = base;
    for (int64_t i = 0; i < r.ksize[last]; ++i, p += r.kstride[last]) f(p);
    int d = last - 1;
    for (; d >= 0; --d) {
      base += r.kstride[d];
      if (++counter[d] < r.ksize[d]) break;
      base -= r.kstride[d] * r.ksize[d];
      counter[d] = 0;
    }
    if (d < 0) return;
  }
}

// row(p, stride, n) for every row of the reduced elements of one output, in order.
template <class Row>
void each_row(const Reduction& r, const char* p, Row&& row) {
  if (r.count == 0) return;
  if (r.nred == 0) return row(p, int64_t{0}, int64_t{1});
  const int last = r.nred - 1;
  int64_t counter[kMaxDims] = {};
  for (;;) {
    row(p, r.rstride[last], r.rsize[last]);
    int d = last - 1;
    for (; d >= 0; --d) {
      p += r.rstride[d];
      if (++counter[d] < r.rsize[d]) break;
      p -= r.rstride[d] * r.rsize[d];
      counter[d] = 0;
    }
    if (d < 0) return;
  }
}

}  // namespace elem
}  // namespace ember
