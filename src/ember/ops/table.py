"""The op table: every operator defined once, by PyTorch's name, overload and schema.

How to register an op (e.g. in `ember/ops/nn_kernels.py`)::

    from ember.ops.table import register

    @register(
        "relu(Tensor self) -> Tensor",      # native_functions.yaml's schema, verbatim
        traits=("pure", "elementwise"),      # see TRAITS
        version=0,                           # archive version the op needs (0: unversioned)
        doc="max(x, 0) elementwise",
    )
    def relu(a):                             # a numpy-level kernel
        return np.maximum(a, 0)

Kernel calling convention (the dispatcher in `ember.tensor.dispatch` does the conversion):

- Arguments arrive positionally in schema order, defaults filled in, keyword-only ones too.
- `Tensor` arguments arrive as numpy arrays (the tensor's view of its storage, possibly
  non-contiguous or 0-d); a Python scalar passed where the schema says `Tensor` arrives as
  the scalar itself (PyTorch's "wrapped number"). `Tensor?` may be None; `Tensor[]` is a list.
- `Scalar` arrives as a Python number; `ScalarType?` as an `ember.dtype` or None; ints, floats,
  bools, strings and `int[]` lists as Python values (an `int[2]` may arrive as a bare int, as
  PyTorch allows: use `expand_int_list`).
- Return numpy arrays: FRESH arrays (never memory shared with an input) for ops without an
  alias annotation; numpy views for results annotated `Tensor(a)`; for in-place ops
  (`Tensor(a!) self`) write into the given array (the return value is ignored: the caller gets
  its own tensor back). Tuples for multiple returns; Python values for `int`/`bool`/... returns.

Example:
    >>> from ember import ops
    >>> op = ops.get("aten::add.Tensor")
    >>> op.name, op.overload, op.version, sorted(op.traits)
    ('aten::add', 'Tensor', 0, ['elementwise', 'pure'])
    >>> str(op.schema)
    'add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor'
"""

from __future__ import annotations

from collections.abc import Callable

from ember.ops.schema import Schema, parse_schema

__all__ = [
    "OpDef",
    "register",
    "unregister",
    "get",
    "overloads",
    "all_ops",
    "TRAITS",
    "expand_int_list",
]

TRAITS = frozenset(
    {"pure", "elementwise", "view", "inplace", "creation", "reduction", "nondeterministic"}
)

_TABLE: dict[str, OpDef] = {}
_BY_NAME: dict[str, list[OpDef]] = {}


class OpDef:
    """One operator overload: name ('aten::add'), overload ('Tensor'), schema, version, traits.

    `kernel` is the numpy-level implementation; `doc` a one-line description.
    `_invoke` is filled in lazily by the dispatcher (a specialised caller).
    """

    __slots__ = (
        "name",
        "overload",
        "qualified_name",
        "schema",
        "version",
        "traits",
        "kernel",
        "doc",
        "_invoke",
    )

    def __init__(self, schema: Schema, kernel: Callable, version: int, traits, doc: str):
        self.schema = schema
        self.name = schema.name
        self.overload = schema.overload
        self.qualified_name = schema.qualified_name
        self.kernel = kernel
        self.version = version
        self.traits = frozenset(traits)
        self.doc = doc
        self._invoke = None

    def __repr__(self) -> str:
        return f"<OpDef {self.qualified_name}: {self.schema}>"


def register(
    schema: str,
    kernel: Callable | None = None,
    *,
    traits=("pure",),
    version: int = 0,
    doc: str = "",
):
    """Add one op to the table; usable as a decorator (returns the kernel unchanged).

    Raises ValueError for a duplicate qualified name, unknown traits or a bad schema.
    """

    def add(fn: Callable) -> Callable:
        parsed = parse_schema(schema)
        unknown = set(traits) - TRAITS
        if unknown:
            raise ValueError(f"{parsed.qualified_name}: unknown traits {sorted(unknown)}")
        if parsed.qualified_name in _TABLE:
            raise ValueError(f"{parsed.qualified_name} is already registered")
        op = OpDef(parsed, fn, version, traits, doc or (fn.__doc__ or "").strip().split("\n")[0])
        _TABLE[op.qualified_name] = op
        _BY_NAME.setdefault(op.name, []).append(op)
        return fn

    return add if kernel is None else add(kernel)


def unregister(qualified_name: str) -> OpDef:
    """Remove an op from the table (for experiments and tests); KeyError if absent."""
    op = get(qualified_name)
    del _TABLE[op.qualified_name]
    _BY_NAME[op.name].remove(op)
    if not _BY_NAME[op.name]:
        del _BY_NAME[op.name]
    return op


def get(qualified_name: str) -> OpDef:
    """The op called `qualified_name` ('aten::add.Tensor'; 'aten::relu' for no overload).

    Raises KeyError naming the op when it is not in the table.

    >>> get("aten::relu").schema.returns[0].type
    'Tensor'
    """
    op = _TABLE.get(qualified_name)
    if op is None:
        if "::" not in qualified_name:
            return get("aten::" + qualified_name)
        raise KeyError(f"operator {qualified_name} is not in ember's op table")
    return op


def overloads(name: str) -> list[OpDef]:
    """All overloads of `name` ('aten::add'), in registration order (empty if unknown).

    >>> [op.overload for op in overloads("aten::add")]
    ['Tensor', 'Scalar']
    """
    if "::" not in name:
        name = "aten::" + name
    return list(_BY_NAME.get(name, ()))


def all_ops() -> list[OpDef]:
    """Every registered op, in registration order.

    >>> any(op.qualified_name == "aten::linear" for op in all_ops())
    True
    """
    return list(_TABLE.values())


def expand_int_list(value, n: int) -> list[int]:
    """An `int[n]` argument as a list of n ints (a bare int is repeated, as PyTorch does).

    >>> expand_int_list(3, 2), expand_int_list([1, 2], 2)
    ([3, 3], [1, 2])
    """
    if isinstance(value, int):
        return [value] * n
    value = list(value)
    return value * n if len(value) == 1 and n > 1 else value
