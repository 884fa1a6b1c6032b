#include "convert.h"

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL ember_cpp_ARRAY_API
#include <nanobind/nanobind.h>
#include <numpy/arrayobject.h>

#include <structmember.h>

#include <cstring>
#include <string>

namespace nb = nanobind;

namespace ember::python {

PyObject* object_to_python(const Value& value);  // binding.cpp: the ScriptObject wrapper

Hooks& hooks() {
  static Hooks h;
  return h;
}

bool init_numpy() { return _import_array() >= 0; }

namespace {
Py_ssize_t member_offset(PyObject* type, const char* name) {
  PyObject* descr = PyObject_GetAttrString(type, name);
  if (!descr) {
    PyErr_Clear();
    return -1;
  }
  Py_ssize_t offset = -1;
  if (Py_TYPE(descr) == &PyMemberDescr_Type) {
    const PyMemberDef* member = reinterpret_cast<PyMemberDescrObject*>(descr)->d_member;
    if (member->type == T_OBJECT_EX) offset = member->offset;
  }
  Py_DECREF(descr);
  return offset;
}

PyObject*& slot(PyObject* obj, Py_ssize_t offset) {
  return *reinterpret_cast<PyObject**>(reinterpret_cast<char*>(obj) + offset);
}
}  // namespace

void init_tensor_slots() {
  Hooks& h = hooks();
  h.slot_np = member_offset(h.tensor_type, "_np");
  h.slot_st = member_offset(h.tensor_type, "_st");
  h.slot_grad = member_offset(h.tensor_type, "_requires_grad");
  if (h.slot_np < 0 || h.slot_st < 0 || h.slot_grad < 0) h.slot_np = h.slot_st = h.slot_grad = -1;
}

namespace {

[[noreturn]] void raise(PyObject* type, const std::string& message) {
  PyErr_SetString(type, message.c_str());
  throw nb::python_error();
}

[[noreturn]] void rethrow_python() { throw nb::python_error(); }

PyObject* check(PyObject* result) {
  if (!result) rethrow_python();
  return result;
}

// -- numpy arrays -> tensors ------------------------------------------------------------------

bool is_bfloat16(PyArray_Descr* descr) {
  PyObject* bf16 = hooks().bfloat16;
  return bf16 && (reinterpret_cast<PyObject*>(descr) == bf16 ||
                  PyObject_RichCompareBool(reinterpret_cast<PyObject*>(descr), bf16, Py_EQ) == 1);
}

bool dtype_of(PyArray_Descr* descr, DType* out) {
  const int size = static_cast<int>(PyDataType_ELSIZE(descr));
  switch (descr->kind) {
    case 'b': *out = DType::Bool; return size == 1;
    case 'u': *out = DType::UInt8; return size == 1;
    case 'i':
      if (size == 1) *out = DType::Int8;
      else if (size == 2) *out = DType::Int16;
      else if (size == 4) *out = DType::Int32;
      else if (size == 8) *out = DType::Int64;
      else return false;
      return true;
    case 'f':
      if (size == 2) *out = DType::Float16;
      else if (size == 4) *out = DType::Float32;
      else if (size == 8) *out = DType::Float64;
      else return false;
      return true;
    case 'c':
      if (size == 8) *out = DType::Complex64;
      else if (size == 16) *out = DType::Complex128;
      else return false;
      return true;
    default:
      *out = DType::BFloat16;
      return is_bfloat16(descr);
  }
}

PyArray_Descr* descr_of(DType dtype) {
  int type = -1;
  switch (dtype) {
    case DType::Bool: type = NPY_BOOL; break;
    case DType::UInt8: type = NPY_UINT8; break;
    case DType::Int8: type = NPY_INT8; break;
    case DType::Int16: type = NPY_INT16; break;
    case DType::Int32: type = NPY_INT32; break;
    case DType::Int64: type = NPY_INT64; break;
    case DType::Float16: type = NPY_FLOAT16; break;
    case DType::Float32: type = NPY_FLOAT32; break;
    case DType::Float64: type = NPY_FLOAT64; break;
    case DType::Complex64: type = NPY_COMPLEX64; break;
    case DType::Complex128: type = NPY_COMPLEX128; break;
    case DType::BFloat16:
      Py_INCREF(hooks().bfloat16);
      return reinterpret_cast<PyArray_Descr*>(hooks().bfloat16);
    default:
      raise(PyExc_TypeError, "ember.cpp: a " + std::string(dtype_name(dtype)) +
                                 " tensor has no numpy counterpart");
  }
  return PyArray_DescrFromType(type);
}

bool viewable(PyArrayObject* a) {
  const int flags = PyArray_FLAGS(a);
  if (!(flags & NPY_ARRAY_ALIGNED) || !(flags & NPY_ARRAY_WRITEABLE)) return false;
  if (!PyArray_ISNOTSWAPPED(a)) return false;
  const npy_intp item = PyArray_ITEMSIZE(a);
  for (int d = 0; d < PyArray_NDIM(a); ++d) {
    const npy_intp s = PyArray_STRIDES(a)[d];
    if (s < 0 || s % item) return false;
  }
  return true;
}

// A reference to a Python object, dropped with the GIL taken (the runtime may let go of a
// tensor on any thread).
std::shared_ptr<void> keep_alive(PyObject* obj) {
  Py_INCREF(obj);
  return std::shared_ptr<void>(obj, [](void* p) {
    if (!Py_IsInitialized()) return;
    PyGILState_STATE state = PyGILState_Ensure();
    Py_DECREF(static_cast<PyObject*>(p));
    PyGILState_Release(state);
  });
}

Tensor array_to_tensor(PyArrayObject* a, bool requires_grad) {
  DType dtype;
  if (!dtype_of(PyArray_DESCR(a), &dtype)) {
    PyObject* repr = check(PyObject_Repr(reinterpret_cast<PyObject*>(PyArray_DESCR(a))));
    std::string name = PyUnicode_AsUTF8(repr);
    Py_DECREF(repr);
    raise(PyExc_TypeError, "ember.cpp: numpy arrays of dtype " + name + " are not supported");
  }
  PyObject* owner = reinterpret_cast<PyObject*>(a);
  nb::object copy;
  if (!viewable(a)) {
    PyArray_Descr* native = PyArray_DescrNewByteorder(PyArray_DESCR(a), NPY_NATIVE);
    if (!native) rethrow_python();
    copy = nb::steal(check(PyArray_FromArray(a, native, NPY_ARRAY_CARRAY | NPY_ARRAY_ENSURECOPY)));
    owner = copy.ptr();
    a = reinterpret_cast<PyArrayObject*>(owner);
  }
  const int nd = PyArray_NDIM(a);
  const npy_intp item = PyArray_ITEMSIZE(a);
  Dims sizes(static_cast<size_t>(nd)), strides(static_cast<size_t>(nd));
  int64_t extent = 1;
  bool empty = false;
  for (int d = 0; d < nd; ++d) {
    sizes[d] = PyArray_DIMS(a)[d];
    strides[d] = PyArray_STRIDES(a)[d] / item;
    if (sizes[d] == 0) empty = true;
    else extent += (sizes[d] - 1) * strides[d];
  }
  const size_t nbytes = empty ? 0 : static_cast<size_t>(extent * item);
  auto storage = Storage::view(PyArray_DATA(a), nbytes, keep_alive(owner));
  Tensor t = Tensor::make(std::move(storage), 0, sizes, strides, dtype);
  t.impl()->requires_grad = requires_grad;
  return t;
}

Value tuple_to_value(PyObject* obj, bool as_list) {
  const Py_ssize_t n = PyTuple_GET_SIZE(obj);
  std::vector<Value> items;
  items.reserve(static_cast<size_t>(n));
  for (Py_ssize_t i = 0; i < n; ++i) items.push_back(to_value(PyTuple_GET_ITEM(obj, i)));
  if (as_list) return Value::list(std::move(items));
  return Value::tuple(std::move(items));
}

Value sequence_to_value(PyObject* obj) {
  const Py_ssize_t n = PyList_GET_SIZE(obj);
  std::vector<Value> items;
  items.reserve(static_cast<size_t>(n));
  for (Py_ssize_t i = 0; i < n; ++i) items.push_back(to_value(PyList_GET_ITEM(obj, i)));
  return Value::list(std::move(items));
}

Value dict_to_value(PyObject* obj) {
  auto dict = std::make_shared<Dict>();
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  while (PyDict_Next(obj, &pos, &key, &value)) dict->set(to_value(key), to_value(value));
  return Value(std::move(dict));
}

Value numpy_scalar_to_value(PyObject* obj) {
  if (PyArray_IsScalar(obj, Bool)) return Value(obj == Py_True || PyObject_IsTrue(obj) == 1);
  if (PyArray_IsScalar(obj, Integer)) {
    nb::object i = nb::steal(check(PyNumber_Index(obj)));
    return to_value(i.ptr());
  }
  if (PyArray_IsScalar(obj, Floating)) return Value(PyFloat_AsDouble(obj));
  if (PyArray_IsScalar(obj, ComplexFloating)) {
    Py_complex c = PyComplex_AsCComplex(obj);
    return Value(std::complex<double>(c.real, c.imag));
  }
  nb::object array = nb::steal(check(PyArray_FromScalar(obj, nullptr)));
  return Value(array_to_tensor(reinterpret_cast<PyArrayObject*>(array.ptr()), false));
}

std::string type_name(PyObject* obj) { return Py_TYPE(obj)->tp_name; }

PyObject* interned(const char* name) {
  PyObject* s = PyUnicode_InternFromString(name);
  if (!s) rethrow_python();
  return s;  // kept for the life of the process
}

}  // namespace

Value to_value(PyObject* obj) {
  const Hooks& h = hooks();
  if (obj == Py_None) return Value();
  if (PyBool_Check(obj)) return Value(obj == Py_True);
  if (h.tensor_type && PyObject_TypeCheck(obj, reinterpret_cast<PyTypeObject*>(h.tensor_type))) {
    if (h.slot_np >= 0) {
      PyObject* array = slot(obj, h.slot_np);
      if (array && PyArray_Check(array)) {
        return Value(array_to_tensor(reinterpret_cast<PyArrayObject*>(array),
                                     slot(obj, h.slot_grad) == Py_True));
      }
    }
    static PyObject* const np_name = interned("_np");
    static PyObject* const grad_name = interned("_requires_grad");
    nb::object array = nb::steal(check(PyObject_GetAttr(obj, np_name)));
    nb::object grad = nb::steal(check(PyObject_GetAttr(obj, grad_name)));
    if (!PyArray_Check(array.ptr())) raise(PyExc_TypeError, "ember.cpp: a tensor without data");
    return Value(array_to_tensor(reinterpret_cast<PyArrayObject*>(array.ptr()),
                                 grad.ptr() == Py_True));
  }
  if (PyArray_Check(obj)) return Value(array_to_tensor(reinterpret_cast<PyArrayObject*>(obj), false));
  if (PyLong_Check(obj)) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (overflow) raise(PyExc_OverflowError, "ember.cpp: int too large for int64");
    if (v == -1 && PyErr_Occurred()) rethrow_python();
    return Value(static_cast<int64_t>(v));
  }
  if (PyFloat_Check(obj)) return Value(PyFloat_AS_DOUBLE(obj));
  if (PyComplex_Check(obj)) {
    return Value(std::complex<double>(PyComplex_RealAsDouble(obj), PyComplex_ImagAsDouble(obj)));
  }
  if (PyUnicode_Check(obj)) {
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(obj, &n);
    if (!s) rethrow_python();
    return Value(std::string(s, static_cast<size_t>(n)));
  }
  if (PyList_Check(obj)) return sequence_to_value(obj);
  if (PyTuple_Check(obj)) {
    if (h.size_type && PyObject_TypeCheck(obj, reinterpret_cast<PyTypeObject*>(h.size_type))) {
      return tuple_to_value(obj, true);
    }
    return tuple_to_value(obj, false);
  }
  if (PyDict_Check(obj)) return dict_to_value(obj);
  if (PyArray_IsScalar(obj, Generic)) return numpy_scalar_to_value(obj);
  if (h.dtype_type && PyObject_TypeCheck(obj, reinterpret_cast<PyTypeObject*>(h.dtype_type))) {
    nb::object number = nb::steal(check(PyObject_GetAttrString(obj, "scalar_type")));
    return to_value(number.ptr());
  }
  if (h.device_type && PyObject_TypeCheck(obj, reinterpret_cast<PyTypeObject*>(h.device_type))) {
    nb::object text = nb::steal(check(PyObject_Str(obj)));
    return Value::device(PyUnicode_AsUTF8(text.ptr()));
  }
  raise(PyExc_TypeError, "ember.cpp: cannot pass a " + type_name(obj) + " to the C++ runtime");
}

