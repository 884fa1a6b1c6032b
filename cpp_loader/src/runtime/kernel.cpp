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
  size_t nbytes = checked_nbytes(sizes, dtype);
  if (frame == nullptr) {
    Tensor t = Tensor::empty(sizes, dtype);
    set(i, t);
    return t;
  }
  uint32_t reg = outputs[i];
  Value& value = registers[reg];
  value = Value();  // the register may hold one of the slot's tensors: let go of it first
  std::vector<std::shared_ptr<TensorImpl>>& held = frame->arena[frame->slot(reg)];
  std::shared_ptr<TensorImpl>* spare = nullptr;  // a free tensor too small, or an empty place
  for (std::shared_ptr<TensorImpl>& t : held) {
    bool free = t && t.use_count() == 1 && t->storage && t->storage.use_count() == 1;
    if (free && t->storage->nbytes() >= nbytes) {
      if (!contiguous_as(*t, sizes, dtype)) contiguous_geometry(*t, sizes, dtype);
      t->requires_grad = false;
      value = Value(Tensor(t));
      return value.to_tensor();
    }
    if (!spare && (!t || free)) spare = &t;
  }
  ++frame->allocations;
  std::shared_ptr<TensorImpl> made = Tensor::empty(sizes, dtype).impl_ptr();
  // Every tensor of the slot busy: keep a few (views of them live on), then let the last go.
  constexpr size_t kMaxPerSlot = 4;
  if (spare) *spare = made;
  else if (held.size() < kMaxPerSlot) held.push_back(made);
  else held.back() = made;
  value = Value(Tensor(made));
  return value.to_tensor();
}

}  // namespace ember
