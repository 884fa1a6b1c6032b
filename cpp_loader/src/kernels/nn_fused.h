// Kernels the load-time optimiser (src/optimize/) binds in place of an op followed by an
// activation: the op's kernel, then the activation applied in place on its result.
#pragma once

#include "runtime/kernel.h"

namespace ember {
namespace nn {

// The plain kernels that can take a fused activation.
void k_conv1d(Call& c);
void k_conv2d(Call& c);
void k_convolution(Call& c);
void k_linear(Call& c);
void k_batch_norm(Call& c);

enum class Activation { Relu, Relu6 };

// `base` followed by `act` as one kernel, or null when `base` has no fused form.
KernelFn fused_kernel(KernelFn base, Activation act);

// The convolution kernel that takes a pre-packed weight (pack_conv_weight) as an extra last
// input, for a plain convolution kernel `base`; null for other kernels.
KernelFn packed_conv_kernel(KernelFn base);
// That packed kernel with `act` applied as it stores its output (null for other kernels).
KernelFn packed_conv_fused(KernelFn packed, Activation act);

// The activation in place on a float tensor (relu: x < 0 ? 0 : x, NaN and -0.0 kept as
// torch's relu/hardtanh keep them).
void activate_in_place(const Tensor& t, Activation act);

}  // namespace nn
}  // namespace ember
