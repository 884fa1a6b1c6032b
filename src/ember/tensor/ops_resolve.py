"""Overload resolution: which overload of an op accepts a given Python call.

`resolve('aten::max', (t, 1), {})` is `aten::max.dim`. Arguments are classified by kind
(Tensor, bool, int, float, list of ints, dtype, None ...), matched against each overload's
schema in registration order, and the answer is cached per kind signature.

Example:
    >>> import ember
    >>> resolve("aten::add", (ember.ones(1), 2), {}).qualified_name
    'aten::add.Scalar'
"""

from __future__ import annotations

import numpy as np

from ember import dtypes
from ember.ops import table
from ember.tensor.tensor import Tensor

__all__ = ["resolve"]


def _kind(x) -> str:
    k = _KIND_BY_CLASS.get(x.__class__)
    return k if k is not None else _kind_slow(x)


def _kind_slow(x) -> str:
    if isinstance(x, Tensor):
        return "T"
    if x is None:
        return "N"
    if isinstance(x, bool):
        return "b"
    if isinstance(x, int | np.integer):
        return "i"
    if isinstance(x, float | np.floating):
        return "f"
    if isinstance(x, complex):
        return "c"
    if isinstance(x, str):
        return "s"
    if isinstance(x, dtypes.dtype):
        return "d"
    if isinstance(x, list | tuple):
        return "L" + "".join(sorted({_kind(v) for v in x}))
    return "?"


_KIND_BY_CLASS = {
    Tensor: "T",
    type(None): "N",
    bool: "b",
    int: "i",
    float: "f",
    complex: "c",
    str: "s",
    dtypes.dtype: "d",
}

_ACCEPTS = {
    "Tensor": "T",
    "Scalar": "bifc",
    "int": "bi",
    "SymInt": "bi",
    "float": "bif",
    "bool": "b",
    "str": "s",
    "ScalarType": "d",
    "Layout": "?N",
    "Device": "s?N",
    "MemoryFormat": "?N",
    "Generator": "?N",
}


def _accepts(arg, kind: str) -> bool:
    if kind == "N":
        return arg.optional or arg.default is None
    t = arg.base_type
    if t.endswith("[]"):
        elem = t[:-2].removesuffix("?")
        if kind[0] != "L":
            return elem in ("int", "SymInt") and kind in "bi" or (elem == "Tensor" and False)
        return all(_accepts_elem(elem, k) for k in kind[1:])
    return kind in _ACCEPTS.get(t, "?")


def _accepts_elem(elem: str, k: str) -> bool:
    return k in _ACCEPTS.get(elem, "?")


_RESOLVED: dict = {}


def resolve(name: str, args: tuple, kwargs: dict, cands=None):
    """The overload whose schema accepts these arguments among `cands` (by default every
    overload of op `name`, 'aten::max'; a face passes its own, named by the face).

    Raises TypeError listing the candidate schemas when none does.
    """
    key = (
        name,
        tuple(map(_kind, args)),
        tuple(sorted((k, _kind(v)) for k, v in kwargs.items())) if kwargs else (),
    )
    op = _RESOLVED.get(key)
    if op is None:
        cands = table.overloads(name) if cands is None else cands
        for cand in cands:
            if _matches(cand.schema, key[1], dict(key[2])):
                op = _RESOLVED[key] = cand
                break
        else:
            schemas = "\n  ".join(str(o.schema) for o in cands)
            short = name.split("::")[-1]
            raise TypeError(
                f"{short}(): no overload accepts these arguments; candidates:\n  {schemas}"
            )
    return op


def _matches(schema, kinds, kwkinds) -> bool:
    positional = [a for a in schema.arguments if not a.kwarg_only]
    if len(kinds) > len(positional):
        return False
    by_name = {a.name: a for a in schema.arguments}
    for a, k in zip(positional, kinds):
        if not _accepts(a, k):
            return False
    given = {a.name for a in positional[: len(kinds)]}
    for name, k in kwkinds.items():
        a = by_name.get(name)
        if a is None or name in given or not _accepts(a, k):
            return False
        given.add(name)
    return all(a.has_default or a.name in given for a in schema.arguments)
