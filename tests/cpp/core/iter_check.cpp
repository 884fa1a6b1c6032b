// Random shapes, broadcasts and strided views: map_elements and copy_from against a naive
// index computation.
#include <algorithm>
#include <random>
#include <vector>

#include "check.h"
#include "core/iter.h"

using namespace ember;

namespace {

double at(const Tensor& t, const std::vector<int64_t>& index) {
  size_t skip = index.size() - static_cast<size_t>(t.dim());
  int64_t offset = 0;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (t.sizes()[d] != 1) offset += index[skip + d] * t.strides()[d];
  return t.data<double>()[offset];
}

// A permuted, strided view of a bigger buffer, with sizes `shape`.
Tensor random_view(std::mt19937& g, const Dims& shape) {
  size_t n = shape.size();
  std::vector<size_t> perm(n);
  for (size_t i = 0; i < n; ++i) perm[i] = i;
  std::shuffle(perm.begin(), perm.end(), g);
  Dims base(n), step(n);
  for (size_t i = 0; i < n; ++i) {
    step[i] = 1 + g() % 2;
    base[perm[i]] = shape[i] * step[i] + g() % 2;
  }
  Tensor b = Tensor::empty(base, DType::Float64);
  for (int64_t i = 0; i < b.numel(); ++i) b.data<double>()[i] = g() % 1000;
  Dims strides(n);
  for (size_t i = 0; i < n; ++i) strides[i] = b.strides()[perm[i]] * step[i];
  return b.as_strided(shape, strides, 0);
}

bool all_equal(const Tensor& got, const Dims& shape, double (*want)(const std::vector<int64_t>&, const Tensor&, const Tensor&),
               const Tensor& a, const Tensor& b) {
  std::vector<int64_t> index(shape.size(), 0);
  for (int64_t k = 0, n = shape_numel(shape); k < n; ++k) {
    if (at(got, index) != want(index, a, b)) return false;
    for (size_t d = shape.size(); d-- > 0;) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return true;
}

}  // namespace

void check_iteration() {
  std::mt19937 g(1);
  for (int trial = 0; trial < 3000; ++trial) {
    size_t nd = g() % 8;
    Dims shape(nd);
    for (auto& s : shape) s = 1 + g() % 4;
    if (nd && g() % 20 == 0) shape[g() % nd] = 0;
    Dims sa = shape, sb = shape;
    for (size_t i = 0; i < nd; ++i) {
      if (g() % 3 == 0) sa[i] = 1;
      if (g() % 3 == 0) sb[i] = 1;
    }
    Dims sa_trimmed(sa.begin() + (nd ? g() % (nd + 1) : 0), sa.end());
    Tensor a = random_view(g, sa_trimmed), b = random_view(g, sb);
    Dims full = broadcast_shapes(a.sizes(), b.sizes());
    Tensor out = g() % 2 ? Tensor::empty(full, DType::Float64) : random_view(g, full);
    map_elements<double, double, double>(out, [](double x, double y) { return x * 1000 + y; }, a, b);
    auto sum = [](const std::vector<int64_t>& i, const Tensor& x, const Tensor& y) {
      return at(x, i) * 1000 + at(y, i);
    };
    CHECK(all_equal(out, full, sum, a, b));
    Tensor narrow = Tensor::empty(full, DType::Float32);
    narrow.copy_from(out);
    Tensor back = random_view(g, full);
    back.copy_from(narrow);
    auto same = [](const std::vector<int64_t>& i, const Tensor& x, const Tensor&) { return at(x, i); };
    CHECK(all_equal(back, full, same, out, out));
  }
}
