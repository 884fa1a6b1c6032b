// A restricted unpickler for the data.pkl of a zip checkpoint (torch.save / ember.save):
// the opcodes of protocols 2 to 5 that state dicts use, and only the globals a
// weights_only load accepts (tensor rebuilders, storage types, OrderedDict, torch.device,
// dtypes). Anything else throws Error(Load) naming it; nothing in the file runs.
//
// Objects live in one arena (a vector of nodes referring to each other by index), so a
// damaged or hostile pickle cannot build deep pointer chains or cycles that leak.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ember/tensor.h"

namespace ember {

struct PickleNode {
  enum Kind : uint8_t {
    None, Bool, Int, Float, Str, Bytes, Tuple, List, Dict, Set, Global, Storage, Tensor,
    DType, Device, Mark
  };
  Kind kind = None;
  int64_t i = 0;                    // Bool, Int; DType: the dtype's number
  double d = 0;                     // Float
  std::string s;                    // Str, Bytes, Global ("module.name"), Device
  std::vector<uint32_t> items;      // Tuple, List, Set; Dict: key, value, key, value, ...
  ember::Tensor tensor;             // Tensor
  std::shared_ptr<ember::Storage> storage;  // Storage
  ember::DType dtype = ember::DType::Float32;  // Storage, DType
  int64_t numel = 0;                // Storage: elements
};

class Unpickler {
 public:
  Unpickler(const uint8_t* data, size_t size, std::string where);
  // Runs the pickle; returns the index of the top object. `persistent_load` turns a
  // persistent id (a Tuple node) into a Storage node.
  uint32_t load(const std::function<uint32_t(Unpickler&, uint32_t pid)>& persistent_load);

  std::vector<PickleNode>& nodes() { return nodes_; }
  uint32_t add(PickleNode node);
  [[noreturn]] void fail(const std::string& what) const;

 private:
  void step(uint8_t op);
  uint8_t u8();
  uint64_t uint_le(int n);
  std::string bytes(uint64_t n);
  uint32_t pop();
  uint32_t top() const;
  size_t mark_position();
  std::vector<uint32_t> pop_to_mark();
  void memo_put(uint64_t key);
  void memo_get(uint64_t key);
  void global(const std::string& module, const std::string& name);
  void reduce();
  void setitems(uint32_t dict, const std::vector<uint32_t>& items);
  uint32_t int_node(int64_t v);

  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
  std::string where_;
  std::vector<PickleNode> nodes_;
  std::vector<uint32_t> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, uint32_t> memo_;
  std::function<uint32_t(Unpickler&, uint32_t)> persistent_load_;
  bool stopped_ = false;
};

// The result of a rebuild call: torch._utils._rebuild_tensor_v2 and friends (rebuild.cpp).
uint32_t call_global(Unpickler& u, const std::string& name, uint32_t args);
// Whether `module.name` is a global the unpickler accepts.
bool allowed_global(const std::string& full_name);
// The dtype a storage type global names ("torch.FloatStorage" -> Float32); false if none.
bool storage_dtype(const std::string& full_name, DType& dtype);
// The dtype a dtype global names ("torch.float32"); false if none.
bool dtype_global(const std::string& full_name, DType& dtype);

}  // namespace ember
