#include "core/promote.h"

#include "ember/error.h"

namespace ember {

namespace {

DType to_complex(DType d) { return d == DType::Float64 ? DType::Complex128 : DType::Complex64; }

int promote_slot(int current, DType d) {
  if (current < 0) return static_cast<int>(d);
  return static_cast<int>(promote_types(static_cast<DType>(current), d));
}

// torch's combine_categories(higher, lower) on DType numbers (-1: none).
int combine(int higher, int lower) {
  if (higher < 0) return lower;
  if (lower < 0) return higher;
  DType h = static_cast<DType>(higher), l = static_cast<DType>(lower);
  if (is_complex(h)) return higher;
  if (is_complex(l)) return static_cast<int>(is_floating(h) ? to_complex(h) : l);
  if (is_floating(h)) return higher;
  if (h == DType::Bool || is_floating(l)) return static_cast<int>(promote_types(h, l));
  return higher;
}

}  // namespace

DType scalar_dtype(const Value& v) {
  switch (v.tag()) {
    case Tag::Bool: return DType::Bool;
    case Tag::Int: return DType::Int64;
    case Tag::Double: return DType::Float32;
    case Tag::Complex: return DType::Complex64;
    default:
      throw Error(ErrorKind::Runtime,
                  std::string("expected a Tensor or a number, got ") + tag_name(v.tag()));
  }
}

void ResultType::add(DType dtype, bool zero_dim) {
  if (zero_dim)
    zeros_ = promote_slot(zeros_, dtype);
  else
    dims_ = promote_slot(dims_, dtype);
}

void ResultType::add(const Value& v) {
  if (v.is_tensor())
    add(v.to_tensor());
  else
    add_scalar_dtype(scalar_dtype(v));
}

void ResultType::add_scalar_dtype(DType dtype) { wrapped_ = promote_slot(wrapped_, dtype); }

DType ResultType::get() const {
  int r = combine(dims_, combine(zeros_, wrapped_));
  if (r < 0) throw Error(ErrorKind::Runtime, "result_type needs at least one operand");
  return static_cast<DType>(r);
}

DType result_type(const Tensor& a, const Tensor& b) {
  ResultType r;
  r.add(a);
  r.add(b);
  return r.get();
}

DType result_type(const Tensor& a, const Value& b) {
  ResultType r;
  r.add(a);
  r.add(b);
  return r.get();
}

DType result_type(const Value& a, const Value& b) {
  ResultType r;
  r.add(a);
  r.add(b);
  return r.get();
}

}  // namespace ember
