"""Tensor methods and operators, generated from the op table and installed on `Tensor`.

Operators follow PyTorch's Python bindings: a Tensor operand picks the `.Tensor` overload, a
Python scalar the `.Scalar` one; reflected operators (`2 - t`, `2 / t`) use the same ops
PyTorch's `_tensor.py` uses (`rsub`, `reciprocal() * other`, ...); `+=` and friends call the
in-place ops, which write through to the shared storage.

Example:
    >>> import ember
    >>> x = ember.ones(3)
    >>> v = x[1:]
    >>> v += 1
    >>> x
    tensor([1., 2., 2.])
"""

from __future__ import annotations

import numpy as np

from ember import dtypes
from ember.ops import table as registry
from ember.tensor import functions as _functions
from ember.tensor import ops_names as names
from ember.tensor.dispatch import call, invoker, resolve
from ember.tensor.tensor import Tensor

_PY_SCALARS = (bool, int, float, complex)


def _number(x):
    """`x` as a Python number when it is one (numpy scalars included), else None."""
    if x.__class__ in _PY_SCALARS:
        return x
    if isinstance(x, np.generic) and x.dtype.kind in "biufc":
        return x.item()
    return None


def _binary(tensor_op: str, scalar_op: str | None, name: str):
    t_inv = invoker(registry.get(tensor_op))
    s_inv = invoker(registry.get(scalar_op)) if scalar_op else None

    def method(self, other):
        if other.__class__ is Tensor or isinstance(other, Tensor):
            return t_inv(self, other)
        other = _number(other)
        if other is not None:
            return s_inv(self, other) if s_inv else t_inv(self, other)
        return NotImplemented

    method.__name__ = name
    method.__ember_op__ = registry.get(tensor_op).name
    return method


def _swapped(tensor_op: str, name: str):
    """`other OP self` for a Python scalar `other`, via the op with the scalar as `self`."""
    inv = invoker(registry.get(tensor_op))

    def method(self, other):
        other = _number(other)
        if other is not None:
            return inv(other, self)
        return NotImplemented

    method.__name__ = name
    return method


def _rtruediv(self, other):
    other = _number(other)
    if other is not None:
        return call("aten::mul.Scalar", call("aten::reciprocal", self), other)
    return NotImplemented


def _rsub(self, other):
    other = _number(other)
    if other is not None:
        return call("aten::rsub.Scalar", self, other)
    return NotImplemented


def _rpow(self, other):
    other = _number(other)
    if other is not None:
        return call("aten::pow.Scalar", other, self)
    return NotImplemented


def _pos(self):
    return self


# numpy scalars on the left (`np.float32(2) * t`) must defer to Tensor's reflected operators.
_ARRAY_PRIORITY = 1000.0

_OPERATORS = {
    "add": ("aten::add.Tensor", "aten::add.Scalar"),
    "sub": ("aten::sub.Tensor", "aten::sub.Scalar"),
    "mul": ("aten::mul.Tensor", "aten::mul.Scalar"),
    "truediv": ("aten::div.Tensor", "aten::div.Scalar"),
    "floordiv": ("aten::floor_divide", "aten::floor_divide.Scalar"),
    "mod": ("aten::remainder.Tensor", "aten::remainder.Scalar"),
    "pow": ("aten::pow.Tensor_Tensor", "aten::pow.Tensor_Scalar"),
    "matmul": ("aten::matmul", None),
    "and": ("aten::bitwise_and.Tensor", "aten::bitwise_and.Scalar"),
    "or": ("aten::bitwise_or.Tensor", "aten::bitwise_or.Scalar"),
    "xor": ("aten::bitwise_xor.Tensor", "aten::bitwise_xor.Scalar"),
    "eq": ("aten::eq.Tensor", "aten::eq.Scalar"),
    "ne": ("aten::ne.Tensor", "aten::ne.Scalar"),
    "lt": ("aten::lt.Tensor", "aten::lt.Scalar"),
    "le": ("aten::le.Tensor", "aten::le.Scalar"),
    "gt": ("aten::gt.Tensor", "aten::gt.Scalar"),
    "ge": ("aten::ge.Tensor", "aten::ge.Scalar"),
}
_INPLACE = {
    "iadd": ("aten::add_.Tensor", "aten::add_.Scalar"),
    "isub": ("aten::sub_.Tensor", "aten::sub_.Scalar"),
    "imul": ("aten::mul_.Tensor", "aten::mul_.Scalar"),
    "itruediv": ("aten::div_.Tensor", "aten::div_.Scalar"),
    "ifloordiv": ("aten::floor_divide_.Tensor", "aten::floor_divide_.Scalar"),
    "imod": ("aten::remainder_.Tensor", "aten::remainder_.Scalar"),
    "ipow": ("aten::pow_.Tensor", "aten::pow_.Scalar"),
    "iand": ("aten::bitwise_and_.Tensor", "aten::bitwise_and_.Scalar"),
    "ior": ("aten::bitwise_or_.Tensor", "aten::bitwise_or_.Scalar"),
    "ixor": ("aten::bitwise_xor_.Tensor", "aten::bitwise_xor_.Scalar"),
}
_REFLECTED = {
    "radd": "aten::add.Scalar",
    "rmul": "aten::mul.Scalar",
    "rand": "aten::bitwise_and.Scalar",
    "ror": "aten::bitwise_or.Scalar",
    "rxor": "aten::bitwise_xor.Scalar",
}


