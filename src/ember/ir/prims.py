"""The builtin operators: prim ops, container ops and scalar ops, in ONE table.

Operators from the op table (`ember.ops`, PyTorch's native functions on tensors) are not
listed here. This table holds the rest of TorchScript's vocabulary, under TorchScript's own
names, one line each: ``schema | traits | python | semantics``.

- schema: TorchScript-style; ``t``, ``t1``, ``t2``, ``K``, ``V`` are type variables and
  ``...`` marks a variadic tail (operands or results).
- traits: ``pure`` (no side effects, foldable), ``effect`` (must not be removed or
  reordered), ``control`` (owns blocks), ``terminator``, ``special`` (the runtime and the
  printers treat it by hand; its python column is ``-``).
- python: the expression (or, for ops without results, the statement) the Python runtime
  emits, with ``{0}``, ``{1}`` ... for operands and ``{*}`` for all operands comma-separated;
  names starting with ``_rt_`` are helpers the runtime provides.

A line starting with spaces continues the previous one.

Example:
    >>> d = BUILTINS["aten::add.int"]
    >>> d.schema, d.python.format("a", "b"), sorted(d.traits)
    ('aten::add.int(int a, int b) -> int', '(a + b)', ['pure'])
    >>> BUILTINS["prim::If"].semantics
    'run block 0 if the condition is true, else block 1; results are what the block yields'
"""

from __future__ import annotations

from dataclasses import dataclass

from ember.ir.prims_lib import library_lines

__all__ = ["BuiltinDef", "BUILTINS", "builtin_overloads"]

