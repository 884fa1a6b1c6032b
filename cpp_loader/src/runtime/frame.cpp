#include "runtime/frame.h"

#include "runtime/program.h"

namespace ember {

std::unique_ptr<Frame> FramePool::acquire(uint32_t num_registers) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!free_.empty()) {
      std::unique_ptr<Frame> frame = std::move(free_.back());
      free_.pop_back();
      return frame;
    }
  }
  return std::make_unique<Frame>(num_registers);
}

void FramePool::release(std::unique_ptr<Frame> frame) {
  frame->release();
  std::lock_guard<std::mutex> lock(mutex_);
  free_.push_back(std::move(frame));
}

FramePool::~FramePool() = default;

}  // namespace ember
