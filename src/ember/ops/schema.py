"""A parser for PyTorch operator schema strings (the `func:` lines of native_functions.yaml).

>>> s = parse_schema("div.Tensor_mode(Tensor self, Tensor other, *, str? rounding_mode) -> Tensor")
>>> s.name, s.overload, [a.name for a in s.arguments], s.arguments[2].kwarg_only
('aten::div', 'Tensor_mode', ['self', 'other', 'rounding_mode'], True)
>>> parse_schema("view(Tensor(a) self, SymInt[] size) -> Tensor(a)").returns[0].alias
'a'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Argument", "Schema", "parse_schema", "NO_DEFAULT"]


class _NoDefault:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT = _NoDefault()


@dataclass(frozen=True)
class Argument:
    """One argument or return of a schema.

    `type` is the TorchScript type string without alias annotation ('Tensor', 'Tensor?',
    'int[]', 'SymInt[2]', 'Scalar', 'ScalarType?'); `alias` is 'a' / 'a!' / 'a -> *' / None;
    `default` is the parsed Python value or NO_DEFAULT.
    """

    name: str
    type: str
    default: object = NO_DEFAULT
    kwarg_only: bool = False
    alias: str | None = None

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
        t = self.type
        if self.alias:
            head, sep, tail = t.partition("[")
            t = f"{head}({self.alias}){sep}{tail}"
        out = f"{t} {self.name}" if self.name else t
        if self.has_default:
            out += "=" + _format_default(self.default)
        return out


@dataclass(frozen=True)
class Schema:
    """A parsed schema: qualified name, overload, arguments and returns."""

    name: str
    overload: str
    arguments: tuple[Argument, ...]
    returns: tuple[Argument, ...]

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
        rets = ", ".join(str(r) for r in self.returns)
        if len(self.returns) != 1 or self.returns[0].name:
            rets = f"({rets})"
        short = self.qualified_name.split("::", 1)[1]
        return f"{short}({', '.join(args)}) -> {rets}"


_HEAD = re.compile(r"^\s*([\w:]+)(?:\.(\w+))?\s*\((.*)\)\s*->\s*(.+?)\s*$", re.S)
_ARG = re.compile(
    r"^([\w\.]+)(?:\((\w+!?(?:\s*->\s*\*)?)\))?(\??(?:\[\d*\])?\??)(?:\s+(\w+))?(?:\s*=\s*(.+))?$"
)


def parse_schema(text: str, namespace: str = "aten") -> Schema:
    """Parse a schema string; names without `ns::` get `namespace`. ValueError if malformed."""
    m = _HEAD.match(text)
    if not m:
        raise ValueError(f"malformed schema: {text!r}")
    name, overload, args_text, rets_text = m.groups()
    if "::" not in name:
        name = f"{namespace}::{name}"
    arguments, kwarg_only = [], False
    for piece in _split(args_text):
        if piece == "*":
            kwarg_only = True
            continue
        arguments.append(_parse_arg(piece, kwarg_only, text))
    rets_text = rets_text.strip()
    if rets_text.startswith("(") and rets_text.endswith(")"):
        rets_text = rets_text[1:-1]
    returns = tuple(_parse_arg(p, False, text) for p in _split(rets_text))
    return Schema(name, overload or "", tuple(arguments), returns)


def _split(text: str) -> list[str]:
    """Split on top-level commas (defaults such as `[0, 1]` contain commas)."""
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


def _parse_arg(piece: str, kwarg_only: bool, text: str) -> Argument:
    m = _ARG.match(piece.strip())
    if not m:
        raise ValueError(f"malformed argument {piece!r} in schema {text!r}")
    base, alias, suffix, name, default = m.groups()
    arg_type = base + suffix
    value = NO_DEFAULT if default is None else _parse_default(default.strip(), arg_type)
    return Argument(name or "", arg_type, value, kwarg_only, alias)


_WORDS = {"None": None, "True": True, "False": False}


def _parse_default(text: str, arg_type: str):
    if text in _WORDS:
        return _WORDS[text]
    if text[0] in "'\"":
        return text[1:-1]
    if text.startswith("["):
        inner = text[1:-1].strip()
        return [_parse_default(p.strip(), arg_type) for p in inner.split(",")] if inner else []
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text  # enum-like names: contiguous_format, Mean, long ...


def _format_default(value) -> str:
    if isinstance(value, str):
        return f"'{value}'" if value not in ("contiguous_format",) else value
    if isinstance(value, list):
        return "[" + ", ".join(_format_default(v) for v in value) + "]"
    return str(value)
