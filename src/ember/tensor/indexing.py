"""Tensor indexing: `t[...]`, `t[...] = v` and iteration, as sequences of table ops.

An index is read left to right, as PyTorch does: ints become `aten::select.int`, slices
`aten::slice.Tensor`, None and bools `aten::unsqueeze`, and the result so far is always a view
of the original storage. Integer/bool tensors, lists and arrays are gathered at the end with
one `aten::index.Tensor` (advanced indexing, a copy). Assignment finds the same view and
writes into it with `aten::copy_`, `aten::fill_.Scalar` or `aten::index_put_`, so every view
of the storage sees the change. Going through the table lets the tracer record indexing.

Importing this module installs `__getitem__`, `__setitem__`, `__iter__` and `__contains__` on
`Tensor`.

Example:
    >>> import ember
    >>> x = ember.tensor([[1, 2, 3], [4, 5, 6]])
    >>> x[1, ::2], x[:, [2, 0]]
    (tensor([4, 6]), tensor([[3, 1],
            [6, 4]]))
    >>> x[0] = 0
    >>> x
    tensor([[0, 0, 0],
            [4, 5, 6]])
"""

from __future__ import annotations

import numpy as np

from ember import dtypes
from ember.ops import table
from ember.tensor import dispatch
from ember.tensor.convert import tensor as _new_tensor
from ember.tensor.tensor import Tensor, wrap

__all__ = ["getitem", "setitem"]

_call = dispatch.call
_hook = dispatch._hook
_make = Tensor._make
_PLAIN = (int, type(None))
_INTS = (int, np.integer)


def _op(name: str):
    return table.get(name)


def getitem(t: Tensor, index) -> Tensor:
    """`t[index]`: a view for basic indices, a copy once tensors or lists are involved."""
    if _hook[0] is None:
        view = _fast_basic(t, index)
        if view is not None:
            return view
    kind = type(index)
    if kind is int:
        return _select(t, 0, index)
    if kind is slice and t._np.ndim:
        return _slice(t, 0, index)
    view, advanced = _basic(t, index)
    if not advanced:
        return view if view is not t else _call(_op("aten::alias"), t)
    return _call(_op("aten::index.Tensor"), view, _index_list(advanced))


def _fast_basic(t: Tensor, index):
    """`t[index]` straight from numpy for ints, slices with positive steps and `...`.

    Only used when no dispatch hook is active (the tracer needs the op-by-op path); returns
    None when the slow path must decide (None, other index kinds, errors, empty results,
    whose storage offsets numpy does not keep).
    """
    items = index if type(index) is tuple else (index,)
    ellipsis = False
    for item in items:
        kind = type(item)
        if kind is slice:
            if not (
                type(item.step) in _PLAIN
                and (item.step is None or item.step > 0)
                and type(item.start) in _PLAIN
                and type(item.stop) in _PLAIN
            ):
                return None
        elif item is Ellipsis:
            ellipsis = True
        elif kind is not int:  # None too: numpy gives new axes stride 0, PyTorch doesn't
            return None
    array = t._np
    if not array.ndim:
        return None
    try:
        view = array[items if ellipsis else (*items, Ellipsis)]
    except IndexError:
        return None
    if not view.size:
        return None
    return _make(view, t._st or t.untyped_storage())


def setitem(t: Tensor, index, value) -> None:
    """`t[index] = value`, writing through to `t`'s storage."""
    value = _assignable(t, value)
    view, advanced = _basic(t, index)
    if advanced:
        if not isinstance(value, Tensor):
            value = _new_tensor(value, dtype=t.dtype)
        _call(_op("aten::index_put_"), view, _index_list(advanced), value)
    elif isinstance(value, Tensor):
        _call(_op("aten::copy_"), view, value)
    else:
        _call(_op("aten::fill_.Scalar"), view, value)


def _iter(t: Tensor):
    if t._np.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    return (_select(t, 0, i) for i in range(t._np.shape[0]))


def _contains(t: Tensor, element) -> bool:
    if not isinstance(element, Tensor | bool | int | float | complex | np.generic):
        raise RuntimeError(
            "Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
            f"{type(element)}."
        )
    return bool((t == element).any())


# -- the walk over an index -----------------------------------------------------------------


