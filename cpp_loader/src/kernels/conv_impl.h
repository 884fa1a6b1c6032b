// 2-D convolution on contiguous NCHW data (conv1d runs as H = 1).
#pragma once

#include <cstdint>

#include "ember/tensor.h"

namespace ember {
namespace nn {

struct ConvGeom {
  int64_t n, c, h, w;     // input
  int64_t o, kh, kw;      // weight (O, C / groups, KH, KW)
  int64_t oh, ow;         // output plane
  int64_t sh, sw, ph, pw, dh, dw;  // stride, leading padding, dilation
  int64_t groups;
};

// out (N, O, OH, OW) = conv(x, w) + bias; x, w and bias (may be undefined) contiguous, all
// of out's dtype (float, double or an integer type).
void conv2d_compute(const Tensor& x, const Tensor& w, const Tensor& bias, Tensor& out,
                    const ConvGeom& g);

// The float32 kernels themselves (bias may be null).
void conv2d_f32(const float* x, const float* w, const float* bias, float* out, const ConvGeom& g);

}  // namespace nn
}  // namespace ember