def _reflected(op: str, name: str):
    inv = invoker(registry.get(op))

    def method(self, other):
        other = _number(other)
        if other is not None:
            return inv(self, other)
        return NotImplemented

    method.__name__ = name
    return method


def _invert(self):
    """~self: bitwise not, refused for floating and complex tensors as PyTorch's operator does."""
    if self.dtype.kind in "fc":
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return call("aten::bitwise_not", self)


def _dunders() -> dict:
    out = {}
    for short, (t_op, s_op) in {**_OPERATORS, **_INPLACE}.items():
        out[f"__{short}__"] = _binary(t_op, s_op, f"__{short}__")
    for short, op in _REFLECTED.items():
        out[f"__{short}__"] = _reflected(op, f"__{short}__")
    out["__rfloordiv__"] = _swapped("aten::floor_divide", "__rfloordiv__")
    out["__rmod__"] = _swapped("aten::remainder.Tensor", "__rmod__")
    out["__neg__"] = invoker(registry.get("aten::neg"))
    out["__abs__"] = invoker(registry.get("aten::abs"))
    out["__invert__"] = _invert
    out.update(__rtruediv__=_rtruediv, __rsub__=_rsub, __rpow__=_rpow, __pos__=_pos)
    out["__rdiv__"] = _rtruediv
    out["__div__"] = out["__truediv__"]
    out["__array_priority__"] = _ARRAY_PRIORITY
    return out


_FROM_FUNCTIONS = names.METHODS_FROM_FUNCTIONS
_SINGLE_OPS = names.METHODS_ONE_OP
_OVERLOADED_INPLACE = names.METHODS_OVERLOADED_INPLACE


def _overloaded(name: str):
    qualified = "aten::" + name

    def method(self, *args, **kwargs):
        return call(resolve(qualified, (self, *args), kwargs), self, *args, **kwargs)

    method.__name__ = name
    method.__ember_op__ = qualified
    return method


def div_(self, other, *, rounding_mode=None):
    scalar = not isinstance(other, Tensor)
    if rounding_mode is None:
        return call("aten::div_.Scalar" if scalar else "aten::div_.Tensor", self, other)
    name = "aten::div_.Scalar_mode" if scalar else "aten::div_.Tensor_mode"
    return call(name, self, other, rounding_mode=rounding_mode)


def _shape_args(shape) -> list:
    if len(shape) == 1 and not isinstance(shape[0], int):
        return list(shape[0])
    return list(shape)


_view = invoker(registry.get("aten::view"))
_reshape = invoker(registry.get("aten::reshape"))


def view(self, *shape, dtype=None):
    if shape and shape[0].__class__ is int:
        return _view(self, shape)
    if dtype is None and len(shape) == 1 and isinstance(shape[0], dtypes.dtype):
        dtype = shape[0]
    if dtype is not None:
        return call("aten::view.dtype", self, dtype)
    return _view(self, _shape_args(shape))


def reshape(self, *shape):
    if shape and shape[0].__class__ is int:
        return _reshape(self, shape)
    return _reshape(self, _shape_args(shape))


def expand(self, *sizes):
    return call("aten::expand", self, _shape_args(sizes))


def permute(self, *dims):
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    return call("aten::permute", self, _shape_args(dims))


def flip(self, *dims):
    return call("aten::flip", self, _shape_args(dims))


def repeat(self, *repeats):
    return call("aten::repeat", self, _shape_args(repeats))


def where(self, condition, other):
    return _functions.where(condition, self, other)


