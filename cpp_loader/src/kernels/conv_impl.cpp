// Convolution kernels. Dense convolutions unfold each sample's group into columns
// (C/G*KH*KW, OH*OW) in a per-thread buffer and run one GEMM into the output, whose planes
// were preloaded with the bias (beta = 1); a 1x1 stride-1 unpadded convolution needs no
// unfolding. Convolutions with one input channel per group (depthwise) run direct loops
// over output rows, where a GEMM would have a single-row operand.
#include <algorithm>
#include <cstring>

#include "kernels/blas.h"
#include "kernels/conv_impl.h"
#include "kernels/nn_common.h"

namespace ember {
namespace nn {
namespace {

// The output columns [lo, hi) whose tap at input offset `off` (= j * dilation - pad) lands
// inside [0, size) with stride s.
inline void valid_range(int64_t off, int64_t s, int64_t size, int64_t out, int64_t* lo,
                        int64_t* hi) {
  int64_t l = off >= 0 ? 0 : (-off + s - 1) / s;
  int64_t h = size - 1 - off < 0 ? 0 : (size - 1 - off) / s + 1;
  *lo = std::min(l, out);
  *hi = std::max(*lo, std::min(h, out));
}

template <class T>
void im2col(const T* x, const ConvGeom& g, int64_t channels, T* cols) {
  int64_t plane = g.oh * g.ow;
  for (int64_t c = 0; c < channels; ++c) {
    const T* xc = x + c * g.h * g.w;
    for (int64_t i = 0; i < g.kh; ++i) {
      for (int64_t j = 0; j < g.kw; ++j) {
        T* dst = cols + ((c * g.kh + i) * g.kw + j) * plane;
        int64_t off_w = j * g.dw - g.pw, lo, hi;
        valid_range(off_w, g.sw, g.w, g.ow, &lo, &hi);
        for (int64_t oh = 0; oh < g.oh; ++oh) {
          T* row = dst + oh * g.ow;
          int64_t ih = oh * g.sh - g.ph + i * g.dh;
          if (ih < 0 || ih >= g.h) {
            std::fill(row, row + g.ow, T(0));
            continue;
          }
          const T* src = xc + ih * g.w + off_w;
          std::fill(row, row + lo, T(0));
          if (g.sw == 1) {
            std::memcpy(row + lo, src + lo, (hi - lo) * sizeof(T));
          } else {
            for (int64_t ow = lo; ow < hi; ++ow) row[ow] = src[ow * g.sw];
          }
          std::fill(row + hi, row + g.ow, T(0));
        }
      }
    }
  }
}

// One output plane of a single-input-channel convolution: rows accumulate each tap's
// shifted input row (the row stays in L1 while the taps run).
template <class T>
void depthwise_plane(const T* x, const T* w, T bias, T* out, const ConvGeom& g) {
  for (int64_t oh = 0; oh < g.oh; ++oh) {
    T* row = out + oh * g.ow;
    std::fill(row, row + g.ow, bias);
    for (int64_t i = 0; i < g.kh; ++i) {
      int64_t ih = oh * g.sh - g.ph + i * g.dh;
      if (ih < 0 || ih >= g.h) continue;
      const T* xrow = x + ih * g.w;
      for (int64_t j = 0; j < g.kw; ++j) {
        T wv = w[i * g.kw + j];
        int64_t off = j * g.dw - g.pw, lo, hi;
        valid_range(off, g.sw, g.w, g.ow, &lo, &hi);
        const T* src = xrow + off;
        if (g.sw == 1) {
          for (int64_t ow = lo; ow < hi; ++ow) row[ow] += wv * src[ow];
        } else if (g.sw == 2) {
          for (int64_t ow = lo; ow < hi; ++ow) row[ow] += wv * src[2 * ow];
        } else {
          for (int64_t ow = lo; ow < hi; ++ow) row[ow] += wv * src[ow * g.sw];
        }
      }
    }
  }
}

// 3x3, stride S (1 or 2), dilation 1, padding 1: all nine taps per output in one pass
// over each output row; columns whose taps all lie inside the row need no checks.
template <class T, int S>
void depthwise_3x3(const T* x, const T* w, T bias, T* out, const ConvGeom& g) {
  int64_t W = g.w, H = g.h, OW = g.ow;
  T* zeros = scratch<T>(W, 2);  // stands in for the padding rows
  std::fill(zeros, zeros + W, T(0));
  // interior: 1 <= ow and S * ow + 1 <= W - 1
  int64_t lo = std::min<int64_t>(1, OW), hi = std::max(lo, std::min(OW, (W - 2) / S + 1));
  T wk[9];
  for (int j = 0; j < 9; ++j) wk[j] = w[j];
  for (int64_t oh = 0; oh < g.oh; ++oh) {
    T* row = out + oh * OW;
    const T* r[3];
    for (int i = 0; i < 3; ++i) {
      int64_t ih = S * oh - 1 + i;
      r[i] = ih >= 0 && ih < H ? x + ih * W : zeros;
    }
    const T *r0 = r[0] - 1, *r1 = r[1] - 1, *r2 = r[2] - 1;
    for (int64_t ow = lo; ow < hi; ++ow) {
      int64_t c = S * ow;
      T acc = bias + wk[0] * r0[c] + wk[1] * r0[c + 1] + wk[2] * r0[c + 2];
      acc += wk[3] * r1[c] + wk[4] * r1[c + 1] + wk[5] * r1[c + 2];
      acc += wk[6] * r2[c] + wk[7] * r2[c + 1] + wk[8] * r2[c + 2];
      row[ow] = acc;
    }
    for (int64_t ow = 0; ow < OW; ow = (ow + 1 == lo && hi > lo) ? hi : ow + 1) {
      T acc = bias;
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
          int64_t iw = S * ow - 1 + j;
          if (iw >= 0 && iw < W) acc += wk[i * 3 + j] * r[i][iw];
        }
      row[ow] = acc;
    }
  }
}

template <class T>
void depthwise(const T* x, const T* w, const T* bias, T* out, const ConvGeom& g) {
  int64_t mult = g.o / g.groups;
  bool k3 = g.kh == 3 && g.kw == 3 && g.dh == 1 && g.dw == 1 && g.ph == 1 && g.pw == 1;
  int stride = k3 && g.sh == g.sw && (g.sh == 1 || g.sh == 2) ? static_cast<int>(g.sh) : 0;
  for (int64_t n = 0; n < g.n; ++n) {
    for (int64_t o = 0; o < g.o; ++o) {
      const T* xp = x + (n * g.c + o / mult) * g.h * g.w;
      const T* wp = w + o * g.kh * g.kw;
      T* op = out + (n * g.o + o) * g.oh * g.ow;
      T b = bias ? bias[o] : T(0);
      if (stride == 1) depthwise_3x3<T, 1>(xp, wp, b, op, g);
      else if (stride == 2) depthwise_3x3<T, 2>(xp, wp, b, op, g);
      else depthwise_plane(xp, wp, b, op, g);
    }
  }
}

inline void gemm_beta(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                      const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  blas::sgemm(false, false, m, n, k, 1.f, a, lda, b, ldb, beta, c, ldc);
}
inline void gemm_beta(int64_t m, int64_t n, int64_t k, const double* a, int64_t lda,
                      const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  blas::dgemm(false, false, m, n, k, 1.0, a, lda, b, ldb, beta, c, ldc);
}

template <class T>
void dense_blas(const T* x, const T* w, const T* bias, T* out, const ConvGeom& g) {
  int64_t cg = g.c / g.groups, og = g.o / g.groups, k = cg * g.kh * g.kw;
  int64_t plane = g.oh * g.ow;
  bool direct = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0 &&
                g.oh == g.h && g.ow == g.w;
  T* cols = direct ? nullptr : scratch<T>(k * plane, 3);
  for (int64_t n = 0; n < g.n; ++n) {
    T* on = out + n * g.o * plane;
    if (bias) {
      for (int64_t o = 0; o < g.o; ++o) std::fill(on + o * plane, on + (o + 1) * plane, bias[o]);
    }
    for (int64_t gi = 0; gi < g.groups; ++gi) {
      const T* xg = x + (n * g.c + gi * cg) * g.h * g.w;
      const T* src = xg;
      if (!direct) {
        im2col(xg, g, cg, cols);
        src = cols;
      }
      gemm_beta(og, plane, k, w + gi * og * k, k, src, plane, bias ? T(1) : T(0),
                on + gi * og * plane, plane);
    }
  }
}

template <class T>
void dense_loop(const T* x, const T* w, const T* bias, T* out, const ConvGeom& g) {
  int64_t cg = g.c / g.groups, og = g.o / g.groups, k = cg * g.kh * g.kw;
  int64_t plane = g.oh * g.ow;
  T* cols = scratch<T>(k * plane, 3);
  for (int64_t n = 0; n < g.n; ++n) {
    for (int64_t gi = 0; gi < g.groups; ++gi) {
      im2col(x + (n * g.c + gi * cg) * g.h * g.w, g, cg, cols);
      T* og_out = out + (n * g.o + gi * og) * plane;
      blas::gemm_loop<T, uint64_t>(og, plane, k, w + gi * og * k, k, 1, cols, plane, 1, og_out,
                                   plane, 1);
      if (bias)
        for (int64_t o = 0; o < og; ++o)
          for (int64_t p = 0; p < plane; ++p) og_out[o * plane + p] += bias[gi * og + o];
    }
  }
}

template <class T>
void run_float(const Tensor& x, const Tensor& w, const Tensor& bias, Tensor& out,
               const ConvGeom& g) {
  const T* b = bias.defined() ? bias.data<T>() : nullptr;
  if (g.c == g.groups && g.o % g.groups == 0) {
    depthwise(x.data<T>(), w.data<T>(), b, out.data<T>(), g);
  } else {
    dense_blas(x.data<T>(), w.data<T>(), b, out.data<T>(), g);
  }
}

template <class T>
void run_int(const Tensor& x, const Tensor& w, const Tensor& bias, Tensor& out,
             const ConvGeom& g) {
  dense_loop(x.data<T>(), w.data<T>(), bias.defined() ? bias.data<T>() : nullptr, out.data<T>(),
             g);
}

}  // namespace

void conv2d_f32(const float* x, const float* w, const float* bias, float* out, const ConvGeom& g) {
  if (g.c == g.groups && g.o % g.groups == 0) depthwise(x, w, bias, out, g);
  else dense_blas(x, w, bias, out, g);
}

void conv2d_compute(const Tensor& x, const Tensor& w, const Tensor& bias, Tensor& out,
                    const ConvGeom& g) {
  if (out.numel() == 0) return;
  switch (out.dtype()) {
    case DType::Float32: return run_float<float>(x, w, bias, out, g);
    case DType::Float64: return run_float<double>(x, w, bias, out, g);
    case DType::Int64: return run_int<int64_t>(x, w, bias, out, g);
    case DType::Int32: return run_int<int32_t>(x, w, bias, out, g);
    case DType::Int16: return run_int<int16_t>(x, w, bias, out, g);
    case DType::Int8: return run_int<int8_t>(x, w, bias, out, g);
    case DType::UInt8: return run_int<uint8_t>(x, w, bias, out, g);
    default: not_implemented("slow_conv2d_cpu", out.dtype());
  }
}

}  // namespace nn
}  // namespace ember
