"""Building IR: a `Builder` inserts operations at an insertion point (like torch.fx's
`inserting_before` and xDSL's `InsertPoint`).

Operands may be `Value`s or Python literals (int, float, bool, str, None, tuples/lists of
those), which become `prim::Constant`s. `op(...)` validates the operator name against the
builtins and the op table, fills omitted trailing and keyword-only arguments with constants
of their schema defaults (TorchScript nodes always carry every schema argument) and infers
result types from the schema when they are not given. Every op it inserts carries the
builder's current source location (`Builder.loc`, set for a stretch with `located`), unless
the op already has one. See `ember.ir` for a full example.

Example:
    >>> from ember.ir import Graph, Builder, types as T
    >>> b = Builder(Graph("f"))
    >>> x = b.add_input(T.TensorType.get(), "x")
    >>> y = b.emit("aten::add.Tensor", x, x, name="y")
    >>> b.return_(y)
    >>> print(b.graph, end="")
    graph(%x : Tensor):
      %0 : int = prim::Constant[value=1]()
      %y : Tensor = aten::add(%x, %x, %0)
      return (%y)
"""

from __future__ import annotations

from contextlib import contextmanager

from ember.errors import VerifyError
from ember.ir import registry
from ember.ir import types as T  # noqa: N812
from ember.ir.core import Block, Graph, Operation, Value
from ember.ir.location import SourceLocation

__all__ = ["Builder", "constant_type"]


def constant_type(value) -> T.Type:
    """The IR type of a Python literal.

    >>> str(constant_type((1, [2.0], None)))
    'Tuple[int, List[float], NoneType]'
    """
    leaf = T.leaf_type(value)
    if leaf is not None:
        return leaf
    if isinstance(value, tuple):
        return T.TupleType([constant_type(v) for v in value])
    if isinstance(value, list) and value:
        elem = constant_type(value[0])
        for v in value[1:]:
            elem = T.unify(elem, constant_type(v)) or elem
        return T.ListType(elem)
    if type(value).__name__ == "Tensor":
        return T.TensorType.get()
    if type(value).__name__ == "device":
        return T.DeviceType.get()
    raise VerifyError(f"cannot infer the IR type of constant {value!r}; pass type=")


