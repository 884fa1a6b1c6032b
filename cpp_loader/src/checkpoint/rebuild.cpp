// The globals a weights-only checkpoint may name, and what calling them builds.
#include <unordered_map>

#include "checkpoint/pickle.h"
#include "ember/error.h"
#include "loader/view.h"

namespace ember {

namespace {

const std::unordered_map<std::string, DType>& storage_types() {
  static const std::unordered_map<std::string, DType> table = {
      {"torch.FloatStorage", DType::Float32},       {"torch.DoubleStorage", DType::Float64},
      {"torch.HalfStorage", DType::Float16},        {"torch.BFloat16Storage", DType::BFloat16},
      {"torch.LongStorage", DType::Int64},          {"torch.IntStorage", DType::Int32},
      {"torch.ShortStorage", DType::Int16},         {"torch.CharStorage", DType::Int8},
      {"torch.ByteStorage", DType::UInt8},          {"torch.BoolStorage", DType::Bool},
      {"torch.ComplexFloatStorage", DType::Complex64},
      {"torch.ComplexDoubleStorage", DType::Complex128},
      {"torch.UntypedStorage", DType::UInt8},       {"torch.storage.UntypedStorage", DType::UInt8},
  };
  return table;
}

const std::unordered_map<std::string, DType>& dtypes() {
  static const std::unordered_map<std::string, DType> table = {
      {"torch.float32", DType::Float32}, {"torch.float", DType::Float32},
      {"torch.float64", DType::Float64}, {"torch.double", DType::Float64},
      {"torch.float16", DType::Float16}, {"torch.half", DType::Float16},
      {"torch.bfloat16", DType::BFloat16}, {"torch.int64", DType::Int64},
      {"torch.long", DType::Int64},      {"torch.int32", DType::Int32},
      {"torch.int", DType::Int32},       {"torch.int16", DType::Int16},
      {"torch.short", DType::Int16},     {"torch.int8", DType::Int8},
      {"torch.uint8", DType::UInt8},     {"torch.bool", DType::Bool},
      {"torch.complex64", DType::Complex64}, {"torch.complex128", DType::Complex128},
  };
  return table;
}

const char* const kCallables[] = {
    "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
    "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
    "torch._tensor._rebuild_from_type_v2", "collections.OrderedDict", "torch.device",
    "torch.Size", "torch.Tensor", "torch.nn.parameter.Parameter",
};

std::vector<uint32_t> args_of(Unpickler& u, uint32_t args, size_t at_least, const std::string& fn) {
  const PickleNode& n = u.nodes()[args];
  if (n.kind != PickleNode::Tuple || n.items.size() < at_least) {
    u.fail(fn + " takes at least " + std::to_string(at_least) + " arguments");
  }
  return n.items;
}

const PickleNode& expect(Unpickler& u, uint32_t i, PickleNode::Kind kind, const std::string& what) {
  const PickleNode& n = u.nodes()[i];
  if (n.kind != kind) u.fail(what);
  return n;
}

Dims int_tuple(Unpickler& u, uint32_t i, const std::string& what) {
  const PickleNode& t = u.nodes()[i];
  if (t.kind != PickleNode::Tuple && t.kind != PickleNode::List) u.fail(what + " is not a tuple");
  if (t.items.size() > 64) u.fail(what + " has too many dimensions");
  Dims out;
  for (uint32_t item : t.items) out.push_back(expect(u, item, PickleNode::Int, what + " holds a non-integer").i);
  return out;
}

uint32_t tensor_node(Unpickler& u, Tensor t) {
  PickleNode n;
  n.kind = PickleNode::Tensor;
  n.tensor = std::move(t);
  return u.add(std::move(n));
}

// _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata]) and
// v3 (..., dtype[, metadata]), which views an untyped storage's bytes as `dtype`.
uint32_t rebuild_tensor(Unpickler& u, uint32_t args, bool v3) {
  const char* fn = v3 ? "_rebuild_tensor_v3" : "_rebuild_tensor_v2";
  auto a = args_of(u, args, v3 ? 7 : 4, fn);
  const PickleNode& s = expect(u, a[0], PickleNode::Storage, std::string(fn) + ": not a storage");
  int64_t offset = expect(u, a[1], PickleNode::Int, std::string(fn) + ": bad offset").i;
  Dims sizes = int_tuple(u, a[2], "size"), strides = int_tuple(u, a[3], "stride");
  DType dtype = s.dtype;
  int64_t numel = s.numel;
  if (v3) {
    dtype = static_cast<DType>(expect(u, a[6], PickleNode::DType, "v3: bad dtype").i);
    numel = static_cast<int64_t>(s.storage->nbytes() / itemsize(dtype));
  }
  check_view(numel, offset, sizes, strides, "checkpoint tensor");
  Tensor t = Tensor::make(s.storage, offset, sizes, strides, dtype);
  if (a.size() > 4 && u.nodes()[a[4]].kind == PickleNode::Bool) {
    t.impl()->requires_grad = u.nodes()[a[4]].i != 0;
  }
  return tensor_node(u, std::move(t));
}

uint32_t rebuild_parameter(Unpickler& u, uint32_t args) {
  auto a = args_of(u, args, 2, "_rebuild_parameter");
  const PickleNode& data = expect(u, a[0], PickleNode::Tensor, "_rebuild_parameter: not a tensor");
  Tensor t = data.tensor;
  if (u.nodes()[a[1]].kind == PickleNode::Bool) t.impl()->requires_grad = u.nodes()[a[1]].i != 0;
  return tensor_node(u, std::move(t));
}

uint32_t ordered_dict(Unpickler& u, uint32_t args) {
  std::vector<uint32_t> pairs;
  const auto& a = u.nodes()[args].items;
  if (a.size() > 1) u.fail("OrderedDict takes at most one argument");
  if (a.size() == 1) {
    const PickleNode& list = u.nodes()[a[0]];
    if (list.kind != PickleNode::List && list.kind != PickleNode::Tuple) u.fail("OrderedDict of a non-list");
    for (uint32_t item : list.items) {
      const PickleNode& pair = u.nodes()[item];
      if (pair.kind != PickleNode::Tuple || pair.items.size() != 2) u.fail("OrderedDict item is not a pair");
      pairs.push_back(pair.items[0]);
      pairs.push_back(pair.items[1]);
    }
  }
  PickleNode n;
  n.kind = PickleNode::Dict;
  n.items = std::move(pairs);
  return u.add(std::move(n));
}

}  // namespace

bool storage_dtype(const std::string& full_name, DType& dtype) {
  auto it = storage_types().find(full_name);
  if (it == storage_types().end()) return false;
  dtype = it->second;
  return true;
}

bool dtype_global(const std::string& full_name, DType& dtype) {
  auto it = dtypes().find(full_name);
  if (it == dtypes().end()) return false;
  dtype = it->second;
  return true;
}

bool allowed_global(const std::string& full_name) {
  for (const char* c : kCallables) {
    if (full_name == c) return true;
  }
  return storage_types().count(full_name) || dtypes().count(full_name);
}

uint32_t call_global(Unpickler& u, const std::string& name, uint32_t args) {
  if (name == "torch._utils._rebuild_tensor_v2") return rebuild_tensor(u, args, false);
  if (name == "torch._utils._rebuild_tensor_v3") return rebuild_tensor(u, args, true);
  if (name == "torch._utils._rebuild_parameter" ||
      name == "torch._utils._rebuild_parameter_with_state") {
    return rebuild_parameter(u, args);
  }
  if (name == "collections.OrderedDict") return ordered_dict(u, args);
  if (name == "torch._tensor._rebuild_from_type_v2") {
    auto a = args_of(u, args, 3, "_rebuild_from_type_v2");
    const PickleNode& fn = expect(u, a[0], PickleNode::Global, "_rebuild_from_type_v2: bad function");
    const PickleNode& type = expect(u, a[1], PickleNode::Global, "_rebuild_from_type_v2: bad type");
    if (type.s != "torch.Tensor" && type.s != "torch.nn.parameter.Parameter") {
      u.fail("_rebuild_from_type_v2 of " + type.s);
    }
    if (fn.s == "torch._tensor._rebuild_from_type_v2") u.fail("_rebuild_from_type_v2 calls itself");
    std::string fn_name = fn.s;
    return call_global(u, fn_name, a[2]);
  }
  if (name == "torch.device") {
    auto a = args_of(u, args, 1, "torch.device");
    PickleNode n;
    n.kind = PickleNode::Device;
    n.s = expect(u, a[0], PickleNode::Str, "torch.device of a non-string").s;
    return u.add(std::move(n));
  }
  if (name == "torch.Size") {
    auto a = args_of(u, args, 1, "torch.Size");
    PickleNode n;
    n.kind = PickleNode::Tuple;
    n.items = u.nodes()[a[0]].items;
    return u.add(std::move(n));
  }
  auto it = dtypes().find(name);
  if (it != dtypes().end()) u.fail("calling the dtype " + name);
  u.fail("calling " + name + " is not supported");
}

}  // namespace ember
