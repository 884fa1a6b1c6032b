"""Operator schemas: one parser for PyTorch's native functions and TorchScript's builtins.

The syntax is TorchScript's: ``name.overload(Type name=default, *, kwonly...) -> returns``.
Types may carry alias annotations (``Tensor(a!)``, ``t[](a!)``, ``t(b -> *)``, ``t(*)``),
type variables (``t``, ``t1``, ``K``), ``Dict(K, V)`` and tuple types (``(str, t)[]``); ``...``
marks a variadic tail of arguments or returns. Defaults are stored as Python values, with
enum names (``long``, ``contiguous_format``) turned into the integers TorchScript uses, and
print as torch 2.13 prints them, so ``str(schema)`` equals torch's schema text.

>>> s = parse_schema("div.Tensor_mode(Tensor self, Tensor other, *, str? rounding_mode) -> Tensor")
>>> s.name, s.overload, [a.name for a in s.arguments], s.arguments[2].kwarg_only
('aten::div', 'Tensor_mode', ['self', 'other', 'rounding_mode'], True)
>>> parse_schema("view(Tensor(a) self, SymInt[] size) -> Tensor(a)").returns[0].alias
'a'
>>> a = parse_schema("append.t(t[](a!) self, t(c -> *) el) -> t[](a!)").arguments[0]
>>> a.type, a.alias, str(a)
('t[]', 'a!', 't[](a!) self')
>>> str(parse_schema("randint(SymInt high, SymInt[] size, *, ScalarType? dtype=long) -> Tensor"))
'randint(SymInt high, SymInt[] size, *, ScalarType? dtype=4) -> Tensor'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ember import dtypes

__all__ = ["Argument", "Schema", "parse_schema", "NO_DEFAULT", "ENUMS", "format_float"]


class _NoDefault:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT = _NoDefault()

ENUMS = {"contiguous_format": 0, "preserve_format": 1, "channels_last": 2, "strided": 0,
          "Mean": 1, "Sum": 2}  # fmt: skip
"""Enum names schemas use as defaults (besides dtype names), as the ints TorchScript passes."""
_ENUM_TYPES = frozenset({"ScalarType", "MemoryFormat", "Layout", "int"})


@dataclass(frozen=True)
class Argument:
    """One argument or return of a schema.

    `type` is the type without alias annotations ('Tensor', 'Tensor?', 'int[]', 'SymInt[2]',
    't[]', 'Dict(str, t)'); `annotated` is the type as written, with them; `alias` is the
    first alias set annotated ('a', 'a!', 'a -> *', '*') or None; `default` is the parsed
    Python value or NO_DEFAULT.
    """

    name: str
    type: str
    default: object = NO_DEFAULT
    kwarg_only: bool = False
    alias: str | None = None
    annotated: str = ""

    @property
    def has_default(self) -> bool:
        return self.default is not NO_DEFAULT

    @property
    def is_write(self) -> bool:
        return self.alias is not None and "!" in self.alias

    @property
    def base_type(self) -> str:
        """The type without optional marker and list size: 'int[2]?' -> 'int[]'."""
        t = self.type.removesuffix("?")
        return re.sub(r"\[\d+\]", "[]", t)

    @property
    def optional(self) -> bool:
        return self.type.endswith("?")

    def __str__(self) -> str:
        out = f"{self.annotated or self.type} {self.name}" if self.name else self.annotated
        if self.has_default:
            out += "=" + format_default(self.default)
        return out or self.type


@dataclass(frozen=True)
class Schema:
    """A parsed schema: qualified name, overload, arguments and returns.

    `variadic` / `variadic_returns` mark a ``...`` tail of arguments / returns.
    """

    name: str
    overload: str
    arguments: tuple[Argument, ...]
    returns: tuple[Argument, ...]
    variadic: bool = False
    variadic_returns: bool = False

    @property
    def qualified_name(self) -> str:
        return f"{self.name}.{self.overload}" if self.overload else self.name

    @property
    def is_mutable(self) -> bool:
        return any(a.is_write for a in self.arguments)

    def __str__(self) -> str:
        args, star = [], False
        for a in self.arguments:
            if a.kwarg_only and not star:
                args.append("*")
                star = True
            args.append(str(a))
        if self.variadic:
            args.append("...")
        short = self.qualified_name.split("::", 1)[1]
        return f"{short}({', '.join(args)}) -> {self._returns_text()}"

    def _returns_text(self) -> str:
        if self.variadic_returns:
            return "..."
        rets = ", ".join(str(r) for r in self.returns)
        single = len(self.returns) == 1 and not self.returns[0].name
        if single and not rets.startswith("("):
            return rets
        return f"({rets})"


_HEAD = re.compile(r"^\s*([\w:]+)(?:\.(\w+))?\s*\((.*)\)\s*->\s*(.+?)\s*$", re.S)
_ALIAS = re.compile(r"\(\s*([a-z]!?(?:\s*->\s*\*)?|\*)\s*\)")
_NAME = re.compile(r"[\w.]+")
_SUFFIX = re.compile(r"\[\d*\]|\?")


def parse_schema(text: str, namespace: str = "aten") -> Schema:
    """Parse a schema string; names without `ns::` get `namespace`. ValueError if malformed.

    >>> parse_schema("prim::Print(...) -> ()").variadic
    True
    """
    m = _HEAD.match(text)
    if not m:
        raise ValueError(f"malformed schema: {text!r}")
    name, overload, args_text, rets_text = m.groups()
    if "::" not in name:
        name = f"{namespace}::{name}"
    arguments, kwarg_only, variadic = [], False, False
    for piece in _split(args_text):
        if piece == "*":
            kwarg_only = True
        elif piece == "...":
            variadic = True
        else:
            arguments.append(_parse_arg(piece, kwarg_only, text))
    returns, variadic_returns = _parse_returns(rets_text.strip(), text)
    return Schema(name, overload or "", tuple(arguments), returns, variadic, variadic_returns)


def _parse_returns(text: str, schema: str) -> tuple[tuple[Argument, ...], bool]:
    if text == "...":
        return (), True
    if text.startswith("(") and _closing(text, 0) == len(text) - 1:
        text = text[1:-1]
    return tuple(_parse_arg(p, False, schema) for p in _split(text)), False


def _split(text: str) -> list[str]:
    """Split on top-level commas (types and defaults such as `[0, 1]` contain commas)."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    tail = "".join(cur).strip()
    if tail:
        parts.append(tail)
    return parts


