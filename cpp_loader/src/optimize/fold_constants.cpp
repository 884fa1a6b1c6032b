// Constant folding at load: a prim::If whose condition is known becomes its chosen block
// (its results constants or moves), and pure scalar operators on known values (`not
// self.training`, `x is None`) become constants. After attribute folding this removes the
// training-mode branches of scripted modules (BatchNorm's), so batch norms see constant
// arguments and can fold into their convolutions.
#include <set>
#include <string>

#include "optimize/graph.h"

namespace ember {
namespace opt {
namespace {

const std::set<std::string>& pure_scalar_ops() {
  static const std::set<std::string> ops = {
      "aten::__not__",  "aten::__and__.bool", "aten::__or__.bool", "aten::__is__",
      "aten::__isnot__", "aten::eq.int",      "aten::ne.int",      "aten::eq.bool",
      "aten::ne.bool",  "aten::lt.int",       "aten::gt.int",      "aten::le.int",
      "aten::ge.int",   "aten::add.int",      "aten::sub.int",     "aten::mul.int",
      "aten::eq.str",   "aten::ne.str",
  };
  return ops;
}

// Tensors may only be compared by identity (`is`), never read.
bool foldable_input(const std::string& op, const Value& v) {
  if (v.is_tensor()) return op == "aten::__is__" || op == "aten::__isnot__";
  return v.is_none() || v.is_bool() || v.is_int() || v.is_double() || v.is_string();
}

struct Folder {
  const Program& p;
  std::vector<Value> values;
  std::vector<char> has;
  bool changed = false;

  const Value* known(uint32_t r) const { return has[r] ? &values[r] : nullptr; }
  void learn(uint32_t r, const Value& v) { values[r] = v, has[r] = 1; }

  // The kernel run on its known inputs, or false when it cannot be folded.
  bool evaluate(const Instr& in, Value* result) {
    if (in.kind != OpKind::Kernel || in.outputs.size() != 1 || in.fn == nullptr) return false;
    const std::string& op = p.operator_name(in);
    if (!pure_scalar_ops().count(op)) return false;
    std::vector<Value> regs;
    for (uint32_t r : in.inputs) {
      const Value* v = known(r);
      if (!v || !foldable_input(op, *v)) return false;
      regs.push_back(*v);
    }
    regs.emplace_back();
    std::vector<uint32_t> ins(in.inputs.size());
    for (uint32_t i = 0; i < ins.size(); ++i) ins[i] = i;
    uint32_t out = static_cast<uint32_t>(ins.size());
    Call call{regs.data(), ins.data(), &out, out, 1, nullptr};
    try {
      in.fn(call);
    } catch (...) {
      return false;  // it raises at run time; leave it there
    }
    *result = regs.back();
    return true;
  }

  void block(Block& b) {
    std::vector<Instr> out;
    out.reserve(b.ops.size());
    for (Instr& in : b.ops) {
      Value v;
      if (in.kind == OpKind::Constant && in.outputs.size() == 1) {
        learn(in.outputs[0], in.constant);
      } else if (evaluate(in, &v)) {
        learn(in.outputs[0], v);
        out.push_back(constant_instr(in.outputs[0], v, in));
        changed = true;
        continue;
      } else if (in.kind == OpKind::If && known(in.inputs[0]) && known(in.inputs[0])->is_bool()) {
        splice(in, out);
        changed = true;
        continue;
      }
      for (Block& nested : in.blocks) block(nested);
      out.push_back(std::move(in));
    }
    b.ops = std::move(out);
  }

  // The chosen block's ops, then its results written to the If's outputs.
  void splice(Instr& in, std::vector<Instr>& out) {
    Block chosen = std::move(in.blocks[known(in.inputs[0])->to_bool() ? 0 : 1]);
    block(chosen);
    for (Instr& op : chosen.ops) out.push_back(std::move(op));
    for (size_t i = 0; i < in.outputs.size() && i < chosen.results.size(); ++i) {
      uint32_t r = chosen.results[i];
      if (const Value* v = known(r)) {
        learn(in.outputs[i], *v);
        out.push_back(constant_instr(in.outputs[i], *v, in));
      } else {
        out.push_back(move_instr(r, in.outputs[i], in));
      }
    }
  }
};

}  // namespace

bool fold_constants(const Program& p, Function& fn) {
  Folder f{p, std::vector<Value>(fn.num_registers), std::vector<char>(fn.num_registers, 0)};
  f.block(fn.body);
  return f.changed;
}

}  // namespace opt
}  // namespace ember
