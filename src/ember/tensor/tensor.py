"""The Tensor container: a numpy view into a shared `UntypedStorage`.

NOTE: [Tensor representation]
A tensor holds `_np`, a numpy ndarray that is a view of its storage's bytes, typed by the
tensor's dtype, with the tensor's sizes and (byte) strides. Everything PyTorch exposes is
derived from it: `stride()` is `_np.strides // itemsize`, `storage_offset()` is the distance
from the storage's first byte to `_np`'s first element. `_st` is the `UntypedStorage`, created
lazily for results of non-view ops (they own fresh arrays); views share their base's storage
object, so storage identity is memory identity.

Operations on tensors live in `ember.tensor.dispatch` / `methods` (driven by the op table);
this module only holds the container, its metadata and conversions to Python values.
`ember.tensor.indexing` installs `__getitem__`/`__setitem__`/`__iter__`/`__contains__` on
`Tensor` when imported (they run table ops, and the dispatcher imports this module); printing
lives in `ember.tensor.printing`, which needs only numpy; `Size` in `ember.tensor.size`.

Example:
    >>> import ember
    >>> x = ember.arange(1, 10)
    >>> evens = x[1::2]
    >>> evens.storage_offset(), evens.stride(), evens.untyped_storage() is x.untyped_storage()
    (1, (2,), True)
"""

from __future__ import annotations

import copy

import numpy as np

from ember import dtypes
from ember.ops.kernels.checks import wrap_dim
from ember.ops.kernels.pydata import python_scalar, python_values
from ember.tensor import printing
from ember.tensor.size import Size
from ember.tensor.storage import TypedStorage, UntypedStorage, begins_at, byte_span

__all__ = ["Tensor", "Size", "wrap", "wrap_view", "from_storage"]


