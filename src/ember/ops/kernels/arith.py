"""Kernels: binary arithmetic with PyTorch's promotion, rounding and error rules.

Example:
    >>> import numpy as np
    >>> from ember.ops.kernels.arith import div
    >>> div(np.array([-7, 7]), np.array([2, 2]), "floor").tolist()
    [-4, 3]
"""

from __future__ import annotations

import warnings

import numpy as np

from ember import dtypes
from ember.ops.kernels.checks import require, scalar_fits
from ember.ops.kernels.promote import cast, result2, to_compute, to_opmath
from ember.ops.table import register

warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"ember\.ops\.")

_EW = ("pure", "elementwise")
_ndarray = np.ndarray


def _binary(ufunc, a, b):
    rt = result2(a, b)
    return cast(ufunc(to_compute(a, rt), to_compute(b, rt)), rt)


def _is_bool(x) -> bool:
    return (x.__class__ is _ndarray and x.dtype == np.bool_) or x.__class__ is bool


def _no_bool(a, b, what: str):
    if _is_bool(a) and _is_bool(b):
        raise RuntimeError(
            f"{what}, with two bool tensors is not supported. Use the `^` or `logical_xor()` "
            "operator instead."
        )
    if _is_bool(a) or _is_bool(b):
        raise RuntimeError(
            f"{what}, with a bool tensor is not supported. If you are trying to invert a "
            "mask, use the `~` or `logical_not()` operator instead."
        )


def _check_alpha(rt, alpha):
    if alpha.__class__ is float and rt.kind in "bui":
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )


def _scaled(b, alpha, rt):
    if alpha == 1:
        return to_compute(b, rt)
    return np.multiply(to_compute(b, rt), to_compute(alpha, rt))


def add(a, b, alpha=1):
    """a + alpha * b, broadcast, promoted."""
    rt = result2(a, b)
    if alpha != 1:
        _check_alpha(rt, alpha)
    return cast(np.add(to_compute(a, rt), _scaled(b, alpha, rt)), rt)


def sub(a, b, alpha=1):
    """a - alpha * b, broadcast, promoted; bool operands are an error."""
    _no_bool(a, b, "Subtraction, the `-` operator")
    rt = result2(a, b)
    if alpha != 1:
        _check_alpha(rt, alpha)
    return cast(np.subtract(to_compute(a, rt), _scaled(b, alpha, rt)), rt)


def rsub(a, b, alpha=1):
    """b - alpha * a."""
    return sub(b, a, alpha)


def mul(a, b):
    """a * b, broadcast, promoted (bool * bool is logical and)."""
    rt = result2(a, b)
    return cast(np.multiply(to_opmath(a, rt), to_opmath(b, rt)), rt)


def _int_zero_check(a, b):
    """Integer division by zero is an error, unless the result is empty."""
    if 0 not in np.broadcast_shapes(np.shape(a), np.shape(b)) and np.any(np.equal(b, 0)):
        raise RuntimeError("ZeroDivisionError")


def div(a, b, rounding_mode=None):
    """a / b; rounding_mode None (true division, ints give floats), 'trunc' or 'floor'."""
    rt = result2(a, b)
    if rounding_mode is None:
        if rt.kind in "bui":
            rt = dtypes.get_default_dtype()
        return cast(np.true_divide(to_opmath(a, rt), to_opmath(b, rt)), rt)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' "
            f"but found '{rounding_mode}'"
        )
    require(f"div_{rounding_mode}_cpu", rt, "uif")
    x, y = to_opmath(a, rt), to_opmath(b, rt)
    if rt.kind in "bui":
        _int_zero_check(x, y)
        q = np.floor_divide(x, y)
        if rounding_mode == "trunc":
            q = q + ((np.remainder(x, y) != 0) & ((np.asarray(x) < 0) != (np.asarray(y) < 0)))
        return cast(q, rt)
    if rounding_mode == "trunc":
        return cast(np.trunc(np.true_divide(x, y)), rt)
    return cast(np.floor_divide(x, y), rt)


def floor_divide(a, b):
    """a // b rounding toward negative infinity."""
    return div(a, b, "floor")


