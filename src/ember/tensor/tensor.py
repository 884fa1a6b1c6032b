"""The Tensor container: a numpy view into a shared `UntypedStorage`.

NOTE: [Tensor representation]
A tensor holds `_np`, a numpy ndarray that is a view of its storage's bytes, typed by the
tensor's dtype, with the tensor's sizes and (byte) strides. Everything PyTorch exposes is
derived from it: `stride()` is `_np.strides // itemsize`, `storage_offset()` is the distance
from the storage's first byte to `_np`'s first element. `_st` is the `UntypedStorage`, created
lazily for results of non-view ops (they own fresh arrays); views share their base's storage
object, so storage identity is memory identity.

Operations on tensors live in `ember.tensor.dispatch` / `methods` (driven by the op table);
this module only holds the container and its metadata.

Example:
    >>> import ember
    >>> x = ember.arange(1, 10)
    >>> evens = x[1::2]
    >>> evens.storage_offset(), evens.stride(), evens.untyped_storage() is x.untyped_storage()
    (1, (2,), True)
"""

from __future__ import annotations

import numpy as np

from ember import dtypes
from ember.tensor.storage import TypedStorage, UntypedStorage

__all__ = ["Tensor", "Size", "wrap", "wrap_view", "from_storage"]


class Size(tuple):
    """A tensor's shape: a tuple of ints with PyTorch's repr.

    >>> Size([4, 4])
    ember.Size([4, 4])
    """

    __slots__ = ()

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self) -> str:
        return f"ember.Size({list(self)})"

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item


class Tensor:
    """A multi-dimensional array over a shared storage, mirroring `torch.Tensor`."""

    __slots__ = ("_np", "_st", "requires_grad", "__weakref__", "__dict__")

    # -- construction (internal) ------------------------------------------------------------

    @classmethod
    def _make(cls, array: np.ndarray, storage: UntypedStorage | None = None, requires_grad=False):
        t = object.__new__(cls)
        t._np = array
        t._st = storage
        t.requires_grad = requires_grad
        return t

    # -- metadata ---------------------------------------------------------------------------

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_numpy(self._np.dtype)

    @property
    def shape(self) -> Size:
        return Size(self._np.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return Size(self._np.shape)
        return self._np.shape[dim]

    def dim(self) -> int:
        return self._np.ndim

    ndim = property(dim)

    def numel(self) -> int:
        return self._np.size

    nelement = numel

    def element_size(self) -> int:
        return self._np.itemsize

    @property
    def itemsize(self) -> int:
        return self._np.itemsize

    @property
    def nbytes(self) -> int:
        return self._np.size * self._np.itemsize

    @property
    def device(self):
        return "cpu"

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def is_leaf(self) -> bool:
        return True

    @property
    def grad(self):
        return None

    def stride(self, dim: int | None = None):
        itemsize = self._np.itemsize
        strides = tuple(s // itemsize for s in self._np.strides)
        return strides if dim is None else strides[dim]

    def untyped_storage(self) -> UntypedStorage:
        if self._st is None:
            self._st = _storage_for(self._np)
        return self._st

    def storage(self) -> TypedStorage:
        return TypedStorage(self.untyped_storage(), self.dtype)

    def data_ptr(self) -> int:
        return self._np.__array_interface__["data"][0]

    def storage_offset(self) -> int:
        storage = self.untyped_storage()
        return (self.data_ptr() - storage.data_ptr()) // self._np.itemsize

    def is_contiguous(self) -> bool:
        expected = 1
        for size, stride in zip(reversed(self._np.shape), reversed(self.stride())):
            if size != 1 and stride != expected:
                return False
            expected *= size
        return True

    def numpy(self) -> np.ndarray:
        """The tensor's data as a numpy array sharing its memory (no copy)."""
        return self._np


def _storage_for(array: np.ndarray) -> UntypedStorage:
    """A storage over exactly the memory `array` was allocated with (its ultimate base)."""
    base = array
    while isinstance(base.base, np.ndarray):
        base = base.base
    if not (base.flags.c_contiguous or base.flags.f_contiguous):
        base = array
    flat = base.reshape(-1, order="A") if base.ndim != 1 else base
    return UntypedStorage(flat.view(np.uint8) if flat.size else np.zeros(0, np.uint8))


def wrap(array) -> Tensor:
    """A tensor owning `array` (a fresh result of a non-view op); storage made lazily."""
    if not isinstance(array, np.ndarray):
        array = np.asarray(array)
    return Tensor._make(array)


def wrap_view(array: np.ndarray, base: Tensor) -> Tensor:
    """A tensor for `array`, a numpy view of `base._np`: shares `base`'s storage object."""
    return Tensor._make(array, base.untyped_storage())


def from_storage(storage: UntypedStorage, offset: int, size, stride, dtype: dtypes.dtype) -> Tensor:
    """A tensor viewing `storage` at element `offset` with `size`/`stride` in elements.

    Raises ValueError when the view would reach outside the storage.
    """
    itemsize = dtype.itemsize
    array = np.ndarray(
        tuple(size),
        dtype=dtype.np,
        buffer=storage._buf,
        offset=offset * itemsize,
        strides=tuple(s * itemsize for s in stride),
    )
    return Tensor._make(array, storage)
