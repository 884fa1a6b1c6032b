// register_shape_kernels: the shape, creation and indexing kernel group.
#include "runtime/kernel.h"

namespace ember {

void register_shape_view_kernels(KernelRegistry& r);   // shape_view.cpp
void register_shape_query_kernels(KernelRegistry& r);  // shape_query.cpp
void register_shape_split_kernels(KernelRegistry& r);  // shape_split.cpp
void register_shape_join_kernels(KernelRegistry& r);   // shape_join.cpp
void register_shape_order_kernels(KernelRegistry& r);  // shape_order.cpp
void register_shape_extra_kernels(KernelRegistry& r);  // shape_extra.cpp
void register_index_kernels(KernelRegistry& r);        // index_ops.cpp
void register_create_kernels(KernelRegistry& r);       // create.cpp, create_range.cpp

void register_shape_kernels(KernelRegistry& r) {
  register_shape_view_kernels(r);
  register_shape_query_kernels(r);
  register_shape_split_kernels(r);
  register_shape_join_kernels(r);
  register_shape_order_kernels(r);
  register_shape_extra_kernels(r);
  register_index_kernels(r);
  register_create_kernels(r);
}

}  // namespace ember