def _int_or_float(ufunc, a, b, name):
    rt = result2(a, b)
    require(f"{name}_cpu", rt, "uif")
    x, y = to_compute(a, rt), to_compute(b, rt)
    if rt.kind in "ui":
        _int_zero_check(x, y)
    return cast(ufunc(x, y), rt)


def remainder(a, b):
    """Python-style modulus: the result has the sign of the divisor."""
    return _int_or_float(np.remainder, a, b, "remainder")


def fmod(a, b):
    """C-style modulus: the result has the sign of the dividend."""
    return _int_or_float(np.fmod, a, b, "fmod")


def pow_(a, b):
    """a ** b; integer tensors raised to negative integer scalars are an error."""
    rt = result2(a, b)
    if rt is dtypes.bool_ and b.__class__ is bool and a.__class__ is _ndarray:
        return np.ones_like(a) if b is False else a.copy()  # torch's x ** 0 and x ** 1 paths
    if rt.kind in "bui":
        require("pow", rt, "ui")
        if b.__class__ is not _ndarray:
            _check_int_exponent(b, rt)
    x, y = to_compute(a, rt), to_compute(b, rt)
    if rt.kind in "ui" and np.any(np.less(y, 0)):
        return cast(_int_pow_negative(x, y), rt)
    return cast(np.power(x, y), rt)


def _check_int_exponent(b, rt) -> None:
    """A Python exponent of an integer pow must be non-negative and fit the result dtype."""
    if b < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    scalar_fits(b, rt)


def _int_pow_negative(x, y):
    x, y = np.broadcast_arrays(np.asarray(x), np.asarray(y))
    neg = y < 0
    out = np.power(x, np.where(neg, 0, y))
    inv = np.where(x == 1, 1, np.where(x == -1, np.where(y % 2 == 0, 1, -1), 0))
    return np.where(neg, inv.astype(out.dtype), out)


_S = "(Tensor self, Scalar other) -> Tensor"
_T = "(Tensor self, Tensor other) -> Tensor"
_EM = "ember Tensor"
for _name, _fn, _doc, _faces in (
    ("mul", mul, "a * b", "ember.multiply Tensor.multiply"),
    ("remainder", remainder, "Python-style modulus", ""),
    ("fmod", fmod, "C-style modulus", ""),
):
    register(f"{_name}.Tensor{_T}", _fn, traits=_EW, doc=_doc, faces=f"{_EM} {_faces}")
    register(f"{_name}.Scalar{_S}", _fn, traits=_EW, doc=_doc, faces=f"{_EM} {_faces}")

register(
    "add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
    add,
    traits=_EW,
    faces=_EM,
)
register(
    "add.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor",
    add,
    traits=_EW,
    faces=_EM,
)
register(
    "sub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
    sub,
    traits=_EW,
    faces=_EM + " ember.subtract Tensor.subtract",
)
register(
    "sub.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor",
    sub,
    traits=_EW,
    faces=_EM + " ember.subtract Tensor.subtract",
)
register(
    "rsub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
    rsub,
    traits=_EW,
    faces="ember",
)
register(
    "rsub.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor",
    rsub,
    traits=_EW,
    faces="ember",
)
for _schema in (
    "div.Tensor(Tensor self, Tensor other) -> Tensor",
    "div.Tensor_mode(Tensor self, Tensor other, *, str? rounding_mode) -> Tensor",
    "div.Scalar(Tensor self, Scalar other) -> Tensor",
    "div.Scalar_mode(Tensor self, Scalar other, *, str? rounding_mode) -> Tensor",
):
    _aliases = "ember.true_divide Tensor.true_divide ember.divide Tensor.divide"
    register(_schema, div, traits=_EW, version=4, faces=f"{_EM} {_aliases}")
register("floor_divide" + _T, floor_divide, traits=_EW, doc="a // b (floor)", faces=_EM)
register("floor_divide.Scalar" + _S, floor_divide, traits=_EW, doc="a // b (floor)", faces=_EM)
for _schema in (
    "pow.Tensor_Tensor(Tensor self, Tensor exponent) -> Tensor",
    "pow.Tensor_Scalar(Tensor self, Scalar exponent) -> Tensor",
    "pow.Scalar(Scalar self, Tensor exponent) -> Tensor",
):
    register(_schema, pow_, traits=_EW, faces=_EM)
