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

import numpy as np

from ember import dtypes
from ember.ops.kernels.pydata import array_from_python, check_numpy_dtype, infer_dtype, scan
from ember.tensor.storage import UntypedStorage, byte_span
from ember.tensor.tensor import Tensor, wrap

__all__ = ["tensor", "as_tensor", "from_numpy"]


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
    check_numpy_dtype(ndarray.dtype)
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
    if isinstance(data, Tensor):
        target = dtype or data.dtype
        array = dtypes.astype(data._np, target.np)
    elif isinstance(data, np.ndarray | np.generic):
        target = dtype or infer_dtype(data)
        array = np.array(data, dtype=target.np)
    else:
        shape, inferred = scan(data, dtype)
        target = dtype or inferred or dtypes.get_default_dtype()
        array = array_from_python(data, shape, target)
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


def _check_device(device) -> None:
    if device is not None and str(device) != "cpu":
        raise RuntimeError(f"ember runs on the CPU only (got device={device!r})")
