#include "runtime/interpreter.h"

#include <new>

namespace ember {

namespace {

// An error that already names its op: outer blocks and callers pass it on unchanged.
class OpError : public Error {
 public:
  using Error::Error;
};

// A frame from the function's pool, given back (registers released) however the call ends.
class FrameLease {
 public:
  explicit FrameLease(Function& fn) : fn_(fn), frame_(fn.frames.acquire(fn)) {}
  ~FrameLease() { fn_.frames.release(std::move(frame_)); }
  Frame& operator*() const { return *frame_; }

 private:
  Function& fn_;
  std::unique_ptr<Frame> frame_;
};

void run_block(const Program& p, Function& fn, const Block& b, Frame& frame);

[[noreturn]] void rethrow_in(const Program& p, const Function& fn, const Instr& in) {
  std::string where = " (in " + fn.name + ", op " + std::to_string(in.index) + " " +
                      p.operator_name(in) + (in.source.empty() ? "" : ", at " + in.source) + ")";
  try {
    throw;
  } catch (const OpError&) {
    throw;
  } catch (const Error& e) {
    throw OpError(e.kind(), e.what() + where);
  } catch (const std::bad_alloc&) {
    throw OpError(ErrorKind::Runtime, "out of memory" + where);
  } catch (const std::exception& e) {
    throw OpError(ErrorKind::Runtime, e.what() + where);
  }
}

// Block results to `targets` (the owner's outputs, or a loop body's arguments): through
// the frame's scratch, since a loop body may yield its own arguments in another order.
void transfer(Value* regs, const Block& b, size_t first, const std::vector<uint32_t>& targets,
              size_t target_first, Frame& frame) {
  std::vector<Value>& tmp = frame.scratch;
  size_t n = b.results.size() - first;
  tmp.resize(n);
  for (size_t k = 0; k < n; ++k) {
    uint32_t r = b.results[first + k];
    tmp[k] = b.movable[first + k] ? std::move(regs[r]) : regs[r];
  }
  for (size_t k = 0; k < n; ++k) regs[targets[target_first + k]] = std::move(tmp[k]);
}

void get_attr(Value* regs, const Instr& in) {
  const auto& obj = regs[in.inputs[0]].to_object();
  int64_t slot = obj->cls == in.cls && in.slot >= 0 ? in.slot
                 : obj->cls                         ? obj->cls->slot(in.attribute)
                                                    : -1;
  if (slot < 0 || static_cast<size_t>(slot) >= obj->slots.size()) {
    throw Error(ErrorKind::Runtime, "object of type " + (obj->cls ? obj->cls->name : "?") +
                                        " has no attribute '" + in.attribute + "'");
  }
  if (in.kind == OpKind::GetAttr) {
    regs[in.outputs[0]] = obj->slots[static_cast<size_t>(slot)];
  } else {
    obj->slots[static_cast<size_t>(slot)] = regs[in.inputs[1]];
  }
}

void run_loop(const Program& p, Function& fn, const Instr& in, Frame& frame) {
  Value* regs = frame.registers.data();
  const Block& body = in.blocks[0];
  int64_t max_trips = regs[in.inputs[0]].to_int();
  bool go = regs[in.inputs[1]].to_bool();
  size_t carried = in.outputs.size();
  for (size_t k = 0; k < carried; ++k) regs[body.arguments[k + 1]] = regs[in.inputs[k + 2]];
  for (int64_t i = 0; go && i < max_trips; ++i) {
    regs[body.arguments[0]] = Value(i);
    run_block(p, fn, body, frame);
    go = regs[body.results[0]].to_bool();
    transfer(regs, body, 1, body.arguments, 1, frame);
  }
  for (size_t k = 0; k < carried; ++k) regs[in.outputs[k]] = std::move(regs[body.arguments[k + 1]]);
}

void call_function(const Program& p, const Instr& in, Value* regs) {
  Function& callee = *p.functions[in.function];
  FrameLease lease(callee);
  Frame& frame = *lease;
  Value* callee_regs = frame.registers.data();
  for (size_t k = 0; k < in.inputs.size(); ++k) callee_regs[callee.body.arguments[k]] = regs[in.inputs[k]];
  run_block(p, callee, callee.body, frame);
  for (size_t k = 0; k < in.outputs.size(); ++k) {
    uint32_t r = callee.body.results[k];
    regs[in.outputs[k]] = callee.body.movable[k] ? std::move(callee_regs[r]) : callee_regs[r];
  }
}

void run_instr(const Program& p, Function& fn, const Instr& in, Frame& frame) {
  Value* regs = frame.registers.data();
  switch (in.kind) {
    case OpKind::Kernel: {
      Call call{regs, in.inputs.data(), in.outputs.data(), static_cast<uint32_t>(in.inputs.size()),
                static_cast<uint32_t>(in.outputs.size()), &frame};
      in.fn(call);
      return;
    }
    case OpKind::Constant: regs[in.outputs[0]] = in.constant; return;
    case OpKind::GetAttr:
    case OpKind::SetAttr: get_attr(regs, in); return;
    case OpKind::If: {
      const Block& b = in.blocks[regs[in.inputs[0]].to_bool() ? 0 : 1];
      run_block(p, fn, b, frame);
      transfer(regs, b, 0, in.outputs, 0, frame);
      return;
    }
    case OpKind::Loop: run_loop(p, fn, in, frame); return;
    case OpKind::Call: call_function(p, in, regs); return;
    case OpKind::Nop: return;
  }
}

void run_block(const Program& p, Function& fn, const Block& b, Frame& frame) {
  for (const Instr& in : b.ops) {
    try {
      run_instr(p, fn, in, frame);
    } catch (...) {
      rethrow_in(p, fn, in);
    }
    // Registers this op read last: their tensors go back to the arena for later outputs.
    for (uint32_t r : in.kills) frame.registers[r] = Value();
  }
}

}  // namespace

Value run_function(const Program& p, Function& fn, const Value* self,
                   const std::vector<Value>& inputs) {
  FrameLease lease(fn);
  Frame& frame = *lease;
  Value* regs = frame.registers.data();
  size_t k = 0;
  if (self != nullptr) regs[fn.body.arguments[k++]] = *self;
  for (const Value& v : inputs) {
    regs[fn.body.arguments[k]] = convert_argument(fn.argument_types[k], v);
    ++k;
  }
  run_block(p, fn, fn.body, frame);
  const Block& b = fn.body;
  if (b.results.size() == 1) return b.movable[0] ? std::move(regs[b.results[0]]) : regs[b.results[0]];
  if (b.results.empty()) return Value();
  std::vector<Value> items;
  for (size_t i = 0; i < b.results.size(); ++i) {
    items.push_back(b.movable[i] ? std::move(regs[b.results[i]]) : regs[b.results[i]]);
  }
  return Value::tuple(std::move(items));
}

}  // namespace ember
