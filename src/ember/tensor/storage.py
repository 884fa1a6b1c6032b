"""Storages: the flat byte buffers that tensors view.

An `UntypedStorage` owns (or borrows, for `from_numpy` and mmap loads) a 1-D uint8 numpy array.
Every tensor viewing the same bytes holds the same `UntypedStorage` object, so identity of the
storage object is identity of the memory (checkpoints rely on it to write each storage once).

Example:
    >>> import ember
    >>> t = ember.zeros(4).expand(4, 4)
    >>> t.untyped_storage().nbytes()
    16
"""

from __future__ import annotations

import numpy as np

from ember import dtypes

__all__ = ["UntypedStorage", "TypedStorage", "byte_span", "begins_at"]


class _Span:
    """Exposes raw memory to numpy through `__array_interface__`, keeping its owner alive."""

    __slots__ = ("__array_interface__", "owner")

    def __init__(self, pointer: int, nbytes: int, readonly: bool, owner):
        self.owner = owner
        self.__array_interface__ = {
            "data": (pointer, readonly),
            "shape": (nbytes,),
            "typestr": "|u1",
            "version": 3,
        }


def byte_span(array: np.ndarray) -> np.ndarray:
    """A 1-D uint8 array over exactly the memory that `array`'s elements span.

    `array` must have non-negative strides; the span starts at its first element.

    >>> a = np.arange(12, dtype=np.int32).reshape(3, 4)[:, 1::2]
    >>> byte_span(a).shape
    (44,)
    """
    if any(s < 0 for s in array.strides):
        raise ValueError("byte_span needs non-negative strides")
    extent = 0
    if array.size:
        extent = sum((n - 1) * s for n, s in zip(array.shape, array.strides)) + array.itemsize
    pointer, readonly = array.__array_interface__["data"]
    return np.asarray(_Span(pointer, extent, readonly, array))


def begins_at(buf: np.ndarray, array: np.ndarray) -> bool:
    """Whether the bytes `buf` are all of `byte_span(array)`, so they begin at `array`'s first
    element: known without asking numpy for pointers (≈1 µs each).

    >>> a = np.arange(6.0)
    >>> begins_at(byte_span(a), a), begins_at(byte_span(a)[8:], a), begins_at(byte_span(a), a[1:])
    (True, False, False)
    """
    span = buf.base
    return (
        type(span) is _Span
        and span.owner is array
        and buf.strides == (1,)
        and buf.shape == span.__array_interface__["shape"]
    )


def _item_values(buf: np.ndarray, dtype: dtypes.dtype) -> list:
    """Storage elements as Python scalars (half floats widened first, as `item()` does)."""
    usable = buf.shape[0] - buf.shape[0] % dtype.itemsize
    arr = buf[:usable].view(dtype.np)
    if dtype.kind == "f" and dtype.itemsize == 2:
        arr = arr.astype(np.float32)
    return arr.tolist()


class UntypedStorage:
    """A flat, shareable byte buffer; `_buf` is a 1-D uint8 numpy array.

    >>> s = UntypedStorage(3)
    >>> s[0] = 7
    >>> s
     7
     0
     0
    [ember.storage.UntypedStorage(device=cpu) of size 3]
    """

    __slots__ = ("_buf", "__weakref__")

    def __init__(self, size_or_buffer=0):
        if isinstance(size_or_buffer, np.ndarray):
            buf = size_or_buffer
            if buf.dtype != np.uint8 or buf.ndim != 1:
                raise ValueError("UntypedStorage wraps a 1-D uint8 array")
        else:
            buf = np.zeros(int(size_or_buffer), dtype=np.uint8)
        self._buf = buf

    def nbytes(self) -> int:
        return self._buf.shape[0]

    def size(self) -> int:
        return self._buf.shape[0]

    __len__ = size

    def data_ptr(self) -> int:
        return self._buf.__array_interface__["data"][0] if self.nbytes() else 0

    def element_size(self) -> int:
        return 1

    @property
    def device(self):
        return "cpu"

    @property
    def dtype(self):
        return dtypes.uint8

    def __getitem__(self, index):
        if isinstance(index, slice):
            return UntypedStorage(self._buf[index].copy())
        return int(self._buf[_check_index(index, self.nbytes())])

    def __setitem__(self, index, value):
        if not isinstance(index, slice):
            index = _check_index(index, self.nbytes())
        self._buf[index] = value

    def tolist(self) -> list[int]:
        return self._buf.tolist()

    def clone(self) -> UntypedStorage:
        return UntypedStorage(self._buf.copy())

    def __reduce__(self):
        return (UntypedStorage, (np.array(self._buf),))

    def _view_as(self, dtype: dtypes.dtype) -> np.ndarray:
        """The whole buffer as a 1-D array of `dtype` (trailing partial elements dropped)."""
        usable = self.nbytes() - self.nbytes() % dtype.itemsize
        return self._buf[:usable].view(dtype.np)

    def __repr__(self) -> str:
        return _listing(
            self._buf.tolist(), f"storage.UntypedStorage(device=cpu) of size {len(self)}"
        )


class TypedStorage:
    """A typed view of an `UntypedStorage`, what `Tensor.storage()` returns.

    `size()` counts elements of `dtype`; the repr lists the elements under the legacy class
    name, as PyTorch's documentation shows it:

        >>> import ember
        >>> ember.tensor([1.5, 2.0]).storage()
         1.5
         2.0
        [ember.FloatStorage of size 2]
    """

    __slots__ = ("_untyped_storage", "dtype")

    def __init__(self, untyped: UntypedStorage, dtype: dtypes.dtype):
        self._untyped_storage = untyped
        self.dtype = dtype

    def untyped(self) -> UntypedStorage:
        return self._untyped_storage

    def size(self) -> int:
        return self._untyped_storage.nbytes() // self.dtype.itemsize

    __len__ = size

    def nbytes(self) -> int:
        return self.size() * self.dtype.itemsize

    def element_size(self) -> int:
        return self.dtype.itemsize

    def data_ptr(self) -> int:
        return self._untyped_storage.data_ptr()

    @property
    def device(self):
        return "cpu"

    def tolist(self) -> list:
        return _item_values(self._untyped_storage._buf, self.dtype)

    def __getitem__(self, index):
        if not isinstance(index, int | np.integer):
            raise RuntimeError("slices are only supported in UntypedStorage.__getitem__")
        i = _check_index(index, self.size())
        element = self._untyped_storage._view_as(self.dtype)[i : i + 1]
        return _item_values(element.view(np.uint8), self.dtype)[0]

    def __setitem__(self, index, value):
        if not isinstance(index, slice):
            index = _check_index(index, self.size())
        self._untyped_storage._view_as(self.dtype)[index] = value

    def __repr__(self) -> str:
        return _listing(self.tolist(), f"{self.dtype.storage_name} of size {self.size()}")


def _check_index(index, size: int) -> int:
    index = int(index)
    if not -size <= index < size:
        raise IndexError(f"index {index} out of range for storage of size {size}")
    return index + size if index < 0 else index


def _listing(values: list, title: str) -> str:
    """PyTorch's storage repr: one element per line, indented by a space, then the title."""
    return " " + "\n ".join(str(v) for v in values) + f"\n[ember.{title}]"
