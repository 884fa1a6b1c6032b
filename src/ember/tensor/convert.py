"""Making tensors from Python data and numpy arrays: `tensor`, `as_tensor`, `from_numpy`.

dtype inference follows PyTorch: every leaf of the (nested) data contributes a dtype (Python
bool -> bool, int -> int64, float -> the default dtype, complex -> its complex partner, numpy
values and tensors -> their own dtype) and the result is their `promote_types`.

Example:
    >>> import ember
    >>> ember.tensor([[1, 2], [3, 4.5]]).dtype
    ember.float32
    >>> ember.tensor([True, 1]).dtype
    ember.int64
"""

from __future__ import annotations

import math

import numpy as np

from ember import dtypes
from ember.tensor.storage import UntypedStorage, byte_span
from ember.tensor.tensor import Tensor, wrap

__all__ = ["tensor", "as_tensor", "from_numpy"]

_PY_SCALARS = (bool, int, float, complex)
_SCALAR_TYPES = frozenset(_PY_SCALARS)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing `ndarray`'s memory (writes show through both ways).

    The storage spans exactly the array's elements, so `storage_offset()` is 0; arrays with
    negative strides are refused, as PyTorch refuses them.

    >>> import numpy as np, ember
    >>> a = np.arange(6, dtype=np.int32).reshape(2, 3)[:, 1:]
    >>> t = ember.from_numpy(a)
    >>> t.stride(), t.storage_offset()
    ((3, 1), 0)
    >>> a[0, 0] = 7
    >>> t
    tensor([[7, 2],
            [4, 5]], dtype=ember.int32)
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _check_numpy_dtype(ndarray.dtype)
    if any(s < 0 for s in ndarray.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with "
            "negative strides are not currently supported. (You can probably work around "
            "this by making a copy of your array  with array.copy().) "
        )
    if any(s % ndarray.itemsize for s in ndarray.strides):
        raise ValueError("given numpy array strides not a multiple of the element byte size")
    if not ndarray.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte order")
    return Tensor._make(ndarray, UntypedStorage(byte_span(ndarray)))


def tensor(data, dtype: dtypes.dtype | None = None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:  # fmt: skip
    """A new tensor (always a copy) holding `data`: numbers, nested sequences, arrays, tensors.

    >>> import ember
    >>> ember.tensor([[1, 2], [3, 4]])
    tensor([[1, 2],
            [3, 4]])
    >>> ember.tensor(2.5, dtype=ember.float64, requires_grad=True)
    tensor(2.5000, dtype=ember.float64, requires_grad=True)
    """
    _check_device(device)
    if isinstance(data, Tensor | np.ndarray | np.generic):
        target = dtype or infer_dtype(data)
        array = _array_from_arraylike(data, target)
    else:
        shape, inferred = _scan_for(data, dtype)
        target = dtype or inferred or dtypes.get_default_dtype()
        array = _array_from_python(data, shape, target)
    if isinstance(data, np.ndarray | Tensor):
        result = Tensor._make(array, UntypedStorage(byte_span(array)))  # keeps numpy's strides
    else:
        result = wrap(array)
    if requires_grad:
        if target.kind not in "fc":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        result.requires_grad = True
    return result


def as_tensor(data, dtype: dtypes.dtype | None = None, device=None) -> Tensor:
    """`data` as a tensor, sharing memory when it already is one (or a numpy array) of `dtype`.

    >>> import numpy as np, ember
    >>> a = np.zeros(2)
    >>> t = ember.as_tensor(a)
    >>> a[0] = 1
    >>> t
    tensor([1., 0.], dtype=ember.float64)
    """
    _check_device(device)
    if isinstance(data, Tensor):
        if dtype is None or dtype is data.dtype:
            return data
        return wrap(dtypes.astype(data._np, dtype.np))
    if isinstance(data, np.ndarray) and data.dtype.kind in "biufc":
        same = dtype is None or dtype.np == data.dtype
        if same and all(s >= 0 for s in data.strides) and data.dtype.isnative:
            return from_numpy(data)
    return tensor(data, dtype=dtype)


def _scan_for(data, dtype):
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
    """The dtype `ember.tensor(data)` gives `data` when no dtype is passed."""
    if isinstance(data, Tensor):
        return data.dtype
    if isinstance(data, np.ndarray | np.generic):
        _check_numpy_dtype(data.dtype)
        return dtypes.from_numpy(data.dtype)
    return _scan(data)[1] or dtypes.get_default_dtype()


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
    if isinstance(data, Tensor | np.ndarray | np.generic):
        return tuple(data.shape), infer_dtype(data)
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


def _array_from_arraylike(data, target: dtypes.dtype) -> np.ndarray:
    if isinstance(data, Tensor):
        return dtypes.astype(data._np, target.np)
    return np.array(data, dtype=target.np)


def _array_from_python(data, shape: tuple, target: dtypes.dtype) -> np.ndarray:
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


def _check_numpy_dtype(np_dtype) -> None:
    try:
        dtypes.from_numpy(np_dtype)
    except TypeError:
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(np_dtype).type.__module__}."
            f"{np.dtype(np_dtype).type.__name__}. The only supported types are: float64, "
            "float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool."
        ) from None


def _check_device(device) -> None:
    if device is not None and str(device) != "cpu":
        raise RuntimeError(f"ember runs on the CPU only (got device={device!r})")
