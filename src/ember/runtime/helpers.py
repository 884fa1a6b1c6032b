"""Small helpers the generated code calls (the ``_rt_`` names of `ember.ir.prims`).

Example:
    >>> _rt_num_to_tensor(3).dtype, _rt_dtype(_rt_num_to_tensor(2.5))
    (ember.int64, 7)
"""

from __future__ import annotations

import builtins
import math
import warnings

import numpy as np

from ember import dtypes
from ember.errors import EmberError
from ember.runtime import libm
from ember.tensor.convert import tensor as _tensor
from ember.tensor.tensor import wrap

__all__ = ["HELPERS", "raise_exception", "to_dtype"]


def _rt_dtype(t) -> int:
    return t.dtype.scalar_type


def _rt_num_to_tensor(x):
    if isinstance(x, bool):
        return wrap(np.array(x, dtype=np.bool_))
    if isinstance(x, int):
        return wrap(np.array(x, dtype=np.int64))
    return wrap(np.array(x, dtype=np.float64))


def _rt_pow(a, b) -> float:
    """C's pow: a float, NaN for a negative base and a fractional exponent, inf for 0 ** -n."""
    try:
        r = a**b
    except ZeroDivisionError:
        return math.inf
    return math.nan if isinstance(r, complex) else float(r)


def _rt_tensor(data, dtype, requires_grad):
    return _tensor(data, dtype=to_dtype(dtype), requires_grad=requires_grad)


def _rt_warn(message: str) -> None:
    warnings.warn(message, UserWarning, stacklevel=3)


def _rt_append(lst, x):
    lst.append(x)
    return lst


def _rt_extend(lst, other):
    lst.extend(other)
    return lst


def _rt_find(s: str, sub: str, start: int, end: int) -> int:
    """TorchScript's str.find: a negative `end` counts from one past the end."""
    return s.find(sub, start, end + len(s) + 1 if end < 0 else end)


def _rt_set_item(lst, i, x):
    lst[i] = x
    return lst


def _rt_str(x) -> str:
    if isinstance(x, bool):
        return "True" if x else "False"
    return str(x)


def to_dtype(x):
    """A ScalarType argument: TorchScript passes ints, the op table takes `ember.dtype`."""
    if x is None or isinstance(x, dtypes.dtype):
        return x
    return dtypes.from_scalar_type(x)


class ScriptError(EmberError, RuntimeError):
    """An exception raised by scripted code whose class is not a Python builtin."""


def raise_exception(msg: str, cls: str | None = None):
    """The exception `prim::RaiseException(msg, cls)` raises (returned, to be raised)."""
    name = cls.rsplit(".", 1)[-1] if cls else None
    if name is None and ": " in msg:
        head, rest = msg.split(": ", 1)
        if _builtin_exception(head):
            name, msg = head, rest
    exc = _builtin_exception(name) if name else None
    return (exc or ScriptError)(msg)


def _builtin_exception(name):
    exc = getattr(builtins, name, None)
    return exc if isinstance(exc, type) and issubclass(exc, BaseException) else None


HELPERS = {
    "_rt_dtype": _rt_dtype,
    "_rt_num_to_tensor": _rt_num_to_tensor,
    "_rt_append": _rt_append,
    "_rt_pow": _rt_pow,
    "_rt_tensor": _rt_tensor,
    "_rt_warn": _rt_warn,
    "_rt_math": math,
    "_rt_libm": libm,
    "_rt_extend": _rt_extend,
    "_rt_find": _rt_find,
    "_rt_str": _rt_str,
    "_rt_set_item": _rt_set_item,
    "_rt_to_dtype": to_dtype,
    "_rt_raise": raise_exception,
}
