// register_elementwise_kernels: the elementwise, reduction and scan kernels of
// kernels/elementwise*.cpp and reduce*.cpp.
#include "runtime/kernel.h"

namespace ember {
namespace elem {
void register_arith_kernels(KernelRegistry& r);
void register_compare_kernels(KernelRegistry& r);
void register_select_kernels(KernelRegistry& r);
void register_unary_kernels(KernelRegistry& r);
void register_activation_kernels(KernelRegistry& r);
void register_convert_kernels(KernelRegistry& r);
void register_fill_kernels(KernelRegistry& r);
void register_random_kernels(KernelRegistry& r);
void register_reduce_kernels(KernelRegistry& r);
void register_scan_kernels(KernelRegistry& r);
}  // namespace elem

void register_elementwise_kernels(KernelRegistry& r) {
  elem::register_arith_kernels(r);
  elem::register_compare_kernels(r);
  elem::register_select_kernels(r);
  elem::register_unary_kernels(r);
  elem::register_activation_kernels(r);
  elem::register_convert_kernels(r);
  elem::register_fill_kernels(r);
  elem::register_random_kernels(r);
  elem::register_reduce_kernels(r);
  elem::register_scan_kernels(r);
}

}  // namespace ember
