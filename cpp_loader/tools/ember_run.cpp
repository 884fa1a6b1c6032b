// ember-run MODEL.pt IN.npz OUT.npz: runs a model's `forward` on the arrays of an npz file.
//
// Inputs are IN.npz's arrays in0, in1, ... in order. Where forward declares an int, float,
// bool or number argument, a 0-d array gives that scalar (a 1-d integer array gives an
// int[] argument); every other array is passed as a tensor. The result is written to OUT.npz
// as out0, out1, ...: tuples, lists and dict values are flattened depth-first in order,
// None is skipped, and int/float/bool/complex scalars become 0-d int64/float64/bool/
// complex128 arrays. On failure the error is printed and the exit status is 1 (2 for usage).
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "ember/ember.h"
#include "io/npz.h"
#include "runtime/program.h"

namespace {

const char kUsage[] =
    "usage: ember-run [--method NAME] MODEL.pt IN.npz OUT.npz\n"
    "\n"
    "Runs MODEL.pt's forward (or NAME) on the arrays in0, in1, ... of IN.npz and writes\n"
    "the results to OUT.npz as out0, out1, ... (tuples, lists and dict values flattened in\n"
    "order, None skipped, scalars as 0-d arrays). A 0-d array is passed as a Python scalar\n"
    "where the method declares int, float, bool or number.\n";

using ember::DType;
using ember::Error;
using ember::ErrorKind;
using ember::Tensor;
using ember::TypeSpec;
using ember::Value;

const TypeSpec* unwrap_optional(const TypeSpec* t) {
  while (t->kind == TypeSpec::Optional && !t->elems.empty()) t = &t->elems[0];
  return t;
}

// The array as the value the method's argument type asks for.
Value to_argument(const Tensor& t, const TypeSpec* type) {
  const TypeSpec* want = type ? unwrap_optional(type) : nullptr;
  if (!want) return t;
  bool integral = ember::is_integral(t.dtype(), false);
  if (t.dim() == 0) {
    switch (want->kind) {
      case TypeSpec::Int:
        if (integral || t.dtype() == DType::Bool) return Value(t.item_int());
        break;
      case TypeSpec::Float:
        if (!ember::is_complex(t.dtype())) return Value(t.item_double());
        break;
      case TypeSpec::Bool:
        if (t.dtype() == DType::Bool) return Value(t.item_int() != 0);
        break;
      case TypeSpec::Number:
        if (t.dtype() == DType::Bool) return Value(t.item_int() != 0);
        if (integral) return Value(t.item_int());
        if (ember::is_floating(t.dtype())) return Value(t.item_double());
        break;
      default:
        break;
    }
  }
  if (t.dim() == 1 && want->kind == TypeSpec::List && !want->elems.empty() &&
      want->elems[0].kind == TypeSpec::Int && integral) {
    std::vector<int64_t> items(static_cast<size_t>(t.numel()));
    t.to(DType::Int64).copy_to(items.data());
    return Value::int_list(items);
  }
  return t;
}

std::vector<const TypeSpec*> argument_types(const ember::Module& module, const std::string& method) {
  std::vector<const TypeSpec*> types;
  const auto& program = module.program();
  if (!program) return types;
  auto it = program->methods.find(method);
  if (it == program->methods.end()) return types;
  const ember::Function& fn = *program->functions[it->second];
  for (size_t i = 1; i < fn.argument_types.size(); ++i) types.push_back(&fn.argument_types[i]);
  return types;
}

std::vector<Value> read_inputs(const std::string& path, const ember::Module& module,
                               const std::string& method) {
  ember::NamedTensors arrays = ember::read_npz(path);
  std::vector<const Tensor*> ordered(arrays.size(), nullptr);
  for (const auto& [name, tensor] : arrays) {
    size_t k = 0;
    bool ok = name.size() > 2 && name.size() < 12 && name.compare(0, 2, "in") == 0 &&
              name.find_first_not_of("0123456789", 2) == std::string::npos &&
              (name.size() == 3 || name[2] != '0');
    if (ok) k = std::stoul(name.substr(2));
    if (!ok || k >= ordered.size() || ordered[k])
      throw Error(ErrorKind::Argument, path + ": expected arrays in0..in" +
                                           std::to_string(arrays.size() - 1) + ", found '" + name + "'");
    ordered[k] = &tensor;
  }
  std::vector<const TypeSpec*> types = argument_types(module, method);
  std::vector<Value> inputs;
  for (size_t i = 0; i < ordered.size(); ++i)
    inputs.push_back(to_argument(*ordered[i], i < types.size() ? types[i] : nullptr));
  return inputs;
}

void flatten(const Value& v, ember::NamedTensors& out) {
  auto add = [&](Tensor t) { out.emplace_back("out" + std::to_string(out.size()), std::move(t)); };
  switch (v.tag()) {
    case ember::Tag::None: return;
    case ember::Tag::Tensor: return add(v.to_tensor());
    case ember::Tag::Bool: {
      bool b = v.to_bool();
      return add(Tensor::from_buffer(&b, {}, DType::Bool));
    }
    case ember::Tag::Int: {
      int64_t i = v.to_int();
      return add(Tensor::from_buffer(&i, {}, DType::Int64));
    }
    case ember::Tag::Double: {
      double d = v.to_double();
      return add(Tensor::from_buffer(&d, {}, DType::Float64));
    }
    case ember::Tag::Complex: {
      std::complex<double> c = v.to_complex();
      return add(Tensor::from_buffer(&c, {}, DType::Complex128));
    }
    case ember::Tag::List:
    case ember::Tag::Tuple:
      for (const Value& item : v.items()) flatten(item, out);
      return;
    case ember::Tag::Dict:
      for (const auto& kv : v.to_dict()->items) flatten(kv.second, out);
      return;
    default:
      throw Error(ErrorKind::Runtime, std::string("output ") + std::to_string(out.size()) +
                                          " is a " + ember::tag_name(v.tag()) +
                                          ", which an npz file cannot hold");
  }
}

int run(const std::string& model_path, const std::string& in_path, const std::string& out_path,
        const std::string& method) {
  auto loaded = ember::load(model_path);
  if (!loaded) throw loaded.error();
  ember::Module& module = *loaded;
  std::vector<Value> inputs = read_inputs(in_path, module, method);
  auto result = module.run_method(method, inputs);
  if (!result) throw result.error();
  ember::NamedTensors outputs;
  flatten(*result, outputs);
  for (auto& named : outputs) {
    if (!named.second.defined())
      throw Error(ErrorKind::Runtime, named.first + " is an undefined tensor");
  }
  ember::write_npz(out_path, outputs);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> paths;
  std::string method = "forward";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--method" && i + 1 < argc) {
      method = argv[++i];
    } else if (a.size() > 1 && a[0] == '-' && a != "-") {
      std::fprintf(stderr, "ember-run: unknown option '%s'\n%s", a.c_str(), kUsage);
      return 2;
    } else {
      paths.push_back(a);
    }
  }
  if (paths.size() != 3) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  try {
    return run(paths[0], paths[1], paths[2], method);
  } catch (const Error& e) {
    std::fprintf(stderr, "ember-run: %s\n", e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ember-run: %s\n", e.what());
  }
  return 1;
}
