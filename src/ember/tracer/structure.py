"""Nested inputs and outputs of traced code: tuples, lists and dicts of tensors.

`flatten` turns a nested value into its tensor leaves plus a `Spec` that can rebuild it;
`spec.unflatten(leaves)` puts other leaves (e.g. re-run outputs) back into the same shape.
`type_of` gives the IR type TorchScript would assign (``Tuple[Tensor, List[Tensor]]``).

Example:
    >>> import ember
    >>> leaves, spec = flatten((ember.ones(1), {"a": [ember.zeros(1)]}))
    >>> len(leaves), spec
    (2, Tuple[Tensor, Dict[str, List[Tensor]]])
    >>> spec.unflatten([1, 2])
    (1, {'a': [2]})
"""

from __future__ import annotations

from ember.errors import TraceError
from ember.ir import types as irt
from ember.tensor import Tensor
from ember.tracer.diagnostics import warn

__all__ = [
    "Spec",
    "flatten",
    "type_of",
    "describe",
    "check_strict",
    "is_tensor_structure",
    "without_none",
]


class Spec:
    """The shape of a nested value: `kind` is 'tensor', 'tuple', 'list' or 'dict'."""

    __slots__ = ("kind", "keys", "children", "type")

    def __init__(self, kind: str, children=(), keys=()):
        self.kind = kind
        self.children: tuple[Spec, ...] = tuple(children)
        self.keys: tuple = tuple(keys)
        self.type = _spec_type(self)

    @property
    def num_leaves(self) -> int:
        if self.kind == "tensor":
            return 1
        return sum(c.num_leaves for c in self.children)

    def kinds(self) -> set[str]:
        """Every kind of container in this spec, at any depth.

        >>> import ember
        >>> sorted(flatten((ember.ones(1), [ember.ones(1)]))[1].kinds())
        ['list', 'tensor', 'tuple']
        """
        found = {self.kind}
        for c in self.children:
            found |= c.kinds()
        return found

    def unflatten(self, leaves):
        """Rebuild a value of this shape from `leaves` (in `flatten` order)."""
        it = iter(leaves)
        return self._build(it)

    def _build(self, it):
        if self.kind == "tensor":
            return next(it)
        if self.kind == "none":
            return None
        items = [c._build(it) for c in self.children]
        if self.kind == "tuple":
            return tuple(items)
        if self.kind == "list":
            return items
        return dict(zip(self.keys, items))

    def __repr__(self) -> str:
        return str(self.type)


def _spec_type(spec: Spec) -> irt.Type:
    if spec.kind == "tensor":
        return irt.TensorType.get()
    if spec.kind == "none":
        return irt.NoneType.get()
    elems = [c.type for c in spec.children]
    if spec.kind == "tuple":
        return irt.TupleType(elems)
    elem = _common(elems, spec)
    if spec.kind == "list":
        return irt.ListType(elem)
    key = irt.StrType.get() if all(isinstance(k, str) for k in spec.keys) else irt.IntType.get()
    return irt.DictType(key, elem)


def _common(elems, spec) -> irt.Type:
    if not elems:
        return irt.TensorType.get()
    first = elems[0]
    for e in elems[1:]:
        if e != first:
            raise TraceError(
                f"{spec.kind} elements of traced inputs/outputs must have one type; "
                f"found {first} and {e}"
            )
    return first


def flatten(value, where: str = "value", allow_none: bool = False) -> tuple[list[Tensor], Spec]:
    """The tensor leaves of a nested tuple/list/dict and its `Spec`.

    Raises TraceError naming the offending part for anything else (ints, objects, and None
    unless `allow_none`: a submodule may return None inside a tuple, as torch's
    MultiheadAttention does without weights).
    """
    leaves: list[Tensor] = []
    spec = _flatten(value, leaves, where, allow_none)
    return leaves, spec


def _flatten(value, leaves: list, where: str, allow_none: bool = False) -> Spec:
    if isinstance(value, Tensor):
        leaves.append(value)
        return Spec("tensor")
    if value is None and allow_none:
        return Spec("none")
    if isinstance(value, tuple | list):
        kind = "tuple" if isinstance(value, tuple) else "list"
        kids = [_flatten(v, leaves, f"{where}[{i}]", allow_none) for i, v in enumerate(value)]
        return Spec(kind, kids)
    if isinstance(value, dict):
        for k in value:
            if not isinstance(k, str | int):
                raise TraceError(f"{where} has a dict key of type {type(k).__name__}")
        kids = [_flatten(v, leaves, f"{where}[{k!r}]") for k, v in value.items()]
        return Spec("dict", kids, value.keys())
    kind = type(value).__name__
    if isinstance(value, int) and not isinstance(value, bool):
        kind = "int"  # a traced size is an int to the user
    article = "an" if kind[0] in "aeiouAEIOU" else "a"
    raise TraceError(
        f"{where} is {article} {kind}: traced code takes and returns only tensors "
        "and (nested) tuples, lists and dicts of tensors"
    )


def type_of(value) -> irt.Type:
    """The IR type of a nested tensor structure.

    >>> import ember
    >>> str(type_of([ember.ones(1), ember.ones(2)]))
    'List[Tensor]'
    """
    return flatten(value)[1].type


def describe(path: tuple) -> str:
    """A readable position inside a nested output: () -> 'output', (1, 'a') -> "output[1]['a']"."""
    return "output" + "".join(f"[{p!r}]" for p in path)


def is_tensor_structure(value) -> bool:
    """Whether `value` is a tensor or a nested tuple/list/dict holding at least one."""
    try:
        leaves, _ = flatten(value)
    except TraceError:
        return False
    return bool(leaves)


def check_strict(spec: Spec) -> None:
    """PyTorch's strict mode: a dict anywhere in the output is refused, a list warns."""
    kinds = spec.kinds()
    if "dict" in kinds:
        raise TraceError(_STRICT_MESSAGE.format(kind="dict"))
    if "list" in kinds:
        warn(_STRICT_MESSAGE.format(kind="list"))


_STRICT_MESSAGE = (
    "Encountering a {kind} at the output of the tracer might cause the trace to be incorrect, "
    "this is only valid if the container structure does not change based on the module's "
    "inputs. Consider using a constant container instead (e.g. for `list`, use a `tuple` "
    "instead. for `dict`, use a `NamedTuple` instead). If you absolutely need this and know "
    "the side effects, pass strict=False to trace() to allow this behavior."
)


def without_none(value):
    """A submodule's output as torch records it: None dropped from tuples, and a tuple left
    with one element replaced by it (``(out, None)`` returns ``out``)."""
    if not isinstance(value, tuple) or all(v is not None for v in value):
        return value
    kept = tuple(without_none(v) for v in value if v is not None)
    return kept[0] if len(kept) == 1 else kept
