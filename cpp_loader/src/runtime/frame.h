// A frame: the registers of one running call, and the arena behind them.
//
// The arena is a list of slots (Function::slot_of maps each register to one; registers
// whose lifetimes do not overlap share a slot, runtime/plan.cpp). A slot keeps the tensors
// `Call::output` made for its registers. When one is referenced by nothing but the arena
// (the register that held it was cleared after its last reader, or at the end of the last
// call) and is large enough, the next output into a register of the slot reuses its memory,
// so a forward with fixed shapes allocates nothing after the first one. A slot holds more
// than one tensor only when a view or an escaped value kept its first one alive.
//
// A tensor that leaves the call (returned, or viewed by what is returned) belongs to the
// caller: the arena lets go of it when the frame is released, so the arena only ever holds
// tensors that no one outside the frame references. Reusing one that had escaped would be a
// data race: the caller may drop it in another thread, and `use_count()` is a relaxed read
// that does not order that thread's last reads of the tensor before our writes into it
// (ThreadSanitizer found this with 8 threads on one module; tests/cpp/test_sanitizers.py).
// The frame pool's release/acquire hand-off orders everything else between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ember/value.h"

namespace ember {

class Frame {
 public:
  // `slot_of` (num_registers entries, or null: a slot per register) outlives the frame.
  Frame(uint32_t num_registers, const uint32_t* slot_of, uint32_t num_slots)
      : registers(num_registers),
        keep(num_registers, 0),
        slot_of_(slot_of),
        arena(slot_of ? num_slots : num_registers) {}

  uint32_t slot(uint32_t reg) const { return slot_of_ ? slot_of_[reg] : reg; }

  // Releases the registers' values but the constants (`keep`, loaded once when the frame
  // was made), then drops from the arena the tensors still referenced elsewhere: they
  // escaped the call.
  void release() {
    for (size_t r = 0; r < registers.size(); ++r)
      if (!keep[r] && !registers[r].is_none()) registers[r] = Value();
    for (auto& tensors : arena)
      for (auto& t : tensors)
        if (t && (t.use_count() != 1 || (t->storage && t->storage.use_count() > 1))) t.reset();
  }

  size_t arena_bytes() const {
    size_t total = 0;
    for (const auto& tensors : arena)
      for (const auto& t : tensors)
        if (t && t->storage) total += t->storage->nbytes();
    return total;
  }

  std::vector<Value> registers;
  std::vector<uint8_t> keep;   // registers holding constants

 private:
  const uint32_t* slot_of_;

 public:
  std::vector<std::vector<std::shared_ptr<TensorImpl>>> arena;  // per slot
  uint64_t allocations = 0;    // arena tensors made (new or grown)
  std::vector<Value> scratch;  // the interpreter's temporary for block result transfers
};

}  // namespace ember
