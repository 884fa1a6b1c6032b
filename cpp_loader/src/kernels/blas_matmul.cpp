// torch.matmul for every rank pair, on any strides: each operand becomes a stack of
// matrices (a vector is a 1-row or 1-column matrix, batch dims broadcast with stride 0)
// and each matrix goes to BLAS as stored when one of its strides is 1, else through a
// packed copy. Float and double use BLAS; half precision multiplies in float and rounds
// once; integers and complex numbers use plain loops.
#include <complex>
#include <cstring>

#include "kernels/blas.h"
#include "kernels/blas_ops.h"
#include "kernels/nn_common.h"

namespace ember {
namespace nn {
namespace {

// One operand as a stack of matrices: batch dims (already broadcast), then rows, cols.
struct Stack {
  const char* data;
  Dims batch_strides;  // in elements, one per output batch dim (0 where broadcast)
  int64_t rows, cols, rs, cs;
};

// A matrix BLAS reads as stored: trans and leading dim, or false when it needs packing.
bool blas_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, bool* trans, int64_t* ld) {
  if (rows <= 1) rs = cols;
  if (cols <= 1) cs = rows;
  if (cs == 1 && rs >= cols && rs >= 1) {
    *trans = false, *ld = rs;
    return true;
  }
  if (rs == 1 && cs >= rows && cs >= 1) {
    *trans = true, *ld = cs;
    return true;
  }
  if (rows <= 1 && cs == 1) {
    *trans = false, *ld = cols;
    return true;
  }
  return false;
}

template <class T>
const T* matrix(const T* p, int64_t rows, int64_t cols, int64_t rs, int64_t cs, bool* trans,
                int64_t* ld, int slot) {
  if (blas_layout(rows, cols, rs, cs, trans, ld)) return p;
  T* packed = scratch<T>(rows * cols, slot);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) packed[i * cols + j] = p[i * rs + j * cs];
  *trans = false, *ld = cols;
  return packed;
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
          const float* b, int64_t ldb, float* c, int64_t ldc) {
  blas::sgemm(ta, tb, m, n, k, 1.f, a, lda, b, ldb, 0.f, c, ldc);
}
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda,
          const double* b, int64_t ldb, double* c, int64_t ldc) {
  blas::dgemm(ta, tb, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, ldc);
}
void gemv(bool t, int64_t m, int64_t n, const float* a, int64_t lda, const float* x,
          int64_t incx, float* y) {
  blas::sgemv(t, m, n, 1.f, a, lda, x, incx, 0.f, y, 1);
}
void gemv(bool t, int64_t m, int64_t n, const double* a, int64_t lda, const double* x,
          int64_t incx, double* y) {
  blas::dgemv(t, m, n, 1.0, a, lda, x, incx, 0.0, y, 1);
}

template <class T>
void gemm_one(const T* a, const Stack& sa, const T* b, const Stack& sb, T* c) {
  int64_t n = sa.rows, k = sa.cols, m = sb.cols;
  if (k == 0) {
    std::memset(c, 0, sizeof(T) * n * m);
    return;
  }
  bool ta, tb;
  int64_t lda, ldb;
  if (m == 1 && n > 1 && sb.rs > 0) {  // matrix times vector
    const T* pa = matrix(a, n, k, sa.rs, sa.cs, &ta, &lda, 1);
    return ta ? gemv(true, k, n, pa, lda, b, sb.rs, c) : gemv(false, n, k, pa, lda, b, sb.rs, c);
  }
  if (n == 1 && m > 1 && sa.cs > 0) {  // vector times matrix: (b^T a)^T
    const T* pb = matrix(b, k, m, sb.rs, sb.cs, &tb, &ldb, 2);
    return tb ? gemv(false, m, k, pb, ldb, a, sa.cs, c) : gemv(true, k, m, pb, ldb, a, sa.cs, c);
  }
  const T* pa = matrix(a, n, k, sa.rs, sa.cs, &ta, &lda, 1);
  const T* pb = matrix(b, k, m, sb.rs, sb.cs, &tb, &ldb, 2);
  gemm(ta, tb, n, m, k, pa, lda, pb, ldb, c, m);
}

template <class T, class Acc>
void loop_one(const T* a, const Stack& sa, const T* b, const Stack& sb, T* c) {
  blas::gemm_loop<T, Acc>(sa.rows, sb.cols, sa.cols, a, sa.rs, sa.cs, b, sb.rs, sb.cs, c,
                          sb.cols, 1);
}

