"""How Python arguments of an op call become IR operands: schema defaults, enum names,
bare ints for ``int[N]`` parameters, and the element type of lists of traced values.

Example:
    >>> from ember import ops
    >>> op = ops.get("aten::sum.dim_IntList")
    >>> sorted(int_list_params(op))
    [1]
    >>> explicit_kwargs(op, {"dtype": None})
    {}
"""

from __future__ import annotations

from ember.ir import types as irt
from ember.ops.schema import ENUMS
from ember.tensor import Tensor
from ember.tracer.floats import SCALARS

__all__ = [
    "explicit_kwargs",
    "int_list_params",
    "optional_tensor_list_params",
    "list_elem_type",
    "is_traced",
]

_TENSOR = irt.TensorType.get()

_KW_DEFAULTS: dict[str, dict] = {}


def explicit_kwargs(op, kwargs: dict) -> dict:
    """Keyword-only arguments that differ from their schema defaults (the builder adds
    those), with enum names ('preserve_format') as the ints TorchScript passes."""
    defaults = _KW_DEFAULTS.get(op.qualified_name)
    if defaults is None:
        defaults = {a.name: a.default for a in op.schema.arguments if a.has_default}
        _KW_DEFAULTS[op.qualified_name] = defaults
    out = {}
    for k, v in kwargs.items():
        d = defaults.get(k, _NO_DEFAULT)
        if v is d or (type(v) is type(d) and v == d):
            continue
        out[k] = ENUMS.get(v, v) if isinstance(v, str) else v
    return out


_NO_DEFAULT = object()
_LIST_PARAMS: dict[str, frozenset] = {}


def int_list_params(op) -> frozenset:
    """Positions of `int[N]`-style parameters, which also take a bare int (as PyTorch's do)."""
    found = _LIST_PARAMS.get(op.qualified_name)
    if found is None:
        found = frozenset(
            i for i, a in enumerate(op.schema.arguments) if "[" in a.type and "int" in a.type
        )
        _LIST_PARAMS[op.qualified_name] = found
    return found


_OPTIONAL_LISTS: dict[str, frozenset] = {}


def optional_tensor_list_params(op) -> frozenset:
    """Positions of `Tensor?[]` parameters (index, index_put_), whose lists hold Optional[Tensor]
    even when every element is a tensor."""
    found = _OPTIONAL_LISTS.get(op.qualified_name)
    if found is None:
        args = op.schema.arguments
        found = frozenset(i for i, a in enumerate(args) if a.type == "Tensor?[]")
        _OPTIONAL_LISTS[op.qualified_name] = found
    return found


def list_elem_type(items, optional: bool = False) -> irt.Type:
    """The IR element type of a list operand; `optional` for a `Tensor?[]` parameter."""
    if not any(isinstance(e, Tensor) for e in items):
        if any(isinstance(e, float) for e in items):
            return irt.FloatType.get()
        return irt.IntType.get()
    if optional or any(e is None for e in items):
        return irt.OptionalType(_TENSOR)
    return _TENSOR


def is_traced(x) -> bool:
    return isinstance(x, Tensor) or x.__class__ in SCALARS