std::vector<Value> to_values(PyObject* const* objs, size_t n) {
  std::vector<Value> values;
  values.reserve(n);
  for (size_t i = 0; i < n; ++i) values.push_back(to_value(objs[i]));
  return values;
}

PyObject* tensor_to_array(const Tensor& tensor) {
  PyArray_Descr* descr = descr_of(tensor.dtype());
  const int nd = static_cast<int>(tensor.dim());
  const npy_intp item = static_cast<npy_intp>(tensor.element_size());
  std::vector<npy_intp> dims(static_cast<size_t>(nd)), strides(static_cast<size_t>(nd));
  for (int d = 0; d < nd; ++d) {
    dims[d] = tensor.sizes()[d];
    strides[d] = tensor.strides()[d] * item;
  }
  PyObject* array = check(PyArray_NewFromDescr(&PyArray_Type, descr, nd, dims.data(),
                                               strides.data(), tensor.data_ptr(),
                                               NPY_ARRAY_WRITEABLE, nullptr));
  auto* keep = new std::shared_ptr<Storage>(tensor.storage());
  PyObject* capsule = PyCapsule_New(keep, nullptr, [](PyObject* c) {
    delete static_cast<std::shared_ptr<Storage>*>(PyCapsule_GetPointer(c, nullptr));
  });
  if (!capsule) {
    delete keep;
    Py_DECREF(array);
    rethrow_python();
  }
  if (PyArray_SetBaseObject(reinterpret_cast<PyArrayObject*>(array), capsule) < 0) {
    Py_DECREF(array);
    rethrow_python();
  }
  return array;
}

