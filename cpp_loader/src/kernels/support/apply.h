// Running an elementwise function over operands: each input is read in the loop's
// compute type (numbers and one-element tensors become a broadcast value; tensors of
// another dtype are converted first), and the result lands in `dst` (converted when
// dst's dtype is not the compute type: float16/bfloat16 results, in-place writes).
#pragma once

#include <type_traits>

#include "ember/tensor.h"
#include "kernels/support/args.h"
#include "kernels/support/loop.h"

namespace ember {
namespace elem {

// A View of a tensor's elements.
inline View view_of(const Tensor& t) {
  View v;
  v.data = static_cast<char*>(t.data_ptr());
  v.sizes = t.sizes().data();
  v.strides = t.strides().data();
  v.ndim = static_cast<int>(t.dim());
  v.itemsize = static_cast<int64_t>(t.element_size());
  return v;
}

// An input read as T.
template <class T>
struct In {
  T value{};
  Tensor converted;
  View view;

  explicit In(const Arg& a) {
    if (a.is_tensor() && a.tensor->numel() != 1) {
      const Tensor& t = *a.tensor;
      if (t.dtype() == dtype_of<T>()) {
        view = view_of(t);
      } else {
        converted = t.to(dtype_of<T>());
        view = view_of(converted);
      }
      return;
    }
    value = scalar_as<T>(a.is_tensor() ? element_arg(*a.tensor) : a);
    view.data = reinterpret_cast<char*>(&value);
    view.itemsize = sizeof(T);
  }
  In(const In&) = delete;
};

// The tensor a loop of result type O writes: dst itself, or a temporary of O.
template <class O>
inline Tensor target_for(const Tensor& dst) {
  return dst.dtype() == dtype_of<O>() ? dst : Tensor::empty(dst.sizes(), dtype_of<O>());
}

inline void finish(const Tensor& dst, const Tensor& out) {
  if (out.same(dst)) return;
  Tensor d = dst;
  d.copy_from(out);
}

// The element types whose loops every kernel compiles for itself (unit-stride and
// broadcast fast paths the compiler vectorises). A loop that touches any other type
// (uint8, int8, int16: rare in models) runs through run_generic instead: one shared
// strided loop calling the kernel's element function through a pointer. The element
// function is the same, so are the results; only the code size and speed differ.
template <class... T>
constexpr bool kCompiledLoop =
    ((std::is_same<T, float>::value || std::is_same<T, double>::value ||
      std::is_same<T, int64_t>::value || std::is_same<T, int32_t>::value ||
      std::is_same<T, bool>::value) && ...);

// One element: p[0] the output, p[1..] the inputs; f the kernel's element function.
using ElementFn = void (*)(char* const* p, void* f);
// Calls fn(p, f) for every element of views[0]'s `shape` (N = 2, 3 or 4 operands).
template <int N>
void run_generic(const Dims& shape, const View* views, ElementFn fn, void* f);

template <class O, class A, class F>
void unary_element(char* const* p, void* f) {
  *reinterpret_cast<O*>(p[0]) = (*static_cast<F*>(f))(*reinterpret_cast<const A*>(p[1]));
}
template <class O, class A, class B, class F>
void binary_element(char* const* p, void* f) {
  *reinterpret_cast<O*>(p[0]) = (*static_cast<F*>(f))(*reinterpret_cast<const A*>(p[1]),
                                                      *reinterpret_cast<const B*>(p[2]));
}
template <class O, class A, class B, class C, class F>
void ternary_element(char* const* p, void* f) {
  *reinterpret_cast<O*>(p[0]) = (*static_cast<F*>(f))(*reinterpret_cast<const A*>(p[1]),
                                                      *reinterpret_cast<const B*>(p[2]),
                                                      *reinterpret_cast<const C*>(p[3]));
}

// Kernels pass kShared for element functions that do not vectorise and cost more than a
// call (divisions with fix-ups, fmod, pow): their loops go through run_generic for every
// type, losing little and saving a compiled loop per type.
constexpr bool kShared = true;

template <class O, class A, bool Shared = false, class F>
void unary(const Tensor& dst, const Arg& a, F f) {
  In<A> ia(a);
  Tensor out = target_for<O>(dst);
  View views[2] = {view_of(out), ia.view};
  if constexpr (!Shared && kCompiledLoop<O, A>) {
    Loop<2> loop;
    build(loop, out.sizes(), views);
    run(loop, [&](char* const* p, const int64_t* s, int64_t n) { unary_row<O, A>(p, s, n, f); });
  } else {
    run_generic<2>(out.sizes(), views, unary_element<O, A, F>, &f);
  }
  finish(dst, out);
}

template <class O, class A, class B, bool Shared = false, class F>
void binary(const Tensor& dst, const Arg& a, const Arg& b, F f) {
  In<A> ia(a);
  In<B> ib(b);
  Tensor out = target_for<O>(dst);
  View views[3] = {view_of(out), ia.view, ib.view};
  if constexpr (!Shared && kCompiledLoop<O, A, B>) {
    Loop<3> loop;
    build(loop, out.sizes(), views);
    run(loop,
        [&](char* const* p, const int64_t* s, int64_t n) { binary_row<O, A, B>(p, s, n, f); });
  } else {
    run_generic<3>(out.sizes(), views, binary_element<O, A, B, F>, &f);
  }
  finish(dst, out);
}

template <class O, class A, class B, class C, class F>
void ternary(const Tensor& dst, const Arg& a, const Arg& b, const Arg& c, F f) {
  In<A> ia(a);
  In<B> ib(b);
  In<C> ic(c);
  Tensor out = target_for<O>(dst);
  View views[4] = {view_of(out), ia.view, ib.view, ic.view};
  if constexpr (kCompiledLoop<O, A, B, C>) {
    Loop<4> loop;
    build(loop, out.sizes(), views);
    run(loop, [&](char* const* p, const int64_t* s, int64_t n) {
      ternary_row<O, A, B, C>(p, s, n, f);
    });
  } else {
    run_generic<4>(out.sizes(), views, ternary_element<O, A, B, C, F>, &f);
  }
  finish(dst, out);
}

// dst (bool, contiguous) = (a == b) computed in rt (elementwise_compare.cpp's loops).
void equal_into(const Tensor& dst, DType rt, const Arg& a, const Arg& b, const char* kernel);

// Where an op's result goes: a new tensor in output 0, or `self` for an in-place op
// (checked as PyTorch checks, and set as output 0).
struct Dest {
  Tensor tensor;
};

inline Tensor out_of_place(Call& c, const Dims& shape, DType dtype) {
  return c.output(0, shape, dtype);
}

inline Tensor in_place(Call& c, const Tensor& self, DType result, const Dims& shape,
                       bool c_names = false) {
  check_writable(self, result, shape, c_names);
  c.set(0, Value(self));
  return self;
}

}  // namespace elem
}  // namespace ember
