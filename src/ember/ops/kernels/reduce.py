"""Kernels: reductions (sum, mean, var, std, prod, max/min, argmax/argmin, any, all).

Half-precision inputs accumulate in float32 and round once, as PyTorch does.

Example:
    >>> import numpy as np
    >>> from ember.ops.kernels.reduce import sum_dim
    >>> sum_dim(np.array([[1, 2], [3, 4]], np.int32), [1]).tolist()
    [3, 7]
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ember import dtypes
from ember.ops.kernels.checks import no_complex, require, wrap_dim
from ember.ops.kernels.promote import cast, compute_np
from ember.ops.table import register

_R = ("pure", "reduction")
_EM = "ember Tensor"
_BY_NP = {d.np: d for d in dtypes.ALL_DTYPES}


def dims(dim, ndim: int):
    """Normalise a dim argument (None, int or list; [] means all) to an axis tuple."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, int):
        dim = [dim]
    if len(dim) == 0:
        return tuple(range(ndim))
    out = [wrap_dim(d, ndim) for d in dim]
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim {out[0]} appears multiple times in the list of dims")
    return tuple(out) if ndim else ()


def _sum_dtype(a, dtype):
    if dtype is not None:
        return dtype
    rt = _BY_NP[a.dtype]
    return dtypes.int64 if rt.kind in "bui" else rt


def _reduce(fn, a, axis, keepdim, rt):
    x = a.astype(compute_np(rt)) if a.dtype != compute_np(rt) else a
    r = fn(x, axis=axis, keepdims=keepdim)
    return cast(np.array(r, copy=True) if not isinstance(r, np.ndarray) or r is x else r, rt)


def sum_all(a, dtype=None):
    """sum of all elements (integers give int64)"""
    return _reduce(np.sum, a, None, False, _sum_dtype(a, dtype))


def sum_dim(a, dim, keepdim=False, dtype=None):
    """sum over dims"""
    return _reduce(np.sum, a, dims(dim, a.ndim), keepdim, _sum_dtype(a, dtype))


def prod_all(a, dtype=None):
    """product of all elements"""
    return _reduce(np.prod, a, None, False, _sum_dtype(a, dtype))


def prod_dim(a, dim, keepdim=False, dtype=None):
    """product over one dim"""
    return _reduce(np.prod, a, dims(dim, a.ndim), keepdim, _sum_dtype(a, dtype))


def _mean_dtype(a, dtype):
    rt = dtype or _BY_NP[a.dtype]
    if rt.kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {rt.cpp_name}"
        )
    return rt


def _mean(x, axis=None, keepdims=False):
    """np.mean without its Python-level 'Mean of empty slice' warning (PyTorch gives nan)."""
    if x.size:
        return np.mean(x, axis=axis, keepdims=keepdims)
    with np.errstate(all="ignore"):
        return np.sum(x, axis=axis, keepdims=keepdims) / 0


def mean_all(a, dtype=None):
    """arithmetic mean of all elements"""
    return _reduce(_mean, a, None, False, _mean_dtype(a, dtype))


def mean_dim(a, dim, keepdim=False, dtype=None):
    """arithmetic mean over dims"""
    return _reduce(_mean, a, dims(dim, a.ndim), keepdim, _mean_dtype(a, dtype))


def _var(a, dim, correction, keepdim, root):
    rt = _BY_NP[a.dtype]
    if rt.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    axis = dims(dim, a.ndim)
    ddof = 1 if correction is None else correction
    x = a.astype(compute_np(rt.to_real()) if rt.kind == "f" else rt.np)
    n = math.prod(x.shape[d] for d in axis) if axis else x.size
    if n - ddof <= 0:
        warnings.warn(
            f"{'std' if root else 'var'}(): degrees of freedom is <= 0. Correction should be "
            "strictly less than the reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=2,
        )
        with np.errstate(all="ignore"):
            centred = x - _mean(x, axis=axis, keepdims=True)
            squares = (centred * np.conj(centred)).real if x.dtype.kind == "c" else centred**2
            r = np.sum(squares, axis=axis, keepdims=keepdim) / max(n - ddof, 0)
    else:
        r = np.var(x, axis=axis, ddof=ddof, keepdims=keepdim)
    if root:
        r = np.sqrt(r)
    return cast(np.array(r, copy=True), rt.to_real())


