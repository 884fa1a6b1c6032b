// register_nn_kernels: every kernel of the nn group (matrix products, convolution,
// normalisation, pooling, resampling, padding, attention, recurrent layers).
#include "runtime/kernel.h"

namespace ember {
namespace nn {
void register_blas_kernels(KernelRegistry& r);                // blas_linear.cpp
void register_conv_kernels(KernelRegistry& r);                // conv.cpp
void register_norm_kernels(KernelRegistry& r);                // nn_norm.cpp
void register_dropout_embedding_kernels(KernelRegistry& r);   // nn_dropout_embedding.cpp
void register_pool_kernels(KernelRegistry& r);                // pool.cpp
void register_resample_kernels(KernelRegistry& r);            // nn_resample.cpp
void register_pad_kernels(KernelRegistry& r);                 // nn_pad.cpp
void register_attention_kernels(KernelRegistry& r);           // attention.cpp
void register_rnn_kernels(KernelRegistry& r);                 // rnn.cpp
}  // namespace nn

void register_nn_kernels(KernelRegistry& r) {
  nn::register_blas_kernels(r);
  nn::register_conv_kernels(r);
  nn::register_norm_kernels(r);
  nn::register_dropout_embedding_kernels(r);
  nn::register_pool_kernels(r);
  nn::register_resample_kernels(r);
  nn::register_pad_kernels(r);
  nn::register_attention_kernels(r);
  nn::register_rnn_kernels(r);
}

}  // namespace ember
