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

__all__ = ["UntypedStorage", "TypedStorage"]


class UntypedStorage:
    """A flat, shareable byte buffer; `_buf` is a 1-D uint8 numpy array."""

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
        return self._buf.__array_interface__["data"][0]

    def element_size(self) -> int:
        return 1

    @property
    def device(self):
        return "cpu"

    @property
    def dtype(self):
        return dtypes.uint8

    def __getitem__(self, index):
        return int(self._buf[index]) if isinstance(index, int) else self._buf[index].tolist()

    def __setitem__(self, index, value):
        self._buf[index] = value

    def tolist(self) -> list[int]:
        return self._buf.tolist()

    def clone(self) -> UntypedStorage:
        return UntypedStorage(self._buf.copy())

    def _view_as(self, dtype: dtypes.dtype) -> np.ndarray:
        """The whole buffer as a 1-D array of `dtype` (trailing partial elements dropped)."""
        usable = self.nbytes() - self.nbytes() % dtype.itemsize
        return self._buf[:usable].view(dtype.np)

    def __repr__(self) -> str:
        body = "".join(f" {v}\n" for v in self._buf.tolist())
        return f"{body}[ember.storage.UntypedStorage(device=cpu) of size {self.nbytes()}]"


class TypedStorage:
    """A typed view of an `UntypedStorage`, what `Tensor.storage()` returns.

    `size()` counts elements of `dtype`; the repr lists the elements as PyTorch's did:

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
        return self._untyped_storage._view_as(self.dtype).tolist()

    def __getitem__(self, index):
        return self.tolist()[index]

    def __repr__(self) -> str:
        body = "".join(f" {_format_item(v)}\n" for v in self.tolist())
        return f"{body}[ember.{self.dtype.storage_name} of size {self.size()}]"


def _format_item(value) -> str:
    return str(float(value)) if isinstance(value, np.floating) else str(value)