def var_correction(a, dim=None, correction=None, keepdim=False):
    """variance with Bessel's correction (default 1)"""
    return _var(a, dim, correction, keepdim, False)


def var_unbiased(a, unbiased=True):
    """variance of all elements"""
    return _var(a, None, int(unbiased), False, False)


def var_dim(a, dim, unbiased=True, keepdim=False):
    """variance over dims"""
    return _var(a, dim, int(unbiased), keepdim, False)


def std_correction(a, dim=None, correction=None, keepdim=False):
    """standard deviation with Bessel's correction (default 1)"""
    return _var(a, dim, correction, keepdim, True)


def std_unbiased(a, unbiased=True):
    """standard deviation of all elements"""
    return _var(a, None, int(unbiased), False, True)


def std_dim(a, dim, unbiased=True, keepdim=False):
    """standard deviation over dims"""
    return _var(a, dim, int(unbiased), keepdim, True)


def _check_nonempty(a, name, dim=None):
    """PyTorch's errors for reducing an empty tensor: RuntimeError for max()/min() of all
    elements (IndexError for argmax()/argmin()), IndexError when the named dim is empty."""
    if a.size == 0 and dim is None and name.startswith("arg"):
        raise IndexError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
        )
    if a.size == 0 and dim is None:
        raise RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument."
        )
    if a.size == 0 and (a.ndim == 0 or a.shape[dim] == 0):
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")


def _extreme(a, find_max):
    require("max_all" if find_max else "min_all", a, "buif")
    _check_nonempty(a, "max" if find_max else "min")
    if a.dtype.kind == "f" and np.isnan(a).any():
        return np.array(np.nan, a.dtype)
    return np.array((np.max if find_max else np.min)(a), a.dtype)


def max_all(a):
    """the largest element (NaN if any)"""
    return _extreme(a, True)


def min_all(a):
    """the smallest element (NaN if any)"""
    return _extreme(a, False)


def _arg(a, dim, keepdim, find_max, name):
    fn = np.argmax if find_max else np.argmin
    if a.dtype == np.bool_ and name.startswith("arg"):
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        no_complex(a, f"{name}(): does not support complex input", RuntimeError)
        _check_nonempty(a, name)
        r = np.array(fn(a.reshape(-1)), np.int64)
        return r.reshape((1,) * a.ndim) if keepdim else r
    d = dims(dim, a.ndim)
    complex_first = name.startswith("arg")  # max.dim/min.dim report an empty dim first
    if complex_first:
        no_complex(a, f"{name}(): does not support complex input", RuntimeError)
    if a.ndim:
        _check_nonempty(a, name, d[0])
    if not complex_first:
        no_complex(a, f"{name}(): does not support complex input", RuntimeError)
    if a.ndim == 0:
        return np.zeros((), np.int64)
    return np.asarray(fn(a, axis=d[0], keepdims=keepdim), np.int64)


def _extreme_dim(a, dim, keepdim, find_max):
    name = "max" if find_max else "min"
    idx = _arg(a, dim, True, find_max, name)
    if a.ndim == 0:
        return a.copy(), idx
    d = dims(dim, a.ndim)[0]
    values = np.take_along_axis(a, idx, axis=d)
    if not keepdim:
        values, idx = values.squeeze(d), idx.squeeze(d)
    return values, idx


def max_dim(a, dim, keepdim=False):
    """(values, indices) of the largest elements along dim"""
    return _extreme_dim(a, dim, keepdim, True)


def min_dim(a, dim, keepdim=False):
    """(values, indices) of the smallest elements along dim"""
    return _extreme_dim(a, dim, keepdim, False)


