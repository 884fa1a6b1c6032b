// The kernel interface: how the interpreter calls an operator's implementation.
//
// A kernel is a plain function `void k(Call& call)`: it reads its inputs with
// `call.in(i)` (in schema order; defaults were filled in by the writer, so every
// schema argument is present) and writes every result with `call.set(i, value)` or,
// for a new tensor, `call.output(i, sizes, dtype)` (arena-backed: for fixed shapes a
// forward reuses the memory of the previous one). Errors are thrown as
// `ember::Error(ErrorKind::Runtime, message)`; the interpreter adds the op and source.
//
// Registering (one function per kernel file, called from kernels/all.cpp):
//
//   static void relu(Call& c) { ... }
//   void register_activation_kernels(KernelRegistry& r) {
//     r.add("aten::relu", relu);             // default overload: no dot
//     r.add("aten::add.Tensor", add_tensor);  // name.overload, as the op table spells it
//   }
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ember/error.h"
#include "ember/value.h"

namespace ember {

class Frame;

struct Call {
  Value* registers;
  const uint32_t* inputs;
  const uint32_t* outputs;
  uint32_t num_inputs;
  uint32_t num_outputs;
  Frame* frame;  // null when a kernel is called outside a program (tests)

  // Checked against the op's input and output counts (a damaged program may give an op
  // fewer than its schema has): a bad index throws Error(Runtime).
  Value& in(uint32_t i) const {
    if (i >= num_inputs) bad_index("input", i, num_inputs);
    return registers[inputs[i]];
  }
  Value& out(uint32_t i) const {
    if (i >= num_outputs) bad_index("output", i, num_outputs);
    return registers[outputs[i]];
  }
  void set(uint32_t i, Value v) const { out(i) = std::move(v); }
  // A new contiguous tensor for result i, stored into its register and returned;
  // its contents are uninitialised. May reuse the register's memory from the last call.
  Tensor output(uint32_t i, const Dims& sizes, DType dtype) const;

  [[noreturn]] static void bad_index(const char* what, uint32_t i, uint32_t count);
};

using KernelFn = void (*)(Call&);

class KernelRegistry {
 public:
  // Adds a kernel for `qualified_name` ("aten::add.Tensor"); a second one for the
  // same name throws (one definition per operator).
  void add(std::string_view qualified_name, KernelFn fn);
  KernelFn find(std::string_view qualified_name) const;  // null when missing
  const std::unordered_map<std::string, KernelFn>& all() const { return kernels_; }

 private:
  std::unordered_map<std::string, KernelFn> kernels_;
};

// The registry with every kernel of kernels/ (built once, thread-safe).
const KernelRegistry& kernels();

}  // namespace ember
