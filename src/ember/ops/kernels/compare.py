"""Kernels: comparisons, logical and bitwise ops, where, clamp, maximum/minimum.

Example:
    >>> import numpy as np
    >>> from ember.ops.kernels.compare import clamp
    >>> clamp(np.array([1, 5, 9]), 2, 6).tolist()
    [2, 5, 6]
"""

from __future__ import annotations

import numpy as np

from ember import dtypes
from ember.ops.kernels.checks import (
    c_type_name,
    cpp_name,
    kind_of,
    no_complex,
    not_implemented,
    require,
    scalar_fits,
)
from ember.ops.kernels.promote import cast, result2, result_of, to_compute
from ember.ops.table import register

_EW = ("pure", "elementwise")
_ndarray = np.ndarray


def _comparison(ufunc, name):
    ordered = name not in ("eq", "ne")

    def kernel(a, b):
        rt = result2(a, b)
        if ordered and rt.kind == "c":
            raise not_implemented(f"{name}_cpu", rt)
        r = ufunc(to_compute(a, rt), to_compute(b, rt))
        return r if r.__class__ is _ndarray else np.asarray(r)

    kernel.__name__ = ufunc.__name__
    kernel.__doc__ = f"elementwise {ufunc.__name__}, bool result"
    return kernel


def _logical(ufunc):
    def kernel(a, b):
        return np.asarray(ufunc(a, b))

    kernel.__doc__ = f"elementwise {ufunc.__name__}, bool result"
    return kernel


def logical_not(a):
    """elementwise not, bool result"""
    return np.asarray(np.logical_not(a))


def _bitwise(ufunc, name):
    def kernel(a, b):
        rt = result2(a, b)
        require(f"{name}_cpu", rt, "bui")
        return cast(ufunc(to_compute(a, rt), to_compute(b, rt)), rt)

    kernel.__doc__ = f"elementwise {name}"
    return kernel


def bitwise_not(a):
    """elementwise bitwise not (logical not for bool)"""
    require("bitwise_not_cpu", a, "bui")
    return np.asarray(np.invert(a))


def where(cond, a, b):
    """elements of a where cond is true, else of b (promoted)"""
    cond = np.asarray(cond)
    if cond.dtype == np.uint8:  # PyTorch still accepts byte masks
        cond = cond.astype(np.bool_)
    elif cond.dtype != np.bool_:
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            + cpp_name(cond)
        )
    rt = result_of(a, b)
    return cast(np.where(cond, to_compute(a, rt), to_compute(b, rt)), rt)


def where_nonzero(cond):
    """indices of non-zero elements, one tensor per dimension"""
    return [np.ascontiguousarray(i) for i in np.nonzero(np.atleast_1d(cond))]


def _clamp_kernel_name(lo, hi, tensors: bool) -> str:
    """The PyTorch CPU kernel a clamp call lands in (it names the dtype errors)."""
    if tensors:
        if lo is not None and hi is not None:
            return "clamp_cpu"
        return "maximum_cpu" if lo is not None else "minimum_cpu"
    if lo is not None and hi is not None:
        return "clamp_scalar_cpu"
    return "clamp_min_scalar_cpu" if lo is not None else "clamp_max_scalar_cpu"


def _real_bounds(a, lo, hi):
    """Complex scalar bounds: refused for integer and bool tensors; for floating tensors they
    convert to double, which needs a zero imaginary part."""
    if kind_of(a) != "f":
        raise NotImplementedError("clamp is not supported for complex types")
    if any(isinstance(x, complex) and x.imag for x in (lo, hi)):
        raise RuntimeError("value cannot be converted to type double without overflow")
    return tuple(x.real if isinstance(x, complex) else x for x in (lo, hi))


def clamp(a, lo=None, hi=None):
    """min(max(a, lo), hi), promoted with the bounds"""
    if lo is None and hi is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    no_complex(a, "clamp is not supported for complex types")
    bounds = [x for x in (lo, hi) if x is not None]
    tensors = any(x.__class__ is _ndarray for x in bounds)
    if not tensors and any(isinstance(x, complex) for x in bounds):
        lo, hi = _real_bounds(a, lo, hi)
        bounds = [x for x in (lo, hi) if x is not None]
    rt = result_of(a, *bounds)
    for x in bounds:
        scalar_fits(x, rt)
    if rt.kind == "c" or (rt is dtypes.bool_ and not (tensors and len(bounds) == 1)):
        raise not_implemented(_clamp_kernel_name(lo, hi, tensors), rt)
    r = to_compute(a, rt)
    if lo is not None:
        r = np.maximum(to_compute(lo, rt), r)  # bound first: a tie keeps a (-0.0 stays)
    if hi is not None:
        r = np.minimum(to_compute(hi, rt), r)
    r = cast(r, rt)
    return r.copy() if r is a else r


def clamp_min(a, lo):
    """max(a, lo)"""
    return clamp(a, lo, None)


def clamp_max(a, hi):
    """min(a, hi)"""
    return clamp(a, None, hi)


def maximum(a, b):
    """elementwise maximum, NaN-propagating"""
    return _minmax(np.maximum, a, b)


def minimum(a, b):
    """elementwise minimum, NaN-propagating"""
    return _minmax(np.minimum, a, b)


