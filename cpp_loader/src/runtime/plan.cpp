// Memory planning at load (runtime/plan.h): register lifetimes over the structured program,
// the registers each instruction is the last to read (cleared after it runs), and arena
// slots shared by tensor registers whose lifetimes do not overlap.
//
// Positions number the instructions in preorder; an If or Loop spans the positions of the
// blocks it owns. A register defined in a block lives from its definition to the end of
// the instruction of that block that last reads it, nested blocks included: a value read
// inside a loop body but defined outside stays for the whole loop. Block results live to
// the block's end (the owner moves them out), the function's to the end of the call.
#include "runtime/plan.h"

#include <algorithm>
#include <limits>

#include "runtime/program.h"

namespace ember {
namespace {

constexpr uint32_t kForever = std::numeric_limits<uint32_t>::max();

struct Lifetime {
  uint32_t begin = 0, end = 0;
  bool defined = false;
};

struct Planner {
  Function& fn;
  std::vector<Lifetime> life;
  uint32_t next = 0;  // the next position

  std::vector<uint8_t> fn_constant;
  std::vector<std::pair<uint32_t, uint32_t>> last;  // per register: (block id, op index + 1)
  uint32_t block_id = 0;

  // Every register the op reads: its inputs, its blocks' ops and results, recursively.
  static void reads(const Instr& in, std::vector<uint32_t>& out) {
    out.insert(out.end(), in.inputs.begin(), in.inputs.end());
    for (const Block& nested : in.blocks) {
      out.insert(out.end(), nested.results.begin(), nested.results.end());
      for (const Instr& op : nested.ops) reads(op, out);
    }
  }

  void define(uint32_t r, uint32_t at) {
    if (r >= life.size() || life[r].defined) return;
    life[r].begin = at, life[r].end = at, life[r].defined = true;
  }

  // Numbers the block's ops (recursively) and records where its registers are born; fills
  // ends[k] (k: the block's preorder number) with each op's last position.
  void number(Block& b, uint32_t owner_start, std::vector<std::vector<uint32_t>>& ends) {
    for (uint32_t r : b.arguments) define(r, owner_start);
    size_t mine = ends.size();
    ends.emplace_back();
    for (Instr& in : b.ops) {
      uint32_t start = next++;
      for (Block& nested : in.blocks) number(nested, start, ends);
      uint32_t end = in.blocks.empty() ? start : next++;
      for (uint32_t r : in.outputs) define(r, end);
      ends[mine].push_back(end);
    }
  }

  // Kill lists and lifetime ends of the registers defined in `b`; `block_end` is the
  // position where its results leave.
  void kills(Block& b, uint32_t block_end, const std::vector<std::vector<uint32_t>>& ends,
             size_t& index) {
    const std::vector<uint32_t>& pos = ends[index++];
    uint32_t id = ++block_id;
    std::vector<uint32_t> defined(b.arguments), read;
    for (size_t i = 0; i < b.ops.size(); ++i) {
      Instr& in = b.ops[i];
      for (Block& nested : in.blocks) kills(nested, pos[i], ends, index);
      read.clear();
      reads(in, read);
      for (uint32_t r : read)
        if (r < last.size()) last[r] = {id, static_cast<uint32_t>(i + 1)};
      for (uint32_t r : in.outputs) {
        defined.push_back(r);
        // Never read: gone right after the op that writes it.
        if (r < last.size() && last[r].first != id) last[r] = {id, static_cast<uint32_t>(i + 1)};
      }
    }
    for (uint32_t r : b.results)
      if (r < last.size()) last[r] = {id, 0};  // leaves with the block: no kill
    for (uint32_t r : defined) {
      if (r >= life.size() || fn_constant[r] || last[r].first != id) continue;
      if (last[r].second == 0) {
        life[r].end = std::max(life[r].end, block_end);
        continue;
      }
      uint32_t i = last[r].second - 1;
      b.ops[i].kills.push_back(r);
      life[r].end = std::max(life[r].end, pos[i]);
    }
  }
};

bool shares_arena(const Function& fn, uint32_t r) {
  if (fn.register_types.empty()) return true;
  const std::string& t = fn.register_types[r];
  return t == "Tensor" || t == "Optional[Tensor]";
}

// Linear scan: each tensor register takes a slot freed by a register whose lifetime ended
// before its own began (the most recently freed first), else a new one.
void assign_slots(Function& fn, const std::vector<Lifetime>& life) {
  // The function's results leave with the caller: sharing would hand out (and lose) a
  // buffer sized for some larger intermediate of the slot.
  std::vector<uint8_t> result(fn.num_registers, 0);
  for (uint32_t r : fn.body.results)
    if (r < fn.num_registers) result[r] = 1;
  std::vector<uint32_t> order;
  for (uint32_t r = 0; r < fn.num_registers; ++r)
    if (life[r].defined && shares_arena(fn, r) && !result[r]) order.push_back(r);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return life[a].begin != life[b].begin ? life[a].begin < life[b].begin : a < b;
  });
  fn.slot_of.assign(fn.num_registers, kForever);
  std::vector<std::pair<uint32_t, uint32_t>> busy;  // (end, slot)
  std::vector<uint32_t> free_slots;
  uint32_t slots = 0;
  for (uint32_t r : order) {
    for (size_t i = 0; i < busy.size();) {
      if (busy[i].first < life[r].begin) {
        free_slots.push_back(busy[i].second);
        busy[i] = busy.back();
        busy.pop_back();
      } else {
        ++i;
      }
    }
    uint32_t s = slots;
    if (free_slots.empty()) {
      ++slots;
    } else {
      s = free_slots.back();
      free_slots.pop_back();
    }
    fn.slot_of[r] = s;
    busy.emplace_back(life[r].end, s);
  }
  // The rest (results, other types, constants' registers) keep a slot of their own.
  for (uint32_t r = 0; r < fn.num_registers; ++r)
    if (fn.slot_of[r] == kForever) fn.slot_of[r] = slots++;
  fn.num_slots = slots;
}

void clear_kills(Block& b) {
  for (Instr& in : b.ops) {
    in.kills.clear();
    for (Block& nested : in.blocks) clear_kills(nested);
  }
}

}  // namespace

void plan_memory(Function& fn, bool share) {
  clear_kills(fn.body);
  if (!share) {
    fn.slot_of.resize(fn.num_registers);
    for (uint32_t r = 0; r < fn.num_registers; ++r) fn.slot_of[r] = r;
    fn.num_slots = fn.num_registers;
    return;
  }
  Planner p{fn, std::vector<Lifetime>(fn.num_registers)};
  p.fn_constant.assign(fn.num_registers, 0);
  p.last.assign(fn.num_registers, {0, 0});
  for (const auto& c : fn.constant_registers) p.fn_constant[c.first] = 1;
  std::vector<std::vector<uint32_t>> ends;
  for (uint32_t r : fn.body.arguments) p.define(r, 0);
  p.next = 1;
  p.number(fn.body, 0, ends);
  size_t index = 0;
  p.kills(fn.body, kForever, ends, index);
  for (uint32_t r = 0; r < fn.num_registers; ++r)
    if (p.fn_constant[r]) p.life[r].defined = false;
  assign_slots(fn, p.life);
}

void plan_memory(Program& program, bool share) {
  for (auto& fn : program.functions) plan_memory(*fn, share);
}

}  // namespace ember
