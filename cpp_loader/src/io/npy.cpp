// .npy: a magic string, a Python-literal header dict, then the raw elements.
#include <algorithm>
#include <cstring>
#include <string>

#include "core/iter.h"
#include "ember/error.h"
#include "io/npz.h"

namespace ember {

namespace {

const char kMagic[] = "\x93NUMPY";

[[noreturn]] void bad(const std::string& what, const std::string& why) {
  throw Error(ErrorKind::Load, what + ": " + why);
}

struct Header {
  std::string descr;
  bool fortran = false;
  Dims shape;
  bool has_descr = false, has_shape = false, has_order = false;
};

// A tiny reader for the header's Python dict literal.
class Literal {
 public:
  Literal(const std::string& text, const std::string& what) : s_(text), what_(what) {}

  Header parse() {
    Header h;
    expect('{');
    while (!peek('}')) {
      std::string key = string();
      expect(':');
      if (key == "descr") {
        if (!peek('\'') && !peek('"')) bad(what_, "structured npy dtypes are not supported");
        h.descr = string();
        h.has_descr = true;
      } else if (key == "fortran_order") {
        h.fortran = boolean();
        h.has_order = true;
      } else if (key == "shape") {
        h.shape = tuple();
        h.has_shape = true;
      } else {
        bad(what_, "unexpected npy header key '" + key + "'");
      }
      if (!peek('}')) expect(',');
    }
    expect('}');
    if (!h.has_descr || !h.has_shape || !h.has_order) bad(what_, "npy header lacks a key");
    return h;
  }

 private:
  void skip() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t')) ++i_;
  }
  bool peek(char c) {
    skip();
    return i_ < s_.size() && s_[i_] == c;
  }
  void expect(char c) {
    if (!peek(c)) bad(what_, std::string("malformed npy header (expected '") + c + "')");
    ++i_;
  }
  std::string string() {
    skip();
    if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"')) bad(what_, "malformed npy header");
    char q = s_[i_++];
    size_t end = s_.find(q, i_);
    if (end == std::string::npos) bad(what_, "malformed npy header (unterminated string)");
    std::string out = s_.substr(i_, end - i_);
    i_ = end + 1;
    return out;
  }
  bool boolean() {
    skip();
    if (s_.compare(i_, 4, "True") == 0) return i_ += 4, true;
    if (s_.compare(i_, 5, "False") == 0) return i_ += 5, false;
    bad(what_, "malformed npy header (fortran_order)");
  }
  Dims tuple() {
    Dims out;
    expect('(');
    while (!peek(')')) {
      skip();
      int64_t v = 0;
      size_t digits = 0;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
        if (v > (INT64_MAX - 9) / 10) bad(what_, "npy shape too large");
        v = v * 10 + (s_[i_++] - '0');
        ++digits;
      }
      if (!digits) bad(what_, "malformed npy header (shape)");
      if (peek('L')) ++i_;
      out.push_back(v);
      if (!peek(')')) expect(',');
    }
    expect(')');
    return out;
  }

  const std::string& s_;
  const std::string& what_;
  size_t i_ = 0;
};

