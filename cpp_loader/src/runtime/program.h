// The loaded program: the flatbuffer record turned into instructions the
// interpreter runs, with kernels bound and constants built (runtime internal).
//
// Everything here was checked at load (loader/validate.cpp): register indices are
// below the function's num_registers, blocks have the arities their owner needs,
// every register is written before it is read. The interpreter trusts it.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ember/value.h"
#include "runtime/frame.h"
#include "runtime/kernel.h"
#include "runtime/types.h"

namespace ember {

struct Instr;

enum class OpKind : uint8_t {
  Kernel,    // fn(call)
  Constant,  // registers[outputs[0]] = constant (prim::Constant, folded prim::GetAttr)
  GetAttr,   // outputs[0] = inputs[0].attribute
  SetAttr,   // inputs[0].attribute = inputs[1]
  If,        // blocks[0] or blocks[1] by inputs[0]; block results -> outputs
  Loop,      // TorchScript's prim::Loop: (max trip count, condition, carried...)
  Call,      // a function of the program (an upgrader): inputs -> its arguments
  Nop,       // prim::Return / prim::Yield (block results say what leaves)
};

struct Block {
  std::vector<uint32_t> arguments;
  std::vector<Instr> ops;
  std::vector<uint32_t> results;
  // results[i] may be moved out of its register (defined inside this block, listed once).
  std::vector<uint8_t> movable;
};

struct Instr {
  OpKind kind = OpKind::Kernel;
  KernelFn fn = nullptr;
  std::vector<uint32_t> inputs;
  std::vector<uint32_t> outputs;
  std::vector<Block> blocks;
  Value constant;                              // Constant
  std::string attribute;                       // GetAttr / SetAttr
  std::shared_ptr<const ClassInfo> cls;        // GetAttr / SetAttr: class expected at load
  int64_t slot = -1;                           //   and the attribute's slot in it (or -1)
  uint32_t function = 0;                       // Call: index into Program::functions
  uint32_t operator_index = 0;                 // index into Program::operator_names
  uint32_t index = 0;                          // the op's position in its function (preorder)
  std::vector<uint32_t> kills;                 // registers this op reads last: cleared after it
                                               //   runs (runtime/plan.cpp)
  std::string source;                          // "file:line:col", may be empty
};

// A pool of frames, so concurrent calls of one function each get their own.
struct Function;

class FramePool {
 public:
  // A frame of `fn` (its constant registers loaded), from the pool or new.
  std::unique_ptr<Frame> acquire(const Function& fn);
  void release(std::unique_ptr<Frame> frame);
  // The arena of the pooled frames: bytes held and tensors ever allocated (call while no
  // call of the function runs).
  void arena_stats(size_t* bytes, uint64_t* allocations);
  ~FramePool();

 private:
  std::atomic<Frame*> cached_{nullptr};  // one frame without the lock: the common case
  std::mutex mutex_;
  std::vector<std::unique_ptr<Frame>> free_;
};

struct Function {
  std::string name;
  uint32_t num_registers = 0;
  std::vector<std::string> register_types;  // empty, or one per register
  std::vector<std::string> register_names;  // empty, or one per register
  std::vector<std::string> argument_names;
  std::vector<TypeSpec> argument_types;     // parsed register types of body.arguments
  std::vector<Value> argument_defaults;     // per argument (empty: none has a default)
  std::vector<uint8_t> has_default;         //   and whether it has one
  // Registers only ever written by a prim::Constant: loaded once per frame (the ops are
  // removed from the blocks by hoist_constants, after load-time optimisation).
  std::vector<std::pair<uint32_t, Value>> constant_registers;
  bool is_upgrader = false;
  // Arena slot of each register (runtime/plan.cpp): tensor registers whose lifetimes do not
  // overlap share one.
  std::vector<uint32_t> slot_of;
  uint32_t num_slots = 0;
  Block body;
  FramePool frames;
};

struct Program {
  std::shared_ptr<const void> bytes;  // the archive's bytes (mapped or read); tensors view them
  uint32_t format = 1;
  int64_t version = 0;
  std::string producer;
  std::vector<std::string> operator_names;  // "aten::add.Tensor", "prim::If"
  std::vector<Value> constants;
  std::vector<std::shared_ptr<Storage>> storages;
  std::vector<std::shared_ptr<const ClassInfo>> classes;
  std::vector<std::shared_ptr<Object>> objects;
  Value root;  // the module object
  // The program's functions, then its upgraders (Program.upgraders of the record).
  std::vector<std::unique_ptr<Function>> functions;
  std::map<std::string, uint32_t> methods;  // method name -> index into functions

  const std::string& operator_name(const Instr& instr) const {
    return operator_names[instr.operator_index];
  }
};

}  // namespace ember
