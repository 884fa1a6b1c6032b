// ember._cpp: the C++ runtime from Python (wrapped by src/ember/cpp/__init__.py).
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <numeric>

#include "convert.h"
#include "ember/ember.h"
#include "kernels/prim_io.h"
#include "runtime/kernel.h"
#include "runtime/program.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace ember::python {

// A TorchScript object (a submodule, a class instance) handed back to Python.
struct ScriptObject {
  Value value;
};

PyObject* object_to_python(const Value& value) {
  return nb::cast(ScriptObject{value}).release().ptr();
}

namespace {

template <class T>
T unwrap(Result<T>&& result) {
  if (!result) throw result.error();
  return std::move(*result);
}

nb::object steal(PyObject* obj) { return nb::steal(obj); }

// print() and warnings.warn() in scripted code go to Python's sys.stdout and warnings. A
// Python error raised there (a warning filter set to "error") waits, per thread, until the
// C++ call returns, and is raised then.
struct PendingError {
  PyObject* type = nullptr;
  PyObject* value = nullptr;
  PyObject* traceback = nullptr;
};
thread_local PendingError pending;

void keep_pending() {
  if (pending.type) {
    PyErr_Clear();
  } else {
    PyErr_Fetch(&pending.type, &pending.value, &pending.traceback);
  }
}

void raise_pending() {
  if (!pending.type) return;
  PyErr_Restore(pending.type, pending.value, pending.traceback);
  pending = PendingError{};
  throw nb::python_error();
}

void print_to_python(const std::string& text) {
  PyGILState_STATE state = PyGILState_Ensure();
  PyObject* out = PySys_GetObject("stdout");  // borrowed
  if (out && out != Py_None) {
    PyObject* line = PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()),
                                          "replace");
    static PyObject* const write = PyUnicode_InternFromString("write");
    PyObject* r = line ? PyObject_CallMethodOneArg(out, write, line) : nullptr;
    Py_XDECREF(line);
    if (r) Py_DECREF(r);
    else keep_pending();
  }
  PyGILState_Release(state);
}

void warn_to_python(const std::string& message) {
  PyGILState_STATE state = PyGILState_Ensure();
  if (PyErr_WarnEx(PyExc_UserWarning, message.c_str(), 1) < 0) keep_pending();
  PyGILState_Release(state);
}

// Runs `body` (a call into the runtime) and raises what print/warn left pending.
template <class F>
auto with_python_io(F&& body) {
  decltype(body()) result;
  try {
    result = body();
  } catch (...) {
    raise_pending();  // it came first
    throw;
  }
  raise_pending();
  return result;
}

std::vector<Value> arguments(const nb::args& args) {
  const size_t n = static_cast<size_t>(PyTuple_GET_SIZE(args.ptr()));
  std::vector<Value> values;
  values.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    values.push_back(to_value(PyTuple_GET_ITEM(args.ptr(), static_cast<Py_ssize_t>(i))));
  }
  return values;
}

nb::object run(const Module& module, const std::string* method, const nb::args& args) {
  std::vector<Value> inputs = arguments(args);
  Value result = with_python_io([&] {
    nb::gil_scoped_release release;
    return unwrap(method ? module.run_method(*method, inputs) : module.forward(inputs));
  });
  return steal(from_value(result));
}

Module load_module(const std::string& path, bool mmap, bool optimize, bool plan_memory) {
  LoadOptions options;
  options.mmap = mmap;
  options.optimize = optimize;
  options.plan_memory = plan_memory;
  nb::gil_scoped_release release;
  return unwrap(load(path, options));
}

// The arenas of every function's pooled frames (tests and benchmarks; call between forwards).
nb::tuple arena_stats(const Module& module) {
  size_t bytes = 0;
  uint64_t allocations = 0;
  for (auto& fn : module.program()->functions) fn->frames.arena_stats(&bytes, &allocations);
  return nb::make_tuple(bytes, allocations);
}

nb::dict load_checkpoint_dict(const std::string& path) {
  std::map<std::string, Tensor> tensors;
  {
    nb::gil_scoped_release release;
    tensors = unwrap(load_checkpoint(path));
  }
  nb::dict out;
  for (const auto& [name, tensor] : tensors) out[name.c_str()] = steal(tensor_to_python(tensor));
  return out;
}

