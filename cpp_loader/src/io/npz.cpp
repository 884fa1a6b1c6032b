// .npz: a zip of .npy members. Reading checks every offset and size against the file;
// writing stores the members uncompressed.
#include "io/npz.h"

#include <dlfcn.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "ember/error.h"

#if __has_include(<zlib.h>)
#include <zlib.h>
#define EMBER_HAVE_ZLIB_H 1
#endif

namespace ember {

namespace {

[[noreturn]] void bad(const std::string& what, const std::string& why) {
  throw Error(ErrorKind::Load, what + ": " + why);
}

uint64_t le(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

void put(std::string& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

struct Entry {
  std::string name;
  uint16_t flags = 0, method = 0;
  uint32_t crc = 0;
  uint64_t csize = 0, usize = 0, local = 0;
};

// Fields stored as 0xFFFFFFFF take their value from the zip64 extra field (id 1).
void apply_zip64(Entry& e, const uint8_t* x, size_t n, bool u, bool c, bool l,
                 const std::string& what) {
  size_t i = 0;
  while (i + 4 <= n) {
    uint16_t id = static_cast<uint16_t>(le(x + i, 2)), len = static_cast<uint16_t>(le(x + i + 2, 2));
    if (i + 4 + len > n) bad(what, "bad zip extra field");
    if (id == 1) {
      const uint8_t* p = x + i + 4;
      size_t left = len;
      auto take = [&](uint64_t& v) {
        if (left < 8) bad(what, "bad zip64 extra field");
        v = le(p, 8);
        p += 8;
        left -= 8;
      };
      if (u) take(e.usize);
      if (c) take(e.csize);
      if (l) take(e.local);
      return;
    }
    i += 4 + len;
  }
  if (u || c || l) bad(what, "zip64 sizes without a zip64 extra field");
}

std::vector<Entry> central_directory(const uint8_t* d, size_t size, const std::string& what) {
  if (size < 22) bad(what, "not a zip file (too short)");
  size_t eocd = std::string::npos;
  size_t lowest = size > 22 + 65535 ? size - 22 - 65535 : 0;
  for (size_t i = size - 22 + 1; i-- > lowest;)
    if (le(d + i, 4) == 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd == std::string::npos) bad(what, "not a zip file (no end of central directory)");
  uint64_t count = le(d + eocd + 10, 2), cd_size = le(d + eocd + 12, 4), cd_off = le(d + eocd + 16, 4);
  if ((count == 0xffff || cd_off == 0xffffffffu || cd_size == 0xffffffffu) && eocd >= 20 &&
      le(d + eocd - 20, 4) == 0x07064b50) {
    uint64_t z = le(d + eocd - 20 + 8, 8);
    if (z > size - 56 || size < 56 || le(d + z, 4) != 0x06064b50) bad(what, "bad zip64 end record");
    count = le(d + z + 32, 8);
    cd_size = le(d + z + 40, 8);
    cd_off = le(d + z + 48, 8);
  }
  if (cd_off > size || cd_size > size - cd_off) bad(what, "zip central directory out of bounds");
  if (count > cd_size / 46) bad(what, "bad zip entry count");
  std::vector<Entry> entries;
  size_t p = cd_off, end = cd_off + cd_size;
  for (uint64_t k = 0; k < count; ++k) {
    if (end - p < 46 || le(d + p, 4) != 0x02014b50) bad(what, "bad zip central directory entry");
    Entry e;
    e.flags = static_cast<uint16_t>(le(d + p + 8, 2));
    e.method = static_cast<uint16_t>(le(d + p + 10, 2));
    e.crc = static_cast<uint32_t>(le(d + p + 16, 4));
    e.csize = le(d + p + 20, 4);
    e.usize = le(d + p + 24, 4);
    size_t nlen = le(d + p + 28, 2), xlen = le(d + p + 30, 2), clen = le(d + p + 32, 2);
    e.local = le(d + p + 42, 4);
    if (end - p - 46 < nlen + xlen + clen) bad(what, "zip central directory entry out of bounds");
    e.name.assign(reinterpret_cast<const char*>(d + p + 46), nlen);
    apply_zip64(e, d + p + 46 + nlen, xlen, e.usize == 0xffffffffu, e.csize == 0xffffffffu,
                e.local == 0xffffffffu, what);
    entries.push_back(std::move(e));
    p += 46 + nlen + xlen + clen;
  }
  return entries;
}

#ifdef EMBER_HAVE_ZLIB_H
// zlib is loaded on first use: only deflated npz members need it, so the runtime library
// and ember-run carry no link dependency (and no start-up cost) for it.
struct Zlib {
  decltype(&inflateInit2_) init = nullptr;
  decltype(&inflate) run = nullptr;
  decltype(&inflateEnd) end = nullptr;
};

const Zlib* zlib() {
  static const Zlib loaded = [] {
    Zlib z;
    void* h = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!h) h = dlopen("libz.dylib", RTLD_NOW | RTLD_LOCAL);
    if (!h) h = dlopen("libz.so", RTLD_NOW | RTLD_LOCAL);
    if (!h) return z;
    z.init = reinterpret_cast<decltype(&inflateInit2_)>(dlsym(h, "inflateInit2_"));
    z.run = reinterpret_cast<decltype(&inflate)>(dlsym(h, "inflate"));
    z.end = reinterpret_cast<decltype(&inflateEnd)>(dlsym(h, "inflateEnd"));
    return z;
  }();
  return loaded.init && loaded.run && loaded.end ? &loaded : nullptr;
}

std::vector<uint8_t> inflate_raw(const uint8_t* src, size_t csize, size_t usize,
                                 const std::string& what) {
  const Zlib* z = zlib();
  if (!z) bad(what, "a deflated member needs zlib, which could not be loaded");
  std::vector<uint8_t> out(usize);
  z_stream s;
  std::memset(&s, 0, sizeof s);
  if (z->init(&s, -MAX_WBITS, ZLIB_VERSION, static_cast<int>(sizeof(z_stream))) != Z_OK)
    bad(what, "zlib initialisation failed");
  s.next_in = const_cast<Bytef*>(src);
  s.avail_in = static_cast<uInt>(csize);
  s.next_out = out.data();
  s.avail_out = static_cast<uInt>(usize);
  int rc = z->run(&s, Z_FINISH);
  size_t produced = s.total_out;
  z->end(&s);
  if (rc != Z_STREAM_END || produced != usize) bad(what, "corrupt deflated data");
  return out;
}
#else
std::vector<uint8_t> inflate_raw(const uint8_t*, size_t, size_t, const std::string& what) {
  bad(what, "deflated npz members are not supported (built without zlib.h)");
}
#endif

std::vector<uint8_t> read_file(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f) throw Error(ErrorKind::Load, path + ": cannot open: " + std::strerror(errno));
  std::vector<uint8_t> data;
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) data.insert(data.end(), buf, buf + n);
  if (std::ferror(f.get())) throw Error(ErrorKind::Load, path + ": read error");
  return data;
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  std::string tmp = path + ".tmp" + std::to_string(getpid());
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw Error(ErrorKind::Runtime, path + ": cannot write: " + std::strerror(errno));
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error(ErrorKind::Runtime, path + ": write failed: " + std::strerror(errno));
  }
}

}  // namespace

uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (size_t i = 0; i < size; ++i) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

NamedTensors parse_npz(const uint8_t* d, size_t size, const std::string& what) {
  NamedTensors out;
  for (const Entry& e : central_directory(d, size, what)) {
    std::string member = what + ":" + e.name;
    if (e.flags & 1) bad(member, "encrypted zip members are not supported");
    if (e.local > size || size - e.local < 30 || le(d + e.local, 4) != 0x04034b50)
      bad(member, "bad zip local header");
    uint64_t start = e.local + 30 + le(d + e.local + 26, 2) + le(d + e.local + 28, 2);
    if (start > size || e.csize > size - start) bad(member, "zip member out of bounds");
    const uint8_t* src = d + start;
    std::vector<uint8_t> inflated;
    if (e.method == 8) {
      if (e.usize > e.csize * 1032 + 1024) bad(member, "implausible uncompressed size");
      inflated = inflate_raw(src, e.csize, e.usize, member);
      src = inflated.data();
    } else if (e.method != 0 || e.csize != e.usize) {
      bad(member, "unsupported zip compression method " + std::to_string(e.method));
    }
    if (crc32(src, e.usize) != e.crc) bad(member, "CRC mismatch");
    std::string name = e.name;
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0) name.resize(name.size() - 4);
    out.emplace_back(name, parse_npy(src, e.usize, member));
  }
  return out;
}

NamedTensors read_npz(const std::string& path) {
  std::vector<uint8_t> data = read_file(path);
  return parse_npz(data.data(), data.size(), path);
}

Tensor read_npy(const std::string& path) {
  std::vector<uint8_t> data = read_file(path);
  return parse_npy(data.data(), data.size(), path);
}

void write_npy(const std::string& path, const Tensor& t) { write_file_atomic(path, format_npy(t)); }

void write_npz(const std::string& path, const NamedTensors& arrays) {
  if (arrays.size() > 0xffff)
    throw Error(ErrorKind::Runtime, path + ": too many arrays for npz (" + std::to_string(arrays.size()) + ")");
  std::string out, central;
  for (const auto& [name, tensor] : arrays) {
    std::string body = format_npy(tensor), file = name + ".npy";
    if (body.size() >= 0xffffffffu || out.size() >= 0xffffffffu)
      throw Error(ErrorKind::Runtime, path + ": array '" + name + "' is too large for npz");
    uint32_t crc = crc32(reinterpret_cast<const uint8_t*>(body.data()), body.size());
    uint64_t offset = out.size();
    std::string common;  // version needed .. name length, shared by both headers
    put(common, 20, 2);                  // version needed
    put(common, 0, 2);                   // flags
    put(common, 0, 2);                   // stored
    put(common, 0, 2);                   // time
    put(common, (0 << 9) | (1 << 5) | 1, 2);  // date: 1980-01-01
    put(common, crc, 4);
    put(common, body.size(), 4);
    put(common, body.size(), 4);
    put(common, file.size(), 2);
    put(out, 0x04034b50, 4);
    out += common;
    put(out, 0, 2);  // extra length
    out += file;
    out += body;
    put(central, 0x02014b50, 4);
    put(central, 20, 2);  // version made by
    central += common;
    put(central, 0, 2);   // extra
    put(central, 0, 2);   // comment
    put(central, 0, 2);   // disk
    put(central, 0, 2);   // internal attributes
    put(central, 0, 4);   // external attributes
    put(central, offset, 4);
    central += file;
  }
  uint64_t cd_off = out.size();
  out += central;
  put(out, 0x06054b50, 4);
  put(out, 0, 2);
  put(out, 0, 2);
  put(out, arrays.size(), 2);
  put(out, arrays.size(), 2);
  put(out, central.size(), 4);
  put(out, cd_off, 4);
  put(out, 0, 2);
  write_file_atomic(path, out);
}

}  // namespace ember
