"""Kernels: unbind, split, split_with_sizes and chunk (lists of views of one input).

Example:
    >>> import numpy as np
    >>> from ember.ops.kernels.split import chunk
    >>> [p.tolist() for p in chunk(np.arange(5), 2)]
    [[0, 1, 2], [3, 4]]
"""

from __future__ import annotations

from ember.ops.kernels.checks import wrap_dim
from ember.ops.kernels.view import select
from ember.ops.table import register


def unbind(a, dim=0):
    """all slices along `dim`"""
    d = wrap_dim(dim, a.ndim)
    return [select(a, d, i) for i in range(a.shape[d])]


def _at_least_1d(a, name: str) -> None:
    if a.ndim == 0:
        raise RuntimeError(f"{name} expects at least a 1-dimensional tensor")


def split(a, split_size, dim=0):
    """pieces of `split_size` along `dim` (the last may be smaller)"""
    _at_least_1d(a, "split")
    d = wrap_dim(dim, a.ndim)
    n = a.shape[d]
    if split_size <= 0 and n:
        raise RuntimeError(
            f"split expects split_size be non-negative, but got split_size={split_size}"
        )
    starts = range(0, n, split_size) if n else [0]
    return [a[(slice(None),) * d + (slice(s, s + split_size),)] for s in starts]


def split_with_sizes(a, split_sizes, dim=0):
    """pieces of the given sizes along `dim`"""
    _at_least_1d(a, "split")
    d = wrap_dim(dim, a.ndim)
    if sum(split_sizes) != a.shape[d]:
        raise RuntimeError(
            "split_with_sizes expects split_sizes to sum exactly to "
            f"{a.shape[d]} (input tensor's size at dimension {d}), "
            f"but got split_sizes={list(split_sizes)}"
        )
    out, s = [], 0
    for size in split_sizes:
        out.append(a[(slice(None),) * d + (slice(s, s + size),)])
        s += size
    return out


def chunk(a, chunks, dim=0):
    """at most `chunks` pieces of equal size ceil(n / chunks) along `dim`"""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    _at_least_1d(a, "chunk")
    d = wrap_dim(dim, a.ndim)
    n = a.shape[d]
    size = -(-n // chunks)
    if size == 0:
        return [a.view() for _ in range(chunks)] if n == 0 else []
    return split(a, size, d)


_V = ("view",)
register(
    "unbind.int(Tensor(a -> *) self, int dim=0) -> Tensor(a)[]",
    unbind,
    traits=_V,
    faces="ember Tensor",
)
register(
    "split.Tensor(Tensor(a -> *) self, SymInt split_size, int dim=0) -> Tensor(a)[]",
    split,
    traits=_V,
    faces="ember Tensor",
)
register(
    "split_with_sizes(Tensor(a -> *) self, SymInt[] split_sizes, int dim=0) -> Tensor(a)[]",
    split_with_sizes,
    traits=_V,
    faces="ember.split Tensor.split",
)
for _schema in (
    "split.sizes(Tensor(a -> *) self, SymInt[] split_size, int dim=0) -> Tensor(a)[]",
    "split(Tensor(a -> *) self, int[] split_sizes, int dim=0) -> Tensor(a)[]",
):  # what torch's archives call for torch.split with a list of sizes
    register(_schema, split_with_sizes, traits=_V, doc="pieces of the given sizes along dim")
register(
    "chunk(Tensor(a -> *) self, int chunks, int dim=0) -> Tensor(a)[]",
    chunk,
    traits=_V,
    faces="ember Tensor",
)
