// Tensor: PyTorch's storage/view model. A Tensor is a cheap handle (shared
// ownership) to sizes, strides and an offset into a Storage; views share the
// Storage. A Storage either owns aligned memory or views memory someone else
// keeps alive (a mapped archive, a caller's buffer).
#pragma once

#include <complex>
#include <cstdint>
#include <memory>
#include <vector>

#include "ember/dims.h"
#include "ember/dtype.h"

namespace ember {

class Storage {
 public:
  // `nbytes` of 64-byte aligned, uninitialised memory.
  static std::shared_ptr<Storage> allocate(size_t nbytes);
  // Memory owned elsewhere; `owner` is kept alive as long as the storage is.
  static std::shared_ptr<Storage> view(void* data, size_t nbytes, std::shared_ptr<void> owner);

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }

  Storage(void* data, size_t nbytes, std::shared_ptr<void> owner)
      : data_(data), nbytes_(nbytes), owner_(std::move(owner)) {}

 private:
  void* data_;
  size_t nbytes_;
  std::shared_ptr<void> owner_;
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  int64_t offset = 0;  // in elements
  Dims sizes;
  Dims strides;        // in elements
  DType dtype = DType::Float32;
  bool requires_grad = false;
};

class Tensor {
 public:
  Tensor() = default;  // undefined: defined() is false
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // A new contiguous tensor (uninitialised / zeros).
  static Tensor empty(const Dims& sizes, DType dtype);
  static Tensor zeros(const Dims& sizes, DType dtype);
  // Copies `nbytes(sizes, dtype)` bytes from `data` into a new contiguous tensor.
  static Tensor from_buffer(const void* data, const Dims& sizes, DType dtype);
  // Views `data` without copying; `owner` keeps it alive (may be null if the caller does).
  static Tensor from_blob(void* data, const Dims& sizes, DType dtype,
                          std::shared_ptr<void> owner = nullptr);
  // A 1-d float32 tensor of `values`.
  static Tensor from_vector(const std::vector<float>& values);
  // A view of `storage`.
  static Tensor make(std::shared_ptr<Storage> storage, int64_t offset, const Dims& sizes,
                     const Dims& strides, DType dtype);
  // Contiguous strides for `sizes`.
  static Dims contiguous_strides(const Dims& sizes);

  bool defined() const { return impl_ != nullptr; }
  DType dtype() const { return impl_->dtype; }
  int64_t dim() const { return static_cast<int64_t>(impl_->sizes.size()); }
  const Dims& sizes() const { return impl_->sizes; }
  const Dims& strides() const { return impl_->strides; }
  int64_t size(int64_t d) const;    // negative d counts from the end
  int64_t stride(int64_t d) const;
  int64_t storage_offset() const { return impl_->offset; }
  int64_t numel() const;
  size_t element_size() const { return itemsize(impl_->dtype); }
  bool is_contiguous() const;
  bool requires_grad() const { return impl_->requires_grad; }

  // Address of element [0, 0, ...] (the storage's data plus the offset).
  void* data_ptr() const;
  template <class T>
  T* data() const { return static_cast<T*>(data_ptr()); }

  const std::shared_ptr<Storage>& storage() const { return impl_->storage; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  // Whether the two share one TensorImpl (TorchScript's `is`).
  bool same(const Tensor& other) const { return impl_ == other.impl_; }

  // A view with new geometry on the same storage.
  Tensor as_strided(const Dims& sizes, const Dims& strides, int64_t offset) const;
  // This tensor if contiguous, else a contiguous copy.
  Tensor contiguous() const;
  // A contiguous copy.
  Tensor clone() const;
  // Copies the elements, in row-major order, to `out` (numel * element_size bytes).
  void copy_to(void* out) const;
  // Copies `src` into this tensor (same sizes after broadcasting; dtype converted).
  void copy_from(const Tensor& src);
  // The same elements as `dtype` (this tensor when it already has that dtype).
  Tensor to(DType dtype) const;
  // The single element as a double / int64 (numel must be 1).
  double item_double() const;
  int64_t item_int() const;

 private:
  std::shared_ptr<TensorImpl> impl_;
};

}  // namespace ember
