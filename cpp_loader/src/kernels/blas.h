// Matrix products: float and double through the linked BLAS (cblas, row-major), the other
// dtypes through plain loops. Sizes are int64 here; calls beyond the BLAS's 32-bit ints
// are split or refused.
//
// The build links OpenBLAS: the scipy-openblas32 wheel (symbols `scipy_cblas_*`: the build
// defines EMBER_BLAS_PREFIX=scipy_) or a system cblas (`cblas_*`, an empty prefix).
#pragma once

#include <cstdint>

namespace ember {
namespace blas {

// C[m,n] = alpha * op(A) * op(B) + beta * C, row-major; op(X) is X or X^T (trans_x).
// lda/ldb/ldc are row strides in elements of the matrices as stored.
void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
           const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
           int64_t ldc);
void dgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
           const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c,
           int64_t ldc);
// y[m] = alpha * A[m,n] x + beta * y (A row-major with row stride lda; trans: A^T x, y[n]).
void sgemv(bool trans, int64_t m, int64_t n, float alpha, const float* a, int64_t lda,
           const float* x, int64_t incx, float beta, float* y, int64_t incy);
void dgemv(bool trans, int64_t m, int64_t n, double alpha, const double* a, int64_t lda,
           const double* x, int64_t incx, double beta, double* y, int64_t incy);

// y[n] += W[n, k] x[k] for a small contiguous row-major W (blas_small.cpp: no BLAS call).
void gemv_rows_add(int64_t n, int64_t k, const float* w, const float* x, float* y);

// Generic strided product for the dtypes BLAS has not: C[i,j] (+)= sum_k A[i,k] B[k,j],
// accumulating in Acc; element strides given for every dim (c is written, not added to,
// unless `accumulate`).
template <class T, class Acc = T>
void gemm_loop(int64_t m, int64_t n, int64_t k, const T* a, int64_t sam, int64_t sak,
               const T* b, int64_t sbk, int64_t sbn, T* c, int64_t scm, int64_t scn) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      Acc acc = Acc(0);
      for (int64_t p = 0; p < k; ++p) acc += Acc(a[i * sam + p * sak]) * Acc(b[p * sbk + j * sbn]);
      c[i * scm + j * scn] = T(acc);
    }
  }
}

}  // namespace blas
}  // namespace ember
