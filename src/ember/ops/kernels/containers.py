"""TorchScript's operators on lists, dicts and strings, and the methods they answer to.

Names, overloads and schemas are torch 2.13's, so archives holding them load in PyTorch;
faces name the Python methods scripted code may call (``list.append`` is ``aten::append.t``,
``d.get(k, 0)`` is ``aten::get.default_str``).

Example:
    >>> from ember.ops.table import by_face, get
    >>> [op.qualified_name for op in by_face("dict.get")][:2]
    ['aten::get.str', 'aten::get.default_str']
    >>> get("aten::find").kernel("banana", "an", 2, -1)
    3
"""

from __future__ import annotations

import warnings

from ember.ops.table import register_lines

__all__ = [
    "append",
    "extend",
    "set_item",
    "find",
    "to_str",
    "format_string",
    "print_values",
    "warn",
]


def append(lst: list, x) -> list:
    """Append in place and return the list."""
    lst.append(x)
    return lst


def extend(lst: list, other: list) -> list:
    """``lst += other``: extend in place and return the list."""
    lst.extend(other)
    return lst


def set_item(lst: list, i: int, x) -> list:
    """``lst[i] = x``; returns the list."""
    lst[i] = x
    return lst


def find(s: str, sub: str, start: int, end: int) -> int:
    """TorchScript's str.find: a negative `end` counts from one past the end."""
    return s.find(sub, start, end + len(s) + 1 if end < 0 else end)


def to_str(x) -> str:
    """``str(x)`` as TorchScript prints values (also in f-strings, ``format`` and ``print``):
    a float with an integral value that fits an int64 ends in a dot, others show 17
    significant digits; strings inside lists, tuples and dicts are not quoted.

    >>> to_str([10.0, 0.1, -0.0, 1e20]), to_str(("a", True, None)), to_str({"k": [2.5]})
    ('[10., 0.10000000000000001, 0., 1e+20]', '(a, True, None)', '{k: [2.5]}')
    >>> to_str((1.0,)), to_str(float("nan")), to_str(-(2.0**63))
    ('(1.,)', 'nan', '-9223372036854775808.')
    """
    if isinstance(x, bool):
        return "True" if x else "False"
    if isinstance(x, float):
        return _float_text(x)
    if isinstance(x, list):
        return "[" + ", ".join(map(to_str, x)) + "]"
    if isinstance(x, tuple):
        return "(" + ", ".join(map(to_str, x)) + ("," if len(x) == 1 else "") + ")"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{to_str(k)}: {to_str(v)}" for k, v in x.items()) + "}"
    return str(x)


def _float_text(d: float) -> str:
    if -(2.0**63) <= d < 2.0**63 and d.is_integer():
        return f"{int(d)}."
    return f"{d:.17g}"


def print_values(*values) -> None:
    """TorchScript's ``print``: the values as `to_str` prints them, separated by spaces."""
    print(*map(to_str, values))


def format_string(fmt: str, *args) -> str:
    """TorchScript's ``str.format`` (and f-strings): each ``{}`` takes the next argument, in
    order; any other brace is plain text (``"{0} {x}"`` stays as it is), extra arguments are
    ignored.

    >>> format_string("{} and {x} {}", 1, True, "unused")
    '1 and {x} True'
    """
    parts = fmt.split("{}")
    if len(parts) - 1 > len(args):
        raise RuntimeError(f"Too few arguments for format string: {fmt}")
    out = [parts[0]]
    for part, arg in zip(parts[1:], args):
        out += [to_str(arg), part]
    return "".join(out)


def warn(message: str, stacklevel: int = 2) -> None:
    """A UserWarning attributed to the caller of the scripted function."""
    warnings.warn(message, UserWarning, stacklevel=3)


_KERNELS = {"append": append, "extend": extend, "set_item": set_item, "find": find,
            "str": to_str, "warn": warn, "format": format_string,
            "print": print_values}  # fmt: skip

