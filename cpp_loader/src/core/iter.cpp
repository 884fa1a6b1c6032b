#include "core/iter.h"

#include <string>

#include "ember/error.h"

namespace ember {

Dims broadcast_shapes(const Dims& a, const Dims& b) {
  if (a == b) return a;
  size_t n = std::max(a.size(), b.size());
  Dims out(n, 1);
  for (size_t i = n; i-- > 0;) {
    size_t off_a = n - a.size(), off_b = n - b.size();
    int64_t sa = i >= off_a ? a[i - off_a] : 1;
    int64_t sb = i >= off_b ? b[i - off_b] : 1;
    if (sa != sb && sa != 1 && sb != 1) {
      throw Error(ErrorKind::Runtime, "The size of tensor a (" + std::to_string(sa) +
                                          ") must match the size of tensor b (" +
                                          std::to_string(sb) + ") at non-singleton dimension " +
                                          std::to_string(i));
    }
    out[i] = sa == 1 ? sb : sa;
  }
  return out;
}

bool broadcasts_to(const Dims& from, const Dims& to) {
  if (from.size() > to.size()) return false;
  size_t off = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i)
    if (from[i] != 1 && from[i] != to[i + off]) return false;
  return true;
}

int64_t shape_numel(const Dims& sizes) {
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  return n;
}

}  // namespace ember
