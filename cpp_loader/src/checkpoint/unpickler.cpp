#include <cstring>

#include "checkpoint/pickle.h"
#include "ember/error.h"

namespace ember {

namespace {

constexpr size_t kMaxNodes = 1u << 22;

}  // namespace

Unpickler::Unpickler(const uint8_t* data, size_t size, std::string where)
    : data_(data), size_(size), where_(std::move(where)) {}

void Unpickler::fail(const std::string& what) const {
  throw Error(ErrorKind::Load, where_ + ": " + what + " (at byte " + std::to_string(at_) + ")");
}

uint32_t Unpickler::add(PickleNode node) {
  if (nodes_.size() >= kMaxNodes) fail("too many objects");
  nodes_.push_back(std::move(node));
  return static_cast<uint32_t>(nodes_.size() - 1);
}

uint8_t Unpickler::u8() {
  if (at_ >= size_) fail("the pickle ends early");
  return data_[at_++];
}

uint64_t Unpickler::uint_le(int n) {
  if (size_ - at_ < static_cast<size_t>(n)) fail("the pickle ends early");
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | data_[at_ + static_cast<size_t>(i)];
  at_ += static_cast<size_t>(n);
  return v;
}

std::string Unpickler::bytes(uint64_t n) {
  if (n > size_ - at_) fail("a string of " + std::to_string(n) + " bytes runs past the end");
  std::string s(reinterpret_cast<const char*>(data_ + at_), static_cast<size_t>(n));
  at_ += static_cast<size_t>(n);
  return s;
}

uint32_t Unpickler::pop() {
  size_t floor = marks_.empty() ? 0 : marks_.back();
  if (stack_.size() <= floor) fail("stack underflow");
  uint32_t v = stack_.back();
  stack_.pop_back();
  return v;
}

uint32_t Unpickler::top() const {
  size_t floor = marks_.empty() ? 0 : marks_.back();
  if (stack_.size() <= floor) fail("stack underflow");
  return stack_.back();
}

std::vector<uint32_t> Unpickler::pop_to_mark() {
  if (marks_.empty()) fail("no mark on the stack");
  size_t m = marks_.back();
  marks_.pop_back();
  std::vector<uint32_t> items(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
  stack_.resize(m);
  return items;
}

void Unpickler::memo_put(uint64_t key) { memo_[key] = top(); }

void Unpickler::memo_get(uint64_t key) {
  auto it = memo_.find(key);
  if (it == memo_.end()) fail("memo key " + std::to_string(key) + " was never stored");
  stack_.push_back(it->second);
}

uint32_t Unpickler::int_node(int64_t v) {
  PickleNode n;
  n.kind = PickleNode::Int;
  n.i = v;
  return add(std::move(n));
}

void Unpickler::global(const std::string& module, const std::string& name) {
  std::string full = module + "." + name;
  if (!allowed_global(full)) {
    fail("unsupported global '" + full + "': a weights-only load accepts tensors, storages, "
         "OrderedDict, torch.device and dtypes only");
  }
  PickleNode n;
  n.kind = PickleNode::Global;
  n.s = full;
  if (dtype_global(full, n.dtype)) {
    n.kind = PickleNode::DType;
    n.i = static_cast<int64_t>(n.dtype);
  }
  stack_.push_back(add(std::move(n)));
}

void Unpickler::setitems(uint32_t dict, const std::vector<uint32_t>& items) {
  if (nodes_[dict].kind != PickleNode::Dict) fail("SETITEM on a non-dict");
  if (items.size() % 2) fail("SETITEMS with an odd number of items");
  auto& d = nodes_[dict].items;
  d.insert(d.end(), items.begin(), items.end());
}

void Unpickler::reduce() {
  uint32_t args = pop(), fn = pop();
  if (nodes_[fn].kind != PickleNode::Global) fail("REDUCE calls something that is not a global");
  if (nodes_[args].kind != PickleNode::Tuple) fail("REDUCE arguments are not a tuple");
  std::string name = nodes_[fn].s;
  stack_.push_back(call_global(*this, name, args));
}

static std::string line(Unpickler& u, const uint8_t* data, size_t size, size_t& at) {
  const void* nl = at < size ? std::memchr(data + at, '\n', size - at) : nullptr;
  if (nl == nullptr) u.fail("GLOBAL without a newline");
  size_t end = static_cast<size_t>(static_cast<const uint8_t*>(nl) - data);
  std::string s(reinterpret_cast<const char*>(data + at), end - at);
  at = end + 1;
  return s;
}

void Unpickler::step(uint8_t op) {
  PickleNode n;
  switch (op) {
    case 0x80: if (u8() > 5) fail("pickle protocol above 5"); return;   // PROTO
    case 0x95: uint_le(8); return;                                       // FRAME
    case '(': marks_.push_back(stack_.size()); return;                  // MARK
    case '.': stopped_ = true; return;                                  // STOP
    case '0':                                                            // POP
      if (!marks_.empty() && marks_.back() == stack_.size()) marks_.pop_back(); else pop();
      return;
    case '1': pop_to_mark(); return;                                     // POP_MARK
    case '2': stack_.push_back(top()); return;                           // DUP
    case 'q': memo_put(u8()); return;                                    // BINPUT
    case 'r': memo_put(uint_le(4)); return;                              // LONG_BINPUT
    case 0x94: memo_put(memo_.size()); return;                           // MEMOIZE
    case 'h': memo_get(u8()); return;                                    // BINGET
    case 'j': memo_get(uint_le(4)); return;                              // LONG_BINGET
    case 'N': n.kind = PickleNode::None; break;
    case 0x88: case 0x89: n.kind = PickleNode::Bool; n.i = op == 0x88; break;
    case 'J': n.kind = PickleNode::Int; n.i = static_cast<int32_t>(uint_le(4)); break;
    case 'K': n.kind = PickleNode::Int; n.i = u8(); break;
    case 'M': n.kind = PickleNode::Int; n.i = static_cast<int64_t>(uint_le(2)); break;
    case 0x8a: case 0x8b: {                                              // LONG1, LONG4
      int64_t len = op == 0x8a ? u8() : static_cast<int32_t>(uint_le(4));
      if (len < 0 || len > 8) fail("an integer of " + std::to_string(len) + " bytes");
      uint64_t v = len ? uint_le(static_cast<int>(len)) : 0;
      if (len > 0 && len < 8 && (v >> (8 * len - 1)) & 1) v |= ~uint64_t{0} << (8 * len);
      n.kind = PickleNode::Int;
      n.i = static_cast<int64_t>(v);
      break;
    }
    case 'G': {                                                          // BINFLOAT (big-endian)
      uint64_t bits = 0;
      for (int k = 0; k < 8; ++k) bits = (bits << 8) | u8();
      std::memcpy(&n.d, &bits, 8);
      n.kind = PickleNode::Float;
      break;
    }
    case 'X': n.kind = PickleNode::Str; n.s = bytes(uint_le(4)); break;  // BINUNICODE
    case 0x8c: n.kind = PickleNode::Str; n.s = bytes(u8()); break;       // SHORT_BINUNICODE
    case 0x8d: n.kind = PickleNode::Str; n.s = bytes(uint_le(8)); break; // BINUNICODE8
    case 'T': n.kind = PickleNode::Str; n.s = bytes(static_cast<uint32_t>(uint_le(4))); break;
    case 'U': n.kind = PickleNode::Str; n.s = bytes(u8()); break;
    case 'B': n.kind = PickleNode::Bytes; n.s = bytes(uint_le(4)); break;
    case 'C': n.kind = PickleNode::Bytes; n.s = bytes(u8()); break;
    case 0x8e: case 0x96: n.kind = PickleNode::Bytes; n.s = bytes(uint_le(8)); break;
    case ')': n.kind = PickleNode::Tuple; break;
    case 't': n.kind = PickleNode::Tuple; n.items = pop_to_mark(); break;
    case 0x85: case 0x86: case 0x87: {                                   // TUPLE1..3
      n.kind = PickleNode::Tuple;
      n.items.resize(static_cast<size_t>(op - 0x84));
      for (size_t k = n.items.size(); k-- > 0;) n.items[k] = pop();
      break;
    }
    case ']': n.kind = PickleNode::List; break;
    case '}': n.kind = PickleNode::Dict; break;
    case 0x8f: n.kind = PickleNode::Set; break;
    case 0x91: n.kind = PickleNode::Set; n.items = pop_to_mark(); break;  // FROZENSET
    case 'a': case 'e': case 0x90: {                                     // APPEND(S), ADDITEMS
      std::vector<uint32_t> items = op == 'a' ? std::vector<uint32_t>{pop()} : pop_to_mark();
      uint32_t target = top();
      auto kind = nodes_[target].kind;
      if (kind != (op == 0x90 ? PickleNode::Set : PickleNode::List)) fail("append to a non-list");
      auto& dst = nodes_[target].items;
      dst.insert(dst.end(), items.begin(), items.end());
      return;
    }
    case 's': {                                                          // SETITEM
      uint32_t v = pop(), k = pop();
      setitems(top(), {k, v});
      return;
    }
    case 'u': {                                                          // SETITEMS
      std::vector<uint32_t> items = pop_to_mark();
      setitems(top(), items);
      return;
    }
    case 'c': {                                                          // GLOBAL
      std::string module = line(*this, data_, size_, at_);
      std::string name = line(*this, data_, size_, at_);
      global(module, name);
      return;
    }
    case 0x93: {                                                         // STACK_GLOBAL
      uint32_t name = pop(), module = pop();
      if (nodes_[name].kind != PickleNode::Str || nodes_[module].kind != PickleNode::Str) {
        fail("STACK_GLOBAL without strings");
      }
      global(nodes_[module].s, nodes_[name].s);
      return;
    }
    case 'Q': stack_.push_back(persistent_load_(*this, pop())); return;  // BINPERSID
    case 'R': reduce(); return;
    case 0x81: {                                                         // NEWOBJ
      uint32_t args = pop(), cls = pop();
      (void)args;
      if (nodes_[cls].kind != PickleNode::Global || nodes_[cls].s != "collections.OrderedDict") {
        fail("NEWOBJ of something other than OrderedDict");
      }
      n.kind = PickleNode::Dict;
      break;
    }
    case 'b': {                                                          // BUILD
      pop();  // the state: OrderedDict's _metadata, a parameter's attributes; not needed
      auto kind = nodes_[top()].kind;
      if (kind != PickleNode::Dict && kind != PickleNode::Tensor) fail("BUILD on an unsupported object");
      return;
    }
    default: {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", op);
      fail(std::string("unsupported pickle opcode ") + hex);
    }
  }
  stack_.push_back(add(std::move(n)));
}

uint32_t Unpickler::load(const std::function<uint32_t(Unpickler&, uint32_t)>& persistent_load) {
  persistent_load_ = persistent_load;
  while (!stopped_) step(u8());
  uint32_t result = pop();
  return result;
}

}  // namespace ember
