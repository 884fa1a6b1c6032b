"""The `math` functions of scripted code, with C's <math.h> results (as TorchScript gives).

Python's `math` raises where C returns a special value (``math.log(0.0)`` raises, C gives
``-inf``; ``math.sqrt(-1.0)`` raises, C gives ``nan``). Each function here tries `math`
first and answers the cases it refuses the way C does, so scripted code computes what
torch.jit.script'ed code computes. Generated code reaches this module as ``_rt_libm``.

Example:
    >>> sqrt(-1.0), log(0.0), exp(1000.0), gamma(-0.0), log(8, 2), fmod(7, 0)
    (nan, -inf, inf, -inf, 3.0, nan)
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["log", "gamma", "lgamma", "mathremainder", "factorial", "ldexp"]

_REFUSED = (ValueError, OverflowError, ZeroDivisionError)


def _c_semantics(py, c):
    """`py` (from `math`), falling back to the numpy ufunc `c` where `math` refuses."""

    def fn(*args):
        try:
            return float(py(*args))
        except _REFUSED:
            with np.errstate(all="ignore"):
                return float(c(*(float(a) for a in args)))

    fn.__name__ = py.__name__
    return fn


_c = _c_semantics
sqrt, exp, log10 = _c(math.sqrt, np.sqrt), _c(math.exp, np.exp), _c(math.log10, np.log10)
log1p, expm1 = _c(math.log1p, np.log1p), _c(math.expm1, np.expm1)
sin, cos, tan = _c(math.sin, np.sin), _c(math.cos, np.cos), _c(math.tan, np.tan)
asin, acos, atan = _c(math.asin, np.arcsin), _c(math.acos, np.arccos), _c(math.atan, np.arctan)
sinh, cosh, tanh = _c(math.sinh, np.sinh), _c(math.cosh, np.cosh), _c(math.tanh, np.tanh)
asinh, acosh = _c(math.asinh, np.arcsinh), _c(math.acosh, np.arccosh)
atanh, fabs = _c(math.atanh, np.arctanh), _c(math.fabs, np.fabs)
degrees, radians = _c(math.degrees, np.degrees), _c(math.radians, np.radians)
atan2, copysign = _c(math.atan2, np.arctan2), _c(math.copysign, np.copysign)
fmod = _c(math.fmod, np.fmod)
erf, erfc = math.erf, math.erfc
floor, ceil, gcd = math.floor, math.ceil, math.gcd
isnan, isinf, isfinite = math.isnan, math.isinf, math.isfinite


def log(x, base=None) -> float:
    """Natural log, or log to `base` as ``log(x) / log(base)`` in C arithmetic."""
    with np.errstate(all="ignore"):
        if base is None:
            return float(np.log(float(x)))
        return float(np.float64(np.log(float(x))) / np.float64(np.log(float(base))))


def gamma(x) -> float:
    """tgamma: ``±inf`` at ``±0``, ``nan`` at negative integers and ``-inf``."""
    try:
        return math.gamma(x)
    except OverflowError:
        return math.inf
    except ValueError:
        if x == 0:
            return math.copysign(math.inf, x)
        return math.nan


def lgamma(x) -> float:
    """lgamma: ``inf`` at zero and the negative integers (the poles)."""
    try:
        return math.lgamma(x)
    except (ValueError, OverflowError):
        return math.inf


def mathremainder(x, y) -> float:
    """IEEE remainder (Python's ``math.remainder``), ``nan`` for ``y == 0`` or infinite x."""
    try:
        return math.remainder(x, y)
    except ValueError:
        return math.nan


def factorial(n: int) -> int:
    """n! for n >= 0 (ValueError otherwise, as TorchScript refuses negative n)."""
    return math.factorial(n)


def ldexp(x: float, i: int) -> float:
    """x * 2**i, ``±inf`` on overflow."""
    try:
        return math.ldexp(x, i)
    except OverflowError:
        return math.copysign(math.inf, x)