PyObject* tensor_to_python(const Tensor& tensor) {
  if (!tensor.defined()) Py_RETURN_NONE;
  nb::object array = nb::steal(tensor_to_array(tensor));
  const Hooks& h = hooks();
  if (h.slot_np >= 0) {  // what Tensor._make(array) does, without the Python call
    auto* type = reinterpret_cast<PyTypeObject*>(h.tensor_type);
    PyObject* out = check(type->tp_alloc(type, 0));
    slot(out, h.slot_np) = array.release().ptr();
    slot(out, h.slot_st) = Py_NewRef(Py_None);
    slot(out, h.slot_grad) = Py_NewRef(tensor.requires_grad() ? Py_True : Py_False);
    return out;
  }
  if (!h.make_tensor) return array.release().ptr();
  PyObject* out = check(PyObject_CallOneArg(hooks().make_tensor, array.ptr()));
  if (tensor.requires_grad() && PyObject_SetAttrString(out, "_requires_grad", Py_True) < 0) {
    Py_DECREF(out);
    rethrow_python();
  }
  return out;
}

namespace {

PyObject* items_to_python(const std::vector<Value>& items, bool as_list) {
  const Py_ssize_t n = static_cast<Py_ssize_t>(items.size());
  PyObject* out = check(as_list ? PyList_New(n) : PyTuple_New(n));
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* item;
    try {
      item = from_value(items[static_cast<size_t>(i)]);
    } catch (...) {
      Py_DECREF(out);
      throw;
    }
    if (as_list) PyList_SET_ITEM(out, i, item);
    else PyTuple_SET_ITEM(out, i, item);
  }
  return out;
}