class Builder:
    """Creates operations at an insertion point: the end of a block or before an op.

    `loc` is the source location stamped on the ops it inserts (None: unknown).
    """

    def __init__(self, graph: Graph | None = None):
        self.graph = graph if graph is not None else Graph()
        self.block: Block = self.graph.block
        self.before: Operation | None = None
        self.loc: SourceLocation | None = None

    # -- insertion points -------------------------------------------------------------------

    def set_insertion_point(self, block: Block, before: Operation | None = None) -> None:
        """Insert at the end of `block`, or before `before` (which must be in `block`)."""
        self.block, self.before = block, before

    @contextmanager
    def _moved(self, block, before):
        saved = self.block, self.before
        self.set_insertion_point(block, before)
        try:
            yield self
        finally:
            self.block, self.before = saved

    def at_end(self, block: Block):
        """Context manager: insert at the end of `block`, then restore the previous point."""
        return self._moved(block, None)

    def inserting_before(self, op: Operation):
        return self._moved(op.parent, op)

    def inserting_after(self, op: Operation):
        ops = op.parent.ops
        i = ops.index(op)
        return self._moved(op.parent, ops[i + 1] if i + 1 < len(ops) else None)

    def insert(self, op: Operation) -> Operation:
        index = len(self.block.ops) if self.before is None else self.block.ops.index(self.before)
        self.block.insert(index, op)
        if op.loc is None:
            op.loc = self.loc
        return op

    # -- source locations -------------------------------------------------------------------

    def located(self, loc: SourceLocation | None) -> _Located:
        """Context manager: ops inserted inside carry `loc`; the previous one comes back after.

        >>> from ember.ir import Graph, SourceLocation, types as T
        >>> b = Builder(Graph())
        >>> x = b.add_input(T.TensorType.get(), "x")
        >>> with b.located(SourceLocation("m.py", 3, 11, "    return x.relu()")):
        ...     y = b.emit("aten::relu", x)
        >>> str(y.op.loc), b.loc
        ('m.py:3:11', None)
        """
        return _Located(self, loc)

    # -- values -----------------------------------------------------------------------------

    def add_input(
        self, type: T.Type, name: str | None = None, default=registry.MISSING, kwonly=False
    ):
        """Add a graph input (with an optional default value for `.code` signatures)."""
        arg = self.graph.add_input(type, name)
        if default is not registry.MISSING:
            self.graph.defaults[name] = default
        if kwonly:
            self.graph.kwonly.add(name)
        return arg

    def constant(self, value, type: T.Type | None = None, name: str | None = None) -> Value:
        """A `prim::Constant` holding `value` (type inferred from the literal if not given)."""
        t = type if type is not None else constant_type(value)
        op = Operation("prim::Constant", "", (), [t], {"value": value})
        op.results[0].name = name
        return self.insert(op).results[0]

    def value(self, x, type: T.Type | None = None) -> Value:
        """`x` itself if it is a Value, else a constant of it."""
        return x if isinstance(x, Value) else self.constant(x, type)

    # -- generic operations -----------------------------------------------------------------

    def op(self, qualified_name, operands=(), result_types=None, attrs=None, names=None,
           kwargs=None, blocks=0) -> Operation:  # fmt: skip
        """Insert an operation of a known operator; see the module docstring."""
        sig = registry.lookup(qualified_name)
        if sig is None:
            raise VerifyError(f"unknown operator {qualified_name}")
        values = self._bind_operands(sig, list(operands), dict(kwargs or {}))
        if result_types is None:
            result_types = _infer_results(sig, values, attrs or {})
        op = Operation(sig.kind, sig.overload, values, result_types, attrs, blocks)
        for r, n in zip(op.results, names or ()):
            r.name = n
        return self.insert(op)

    def emit(self, qualified_name, *operands, type=None, name=None, **kwargs) -> Value:
        """`op(...)` for single-result ops; returns the result. kwargs name schema params."""
        types = None if type is None else [type]
        op = self.op(qualified_name, operands, types, names=[name], kwargs=kwargs)
        return op.result

    def _bind_operands(self, sig, operands, kwargs):
        params = sig.params
        positional = [p for p in params if not p.kwarg_only]
        if sig.variadic and len(operands) >= len(positional):
            fixed = [self._operand(x, p) for x, p in zip(operands, positional)]
            return fixed + [self.value(x) for x in operands[len(positional) :]]
        if len(operands) > len(positional):
            raise VerifyError(
                f"{sig.qualified_name} takes {len(positional)} positional operands, "
                f"got {len(operands)}"
            )
        values = []
        for i, p in enumerate(params):
            if i < len(operands) and not p.kwarg_only:
                x = operands[i]
            elif p.name in kwargs:
                x = kwargs.pop(p.name)
            elif p.default is not registry.MISSING:
                x = _default_value(p)
            else:
                raise VerifyError(f"{sig.qualified_name}: missing operand '{p.name}'")
            values.append(self._operand(x, p))
        if kwargs:
            raise VerifyError(f"{sig.qualified_name}: unknown argument(s) {sorted(kwargs)}")
        return values

    def _operand(self, x, param):
        if isinstance(x, Value):
            return x
        t = param.type
        if x is None or registry.is_type_var(t) or not _concrete(t):
            return self.constant(x)
        if isinstance(t, T.OptionalType):
            t = t.elem
        if isinstance(t, T.FloatType) and type(x) is int:
            x = float(x)
        if isinstance(t, T.ListType):
            if not isinstance(x, list | tuple):  # a broadcast list given one element
                return self.constant(x)
            x = list(x)
        if isinstance(t, T.NumberType | T.TensorType):
            return self.constant(x, constant_type(x))
        return self.constant(x, t)

    # -- structure ----------------------------------------------------------------------------

    def get_attr(self, obj: Value, name: str, type: T.Type, result_name=None) -> Value:
        op = self.op("prim::GetAttr", [obj], [type], {"name": name}, [result_name or name])
        return op.result

    def set_attr(self, obj: Value, name: str, value) -> Operation:
        return self.op("prim::SetAttr", [obj, self.value(value)], [], {"name": name})

    def call_method(self, obj: Value, name: str, args, result_types) -> Operation:
        vals = [obj, *[self.value(a) for a in args]]
        return self.op("prim::CallMethod", vals, list(result_types), {"name": name})

    def call_function(self, qualified_name: str, args, result_types) -> Operation:
        vals = [self.value(a) for a in args]
        return self.op("prim::CallFunction", vals, list(result_types), {"name": qualified_name})

    def list_construct(self, items, elem_type: T.Type | None = None, name=None) -> Value:
        vals = [self.value(x) for x in items]
        if elem_type is None:
            if not vals:
                raise VerifyError("an empty prim::ListConstruct needs elem_type")
            elem_type = _join([v.type for v in vals])
        return self.op("prim::ListConstruct", vals, [T.ListType(elem_type)], names=[name]).result

    def tuple_construct(self, items, name=None, named=None) -> Value:
        """A tuple of `items`; with `named` (a NamedTuple's TupleType) of that type."""
        vals = [self.value(x) for x in items]
        types = [named or T.TupleType([v.type for v in vals])]
        return self.op("prim::TupleConstruct", vals, types, names=[name]).result

    def dict_construct(self, keys, values, key_type=None, value_type=None, name=None) -> Value:
        ks, vs = [self.value(k) for k in keys], [self.value(v) for v in values]
        key_type = key_type or _join([k.type for k in ks])
        value_type = value_type or _join([v.type for v in vs])
        flat = [x for kv in zip(ks, vs) for x in kv]
        t = T.DictType(key_type, value_type)
        return self.op("prim::DictConstruct", flat, [t], names=[name]).result

    def tuple_unpack(self, tup: Value, names=None) -> list[Value]:
        return self.op("prim::TupleUnpack", [tup], list(tup.type.elems), names=names).results

    def list_unpack(self, lst: Value, n: int, names=None) -> list[Value]:
        op = self.op("prim::ListUnpack", [lst], [lst.type.elem] * n, names=names)
        return op.results

    def unchecked_cast(self, v: Value, type: T.Type, name=None) -> Value:
        return self.op("prim::unchecked_cast", [v], [type], names=[name]).result

    def uninitialized(self, type: T.Type) -> Value:
        return self.op("prim::Uninitialized", [], [type]).result

    def raise_(self, msg, cls: str | None = None) -> Operation:
        return self.op("prim::RaiseException", [self.value(msg), self.value(cls)], [])

    # -- control flow -------------------------------------------------------------------------

    def if_(self, cond: Value, result_types=(), names=None) -> Operation:
        """A `prim::If` with two empty blocks; fill each and end it with `yield_`."""
        return self.op("prim::If", [cond], list(result_types), names=names, blocks=2)

    def loop(
        self, max_trip_count, cond, carried=(), names=None, iter_name=None, types=None
    ) -> Operation:
        """A `prim::Loop`; its body block gets (iteration: int, *carried) arguments.

        Use ``max_trip_count=MAX_TRIP`` for while loops and ``cond=True`` for for loops.
        The body must end with ``yield_(next_cond, *next_carried)``. `types` gives the
        carried values' types when they are wider than the initial values'.
        """
        vals = [self.value(max_trip_count), self.value(cond)]
        vals += [self.value(c) for c in carried]
        types = list(types) if types is not None else [v.type for v in vals[2:]]
        op = self.op("prim::Loop", vals, types, names=names, blocks=1)
        body = op.blocks[0]
        body.add_arg(T.IntType.get(), iter_name)
        for i, t in enumerate(types):
            body.add_arg(t, names[i] if names else None)
        return op

    def yield_(self, *values) -> Operation:
        return self.op("prim::Yield", [self.value(v) for v in values], [])

    def return_(self, *values) -> None:
        self.op("prim::Return", [self.value(v) for v in values], [])


