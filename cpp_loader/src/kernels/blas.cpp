// The cblas binding behind blas.h.
#include "kernels/blas.h"

#include <climits>

#include "ember/error.h"

// EMBER_BLAS_PREFIX: the symbols' prefix ("scipy_" for scipy-openblas32), may be empty.
#ifndef EMBER_BLAS_PREFIX
#define EMBER_BLAS_PREFIX
#endif
#define EMBER_CAT2(a, b) a##b
#define EMBER_CAT(a, b) EMBER_CAT2(a, b)
#define EMBER_CBLAS(name) EMBER_CAT(EMBER_BLAS_PREFIX, cblas_##name)

extern "C" {
// cblas's enums are ints: RowMajor 101, NoTrans 111, Trans 112.
void EMBER_CBLAS(sgemm)(int order, int ta, int tb, int m, int n, int k, float alpha,
                        const float* a, int lda, const float* b, int ldb, float beta, float* c,
                        int ldc);
void EMBER_CBLAS(dgemm)(int order, int ta, int tb, int m, int n, int k, double alpha,
                        const double* a, int lda, const double* b, int ldb, double beta,
                        double* c, int ldc);
void EMBER_CBLAS(sgemv)(int order, int trans, int m, int n, float alpha, const float* a,
                        int lda, const float* x, int incx, float beta, float* y, int incy);
void EMBER_CBLAS(dgemv)(int order, int trans, int m, int n, double alpha, const double* a,
                        int lda, const double* x, int incx, double beta, double* y, int incy);
}

namespace ember {
namespace blas {
namespace {

constexpr int kRowMajor = 101;
constexpr int kNoTrans = 111;
constexpr int kTrans = 112;

int small(int64_t v) {
  if (v > INT_MAX || v < INT_MIN) {
    throw Error(ErrorKind::Runtime, "matrix product: a dimension or stride exceeds the BLAS's 32-bit range");
  }
  return static_cast<int>(v);
}

// A leading dimension BLAS accepts: at least the row length, at least 1.
int64_t ld(int64_t given, int64_t cols) { return given >= cols && given >= 1 ? given : (cols > 1 ? cols : 1); }

}  // namespace

void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
           const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
           int64_t ldc) {
  if (m == 0 || n == 0) return;
  EMBER_CBLAS(sgemm)(kRowMajor, trans_a ? kTrans : kNoTrans, trans_b ? kTrans : kNoTrans,
                     small(m), small(n), small(k), alpha, a, small(ld(lda, trans_a ? m : k)), b,
                     small(ld(ldb, trans_b ? k : n)), beta, c, small(ld(ldc, n)));
}

void dgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
           const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c,
           int64_t ldc) {
  if (m == 0 || n == 0) return;
  EMBER_CBLAS(dgemm)(kRowMajor, trans_a ? kTrans : kNoTrans, trans_b ? kTrans : kNoTrans,
                     small(m), small(n), small(k), alpha, a, small(ld(lda, trans_a ? m : k)), b,
                     small(ld(ldb, trans_b ? k : n)), beta, c, small(ld(ldc, n)));
}

void sgemv(bool trans, int64_t m, int64_t n, float alpha, const float* a, int64_t lda,
           const float* x, int64_t incx, float beta, float* y, int64_t incy) {
  if ((trans ? n : m) == 0) return;
  EMBER_CBLAS(sgemv)(kRowMajor, trans ? kTrans : kNoTrans, small(m), small(n), alpha, a,
                     small(ld(lda, n)), x, small(incx), beta, y, small(incy));
}

void dgemv(bool trans, int64_t m, int64_t n, double alpha, const double* a, int64_t lda,
           const double* x, int64_t incx, double beta, double* y, int64_t incy) {
  if ((trans ? n : m) == 0) return;
  EMBER_CBLAS(dgemv)(kRowMajor, trans ? kTrans : kNoTrans, small(m), small(n), alpha, a,
                     small(ld(lda, n)), x, small(incx), beta, y, small(incy));
}

}  // namespace blas
}  // namespace ember