PyObject* dict_to_python(const Dict& dict) {
  nb::object out = nb::steal(check(PyDict_New()));
  for (const auto& [key, value] : dict.items) {
    nb::object k = nb::steal(from_value(key));
    nb::object v = nb::steal(from_value(value));
    if (PyDict_SetItem(out.ptr(), k.ptr(), v.ptr()) < 0) rethrow_python();
  }
  return out.release().ptr();
}

}  // namespace

PyObject* from_value(const Value& value) {
  switch (value.tag()) {
    case Tag::None: Py_RETURN_NONE;
    case Tag::Bool: return PyBool_FromLong(value.to_bool());
    case Tag::Int: return check(PyLong_FromLongLong(value.to_int()));
    case Tag::Double: return check(PyFloat_FromDouble(value.to_double()));
    case Tag::Complex: {
      const std::complex<double> c = value.to_complex();
      return check(PyComplex_FromDoubles(c.real(), c.imag()));
    }
    case Tag::String: {
      const std::string& s = value.to_string();
      return check(PyUnicode_FromStringAndSize(s.data(), static_cast<Py_ssize_t>(s.size())));
    }
    case Tag::Device: {
      nb::object text = nb::steal(check(PyUnicode_FromString(value.to_string().c_str())));
      if (!hooks().device_type) return text.release().ptr();
      return check(PyObject_CallOneArg(hooks().device_type, text.ptr()));
    }
    case Tag::Tensor: return tensor_to_python(value.to_tensor());
    case Tag::List: return items_to_python(value.to_list()->items, true);
    case Tag::Tuple: return items_to_python(value.to_tuple()->items, false);
    case Tag::Dict: return dict_to_python(*value.to_dict());
    case Tag::Object: return object_to_python(value);
  }
  raise(PyExc_TypeError, "ember.cpp: a value of unknown kind");
}

}  // namespace ember::python
