// The value prims of the IR: containers built and taken apart, casts, placeholders and
// raised exceptions (the Python runtime's forms of them are in ember/runtime/codegen_prims.py).
// Also defines register_prim_kernels, which registers every kernel on plain values.
#include <cstring>
#include <string>
#include <string_view>

#include "kernels/prim_util.h"

namespace ember {
namespace prim {

[[noreturn]] void fail(const std::string& message) { throw Error(ErrorKind::Runtime, message); }

namespace {

void list_construct(Call& c) {
  std::vector<Value> items(c.num_inputs);
  for (uint32_t i = 0; i < c.num_inputs; ++i) items[i] = c.in(i);
  c.set(0, new_list(std::move(items)));
}

void tuple_construct(Call& c) {
  auto t = std::make_shared<Tuple>();
  t->items.reserve(c.num_inputs);
  for (uint32_t i = 0; i < c.num_inputs; ++i) t->items.push_back(c.in(i));
  c.set(0, Value(std::move(t)));
}

void dict_construct(Call& c) {
  if (c.num_inputs % 2 != 0) fail("prim::DictConstruct takes keys and values in pairs");
  auto d = std::make_shared<Dict>();
  d->items.reserve(c.num_inputs / 2);
  for (uint32_t i = 0; i < c.num_inputs; i += 2) d->set(c.in(i), c.in(i + 1));
  c.set(0, Value(std::move(d)));
}

// `a, b, = xs` (the Python runtime's form): the count must match.
void unpack(Call& c) {
  if (c.num_outputs == 0) return;
  const Value held = c.in(0);  // an output may overwrite the input's register
  const std::vector<Value>& items = held.items();
  const size_t n = c.num_outputs;
  if (items.size() > n) fail("too many values to unpack (expected " + std::to_string(n) + ")");
  if (items.size() < n) {
    fail("not enough values to unpack (expected " + std::to_string(n) + ", got " +
         std::to_string(items.size()) + ")");
  }
  for (uint32_t i = 0; i < n; ++i) c.set(i, items[i]);
}

void tuple_index(Call& c) {
  const std::vector<Value>& items = c.in(0).items();
  int64_t i = as_int(c.in(1));
  const int64_t n = static_cast<int64_t>(items.size());
  if (i < 0) i += n;
  if (i < 0 || i >= n) fail(c.in(0).is_list() ? "list index out of range" : "tuple index out of range");
  Value v = items[static_cast<size_t>(i)];
  c.set(0, std::move(v));
}

void unchecked_cast(Call& c) {
  Value v = c.in(0);
  c.set(0, std::move(v));
}

void uninitialized(Call& c) { c.set(0, Value()); }

// Python's builtin exception classes: scripted code raising one of these raises it.
constexpr const char* kBuiltinExceptions[] = {
    "ArithmeticError", "AssertionError", "AttributeError", "BaseException",
    "BaseExceptionGroup", "BlockingIOError", "BrokenPipeError", "BufferError", "BytesWarning",
    "ChildProcessError", "ConnectionAbortedError", "ConnectionError", "ConnectionRefusedError",
    "ConnectionResetError", "DeprecationWarning", "EOFError", "EncodingWarning",
    "EnvironmentError", "Exception", "ExceptionGroup", "FileExistsError", "FileNotFoundError",
    "FloatingPointError", "FutureWarning", "GeneratorExit", "IOError", "ImportError",
    "ImportWarning", "IndentationError", "IndexError", "InterruptedError", "IsADirectoryError",
    "KeyError", "KeyboardInterrupt", "LookupError", "MemoryError", "ModuleNotFoundError",
    "NameError", "NotADirectoryError", "NotImplementedError", "OSError", "OverflowError",
    "PendingDeprecationWarning", "PermissionError", "ProcessLookupError", "RecursionError",
    "ReferenceError", "ResourceWarning", "RuntimeError", "RuntimeWarning",
    "StopAsyncIteration", "StopIteration", "SyntaxError", "SyntaxWarning", "SystemError",
    "SystemExit", "TabError", "TimeoutError", "TypeError", "UnboundLocalError",
    "UnicodeDecodeError", "UnicodeEncodeError", "UnicodeError", "UnicodeTranslateError",
    "UnicodeWarning", "UserWarning", "ValueError", "Warning", "ZeroDivisionError",
};

bool is_builtin_exception(std::string_view name) {
  for (const char* b : kBuiltinExceptions) {
    if (name == b) return true;
  }
  return false;
}

// prim::RaiseException(msg, cls): the message is "<class>: <msg>", the class being the one
// the Python runtime raises (ember.runtime.helpers.raise_exception): the builtin named by
// cls ("builtins.ValueError") or by a "Name: " prefix of msg, else ScriptError.
void raise_exception(Call& c) {
  std::string msg = c.in(0).to_string();
  std::string name;
  if (c.num_inputs > 1 && c.in(1).is_string()) {
    const std::string& cls = c.in(1).to_string();
    size_t dot = cls.rfind('.');
    name = dot == std::string::npos ? cls : cls.substr(dot + 1);
  }
  if (name.empty()) {
    size_t colon = msg.find(": ");
    if (colon != std::string::npos && is_builtin_exception(std::string_view(msg).substr(0, colon))) {
      name = msg.substr(0, colon);
      msg = msg.substr(colon + 2);
    }
  }
  if (name.empty() || !is_builtin_exception(name)) name = "ScriptError";
  fail(name + ": " + msg);
}

}  // namespace

void register_prim_structural(KernelRegistry& r) {
  r.add("prim::ListConstruct", list_construct);
  r.add("prim::TupleConstruct", tuple_construct);
  r.add("prim::DictConstruct", dict_construct);
  r.add("prim::ListUnpack", unpack);
  r.add("prim::TupleUnpack", unpack);
  r.add("prim::TupleIndex", tuple_index);
  r.add("prim::unchecked_cast", unchecked_cast);
  r.add("prim::Uninitialized", uninitialized);
  r.add("prim::RaiseException", raise_exception);
}

}  // namespace prim

void register_prim_kernels(KernelRegistry& r) {
  prim::register_prim_structural(r);
  prim::register_prim_queries(r);
  prim::register_scalar_arith(r);
  prim::register_scalar_logic(r);
  prim::register_scalar_convert(r);
  prim::register_scalar_math(r);
  prim::register_list_kernels(r);
  prim::register_list_typed_kernels(r);
  prim::register_dict_kernels(r);
  prim::register_str_kernels(r);
  prim::register_str_format_kernels(r);
}

}  // namespace ember
