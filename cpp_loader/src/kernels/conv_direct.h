// The direct float32 convolution for stride 1, dilation 1, one group: no unfolded columns,
// weights pre-packed once at load (src/optimize/pack.cpp), bias and activation applied in
// the pass that stores each output tile. Runs where the CPU has AVX2+FMA or AVX-512;
// elsewhere `direct_conv_fits` says no and the convolution takes the GEMM path.
//
// Packed layout: output channels in blocks of kConvBlock, each block [C*KH*KW][kConvBlock]
// (a tap's weights for the block's channels side by side; the last block zero-filled).
#pragma once

#include <cstdint>

#include "ember/tensor.h"
#include "kernels/conv_impl.h"

namespace ember {
namespace nn {

constexpr int64_t kConvBlock = 8;

// Whether the direct kernel runs geometry `g` on this CPU (stride 1, dilation 1, one group,
// an output row wide enough to fill the vectors). EMBER_ISA=avx2 or =none in the
// environment caps the instruction set (tests reach every path on one machine).
bool direct_conv_fits(const ConvGeom& g);

// The packed form of a contiguous float32 weight (O, C, KH, KW): a 1-D float32 tensor of
// ceil(O / kConvBlock) * kConvBlock * C * KH * KW elements.
Tensor pack_conv_weight(const Tensor& w);
int64_t packed_conv_numel(int64_t o, int64_t per_output);

// out (N, O, OH, OW) = min(max(conv(x, w) + bias, lo), hi) with w packed; bias may be null.
void conv2d_direct(const float* x, const float* packed, const float* bias, float* out,
                   const ConvGeom& g, float lo, float hi);

}  // namespace nn
}  // namespace ember