class Tensor:
    """A multi-dimensional array over a shared storage, mirroring `torch.Tensor`.

    `requires_grad` is a stored flag only: ember has no autograd.

    >>> import ember
    >>> t = ember.tensor([[1, 2], [3, 4]], dtype=ember.int32)
    >>> t.shape, t.stride(), t.dtype, t.is_contiguous()
    (ember.Size([2, 2]), (2, 1), ember.int32, True)
    """

    __slots__ = ("_np", "_st", "_requires_grad", "__weakref__", "__dict__")

    # -- construction (internal) ------------------------------------------------------------

    @classmethod
    def _make(cls, array: np.ndarray, storage: UntypedStorage | None = None, requires_grad=False):
        t = object.__new__(cls)
        t._np = array
        t._st = storage
        t._requires_grad = requires_grad
        return t

    @property
    def requires_grad(self) -> bool:
        """The stored flag (ember computes no gradients); only floating and complex tensors
        may set it, as in PyTorch."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value) -> None:
        self._set_requires_grad(value, "only")

    def _set_requires_grad(self, value, word: str = "Only", kinds: str = " and complex") -> None:
        """Set the flag, refusing integer and bool tensors with PyTorch's message (factories
        and Parameter say "Only ...", the attribute "only ...", requires_grad_ forgets to
        mention complex)."""
        if value and self._np.dtype.kind not in "fcV":
            raise RuntimeError(
                f"{word} Tensors of floating point{kinds} dtype can require gradients"
            )
        self._requires_grad = bool(value)

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
        return self._np.shape[wrap_dim(dim, self._np.ndim)]

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

    @property
    def grad_fn(self):
        return None

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def is_complex(self) -> bool:
        return self._np.dtype.kind == "c"

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set the stored `requires_grad` flag (ember has no autograd) and return self."""
        self._set_requires_grad(requires_grad, "only", "")
        return self

    def stride(self, dim: int | None = None):
        if self._st is None and self._np.size == 0:
            self._np = _with_contiguous_strides(self._np)
        itemsize = self._np.itemsize
        strides = tuple(s // itemsize for s in self._np.strides)
        return strides if dim is None else strides[wrap_dim(dim, self._np.ndim)]

    def untyped_storage(self) -> UntypedStorage:
        if self._st is None:
            self._st = _storage_for(self)
        return self._st

    def storage(self) -> TypedStorage:
        return TypedStorage(self.untyped_storage(), self.dtype)

    def data_ptr(self) -> int:
        if self._np.size == 0 and not self.untyped_storage().nbytes():
            return 0  # PyTorch's empty storages have no memory
        return self._np.__array_interface__["data"][0]

    def storage_offset(self) -> int:
        storage = self.untyped_storage()
        if begins_at(storage._buf, self._np):  # the usual case, without numpy's pointers
            return 0
        start = storage._buf.__array_interface__["data"][0]
        return (self._np.__array_interface__["data"][0] - start) // self._np.itemsize

    def is_contiguous(self, memory_format=None) -> bool:
        if self._np.size == 0:
            return True
        expected = 1
        for size, stride in zip(reversed(self._np.shape), reversed(self.stride())):
            if size != 1 and stride != expected:
                return False
            expected *= size
        return True

    # -- Python and numpy interop -----------------------------------------------------------

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The tensor's data as a numpy array sharing its memory (no copy).

        bfloat16 tensors give an `ml_dtypes.bfloat16` array (PyTorch refuses those).
        """
        if self.requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        self.untyped_storage()
        return self._np

    def __array__(self, dtype=None, copy=None):
        array = self._np
        if dtype is not None and np.dtype(dtype) != array.dtype:
            if copy is False:
                raise ValueError(f"converting {self.dtype} to numpy {np.dtype(dtype)} needs a copy")
            return array.astype(dtype)
        return array.copy() if copy else array

    def item(self):
        """The single element as a Python number (bool, int, float or complex)."""
        return python_scalar(self._np)

    def tolist(self):
        """The elements as (nested) Python lists of Python numbers; a number for 0-d."""
        return python_values(self._np)

    def __len__(self) -> int:
        if self._np.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._np.shape[0]

    def __bool__(self) -> bool:
        if self._np.size != 1:
            amount = "no values" if self._np.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {amount} is ambiguous")
        return bool(self.item())

    def _one_element(self, c_type: str | None = None):
        if self._np.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        value = self.item()
        if c_type and isinstance(value, complex):
            if value.imag:
                raise RuntimeError(f"value cannot be converted to type {c_type} without overflow")
            return value.real
        return value

    def __int__(self) -> int:
        return int(self._one_element("int64_t"))

    def __float__(self) -> float:
        return float(self._one_element("double"))

    def __complex__(self) -> complex:
        return complex(self._one_element())

    def __index__(self) -> int:
        if self._np.size != 1 or self._np.dtype.kind not in "biu":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __format__(self, spec: str) -> str:
        if self._np.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    __hash__ = object.__hash__

    # -- copying and plain pickling (ember.save has its own pickler) -------------------------

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        storage = self.untyped_storage()
        copied = memo.get(id(storage))
        if copied is None:
            copied = memo[id(storage)] = storage.clone()
        result = _rebuild_tensor(
            copied, self.storage_offset(), self.shape, self.stride(), self.dtype, self.requires_grad
        )
        if type(self) is not Tensor:
            result = type(self)._make(result._np, copied, self.requires_grad)
        if self.__dict__:
            result.__dict__.update(copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        args = (self.untyped_storage(), self.storage_offset(), tuple(self.shape), self.stride())
        return (_rebuild_tensor, (*args, self.dtype, self.requires_grad), self.__dict__ or None)

    def __repr__(self) -> str:
        return printing.tensor_repr(self)

    __str__ = __repr__


def _rebuild_tensor(storage, offset, size, stride, dtype, requires_grad=False) -> Tensor:
    """The tensor `__reduce_ex__` describes: a view of `storage` (shared by its other views)."""
    t = from_storage(storage, offset, size, stride, dtype)
    t.requires_grad = requires_grad
    return t


def _with_contiguous_strides(array: np.ndarray) -> np.ndarray:
    """An empty array with the row-major strides PyTorch gives new tensors (numpy uses 0s)."""
    strides, step = [], array.itemsize
    for size in reversed(array.shape):
        strides.append(step)
        step *= max(size, 1)
    empty = np.empty(0, dtype=array.dtype)
    return np.lib.stride_tricks.as_strided(empty, array.shape, tuple(reversed(strides)))


def _storage_for(t: Tensor) -> UntypedStorage:
    """A storage over the memory `t._np` lives in: the span of its ultimate numpy base.

    Fresh results with negative strides (numpy flips) are first made compact, since PyTorch
    strides are never negative; nothing else shares a fresh result's memory yet.
    """
    array = t._np
    if array.size == 0:
        array = t._np = _with_contiguous_strides(array)
    elif any(s < 0 for s in array.strides):
        array = t._np = np.ascontiguousarray(array)
    base = array
    while isinstance(base.base, np.ndarray):
        base = base.base
    if any(s < 0 for s in base.strides):
        base = array
    return UntypedStorage(byte_span(base))


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
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride) or min((*size, *stride, offset), default=0) < 0:
        raise ValueError(
            f"invalid view: sizes {list(size)}, strides {list(stride)}, offset {offset}"
        )
    extent = 1 + sum((n - 1) * st for n, st in zip(size, stride)) if all(size) else 0
    if (offset + extent) * itemsize > storage.nbytes():
        raise ValueError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
            f"and itemsize {itemsize} requiring a storage size of {(offset + extent) * itemsize} "
            f"are out of bounds for storage of size {storage.nbytes()}"
        )
    array = np.ndarray(
        size,
        dtype=dtype.np,
        buffer=storage._buf,
        offset=offset * itemsize,
        strides=tuple(st * itemsize for st in stride),
    )
    return Tensor._make(array, storage)
