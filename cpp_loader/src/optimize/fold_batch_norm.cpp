// Batch norm folding: an eval-mode aten::batch_norm (constant running statistics, weight,
// bias and eps) whose input is a convolution's result read by nothing else (but shape
// queries) becomes part of that convolution: W' = W * a, b' = (b - mean) * a + beta with
// a = gamma / sqrt(var + eps), per output channel. The batch norm goes; its readers read
// the convolution's register.
#include <cmath>
#include <set>
#include <string>

#include "kernels/nn_common.h"
#include "optimize/graph.h"

namespace ember {
namespace opt {
namespace {

bool is_conv(const std::string& op) {
  static const std::set<std::string> ops = {"aten::conv1d", "aten::conv2d",
                                            "aten::conv1d.padding", "aten::conv2d.padding",
                                            "aten::convolution", "aten::_convolution"};
  return ops.count(op) != 0;
}

const Tensor* tensor_of(const Value* v) {
  return v && v->is_tensor() ? &v->to_tensor() : nullptr;
}

bool float_param(const Tensor* t, DType d, int64_t n) {
  return t && t->dtype() == d && t->dim() == 1 && t->size(0) == n;
}

struct Fold {
  Tensor weight, bias;
};

// The folded weight and bias, or false when the arguments do not allow it.
bool folded(const Constants& k, const Instr& conv, const Instr& bn, const std::string& conv_op,
            Fold* out) {
  const Tensor* w = tensor_of(k.get(conv.inputs[1]));
  const Value* b = k.get(conv.inputs[2]);
  if (!w || !b || !(b->is_none() || b->is_tensor()) || w->dim() < 3) return false;
  if (conv_op == "aten::convolution" || conv_op == "aten::_convolution") {
    const Value* transposed = k.get(conv.inputs[6]);
    if (!transposed || !transposed->is_bool() || transposed->to_bool()) return false;
  }
  DType d = w->dtype();
  if (d != DType::Float32 && d != DType::Float64) return false;
  int64_t o = w->size(0);
  if (o <= 0) return false;
  const Value* training = k.get(bn.inputs[5]);
  const Value* eps = k.get(bn.inputs[7]);
  if (!training || !training->is_bool() || training->to_bool()) return false;
  if (!eps || !(eps->is_double() || eps->is_int())) return false;
  const Value* params[4] = {k.get(bn.inputs[1]), k.get(bn.inputs[2]), k.get(bn.inputs[3]),
                            k.get(bn.inputs[4])};
  for (const Value* v : params)
    if (!v || !(v->is_none() || v->is_tensor())) return false;
  const Tensor *gamma = tensor_of(params[0]), *beta = tensor_of(params[1]);
  const Tensor *mean = tensor_of(params[2]), *var = tensor_of(params[3]);
  if (!float_param(mean, d, o) || !float_param(var, d, o)) return false;
  if ((gamma && !float_param(gamma, d, o)) || (beta && !float_param(beta, d, o))) return false;
  if (b->is_tensor() && !float_param(&b->to_tensor(), d, o)) return false;
  Tensor wd = nn::contiguous_as(*w, DType::Float64);
  Tensor md = nn::contiguous_as(*mean, DType::Float64), vd = nn::contiguous_as(*var, DType::Float64);
  Tensor gd = gamma ? nn::contiguous_as(*gamma, DType::Float64) : Tensor();
  Tensor bd = beta ? nn::contiguous_as(*beta, DType::Float64) : Tensor();
  Tensor cb = b->is_tensor() ? nn::contiguous_as(b->to_tensor(), DType::Float64) : Tensor();
  Tensor nw = Tensor::empty(w->sizes(), DType::Float64), nb = Tensor::empty(Dims{o}, DType::Float64);
  int64_t per = w->numel() / o;
  double e = eps->to_double();
  for (int64_t c = 0; c < o; ++c) {
    double a = 1.0 / std::sqrt(vd.data<double>()[c] + e);
    if (gamma) a *= gd.data<double>()[c];
    double shift = (cb.defined() ? cb.data<double>()[c] : 0.0) - md.data<double>()[c];
    nb.data<double>()[c] = shift * a + (beta ? bd.data<double>()[c] : 0.0);
    for (int64_t i = 0; i < per; ++i) nw.data<double>()[c * per + i] = wd.data<double>()[c * per + i] * a;
  }
  out->weight = nw.to(d), out->bias = nb.to(d);
  return true;
}

struct Pass {
  const Program& p;
  Function& fn;

  // Folds one batch norm of `b` (or of a nested block); true when it did.
  bool once(Block& b, const Constants& k) {
    for (size_t i = 0; i < b.ops.size(); ++i) {
      Instr& bn = b.ops[i];
      for (Block& nested : bn.blocks)
        if (once(nested, k)) return true;
      if (bn.kind != OpKind::Kernel || p.operator_name(bn) != "aten::batch_norm") continue;
      if (bn.inputs.size() != 9 || bn.outputs.size() != 1) continue;  // not torch's schema
      uint32_t x = bn.inputs[0];
      size_t j = i;
      while (j > 0 && !(b.ops[j - 1].outputs.size() == 1 && b.ops[j - 1].outputs[0] == x)) --j;
      if (j == 0) continue;
      Instr& conv = b.ops[j - 1];
      const std::string conv_op = p.operator_name(conv);
      if (conv.kind != OpKind::Kernel || !is_conv(conv_op) || conv.inputs.size() < 7) continue;
      bool in_results = false;
      bool others_ok = true;
      for (const Instr* reader : readers(fn, x, &in_results))
        if (reader != &bn && !shape_only(p, *reader))
          others_ok = false;
      Fold f;
      if (!others_ok || in_results || !folded(k, conv, bn, conv_op, &f)) continue;
      uint32_t y = bn.outputs[0];
      uint32_t rw = add_register(fn, "Tensor"), rb = add_register(fn, "Tensor");
      conv.inputs[1] = rw, conv.inputs[2] = rb;
      Instr cw = constant_instr(rw, Value(f.weight), conv), cb = constant_instr(rb, Value(f.bias), conv);
      b.ops.erase(b.ops.begin() + i);
      b.ops.insert(b.ops.begin() + (j - 1), std::move(cb));
      b.ops.insert(b.ops.begin() + (j - 1), std::move(cw));
      rename_reads(fn.body, y, x);
      return true;
    }
    return false;
  }
};

}  // namespace

bool fold_batch_norms(const Program& p, Function& fn) {
  Pass pass{p, fn};
  bool any = false;
  Constants k(fn);
  while (pass.once(fn.body, k)) {
    any = true;
    k = Constants(fn);
  }
  return any;
}

}  // namespace opt
}  // namespace ember
