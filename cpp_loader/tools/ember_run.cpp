// ember-run MODEL.pt IN.npz OUT.npz: runs a model's `forward` on the arrays of an npz file.
//
// Inputs are IN.npz's arrays in0, in1, ... in order. Where forward declares an int, float,
// bool or number argument, a 0-d array gives that scalar (a 1-d integer array gives an
// int[] argument); every other array is passed as a tensor. Arrays in2.0, in2.1, ... make
// argument 2 a list (a tuple where a tuple is declared); a missing in<k> is None where the
// argument is Optional. The result is written to OUT.npz as out0, out1, ...: tuples, lists
// and dict values are flattened depth-first in order, None is skipped, and int/float/bool/
// complex scalars become 0-d int64/float64/bool/complex128 arrays. On failure the error is printed and the exit status is 1 (2 for usage).
#include <cstdio>
#include <cstring>
#include <map>
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
    "where the method declares int, float, bool or number, a 1-d integer array as int[];\n"
    "in<k>.0, in<k>.1, ... make argument k a list (or tuple), and a missing in<k> is None\n"
    "where the argument is Optional.\n";

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

// "in3" -> (3, -1), "in3.1" -> (3, 1); false for any other name.
bool parse_name(const std::string& name, size_t& k, long& j) {
  auto number = [](const std::string& s, size_t& out) {
    if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos ||
        (s.size() > 1 && s[0] == '0'))
      return false;
    out = std::stoul(s);
    return true;
  };
  if (name.compare(0, 2, "in") != 0) return false;
  size_t dot = name.find('.');
  if (!number(name.substr(2, dot == std::string::npos ? std::string::npos : dot - 2), k)) return false;
  j = -1;
  if (dot == std::string::npos) return true;
  size_t item;
  if (!number(name.substr(dot + 1), item)) return false;
  j = static_cast<long>(item);
  return true;
}

struct Input {
  const Tensor* whole = nullptr;
  std::map<long, const Tensor*> items;  // in<k>.<j>
};

// Items in<k>.0, in<k>.1, ... as the List or Tuple the argument's type asks for.
Value sequence_argument(const std::string& where, const Input& in, const TypeSpec* type) {
  const TypeSpec* want = type ? unwrap_optional(type) : nullptr;
  bool tuple = want && want->kind == TypeSpec::Tuple;
  std::vector<Value> items;
  for (const auto& [j, tensor] : in.items) {
    if (j != static_cast<long>(items.size()))
      throw Error(ErrorKind::Argument, where + "." + std::to_string(items.size()) + " is missing");
    const TypeSpec* elem = nullptr;
    if (want && want->kind == TypeSpec::List && !want->elems.empty()) elem = &want->elems[0];
    if (tuple && static_cast<size_t>(j) < want->elems.size()) elem = &want->elems[j];
    items.push_back(to_argument(*tensor, elem));
  }
  return tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
}

// in<k> is argument k; in<k>.0, in<k>.1, ... make it a list (a tuple where the method
// declares one); an absent in<k> is None where the argument is Optional.
std::vector<Value> read_inputs(const std::string& path, const ember::Module& module,
                               const std::string& method) {
  ember::NamedTensors arrays = ember::read_npz(path);
  std::map<size_t, Input> by_index;
  for (const auto& [name, tensor] : arrays) {
    size_t k;
    long j;
    if (!parse_name(name, k, j))
      throw Error(ErrorKind::Argument, path + ": expected arrays named in0, in1, ... (or in0.0, "
                                              "in0.1, ... for a list), found '" + name + "'");
    Input& in = by_index[k];
    if (j < 0)
      in.whole = &tensor;
    else
      in.items[j] = &tensor;
    if (in.whole && !in.items.empty())
      throw Error(ErrorKind::Argument, path + ": in" + std::to_string(k) + " is given twice");
  }
  std::vector<const TypeSpec*> types = argument_types(module, method);
  size_t count = by_index.empty() ? 0 : by_index.rbegin()->first + 1;
  std::vector<Value> inputs;
  for (size_t k = 0; k < count; ++k) {
    const TypeSpec* type = k < types.size() ? types[k] : nullptr;
    std::string where = path + ": in" + std::to_string(k);
    auto it = by_index.find(k);
    if (it == by_index.end()) {
      if (!type || type->kind != TypeSpec::Optional)
        throw Error(ErrorKind::Argument, where + " is missing (only an Optional argument may be)");
      inputs.emplace_back();
    } else if (it->second.whole) {
      inputs.push_back(to_argument(*it->second.whole, type));
    } else {
      inputs.push_back(sequence_argument(where, it->second, type));
    }
  }
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