MAX_TRIP = 9223372036854775807
Builder.MAX_TRIP = MAX_TRIP


class _Located:
    """`Builder.located`'s context manager (a plain class: lowering enters one per node)."""

    __slots__ = ("builder", "loc", "outer")

    def __init__(self, builder: Builder, loc):
        self.builder, self.loc = builder, loc

    def __enter__(self) -> Builder:
        self.outer = self.builder.loc
        self.builder.loc = self.loc
        return self.builder

    def __exit__(self, *exc) -> None:
        self.builder.loc = self.outer


def _default_value(param):
    default = param.default
    return list(default) if isinstance(default, list) else default


def _join(types):
    out = types[0]
    for t in types[1:]:
        joined = T.unify(out, t)
        if joined is None:
            raise VerifyError(f"elements of types {out} and {t} have no common type")
        out = joined
    return out


def _concrete(t: T.Type) -> bool:
    return not registry.is_type_var(t) and all(_concrete(c) for c in t.contained())


def _infer_results(sig, values, attrs):
    if sig.kind == "prim::TupleIndex" and isinstance(values[0].type, T.TupleType):
        idx = _const(values[1])
        if isinstance(idx, int) and -len(values[0].type.elems) <= idx < len(values[0].type.elems):
            return [values[0].type.elems[idx]]
    if sig.variadic_returns:
        raise VerifyError(f"{sig.qualified_name} needs explicit result_types")
    env: dict = {}
    for p, v in zip(sig.params, values):
        registry.param_accepts(p, v.type, env, convert=True)
    out = []
    for r in sig.returns:
        t = registry.substitute(r, env)
        if t is None:
            raise VerifyError(f"cannot infer the result type of {sig.qualified_name}; pass it")
        out.append(t)
    return out


def _const(v: Value):
    op = getattr(v, "op", None)
    if op is not None and op.kind == "prim::Constant":
        return op.attrs.get("value")
    return None
