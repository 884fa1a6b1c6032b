// ember::load_checkpoint: the tensors of a zip checkpoint (torch.save / ember.save) by name.
#include <cstring>
#include <map>
#include <new>
#include <unordered_map>

#include "checkpoint/pickle.h"
#include "ember/module.h"
#include "loader/bytes.h"
#include "loader/zip.h"
#include "runtime/text.h"

namespace ember {

namespace {

constexpr int kMaxDepth = 32;

[[noreturn]] void fail(const std::string& what) { throw Error(ErrorKind::Load, "checkpoint: " + what); }

class StorageLoader {
 public:
  StorageLoader(const ZipArchive& zip, const Bytes& bytes) : zip_(zip), bytes_(bytes) {}

  // A persistent id ('storage', storage type, key, location, numel) -> a Storage node.
  uint32_t operator()(Unpickler& u, uint32_t pid) {
    const PickleNode& id = u.nodes()[pid];
    if (id.kind != PickleNode::Tuple || id.items.size() < 5) u.fail("a persistent id that is not a storage");
    const auto& n = u.nodes();
    const PickleNode &tag = n[id.items[0]], &type = n[id.items[1]], &key = n[id.items[2]],
                     &count = n[id.items[4]];
    if (tag.kind != PickleNode::Str || tag.s != "storage") u.fail("a persistent id that is not a storage");
    DType dtype;
    if (type.kind != PickleNode::Global || !storage_dtype(type.s, dtype)) u.fail("a storage of unknown type");
    if (key.kind != PickleNode::Str || count.kind != PickleNode::Int || count.i < 0) u.fail("a bad storage id");
    std::string name = key.s;
    int64_t numel = count.i;
    auto seen = by_key_.find(name);
    if (seen != by_key_.end()) {
      const PickleNode& s = u.nodes()[seen->second];
      if (s.dtype != dtype || s.numel != numel) u.fail("storage " + name + " used with two types");
      return seen->second;
    }
    PickleNode node;
    node.kind = PickleNode::Storage;
    node.dtype = dtype;
    node.numel = numel;
    node.storage = storage(name, dtype, numel);
    uint32_t index = u.add(std::move(node));
    by_key_.emplace(name, index);
    return index;
  }

 private:
  std::shared_ptr<Storage> storage(const std::string& key, DType dtype, int64_t numel) {
    std::string record = zip_.prefix() + "/data/" + key;
    const ZipEntry* e = zip_.find(record);
    if (e == nullptr) fail("no record " + record);
    uint64_t nbytes = 0;
    if (__builtin_mul_overflow(static_cast<uint64_t>(numel), itemsize(dtype), &nbytes) ||
        nbytes > e->size) {
      fail("record " + record + " holds " + std::to_string(e->size) + " bytes, fewer than " +
           std::to_string(numel) + " elements of " + std::string(dtype_name(dtype)));
    }
    const uint8_t* data = zip_.stored(*e, false);
    size_t n = static_cast<size_t>(nbytes);
    if (reinterpret_cast<uintptr_t>(data) % itemsize(dtype) != 0) {
      auto copy = Storage::allocate(n);
      if (n) std::memcpy(copy->data(), data, n);
      return copy;
    }
    return Storage::view(const_cast<uint8_t*>(data), n, bytes_.owner);
  }

  const ZipArchive& zip_;
  const Bytes& bytes_;
  std::unordered_map<std::string, uint32_t> by_key_;
};

void flatten(const std::vector<PickleNode>& nodes, uint32_t dict, const std::string& prefix,
             int depth, std::map<std::string, Tensor>& out) {
  if (depth > kMaxDepth) fail("state dict nested more than " + std::to_string(kMaxDepth) + " deep");
  const auto& items = nodes[dict].items;
  for (size_t k = 0; k + 1 < items.size(); k += 2) {
    const PickleNode &key = nodes[items[k]], &value = nodes[items[k + 1]];
    std::string name;
    if (key.kind == PickleNode::Str) name = key.s;
    else if (key.kind == PickleNode::Int) name = std::to_string(key.i);
    else continue;
    if (value.kind == PickleNode::Tensor) out[prefix + name] = value.tensor;
    else if (value.kind == PickleNode::Dict) flatten(nodes, items[k + 1], prefix + name + ".", depth + 1, out);
  }
}

std::map<std::string, Tensor> read_checkpoint(const Bytes& bytes) {
  if (bytes.size >= 2 && bytes.data[0] == 0x80) {
    fail("this is torch.save's legacy (non-zip) format, which the C++ runtime does not read: "
         "re-save it with ember.save or a current torch.save");
  }
  ZipArchive zip(bytes.data, bytes.size);
  const ZipEntry* order = zip.find(zip.prefix() + "/byteorder");
  if (order && order->method == 0 && order->size == 3 &&
      std::memcmp(zip.stored(*order, false), "big", 3) == 0) {
    fail("a big-endian checkpoint");
  }
  std::string name = zip.prefix() + "/data.pkl";
  const ZipEntry* pkl = zip.find(name);
  if (pkl == nullptr) fail("the archive has no " + name + " (not a torch.save checkpoint)");
  const uint8_t* data = zip.stored(*pkl, true);
  Unpickler u(data, static_cast<size_t>(pkl->size), "checkpoint: " + name);
  StorageLoader storages(zip, bytes);
  uint32_t top = u.load(std::ref(storages));
  const PickleNode& root = u.nodes()[top];
  std::map<std::string, Tensor> out;
  if (root.kind != PickleNode::Dict) {
    fail("the checkpoint holds a single object, not a state dict (a dict of tensors)");
  }
  flatten(u.nodes(), top, "", 0, out);
  return out;
}

template <class F>
Result<std::map<std::string, Tensor>> guarded(F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    return with_valid_text(e);
  } catch (const std::bad_alloc&) {
    return Error(ErrorKind::Load, "checkpoint: out of memory");
  } catch (const std::exception& e) {
    return Error(ErrorKind::Load, valid_utf8(std::string("checkpoint: ") + e.what()));
  }
}

}  // namespace

Result<std::map<std::string, Tensor>> load_checkpoint(const std::string& path) {
  return guarded([&] {
    try {
      return read_checkpoint(read_file(path, true));
    } catch (const Error& e) {
      throw Error(e.kind(), path + ": " + e.what());
    }
  });
}

Result<std::map<std::string, Tensor>> load_checkpoint_bytes(const void* data, size_t size) {
  return guarded([&] {
    if (data == nullptr && size != 0) fail("null data");
    return read_checkpoint(copy_bytes(data, size));
  });
}

}  // namespace ember