register_lines(
    r"""
aten::__getitem__.t(t[](a) list, int idx) -> t(*) | pure | {0}[{1}]
    | list element (negative indices count from the end)
aten::__getitem__.Dict_str(Dict(str, t) self, str key) -> t(*) | pure | {0}[{1}] | dict lookup
aten::__getitem__.Dict_int(Dict(int, t) self, int key) -> t(*) | pure | {0}[{1}] | dict lookup
aten::__getitem__.str(str s, int index) -> str | pure | {0}[{1}] | one character
aten::_set_item.t(t[](a!) l, int idx, t(b -> *) el) -> t[](a!) | effect | kernel:set_item
    | store into a list (``xs[i] = v``); returns the list
aten::_set_item.str(Dict(str, t)(a!) l, str(b -> *) idx, t(c -> *) v) -> () | effect
    | {0}[{1}] = {2} | store into a dict
aten::_set_item.int(Dict(int, t)(a!) l, int(b -> *) idx, t(c -> *) v) -> () | effect
    | {0}[{1}] = {2} | store into a dict
aten::len.t(t[] a) -> int | pure | len({0}) | list length
aten::len.str(str s) -> int | pure | len({0}) | string length
aten::len.Dict_str(Dict(str, t) self) -> int | pure | len({0}) | number of keys
aten::len.Dict_int(Dict(int, t) self) -> int | pure | len({0}) | number of keys
aten::append.t(t[](a!) self, t(c -> *) el) -> t[](a!) | effect list.append | kernel:append
    | append in place, return the list
aten::extend.t(t[](a!) self, t[] other) -> () | effect list.extend | {0}.extend({1})
    | extend in place
aten::pop.t(t[](a!) self, int idx=-1) -> t(*) | effect list.pop | {0}.pop({1})
    | remove and return an element
aten::insert.t(t[](a!) self, int idx, t(b -> *) el) -> () | effect list.insert
    | {0}.insert({1}, {2}) | insert before index idx
aten::reverse.t(t[](a!) self) -> () | effect list.reverse | {0}.reverse() | reverse in place
aten::clear.t(t[](a!) self) -> () | effect list.clear | {0}.clear() | remove every element
aten::copy.t(t[](a) self) -> t[] | pure list.copy | list({0}) | a shallow copy
aten::add_.t(t[](a!) self, t[] b) -> t[] | effect | kernel:extend | extend the list in place
aten::slice.t(t[] l, int? start=None, int? end=None, int step=1) -> t[] | pure
    | {0}[{1}:{2}:{3}] | a new list of a slice
aten::list.t(t[] l) -> t[] | pure | list({0}) | a shallow copy
aten::add.t(t[] a, t[] b) -> t[] | pure | ({0} + {1}) | list concatenation
aten::mul.left_t(t[] l, int n) -> t[] | pure | ({0} * {1}) | the list repeated n times
aten::mul.right_(int n, t[] l) -> t[] | pure | ({0} * {1}) | the list repeated n times
aten::__contains__.int_list(int[] l, int item) -> bool | pure | ({1} in {0}) | list membership
aten::__contains__.str_list(str[] l, str item) -> bool | pure | ({1} in {0}) | list membership
aten::keys.str(Dict(str, t) self) -> str[](*) | pure dict.keys | list({0})
    | the keys in insertion order
aten::values.str(Dict(str, t) self) -> t[](*) | pure dict.values | list({0}.values())
    | the values in insertion order
aten::items.str(Dict(str, t) self) -> ((str, t)[]) | pure dict.items | list({0}.items())
    | (key, value) tuples in insertion order
aten::keys.int(Dict(int, t) self) -> int[](*) | pure dict.keys | list({0})
    | the keys in insertion order
aten::values.int(Dict(int, t) self) -> t[](*) | pure dict.values | list({0}.values())
    | the values in insertion order
aten::items.int(Dict(int, t) self) -> ((int, t)[]) | pure dict.items | list({0}.items())
    | (key, value) tuples in insertion order
aten::__contains__.str(Dict(str, t) dict, str key) -> bool | pure | ({1} in {0})
    | key membership
aten::__contains__.int(Dict(int, t) dict, int key) -> bool | pure | ({1} in {0})
    | key membership
aten::add.str(str a, str b) -> str | pure | ({0} + {1}) | string concatenation
aten::eq.str(str a, str b) -> bool | pure | ({0} == {1}) | string equality
aten::ne.str(str a, str b) -> bool | pure | ({0} != {1}) | string inequality
aten::all.int(int[] self) -> bool | pure | all({0}) | whether every element is non-zero
aten::all.float(float[] self) -> bool | pure | all({0}) | whether every element is non-zero
aten::all.bool(bool[] self) -> bool | pure | all({0}) | whether every element is true
aten::any.str(str[] self) -> bool | pure | any({0}) | whether some string is non-empty
aten::any.int(int[] self) -> bool | pure | any({0}) | whether some element is non-zero
aten::any.float(float[] self) -> bool | pure | any({0}) | whether some element is non-zero
aten::any.bool(bool[] self) -> bool | pure | any({0}) | whether some element is true
aten::lt.str(str a, str b) -> bool | pure | ({0} < {1}) | string order
aten::le.str(str a, str b) -> bool | pure | ({0} <= {1}) | string order
aten::gt.str(str a, str b) -> bool | pure | ({0} > {1}) | string order
aten::ge.str(str a, str b) -> bool | pure | ({0} >= {1}) | string order
aten::str(t elem) -> str | pure | kernel:str | string form
aten::format(str self, ...) -> str | pure str.format | kernel:format
    | each {} of self replaced by the next operand, as TorchScript formats
aten::join(str self, str[] values) -> str | pure str.join | {0}.join({1})
    | the strings joined by self
aten::lower(str self) -> str | pure str.lower | {0}.lower() | lower case
aten::upper(str self) -> str | pure str.upper | {0}.upper() | upper case
aten::replace(str self, str old, str new, int max=-1) -> str | pure str.replace
    | {0}.replace({1}, {2}, {3}) | replace occurrences (max < 0: all)
aten::find(str self, str substr, int start=0, int end=-1) -> int | pure str.find | kernel:find
    | index of substr in self[start:end] (end < 0: from the end + 1), or -1
aten::slice.str(str string, int? start=None, int? end=None, int step=1) -> str | pure
    | {0}[{1}:{2}:{3}] | the substring string[start:end:step]
aten::split.str(str self, str? separator=None, int max=-1) -> str[] | pure str.split
    | {0}.split({1}, {2}) | split (separator None: on runs of whitespace)
prim::Print(...) -> () | effect | kernel:print | print the operands separated by spaces
aten::warn(str message, int stacklevel=2) -> () | effect | kernel:warn | a UserWarning
""",
    _KERNELS,
)