bool host_little_endian() {
  uint16_t probe = 1;
  uint8_t first;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

DType descr_dtype(const std::string& d, bool& swap, const std::string& what) {
  if (d.size() < 3) bad(what, "unsupported npy dtype '" + d + "'");
  char order = d[0];
  std::string code = d.substr(1);
  DType dt;
  if (code == "b1") dt = DType::Bool;
  else if (code == "u1") dt = DType::UInt8;
  else if (code == "i1") dt = DType::Int8;
  else if (code == "i2") dt = DType::Int16;
  else if (code == "i4") dt = DType::Int32;
  else if (code == "i8") dt = DType::Int64;
  else if (code == "f2") dt = DType::Float16;
  else if (code == "f4") dt = DType::Float32;
  else if (code == "f8") dt = DType::Float64;
  else if (code == "c8") dt = DType::Complex64;
  else if (code == "c16") dt = DType::Complex128;
  else if (code == "V2") dt = DType::BFloat16;
  else bad(what, "unsupported npy dtype '" + d + "'");
  if (order != '<' && order != '>' && order != '|' && order != '=') bad(what, "bad npy dtype '" + d + "'");
  bool host_le = host_little_endian();
  swap = itemsize(dt) > 1 && ((order == '>' && host_le) || (order == '<' && !host_le));
  return dt;
}

void byteswap(uint8_t* p, size_t count, size_t width) {
  for (size_t i = 0; i < count; ++i, p += width)
    for (size_t a = 0, b = width - 1; a < b; ++a, --b) std::swap(p[a], p[b]);
}

uint32_t read_le(const uint8_t* p, int n) {
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

Tensor parse_npy(const uint8_t* data, size_t size, const std::string& what) {
  if (size < 10 || std::memcmp(data, kMagic, 6) != 0) bad(what, "not an npy file");
  int major = data[6];
  size_t header_len, start;
  if (major == 1) {
    header_len = read_le(data + 8, 2);
    start = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) bad(what, "truncated npy header");
    header_len = read_le(data + 8, 4);
    start = 12;
  } else {
    bad(what, "unsupported npy format version " + std::to_string(major));
  }
  if (header_len > size - start) bad(what, "truncated npy header");
  std::string text(reinterpret_cast<const char*>(data + start), header_len);
  Header h = Literal(text, what).parse();
  bool swap = false;
  DType dtype = descr_dtype(h.descr, swap, what);
  size_t offset = start + header_len;
  uint64_t count = 1;
  for (int64_t s : h.shape) {
    if (s != 0 && count > (size - offset) / static_cast<uint64_t>(s)) bad(what, "npy data truncated");
    count *= static_cast<uint64_t>(s);
  }
  size_t item = itemsize(dtype);
  if (count > (size - offset) / item) bad(what, "npy data truncated");
  Dims shape = h.shape;
  if (h.fortran) std::reverse(shape.begin(), shape.end());
  Tensor t = Tensor::from_buffer(data + offset, shape, dtype);
  if (swap) {
    size_t width = is_complex(dtype) ? item / 2 : item;
    byteswap(static_cast<uint8_t*>(t.data_ptr()), count * item / width, width);
  }
  if (!h.fortran || shape.size() < 2) return t;
  Dims strides = t.strides();
  std::reverse(strides.begin(), strides.end());
  return t.as_strided(h.shape, strides, 0).contiguous();
}

std::string format_npy(const Tensor& t) {
  bool le = host_little_endian();
  const char* code = nullptr;
  switch (t.dtype()) {
    case DType::Bool: code = "|b1"; break;
    case DType::UInt8: code = "|u1"; break;
    case DType::Int8: code = "|i1"; break;
    case DType::Int16: code = "i2"; break;
    case DType::Int32: code = "i4"; break;
    case DType::Int64: code = "i8"; break;
    case DType::Float16: code = "f2"; break;
    case DType::Float32: code = "f4"; break;
    case DType::Float64: code = "f8"; break;
    case DType::Complex64: code = "c8"; break;
    case DType::Complex128: code = "c16"; break;
    case DType::BFloat16: code = "V2"; break;
    default:
      throw Error(ErrorKind::Runtime,
                  "cannot write a " + std::string(dtype_name(t.dtype())) + " tensor to npy");
  }
  std::string descr = code[0] == '|' ? code : std::string(le ? "<" : ">") + code;
  std::string shape = "(";
  for (int64_t i = 0; i < t.dim(); ++i) shape += std::to_string(t.sizes()[i]) + (t.dim() == 1 ? "," : (i + 1 < t.dim() ? ", " : ""));
  shape += ")";
  std::string header =
      "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t prefix = header.size() + 1 + 10 > 65535 ? 12 : 10;
  size_t total = (prefix + header.size() + 1 + 63) / 64 * 64;
  header.append(total - prefix - header.size() - 1, ' ');
  header += '\n';
  std::string out(kMagic, 6);
  size_t hl = header.size();
  if (prefix == 10) {
    out += '\x01';
    out += '\x00';
    out += static_cast<char>(hl & 0xff);
    out += static_cast<char>((hl >> 8) & 0xff);
  } else {
    out += '\x02';
    out += '\x00';
    for (int i = 0; i < 4; ++i) out += static_cast<char>((hl >> (8 * i)) & 0xff);
  }
  out += header;
  size_t nbytes = static_cast<size_t>(t.numel()) * t.element_size();
  size_t at = out.size();
  out.resize(at + nbytes);
  if (nbytes) t.copy_to(&out[at]);
  return out;
}

}  // namespace ember