def argmax(a, dim=None, keepdim=False):
    """index of the largest element (flattened when dim is None)"""
    return _arg(a, dim, keepdim, True, "argmax")


def argmin(a, dim=None, keepdim=False):
    """index of the smallest element (flattened when dim is None)"""
    return _arg(a, dim, keepdim, False, "argmin")


def _anyall(fn):
    def kernel(a, dim=None, keepdim=False):
        out = np.uint8 if a.dtype == np.uint8 else np.bool_
        axis = None if dim is None else dims(dim, a.ndim)
        return np.array(fn(a, axis=axis, keepdims=keepdim), out)

    kernel.__doc__ = f"whether {fn.__name__} elements are non-zero"
    return kernel


any_ = _anyall(np.any)
all_ = _anyall(np.all)

register(
    "sum(Tensor self, *, ScalarType? dtype=None) -> Tensor",
    sum_all,
    traits=_R,
    faces="ember Tensor",
)
register(
    "sum.dim_IntList(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None)"
    " -> Tensor",
    sum_dim,
    traits=_R,
    faces="ember Tensor",
)
register(
    "prod(Tensor self, *, ScalarType? dtype=None) -> Tensor",
    prod_all,
    traits=_R,
    faces="ember Tensor",
)
register(
    "prod.dim_int(Tensor self, int dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor",
    prod_dim,
    traits=_R,
    faces="ember Tensor",
)
register(
    "mean(Tensor self, *, ScalarType? dtype=None) -> Tensor",
    mean_all,
    traits=_R,
    faces="ember Tensor",
)
register(
    "mean.dim(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor",
    mean_dim,
    traits=_R,
    faces="ember Tensor",
)
for _n, _c, _u, _d in (
    ("var", var_correction, var_unbiased, var_dim),
    ("std", std_correction, std_unbiased, std_dim),
):
    register(f"{_n}(Tensor self, bool unbiased=True) -> Tensor", _u, traits=_R, faces=_EM)
    register(
        f"{_n}.dim(Tensor self, int[1]? dim, bool unbiased=True, bool keepdim=False) -> Tensor",
        _d,
        traits=_R,
        faces=_EM,
    )
    register(
        f"{_n}.correction(Tensor self, int[1]? dim=None, *, Scalar? correction=None,"
        " bool keepdim=False) -> Tensor",
        _c,
        traits=_R,
        faces=_EM,
    )
register("max(Tensor self) -> Tensor", max_all, traits=_R, faces="ember Tensor")
register("min(Tensor self) -> Tensor", min_all, traits=_R, faces="ember Tensor")
register(
    "max.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)",
    max_dim,
    traits=_R,
    faces="ember Tensor",
)
register(
    "min.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)",
    min_dim,
    traits=_R,
    faces="ember Tensor",
)
register(
    "argmax(Tensor self, int? dim=None, bool keepdim=False) -> Tensor",
    argmax,
    traits=_R,
    faces="ember Tensor",
)
register(
    "argmin(Tensor self, int? dim=None, bool keepdim=False) -> Tensor",
    argmin,
    traits=_R,
    faces="ember Tensor",
)
register("any(Tensor self) -> Tensor", any_, traits=_R, faces="ember Tensor")
register(
    "any.dim(Tensor self, int dim, bool keepdim=False) -> Tensor",
    any_,
    traits=_R,
    faces="ember Tensor",
)
register(
    "any.dims(Tensor self, int[]? dim=None, bool keepdim=False) -> Tensor",
    any_,
    traits=_R,
    faces="ember Tensor",
)
register("all(Tensor self) -> Tensor", all_, traits=_R, faces="ember Tensor")
register(
    "all.dim(Tensor self, int dim, bool keepdim=False) -> Tensor",
    all_,
    traits=_R,
    faces="ember Tensor",
)
register(
    "all.dims(Tensor self, int[]? dim=None, bool keepdim=False) -> Tensor",
    all_,
    traits=_R,
    faces="ember Tensor",
)
