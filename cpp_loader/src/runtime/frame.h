// A frame: the registers of one running call, and the arena behind them.
//
// The arena keeps, per register, the tensor its last `Call::output` made. When that
// tensor is no longer referenced anywhere else (the register was released at the end
// of the previous call, or overwritten), the next output into the register reuses it,
// so a forward with fixed shapes allocates nothing after the first one.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ember/value.h"

namespace ember {

class Frame {
 public:
  explicit Frame(uint32_t num_registers)
      : registers(num_registers), arena(num_registers) {}

  // Releases every register's value; the arena keeps its memory.
  void release() {
    for (Value& v : registers) v = Value();
  }

  std::vector<Value> registers;
  std::vector<std::shared_ptr<TensorImpl>> arena;
  std::vector<Value> scratch;  // the interpreter's temporary for block result transfers
};

}  // namespace ember