def _typed_list_ops():
    for t in ("int", "float", "bool", "str"):
        yield (f"aten::remove.{t}({t}[](a!) self, {t} el) -> () | effect list.remove "
               "| {0}.remove({1}) | remove the first el")  # fmt: skip
        yield (f"aten::count.{t}({t}[] self, {t} el) -> int | pure list.count "
               "| {0}.count({1}) | occurrences of el")  # fmt: skip
        yield (f"aten::index.list_{t}({t}[] self, {t} el) -> int | pure list.index "
               "| {0}.index({1}) | position of the first el")  # fmt: skip
        yield (f"aten::sort.{t}({t}[](a!) self, bool reverse=False) -> () | effect list.sort "
               "| {0}.sort(reverse={1}) | sort in place")  # fmt: skip
        for name, op in (("eq", "=="), ("ne", "!=")):
            yield (f"aten::{name}.{t}_list({t}[] a, {t}[] b) -> bool | pure "
                   f"| ({{0}} {op} {{1}}) | lists compared")  # fmt: skip


def _dict_ops():
    for k in ("str", "int"):
        d, m = f"Dict({k}, t) self", f"Dict({k}, t)(a!) self"
        yield (f"aten::get.{k}({d}, {k} key) -> t(*)? | pure dict.get | {{0}}.get({{1}}) "
               "| value or None")  # fmt: skip
        yield (f"aten::get.default_{k}({d}, {k} key, t default_value) -> t(*) | pure dict.get "
               "| {0}.get({1}, {2}) | value or the default")  # fmt: skip
        yield (f"aten::pop.Dict_{k}({m}, {k} key) -> t(*) | effect dict.pop | {{0}}.pop({{1}}) "
               "| remove a key, return its value")  # fmt: skip
        yield (f"aten::pop.Dict_default_{k}({m}, {k} key, t default_value) -> t(*) "
               "| effect dict.pop | {0}.pop({1}, {2}) | remove a key if present")  # fmt: skip
        yield (f"aten::setdefault.{k}({m}, {k}(b -> *) key, t(c -> *) default_value) -> t(*) "
               "| effect dict.setdefault | {0}.setdefault({1}, {2}) "
               "| value, inserting the default if missing")  # fmt: skip
        yield (f"aten::update.{k}({m}, Dict({k}, t)(a!) to_add) -> () | effect dict.update "
               "| {0}.update({1}) | add or replace entries")  # fmt: skip
        yield (f"aten::clear.{k}({m}) -> () | effect dict.clear | {{0}}.clear() "
               "| remove every entry")  # fmt: skip
        yield (f"aten::copy.Dict_{k}(Dict({k}, t)(a) self) -> Dict({k}, t) | pure dict.copy "
               "| dict({0}) | a shallow copy")  # fmt: skip


register_lines("\n".join([*_typed_list_ops(), *_dict_ops()]))
