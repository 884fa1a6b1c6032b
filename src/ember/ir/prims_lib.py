"""Builtin operators for Python's standard types: list, dict and str methods, the `math`
module and the integer shifts, in the line format of `ember.ir.prims` (which merges them).

Names, overloads and schemas are TorchScript's (torch 2.13's `aten::` scalar and container
operators), so archives holding them load in PyTorch. The `math` functions follow C's
<math.h> as TorchScript's do: ``math.sqrt(-1.0)`` is ``nan`` and ``math.log(0.0)`` is
``-inf`` where Python would raise (the runtime's ``_rt_libm``).

Example:
    >>> lines = {ln.split("(")[0] for ln in library_lines()}
    >>> sorted(n for n in lines if n.startswith("aten::get"))
    ['aten::get.default_int', 'aten::get.default_str', 'aten::get.int', 'aten::get.str']
    >>> "aten::sqrt.int" in lines and "aten::atan2.float_int" in lines
    True
"""

from __future__ import annotations

__all__ = ["library_lines", "MATH_FUNCTIONS"]

_CONTAINERS = r"""
aten::add_.t(t[] self, t[] b) -> t[] | effect | _rt_extend({0}, {1}) | extend the list in place
aten::mul.left_t(t[] l, int n) -> t[] | pure | ({0} * {1}) | the list repeated n times
aten::mul.right_(int n, t[] l) -> t[] | pure | ({0} * {1}) | the list repeated n times
aten::insert.t(t[] self, int idx, t el) -> () | effect | {0}.insert({1}, {2})
    | insert before index idx
aten::reverse.t(t[] self) -> () | effect | {0}.reverse() | reverse in place
aten::clear.t(t[] self) -> () | effect | {0}.clear() | remove every element
aten::copy.t(t[] self) -> t[] | pure | list({0}) | a shallow copy
aten::__lshift__.int(int a, int b) -> int | pure | ({0} << {1}) | shift left
aten::__rshift__.int(int a, int b) -> int | pure | ({0} >> {1}) | arithmetic shift right
aten::join(str self, str[] values) -> str | pure | {0}.join({1}) | the strings joined by self
aten::lower(str self) -> str | pure | {0}.lower() | lower case
aten::upper(str self) -> str | pure | {0}.upper() | upper case
aten::replace(str self, str old, str new, int max=-1) -> str | pure
    | {0}.replace({1}, {2}, {3}) | replace occurrences (max < 0: all)
aten::find(str self, str substr, int start=0, int end=-1) -> int | pure
    | _rt_find({0}, {1}, {2}, {3})
    | index of substr in self[start:end] (end < 0: from the end + 1), or -1
aten::slice.str(str string, int? start=None, int? end=None, int step=1) -> str | pure
    | {0}[{1}:{2}:{3}] | the substring string[start:end:step]
aten::lt.str(str a, str b) -> bool | pure | ({0} < {1}) | string order
aten::le.str(str a, str b) -> bool | pure | ({0} <= {1}) | string order
aten::gt.str(str a, str b) -> bool | pure | ({0} > {1}) | string order
aten::ge.str(str a, str b) -> bool | pure | ({0} >= {1}) | string order
aten::split.str(str self, str? separator=None, int max=-1) -> str[] | pure
    | {0}.split({1}, {2}) | split (separator None: on runs of whitespace)
"""

_TYPED_LIST = {"int": "int", "float": "float", "bool": "bool", "str": "str"}


def _list_lines():
    for t in _TYPED_LIST:
        yield (f"aten::remove.{t}({t}[] self, {t} el) -> () | effect | {{0}}.remove({{1}}) "
               "| remove the first el")  # fmt: skip
        yield (f"aten::count.{t}({t}[] self, {t} el) -> int | pure | {{0}}.count({{1}}) "
               "| occurrences of el")  # fmt: skip
        yield (f"aten::index.list_{t}({t}[] self, {t} el) -> int | pure | {{0}}.index({{1}}) "
               "| position of the first el")  # fmt: skip
        yield (f"aten::sort.{t}({t}[] self, bool reverse=False) -> () | effect "
               "| {0}.sort(reverse={1}) | sort in place")  # fmt: skip


