// A frame: the registers of one running call, and the arena behind them.
//
// The arena keeps, per register, the tensor its last `Call::output` made. When that
// tensor is no longer referenced anywhere else (the register was released at the end
// of the previous call, or overwritten), the next output into the register reuses it,
// so a forward with fixed shapes allocates nothing after the first one.
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
  explicit Frame(uint32_t num_registers)
      : registers(num_registers), arena(num_registers), keep(num_registers, 0) {}

  // Releases the registers' values. Kept: constants (`keep`, loaded once when the frame
  // was made) and the arena's tensors that nothing else references (their memory is the
  // arena's, and the next output into the register reuses them as they are). Then drops
  // from the arena the tensors still referenced elsewhere: they escaped the call.
  void release() {
    for (size_t r = 0; r < registers.size(); ++r) {
      Value& v = registers[r];
      if (v.is_none() || keep[r]) continue;
      if (v.is_tensor() && v.to_tensor().impl() == arena[r].get() && arena[r].use_count() == 2 &&
          arena[r]->storage.use_count() == 1) {
        continue;
      }
      v = Value();
    }
    for (size_t r = 0; r < arena.size(); ++r) {
      const std::shared_ptr<TensorImpl>& t = arena[r];
      if (!t) continue;
      long owners = 1 + (registers[r].is_tensor() && registers[r].to_tensor().impl() == t.get());
      if (t.use_count() != owners || t->storage.use_count() > 1) arena[r].reset();
    }
  }

  std::vector<Value> registers;
  std::vector<std::shared_ptr<TensorImpl>> arena;
  std::vector<uint8_t> keep;   // registers holding constants
  std::vector<Value> scratch;  // the interpreter's temporary for block result transfers
};

}  // namespace ember
