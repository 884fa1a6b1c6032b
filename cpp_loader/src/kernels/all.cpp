// Every kernel file's registration function, called once to build the registry.
#include "runtime/kernel.h"

namespace ember {

void register_prim_kernels(KernelRegistry& r);        // kernels/prim.cpp, scalar_*.cpp
void register_elementwise_kernels(KernelRegistry& r); // kernels/elementwise*.cpp, reduce*.cpp
void register_shape_kernels(KernelRegistry& r);       // kernels/shape*.cpp, create*.cpp
void register_nn_kernels(KernelRegistry& r);          // kernels/nn*.cpp, conv*.cpp, blas.cpp

const KernelRegistry& kernels() {
  static const KernelRegistry registry = [] {
    KernelRegistry r;
    register_prim_kernels(r);
    register_elementwise_kernels(r);
    register_shape_kernels(r);
    register_nn_kernels(r);
    return r;
  }();
  return registry;
}

}  // namespace ember
