"""Python data as numpy arrays, with PyTorch's dtype inference and conversion rules.

Every leaf of (nested) data contributes a dtype (Python bool -> bool, int -> int64, float ->
the default dtype, complex -> its complex partner, arrays and tensors -> their own dtype) and
the result is their `promote_types`. `ember.tensor` and the ``aten::tensor`` kernels use it.

Example:
    >>> shape, dtype = scan([[1, 2], [3, 4]])
    >>> array_from_python([[1, 2], [3, 4]], shape, dtype).dtype
    dtype('int64')
"""

from __future__ import annotations

import math

import numpy as np

from ember import dtypes

__all__ = [
    "scan", "infer_dtype", "array_from_python", "check_numpy_dtype", "from_data", "python_values",
    "python_scalar",
]  # fmt: skip

_PY_SCALARS = (bool, int, float, complex)
_SCALAR_TYPES = frozenset(_PY_SCALARS)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def from_data(data, dtype: dtypes.dtype | None = None) -> np.ndarray:
    """A new array holding Python data (numbers, nested lists), of `dtype` or the inferred one.

    >>> from_data([1, 2.5]).dtype, from_data(3, dtypes.int8).dtype
    (dtype('float32'), dtype('int8'))
    """
    shape, inferred = scan(data, dtype)
    target = dtype or inferred or dtypes.get_default_dtype()
    return array_from_python(data, shape, target)


def scan(data, dtype=None):
    """`_scan(data)`; with a dtype given, a non-number leaf fails as PyTorch's conversion of
    each element to that dtype does (a TypeError), not as dtype inference does."""
    try:
        # ints past int64 are fine for bool, floating and complex targets (PyTorch converts
        # each element to the target, unpacking int64 only for integer dtypes)
        return _scan(data, 0, dtype is None or dtype.kind in "iu")
    except RuntimeError as exc:
        message = str(exc)
        if dtype is None or not message.startswith("Could not infer dtype of "):
            raise
        name = message.removeprefix("Could not infer dtype of ")
        if dtype.kind in "biu":
            raise TypeError(f"'{name}' object cannot be interpreted as an integer") from None
        raise TypeError(f"must be real number, not {name}") from None


def infer_dtype(data) -> dtypes.dtype:
    """The dtype `ember.tensor(data)` gives `data` when no dtype is passed.

    >>> infer_dtype([[1, 2], [3, 4.5]]), infer_dtype([True, 1]), infer_dtype(np.zeros(1, "i2"))
    (ember.float32, ember.int64, ember.int16)
    """
    if _is_arraylike(data):
        return _arraylike_dtype(data)
    return _scan(data)[1] or dtypes.get_default_dtype()


def _is_arraylike(data) -> bool:
    """numpy arrays and scalars, and ember tensors (anything with an array and a dtype)."""
    return isinstance(data, np.ndarray | np.generic) or (
        hasattr(data, "__array__") and isinstance(getattr(data, "dtype", None), dtypes.dtype)
    )


def _arraylike_dtype(data) -> dtypes.dtype:
    if isinstance(data.dtype, dtypes.dtype):
        return data.dtype
    check_numpy_dtype(data.dtype)
    return dtypes.from_numpy(data.dtype)


def _scan(data, dim: int = 0, check_ints: bool = True) -> tuple:
    """(shape, dtype or None when there are no elements) of nested Python data.

    One pass that also checks what PyTorch checks while reading: every sequence at a depth has
    the same length, leaves are numbers (or arrays/tensors), Python ints fit in int64.
    """
    kind = type(data)
    if kind in _SCALAR_TYPES:
        if check_ints and kind is int and not _INT64_MIN <= data <= _INT64_MAX:
            raise ValueError("Overflow when unpacking long long")
        return (), dtypes.scalar_dtype(data)
    if _is_arraylike(data):
        return tuple(data.shape), _arraylike_dtype(data)
    if isinstance(data, str | bytes):
        raise ValueError(f"too many dimensions '{kind.__name__}'")
    base = next((k for k in (int, float, complex) if isinstance(data, k)), None)
    if base is not None:  # a subclass (IntEnum member, traced size) reads as its base type
        return _scan(base(data), dim, check_ints)
    if not _is_sequence(data):
        raise RuntimeError(f"Could not infer dtype of {kind.__name__}")
    if not len(data):
        return (0,), None
    kinds = {type(x) for x in data}
    if kinds <= _SCALAR_TYPES:
        if int in kinds and check_ints:
            ints = data if len(kinds) == 1 else [x for x in data if type(x) is int]
            if not (min(ints) >= _INT64_MIN and max(ints) <= _INT64_MAX):
                raise ValueError("Overflow when unpacking long long")
        return (len(data),), _promote_all(dtypes.scalar_dtype(k()) for k in kinds)
    first, result = _scan(data[0], dim + 1, check_ints)
    for item in data[1:]:
        shape, dtype = _scan(item, dim + 1, check_ints)
        if shape != first:
            got = shape[0] if shape else type(item).__name__
            if not first:
                raise ValueError(f"expected a number at dim {dim + 1} (got {got})")
            raise ValueError(f"expected sequence of length {first[0]} at dim {dim + 1} (got {got})")
        result = _promote_all((result, dtype))
    return (len(data), *first), result