_TABLE = r"""
prim::Constant() -> t | pure special | -
    | the literal in attribute `value` (int, float, bool, str, None, device,
    tuple/list of those, or a tensor)
prim::GetAttr(t1 obj) -> t | pure special | - | attribute `name` of a module/object value
prim::SetAttr(t1 obj, t value) -> () | effect special | -
    | set attribute `name` of a module/object value
prim::CallMethod(t1 obj, ...) -> ... | effect special | -
    | call method `name` of a module/object value with the other operands
prim::CallFunction(...) -> ... | effect special | -
    | call the compiled function whose qualified name is attribute `name`
prim::If(bool cond) -> ... | control special | -
    | run block 0 if the condition is true, else block 1; results are what the block yields
prim::Loop(int max_trip_count, bool cond, ...) -> ... | control special | -
    | while cond and i < max_trip_count: run the block with (i, *carried);
    it yields (cond, *carried); results are the final carried values
prim::Yield(...) -> () | terminator special | - | end of an if/loop block: pass the operands out
prim::Return(...) -> () | terminator special | - | end of a graph: its outputs
prim::RaiseException(str msg, str? cls=None) -> () | effect special | -
    | raise the exception class named by cls (default Exception-like) with msg
prim::Uninitialized() -> t | pure special | -
    | a placeholder for a value never read (defined on one branch only, e.g. after a raise)
prim::unchecked_cast(t1 x) -> t | pure | {0}
    | the operand, with its static type narrowed (Optional refinement)
prim::ListConstruct(...) -> t[] | pure special | - | a new list of the operands
prim::ListUnpack(t[] l) -> ... | pure special | - | the elements of a list of known length
prim::TupleConstruct(...) -> t | pure special | - | a tuple of the operands
prim::TupleUnpack(t tup) -> ... | pure special | - | the elements of a tuple
prim::TupleIndex(t tup, int i) -> t1 | pure | {0}[{1}] | element i of a tuple
prim::DictConstruct(...) -> Dict(K, V) | pure special | -
    | a new dict from alternating key and value operands
prim::Print(...) -> () | effect | print({*}) | print the operands separated by spaces
prim::dtype(Tensor a) -> int | pure | _rt_dtype({0}) | the tensor's ScalarType number
prim::device(Tensor a) -> Device | pure | {0}.device | the tensor's device
prim::NumToTensor.Scalar(Scalar a) -> Tensor | pure | _rt_num_to_tensor({0})
    | a 0-d tensor holding the number
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
aten::__getitem__.t(t[] list, int idx) -> t | pure | {0}[{1}]
    | list element (negative indices count from the end)
aten::__getitem__.Dict_str(Dict(str, t) self, str key) -> t | pure | {0}[{1}] | dict lookup
aten::__getitem__.Dict_int(Dict(int, t) self, int key) -> t | pure | {0}[{1}] | dict lookup
aten::__getitem__.str(str s, int index) -> str | pure | {0}[{1}] | one character
aten::__setitem__.t(t[] l, int idx, t el) -> () | effect | {0}[{1}] = {2} | store into a list
aten::_set_item.t(t[] l, int idx, t el) -> t[] | effect | _rt_set_item({0}, {1}, {2})
    | store into a list (``xs[i] = v``); returns the list
aten::_set_item.str(Dict(str, t) l, str idx, t v) -> () | effect | {0}[{1}] = {2}
    | store into a dict
aten::_set_item.int(Dict(int, t) l, int idx, t v) -> () | effect | {0}[{1}] = {2}
    | store into a dict
aten::len.t(t[] a) -> int | pure | len({0}) | list length
aten::len.Tensor(Tensor t) -> int | pure | len({0}) | size of dimension 0
aten::len.str(str s) -> int | pure | len({0}) | string length
aten::len.Dict_str(Dict(str, t) self) -> int | pure | len({0}) | number of keys
aten::len.Dict_int(Dict(int, t) self) -> int | pure | len({0}) | number of keys
aten::append.t(t[] self, t el) -> t[] | effect | _rt_append({0}, {1})
    | append in place, return the list
aten::extend.t(t[] self, t[] other) -> () | effect | {0}.extend({1}) | extend in place
aten::pop.t(t[] self, int idx=-1) -> t | effect | {0}.pop({1}) | remove and return an element
aten::slice.t(t[] l, int? start=None, int? end=None, int step=1) -> t[] | pure | {0}[{1}:{2}:{3}]
    | a new list of a slice
aten::list.t(t[] l) -> t[] | pure | list({0}) | a shallow copy
aten::keys.str(Dict(str, t) self) -> str[] | pure | list({0}) | the keys in insertion order
aten::values.str(Dict(str, t) self) -> t[] | pure | list({0}.values())
    | the values in insertion order
aten::items.str(Dict(str, t) self) -> (str, t)[] | pure | list({0}.items())
    | (key, value) tuples in insertion order
aten::keys.int(Dict(int, t) self) -> int[] | pure | list({0}) | the keys in insertion order
aten::values.int(Dict(int, t) self) -> t[] | pure | list({0}.values())
    | the values in insertion order
aten::items.int(Dict(int, t) self) -> (int, t)[] | pure | list({0}.items())
    | (key, value) tuples in insertion order
aten::__contains__.str(Dict(str, t) dict, str key) -> bool | pure | ({1} in {0}) | key membership
aten::__contains__.int(Dict(int, t) dict, int key) -> bool | pure | ({1} in {0}) | key membership
aten::__contains__.int_list(int[] l, int item) -> bool | pure | ({1} in {0}) | list membership
aten::__contains__.str_list(str[] l, str item) -> bool | pure | ({1} in {0}) | list membership
aten::add.t(t[] a, t[] b) -> t[] | pure | ({0} + {1}) | list concatenation
aten::add.str(str a, str b) -> str | pure | ({0} + {1}) | string concatenation
aten::eq.str(str a, str b) -> bool | pure | ({0} == {1}) | string equality
aten::ne.str(str a, str b) -> bool | pure | ({0} != {1}) | string inequality
aten::eq.bool(bool a, bool b) -> bool | pure | ({0} == {1}) | bool equality
aten::ne.bool(bool a, bool b) -> bool | pure | ({0} != {1}) | bool inequality
aten::neg.int(int a) -> int | pure | (-{0}) | negation
aten::neg.float(float a) -> float | pure | (-{0}) | negation
aten::Int.Tensor(Tensor a) -> int | pure | int({0}.item()) | the one element as int (truncating)
aten::Int.float(float a) -> int | pure | int({0}) | truncate toward zero
aten::Int.bool(bool a) -> int | pure | int({0}) | 0 or 1
aten::Int.str(str a) -> int | pure | int({0}) | parse
aten::Float.Tensor(Tensor a) -> float | pure | float({0}.item()) | the one element as float
aten::Float.int(int a) -> float | pure | float({0}) | convert
aten::Float.bool(bool a) -> float | pure | float({0}) | 0. or 1.
aten::Float.str(str a) -> float | pure | float({0}) | parse
aten::Bool.Tensor(Tensor a) -> bool | pure | bool({0}.item()) | truthiness of the one element
aten::Bool.int(int a) -> bool | pure | bool({0}) | nonzero
aten::Bool.float(float a) -> bool | pure | bool({0}) | nonzero
aten::str(t elem) -> str | pure | _rt_str({0}) | string form
aten::format(str self, ...) -> str | pure | {0}.format({*1}) | str.format of the other operands
aten::dim(Tensor self) -> int | pure | {0}.dim() | number of dimensions
aten::size.int(Tensor self, int dim) -> int | pure | {0}.size({1}) | size of one dimension
aten::size(Tensor self) -> int[] | pure | list({0}.shape) | all sizes
aten::tensor.int(int t, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False)
    -> Tensor | creation | _rt_tensor({0}, {1}, {3}) | a new 0-d tensor holding the number
aten::tensor.float(float t, *, ScalarType? dtype=None, Device? device=None,
    bool requires_grad=False) -> Tensor | creation | _rt_tensor({0}, {1}, {3})
    | a new 0-d tensor holding the number
aten::tensor.bool(bool t, *, ScalarType? dtype=None, Device? device=None,
    bool requires_grad=False) -> Tensor | creation | _rt_tensor({0}, {1}, {3})
    | a new 0-d tensor holding the number
aten::tensor(t[] data, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False)
    -> Tensor | creation | _rt_tensor({0}, {1}, {3}) | a new tensor from (nested) lists
aten::warn(str message, int stacklevel=2) -> () | effect | _rt_warn({0}) | a UserWarning
aten::item(Tensor self) -> Scalar | pure | {0}.item() | the number in a one-element tensor
aten::IntImplicit(Tensor a) -> int | pure | int({0}.item()) | a 0-d tensor passed as int
aten::FloatImplicit(Tensor a) -> float | pure | float({0}.item()) | a 0-d tensor as float
aten::ScalarImplicit(Tensor a) -> Scalar | pure | {0}.item() | a 0-d tensor as a number
aten::Int.Scalar(Scalar a) -> int | pure | int({0}) | truncate toward zero
aten::Float.Scalar(Scalar a) -> float | pure | float({0}) | convert
aten::__and__.int(int a, int b) -> int | pure | ({0} & {1}) | bitwise and
aten::__or__.int(int a, int b) -> int | pure | ({0} | {1}) | bitwise or
aten::__xor__.int(int a, int b) -> int | pure | ({0} ^ {1}) | bitwise xor
prim::is_cuda(Tensor a) -> bool | pure | False | ember tensors live on the CPU
aten::__range_length(int lo, int hi, int step) -> int | pure | len(range({0}, {1}, {2}))
    | trip count of range(lo, hi, step)
aten::__derive_index(int index, int start, int step) -> int | pure | ({1} + {0} * {2})
    | loop value of iteration index
"""

