"""Kernels: joining and gathering (cat, stack, gather, index_select, index), clone, type_as.

Example:
    >>> import numpy as np
    >>> from ember.ops.kernels.join import cat
    >>> cat([np.array([1, 2]), np.array([3.5])]).tolist()
    [1.0, 2.0, 3.5]
"""

from __future__ import annotations

import numpy as np

from ember import dtypes
from ember.ops.kernels.checks import wrap_dim
from ember.ops.table import register

_BY_NP = {d.np: d for d in dtypes.ALL_DTYPES}


def _common_dtype(arrays):
    rt = _BY_NP[arrays[0].dtype]
    for a in arrays[1:]:
        rt = dtypes.promote_types(rt, _BY_NP[a.dtype])
    return rt


def cat(tensors, dim=0):
    """concatenate along `dim` (dtypes promoted; legacy 1-D empty tensors skipped)"""
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    rt = _common_dtype(tensors)
    parts = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)]
    if not parts:
        return np.empty((0,), rt.np)
    ref = parts[0]
    if ref.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = wrap_dim(dim, ref.ndim)
    for i, t in enumerate(parts):
        if t.ndim != ref.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref.ndim} and {t.ndim}"
            )
        for k in range(ref.ndim):
            if k != d and t.shape[k] != ref.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{ref.shape[k]} but got size {t.shape[k]} for tensor number {i} in the list."
                )
    return np.concatenate([t.astype(rt.np, copy=False) for t in parts], axis=d)


def stack(tensors, dim=0):
    """join equal-shaped tensors along a new dimension `dim`"""
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                f"and {list(t.shape)} at entry {i}"
            )
    d = wrap_dim(dim, len(shape) + 1)
    rt = _common_dtype(tensors)
    return np.stack([t.astype(rt.np, copy=False) for t in tensors], axis=d)


def _first_bad(index, size):
    """The first entry of `index` (in memory order) outside [0, size), or None."""
    if index.size:
        outside = (index < 0) | (index >= size)
        if outside.any():
            return int(index.reshape(-1)[np.argmax(outside.reshape(-1))])
    return None


def _check_index(index, size, d, error=IndexError):
    bad = _first_bad(index, size)
    if bad is not None:
        raise error(f"index {bad} is out of bounds for dimension {d} with size {size}")


def gather(a, dim, index, sparse_grad=False):
    """out[i][j] = a[index[i][j]][j] for dim 0 (and so on)"""
    if index.dtype not in (np.int64, np.int32):
        raise RuntimeError("gather(): Expected dtype int32/int64 for index")
    d = wrap_dim(dim, a.ndim)
    if index.ndim != a.ndim and not (a.ndim == 0 and index.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    if a.ndim == 0:
        _check_index(index, 1, 0, RuntimeError)
        return np.full(index.shape, a, a.dtype)
    for k in range(a.ndim):
        if k != d and index.shape[k] > a.shape[k]:
            raise RuntimeError(
                f"Size does not match at dimension {k} expected index {list(index.shape)} to be "
                f"smaller than self {list(a.shape)} apart from dimension {d}"
            )
    _check_index(index, a.shape[d], d, RuntimeError)
    part = a[tuple(slice(0, index.shape[k]) if k != d else slice(None) for k in range(a.ndim))]
    return np.ascontiguousarray(np.take_along_axis(part, index, axis=d))


def index_select(a, dim, index):
    """the entries at `index` (1-D) along `dim`"""
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if index.dtype not in (np.int64, np.int32):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    d = wrap_dim(dim, a.ndim)
    size = a.shape[d] if a.ndim else 1
    bad = _first_bad(index, size)
    if bad is not None and d > 0:
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={size}")
    if bad is not None:
        raise IndexError("index out of range in self")
    if a.ndim == 0:
        return a.reshape(1)[index.reshape(-1)].reshape(index.shape).copy()
    return np.take(a, index.reshape(-1), axis=d)


def index(a, indices):
    """advanced indexing a[i0, i1, ...] with tensors (None leaves a dimension whole)"""
    key = tuple(slice(None) if i is None else i for i in indices)
    for k, i in enumerate(key):
        if isinstance(i, np.ndarray) and i.dtype.kind not in "biu":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if isinstance(i, np.ndarray) and i.dtype.kind in "iu" and k < a.ndim:
            _check_index(i, a.shape[k], k)
    return np.array(a[key], copy=True)


def clone(a, memory_format=None):
    """a copy with new storage (dense layouts kept)"""
    return a.copy(order="K")


def type_as(a, other):
    """a converted to other's dtype (always a new tensor)"""
    return dtypes.astype(a, other.dtype)


register(
    "cat(Tensor[] tensors, int dim=0) -> Tensor", cat, faces="ember ember.concat ember.concatenate"
)
register("stack(Tensor[] tensors, int dim=0) -> Tensor", stack, faces="ember")
register(
    "gather(Tensor self, int dim, Tensor index, *, bool sparse_grad=False) -> Tensor",
    gather,
    faces="ember Tensor",
)
register(
    "index_select(Tensor self, int dim, Tensor index) -> Tensor", index_select, faces="ember Tensor"
)
register("index.Tensor(Tensor self, Tensor?[] indices) -> Tensor", index)
register(
    "clone(Tensor self, *, MemoryFormat? memory_format=None) -> Tensor", clone, faces="ember Tensor"
)
register("type_as(Tensor self, Tensor other) -> Tensor", type_as, faces="Tensor")
