// Random kernels: uniform_, normal_, bernoulli (in place and not), dropout_. Draws come
// from a per-thread generator; values differ from the Python runtime's, but p=0 and p=1
// (and eval-mode dropout) are exact.
#include <random>
#include <string>

#include "kernels/support/apply.h"

namespace ember {
namespace elem {
namespace {

std::mt19937_64& generator() {
  thread_local std::mt19937_64 g{std::random_device{}()};
  return g;
}

// Fills `self` with draws of `draw` (doubles, in order), converted to its dtype.
template <class Draw>
void fill_random(const Tensor& self, const char* kernel, Draw draw) {
  if (is_complex(self.dtype())) not_implemented(kernel, self.dtype());
  Tensor out = Tensor::empty(self.sizes(), DType::Float64);
  double* p = out.data<double>();
  for (int64_t i = 0, n = out.numel(); i < n; ++i) p[i] = draw(i);
  Tensor s = self;
  s.copy_from(out);
}

void uniform(Call& c) {
  const Tensor& self = c.in(0).to_tensor();
  if (category(self.dtype()) != 2) not_implemented("check_uniform_bounds", self.dtype());
  std::uniform_real_distribution<double> u(c.in(1).to_double(), c.in(2).to_double());
  fill_random(self, "uniform_", [&](int64_t) { return u(generator()); });
  c.set(0, Value(self));
}

void normal(Call& c) {
  const Tensor& self = c.in(0).to_tensor();
  if (category(self.dtype()) != 2) not_implemented("normal_kernel_cpu", self.dtype());
  std::normal_distribution<double> n(c.in(1).to_double(), c.in(2).to_double());
  fill_random(self, "normal_", [&](int64_t) { return n(generator()); });
  c.set(0, Value(self));
}

double unit() { return std::uniform_real_distribution<double>(0.0, 1.0)(generator()); }

// 1 with probability p (a number), else 0.
void bernoulli_scalar(const Tensor& self, double p) {
  if (is_complex(self.dtype())) not_implemented("bernoulli_scalar_cpu_", self.dtype());
  if (!(p >= 0 && p <= 1))
    fail("bernoulli_ expects p to be in [0, 1], but got p=" + std::to_string(p));
  fill_random(self, "bernoulli_", [p](int64_t) { return unit() < p ? 1.0 : 0.0; });
}

// 1 with probability p[i] (p broadcast to self), else 0.
void bernoulli_tensor(const Tensor& self, const Tensor& p) {
  if (category(p.dtype()) != 2) not_implemented("bernoulli_tensor_cpu_p_", p.dtype());
  if (broadcast_shapes(self.sizes(), p.sizes()) != self.sizes())
    fail("expand(p of size " + shape_str(p.sizes()) + ", size=" + shape_str(self.sizes()) +
         "): p must broadcast to the shape of self");
  Tensor probs = Tensor::empty(self.sizes(), DType::Float64);
  probs.copy_from(p);
  const double* q = probs.data<double>();
  for (int64_t i = 0, n = probs.numel(); i < n; ++i)
    if (!(q[i] >= 0 && q[i] <= 1))
      fail("Expected p_in >= 0 && p_in <= 1 to be true, but got false.");
  fill_random(self, "bernoulli_", [q](int64_t i) { return unit() < q[i] ? 1.0 : 0.0; });
}

void bernoulli_inplace_tensor(Call& c) {
  const Tensor& self = c.in(0).to_tensor();
  bernoulli_tensor(self, c.in(1).to_tensor());
  c.set(0, Value(self));
}

void bernoulli_inplace_float(Call& c) {
  const Tensor& self = c.in(0).to_tensor();
  bernoulli_scalar(self, c.in(1).to_double());
  c.set(0, Value(self));
}

void bernoulli(Call& c) {
  const Tensor& self = c.in(0).to_tensor();
  Tensor out = c.output(0, self.sizes(), self.dtype());
  bernoulli_tensor(out, self);
}

void bernoulli_p(Call& c) {
  const Tensor& self = c.in(0).to_tensor();
  Tensor out = c.output(0, self.sizes(), self.dtype());
  bernoulli_scalar(out, c.in(1).to_double());
}

void dropout(Call& c) {
  const Tensor& self = c.in(0).to_tensor();
  double p = c.in(1).to_double();
  bool train = c.in(2).to_bool();
  if (p < 0 || p > 1)
    fail("dropout probability has to be between 0 and 1, but got " + std::to_string(p));
  c.set(0, Value(self));
  if (!train || p == 0) return;
  if (p == 1) {
    if (is_complex(self.dtype())) not_implemented("dropout_", self.dtype());
    Tensor s = self;
    s.copy_from(Tensor::zeros(Dims(), self.dtype()));
    return;
  }
  if (is_complex(self.dtype())) not_implemented("bernoulli_scalar_cpu_", self.dtype());
  if (category(self.dtype()) < 2)
    fail(std::string("result type Float can't be cast to the desired output type ") +
         cpp_name(self.dtype()));
  Arg x = arg(c.in(0), "dropout_");
  dispatch<kFloats>(compute_dtype(self.dtype()), "dropout_", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T scale = static_cast<T>(1.0 / (1.0 - p));
    unary<T, T>(self, x, [scale, p](T v) { return unit() >= p ? v * scale : T(0); });
  });
}

}  // namespace

void register_random_kernels(KernelRegistry& r) {
  r.add("aten::uniform_", uniform);
  r.add("aten::normal_", normal);
  r.add("aten::bernoulli_.Tensor", bernoulli_inplace_tensor);
  r.add("aten::bernoulli_.float", bernoulli_inplace_float);
  r.add("aten::bernoulli", bernoulli);
  r.add("aten::bernoulli.p", bernoulli_p);
  r.add("aten::dropout_", dropout);
}

}  // namespace elem
}  // namespace ember