nb::object call_op(const std::string& name, const nb::args& args, const nb::kwargs& kwargs) {
  size_t num_outputs = 1;
  for (auto [key, value] : kwargs) {
    if (nb::cast<std::string>(key) != "num_outputs") {
      throw nb::type_error("_call_op() takes only the keyword argument num_outputs");
    }
    num_outputs = nb::cast<size_t>(value);
  }
  KernelFn kernel = kernels().find(name);
  if (!kernel) throw Error(ErrorKind::Operator, "ember.cpp: no kernel for " + name);
  std::vector<Value> registers = arguments(args);
  const size_t num_inputs = registers.size();
  registers.resize(num_inputs + num_outputs);
  std::vector<uint32_t> inputs(num_inputs), outputs(num_outputs);
  std::iota(inputs.begin(), inputs.end(), 0u);
  std::iota(outputs.begin(), outputs.end(), static_cast<uint32_t>(num_inputs));
  Call call{registers.data(), inputs.data(), outputs.data(), static_cast<uint32_t>(num_inputs),
            static_cast<uint32_t>(num_outputs), nullptr};
  with_python_io([&] {
    kernel(call);
    return 0;
  });
  if (num_outputs == 1) return steal(from_value(registers[num_inputs]));
  nb::list results;
  for (size_t i = 0; i < num_outputs; ++i) results.append(steal(from_value(registers[num_inputs + i])));
  return nb::tuple(results);
}

// The arguments converted to Values and back: for testing the conversions.
nb::object echo(const nb::args& args) {
  std::vector<Value> values = arguments(args);
  nb::list out;
  for (const Value& value : values) out.append(steal(from_value(value)));
  return nb::tuple(out);
}

std::vector<std::string> kernel_names() {
  std::vector<std::string> names;
  for (const auto& entry : kernels().all()) names.push_back(entry.first);
  std::sort(names.begin(), names.end());
  return names;
}

void init(nb::handle tensor_type, nb::handle make_tensor, nb::handle dtype_type,
          nb::handle device_type, nb::handle size_type, nb::handle bfloat16, nb::tuple errors) {
  Hooks& h = hooks();
  h.tensor_type = tensor_type.inc_ref().ptr();
  h.make_tensor = make_tensor.inc_ref().ptr();
  h.dtype_type = dtype_type.inc_ref().ptr();
  h.device_type = device_type.inc_ref().ptr();
  h.size_type = size_type.inc_ref().ptr();
  h.bfloat16 = bfloat16.inc_ref().ptr();
  if (nb::len(errors) != 5) throw nb::value_error("_init: one error class per ErrorKind");
  for (size_t i = 0; i < 5; ++i) h.errors[i] = errors[i].inc_ref().ptr();
  init_tensor_slots();
}

void translate(const std::exception_ptr& p, void*) {
  try {
    std::rethrow_exception(p);
  } catch (const Error& e) {
    PyObject* cls = hooks().errors[static_cast<int>(e.kind())];
    PyErr_SetString(cls ? cls : PyExc_RuntimeError, e.what());
  }
}

nb::object object_attribute(const ScriptObject& self, const std::string& name) {
  const auto& object = self.value.to_object();
  const int64_t slot = object->cls->slot(name);
  if (slot < 0) {
    throw nb::attribute_error((object->cls->name + " has no attribute '" + name + "'").c_str());
  }
  return steal(from_value(object->slots[static_cast<size_t>(slot)]));
}

}  // namespace
}  // namespace ember::python

using namespace ember;
using namespace ember::python;

NB_MODULE(_cpp, m) {
  if (!init_numpy()) throw nb::python_error();
  nb::register_exception_translator(translate);
  set_print_sink(print_to_python);
  set_warning_sink(warn_to_python);
  m.doc() = "ember's C++ runtime (use ember.cpp)";

  nb::class_<ScriptObject>(m, "ScriptObject")
      .def_prop_ro("type_name", [](const ScriptObject& o) { return o.value.to_object()->cls->name; })
      .def_prop_ro("attribute_names",
                   [](const ScriptObject& o) { return o.value.to_object()->cls->attributes; })
      .def("__getattr__", object_attribute)
      .def("__repr__", [](const ScriptObject& o) {
        return "<ember.cpp object " + o.value.to_object()->cls->name + ">";
      });

  nb::class_<Module>(m, "Module")
      .def("forward", [](const Module& self, nb::args args) { return run(self, nullptr, args); },
           "Runs forward(*args) with the GIL released.")
      .def("__call__", [](const Module& self, nb::args args) { return run(self, nullptr, args); })
      .def("run_method",
           [](const Module& self, const std::string& name, nb::args args) {
             return run(self, &name, args);
           },
           "name"_a, "args"_a)
      .def("attribute",
           [](const Module& self, const std::string& path) {
             return steal(from_value(unwrap(self.attribute(path))));
           },
           "path"_a)
      .def("method_names", &Module::method_names)
      .def("_arena_stats", arena_stats,
           "(bytes the idle frames' arenas hold, arena tensors allocated so far)")
      .def_prop_ro("version", &Module::version);

  m.def("load", load_module, "path"_a, "mmap"_a = true, "optimize"_a = true,
        "plan_memory"_a = true);
  m.def("load_checkpoint", load_checkpoint_dict, "path"_a);
  m.def("_call_op", call_op, "qualified_name"_a, "args"_a, "kwargs"_a);
  m.def("_kernel_names", kernel_names);
  m.def("_echo", echo);
  m.def("_init", init);
}
