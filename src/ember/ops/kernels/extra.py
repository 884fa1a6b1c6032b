"""Kernels: common extras (isnan/isinf/isfinite, tril/triu, amax/amin).

Example:
    >>> import numpy as np
    >>> from ember.ops.kernels.extra import isnan
    >>> isnan(np.array([1.0, np.nan])).tolist()
    [False, True]
"""

from __future__ import annotations

import numpy as np

from ember.ops.kernels.checks import require
from ember.ops.kernels.reduce import dims
from ember.ops.table import register

_EW = ("pure", "elementwise")
_R = ("pure", "reduction")
_EM = "ember Tensor"


def _as_float(a):
    return a.astype(np.float32) if a.dtype.kind == "V" else a


def isnan(a):
    """x != x"""
    return np.isnan(_as_float(a)) if a.dtype.kind in "fcV" else np.zeros(a.shape, np.bool_)


def isinf(a):
    """x is +-inf"""
    return np.isinf(_as_float(a)) if a.dtype.kind in "fcV" else np.zeros(a.shape, np.bool_)


def isfinite(a):
    """x is neither inf nor nan"""
    return np.isfinite(_as_float(a)) if a.dtype.kind in "fcV" else np.ones(a.shape, np.bool_)


def _triangle(fn, name):
    def kernel(a, diagonal=0):
        if a.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        return fn(a, diagonal).copy()

    kernel.__doc__ = f"{'lower' if name == 'tril' else 'upper'} triangle, the rest zeroed"
    return kernel


def _extreme(fn, name):
    def kernel(a, dim=(), keepdim=False):
        given = [dim] if isinstance(dim, int) else list(dim)
        axis = dims(given or None, a.ndim)
        if a.size == 0 and a.ndim:
            _check_reducible(a, name, given, axis)
        require(f"{name[1:]}_values_cpu", a, "buif")
        return np.array(fn(a, axis=axis, keepdims=keepdim), copy=True)

    kernel.__doc__ = f"{name[1:]}imum over dims (all when none given), values only"
    return kernel


def _check_reducible(a, name, given, axis):
    """PyTorch's errors for amax/amin of an empty tensor (dims named as the caller gave them)."""
    if not given:
        raise RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument."
        )
    for g, d in zip(given, axis):
        if a.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {g} to have non-zero size.")


for _name, _fn in (("isnan", isnan), ("isinf", isinf), ("isfinite", isfinite)):
    register(f"{_name}(Tensor self) -> Tensor", _fn, traits=_EW, faces=_EM)
for _name, _fn in (("tril", np.tril), ("triu", np.triu)):
    register(f"{_name}(Tensor self, SymInt diagonal=0) -> Tensor", _triangle(_fn, _name), faces=_EM)
for _name, _fn in (("amax", np.max), ("amin", np.min)):
    register(
        f"{_name}(Tensor self, int[1] dim=[], bool keepdim=False) -> Tensor",
        _extreme(_fn, _name),
        faces=_EM,
    )


def nonzero(a):
    """indices of the non-zero elements, one row each (int64, shape (n, ndim))"""
    return np.argwhere(a).astype(np.int64)


def count_nonzero(a, dim=None):
    """how many elements are non-zero (over `dim`, or all)"""
    axis = None if dim is None else dims(dim, a.ndim)
    return np.asarray(np.count_nonzero(a, axis=axis), dtype=np.int64).copy()


register("nonzero(Tensor self) -> Tensor", nonzero, faces="ember Tensor")
register(
    "count_nonzero(Tensor self, int? dim=None) -> Tensor",
    count_nonzero,
    traits=_R,
    faces="ember Tensor",
)
