// Functions: each op checked (indices, arities, registers written before they are read,
// each register written once) and bound: structural ops to the interpreter, upgraded
// overloads to the program's upgrader functions, every other operator to its kernel.
#include <map>
#include <set>

#include "loader/build.h"

namespace ember {

namespace {

struct UpgraderRow {
  const char* overload;
  int64_t first, last;
  const char* name;
  bool has_body;
};

const UpgraderRow kUpgraders[] = {
#define EMBER_UPGRADER(overload, first, last, name, has_body) {overload, first, last, name, has_body},
#include "runtime/upgraders_table.inc"
#undef EMBER_UPGRADER
};

constexpr int kMaxDepth = 200;

template <class T>
uint32_t count(const flatbuffers::Vector<T>* v) {
  return v ? v->size() : 0;
}

std::string text(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

struct Missing {
  std::map<std::string, std::string> first_use;  // operator -> "forward, op 3"
};

class FunctionBuilder {
 public:
  FunctionBuilder(LoadContext& ctx, Function& fn, Missing& missing)
      : ctx_(ctx), p_(*ctx.program), fn_(fn), missing_(missing),
        defined_(fn.num_registers, 0), written_(fn.num_registers, 0),
        owner_(fn.num_registers, 0) {}

  Block block(const fb::Block* b, int depth) {
    if (depth > kMaxDepth) fail("blocks nested too deeply");
    uint32_t id = ++blocks_;
    size_t mark = trail_.size();
    Block out;
    for (uint32_t i = 0; i < count(b->arguments()); ++i) {
      out.arguments.push_back(define(b->arguments()->Get(i), id, "block argument"));
    }
    for (uint32_t i = 0; i < count(b->ops()); ++i) out.ops.push_back(op(b->ops()->Get(i), id, depth));
    for (uint32_t i = 0; i < count(b->results()); ++i) {
      out.results.push_back(use(b->results()->Get(i), "block result"));
    }
    for (uint32_t r : out.results) {
      size_t times = 0;
      for (uint32_t q : out.results) times += q == r;
      out.movable.push_back(owner_[r] == id && times == 1);
    }
    while (trail_.size() > mark) {
      defined_[trail_.back()] = 0;
      trail_.pop_back();
    }
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    load_error("function " + fn_.name + ", op " + std::to_string(op_index_) + ": " + what);
  }
  uint32_t check(uint32_t reg, const char* role) const {
    if (reg >= fn_.num_registers) {
      fail(std::string(role) + " register " + std::to_string(reg) + " out of range (" +
           std::to_string(fn_.num_registers) + " registers)");
    }
    return reg;
  }
  uint32_t define(uint32_t reg, uint32_t block_id, const char* role) {
    check(reg, role);
    if (written_[reg]) fail("register " + std::to_string(reg) + " is written twice");
    written_[reg] = defined_[reg] = 1;
    owner_[reg] = block_id;
    trail_.push_back(reg);
    return reg;
  }
  uint32_t use(uint32_t reg, const char* role) const {
    check(reg, role);
    if (!defined_[reg]) fail(std::string(role) + " register " + std::to_string(reg) + " is read before it is written");
    return reg;
  }

  Instr op(const fb::Op* o, uint32_t block_id, int depth) {
    Instr in;
    in.index = op_index_ = next_index_++;
    uint32_t oi = o->operator_();
    if (oi >= p_.operator_names.size()) fail("operator index " + std::to_string(oi) + " out of range");
    in.operator_index = oi;
    in.source = text(o->source());
    const std::string& q = p_.operator_names[oi];
    for (uint32_t i = 0; i < count(o->inputs()); ++i) in.inputs.push_back(use(o->inputs()->Get(i), "input"));
    for (uint32_t i = 0; i < count(o->blocks()); ++i) {
      in.blocks.push_back(block(o->blocks()->Get(i), depth + 1));
      op_index_ = in.index;
    }
    for (uint32_t i = 0; i < count(o->outputs()); ++i) {
      in.outputs.push_back(define(o->outputs()->Get(i), block_id, "output"));
    }
    bind(in, o, q);
    return in;
  }

  void arity(const Instr& in, const std::string& q, size_t inputs, size_t outputs, size_t blocks) const {
    if (in.inputs.size() != inputs || in.outputs.size() != outputs || in.blocks.size() != blocks) {
      fail(q + " with " + std::to_string(in.inputs.size()) + " inputs, " +
           std::to_string(in.outputs.size()) + " outputs and " + std::to_string(in.blocks.size()) +
           " blocks (expected " + std::to_string(inputs) + ", " + std::to_string(outputs) + ", " +
           std::to_string(blocks) + ")");
    }
  }
  void block_arity(const Block& b, const std::string& q, size_t args, size_t results) const {
    if (b.arguments.size() != args || b.results.size() != results) {
      fail(q + " block with " + std::to_string(b.arguments.size()) + " arguments and " +
           std::to_string(b.results.size()) + " results (expected " + std::to_string(args) +
           " and " + std::to_string(results) + ")");
    }
  }

  void bind(Instr& in, const fb::Op* o, const std::string& q) {
    if (q == "prim::Constant") {
      arity(in, q, 0, 1, 0);
      int32_t c = o->constant();
      if (c < 0 || static_cast<size_t>(c) >= p_.constants.size()) {
        fail("constant index " + std::to_string(c) + " out of range");
      }
      in.kind = OpKind::Constant;
      in.constant = p_.constants[static_cast<size_t>(c)];
    } else if (q == "prim::GetAttr" || q == "prim::SetAttr") {
      bool get = q == "prim::GetAttr";
      arity(in, q, get ? 1 : 2, get ? 1 : 0, 0);
      if (o->name() == nullptr) fail(q + " without an attribute name");
      in.kind = get ? OpKind::GetAttr : OpKind::SetAttr;
      in.attribute = o->name()->str();
    } else if (q == "prim::If") {
      if (in.blocks.size() != 2 || in.inputs.size() != 1) arity(in, q, 1, in.outputs.size(), 2);
      for (const Block& b : in.blocks) block_arity(b, q, 0, in.outputs.size());
      in.kind = OpKind::If;
    } else if (q == "prim::Loop") {
      if (in.inputs.size() < 2) fail("prim::Loop needs a trip count and a condition");
      size_t carried = in.inputs.size() - 2;
      arity(in, q, in.inputs.size(), carried, 1);
      block_arity(in.blocks[0], q, 1 + carried, 1 + carried);
      in.kind = OpKind::Loop;
    } else if (q == "prim::Return" || q == "prim::Yield") {
      arity(in, q, in.inputs.size(), 0, 0);
      in.kind = OpKind::Nop;
    } else {
      if (!in.blocks.empty()) fail(q + " cannot own blocks");
      if (!fn_.is_upgrader && bind_upgrader(in, q)) return;
      in.kind = OpKind::Kernel;
      in.fn = kernels().find(q);
      if (in.fn == nullptr) {
        missing_.first_use.emplace(q, fn_.name + ", op " + std::to_string(in.index));
      }
    }
  }

  bool bind_upgrader(Instr& in, const std::string& q) {
    for (const UpgraderRow& row : kUpgraders) {
      if (q != row.overload || p_.version < row.first || p_.version > row.last) continue;
      if (!row.has_body) return false;
      for (size_t f = 0; f < p_.functions.size(); ++f) {
        const Function& callee = *p_.functions[f];
        if (!callee.is_upgrader || callee.name != row.name) continue;
        if (callee.body.arguments.size() != in.inputs.size() ||
            callee.body.results.size() != in.outputs.size()) {
          throw Error(ErrorKind::Operator,
                      "program record: upgrader " + callee.name + " takes " +
                          std::to_string(callee.body.arguments.size()) + " arguments and returns " +
                          std::to_string(callee.body.results.size()) + " values, but " + q +
                          " in function " + fn_.name + ", op " + std::to_string(in.index) +
                          " passes " + std::to_string(in.inputs.size()) + " and expects " +
                          std::to_string(in.outputs.size()));
        }
        in.kind = OpKind::Call;
        in.function = static_cast<uint32_t>(f);
        return true;
      }
      throw Error(ErrorKind::Version,
                  "archive version " + std::to_string(p_.version) + " gives " + q +
                      " its old meaning (upgrader " + row.name + ", versions " +
                      std::to_string(row.first) + ".." + std::to_string(row.last) +
                      "), but the program record has no body for " + row.name +
                      ": rewrite the program record with `ember convert IN OUT`");
    }
    return false;
  }

  LoadContext& ctx_;
  Program& p_;
  Function& fn_;
  Missing& missing_;
  std::vector<uint8_t> defined_, written_;
  std::vector<uint32_t> owner_;
  std::vector<uint32_t> trail_;
  uint32_t blocks_ = 0;
  uint32_t next_index_ = 0;
  uint32_t op_index_ = 0;
};

std::vector<std::string> strings(const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* v) {
  std::vector<std::string> out;
  for (uint32_t i = 0; i < count(v); ++i) out.push_back(v->Get(i)->str());
  return out;
}

// The function's header: name, registers and their types.
std::unique_ptr<Function> declare(const LoadContext& ctx, const fb::Function* f, bool upgrader) {
  auto fn = std::make_unique<Function>();
  fn->name = f->name()->str();
  fn->is_upgrader = upgrader;
  fn->num_registers = f->num_registers();
  // Each register is written by an op output or a block argument, 4 bytes each in the record.
  if (fn->num_registers > ctx.record_size / 4 + 16) {
    load_error("function " + fn->name + ": " + std::to_string(fn->num_registers) +
               " registers is more than the record can write");
  }
  fn->register_types = strings(f->register_types());
  fn->register_names = strings(f->register_names());
  fn->argument_names = strings(f->argument_names());
  if (!fn->register_types.empty() && fn->register_types.size() != fn->num_registers) {
    load_error("function " + fn->name + ": register_types does not match num_registers");
  }
  if (!fn->register_names.empty() && fn->register_names.size() != fn->num_registers) {
    load_error("function " + fn->name + ": register_names does not match num_registers");
  }
  return fn;
}

void read_defaults(const Program& p, Function& fn, const fb::Function* f) {
  const auto* defaults = f->argument_defaults();
  if (count(defaults) == 0) return;
  if (defaults->size() != fn.body.arguments.size()) {
    load_error("function " + fn.name + ": " + std::to_string(defaults->size()) +
               " argument defaults for " + std::to_string(fn.body.arguments.size()) + " arguments");
  }
  for (uint32_t i = 0; i < defaults->size(); ++i) {
    int32_t c = defaults->Get(i);
    if (c >= 0 && static_cast<size_t>(c) >= p.constants.size()) {
      load_error("function " + fn.name + ": default of argument " + std::to_string(i) +
                 " is constant " + std::to_string(c) + ", out of range");
    }
    fn.has_default.push_back(c >= 0);
    fn.argument_defaults.push_back(c >= 0 ? p.constants[static_cast<size_t>(c)] : Value());
  }
}

}  // namespace

void build_functions(LoadContext& ctx) {
  Program& p = *ctx.program;
  const fb::Program* r = ctx.record;
  for (uint32_t i = 0; i < count(r->operators()); ++i) {
    const fb::Operator* o = r->operators()->Get(i);
    std::string overload = text(o->overload());
    p.operator_names.push_back(o->name()->str() + (overload.empty() ? "" : "." + overload));
  }
  uint32_t nf = count(r->functions()), nu = count(r->upgraders());
  for (uint32_t i = 0; i < nf; ++i) p.functions.push_back(declare(ctx, r->functions()->Get(i), false));
  for (uint32_t i = 0; i < nu; ++i) p.functions.push_back(declare(ctx, r->upgraders()->Get(i), true));
  Missing missing;
  // Upgraders first: calls to them check their arity.
  for (uint32_t pass = 0; pass < 2; ++pass) {
    for (uint32_t i = 0; i < nf + nu; ++i) {
      Function& fn = *p.functions[i];
      if (fn.is_upgrader != (pass == 0)) continue;
      const fb::Function* f = i < nf ? r->functions()->Get(i) : r->upgraders()->Get(i - nf);
      fn.body = FunctionBuilder(ctx, fn, missing).block(f->body(), 0);
      for (uint32_t a : fn.body.arguments) {
        fn.argument_types.push_back(
            parse_type(fn.register_types.empty() ? std::string() : fn.register_types[a]));
      }
      read_defaults(p, fn, f);
    }
  }
  if (!missing.first_use.empty()) {
    std::string names, where;
    for (const auto& m : missing.first_use) {
      names += (names.empty() ? "" : ", ") + m.first;
      if (where.empty()) where = m.second;
    }
    throw Error(ErrorKind::Operator, "no kernel for operator" +
                                         std::string(missing.first_use.size() > 1 ? "s " : " ") +
                                         names + " (first used in " + where +
                                         "): this runtime cannot run the archive");
  }
  for (uint32_t i = 0; i < count(r->methods()); ++i) {
    const fb::Method* m = r->methods()->Get(i);
    if (m->function() >= nf) load_error("method " + m->name()->str() + ": function index out of range");
    if (!p.methods.emplace(m->name()->str(), m->function()).second) {
      load_error("method " + m->name()->str() + " is defined twice");
    }
  }
}

}  // namespace ember
