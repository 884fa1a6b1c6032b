// Python <-> ember::Value for the binding. Tensors cross as numpy arrays sharing memory:
// an ember tensor's `_np` array (or a numpy array) is viewed in place when it is aligned,
// native-endian, has non-negative strides and is writeable, else copied; a result tensor
// becomes a numpy array over the runtime's memory (kept alive by a capsule), wrapped as an
// ember tensor. Everything here runs with the GIL held.
#pragma once

#include <Python.h>

#include <vector>

#include "ember/value.h"

namespace ember::python {

// What the Python side of the binding hands over once, at import (ember.cpp._init).
struct Hooks {
  PyObject* tensor_type = nullptr;  // ember.Tensor
  PyObject* make_tensor = nullptr;  // ember.Tensor._make(ndarray) -> Tensor
  PyObject* dtype_type = nullptr;   // ember.dtype (passed to C++ as its ScalarType number)
  PyObject* device_type = nullptr;  // ember.device (passed as a Device string; made back)
  PyObject* size_type = nullptr;    // ember.Size (a tuple subclass, passed as a List of ints)
  PyObject* bfloat16 = nullptr;     // numpy dtype of ml_dtypes.bfloat16
  PyObject* errors[5] = {};         // exception class per ErrorKind
  // Byte offsets of ember.Tensor's slots _np, _st, _requires_grad (-1: use the attributes).
  Py_ssize_t slot_np = -1, slot_st = -1, slot_grad = -1;
};
Hooks& hooks();

// Imports numpy's C API; false (with a Python error set) when it fails.
bool init_numpy();
// Finds ember.Tensor's slots, so tensors are read and made without Python calls.
void init_tensor_slots();

// Python object -> Value; throws nb::python_error (TypeError) for what has no Value.
Value to_value(PyObject* obj);
std::vector<Value> to_values(PyObject* const* objs, size_t n);
// Value -> new reference; throws nb::python_error on failure.
PyObject* from_value(const Value& value);
// A tensor as a numpy array viewing its memory (new reference).
PyObject* tensor_to_array(const Tensor& tensor);
// A tensor as an ember tensor (new reference).
PyObject* tensor_to_python(const Tensor& tensor);

}  // namespace ember::python
