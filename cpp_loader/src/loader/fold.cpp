// Attribute access at load: prim::GetAttr chains from a method's `self` (the root module)
// become constants when no prim::SetAttr anywhere writes that attribute name; the
// remaining GetAttr/SetAttr ops learn their slot from the register's class type.
#include <algorithm>
#include <set>
#include <unordered_map>

#include "loader/build.h"

namespace ember {

namespace {

using Classes = std::unordered_map<std::string, std::shared_ptr<const ClassInfo>>;

void collect_set_names(const Block& b, std::set<std::string>& names) {
  for (const Instr& in : b.ops) {
    if (in.kind == OpKind::SetAttr) names.insert(in.attribute);
    for (const Block& nested : in.blocks) collect_set_names(nested, names);
  }
}

void resolve_slots(Block& b, const Function& fn, const Classes& classes) {
  for (Instr& in : b.ops) {
    if ((in.kind == OpKind::GetAttr || in.kind == OpKind::SetAttr) && !fn.register_types.empty()) {
      auto it = classes.find(fn.register_types[in.inputs[0]]);
      if (it != classes.end()) {
        in.cls = it->second;
        in.slot = in.cls->slot(in.attribute);
      }
    }
    for (Block& nested : in.blocks) resolve_slots(nested, fn, classes);
  }
}

struct Folder {
  const std::set<std::string>& written;
  std::vector<const Value*> known;  // per register: its value when fixed at load

  void block(Block& b) {
    for (Instr& in : b.ops) {
      for (Block& nested : in.blocks) block(nested);
      if (in.kind != OpKind::GetAttr || written.count(in.attribute)) continue;
      const Value* owner = known[in.inputs[0]];
      if (owner == nullptr || !owner->is_object()) continue;
      const Object& obj = *owner->to_object();
      int64_t slot = obj.cls ? obj.cls->slot(in.attribute) : -1;
      if (slot < 0 || static_cast<size_t>(slot) >= obj.slots.size()) continue;
      in.kind = OpKind::Constant;
      in.constant = obj.slots[static_cast<size_t>(slot)];
      known[in.outputs[0]] = &in.constant;
    }
  }
};

void hoist(Block& b, Function& fn, std::vector<uint8_t>& constant) {
  for (Instr& in : b.ops) {
    for (Block& nested : in.blocks) hoist(nested, fn, constant);
    if (in.kind == OpKind::Constant) {
      fn.constant_registers.emplace_back(in.outputs[0], in.constant);
      constant[in.outputs[0]] = 1;
    }
  }
  b.ops.erase(std::remove_if(b.ops.begin(), b.ops.end(),
                             [](const Instr& in) { return in.kind == OpKind::Constant; }),
              b.ops.end());
}

void pin_results(Block& b, const std::vector<uint8_t>& constant) {
  for (size_t k = 0; k < b.results.size(); ++k) {
    if (constant[b.results[k]]) b.movable[k] = 0;
  }
  for (Instr& in : b.ops) {
    for (Block& nested : in.blocks) pin_results(nested, constant);
  }
}

}  // namespace

void hoist_constants(Program& p) {
  for (auto& fn : p.functions) {
    std::vector<uint8_t> constant(fn->num_registers, 0);
    hoist(fn->body, *fn, constant);
    pin_results(fn->body, constant);  // a constant's register is never emptied
  }
}

void fold_attributes(Program& p) {
  std::set<std::string> written;
  for (const auto& fn : p.functions) collect_set_names(fn->body, written);
  Classes classes;
  for (const auto& c : p.classes) classes.emplace(c->name, c);
  for (auto& fn : p.functions) resolve_slots(fn->body, *fn, classes);
  if (!p.root.is_object()) return;
  std::set<uint32_t> done;
  for (const auto& method : p.methods) {
    Function& fn = *p.functions[method.second];
    if (fn.body.arguments.empty() || !done.insert(method.second).second) continue;
    uint32_t self = fn.body.arguments[0];
    if (!fn.register_types.empty() && fn.register_types[self] != p.root.to_object()->cls->name) {
      continue;
    }
    Folder folder{written, std::vector<const Value*>(fn.num_registers, nullptr)};
    folder.known[self] = &p.root;
    folder.block(fn.body);
  }
}

}  // namespace ember
