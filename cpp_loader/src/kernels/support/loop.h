// Strided iteration for elementwise kernels: N operands (operand 0 the output) walked
// over one output shape, broadcast dimensions given stride 0, adjacent dimensions merged
// when every operand allows, so contiguous tensors become a single row.
//
// A row function sees the operands' pointers, their byte strides along the row and its
// length; the *_row helpers below turn that into tight loops the compiler vectorises
// when the strides are unit (or 0 for a broadcast scalar).
#pragma once

#include <cstdint>
#include <cstring>

#include "ember/dims.h"
#include "kernels/support/types.h"

namespace ember {
namespace elem {

constexpr int kMaxDims = 16;

// One operand of a loop: data and geometry (strides in elements). A broadcast scalar
// has ndim 0.
struct View {
  char* data = nullptr;
  const int64_t* sizes = nullptr;
  const int64_t* strides = nullptr;
  int ndim = 0;
  int64_t itemsize = 0;
};

template <int N>
struct Loop {
  int ndim = 0;  // dimension 0 is the innermost
  int64_t sizes[kMaxDims];
  int64_t strides[kMaxDims][N];  // bytes
  char* data[N];
  int64_t numel = 1;
};

// Fills `loop` for output `shape`; views[0] must have that shape.
template <int N>
void build(Loop<N>& loop, const Dims& shape, const View* views) {
  const int nd = static_cast<int>(shape.size());
  if (nd > kMaxDims) fail("elementwise kernels support at most 16 dimensions");
  for (int k = 0; k < N; ++k) loop.data[k] = views[k].data;
  loop.ndim = 0;
  loop.numel = 1;
  for (int d = nd - 1; d >= 0; --d) {  // innermost first
    int64_t size = shape[d];
    loop.numel *= size;
    if (size == 1) continue;
    int64_t st[N];
    for (int k = 0; k < N; ++k) {
      const View& v = views[k];
      int vd = v.ndim - (nd - d);
      st[k] = (vd >= 0 && v.sizes[vd] != 1) ? v.strides[vd] * v.itemsize : 0;
    }
    if (loop.ndim > 0) {
      int last = loop.ndim - 1;
      bool merge = true;
      for (int k = 0; k < N; ++k)
        merge = merge && st[k] == loop.strides[last][k] * loop.sizes[last];
      if (merge) {
        loop.sizes[last] *= size;
        continue;
      }
    }
    loop.sizes[loop.ndim] = size;
    for (int k = 0; k < N; ++k) loop.strides[loop.ndim][k] = st[k];
    ++loop.ndim;
  }
  if (loop.ndim == 0) {  // a single element
    loop.sizes[0] = 1;
    for (int k = 0; k < N; ++k) loop.strides[0][k] = 0;
    loop.ndim = 1;
  }
}

// Calls row(ptrs, strides, n) for every row of the loop.
template <int N, class Row>
void run(const Loop<N>& loop, Row&& row) {
  if (loop.numel == 0) return;
  char* p[N];
  for (int k = 0; k < N; ++k) p[k] = loop.data[k];
  const int64_t inner = loop.sizes[0];
  if (loop.ndim == 1) {
    row(p, loop.strides[0], inner);
    return;
  }
  int64_t counter[kMaxDims] = {};
  for (;;) {
    row(p, loop.strides[0], inner);
    int d = 1;
    for (; d < loop.ndim; ++d) {
      for (int k = 0; k < N; ++k) p[k] += loop.strides[d][k];
      if (++counter[d] < loop.sizes[d]) break;
      for (int k = 0; k < N; ++k) p[k] -= loop.strides[d][k] * loop.sizes[d];
      counter[d] = 0;
    }
    if (d == loop.ndim) return;
  }
}

template <class O, class A, class F>
inline void unary_row(char* const* p, const int64_t* s, int64_t n, F& f) {
  O* o = reinterpret_cast<O*>(p[0]);
  const A* a = reinterpret_cast<const A*>(p[1]);
  if (s[0] == sizeof(O) && s[1] == sizeof(A)) {
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);
  } else {
    char* po = p[0];
    const char* pa = p[1];
    for (int64_t i = 0; i < n; ++i, po += s[0], pa += s[1])
      *reinterpret_cast<O*>(po) = f(*reinterpret_cast<const A*>(pa));
  }
}

template <class O, class A, class B, class F>
inline void binary_row(char* const* p, const int64_t* s, int64_t n, F& f) {
  O* o = reinterpret_cast<O*>(p[0]);
  const A* a = reinterpret_cast<const A*>(p[1]);
  const B* b = reinterpret_cast<const B*>(p[2]);
  if (s[0] == sizeof(O) && s[1] == sizeof(A) && s[2] == sizeof(B)) {
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
  } else if (s[0] == sizeof(O) && s[1] == sizeof(A) && s[2] == 0) {
    const B bv = *b;
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], bv);
  } else {
    char* po = p[0];
    const char* pa = p[1];
    const char* pb = p[2];
    for (int64_t i = 0; i < n; ++i, po += s[0], pa += s[1], pb += s[2])
      *reinterpret_cast<O*>(po) =
          f(*reinterpret_cast<const A*>(pa), *reinterpret_cast<const B*>(pb));
  }
}

template <class O, class A, class B, class C, class F>
inline void ternary_row(char* const* p, const int64_t* s, int64_t n, F& f) {
  if (s[0] == sizeof(O) && s[1] == sizeof(A) && s[2] == sizeof(B) && s[3] == sizeof(C)) {
    O* o = reinterpret_cast<O*>(p[0]);
    const A* a = reinterpret_cast<const A*>(p[1]);
    const B* b = reinterpret_cast<const B*>(p[2]);
    const C* c = reinterpret_cast<const C*>(p[3]);
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i], c[i]);
    return;
  }
  char* po = p[0];
  const char* pa = p[1];
  const char* pb = p[2];
  const char* pc = p[3];
  for (int64_t i = 0; i < n; ++i, po += s[0], pa += s[1], pb += s[2], pc += s[3])
    *reinterpret_cast<O*>(po) = f(*reinterpret_cast<const A*>(pa),
                                  *reinterpret_cast<const B*>(pb),
                                  *reinterpret_cast<const C*>(pc));
}

}  // namespace elem
}  // namespace ember
