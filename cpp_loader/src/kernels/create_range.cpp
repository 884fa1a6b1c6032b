// Ranges: arange (three overloads), linspace, logspace.
#include <cmath>
#include <complex>
#include <string>

#include "kernels/create_util.h"

namespace ember {
namespace {

using shape::fail;

void check_number(const Value& v, const char* op) {
  if (!v.is_int() && !v.is_double() && !v.is_bool()) {
    fail(std::string(op) + ": expected a real number, got " + tag_name(v.tag()));
  }
}

int64_t as_int(const Value& v) { return v.is_bool() ? int64_t{v.to_bool()} : v.to_int(); }

void arange_into(const Call& c, const Value& start_v, const Value& end_v, const Value& step_v,
                 const Value& dtype_v) {
  for (const Value* v : {&start_v, &end_v, &step_v}) check_number(*v, "arange");
  const bool floats = start_v.is_double() || end_v.is_double() || step_v.is_double();
  auto given = shape::opt_dtype(dtype_v);
  const DType rt = given ? *given : (floats ? DType::Float32 : DType::Int64);
  if (rt == DType::Bool || is_complex(rt)) throw_not_implemented("arange_cpu", rt);
  double start = start_v.to_double(), end = end_v.to_double(), step = step_v.to_double();
  for (double v : {start, end, step}) {
    if (!std::isfinite(v)) {
      fail("unsupported range: " + std::to_string(start) + " -> " + std::to_string(end));
    }
  }
  int64_t istart = 0, istep = 0;
  if (!floats) {
    istart = as_int(start_v);
    istep = as_int(step_v);
  } else if (is_integral(rt, false)) {
    istart = static_cast<int64_t>(std::trunc(start));
    istep = static_cast<int64_t>(std::trunc(step));
  }
  if (rt == DType::Int64 && floats) {
    start = static_cast<double>(istart);
    end = std::trunc(end);
    step = static_cast<double>(istep);
  }
  if (step == 0) fail("step must be nonzero");
  bool inconsistent;
  if (!floats) {
    int64_t s = as_int(start_v), e = as_int(end_v);
    inconsistent = (e > s && istep < 0) || (e < s && istep > 0);
  } else {
    inconsistent = (end - start) * step < 0;
  }
  if (inconsistent) fail("upper bound and lower bound inconsistent with step sign");
  const double count = std::ceil((end - start) / step);
  if (!(count < 1e15)) fail("arange: the range has too many elements");
  const int64_t n = static_cast<int64_t>(count);
  Tensor out = c.output(0, Dims{n}, rt);
  if (is_integral(rt, false)) {
    EMBER_DISPATCH_INTEGRAL(rt, "arange_cpu", [&] {
      scalar_t* p = static_cast<scalar_t*>(out.data_ptr());
      for (int64_t i = 0; i < n; ++i) {
        p[i] = static_cast<scalar_t>(static_cast<uint64_t>(istart) +
                                     static_cast<uint64_t>(i) * static_cast<uint64_t>(istep));
      }
    });
    return;
  }
  EMBER_DISPATCH_FLOATING(rt, "arange_cpu", [&] {
    scalar_t* p = static_cast<scalar_t*>(out.data_ptr());
    for (int64_t i = 0; i < n; ++i) p[i] = convert<scalar_t>(start + static_cast<double>(i) * step);
  });
}

void arange(Call& c) {
  shape::check_options(c, 2, "arange");
  arange_into(c, Value(int64_t{0}), c.in(0), Value(int64_t{1}), c.in(1));
}

void arange_start(Call& c) {
  shape::check_options(c, 3, "arange");
  arange_into(c, c.in(0), c.in(1), Value(int64_t{1}), c.in(2));
}

void arange_start_step(Call& c) {
  shape::check_options(c, 4, "arange");
  arange_into(c, c.in(0), c.in(1), c.in(2), c.in(3));
}

// A linspace/logspace bound as torch converts the Scalar to dtype `rt` (checked; integral
// dtypes truncate; float16/bfloat16 round).
std::complex<double> bound(const Value& v, DType rt) {
  create::scalar_fits(v, rt);
  std::complex<double> z = v.is_complex() ? v.to_complex() : std::complex<double>(v.to_double());
  if (v.is_int()) z = std::complex<double>(static_cast<double>(v.to_int()));
  if (v.is_bool()) z = std::complex<double>(v.to_bool() ? 1.0 : 0.0);
  if (!is_complex(rt) && z.imag() != 0) fail("linspace: a complex bound needs a complex dtype");
  if (is_integral(rt, false)) return std::trunc(z.real());
  if (rt == DType::Float16) return static_cast<float>(Half(static_cast<float>(z.real())));
  if (rt == DType::BFloat16) return static_cast<float>(BFloat16(static_cast<float>(z.real())));
  return z;
}

// numpy's linspace as ember computes it, in type C, converted to out's dtype.
template <class C>
void linspace_in(const Tensor& out, C start, C end, int64_t steps) {
  EMBER_DISPATCH_ALL_COMPLEX(out.dtype(), "linspace_cpu", [&] {
    scalar_t* p = static_cast<scalar_t*>(out.data_ptr());
    if (steps == 1) {
      p[0] = convert<scalar_t>(start);
      return;
    }
    const C step = (end - start) / static_cast<C>(static_cast<double>(steps - 1));
    const int64_t half = steps / 2;
    for (int64_t i = 0; i < steps; ++i) {
      C v = i < half ? start + step * static_cast<C>(static_cast<double>(i))
                     : end - step * static_cast<C>(static_cast<double>(steps - i - 1));
      p[i] = convert<scalar_t>(v);
    }
  });
}

DType range_dtype(const Value& dtype, int64_t steps, const char* op) {
  auto given = shape::opt_dtype(dtype);
  DType rt = given ? *given : DType::Float32;
  if (steps < 0) fail("number of steps must be non-negative");
  if (steps > 1 && rt == DType::Bool) throw_not_implemented(op, rt);
  return rt;
}

void linspace(Call& c) {
  shape::check_options(c, 4, "linspace");
  const int64_t steps = c.in(2).to_int();
  const DType rt = range_dtype(c.in(3), steps, "linspace_cpu");
  std::complex<double> start = bound(c.in(0), rt), end = bound(c.in(1), rt);
  Tensor out = c.output(0, Dims{steps}, rt);
  if (steps == 0) return;
  if (rt == DType::Complex64) {
    linspace_in(out, std::complex<float>(start), std::complex<float>(end), steps);
  } else if (rt == DType::Complex128) {
    linspace_in(out, start, end, steps);
  } else if (rt == DType::Float32 || rt == DType::Float16 || rt == DType::BFloat16) {
    linspace_in(out, static_cast<float>(start.real()), static_cast<float>(end.real()), steps);
  } else {
    linspace_in(out, start.real(), end.real(), steps);
  }
}

void logspace(Call& c) {
  shape::check_options(c, 5, "logspace");
  const int64_t steps = c.in(2).to_int();
  const DType rt = range_dtype(c.in(4), steps, "logspace_cpu");
  if (is_complex(rt)) fail("logspace: complex dtypes are not supported");
  const double base = c.in(3).to_double();
  const double start = bound(c.in(0), rt).real(), end = bound(c.in(1), rt).real();
  Tensor out = c.output(0, Dims{steps}, rt);
  if (steps == 0) return;
  const bool half = rt == DType::Float16 || rt == DType::BFloat16;
  // exponents: float32 rounded to the half type, or float64
  Tensor exps = Tensor::empty(Dims{steps}, half ? rt : DType::Float64);
  if (half) {
    linspace_in(exps, static_cast<float>(start), static_cast<float>(end), steps);
  } else {
    linspace_in(exps, start, end, steps);
  }
  EMBER_DISPATCH_ALL(rt, "logspace_cpu", [&] {
    scalar_t* p = static_cast<scalar_t*>(out.data_ptr());
    if (half) {
      const scalar_t* e = static_cast<const scalar_t*>(exps.data_ptr());
      const float b = static_cast<float>(base);
      for (int64_t i = 0; i < steps; ++i) {
        p[i] = convert<scalar_t>(std::pow(b, static_cast<float>(e[i])));
      }
      return;
    }
    const double* e = exps.data<double>();
    for (int64_t i = 0; i < steps; ++i) p[i] = convert<scalar_t>(std::pow(base, e[i]));
  });
}

}  // namespace

void register_create_range_kernels(KernelRegistry& r) {
  r.add("aten::arange", arange);
  r.add("aten::arange.start", arange_start);
  r.add("aten::arange.start_step", arange_start_step);
  r.add("aten::linspace", linspace);
  r.add("aten::logspace", logspace);
}

}  // namespace ember
