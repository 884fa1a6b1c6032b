// Rewriting helpers and dead-code removal for the load-time passes.
#include "optimize/graph.h"

namespace ember {
namespace opt {
namespace {

void count_block(const Block& b, std::vector<uint32_t>& reads) {
  for (const Instr& in : b.ops) {
    for (uint32_t r : in.inputs) ++reads[r];
    for (const Block& nested : in.blocks) count_block(nested, reads);
  }
  for (uint32_t r : b.results) ++reads[r];
}

void readers_block(const Block& b, uint32_t r, std::vector<const Instr*>& out, bool* in_results) {
  for (const Instr& in : b.ops) {
    for (uint32_t x : in.inputs)
      if (x == r) {
        out.push_back(&in);
        break;
      }
    for (const Block& nested : in.blocks) readers_block(nested, r, out, in_results);
  }
  for (uint32_t x : b.results)
    if (x == r) *in_results = true;
}

void constants_block(const Block& b, Constants& c) {
  for (const Instr& in : b.ops) {
    if (in.kind == OpKind::Constant && in.outputs.size() == 1) {
      c.values[in.outputs[0]] = in.constant;
      c.has[in.outputs[0]] = 1;
    }
    for (const Block& nested : in.blocks) constants_block(nested, c);
  }
}

void move_kernel(Call& c) { c.set(0, c.in(0)); }

// Instructions that can go when nothing reads their outputs.
bool removable(const Instr& in) {
  return in.kind == OpKind::Constant || (in.kind == OpKind::Kernel && in.fn == move_kernel);
}

bool dead_block(Block& b, const std::vector<uint32_t>& reads) {
  bool changed = false;
  std::vector<Instr> kept;
  kept.reserve(b.ops.size());
  for (Instr& in : b.ops) {
    for (Block& nested : in.blocks) changed |= dead_block(nested, reads);
    bool unused = true;
    for (uint32_t r : in.outputs) unused = unused && reads[r] == 0;
    bool empty_if = in.kind == OpKind::If && in.outputs.empty() && in.blocks.size() == 2 &&
                    in.blocks[0].ops.empty() && in.blocks[1].ops.empty();
    if ((removable(in) && unused) || empty_if) {
      changed = true;
      continue;
    }
    kept.push_back(std::move(in));
  }
  b.ops = std::move(kept);
  return changed;
}

}  // namespace

std::vector<uint32_t> count_reads(const Function& fn) {
  std::vector<uint32_t> reads(fn.num_registers, 0);
  count_block(fn.body, reads);
  return reads;
}

std::vector<const Instr*> readers(const Function& fn, uint32_t r, bool* in_results) {
  std::vector<const Instr*> out;
  *in_results = false;
  readers_block(fn.body, r, out, in_results);
  return out;
}

void rename_reads(Block& b, uint32_t from, uint32_t to) {
  for (Instr& in : b.ops) {
    for (uint32_t& x : in.inputs)
      if (x == from) x = to;
    for (Block& nested : in.blocks) rename_reads(nested, from, to);
  }
  for (size_t i = 0; i < b.results.size(); ++i)
    if (b.results[i] == from) {
      b.results[i] = to;
      if (i < b.movable.size()) b.movable[i] = 0;
    }
}

bool shape_only(const Program& p, const Instr& in) {
  if (in.kind != OpKind::Kernel) return false;
  const std::string& op = p.operator_name(in);
  return op == "aten::dim" || op == "aten::size" || op == "aten::size.int" || op == "aten::len.Tensor";
}

uint32_t add_register(Function& fn, const std::string& type) {
  uint32_t r = fn.num_registers++;
  if (!fn.register_types.empty()) fn.register_types.push_back(type);
  if (!fn.register_names.empty()) fn.register_names.push_back("");
  return r;
}

Instr constant_instr(uint32_t out, Value value, const Instr& like) {
  Instr in;
  in.kind = OpKind::Constant;
  in.outputs = {out};
  in.constant = std::move(value);
  in.operator_index = like.operator_index;
  in.index = like.index;
  in.source = like.source;
  return in;
}

Instr move_instr(uint32_t from, uint32_t out, const Instr& like) {
  Instr in;
  in.kind = OpKind::Kernel;
  in.fn = move_kernel;
  in.inputs = {from};
  in.outputs = {out};
  in.operator_index = like.operator_index;
  in.index = like.index;
  in.source = like.source;
  return in;
}

Constants::Constants(const Function& fn) : values(fn.num_registers), has(fn.num_registers, 0) {
  constants_block(fn.body, *this);
}

bool remove_dead(const Program&, Function& fn) {
  bool any = false;
  while (dead_block(fn.body, count_reads(fn))) any = true;
  return any;
}

}  // namespace opt
}  // namespace ember