def to(self, *args, dtype=None, copy=False, non_blocking=False, device=None, memory_format=None):
    """Convert to a dtype (given directly, or as another tensor's); devices other than cpu fail."""
    for a in args:
        if isinstance(a, dtypes.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a.dtype
        elif str(a) != "cpu":
            raise RuntimeError(f"ember runs on the CPU only, got {a!r}")
    if device is not None and str(device) != "cpu":
        raise RuntimeError(f"ember runs on the CPU only, got device={device!r}")
    if dtype is None:
        return call("aten::clone", self) if copy else self
    return call("aten::to.dtype", self, dtype, non_blocking, copy)


def _converter(d: dtypes.dtype, name: str):
    inv = invoker(registry.get("aten::to.dtype"))

    def method(self, memory_format=None):
        return inv(self, d)

    method.__name__ = name
    method.__doc__ = f"self.to(ember.{d.name})"
    method.__ember_op__ = "aten::to"
    return method


_CONVERTERS = {
    "float": dtypes.float32,
    "double": dtypes.float64,
    "half": dtypes.float16,
    "bfloat16": dtypes.bfloat16,
    "long": dtypes.int64,
    "int": dtypes.int32,
    "short": dtypes.int16,
    "char": dtypes.int8,
    "byte": dtypes.uint8,
    "bool": dtypes.bool_,
    "cfloat": dtypes.complex64,
    "cdouble": dtypes.complex128,
}


def _new(name: str):
    def method(self, *args, dtype=None, device=None, requires_grad=False, **kwargs):
        fn = getattr(_functions, name)
        t = fn(*args, dtype=dtype or self.dtype, device=device, **kwargs)
        t._set_requires_grad(requires_grad)
        return t

    method.__name__ = f"new_{name}"
    method.__doc__ = f"ember.{name}(...) with this tensor's dtype unless one is given"
    return method


def type_(self, dtype=None, non_blocking=False):
    """The legacy type name ('ember.FloatTensor') or, given a dtype, a converted tensor."""
    if dtype is None:
        return "ember." + self.dtype.storage_name.replace("Storage", "Tensor")
    if isinstance(dtype, str):
        for d in dtypes.ALL_DTYPES:
            if dtype.split(".")[-1] == d.storage_name.replace("Storage", "Tensor"):
                dtype = d
                break
        else:
            raise TypeError(f"invalid type: {dtype!r}")
    return to(self, dtype)


def cpu(self):
    return self


def contiguous(self, memory_format=None):
    return call("aten::contiguous", self)


def _part(name: str):
    """The `real` / `imag` property: a view, and assigning to it writes through."""

    def get(self):
        return call("aten::" + name, self)

    def set_(self, value):
        call("aten::copy_", call("aten::" + name, self), value)

    return property(get, set_, doc=f"the {name} parts of a complex tensor, as a view")


def _transposed(self):
    return call("aten::permute", self, list(range(self.dim() - 1, -1, -1)))


def _named_methods() -> dict:
    out = {name: getattr(_functions, name) for name in _FROM_FUNCTIONS}
    for name in _SINGLE_OPS:
        out[name] = invoker(registry.get("aten::" + name))
    for name in _OVERLOADED_INPLACE:
        out[name] = _overloaded(name)
    for name, d in _CONVERTERS.items():
        out[name] = _converter(d, name)
    out.update(
        div_=div_, true_divide_=div_, view=view, reshape=reshape, expand=expand,
        permute=permute, where=where, to=to, cpu=cpu, contiguous=contiguous,
        new_zeros=_new("zeros"), new_ones=_new("ones"), new_empty=_new("empty"),
        new_full=_new("full"), type=type_, flip=flip, repeat=repeat,
        T=property(_transposed), real=_part("real"), imag=_part("imag"),
    )  # fmt: skip
    for name in ("view", "reshape", "expand", "permute", "to", "contiguous", "div_"):
        out[name].__ember_op__ = "aten::" + name.rstrip("_") + ("_" if name == "div_" else "")
    return out


def _ours(attr) -> bool:
    fn = attr.fget if isinstance(attr, property) else attr
    return (getattr(fn, "__module__", None) or "").startswith(
        ("ember.tensor.methods", "ember.tensor.functions")
    ) or bool(getattr(fn, "__ember_op__", None))


def install() -> list[str]:
    """Attach the generated methods to `Tensor`, leaving methods the container defines itself.

    Returns the names installed.
    """
    installed = []
    for name, fn in {**_dunders(), **_named_methods()}.items():
        existing = Tensor.__dict__.get(name)
        if existing is not None and not _ours(existing):
            continue
        setattr(Tensor, name, fn)
        installed.append(name)
    return installed


__all__ = ["install"]
