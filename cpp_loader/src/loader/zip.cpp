#include "loader/zip.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_set>

#include "ember/error.h"

namespace ember {

namespace {

constexpr uint32_t kLocalSig = 0x04034b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50;
constexpr uint32_t kEnd64Sig = 0x06064b50;
constexpr uint32_t kLocator64Sig = 0x07064b50;
constexpr size_t kEndSize = 22;
constexpr size_t kCentralSize = 46;
constexpr size_t kLocalSize = 30;

[[noreturn]] void fail(const std::string& what) {
  throw Error(ErrorKind::Load, "archive: " + what);
}

// Little-endian reads from [data, data + size): every read is checked.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size, uint64_t at, const char* what)
      : data_(data), size_(size), at_(at), what_(what) {}
  uint16_t u16() { return static_cast<uint16_t>(take(2)); }
  uint32_t u32() { return static_cast<uint32_t>(take(4)); }
  uint64_t u64() { return take(8); }
  void skip(uint64_t n) { need(n), at_ += n; }
  std::string str(uint64_t n) {
    need(n);
    std::string s(reinterpret_cast<const char*>(data_ + at_), static_cast<size_t>(n));
    at_ += n;
    return s;
  }
  uint64_t at() const { return at_; }

 private:
  void need(uint64_t n) const {
    if (at_ > size_ || n > size_ - at_) fail(std::string(what_) + " runs past the end of the file");
  }
  uint64_t take(int n) {
    need(static_cast<uint64_t>(n));
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | data_[at_ + static_cast<uint64_t>(i)];
    at_ += static_cast<uint64_t>(n);
    return v;
  }
  const uint8_t* data_;
  size_t size_;
  uint64_t at_;
  const char* what_;
};

uint32_t sig_at(const uint8_t* data, size_t size, uint64_t at) {
  if (at > size || size - at < 4) return 0;
  return Reader(data, size, at, "signature").u32();
}

std::string lower(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The zip64 extended information extra field: the values the header left at 0xFFFFFFFF.
void read_zip64_extra(const std::string& extra, ZipEntry& e, uint64_t& local_offset,
                      bool need_size, bool need_csize, bool need_offset) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(extra.data());
  size_t at = 0;
  while (extra.size() - at >= 4) {
    Reader head(p, extra.size(), at, "zip64 extra field");
    uint16_t id = head.u16();
    uint16_t len = head.u16();
    if (extra.size() - at - 4 < len) fail("record " + e.name + ": extra field runs past its end");
    if (id == 0x0001) {
      Reader r(p, at + 4 + len, at + 4, "zip64 extra field");
      if (need_size) e.size = r.u64();
      if (need_csize) e.compressed_size = r.u64();
      if (need_offset) local_offset = r.u64();
      return;
    }
    at += 4 + len;
  }
  if (need_size || need_csize || need_offset) {
    fail("record " + e.name + ": zip64 sizes without a zip64 extra field");
  }
}

}  // namespace

