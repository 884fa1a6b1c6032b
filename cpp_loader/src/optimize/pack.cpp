// Weight pre-packing: a float32 convolution whose weight is a constant and whose stride,
// dilation and groups are constants the direct kernel takes (kernels/conv_direct.h) gets its
// weight packed once here, as a constant register appended to the op's inputs, and the
// kernel that reads it. The packed kernel still checks every argument as the plain one does
// and falls back to the GEMM path for the shapes the direct kernel leaves (narrow rows).
#include <string>

#include "kernels/conv_direct.h"
#include "kernels/nn_fused.h"
#include "optimize/graph.h"

namespace ember {
namespace opt {
namespace {

// The instruction writing each register (null for arguments and untouched registers).
void writers_of(const Block& b, std::vector<const Instr*>& out) {
  for (const Instr& in : b.ops) {
    for (uint32_t r : in.outputs)
      if (r < out.size()) out[r] = &in;
    for (const Block& nested : in.blocks) writers_of(nested, out);
  }
}

struct Known {
  const Program& p;
  const Constants& k;
  std::vector<const Instr*> writer;

  // Whether register r holds 1 or a list / tuple of 1s: a constant, or a
  // prim::ListConstruct / TupleConstruct of constant ones (as torch's archives build them).
  bool all_ones(uint32_t r) const {
    if (const Value* v = k.get(r)) {
      if (v->is_int()) return v->to_int() == 1;
      if (!v->is_list() && !v->is_tuple()) return false;
      for (const Value& item : v->items())
        if (!item.is_int() || item.to_int() != 1) return false;
      return true;
    }
    const Instr* w = r < writer.size() ? writer[r] : nullptr;
    if (!w || w->kind != OpKind::Kernel) return false;
    const std::string& op = p.operator_name(*w);
    if (op != "prim::ListConstruct" && op != "prim::TupleConstruct") return false;
    for (uint32_t x : w->inputs) {
      const Value* v = k.get(x);
      if (!v || !v->is_int() || v->to_int() != 1) return false;
    }
    return true;
  }
};

bool is_int(const Value* v, int64_t x) { return v && v->is_int() && v->to_int() == x; }

// The weight to pack, or null when the op's constant arguments rule the direct kernel out.
const Tensor* packable_weight(const Program& p, const Instr& op, const Known& known) {
  const Constants& k = known.k;
  const std::string& name = p.operator_name(op);
  bool general = name == "aten::convolution" || name == "aten::_convolution";
  size_t groups_at = general ? 8 : 6;
  if (op.inputs.size() <= groups_at) return nullptr;
  if (general) {
    const Value* transposed = k.get(op.inputs[6]);
    if (!transposed || !transposed->is_bool() || transposed->to_bool()) return nullptr;
  }
  if (!known.all_ones(op.inputs[3]) || !known.all_ones(op.inputs[5]) ||
      !is_int(k.get(op.inputs[groups_at]), 1)) {
    return nullptr;
  }
  const Value* w = k.get(op.inputs[1]);
  if (!w || !w->is_tensor()) return nullptr;
  const Tensor& t = w->to_tensor();
  if (t.dtype() != DType::Float32 || !t.is_contiguous() || t.dim() < 3 || t.dim() > 4 ||
      t.numel() == 0) {
    return nullptr;
  }
  return &t;
}

void pack_block(const Program& p, Function& fn, Block& b, const Known& k) {
  std::vector<Instr> out;
  out.reserve(b.ops.size());
  for (Instr& op : b.ops) {
    for (Block& nested : op.blocks) pack_block(p, fn, nested, k);
    KernelFn packed = op.kind == OpKind::Kernel ? nn::packed_conv_kernel(op.fn) : nullptr;
    const Tensor* w = packed ? packable_weight(p, op, k) : nullptr;
    if (w) {
      uint32_t r = add_register(fn, "Tensor");
      out.push_back(constant_instr(r, Value(nn::pack_conv_weight(*w)), op));
      op.inputs.push_back(r);
      op.fn = packed;
    }
    out.push_back(std::move(op));
  }
  b.ops = std::move(out);
}

}  // namespace

bool pack_weights(const Program& p, Function& fn) {
  Constants k(fn);
  Known known{p, k, std::vector<const Instr*>(fn.num_registers, nullptr)};
  writers_of(fn.body, known.writer);
  uint32_t before = fn.num_registers;
  pack_block(p, fn, fn.body, known);
  return fn.num_registers != before;
}

}  // namespace opt
}  // namespace ember
