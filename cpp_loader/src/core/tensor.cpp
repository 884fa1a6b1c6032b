// Storage and Tensor: allocation, views, copies with broadcasting and dtype conversion.
#include "ember/tensor.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "core/copy.h"
#include "core/dispatch.h"
#include "core/iter.h"
#include "ember/error.h"

namespace ember {

namespace {

constexpr size_t kAlign = 64;

std::string dims_str(const Dims& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

// numel * itemsize, refusing negative sizes and overflow.
size_t checked_nbytes(const Dims& sizes, DType dtype) {
  size_t item = itemsize(dtype);
  if (item == 0)
    throw Error(ErrorKind::Runtime, "unsupported dtype " + std::to_string(static_cast<int>(dtype)));
  uint64_t n = 1;
  for (int64_t s : sizes) {
    if (s < 0)
      throw Error(ErrorKind::Runtime, "Trying to create tensor with negative dimension " +
                                          std::to_string(s) + ": " + dims_str(sizes));
    if (s != 0 && n > (UINT64_MAX / 2) / static_cast<uint64_t>(s))
      throw Error(ErrorKind::Runtime, "tensor of sizes " + dims_str(sizes) + " is too large");
    n *= static_cast<uint64_t>(s);
  }
  if (n > (UINT64_MAX / 2) / item)
    throw Error(ErrorKind::Runtime, "tensor of sizes " + dims_str(sizes) + " is too large");
  return static_cast<size_t>(n * item);
}

void free_aligned(void* p) { std::free(p); }

bool ranges_overlap(const Tensor& a, const Tensor& b) {
  if (!a.storage() || !b.storage()) return false;
  auto extent = [](const Tensor& t, char*& lo, char*& hi) {
    lo = hi = static_cast<char*>(t.data_ptr());
    for (int64_t d = 0; d < t.dim(); ++d) {
      int64_t span = (t.sizes()[d] - 1) * t.strides()[d] * static_cast<int64_t>(t.element_size());
      if (span < 0) lo += span; else hi += span;
    }
    hi += t.element_size();
  };
  char *alo, *ahi, *blo, *bhi;
  extent(a, alo, ahi);
  extent(b, blo, bhi);
  return alo < bhi && blo < ahi;
}

}  // namespace

std::shared_ptr<Storage> Storage::allocate(size_t nbytes) {
  size_t rounded = (nbytes + kAlign - 1) / kAlign * kAlign;
  if (rounded == 0) rounded = kAlign;
  void* p = std::aligned_alloc(kAlign, rounded);
  if (!p) throw Error(ErrorKind::Runtime, "out of memory allocating " + std::to_string(nbytes) + " bytes");
  std::shared_ptr<void> owner(p, free_aligned);
  return std::make_shared<Storage>(p, nbytes, std::move(owner));
}

std::shared_ptr<Storage> Storage::view(void* data, size_t nbytes, std::shared_ptr<void> owner) {
  return std::make_shared<Storage>(data, nbytes, std::move(owner));
}

Dims Tensor::contiguous_strides(const Dims& sizes) {
  Dims strides(sizes.size(), 1);
  int64_t acc = 1;
  for (size_t i = sizes.size(); i-- > 0;) {
    strides[i] = acc;
    acc *= sizes[i] > 1 ? sizes[i] : 1;
  }
  return strides;
}

Tensor Tensor::make(std::shared_ptr<Storage> storage, int64_t offset, const Dims& sizes,
                    const Dims& strides, DType dtype) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::move(storage);
  impl->offset = offset;
  impl->sizes = sizes;
  impl->strides = strides;
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor Tensor::empty(const Dims& sizes, DType dtype) {
  size_t nbytes = checked_nbytes(sizes, dtype);
  return make(Storage::allocate(nbytes), 0, sizes, contiguous_strides(sizes), dtype);
}

Tensor Tensor::zeros(const Dims& sizes, DType dtype) {
  Tensor t = empty(sizes, dtype);
  std::memset(t.data_ptr(), 0, t.storage()->nbytes());
  return t;
}

Tensor Tensor::from_buffer(const void* data, const Dims& sizes, DType dtype) {
  Tensor t = empty(sizes, dtype);
  if (t.storage()->nbytes()) std::memcpy(t.data_ptr(), data, t.storage()->nbytes());
  return t;
}

Tensor Tensor::from_blob(void* data, const Dims& sizes, DType dtype, std::shared_ptr<void> owner) {
  size_t nbytes = checked_nbytes(sizes, dtype);
  return make(Storage::view(data, nbytes, std::move(owner)), 0, sizes, contiguous_strides(sizes),
              dtype);
}

Tensor Tensor::from_vector(const std::vector<float>& values) {
  return from_buffer(values.data(), Dims{static_cast<int64_t>(values.size())}, DType::Float32);
}

static int64_t wrap_dim(int64_t d, int64_t ndim) {
  int64_t n = ndim > 0 ? ndim : 1;
  if (d < -n || d >= n)
    throw Error(ErrorKind::Runtime, "Dimension out of range (expected to be in range of [" +
                                        std::to_string(-n) + ", " + std::to_string(n - 1) +
                                        "], but got " + std::to_string(d) + ")");
  return d < 0 ? d + n : d;
}

int64_t Tensor::size(int64_t d) const {
  if (dim() == 0) wrap_dim(d, 0);
  return impl_->sizes[static_cast<size_t>(wrap_dim(d, dim()))];
}

int64_t Tensor::stride(int64_t d) const {
  if (dim() == 0) wrap_dim(d, 0);
  return impl_->strides[static_cast<size_t>(wrap_dim(d, dim()))];
}

int64_t Tensor::numel() const { return shape_numel(impl_->sizes); }

bool Tensor::is_contiguous() const {
  int64_t expected = 1;
  const Dims& sizes = impl_->sizes;
  const Dims& strides = impl_->strides;
  for (size_t i = sizes.size(); i-- > 0;) {
    if (sizes[i] == 0) return true;
    if (sizes[i] == 1) continue;
    if (strides[i] != expected) return false;
    expected *= sizes[i];
  }
  return true;
}

void* Tensor::data_ptr() const {
  if (!impl_->storage) return nullptr;
  return static_cast<char*>(impl_->storage->data()) +
         impl_->offset * static_cast<int64_t>(itemsize(impl_->dtype));
}

Tensor Tensor::as_strided(const Dims& sizes, const Dims& strides, int64_t offset) const {
  if (sizes.size() != strides.size())
    throw Error(ErrorKind::Runtime, "mismatch in length of strides and shape");
  int64_t lo = offset, hi = offset;
  bool empty = false;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] < 0)
      throw Error(ErrorKind::Runtime, "as_strided: negative size " + std::to_string(sizes[i]));
    if (sizes[i] == 0) empty = true;
  }
  if (offset < 0) throw Error(ErrorKind::Runtime, "as_strided: negative storage offset");
  if (!empty) {
    for (size_t i = 0; i < sizes.size(); ++i) {
      int64_t span = (sizes[i] - 1) * strides[i];
      if (span < 0) lo += span; else hi += span;
    }
    size_t capacity = impl_->storage ? impl_->storage->nbytes() / element_size() : 0;
    if (lo < 0 || static_cast<uint64_t>(hi) >= capacity)
      throw Error(ErrorKind::Runtime,
                  "setStorage: sizes " + dims_str(sizes) + ", strides " + dims_str(strides) +
                      ", storage offset " + std::to_string(offset) + ", and itemsize " +
                      std::to_string(element_size()) + " requiring a storage size of " +
                      std::to_string((hi + 1) * static_cast<int64_t>(element_size())) +
                      " are out of bounds for storage of size " +
                      std::to_string(impl_->storage ? impl_->storage->nbytes() : 0));
  }
  Tensor t = make(impl_->storage, offset, sizes, strides, impl_->dtype);
  t.impl_->requires_grad = impl_->requires_grad;
  return t;
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