def _promote_all(items) -> dtypes.dtype | None:
    result = None
    for d in items:
        if d is not None:
            result = d if result is None else dtypes.promote_types(result, d)
    return result


def _is_sequence(data) -> bool:
    return isinstance(data, list | tuple) or (
        hasattr(data, "__len__") and hasattr(data, "__getitem__") and not isinstance(data, dict)
    )


def array_from_python(data, shape: tuple, target: dtypes.dtype) -> np.ndarray:
    overflow = RuntimeError(f"value cannot be converted to type {target.name} without overflow")
    try:
        with np.errstate(over="ignore"):  # floats past the dtype's range become inf
            array = np.array(data, dtype=target.np)
    except OverflowError:
        array = _wrapped_ints(data, target, overflow)
    except ValueError as exc:  # NaN for an integer dtype
        if "NaN" not in str(exc):
            raise
        raise overflow from None
    except TypeError as exc:  # a complex number for a real dtype: PyTorch's wording
        if "complex" not in str(exc):
            raise
        raise TypeError(
            "'complex' object cannot be interpreted as an integer"
            if target.kind in "iu"
            else "must be real number, not complex"
        ) from None
    if array.shape != shape:
        raise ValueError(f"could not convert data of shape {shape} to a tensor")
    return array


def _wrapped_ints(data, target: dtypes.dtype, overflow: Exception) -> np.ndarray:
    """Numbers for an integer dtype numpy refuses, converted as PyTorch's c10 does: negative
    ints wrap into unsigned types (-1 -> 255 for uint8), floats truncate if they fit;
    anything else out of range raises `overflow`."""
    if target.kind not in "iu":
        raise overflow from None
    info = np.iinfo(target.np)
    low = -int(info.max) if target.kind == "u" else int(info.min)

    def convert(v):
        if isinstance(v, bool | int) and low <= v <= info.max:
            return int(v)
        if isinstance(v, float) and math.isfinite(v) and info.min <= v <= info.max:
            return int(v)
        raise overflow from None

    flat = np.array(data, dtype=object)
    return (
        np.array([convert(v) for v in flat.reshape(-1).tolist()], np.int64)
        .reshape(flat.shape)
        .astype(target.np)
    )


def check_numpy_dtype(np_dtype) -> None:
    try:
        dtypes.from_numpy(np_dtype)
    except TypeError:
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(np_dtype).type.__module__}."
            f"{np.dtype(np_dtype).type.__name__}. The only supported types are: float64, "
            "float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool."
        ) from None


def python_values(array: np.ndarray):
    """The elements as (nested) Python lists of Python numbers; a number for a 0-d array.

    >>> python_values(np.array([1.5, 2], np.float16))
    [1.5, 2.0]
    """
    if array.dtype.kind == "V" or array.dtype.itemsize == 2 and array.dtype.kind not in "iu":
        array = array.astype(np.float32)
    return array.tolist()


def python_scalar(array: np.ndarray):
    """The one element of `array` as a Python number; RuntimeError for other sizes.

    >>> python_scalar(np.array([[7]]))
    7
    """
    if array.size != 1:
        raise RuntimeError(f"a Tensor with {array.size} elements cannot be converted to Scalar")
    return python_values(array.reshape(()))
