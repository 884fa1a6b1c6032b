"""dtype helpers for kernels: PyTorch's promotion over numpy arrays and Python scalars.

Kernels receive numpy arrays (0-d or not) and Python scalars; these helpers turn them into
(result dtype, compute dtype) pairs, cached per operand signature. float16 and bfloat16
compute in float32 and round once at the end, as PyTorch's CPU kernels do.

Example:
    >>> import numpy as np
    >>> from ember.ops.kernels.promote import result_of
    >>> result_of(np.zeros(3, np.int32), 2.5)
    ember.float32
"""

from __future__ import annotations

import numpy as np

from ember import dtypes

__all__ = [
    "result_of",
    "result2",
    "compute_np",
    "as_array",
    "cast",
    "is_low_float",
    "to_compute",
    "to_opmath",
    "dtype_of",
    "float_result",
]

_ndarray = np.ndarray
_CACHE: dict = {}
_LOW = (dtypes.float16, dtypes.bfloat16)
_BF16 = dtypes.bfloat16.np
_F32 = np.dtype(np.float32)


def _operand(x):
    if x.__class__ is _ndarray:
        return (dtypes.from_numpy(x.dtype), x.ndim)
    if isinstance(x, np.generic):
        return (dtypes.from_numpy(x.dtype), 0)
    return x


def _key(x):
    if x.__class__ is _ndarray:
        return (x.dtype, x.ndim > 0)
    return x.__class__


def result_of(*xs) -> dtypes.dtype:
    """PyTorch's result dtype of arrays (dimensioned or 0-d) and Python scalars."""
    key = (dtypes._default[0], *map(_key, xs))
    r = _CACHE.get(key)
    if r is None:
        r = _CACHE[key] = dtypes.result_type(*map(_operand, xs))
    return r


_BY_NP = {d.np: d for d in dtypes.ALL_DTYPES}


def result2(a, b) -> dtypes.dtype:
    """`result_of(a, b)` with a fast path for two arrays of one dtype."""
    if a.__class__ is _ndarray:
        if b.__class__ is _ndarray and a.dtype == b.dtype:
            return _BY_NP[a.dtype]
        if b.__class__ is float and a.dtype.kind == "f":
            return _BY_NP[a.dtype]
    return result_of(a, b)


def dtype_of(x) -> dtypes.dtype:
    """The ember dtype of array `x`."""
    return dtypes.from_numpy(x.dtype)


def is_low_float(d: dtypes.dtype) -> bool:
    return d is dtypes.float16 or d is dtypes.bfloat16


def compute_np(d: dtypes.dtype) -> np.dtype:
    """The numpy dtype to compute `d` results in (float32 for float16/bfloat16)."""
    return _F32 if (d is dtypes.float16 or d is dtypes.bfloat16) else d.np


def float_result(d: dtypes.dtype) -> dtypes.dtype:
    """The dtype of a floating function of `d` (integers and bool give the default dtype)."""
    return d if d.kind in "fc" else dtypes.get_default_dtype()


def as_array(x, np_dtype) -> np.ndarray:
    """`x` (array or Python scalar) as an array of `np_dtype`; scalars wrap like PyTorch."""
    if x.__class__ is _ndarray:
        return x if x.dtype == np_dtype else x.astype(np_dtype)
    try:
        return np.asarray(x, dtype=np_dtype)
    except OverflowError:
        return np.asarray(np.asarray(x, dtype=np.int64).astype(np_dtype))


def to_compute(x, d: dtypes.dtype):
    """`x` ready for computing results of dtype `d` (Python scalars stay weak if they fit).

    For float16/bfloat16 results every operand is first rounded to `d` (PyTorch casts inputs
    to the common dtype), then widened to float32 for the arithmetic.
    """
    ct = compute_np(d)
    if x.__class__ is _ndarray:
        if x.dtype == ct and ct is d.np:
            return x
        if ct is not d.np and x.dtype != d.np:
            x = x.astype(d.np)
        return x.astype(ct)
    if ct is not d.np:
        return np.asarray(x, d.np).astype(ct)
    if isinstance(x, bool) or (isinstance(x, int) and d.kind in "fc"):
        return x
    return as_array(x, ct)


def to_opmath(x, d: dtypes.dtype):
    """Like `to_compute`, but a scalar operand (Python number or 0-d array) of a float16 /
    bfloat16 result keeps its own value in float32, as PyTorch's mul and div kernels read
    CPU scalars at full "opmath" precision."""
    if (d is dtypes.float16 or d is dtypes.bfloat16) and (
        x.__class__ is not _ndarray or x.ndim == 0
    ):
        return np.asarray(x, _F32)
    return to_compute(x, d)


def cast(r, d: dtypes.dtype) -> np.ndarray:
    """Computed result `r` as a FRESH-safe array of dtype `d` (casts float32 back to half)."""
    if r.__class__ is not _ndarray:
        r = np.asarray(r)
    return r if r.dtype == d.np else r.astype(d.np)