Tensor Tensor::clone() const {
  Tensor t = empty(impl_->sizes, impl_->dtype);
  t.copy_from(*this);
  return t;
}

void Tensor::copy_to(void* out) const {
  if (is_contiguous()) {
    size_t n = static_cast<size_t>(numel()) * element_size();
    if (n) std::memcpy(out, data_ptr(), n);
    return;
  }
  Tensor dst = from_blob(out, impl_->sizes, impl_->dtype);
  dst.copy_from(*this);
}

void Tensor::copy_from(const Tensor& src) {
  if (!broadcasts_to(src.sizes(), sizes())) broadcast_shapes(sizes(), src.sizes());
  if (!broadcasts_to(src.sizes(), sizes()))
    throw Error(ErrorKind::Runtime, "output with shape " + dims_str(sizes()) +
                                        " doesn't match the broadcast shape " +
                                        dims_str(broadcast_shapes(sizes(), src.sizes())));
  if (numel() == 0) return;
  if (ranges_overlap(*this, src) && !(data_ptr() == src.data_ptr() && sizes() == src.sizes() &&
                                      strides() == src.strides())) {
    copy_from(src.clone());
    return;
  }
  if (dtype() == src.dtype() && is_contiguous() && src.is_contiguous() && sizes() == src.sizes()) {
    std::memcpy(data_ptr(), src.data_ptr(), static_cast<size_t>(numel()) * element_size());
    return;
  }
  copy_elements(*this, src);
}

Tensor Tensor::to(DType dtype) const {
  if (dtype == impl_->dtype) return *this;
  Tensor t = empty(impl_->sizes, dtype);
  t.copy_from(*this);
  return t;
}

static void check_one_element(const Tensor& t) {
  if (t.numel() != 1)
    throw Error(ErrorKind::Runtime, "a Tensor with " + std::to_string(t.numel()) +
                                        " elements cannot be converted to Scalar");
}

double Tensor::item_double() const {
  check_one_element(*this);
  return EMBER_DISPATCH_ALL_COMPLEX(dtype(), "item", [&] {
    return convert<double>(*static_cast<const scalar_t*>(data_ptr()));
  });
}

int64_t Tensor::item_int() const {
  check_one_element(*this);
  return EMBER_DISPATCH_ALL_COMPLEX(dtype(), "item", [&] {
    return convert<int64_t>(*static_cast<const scalar_t*>(data_ptr()));
  });
}

}  // namespace ember
