// The kernel registry and the arena-backed outputs of a call.
#include "runtime/kernel.h"

#include <limits>

#include "runtime/frame.h"

namespace ember {

void KernelRegistry::add(std::string_view qualified_name, KernelFn fn) {
  if (fn == nullptr) {
    throw Error(ErrorKind::Operator,
                "kernel registry: null kernel for " + std::string(qualified_name));
  }
  auto inserted = kernels_.emplace(std::string(qualified_name), fn);
  if (!inserted.second) {
    throw Error(ErrorKind::Operator, "kernel registry: a second kernel for " +
                                         std::string(qualified_name) +
                                         " (each operator has one definition)");
  }
}

KernelFn KernelRegistry::find(std::string_view qualified_name) const {
  auto it = kernels_.find(std::string(qualified_name));
  return it == kernels_.end() ? nullptr : it->second;
}

static size_t checked_nbytes(const Dims& sizes, DType dtype) {
  size_t n = itemsize(dtype);
  for (int64_t s : sizes) {
    if (s < 0) throw Error(ErrorKind::Runtime, "output: negative size " + std::to_string(s));
    if (s != 0 && n > std::numeric_limits<size_t>::max() / static_cast<size_t>(s)) {
      throw Error(ErrorKind::Runtime, "output: tensor too large");
    }
    n *= static_cast<size_t>(s);
  }
  return n;
}

void Call::bad_index(const char* what, uint32_t i, uint32_t count) {
  throw Error(ErrorKind::Runtime, std::string("the op has ") + std::to_string(count) + " " + what +
                                      "s but its kernel uses " + what + " " + std::to_string(i) +
                                      " (a damaged program record?)");
}

Tensor Call::output(uint32_t i, const Dims& sizes, DType dtype) const {
  if (i >= num_outputs) bad_index("output", i, num_outputs);
  size_t nbytes = checked_nbytes(sizes, dtype);
  if (frame == nullptr) {
    Tensor t = Tensor::empty(sizes, dtype);
    set(i, t);
    return t;
  }
  uint32_t reg = outputs[i];
  registers[reg] = Value();  // what the register held last is dead now
  std::shared_ptr<TensorImpl>& kept = frame->arena[reg];
  if (kept && kept.use_count() == 1 && kept->storage && kept->storage.use_count() == 1 &&
      kept->storage->nbytes() >= nbytes) {
    kept->offset = 0;
    kept->sizes = sizes;
    kept->strides = Tensor::contiguous_strides(sizes);
    kept->dtype = dtype;
    kept->requires_grad = false;
  } else {
    kept = Tensor::empty(sizes, dtype).impl_ptr();
  }
  registers[reg] = Value(Tensor(kept));
  return registers[reg].to_tensor();
}

}  // namespace ember
