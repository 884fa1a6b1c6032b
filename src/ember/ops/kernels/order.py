"""Kernels: ordering and tiling (sort, argsort, topk, flip, repeat).

Example:
    >>> import numpy as np
    >>> from ember.ops.kernels.order import topk
    >>> [v.tolist() for v in topk(np.array([3.0, 1.0, 4.0, 1.5]), 2)]
    [[4.0, 3.0], [2, 0]]
"""

from __future__ import annotations

import numpy as np

from ember.ops.kernels.checks import kind_of, wrap_dim
from ember.ops.table import register


def _order(a, dim, descending):
    if kind_of(a) == "c":
        raise RuntimeError(" Sort does not support complex dtypes on CPU")
    if a.ndim == 0:
        return np.zeros((), np.int64)
    d = wrap_dim(dim, a.ndim)
    if descending:
        # stable descending order that keeps NaN first, as PyTorch does
        idx = np.flip(np.argsort(np.flip(a, d), axis=d, kind="stable"), d)
        return (a.shape[d] - 1 - idx).astype(np.int64)
    return np.argsort(a, axis=d, kind="stable").astype(np.int64)


def sort(a, dim=-1, descending=False):
    """(values, indices) sorted along dim"""
    idx = _order(a, dim, descending)
    if a.ndim == 0:
        return a.copy(), idx
    return np.take_along_axis(a, idx, axis=wrap_dim(dim, a.ndim)), idx


def argsort(a, dim=-1, descending=False):
    """indices that sort a along dim"""
    return _order(a, dim, descending)


def topk(a, k, dim=-1, largest=True, sorted=True):
    """(values, indices) of the k largest (or smallest) entries along dim"""
    if kind_of(a) == "b":
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if kind_of(a) == "c":
        raise RuntimeError(" topk does not support complex dtypes on CPU")
    size = a.shape[wrap_dim(dim, a.ndim)] if a.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    values, idx = sort(a, dim, descending=largest)
    if a.ndim == 0:
        return values, idx
    d = wrap_dim(dim, a.ndim)
    keep = (slice(None),) * d + (slice(0, k),)
    return np.ascontiguousarray(values[keep]), np.ascontiguousarray(idx[keep])


def flip(a, dims):
    """a with the order of elements reversed along dims (a copy)"""
    axes = tuple(wrap_dim(d, a.ndim) for d in dims)
    return np.flip(a, axes).copy() if a.ndim else a.copy()


def repeat(a, repeats):
    """a tiled `repeats` times along each dimension (leading dims added)"""
    repeats = list(repeats)
    if len(repeats) < a.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    return np.tile(a, repeats).copy()


_PAIR = "(Tensor values, Tensor indices)"
register(
    f"sort(Tensor self, int dim=-1, bool descending=False) -> {_PAIR}", sort, faces="ember Tensor"
)
register(
    "argsort(Tensor self, int dim=-1, bool descending=False) -> Tensor",
    argsort,
    faces="ember Tensor",
)
register(
    f"topk(Tensor self, SymInt k, int dim=-1, bool largest=True, bool sorted=True) -> {_PAIR}",
    topk,
    faces="ember Tensor",
)
register("flip(Tensor self, int[] dims) -> Tensor", flip, faces="ember Tensor")
register("repeat(Tensor self, SymInt[] repeats) -> Tensor", repeat, faces="Tensor")