uint32_t crc32(const uint8_t* data, size_t size) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) c = table[(c ^ data[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

ZipArchive::ZipArchive(const uint8_t* data, size_t size) : data_(data), size_(size) {
  if (size < kEndSize) fail("too short to be a zip file (" + std::to_string(size) + " bytes)");
  // The end of central directory record: the last one whose comment ends at the file's end.
  uint64_t end = 0;
  bool found = false;
  uint64_t lowest = size > kEndSize + 0xFFFF ? size - kEndSize - 0xFFFF : 0;
  for (uint64_t at = size - kEndSize + 1; at-- > lowest;) {
    if (sig_at(data, size, at) != kEndSig) continue;
    Reader r(data, size, at + 20, "end of central directory");
    if (at + kEndSize + r.u16() == size) {
      end = at;
      found = true;
      break;
    }
  }
  if (!found) fail("not a zip file (no end of central directory record)");
  Reader r(data, size, end + 4, "end of central directory");
  uint16_t disk = r.u16(), cd_disk = r.u16();
  uint64_t on_disk = r.u16(), count = r.u16();
  uint64_t cd_size = r.u32(), cd_offset = r.u32();
  if (count == 0xFFFF || cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF) {
    if (end < 20 || sig_at(data, size, end - 20) != kLocator64Sig) {
      fail("zip64 sizes without a zip64 end of central directory locator");
    }
    Reader loc(data, size, end - 20 + 8, "zip64 locator");
    uint64_t at64 = loc.u64();
    if (sig_at(data, size, at64) != kEnd64Sig) fail("bad zip64 end of central directory offset");
    Reader e64(data, size, at64 + 4, "zip64 end of central directory");
    e64.skip(8 + 2 + 2);
    disk = static_cast<uint16_t>(e64.u32() != 0);
    cd_disk = static_cast<uint16_t>(e64.u32() != 0);
    on_disk = e64.u64();
    count = e64.u64();
    cd_size = e64.u64();
    cd_offset = e64.u64();
  }
  if (disk != 0 || cd_disk != 0 || on_disk != count) fail("multi-disk archives are not supported");
  if (cd_offset > size || cd_size > size - cd_offset) {
    fail("central directory (offset " + std::to_string(cd_offset) + ", " +
         std::to_string(cd_size) + " bytes) lies outside the file (" + std::to_string(size) +
         " bytes)");
  }
  if (count > cd_size / kCentralSize) fail("more entries than the central directory can hold");
  read_directory(cd_offset, cd_size, count);
}

void ZipArchive::read_directory(uint64_t offset, uint64_t size, uint64_t count) {
  const uint8_t* cd = data_ + offset;
  Reader r(cd, static_cast<size_t>(size), 0, "central directory");
  std::unordered_set<std::string> folded;
  entries_.reserve(static_cast<size_t>(count));
  for (uint64_t i = 0; i < count; ++i) {
    if (r.u32() != kCentralSig) fail("bad central directory entry " + std::to_string(i));
    ZipEntry e;
    r.skip(4);
    e.flags = r.u16();
    e.method = r.u16();
    r.skip(4);
    e.crc32 = r.u32();
    e.compressed_size = r.u32();
    e.size = r.u32();
    uint16_t name_len = r.u16(), extra_len = r.u16(), comment_len = r.u16();
    r.skip(8);
    uint64_t local = r.u32();
    e.name = r.str(name_len);
    std::string extra = r.str(extra_len);
    r.skip(comment_len);
    read_zip64_extra(extra, e, local, e.size == 0xFFFFFFFF, e.compressed_size == 0xFFFFFFFF,
                     local == 0xFFFFFFFF);
    if (e.name.empty()) fail("a record with an empty name");
    if (e.name.find('\0') != std::string::npos) fail("a record name holds a NUL byte");
    if (!folded.insert(lower(e.name)).second) {
      fail("duplicate record " + e.name + " (names must differ, also in case)");
    }
    e.data_offset = locate_data(local, e.name);
    if (e.compressed_size > size_ - e.data_offset) {
      fail("record " + e.name + " (" + std::to_string(e.compressed_size) +
           " bytes at offset " + std::to_string(e.data_offset) + ") runs past the end of the file");
    }
    by_name_.emplace(e.name, entries_.size());
    entries_.push_back(std::move(e));
  }
  if (!entries_.empty()) {
    const std::string& first = entries_.front().name;
    size_t slash = first.find('/');
    prefix_ = slash == std::string::npos ? std::string() : first.substr(0, slash);
  }
}

uint64_t ZipArchive::locate_data(uint64_t local_offset, const std::string& name) const {
  if (sig_at(data_, size_, local_offset) != kLocalSig) {
    fail("record " + name + ": no local header at offset " + std::to_string(local_offset));
  }
  Reader r(data_, size_, local_offset + 26, "local header");
  uint64_t name_len = r.u16(), extra_len = r.u16();
  r.skip(name_len + extra_len);
  return r.at();
}

const ZipEntry* ZipArchive::find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &entries_[it->second];
}

const uint8_t* ZipArchive::stored(const ZipEntry& entry, bool check_crc) const {
  if (entry.flags & 1) fail("record " + entry.name + " is encrypted");
  if (entry.method != 0) {
    fail("record " + entry.name + " is compressed (method " + std::to_string(entry.method) +
         "); the runtime reads stored records only: rewrite the archive with ember.jit.save "
         "or `ember convert`");
  }
  if (entry.compressed_size != entry.size) {
    fail("stored record " + entry.name + " has two sizes (" + std::to_string(entry.size) +
         " and " + std::to_string(entry.compressed_size) + ")");
  }
  const uint8_t* p = data_ + entry.data_offset;
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
  check_crc = false;  // let the fuzzer's mutations reach the verifier and validation
#endif
  if (check_crc && crc32(p, static_cast<size_t>(entry.size)) != entry.crc32) {
    fail("record " + entry.name + " is damaged (CRC-32 mismatch)");
  }
  return p;
}

}  // namespace ember
