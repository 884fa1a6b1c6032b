// The bytes of an archive: a private (copy-on-write) mapping of the file, or a copy in
// 64-byte aligned memory. Tensors viewing the archive keep `owner` alive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace ember {

struct Bytes {
  uint8_t* data = nullptr;  // writable: in-place ops on parameters write to private pages
  size_t size = 0;
  std::shared_ptr<void> owner;
};

// Maps `path` (MAP_PRIVATE) or, when `use_mmap` is false, reads it into memory.
// Throws Error(Load) naming the path when it cannot be opened or read.
Bytes read_file(const std::string& path, bool use_mmap);
// A 64-byte aligned copy of `size` bytes.
Bytes copy_bytes(const void* data, size_t size);

}  // namespace ember