// Runs `one(a_matrix, b_matrix, c_matrix)` over the broadcast batch.
template <class T, class F>
void over_batch(const Stack& sa, const Stack& sb, const Dims& batch, T* out, F one) {
  int64_t count = 1;
  for (int64_t s : batch) count *= s;
  int64_t nd = static_cast<int64_t>(batch.size());
  Dims index(batch.size(), 0);
  const T* a = reinterpret_cast<const T*>(sa.data);
  const T* b = reinterpret_cast<const T*>(sb.data);
  int64_t per = sa.rows * sb.cols;
  for (int64_t i = 0; i < count; ++i) {
    one(a, b, out + i * per);
    for (int64_t d = nd - 1; d >= 0; --d) {
      a += sa.batch_strides[d], b += sb.batch_strides[d];
      if (++index[d] < batch[d]) break;
      a -= sa.batch_strides[d] * batch[d], b -= sb.batch_strides[d] * batch[d];
      index[d] = 0;
    }
  }
}

template <class T>
void run_gemm(const Stack& sa, const Stack& sb, const Dims& batch, T* out) {
  over_batch<T>(sa, sb, batch, out,
                [&](const T* a, const T* b, T* c) { gemm_one<T>(a, sa, b, sb, c); });
}

template <class T, class Acc>
void run_loop(const Stack& sa, const Stack& sb, const Dims& batch, T* out) {
  over_batch<T>(sa, sb, batch, out,
                [&](const T* a, const T* b, T* c) { loop_one<T, Acc>(a, sa, b, sb, c); });
}

// The operand as a stack over `batch` (its own batch dims right-aligned, broadcast).
Stack stack_of(const Tensor& t, bool vector_is_row, const Dims& batch) {
  Stack s;
  s.data = static_cast<const char*>(t.data_ptr());
  int64_t d = t.dim();
  if (d == 1) {
    s.rows = vector_is_row ? 1 : t.size(0);
    s.cols = vector_is_row ? t.size(0) : 1;
    s.rs = vector_is_row ? 0 : t.stride(0);
    s.cs = vector_is_row ? t.stride(0) : 0;
  } else {
    s.rows = t.size(d - 2), s.cols = t.size(d - 1);
    s.rs = t.stride(d - 2), s.cs = t.stride(d - 1);
  }
  int64_t own = d >= 2 ? d - 2 : 0;
  s.batch_strides = Dims(batch.size(), 0);
  for (int64_t i = 0; i < own; ++i) {
    int64_t bd = static_cast<int64_t>(batch.size()) - own + i;
    s.batch_strides[bd] = t.size(i) == 1 ? 0 : t.stride(i);
  }
  return s;
}

// Folds a's batch dims into its rows when b has none and that needs no copy.
void fold_rows(Stack& sa, const Stack& sb, Dims& batch) {
  if (batch.empty()) return;
  for (int64_t s : sb.batch_strides)
    if (s != 0) return;
  int64_t rs = sa.rows == 1 ? 0 : sa.rs, rows = sa.rows;
  for (int64_t d = static_cast<int64_t>(batch.size()) - 1; d >= 0; --d) {
    if (batch[d] == 1) continue;
    if (rs == 0) rs = sa.batch_strides[d];
    if (rs <= 0 || sa.batch_strides[d] != rs * rows) return;
    rows *= batch[d];
  }
  sa.rows = rows;
  if (rs > 0) sa.rs = rs;
  batch = Dims();
  sa.batch_strides = Dims();
}

void check_same_dtype(const Tensor& a, const Tensor& b) {
  if (a.dtype() == b.dtype()) return;
  DType x = a.dtype(), y = b.dtype();
  if (a.dim() == 1 && b.dim() == 1)
    fail(std::string("dot : expected both vectors to have same dtype, but found ") + cpp_name(x) +
         " and " + cpp_name(y));
  if (a.dim() == 2 && b.dim() == 1)
    fail(std::string("addmv input tensors must have the same dtype, but got ") + cpp_name(y) +
         ", " + cpp_name(x) + ", and " + cpp_name(y));
  if (a.dim() <= 2 && b.dim() <= 2)
    fail(std::string("expected m1 and m2 to have the same dtype, but got: ") + c_type_name(x) +
         " != " + c_type_name(y));
  fail(std::string("expected scalar type ") + cpp_name(x) + " but found " + cpp_name(y));
}

