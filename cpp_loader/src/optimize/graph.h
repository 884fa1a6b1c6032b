// Small rewriting helpers over a loaded function (registers are SSA: each written by one
// instruction or block argument). Used by the load-time passes in src/optimize/.
#pragma once

#include <string>
#include <vector>

#include "runtime/program.h"

namespace ember {
namespace opt {

// How many times each register is read (instruction inputs and block results), function-wide.
std::vector<uint32_t> count_reads(const Function& fn);

// Every instruction that reads `r` (function-wide); `in_results` is set when a block lists
// it as a result.
std::vector<const Instr*> readers(const Function& fn, uint32_t r, bool* in_results);

// Replaces every read of `from` with `to` (inputs and block results; a renamed result is no
// longer movable, since `to` may be read after the block).
void rename_reads(Block& b, uint32_t from, uint32_t to);

// Whether the instruction reads only its tensor input's shape (dim, size, len).
bool shape_only(const Program& p, const Instr& in);

// A fresh register of `fn` (its type recorded as `type` when the function keeps types).
uint32_t add_register(Function& fn, const std::string& type);

// An instruction writing `value` to register `out`.
Instr constant_instr(uint32_t out, Value value, const Instr& like);

// An instruction copying register `from` to `out` (kernel `move`).
Instr move_instr(uint32_t from, uint32_t out, const Instr& like);

// The value of each register written by a Constant instruction (has[r] says which).
struct Constants {
  std::vector<Value> values;
  std::vector<char> has;
  explicit Constants(const Function& fn);
  const Value* get(uint32_t r) const { return r < has.size() && has[r] ? &values[r] : nullptr; }
};

// Passes (each returns whether it changed the function).
bool fold_constants(const Program& p, Function& fn);
bool fold_batch_norms(const Program& p, Function& fn);
bool pack_weights(const Program& p, Function& fn);
bool fuse_activations(const Program& p, Function& fn);
bool remove_dead(const Program& p, Function& fn);

}  // namespace opt
}  // namespace ember