_ARITH = {
    "add": "+",
    "sub": "-",
    "mul": "*",
    "div": "/",
    "floordiv": "//",
    "remainder": "%",
    "pow": "**",
}
_COMPARE = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_MIXED = {"int": ("int", "int"), "float": ("float", "float")}
_MIXED.update({"int_float": ("int", "float"), "float_int": ("float", "int")})


def _scalar_lines():
    for name, sym in _ARITH.items():
        for overload, (a, b) in _MIXED.items():
            out = "int" if overload == "int" and name not in ("div", "pow") else "float"
            py = "_rt_pow({0}, {1})" if name == "pow" else f"({{0}} {sym} {{1}})"
            yield (
                f"aten::{name}.{overload}({a} a, {b} b) -> {out} | pure | {py} "
                f"| Python's {sym} on numbers"
            )
    for name, sym in _COMPARE.items():
        for overload, (a, b) in _MIXED.items():
            yield (
                f"aten::{name}.{overload}({a} a, {b} b) -> bool | pure | ({{0}} {sym} {{1}}) "
                f"| Python's {sym} on numbers"
            )


@dataclass(frozen=True)
class BuiltinDef:
    """One builtin operator: parsed from a line of the table."""

    qualified_name: str
    kind: str
    overload: str
    schema: str
    params: tuple  # ((type string, name, default string or None, kwarg_only), ...)
    variadic: bool
    returns: tuple  # type strings; empty for ()
    variadic_returns: bool
    traits: frozenset
    python: str | None
    semantics: str

    @property
    def is_pure(self) -> bool:
        return "pure" in self.traits


def _parse_line(line: str) -> BuiltinDef:
    parts = [p.strip() for p in line.split(" | ")]
    schema, traits, semantics = parts[0], parts[1], parts[-1]
    python = " | ".join(parts[2:-1])
    head, ret = schema.split(" -> ")
    qualified, arg_text = head.split("(", 1)
    kind, overload = _split_name(qualified)
    params, variadic, kwarg_only = [], False, False
    for part in _split_args(arg_text[:-1]):
        if part == "...":
            variadic = True
            continue
        if part == "*":
            kwarg_only = True
            continue
        decl, _, default = part.partition("=")
        typ, name = decl.rsplit(" ", 1)
        params.append((typ.strip(), name, default or None, kwarg_only))
    ret = ret.strip()
    variadic_ret = ret == "..."
    returns = () if ret in ("()", "...") else (ret,)
    return BuiltinDef(
        qualified,
        kind,
        overload,
        schema,
        tuple(params),
        variadic,
        returns,
        variadic_ret,
        frozenset(traits.split()),
        None if python == "-" else python,
        semantics,
    )


def _split_name(qualified):
    ns, rest = qualified.split("::", 1)
    name, _, overload = rest.partition(".")
    return f"{ns}::{name}", overload


def _split_args(text):
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
            continue
        depth += ch in "([" and 1 or 0
        depth -= ch in ")]" and 1 or 0
        cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def _build():
    lines = []
    for ln in _TABLE.strip().splitlines():
        if ln.startswith(" "):
            lines[-1] += " " + ln.strip()
        elif ln.strip():
            lines.append(ln)
    table = {}
    for line in [*lines, *_scalar_lines(), *library_lines()]:
        d = _parse_line(line)
        table[d.qualified_name] = d
    return table


BUILTINS: dict[str, BuiltinDef] = _build()

_BY_KIND: dict[str, list[BuiltinDef]] = {}
for _d in BUILTINS.values():
    _BY_KIND.setdefault(_d.kind, []).append(_d)


def builtin_overloads(kind: str) -> list[BuiltinDef]:
    """All builtin overloads of an operator name, e.g. ``builtin_overloads('aten::add')``."""
    return list(_BY_KIND.get(kind, ()))