def _minmax(ufunc, a, b):
    rt = result2(a, b)
    if rt.is_complex:
        raise RuntimeError(f"{ufunc.__name__} not implemented for complex tensors.")
    return cast(ufunc(to_compute(a, rt), to_compute(b, rt)), rt)


_T = "(Tensor self, Tensor other) -> Tensor"
_S = "(Tensor self, Scalar other) -> Tensor"
_EM = "ember Tensor"
for _ufunc, _name in (
    (np.equal, "eq"),
    (np.not_equal, "ne"),
    (np.less, "lt"),
    (np.less_equal, "le"),
    (np.greater, "gt"),
    (np.greater_equal, "ge"),
):
    _k = _comparison(_ufunc, _name)
    register(f"{_name}.Tensor{_T}", _k, traits=_EW, faces=_EM)
    register(f"{_name}.Scalar{_S}", _k, traits=_EW, faces=_EM)

for _ufunc, _name in (
    (np.logical_and, "logical_and"),
    (np.logical_or, "logical_or"),
    (np.logical_xor, "logical_xor"),
):
    register(f"{_name}{_T}", _logical(_ufunc), traits=_EW, faces=_EM)
register("logical_not(Tensor self) -> Tensor", logical_not, traits=_EW, faces=_EM)

for _ufunc, _name in (
    (np.bitwise_and, "bitwise_and"),
    (np.bitwise_or, "bitwise_or"),
    (np.bitwise_xor, "bitwise_xor"),
):
    _k = _bitwise(_ufunc, _name)
    register(f"{_name}.Tensor{_T}", _k, traits=_EW, faces=_EM)
    register(f"{_name}.Scalar{_S}", _k, traits=_EW, faces=_EM)
register("bitwise_not(Tensor self) -> Tensor", bitwise_not, traits=_EW, faces=_EM)

for _schema, _faces in (
    ("where.self(Tensor condition, Tensor self, Tensor other) -> Tensor", _EM),
    ("where.ScalarOther(Tensor condition, Tensor self, Scalar other) -> Tensor", _EM),
    ("where.ScalarSelf(Tensor condition, Scalar self, Tensor other) -> Tensor", "ember"),
    ("where.Scalar(Tensor condition, Scalar self, Scalar other) -> Tensor", "ember"),
):
    register(_schema, where, traits=_EW, faces=_faces)
register("where(Tensor condition) -> Tensor[]", where_nonzero, faces="ember")
for _schema in (
    "clamp(Tensor self, Scalar? min=None, Scalar? max=None) -> Tensor",
    "clamp.Tensor(Tensor self, Tensor? min=None, Tensor? max=None) -> Tensor",
):
    register(_schema, clamp, traits=_EW, faces=_EM)
register("clamp_min(Tensor self, Scalar min) -> Tensor", clamp_min, traits=_EW, faces=_EM)
register("clamp_max(Tensor self, Scalar max) -> Tensor", clamp_max, traits=_EW, faces=_EM)
register("maximum" + _T, maximum, traits=_EW, faces=_EM)
register("minimum" + _T, minimum, traits=_EW, faces=_EM)
register("max.other" + _T, maximum, traits=_EW, faces=_EM)
register("min.other" + _T, minimum, traits=_EW, faces=_EM)


def equal(a, b):
    """True when both have the same shape and elements"""
    return a.shape == b.shape and bool(np.array_equal(a, b))


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """elementwise |a - b| <= atol + rtol * |b|"""
    if a.dtype != b.dtype:
        raise RuntimeError(f"{a.dtype} did not match {b.dtype}")
    return np.asarray(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """whether every element is close (see isclose)"""
    return bool(isclose(a, b, rtol, atol, equal_nan).all())


def masked_fill(a, mask, value):
    """value where mask is true, else a"""
    if np.asarray(mask).dtype != np.bool_:
        raise RuntimeError(
            "masked_fill_ only supports boolean masks, but got mask with dtype "
            + c_type_name(np.asarray(mask))
        )
    out = np.array(np.broadcast_to(a, np.broadcast_shapes(a.shape, np.shape(mask))))
    if not isinstance(value, np.ndarray):
        scalar_fits(value, dtypes.from_numpy(a.dtype))
    fill = value.item() if isinstance(value, np.ndarray) else value
    if isinstance(fill, complex) and a.dtype.kind != "c":
        fill = fill.real if a.dtype.kind != "b" else bool(fill)
    if isinstance(fill, float) and a.dtype.kind in "biu":
        fill = int(fill)
    out[np.broadcast_to(mask, out.shape)] = fill
    return out


register("equal(Tensor self, Tensor other) -> bool", equal, faces=_EM)
_CLOSE = "(Tensor self, Tensor other, float rtol=1e-05, float atol=1e-08, bool equal_nan=False)"
register(f"isclose{_CLOSE} -> Tensor", isclose, faces=_EM)
register(f"allclose{_CLOSE} -> bool", allclose, faces=_EM)
register(
    "masked_fill.Scalar(Tensor self, Tensor mask, Scalar value) -> Tensor", masked_fill, faces=_EM
)
register(
    "masked_fill.Tensor(Tensor self, Tensor mask, Tensor value) -> Tensor", masked_fill, faces=_EM
)
