#include "runtime/frame.h"

#include "runtime/program.h"

namespace ember {

std::unique_ptr<Frame> FramePool::acquire(const Function& fn) {
  if (Frame* cached = cached_.exchange(nullptr, std::memory_order_acquire)) {
    return std::unique_ptr<Frame>(cached);
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!free_.empty()) {
      std::unique_ptr<Frame> frame = std::move(free_.back());
      free_.pop_back();
      return frame;
    }
  }
  bool planned = fn.slot_of.size() == fn.num_registers;
  auto frame = std::make_unique<Frame>(fn.num_registers, planned ? fn.slot_of.data() : nullptr,
                                       fn.num_slots);
  for (const auto& c : fn.constant_registers) {
    frame->registers[c.first] = c.second;
    frame->keep[c.first] = 1;
  }
  return frame;
}

void FramePool::release(std::unique_ptr<Frame> frame) {
  frame->release();
  Frame* empty = nullptr;
  if (cached_.compare_exchange_strong(empty, frame.get(), std::memory_order_release)) {
    frame.release();
    return;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  free_.push_back(std::move(frame));
}

void FramePool::arena_stats(size_t* bytes, uint64_t* allocations) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto add = [&](const Frame* f) {
    if (!f) return;
    *bytes += f->arena_bytes();
    *allocations += f->allocations;
  };
  add(cached_.load(std::memory_order_acquire));
  for (const auto& f : free_) add(f.get());
}

FramePool::~FramePool() { delete cached_.load(); }

}  // namespace ember
