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

static bool contiguous_as(const TensorImpl& t, const Dims& sizes, DType dtype) {
  if (t.dtype != dtype || t.offset != 0 || t.sizes != sizes || t.strides.size() != sizes.size()) {
    return false;
  }
  int64_t acc = 1;
  for (size_t d = sizes.size(); d-- > 0;) {
    if (t.strides[d] != acc) return false;
    acc *= sizes[d] > 1 ? sizes[d] : 1;
  }
  return true;
}

static void contiguous_geometry(TensorImpl& t, const Dims& sizes, DType dtype) {
  t.offset = 0;
  t.sizes = sizes;
  t.strides.resize(sizes.size());
  int64_t acc = 1;
  for (size_t d = sizes.size(); d-- > 0;) {
    t.strides[d] = acc;
    acc *= sizes[d] > 1 ? sizes[d] : 1;
  }
  t.dtype = dtype;
  t.requires_grad = false;
}

Tensor Call::output(uint32_t i, const Dims& sizes, DType dtype) const {
  if (i >= num_outputs) bad_index("output", i, num_outputs);
  if (frame == nullptr) {
    checked_nbytes(sizes, dtype);
    Tensor t = Tensor::empty(sizes, dtype);
    set(i, t);
    return t;
  }
  uint32_t reg = outputs[i];
  Value& slot = registers[reg];
  std::shared_ptr<TensorImpl>& kept = frame->arena[reg];
  bool held = kept && slot.is_tensor() && slot.to_tensor().impl() == kept.get();
  // Fixed shapes: the register still holds the arena's tensor of the last call, which
  // nothing else references (Frame::release keeps it), in the same geometry.
  if (held && kept.use_count() == 2 && kept->storage.use_count() == 1 &&
      contiguous_as(*kept, sizes, dtype)) {
    kept->requires_grad = false;
    return slot.to_tensor();
  }
  size_t nbytes = checked_nbytes(sizes, dtype);
  slot = Value();
  if (kept && kept.use_count() == 1 && kept->storage && kept->storage.use_count() == 1 &&
      kept->storage->nbytes() >= nbytes) {
    contiguous_geometry(*kept, sizes, dtype);
  } else {
    kept = Tensor::empty(sizes, dtype).impl_ptr();
  }
  slot = Value(Tensor(kept));
  return slot.to_tensor();
}

}  // namespace ember
