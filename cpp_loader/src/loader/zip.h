// A bounds-checked reader of a zip archive's directory (PyTorch's archives: stored,
// 64-byte aligned records; zip64 for large ones). Every offset and size is checked
// against the bytes before anything is read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace ember {

struct ZipEntry {
  std::string name;
  uint64_t data_offset = 0;   // of the record's (compressed) bytes in the archive
  uint64_t compressed_size = 0;
  uint64_t size = 0;
  uint16_t method = 0;        // 0 stored, 8 deflated
  uint16_t flags = 0;
  uint32_t crc32 = 0;
};

class ZipArchive {
 public:
  // Reads the directory; throws Error(Load) on anything malformed.
  ZipArchive(const uint8_t* data, size_t size);

  // The top folder every PyTorch archive puts its records in ("model" of "model/data.pkl").
  const std::string& prefix() const { return prefix_; }
  const std::vector<ZipEntry>& entries() const { return entries_; }
  // The entry named `name` (full name), or null.
  const ZipEntry* find(const std::string& name) const;
  // The bytes of a stored record, bounds-checked; compressed or encrypted ones are refused.
  // `check_crc` verifies its CRC-32 (worth it for small records such as program.fb).
  const uint8_t* stored(const ZipEntry& entry, bool check_crc) const;

 private:
  void read_directory(uint64_t offset, uint64_t size, uint64_t count);
  uint64_t locate_data(uint64_t local_offset, const std::string& name) const;

  const uint8_t* data_;
  size_t size_;
  std::vector<ZipEntry> entries_;
  std::unordered_map<std::string, size_t> by_name_;
  std::string prefix_;
};

uint32_t crc32(const uint8_t* data, size_t size);

}  // namespace ember
