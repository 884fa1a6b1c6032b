"""TorchScript's operators on Python numbers and bools: arithmetic, comparisons, conversions.

Each operator on ints and floats comes in TorchScript's four overloads (``.int``, ``.float``,
``.int_float``, ``.float_int``); ``/`` is ``aten::div.int``, ``aten::div.float`` and, for
mixed operands, ``aten::div(Scalar a, Scalar b)``, as in torch 2.13. ``**`` follows C's pow
(a float, NaN or inf where Python would give a complex number or raise).

Example:
    >>> from ember.ops.table import get
    >>> get("aten::floordiv.int_float").kernel(7, 2.0), get("aten::pow.int").kernel(0, -1)
    (3.0, inf)
"""

from __future__ import annotations

import math

from ember.ops.table import register, register_lines

__all__ = ["c_pow"]


def c_pow(a, b) -> float:
    """C's pow: a float, NaN for a negative base and a fractional exponent, inf for 0 ** -n."""
    try:
        r = a**b
    except ZeroDivisionError:
        return math.inf
    return math.nan if isinstance(r, complex) else float(r)


_ARITH = {"add": "+", "sub": "-", "mul": "*", "div": "/", "floordiv": "//", "remainder": "%"}
_COMPARE = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_MIXED = {"int": ("int", "int"), "float": ("float", "float"), "int_float": ("int", "float"),
          "float_int": ("float", "int")}  # fmt: skip


def _number_ops() -> None:
    for name, sym in _ARITH.items():
        for overload, (a, b) in _MIXED.items():
            if name == "div" and a != b:
                continue  # mixed division is aten::div(Scalar, Scalar), below
            out = "int" if overload == "int" and name != "div" else "float"
            register(f"{name}.{overload}({a} a, {b} b) -> {out}", inline=f"({{0}} {sym} {{1}})",
                     doc=f"Python's {sym} on numbers")  # fmt: skip
    register("div(Scalar a, Scalar b) -> float", inline="({0} / {1})", doc="Python's / on numbers")
    for overload, (a, b) in _MIXED.items():
        register(f"pow.{overload}({a} a, {b} b) -> float", c_pow, faces="math.pow",
                 doc="Python's ** on numbers, with C's pow results")  # fmt: skip
    for name, sym in _COMPARE.items():
        for overload, (a, b) in _MIXED.items():
            register(f"{name}.{overload}({a} a, {b} b) -> bool", inline=f"({{0}} {sym} {{1}})",
                     doc=f"Python's {sym} on numbers")  # fmt: skip


_number_ops()

register_lines(r"""
prim::min.int(int a, int b) -> int | pure | min({0}, {1}) | the smaller int
prim::min.float(float a, float b) -> float | pure | min({0}, {1}) | the smaller float
prim::min.self_int(int[] self) -> int | pure | min({0}) | the smallest element
prim::max.int(int a, int b) -> int | pure | max({0}, {1}) | the larger int
prim::max.float(float a, float b) -> float | pure | max({0}, {1}) | the larger float
prim::max.self_int(int[] self) -> int | pure | max({0}) | the largest element
prim::abs.int(int a) -> int | pure | abs({0}) | absolute value
prim::abs.float(float a) -> float | pure | abs({0}) | absolute value
aten::__is__(t1 self, t2 obj) -> bool | pure | ({0} is {1}) | identity (used with None)
aten::__isnot__(t1 self, t2 obj) -> bool | pure | ({0} is not {1}) | negated identity
aten::__not__(bool self) -> bool | pure | (not {0}) | boolean negation
aten::__and__.bool(bool a, bool b) -> bool | pure | ({0} and {1}) | boolean and (both evaluated)
aten::__or__.bool(bool a, bool b) -> bool | pure | ({0} or {1}) | boolean or (both evaluated)
aten::__xor__.bool(bool a, bool b) -> bool | pure | ({0} != {1}) | boolean xor
aten::eq.bool(bool a, bool b) -> bool | pure | ({0} == {1}) | bool equality
aten::ne.bool(bool a, bool b) -> bool | pure | ({0} != {1}) | bool inequality
aten::neg.int(int a) -> int | pure | (-{0}) | negation
aten::neg.float(float a) -> float | pure | (-{0}) | negation
aten::__and__.int(int a, int b) -> int | pure | ({0} & {1}) | bitwise and
aten::__or__.int(int a, int b) -> int | pure | ({0} | {1}) | bitwise or
aten::__xor__.int(int a, int b) -> int | pure | ({0} ^ {1}) | bitwise xor
aten::__lshift__.int(int a, int b) -> int | pure | ({0} << {1}) | shift left
aten::__rshift__.int(int a, int b) -> int | pure | ({0} >> {1}) | arithmetic shift right
aten::Int.float(float a) -> int | pure | int({0}) | truncate toward zero
aten::Int.bool(bool a) -> int | pure | int({0}) | 0 or 1
aten::Int.str(str a) -> int | pure | int({0}) | parse
aten::Int.Scalar(Scalar a) -> int | pure | int({0}) | truncate toward zero
aten::Float.int(int a) -> float | pure | float({0}) | convert
aten::Float.bool(bool a) -> float | pure | float({0}) | 0. or 1.
aten::Float.str(str a) -> float | pure | float({0}) | parse
aten::Float.Scalar(Scalar a) -> float | pure | float({0}) | convert
aten::Bool.int(int a) -> bool | pure | bool({0}) | nonzero
aten::Bool.float(float a) -> bool | pure | bool({0}) | nonzero
aten::__range_length(int lo, int hi, int step) -> int | pure | len(range({0}, {1}, {2}))
    | trip count of range(lo, hi, step)
aten::__derive_index(int index, int start, int step) -> int | pure | ({1} + {0} * {2})
    | loop value of iteration index
""")
