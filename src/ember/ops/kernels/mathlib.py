"""The `math` module of scripted code: TorchScript's operators with C's <math.h> results.

Python's `math` raises where C returns a special value (``math.log(0.0)`` raises, C gives
``-inf``; ``math.sqrt(-1.0)`` raises, C gives ``nan``). Each function here tries `math`
first and answers the cases it refuses the way C does, so scripted code computes what
torch.jit.script'ed code computes. Each becomes TorchScript's operator of its name
(``aten::sqrt.float``, ``aten::log.int_int``, ``aten::mathremainder.float`` for
``math.remainder``) with the face ``math.<name>``.

Example:
    >>> sqrt(-1.0), log(0.0), exp(1000.0), gamma(-0.0), log(8, 2), fmod(7, 0)
    (nan, -inf, inf, -inf, 3.0, nan)
"""

from __future__ import annotations

import math

import numpy as np

from ember.ops.table import register

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


# fmt: off
_FLOAT_FUNCTIONS = ["sqrt", "exp", "log", "log10", "log1p", "expm1", "sin", "cos", "tan", "asin",
                    "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "erf",
                    "erfc", "gamma", "lgamma", "fabs", "degrees", "radians"]
# fmt: on
_SHAPES = {
    # Python `math` name -> shape: "f" float result of one number (``log`` also takes a
    # base), "i" int result of a number, "b" bool of a float, "ff" float of two numbers,
    # "ii" int of two ints, "i1" int of an int
    **dict.fromkeys(_FLOAT_FUNCTIONS, "f"),
    **dict.fromkeys(["floor", "ceil"], "i"),
    **dict.fromkeys(["isnan", "isinf", "isfinite"], "b"),
    **dict.fromkeys(["atan2", "copysign", "fmod", "remainder"], "ff"),
    "gcd": "ii",
    "factorial": "i1",
}
_PAIRS = {"int": ("int", "int"), "float": ("float", "float"), "int_float": ("int", "float"),
          "float_int": ("float", "int")}  # fmt: skip
_LOG_PAIRS = {"int_int": ("int", "int"), "float_float": ("float", "float"),
              "int_float": ("int", "float"), "float_int": ("float", "int")}  # fmt: skip


def _register_math() -> None:
    for name, shape in _SHAPES.items():
        op = "mathremainder" if name == "remainder" else name
        fn, face = globals()[op], f"math.{name}"
        if shape in ("f", "i"):
            out = "float" if shape == "f" else "int"
            for t in ("int", "float"):
                register(f"{op}.{t}({t} a) -> {out}", fn, faces=face, doc=f"math.{name}")
        elif shape in ("b", "i1"):
            t, out = ("float", "bool") if shape == "b" else ("int", "int")
            register(f"{op}.{t}({t} a) -> {out}", fn, faces=face, doc=f"math.{name}")
        elif shape == "ii":
            register(f"{op}.int(int a, int b) -> int", fn, faces=face, doc=f"math.{name}")
        pairs = _LOG_PAIRS if name == "log" else _PAIRS if shape == "ff" else {}
        for overload, (a, b) in pairs.items():
            register(f"{op}.{overload}({a} a, {b} b) -> float", fn, faces=face, doc=f"math.{name}")
    register("ldexp(float x, int i) -> float", ldexp, faces="math.ldexp", doc="math.ldexp")


_register_math()
