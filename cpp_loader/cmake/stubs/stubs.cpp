// TEMPORARY stand-ins so the runtime links while its parts land one by one: every function
// declared by the contract headers, defined weak (a real definition always wins) to throw.
// This file is deleted once loader, core and every kernel group are on main.
#include "ember/ember.h"
#include "runtime/kernel.h"

#define EMBER_STUB __attribute__((weak))

namespace ember {
namespace {
[[noreturn]] void missing(const char* what) {
  throw Error(ErrorKind::Runtime, std::string(what) + " is not implemented yet");
}
}  // namespace

// dtype.h
EMBER_STUB size_t itemsize(DType) { missing("itemsize"); }
EMBER_STUB std::string_view dtype_name(DType) { missing("dtype_name"); }
EMBER_STUB bool is_valid_dtype(int64_t) { missing("is_valid_dtype"); }
EMBER_STUB bool is_floating(DType) { missing("is_floating"); }
EMBER_STUB bool is_complex(DType) { missing("is_complex"); }
EMBER_STUB bool is_integral(DType, bool) { missing("is_integral"); }
EMBER_STUB DType promote_types(DType, DType) { missing("promote_types"); }

// tensor.h
EMBER_STUB std::shared_ptr<Storage> Storage::allocate(size_t) { missing("Storage::allocate"); }
EMBER_STUB std::shared_ptr<Storage> Storage::view(void*, size_t, std::shared_ptr<void>) {
  missing("Storage::view");
}
EMBER_STUB Tensor Tensor::empty(const Dims&, DType) { missing("Tensor::empty"); }
EMBER_STUB Tensor Tensor::zeros(const Dims&, DType) { missing("Tensor::zeros"); }
EMBER_STUB Tensor Tensor::from_buffer(const void*, const Dims&, DType) {
  missing("Tensor::from_buffer");
}
EMBER_STUB Tensor Tensor::from_blob(void*, const Dims&, DType, std::shared_ptr<void>) {
  missing("Tensor::from_blob");
}
EMBER_STUB Tensor Tensor::from_vector(const std::vector<float>&) {
  missing("Tensor::from_vector");
}
EMBER_STUB Tensor Tensor::make(std::shared_ptr<Storage>, int64_t, const Dims&, const Dims&,
                               DType) {
  missing("Tensor::make");
}
EMBER_STUB Dims Tensor::contiguous_strides(const Dims&) { missing("Tensor::contiguous_strides"); }
EMBER_STUB int64_t Tensor::size(int64_t) const { missing("Tensor::size"); }
EMBER_STUB int64_t Tensor::stride(int64_t) const { missing("Tensor::stride"); }
EMBER_STUB int64_t Tensor::numel() const { missing("Tensor::numel"); }
EMBER_STUB bool Tensor::is_contiguous() const { missing("Tensor::is_contiguous"); }
EMBER_STUB void* Tensor::data_ptr() const { missing("Tensor::data_ptr"); }
EMBER_STUB Tensor Tensor::as_strided(const Dims&, const Dims&, int64_t) const {
  missing("Tensor::as_strided");
}
EMBER_STUB Tensor Tensor::contiguous() const { missing("Tensor::contiguous"); }
EMBER_STUB Tensor Tensor::clone() const { missing("Tensor::clone"); }
EMBER_STUB void Tensor::copy_to(void*) const { missing("Tensor::copy_to"); }
EMBER_STUB void Tensor::copy_from(const Tensor&) { missing("Tensor::copy_from"); }
EMBER_STUB Tensor Tensor::to(DType) const { missing("Tensor::to"); }
EMBER_STUB double Tensor::item_double() const { missing("Tensor::item_double"); }
EMBER_STUB int64_t Tensor::item_int() const { missing("Tensor::item_int"); }

// value.h
EMBER_STUB const char* tag_name(Tag) { missing("tag_name"); }
EMBER_STUB int64_t Dict::find(const Value&) const { missing("Dict::find"); }
EMBER_STUB void Dict::set(const Value&, const Value&) { missing("Dict::set"); }
EMBER_STUB int64_t ClassInfo::slot(const std::string&) const { missing("ClassInfo::slot"); }
EMBER_STUB Value Value::device(std::string) { missing("Value::device"); }
EMBER_STUB Value Value::list(std::vector<Value>) { missing("Value::list"); }
EMBER_STUB Value Value::tuple(std::vector<Value>) { missing("Value::tuple"); }
EMBER_STUB Value Value::int_list(const std::vector<int64_t>&) { missing("Value::int_list"); }
EMBER_STUB bool Value::to_bool() const { missing("Value::to_bool"); }
EMBER_STUB int64_t Value::to_int() const { missing("Value::to_int"); }
EMBER_STUB double Value::to_double() const { missing("Value::to_double"); }
EMBER_STUB std::complex<double> Value::to_complex() const { missing("Value::to_complex"); }
EMBER_STUB const std::string& Value::to_string() const { missing("Value::to_string"); }
EMBER_STUB const Tensor& Value::to_tensor() const { missing("Value::to_tensor"); }
EMBER_STUB Tensor& Value::to_tensor() { missing("Value::to_tensor"); }
EMBER_STUB const std::shared_ptr<List>& Value::to_list() const { missing("Value::to_list"); }
EMBER_STUB const std::shared_ptr<Tuple>& Value::to_tuple() const { missing("Value::to_tuple"); }
EMBER_STUB const std::shared_ptr<Dict>& Value::to_dict() const { missing("Value::to_dict"); }
EMBER_STUB const std::shared_ptr<Object>& Value::to_object() const {
  missing("Value::to_object");
}
EMBER_STUB const std::vector<Value>& Value::items() const { missing("Value::items"); }
EMBER_STUB std::vector<int64_t> Value::to_int_vector() const { missing("Value::to_int_vector"); }
EMBER_STUB std::vector<double> Value::to_double_vector() const {
  missing("Value::to_double_vector");
}
EMBER_STUB bool Value::is(const Value&) const { missing("Value::is"); }
EMBER_STUB bool Value::equals(const Value&) const { missing("Value::equals"); }

// module.h
EMBER_STUB Result<Value> Module::forward(const std::vector<Value>&) const {
  missing("Module::forward");
}
EMBER_STUB Result<Value> Module::run_method(const std::string&, const std::vector<Value>&) const {
  missing("Module::run_method");
}
EMBER_STUB std::vector<std::string> Module::method_names() const { missing("method_names"); }
EMBER_STUB Result<Value> Module::attribute(const std::string&) const {
  missing("Module::attribute");
}
EMBER_STUB int64_t Module::version() const { missing("Module::version"); }
EMBER_STUB Result<Module> load(const std::string&, const LoadOptions&) {
  return Error(ErrorKind::Load, "ember::load is not implemented yet");
}
EMBER_STUB Result<Module> load_bytes(const void*, size_t, const LoadOptions&) {
  return Error(ErrorKind::Load, "ember::load_bytes is not implemented yet");
}
EMBER_STUB Result<std::map<std::string, Tensor>> load_checkpoint(const std::string&) {
  return Error(ErrorKind::Load, "ember::load_checkpoint is not implemented yet");
}

// kernel.h and kernels/all.cpp
EMBER_STUB Tensor Call::output(uint32_t, const Dims&, DType) const { missing("Call::output"); }
EMBER_STUB void KernelRegistry::add(std::string_view name, KernelFn fn) {
  kernels_[std::string(name)] = fn;
}
EMBER_STUB KernelFn KernelRegistry::find(std::string_view name) const {
  auto it = kernels_.find(std::string(name));
  return it == kernels_.end() ? nullptr : it->second;
}
EMBER_STUB void register_prim_kernels(KernelRegistry&) {}
EMBER_STUB void register_elementwise_kernels(KernelRegistry&) {}
EMBER_STUB void register_shape_kernels(KernelRegistry&) {}
EMBER_STUB void register_nn_kernels(KernelRegistry&) {}

}  // namespace ember
