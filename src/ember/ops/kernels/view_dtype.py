"""Kernels reinterpreting memory as another dtype (views): `view(dtype)`, `real`, `imag`,
`view_as_real`, `view_as_complex`.

Between dtypes of one element size any tensor can be viewed. Otherwise, as PyTorch requires,
the tensor must not be 0-d, its last dimension must have stride 1, and that dimension's
size, the storage offset and the other strides must divide by the size ratio; the last
dimension shrinks or grows by that ratio.

Example:
    >>> import numpy as np
    >>> from ember import dtypes
    >>> view_dtype(np.zeros((2, 4), np.int8), dtypes.int32).shape
    (2, 1)
"""

from __future__ import annotations

import numpy as np

from ember.ops.kernels.checks import cpp_name
from ember.ops.table import register


def _buffer(a):
    """(1-D uint8 array over the memory a views, a's byte offset into it)."""
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    buf = root.reshape(-1).view(np.uint8) if root.ndim != 1 or root.dtype != np.uint8 else root
    return buf, a.__array_interface__["data"][0] - buf.__array_interface__["data"][0]


def _check(a, dtype) -> None:
    old, new = a.itemsize, dtype.np.itemsize
    what = f"to view {cpp_name(a)} as {dtype.cpp_name} (different element sizes)"
    if a.ndim == 0:
        raise RuntimeError(f"self.dim() cannot be 0 {what}")
    last = a.strides[-1] // old
    if a.size and last != 1 and a.shape[-1] != 1:
        raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {last}")
    if new <= old:
        return
    ratio = new // old
    if a.shape[-1] % ratio:
        raise RuntimeError(
            f"self.size(-1) must be divisible by {ratio} {what}, but got {a.shape[-1]}"
        )
    offset = _buffer(a)[1] // old
    if offset % ratio:
        raise RuntimeError(
            f"self.storage_offset() must be divisible by {ratio} {what}, but got {offset}"
        )
    for dim in range(a.ndim - 1):
        stride = a.strides[dim] // old
        if stride % ratio:
            raise RuntimeError(
                f"self.stride({dim}) must be divisible by {ratio} {what}, but got {stride}"
            )


def view_dtype(a, dtype):
    """the same bytes reinterpreted as `dtype` (the last dim rescaled by the size ratio)"""
    if dtype.np.itemsize == a.itemsize:
        return a.view(dtype.np)
    _check(a, dtype)
    old, new = a.itemsize, dtype.np.itemsize
    shape = a.shape[:-1] + (a.shape[-1] * old // new,)
    buf, start = _buffer(a)
    return np.ndarray(shape, dtype.np, buffer=buf, offset=start, strides=a.strides[:-1] + (new,))


def real(a):
    """the real parts of a complex tensor as a float view (a real tensor itself)"""
    return a.real if a.dtype.kind == "c" else a


def imag(a):
    """the imaginary parts of a complex tensor as a float view"""
    if a.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return a.imag


def view_as_real(a):
    """a complex tensor as floats with a trailing dimension of 2 (real, imaginary)"""
    if a.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    half = a.itemsize // 2
    return np.lib.stride_tricks.as_strided(a.real, a.shape + (2,), a.strides + (half,))


def view_as_complex(a):
    """a float tensor whose last dimension is 2 (real, imaginary) as a complex view"""
    if a.dtype == np.float16:
        raise RuntimeError("view_as_complex: ember has no complex32, so float16 is not supported")
    if a.dtype not in (np.float32, np.float64):
        raise RuntimeError(
            "view_as_complex is only supported for half, float and double tensors, but got a "
            f"tensor of scalar type: {cpp_name(a)}"
        )
    if a.ndim == 0 or a.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if a.strides[-1] != a.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any((s // a.itemsize) % 2 for s in a.strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    buf, start = _buffer(a)
    if (start // a.itemsize) % 2:
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    complex_dtype = np.complex64 if a.dtype == np.float32 else np.complex128
    return np.ndarray(a.shape[:-1], complex_dtype, buffer=buf, offset=start, strides=a.strides[:-1])


_V = ("view",)
register(
    "view.dtype(Tensor(a) self, ScalarType dtype) -> Tensor(a)",
    view_dtype,
    traits=_V,
    faces="Tensor.view",
)
register("real(Tensor(a) self) -> Tensor(a)", real, traits=_V, faces="ember")
register("imag(Tensor(a) self) -> Tensor(a)", imag, traits=_V, faces="ember")
register("view_as_real(Tensor(a) self) -> Tensor(a)", view_as_real, traits=_V, faces="ember")
register("view_as_complex(Tensor(a) self) -> Tensor(a)", view_as_complex, traits=_V, faces="ember")
