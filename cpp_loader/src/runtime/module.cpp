// The public API: loading archives into Modules and running their methods. No exception
// leaves these functions: every failure is a Result holding an ember::Error.
#include "ember/module.h"

#include <new>

#include "loader/load.h"
#include "runtime/interpreter.h"
#include "runtime/text.h"

namespace ember {

namespace {

template <class F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    return with_valid_text(e);
  } catch (const std::bad_alloc&) {
    return Error(ErrorKind::Runtime, "out of memory");
  } catch (const std::exception& e) {
    return Error(ErrorKind::Runtime, valid_utf8(e.what()));
  } catch (...) {
    return Error(ErrorKind::Runtime, "unknown error");
  }
}

std::string signature(const Function& fn) {
  std::string s = fn.name + "(";
  for (size_t i = 1; i < fn.body.arguments.size(); ++i) {
    std::string name = i < fn.argument_names.size() ? fn.argument_names[i] : "arg" + std::to_string(i);
    s += (i > 1 ? ", " : "") + name;
    if (!fn.argument_types[i].text.empty()) s += ": " + fn.argument_types[i].text;
  }
  return s + ")";
}

// The inputs with the defaults of the arguments not given filled in (null: none missing).
std::unique_ptr<std::vector<Value>> with_defaults(const Function& fn,
                                                  const std::vector<Value>& inputs) {
  size_t expected = fn.body.arguments.empty() ? 0 : fn.body.arguments.size() - 1;
  if (inputs.size() >= expected || fn.has_default.empty()) return nullptr;
  for (size_t i = inputs.size() + 1; i <= expected; ++i) {
    if (!fn.has_default[i]) return nullptr;
  }
  auto all = std::make_unique<std::vector<Value>>(inputs);
  for (size_t i = inputs.size() + 1; i <= expected; ++i) all->push_back(fn.argument_defaults[i]);
  return all;
}

void check_arguments(const Function& fn, const std::string& method, const std::vector<Value>& inputs) {
  size_t expected = fn.body.arguments.empty() ? 0 : fn.body.arguments.size() - 1;
  if (inputs.size() != expected) {
    throw Error(ErrorKind::Argument, method + "() takes " + std::to_string(expected) +
                                         " argument" + (expected == 1 ? "" : "s") + " but " +
                                         std::to_string(inputs.size()) + " were given: " +
                                         signature(fn));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TypeSpec& t = fn.argument_types[i + 1];
    if (type_matches(t, inputs[i])) continue;
    std::string name = i + 1 < fn.argument_names.size() ? fn.argument_names[i + 1] : "arg" + std::to_string(i + 1);
    throw Error(ErrorKind::Argument, method + "() expected a value of type '" + t.text +
                                         "' for argument '" + name + "' but instead found type '" +
                                         describe(inputs[i]) + "'");
  }
}

}  // namespace

Result<Value> Module::forward(const std::vector<Value>& inputs) const {
  return run_method("forward", inputs);
}

Result<Value> Module::run_method(const std::string& name, const std::vector<Value>& inputs) const {
  return guarded([&]() -> Result<Value> {
    if (!program_) throw Error(ErrorKind::Argument, "the module holds no program");
    auto it = program_->methods.find(name);
    if (it == program_->methods.end()) {
      throw Error(ErrorKind::Argument, "the module has no method '" + name + "'");
    }
    Function& fn = *program_->functions[it->second];
    auto filled = with_defaults(fn, inputs);
    const std::vector<Value>& args = filled ? *filled : inputs;
    check_arguments(fn, name, args);
    bool has_self = !fn.body.arguments.empty();
    return run_function(*program_, fn, has_self ? &program_->root : nullptr, args);
  });
}

std::vector<std::string> Module::method_names() const {
  std::vector<std::string> names;
  if (program_) {
    for (const auto& m : program_->methods) names.push_back(m.first);
  }
  return names;
}

Result<Value> Module::attribute(const std::string& path) const {
  return guarded([&]() -> Result<Value> {
    if (!program_) throw Error(ErrorKind::Argument, "the module holds no program");
    Value v = program_->root;
    size_t at = 0;
    while (true) {
      size_t dot = path.find('.', at);
      std::string name = path.substr(at, dot == std::string::npos ? std::string::npos : dot - at);
      if (!v.is_object()) {
        throw Error(ErrorKind::Argument, "attribute '" + path + "': '" + name +
                                             "' is looked up on a " + describe(v) + ", not a module");
      }
      const Object& obj = *v.to_object();
      int64_t slot = obj.cls ? obj.cls->slot(name) : -1;
      if (slot < 0 || static_cast<size_t>(slot) >= obj.slots.size()) {
        throw Error(ErrorKind::Argument, "attribute '" + path + "': " +
                                             (obj.cls ? obj.cls->name : std::string("object")) +
                                             " has no attribute '" + name + "'");
      }
      v = obj.slots[static_cast<size_t>(slot)];
      if (dot == std::string::npos) return v;
      at = dot + 1;
    }
  });
}

int64_t Module::version() const { return program_ ? program_->version : 0; }

Result<Module> load(const std::string& path, const LoadOptions& options) {
  return guarded([&]() -> Result<Module> {
    try {
      return Module(load_program(read_file(path, options.mmap), options));
    } catch (const Error& e) {
      throw Error(e.kind(), path + ": " + e.what());
    }
  });
}

Result<Module> load_bytes(const void* data, size_t size, const LoadOptions& options) {
  return guarded([&]() -> Result<Module> {
    if (data == nullptr && size != 0) throw Error(ErrorKind::Load, "load_bytes: null data");
    return Module(load_program(copy_bytes(data, size), options));
  });
}

}  // namespace ember
