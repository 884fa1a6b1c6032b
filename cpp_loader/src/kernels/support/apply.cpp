#include "kernels/support/apply.h"

namespace ember {
namespace elem {

template <int N>
void run_generic(const Dims& shape, const View* views, ElementFn fn, void* f) {
  Loop<N> loop;
  build(loop, shape, views);
  run(loop, [&](char* const* p, const int64_t* s, int64_t n) {
    char* q[N];
    for (int k = 0; k < N; ++k) q[k] = p[k];
    for (int64_t i = 0; i < n; ++i) {
      fn(q, f);
      for (int k = 0; k < N; ++k) q[k] += s[k];
    }
  });
}

template void run_generic<2>(const Dims&, const View*, ElementFn, void*);
template void run_generic<3>(const Dims&, const View*, ElementFn, void*);
template void run_generic<4>(const Dims&, const View*, ElementFn, void*);

}  // namespace elem
}  // namespace ember