void check_inner(const Tensor& a, const Tensor& b) {
  int64_t k1 = a.size(-1), k2 = b.dim() == 1 ? b.size(0) : b.size(-2);
  if (k1 == k2) return;
  if (a.dim() == 1 && b.dim() == 1)
    fail("inconsistent tensor size, expected tensor [" + std::to_string(k1) + "] and src [" +
         std::to_string(k2) + "] to have the same number of elements, but got " +
         std::to_string(k1) + " and " + std::to_string(k2) + " elements respectively");
  int64_t n = a.dim() == 1 ? 1 : a.size(-2);
  if (b.dim() == 1)
    fail("size mismatch, got input (" + std::to_string(n) + "), mat (" + std::to_string(n) + "x" +
         std::to_string(k1) + "), vec (" + std::to_string(k2) + ")");
  fail("mat1 and mat2 shapes cannot be multiplied (" + std::to_string(n) + "x" +
       std::to_string(k1) + " and " + std::to_string(k2) + "x" + std::to_string(b.size(-1)) + ")");
}

Dims broadcast_batch(const Tensor& a, const Tensor& b) {
  size_t na = a.dim() > 2 ? a.dim() - 2 : 0, nb = b.dim() > 2 ? b.dim() - 2 : 0;
  size_t n = std::max(na, nb);
  Dims out(n, 1);
  for (size_t i = 0; i < n; ++i) {
    int64_t x = i + na >= n ? a.size(i + na - n) : 1;
    int64_t y = i + nb >= n ? b.size(i + nb - n) : 1;
    if (x != y && x != 1 && y != 1)
      fail("The size of tensor a (" + std::to_string(x) + ") must match the size of tensor b (" +
           std::to_string(y) + ") at non-singleton dimension " + std::to_string(i));
    out[i] = std::max(x, y);
  }
  return out;
}

}  // namespace

Dims matmul_sizes(const Tensor& a, const Tensor& b) {
  if (a.dim() == 0 || b.dim() == 0)
    fail("both arguments to matmul need to be at least 1D, but they are " +
         std::to_string(a.dim()) + "D and " + std::to_string(b.dim()) + "D");
  check_inner(a, b);
  Dims out = broadcast_batch(a, b);
  if (a.dim() >= 2) out.push_back(a.size(-2));
  if (b.dim() >= 2) out.push_back(b.size(-1));
  return out;
}

void matmul_into(const Tensor& a, const Tensor& b, Tensor& out) {
  DType dt = a.dtype();
  if (a.dim() <= 2 && b.dim() <= 2) check_same_dtype(a, b);
  bool empty = out.numel() == 0 || a.size(-1) == 0;
  if (empty) {
    if (out.numel()) std::memset(out.data_ptr(), 0, out.numel() * out.element_size());
    return;
  }
  check_same_dtype(a, b);
  if (dt == DType::Bool) {
    const char* k = a.dim() == 1 && b.dim() == 1 ? "dot"
                    : b.dim() == 1 && a.dim() == 2 ? "addmv_impl_cpu"
                    : a.dim() <= 2 && b.dim() <= 2 ? "addmm_impl_cpu_" : "bmm";
    not_implemented(k, dt);
  }
  if (is_low_precision(dt) || dt == DType::Complex32) {
    if (dt == DType::Complex32) not_implemented("addmm_impl_cpu_", dt);
    Tensor tmp = Tensor::empty(out.sizes(), DType::Float32);
    matmul_into(a.to(DType::Float32), b.to(DType::Float32), tmp);
    out.copy_from(tmp);
    return;
  }
  Dims batch = broadcast_batch(a, b);
  Stack sa = stack_of(a, true, batch), sb = stack_of(b, false, batch);
  fold_rows(sa, sb, batch);
  void* o = out.data_ptr();
  switch (dt) {
    case DType::Float32: return run_gemm(sa, sb, batch, static_cast<float*>(o));
    case DType::Float64: return run_gemm(sa, sb, batch, static_cast<double*>(o));
    case DType::UInt8: return run_loop<uint8_t, uint64_t>(sa, sb, batch, static_cast<uint8_t*>(o));
    case DType::Int8: return run_loop<int8_t, uint64_t>(sa, sb, batch, static_cast<int8_t*>(o));
    case DType::Int16: return run_loop<int16_t, uint64_t>(sa, sb, batch, static_cast<int16_t*>(o));
    case DType::Int32: return run_loop<int32_t, uint64_t>(sa, sb, batch, static_cast<int32_t*>(o));
    case DType::Int64: return run_loop<int64_t, uint64_t>(sa, sb, batch, static_cast<int64_t*>(o));
    case DType::Complex64: {
      using C = std::complex<float>;
      return run_loop<C, C>(sa, sb, batch, static_cast<C*>(o));
    }
    case DType::Complex128: {
      using C = std::complex<double>;
      return run_loop<C, C>(sa, sb, batch, static_cast<C*>(o));
    }
    default: not_implemented("matmul", dt);
  }
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  Tensor out = Tensor::empty(matmul_sizes(a, b), a.dtype());
  matmul_into(a, b, out);
  return out;
}

}  // namespace nn
}  // namespace ember
