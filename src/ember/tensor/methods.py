"""Tensor methods and operators, from the op table, installed on `Tensor`.

Methods are the table's ``Tensor.`` faces (`ember.tensor.faces`), generated or, where
PyTorch's Python signature differs from the schema (``view(*shape)``, ``to(dtype)``),
written here as adapters. Operators follow `ember.ops.operators`: a Tensor operand picks the
op's Tensor overload, a Python number its Scalar one; reflected operators (``2 - t``,
``2 / t``) run as that table says; ``+=`` and friends call the in-place ops, which write
through to the shared storage.

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
from ember.ops import operators, table
from ember.tensor import faces
from ember.tensor import functions as _functions
from ember.tensor.dispatch import call, invoker
from ember.tensor.faces import adapter
from ember.tensor.tensor import Tensor

_PY_SCALARS = (bool, int, float, complex)
# numpy scalars on the left (`np.float32(2) * t`) must defer to Tensor's reflected operators.
_ARRAY_PRIORITY = 1000.0


def _number(x):
    """`x` as a Python number when it is one (numpy scalars included), else None."""
    if x.__class__ in _PY_SCALARS:
        return x
    if isinstance(x, np.generic) and x.dtype.kind in "biufc":
        return x.item()
    return None


def _caller(name: str | None, first: str, second: str | None = None):
    qualified = operators.overload_for(name, first, second) if name else None
    return invoker(table.get(qualified)) if qualified else None


def _binary(op_name: str, dunder: str):
    """``self OP other``: the op's (Tensor, Tensor) overload, or its (Tensor, Scalar) one."""
    t_inv = _caller(op_name, "Tensor", "Tensor")
    s_inv = _caller(op_name, "Tensor", "Scalar") or t_inv

    def method(self, other):
        if other.__class__ is Tensor or isinstance(other, Tensor):
            return t_inv(self, other)
        other = _number(other)
        if other is not None:
            return s_inv(self, other)
        return NotImplemented

    method.__name__ = dunder
    method.__ember_op__ = op_name
    return method


def _reflected(row, dunder: str):
    """``number OP self``, as `ember.ops.operators` says the reflected operator runs."""
    how = row.reflected
    if how == "reciprocal":
        inner = lambda self, n: call("aten::mul.Scalar", call("aten::reciprocal", self), n)  # noqa: E731
    elif how == "wrap":
        flipped = _caller(row.tensor_op, "Scalar", "Tensor") or _caller(row.tensor_op, "Tensor")
        inner = lambda self, n: flipped(n, self)  # noqa: E731
    else:
        inner = _caller(row.tensor_op if how == "swap" else how, "Tensor", "Scalar")

    def method(self, other):
        other = _number(other)
        return NotImplemented if other is None else inner(self, other)

    method.__name__ = dunder
    return method


def _invert(self):
    """~self: bitwise not, refused for floating and complex tensors as PyTorch's operator does."""
    if self.dtype.kind in "fc":
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return call(operators.UNARY["~"], self)


def _pos(self):
    return self


def _dunders() -> dict:
    out = {}
    for row in [*operators.BINARY.values(), *operators.COMPARISONS.values()]:
        if row.tensor_op is None:
            continue
        out[f"__{row.dunder}__"] = _binary(row.tensor_op, f"__{row.dunder}__")
        if row.inplace:
            out[f"__i{row.dunder}__"] = _binary(row.inplace, f"__i{row.dunder}__")
        if row.reflected and row.symbol in operators.BINARY:
            out[f"__r{row.dunder}__"] = _reflected(row, f"__r{row.dunder}__")
    out["__neg__"] = invoker(table.get(operators.UNARY["-"]))
    out["__abs__"] = invoker(table.get(operators.UNARY["abs"]))
    out.update(__invert__=_invert, __pos__=_pos, __array_priority__=_ARRAY_PRIORITY)
    out["__div__"], out["__rdiv__"] = out["__truediv__"], out["__rtruediv__"]
    return out


def _shape_args(shape) -> list:
    if len(shape) == 1 and not isinstance(shape[0], int):
        return list(shape[0])
    return list(shape)


_view = invoker(table.get("aten::view"))
_reshape = invoker(table.get("aten::reshape"))


@adapter("Tensor.view")
def view(self, *shape, dtype=None):
    if shape and shape[0].__class__ is int:
        return _view(self, shape)
    if dtype is None and len(shape) == 1 and isinstance(shape[0], dtypes.dtype):
        dtype = shape[0]
    if dtype is not None:
        return call("aten::view.dtype", self, dtype)
    return _view(self, _shape_args(shape))


@adapter("Tensor.reshape")
def reshape(self, *shape):
    if shape and shape[0].__class__ is int:
        return _reshape(self, shape)
    return _reshape(self, _shape_args(shape))


@adapter("Tensor.expand")
def expand(self, *sizes):
    return call("aten::expand", self, _shape_args(sizes))


@adapter("Tensor.permute")
def permute(self, *dims):
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    return call("aten::permute", self, _shape_args(dims))


@adapter("Tensor.flip")
def flip(self, *dims):
    return call("aten::flip", self, _shape_args(dims))


@adapter("Tensor.repeat")
def repeat(self, *repeats):
    return call("aten::repeat", self, _shape_args(repeats))


@adapter("Tensor.where")
def where(self, condition, other):
    return _functions.where(condition, self, other)


@adapter("Tensor.to")
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


@adapter("Tensor.contiguous")
def contiguous(self, memory_format=None):
    return call("aten::contiguous", self)


def _converter(d: dtypes.dtype, name: str):
    inv = invoker(table.get("aten::to.dtype"))

    def method(self, memory_format=None):
        return inv(self, d)

    method.__name__ = name
    method.__doc__ = f"self.to(ember.{d.name})"
    return method


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


def _part(name: str):
    """The `real` / `imag` property: a view, and assigning to it writes through."""

    def get(self):
        return call("aten::" + name, self)

    def set_(self, value):
        call("aten::copy_", call("aten::" + name, self), value)

    return property(get, set_, doc=f"the {name} parts of a complex tensor, as a view")


def _transposed(self):
    return call("aten::permute", self, list(range(self.dim() - 1, -1, -1)))


_ADAPTERS = {
    fn.__ember_face__[len("Tensor.") :]: fn
    for fn in (view, reshape, expand, permute, flip, repeat, where, to, contiguous)
}


def _other_methods() -> dict:
    """Methods that are not faces of one op: dtype conversions, new_*, type, cpu, T, real."""
    out = {name: _converter(d, name) for name, d in dtypes.CONVERSION_METHODS.items()}
    out.update(
        new_zeros=_new("zeros"), new_ones=_new("ones"), new_empty=_new("empty"),
        new_full=_new("full"), type=type_, cpu=cpu, T=property(_transposed),
        real=_part("real"), imag=_part("imag"),
    )  # fmt: skip
    return out


def _define(name: str, fn) -> None:
    """Put `fn` on Tensor unless the class defines `name` itself (``size``, ``dim``)."""
    existing = Tensor.__dict__.get(name)
    if getattr(getattr(existing, "fget", existing), "__module__", None) != Tensor.__module__:
        setattr(Tensor, name, fn)


def install() -> list[str]:
    """Attach the operators, the op table's Tensor faces and the other methods to `Tensor`,
    leaving methods the class defines itself. Returns the face names."""
    for name, fn in {**_dunders(), **_other_methods()}.items():
        _define(name, fn)
    return faces.install("Tensor", _ADAPTERS, _define)


__all__ = ["install"]