def _dict_lines():
    for k in ("str", "int"):
        d = f"Dict({k}, t) self"
        yield f"aten::get.{k}({d}, {k} key) -> t? | pure | {{0}}.get({{1}}) | value or None"
        yield (f"aten::get.default_{k}({d}, {k} key, t default_value) -> t | pure "
               "| {0}.get({1}, {2}) | value or the default")  # fmt: skip
        yield (f"aten::pop.Dict_{k}({d}, {k} key) -> t | effect | {{0}}.pop({{1}}) "
               "| remove a key, return its value")  # fmt: skip
        yield (f"aten::pop.Dict_default_{k}({d}, {k} key, t default_value) -> t | effect "
               "| {0}.pop({1}, {2}) | remove a key if present")  # fmt: skip
        yield (f"aten::setdefault.{k}({d}, {k} key, t default_value) -> t | effect "
               "| {0}.setdefault({1}, {2}) | value, inserting the default if missing")  # fmt: skip
        yield (f"aten::update.{k}({d}, Dict({k}, t) to_add) -> () | effect | {{0}}.update({{1}}) "
               "| add or replace entries")  # fmt: skip
        yield f"aten::clear.{k}({d}) -> () | effect | {{0}}.clear() | remove every entry"
        yield f"aten::copy.Dict_{k}({d}) -> Dict({k}, t) | pure | dict({{0}}) | a shallow copy"


# fmt: off
_FLOAT_FUNCTIONS = ["sqrt", "exp", "log", "log10", "log1p", "expm1", "sin", "cos", "tan", "asin",
                    "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "erf",
                    "erfc", "gamma", "lgamma", "fabs", "degrees", "radians"]
# fmt: on
MATH_FUNCTIONS = {
    # Python `math` name -> shape: "f" float result of one number (``log`` also takes a
    # base), "i" int result of a number, "i1" int of an int, "b" bool of a float, "ff"
    # float of two numbers, "ii" int of two ints
    **dict.fromkeys(_FLOAT_FUNCTIONS, "f"),
    **dict.fromkeys(["floor", "ceil"], "i"),
    **dict.fromkeys(["isnan", "isinf", "isfinite"], "b"),
    **dict.fromkeys(["atan2", "copysign", "fmod", "remainder", "pow"], "ff"),
    "gcd": "ii",
    "factorial": "i1",
    "ldexp": "ldexp",
}
_PAIRS = {"int": ("int", "int"), "float": ("float", "float"), "int_float": ("int", "float"),
          "float_int": ("float", "int")}  # fmt: skip


def aten_math_name(name: str) -> str:
    """The TorchScript operator for Python's ``math.<name>``."""
    return "mathremainder" if name == "remainder" else name


def _math_lines():
    for name, shape in MATH_FUNCTIONS.items():
        op = aten_math_name(name)
        if name == "pow":
            continue  # aten::pow.* are the `**` operators of `ember.ir.prims`
        if shape in ("f", "i"):
            out = "float" if shape == "f" else "int"
            for t in ("int", "float"):
                yield f"aten::{op}.{t}({t} a) -> {out} | pure | _rt_libm.{op}({{0}}) | math.{name}"
        elif shape == "b":
            yield f"aten::{op}.float(float a) -> bool | pure | _rt_libm.{op}({{0}}) | math.{name}"
        elif shape == "i1":
            yield f"aten::{op}.int(int a) -> int | pure | _rt_libm.{op}({{0}}) | math.{name}"
        elif shape == "ii":
            yield (f"aten::{op}.int(int a, int b) -> int | pure | _rt_libm.{op}({{0}}, {{1}}) "
                   f"| math.{name}")  # fmt: skip
        if shape == "ff" or name == "log":
            for overload, (a, b) in _PAIRS.items():
                if name == "log":
                    overload = "int_int" if overload == "int" else overload
                    overload = "float_float" if overload == "float" else overload
                yield (f"aten::{op}.{overload}({a} a, {b} b) -> float | pure "
                       f"| _rt_libm.{op}({{0}}, {{1}}) | math.{name}")  # fmt: skip
    yield "aten::ldexp(float x, int i) -> float | pure | _rt_libm.ldexp({0}, {1}) | math.ldexp"


def library_lines() -> list[str]:
    """Every line of this module's tables, continuation lines joined."""
    lines = []
    for ln in _CONTAINERS.strip().splitlines():
        if ln.startswith(" "):
            lines[-1] += " " + ln.strip()
        elif ln.strip():
            lines.append(ln)
    return [*lines, *_list_lines(), *_dict_lines(), *_math_lines()]