def _closing(text: str, start: int) -> int:
    """The index of the parenthesis closing the one at `start` (-1 if none)."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return -1


def _parse_arg(piece: str, kwarg_only: bool, schema: str) -> Argument:
    piece = piece.strip()
    try:
        plain, annotated, alias, end = _parse_type(piece, 0)
    except (ValueError, IndexError):
        raise ValueError(f"malformed argument {piece!r} in schema {schema!r}") from None
    rest = piece[end:].strip()
    name, equals, default = rest.partition("=")
    name = name.strip()
    if name and not name.isidentifier():
        raise ValueError(f"malformed argument {piece!r} in schema {schema!r}")
    value = _parse_default(default.strip(), plain) if equals else NO_DEFAULT
    return Argument(name, plain, value, kwarg_only, alias, annotated)


def _parse_type(text: str, i: int) -> tuple[str, str, str | None, int]:
    """(type without aliases, type as written, first alias, end index) of the type at i."""
    if text[i] == "(":
        end = _closing(text, i)
        inner = [_parse_type(p, 0) for p in _split(text[i + 1 : end])]
        plain = "(" + ", ".join(p[0] for p in inner) + ")"
        annotated = "(" + ", ".join(p[1] for p in inner) + ")"
        alias, i = None, end + 1
    else:
        m = _NAME.match(text, i)
        if m is None:
            raise ValueError(text)
        plain = annotated = m.group()
        alias, i = None, m.end()
        if plain == "Dict" and text[i] == "(":
            end = _closing(text, i)
            key, value = (_parse_type(p, 0) for p in _split(text[i + 1 : end]))
            plain, annotated = f"Dict({key[0]}, {value[0]})", f"Dict({key[1]}, {value[1]})"
            i = end + 1
    while i < len(text):
        m = _ALIAS.match(text, i)
        if m is not None:
            alias = alias or m.group(1)
            annotated += f"({m.group(1)})"
        else:
            m = _SUFFIX.match(text, i)
            if m is None:
                break
            plain += m.group()
            annotated += m.group()
        i = m.end()
    return plain, annotated, alias, i


_WORDS = {"None": None, "True": True, "False": False}


def _parse_default(text: str, arg_type: str):
    if text in _WORDS:
        return _WORDS[text]
    if text[0] in "'\"":
        return text[1:-1]
    if text.startswith("["):
        inner = text[1:-1].strip()
        return [_parse_default(p.strip(), arg_type) for p in inner.split(",")] if inner else []
    for convert in (int, float):
        try:
            value = convert(text)
        except ValueError:
            continue
        return float(value) if arg_type.removesuffix("?") == "float" else value
    return _enum_value(text, arg_type)


def _enum_value(text: str, arg_type: str):
    if re.sub(r"[?\[\]\d]", "", arg_type) not in _ENUM_TYPES:
        return text
    if text in ENUMS:
        return ENUMS[text]
    try:
        return dtypes.by_name(text).scalar_type
    except KeyError:
        return text


def format_float(x: float) -> str:
    """TorchScript's float spelling: ``1.``, ``2.5``, ``0.10000000000000001``, ``inf``.

    Integral values below 1e10 print as ``<int>.``; others with 17 significant digits.

    >>> [format_float(v) for v in (1.0, -0.0, 2.5, 0.1, 1e10, 1e-5)]
    ['1.', '-0.', '2.5', '0.10000000000000001', '10000000000', '1.0000000000000001e-05']
    """
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if math.isnan(x):
        return "nan"
    if abs(x) < 1e10 and x == int(x):
        return ("-0" if math.copysign(1.0, x) < 0 and x == 0 else str(int(x))) + "."
    return f"{x:.17g}"


def format_default(value) -> str:
    """A default value as torch prints it in a schema."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(format_default(v) for v in value) + "]"
    return str(value)
