// Activation fusion: a convolution, linear or batch norm whose result only an aten::relu
// (or hardtanh(0, 6), ReLU6) reads, besides shape queries, runs as one kernel that clamps its own output in place;
// the activation goes and its readers read the op's register. Saves a pass over the
// tensor and an interpreter step (half the ops of an MLP).
#include <string>

#include "kernels/nn_fused.h"
#include "optimize/graph.h"

namespace ember {
namespace opt {
namespace {

bool is_number(const Value* v, double x) {
  return v && (v->is_double() || v->is_int()) && v->to_double() == x;
}

// The activation `act` applies, or false when it is not one we fuse.
bool activation_of(const Program& p, const Instr& act, const Constants& k, nn::Activation* a) {
  if (act.kind != OpKind::Kernel) return false;
  const std::string& op = p.operator_name(act);
  if (op == "aten::relu" || op == "aten::relu_") {
    *a = nn::Activation::Relu;
    return true;
  }
  if ((op == "aten::hardtanh" || op == "aten::hardtanh_") && act.inputs.size() == 3 &&
      is_number(k.get(act.inputs[1]), 0.0) && is_number(k.get(act.inputs[2]), 6.0)) {
    *a = nn::Activation::Relu6;
    return true;
  }
  return false;
}

struct Pass {
  const Program& p;
  Function& fn;

  bool once(Block& b, const Constants& k) {
    for (size_t i = 0; i < b.ops.size(); ++i) {
      Instr& op = b.ops[i];
      for (Block& nested : op.blocks)
        if (once(nested, k)) return true;
      if (op.kind != OpKind::Kernel || op.outputs.size() != 1) continue;
      if (!nn::fused_kernel(op.fn, nn::Activation::Relu)) continue;
      uint32_t x = op.outputs[0];
      bool in_results = false;
      const Instr* act = nullptr;
      bool others_ok = true;
      for (const Instr* reader : readers(fn, x, &in_results)) {
        if (shape_only(p, *reader)) continue;  // the shape stays; only values change
        others_ok = others_ok && act == nullptr;
        act = reader;
      }
      if (in_results || !others_ok || act == nullptr) continue;
      size_t j = i + 1;
      while (j < b.ops.size() && &b.ops[j] != act) ++j;
      nn::Activation a;
      if (j == b.ops.size() || b.ops[j].outputs.size() != 1 || b.ops[j].inputs[0] != x ||
          !activation_of(p, b.ops[j], k, &a))
        continue;
      op.fn = nn::fused_kernel(op.fn, a);
      uint32_t y = b.ops[j].outputs[0];
      b.ops.erase(b.ops.begin() + j);
      rename_reads(fn.body, y, x);
      return true;
    }
    return false;
  }
};

}  // namespace

bool fuse_activations(const Program& p, Function& fn) {
  Pass pass{p, fn};
  bool any = false;
  Constants k(fn);
  while (pass.once(fn.body, k)) any = true;
  return any;
}

}  // namespace opt
}  // namespace ember