def _basic(t: Tensor, index):
    """Apply the basic part of `index`; return (view, [(dim, index tensor), ...]).

    `dim` counts dimensions of the result so far, `source` those of `t` (for messages).
    """
    items = _as_tuple(index)
    skip = _ellipsis_width(items, t._np.ndim)
    result, dim, source, advanced = t, 0, 0, []
    for item in items:
        if item is Ellipsis:
            dim, source = dim + skip, source + skip
        elif item is None or isinstance(item, bool):
            result = _call(_op("aten::unsqueeze"), result, dim)
            if item is not None:  # PyTorch indexes the new dimension with a bool tensor
                advanced.append((dim, _new_tensor([item])))
            dim += 1
        elif isinstance(item, _INTS) or _is_int_scalar_tensor(item):
            result = _select(result, dim, int(item), source)
            source += 1
        elif isinstance(item, slice):
            result = _slice(result, dim, item)
            dim, source = dim + 1, source + 1
        else:
            idx = _index_tensor(item, result, dim, source)
            advanced.append((dim, idx))
            dim, source = dim + _consumed(idx), source + _consumed(idx)
    return result, advanced


def _as_tuple(index) -> tuple:
    """PyTorch (and old NumPy) read a short list holding sequences, slices, ... as a tuple."""
    if type(index) is tuple:
        return index
    if type(index) is list and len(index) < 32:
        for item in index:
            if isinstance(item, list | tuple | slice | Tensor | np.ndarray) or item is None:
                return tuple(index)
            if item is Ellipsis:
                return tuple(index)
    return (index,)


def _consumed(item) -> int:
    """How many dimensions of the indexed tensor `item` uses up (a bool mask: its rank)."""
    if item is None or item is Ellipsis or isinstance(item, bool):
        return 0
    array = item._np if isinstance(item, Tensor) else item
    if isinstance(array, np.ndarray) and array.dtype == np.bool_:
        return array.ndim
    return 1


def _ellipsis_width(items: tuple, ndim: int) -> int:
    """How many dimensions each `...` stands for (PyTorch lets every ellipsis skip as many)."""
    used = sum(_consumed(item) for item in items)
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    return ndim - used


def _is_int_scalar_tensor(item) -> bool:
    return isinstance(item, Tensor) and item._np.ndim == 0 and item._np.dtype.kind in "iu"


def _select(t: Tensor, dim: int, i: int, source: int = 0) -> Tensor:
    if t._np.ndim == 0:
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python")
    size = t._np.shape[dim]
    if not -size <= i < size:
        raise IndexError(f"index {i} is out of bounds for dimension {source} with size {size}")
    return _call(_op("aten::select.int"), t, dim, i)


def _slice(t: Tensor, dim: int, s: slice) -> Tensor:
    step = 1 if s.step is None else int(s.step)
    if step <= 0:
        raise ValueError("step must be greater than zero")
    start = None if s.start is None else int(s.start)
    stop = None if s.stop is None else int(s.stop)
    return _call(_op("aten::slice.Tensor"), t, dim, start, stop, step)


def _index_tensor(item, t: Tensor, dim: int, source: int) -> Tensor:
    """`item` as an index tensor for dimension `dim` of `t`; integers checked and made >= 0."""
    idx = _as_index_tensor(item)
    array = idx._np
    if array.dtype.kind in "iu" and array.size and dim < t._np.ndim:
        size = t._np.shape[dim]
        low, high = int(array.min()), int(array.max())
        if low < -size or high >= size:
            bad = high if high >= size else low
            raise IndexError(
                f"index {bad} is out of bounds for dimension {source} with size {size}"
            )
        if low < 0:
            idx = wrap(np.where(array < 0, array + size, array))
    return idx


def _as_index_tensor(item) -> Tensor:
    if isinstance(item, Tensor):
        idx = item
    elif isinstance(item, list | tuple | np.ndarray):
        idx = _new_tensor(item)
        if idx._np.size == 0:
            idx = _new_tensor(item, dtype=dtypes.int64)
    else:
        raise IndexError(
            "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
            f"are valid indices (got {type(item).__name__})"
        )
    if idx._np.dtype.kind not in "biu":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return idx


def _index_list(advanced) -> list:
    """The `Tensor?[]` argument of aten::index: None for dimensions taken whole."""
    indices: list = []
    covered = 0
    for dim, idx in advanced:
        indices += [None] * (dim - covered)
        indices.append(idx)
        covered = dim + _consumed(idx)
    return indices


def _assignable(t: Tensor, value):
    if isinstance(value, Tensor | bool | int | float | complex):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return _new_tensor(value)
    legacy = t.dtype.storage_name.removesuffix("Storage") + "Tensor"
    raise TypeError(f"can't assign a {type(value).__name__} to a ember.{legacy}")


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem
Tensor.__iter__ = _iter
Tensor.__contains__ = _contains
