"""Reading types: TorchScript's annotation strings, its graph dump's type strings, and the
type strings of operator schemas.

Example:
    >>> t = parse_type("Optional[List[int]]")
    >>> str(t), t.graph_str()
    ('Optional[List[int]]', 'int[]?')
    >>> parse_type("Tensor(a!)[]?") == OptionalType(ListType(TensorType.get()))
    True
"""

from __future__ import annotations

import re

from ember.ir.types import (
    AnyType,
    BoolType,
    ClassType,
    DeviceType,
    DictType,
    FloatType,
    FunctionType,
    IntType,
    ListType,
    NoneType,
    NumberType,
    OptionalType,
    StrType,
    TensorType,
    TupleType,
    Type,
)

__all__ = ["parse_type"]

_LEAVES = {
    "Tensor": TensorType,
    "int": IntType,
    "SymInt": IntType,
    "ScalarType": IntType,
    "Layout": IntType,
    "MemoryFormat": IntType,
    "float": FloatType,
    "bool": BoolType,
    "str": StrType,
    "Dimname": StrType,
    "NoneType": NoneType,
    "None": NoneType,
    "Device": DeviceType,
    "Scalar": NumberType,
    "number": NumberType,
    "Any": AnyType,
    "Generator": AnyType,
    "Function": FunctionType,
}

_TOKEN = re.compile(r"\s*(\(\w+!?\)|[A-Za-z_][\w.]*|\[\d*\]|[\[\](),?])")


def parse_type(text: str) -> Type:
    """Parse an annotation, graph or schema type string into a `Type`.

    >>> str(parse_type("Tuple[Tensor, Dict[str, float]]"))
    'Tuple[Tensor, Dict[str, float]]'
    >>> str(parse_type("(Tensor, int[])"))
    'Tuple[Tensor, List[int]]'
    """
    tokens = _tokenize(text)
    t, pos = _parse(tokens, 0, text)
    if pos != len(tokens):
        raise ValueError(f"unexpected {tokens[pos]!r} in type {text!r}")
    return t


def _tokenize(text):
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            if text[pos:].strip() == "":
                break
            raise ValueError(f"cannot parse type {text!r}")
        tokens.append(m.group(1))
        pos = m.end()
    return tokens


def _parse(tokens, pos, text):
    if pos >= len(tokens):
        raise ValueError(f"incomplete type {text!r}")
    tok = tokens[pos]
    if tok == "(":
        elems, pos = _parse_list(tokens, pos + 1, ")", text)
        t = TupleType(elems)
    elif tok in ("Optional", "List", "Tuple", "Dict") and _at(tokens, pos + 1, "["):
        t, pos = _parse_generic(tok, tokens, pos + 2, text)
    elif tok == "Dict" and _at(tokens, pos + 1, "("):
        (k, v), pos = _parse_list(tokens, pos + 2, ")", text)
        t = DictType(k, v)
    elif tok in _LEAVES:
        t, pos = _LEAVES[tok].get(), pos + 1
    elif tok[0].isalpha() or tok[0] == "_":
        t, pos = ClassType(tok), pos + 1
    else:
        raise ValueError(f"unexpected {tok!r} in type {text!r}")
    return _parse_suffixes(t, tokens, pos)


def _parse_suffixes(t, tokens, pos):
    while pos < len(tokens):
        tok = tokens[pos]
        if tok.startswith("(") and tok != "(":  # alias annotation like (a!)
            pos += 1
        elif tok.startswith("["):
            t, pos = ListType(t), pos + 1
        elif tok == "?":
            t, pos = OptionalType(t), pos + 1
        else:
            break
    return t, pos


def _parse_generic(head, tokens, pos, text):
    if head == "Tuple" and _at(tokens, pos, "(") and _at(tokens, pos + 1, ")"):
        return TupleType(()), _expect(tokens, pos + 2, "]", text)
    args, pos = _parse_list(tokens, pos, "]", text)
    if head == "Optional" and len(args) == 1:
        return OptionalType(args[0]), pos
    if head == "List" and len(args) == 1:
        return ListType(args[0]), pos
    if head == "Dict" and len(args) == 2:
        return DictType(*args), pos
    if head == "Tuple":
        return TupleType(args), pos
    raise ValueError(f"wrong number of arguments to {head} in type {text!r}")


def _parse_list(tokens, pos, close, text):
    items = []
    if _at(tokens, pos, close):
        return items, pos + 1
    while True:
        t, pos = _parse(tokens, pos, text)
        items.append(t)
        if _at(tokens, pos, ","):
            pos += 1
            if _at(tokens, pos, close):
                return items, pos + 1
            continue
        return items, _expect(tokens, pos, close, text)


def _at(tokens, pos, tok):
    return pos < len(tokens) and tokens[pos] == tok


def _expect(tokens, pos, tok, text):
    if not _at(tokens, pos, tok):
        raise ValueError(f"expected {tok!r} in type {text!r}")
    return pos + 1
