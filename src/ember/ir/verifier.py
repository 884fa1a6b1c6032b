"""The IR verifier: well-formedness checks, raising `ember.VerifyError`.

Checks: operators exist; values are defined before use and visible (a block sees its own
earlier values and those of enclosing blocks defined before its owner); operand counts and
types against schemas (TorchScript's implicit number -> Tensor and int -> float conversions
allowed); declared result types against the schema; terminators (``prim::Return`` ends the
graph, ``prim::Yield`` ends nested blocks, nowhere else); ``prim::If`` and ``prim::Loop``
block arities and types; container constructs. Messages name the problem, then print the
offending op in graph text.

Example:
    >>> from ember.ir import Graph, Builder, Operation, types as T
    >>> b = Builder(Graph())
    >>> s = b.add_input(T.StrType.get(), "s")
    >>> _ = b.insert(Operation("aten::relu", "", [s], [T.TensorType.get()]))
    >>> b.return_()
    >>> verify(b.graph)
    Traceback (most recent call last):
    ...
    ember.errors.VerifyError: operand 0 ('self') of aten::relu has type str, expected Tensor
      %0 : Tensor = aten::relu(%s)
"""

from __future__ import annotations

from ember.errors import VerifyError
from ember.ir import registry
from ember.ir import types as T  # noqa: N812
from ember.ir.builder import constant_type
from ember.ir.core import Block, Graph, Operation
from ember.ir.depth import block_depth, with_room
from ember.ir.printer import Namer, op_text

__all__ = ["verify"]


def verify(graph: Graph) -> None:
    """Raise `VerifyError` describing the first problem found in `graph`."""
    with_room(block_depth(graph), _Verifier(graph).run)


class _Verifier:
    def __init__(self, graph: Graph):
        self.graph = graph

    def fail(self, op: Operation, message: str):
        namer = Namer().name_graph(self.graph)  # names as the whole graph prints them
        raise VerifyError(f"{message}\n  {op_text(op, namer)}")

    def run(self):
        top = self.graph.block
        term = top.terminator
        if term is None or term.kind != "prim::Return":
            raise VerifyError("the graph's block must end with prim::Return")
        self.block(top, set(map(id, top.args)), "prim::Return")

    def block(self, block: Block, visible: set, terminator: str):
        """Check `block`'s ops; `visible` holds the ids of the values defined before it (the
        block's own definitions are added while it is checked, and removed after)."""
        defined = [id(a) for a in block.args if id(a) not in visible]
        visible.update(defined)
        for i, op in enumerate(block.ops):
            if op.parent is not block:
                self.fail(op, f"{op.kind} has a wrong parent block")
            last = i == len(block.ops) - 1
            if op.kind in ("prim::Return", "prim::Yield") and (not last or op.kind != terminator):
                self.fail(op, f"{op.kind} is only allowed as the last op of a {_where(op)}")
            for j, v in enumerate(op.operands):
                if id(v) not in visible:
                    self.fail(op, f"operand {j} of {op.kind} is used before its definition "
                              "or outside its scope")  # fmt: skip
            self.op(op, visible)
            results = [id(r) for r in op.results]
            visible.update(results)
            defined.extend(results)
        visible.difference_update(defined)
        if not block.ops or block.ops[-1].kind != terminator:
            owner = block.owner.kind if isinstance(block.owner, Operation) else "graph"
            raise VerifyError(f"a block of {owner} must end with {terminator}")

    def op(self, op: Operation, visible: set):
        sig = registry.lookup(op.qualified_name)
        if sig is None:
            self.fail(op, f"unknown operator {op.qualified_name}")
        check = _SPECIAL.get(op.kind)
        if check is not None:
            check(self, op)
        else:
            self.schema(op, sig)
        if op.blocks and op.kind not in ("prim::If", "prim::Loop"):
            self.fail(op, f"{op.kind} cannot own blocks")
        for inner in op.blocks:
            self.block(inner, visible, "prim::Yield")

    def schema(self, op, sig):
        n, params = len(op.operands), sig.params
        if n < len(params) or (n > len(params) and not sig.variadic):
            self.fail(op, f"{op.qualified_name} takes {len(params)} operands, got {n}")
        env: dict = {}
        for i, (p, v) in enumerate(zip(params, op.operands)):
            if not registry.param_accepts(p, v.type, env, convert=True):
                self.fail(
                    op,
                    f"operand {i} ('{p.name}') of {op.qualified_name} has type {v.type}, "
                    f"expected {p.type}",
                )
        if sig.variadic_returns:
            return
        if len(op.results) != len(sig.returns):
            self.fail(op, f"{op.qualified_name} has {len(sig.returns)} results, "
                      f"got {len(op.results)}")  # fmt: skip
        for i, (r, t) in enumerate(zip(op.results, sig.returns)):
            want = registry.substitute(t, env)
            if want is not None and not _compatible(want, r.type):
                self.fail(op, f"result {i} of {op.qualified_name} has type {r.type}, "
                          f"expected {want}")  # fmt: skip

    def arity(self, op, operands=None, results=None):
        if operands is not None and len(op.operands) != operands:
            self.fail(op, f"{op.kind} takes {operands} operands, got {len(op.operands)}")
        if results is not None and len(op.results) != results:
            self.fail(op, f"{op.kind} has {results} results, got {len(op.results)}")

    def attr(self, op, name):
        if not isinstance(op.attrs.get(name), str):
            self.fail(op, f"{op.kind} needs a string attribute '{name}'")

    def yields(self, op, block, types, what):
        values = block.returns
        if len(values) != len(types):
            self.fail(op, f"{what} of {op.kind} yields {len(values)} values, "
                      f"expected {len(types)}")  # fmt: skip
        for i, (v, t) in enumerate(zip(values, types)):
            if not T.is_subtype(v.type, t):
                self.fail(op, f"{what} of {op.kind} yields {v.type} at position {i}, "
                          f"expected {t}")  # fmt: skip


def _where(op):
    return "graph" if op.kind == "prim::Return" else "prim::If/prim::Loop block"


def _compatible(schema_type, declared) -> bool:
    return T.is_subtype(schema_type, declared) or T.is_subtype(declared, schema_type)


def _is_bool(t):
    return isinstance(t, T.BoolType)


def _check_if(v, op):
    v.arity(op, operands=1)
    if not _is_bool(op.operands[0].type):
        v.fail(op, f"condition of prim::If has type {op.operands[0].type}, expected bool")
    if len(op.blocks) != 2 or any(b.args for b in op.blocks):
        v.fail(op, "prim::If needs two blocks without arguments")
    types = [r.type for r in op.results]
    for i, block in enumerate(op.blocks):
        if block.terminator is not None:
            v.yields(op, block, types, f"block{i}")


def _check_loop(v, op):
    if len(op.operands) < 2 or len(op.blocks) != 1:
        v.fail(op, "prim::Loop needs (max_trip_count, cond, *carried) and one block")
    trip, cond, *carried = op.operands
    if not isinstance(trip.type, T.IntType) or not _is_bool(cond.type):
        v.fail(op, f"prim::Loop takes (int, bool, ...), got ({trip.type}, {cond.type}, ...)")
    body = op.blocks[0]
    v.arity(op, results=len(carried))
    if len(body.args) != len(carried) + 1 or not isinstance(body.args[0].type, T.IntType):
        v.fail(op, f"the block of prim::Loop needs {len(carried) + 1} arguments "
               "(int iteration, then the carried values)")  # fmt: skip
    for i, (c, a, r) in enumerate(zip(carried, body.args[1:], op.results)):
        if not T.is_subtype(c.type, a.type) or not T.is_subtype(a.type, r.type):
            v.fail(op, f"carried value {i} of prim::Loop: initial {c.type}, block argument "
                   f"{a.type}, result {r.type} do not agree")  # fmt: skip
    if body.terminator is not None:
        v.yields(op, body, [T.BoolType.get()] + [a.type for a in body.args[1:]], "block0")


def _check_constant(v, op):
    v.arity(op, operands=0, results=1)
    if "value" not in op.attrs:
        v.fail(op, "prim::Constant needs a 'value' attribute")
    value, t = op.attrs["value"], op.results[0].type
    try:
        ct = constant_type(value)
    except VerifyError:
        return
    empty = isinstance(value, list) and not value
    if not empty and not _constant_fits(ct, t):
        v.fail(op, f"constant {value!r} does not have type {t}")


def _constant_fits(ct, t):
    if T.is_subtype(ct, t):
        return True
    if isinstance(t, T.FloatType | T.DeviceType):  # ints as floats; devices as strings
        return isinstance(ct, T.IntType | T.StrType)
    return isinstance(t, T.ListType | T.TupleType) and isinstance(ct, T.ListType | T.TupleType)


def _check_get_attr(v, op):
    v.arity(op, operands=1, results=1)
    v.attr(op, "name")
    obj = op.operands[0].type
    if not isinstance(obj, T.ClassType):
        v.fail(op, f"prim::GetAttr needs an object operand, got {obj}")
    known = obj.attributes.get(op.attrs["name"])
    if known is not None and not _compatible(known, op.results[0].type):
        v.fail(op, f"attribute '{op.attrs['name']}' of {obj} has type {known}, "
               f"not {op.results[0].type}")  # fmt: skip


def _check_set_attr(v, op):
    v.arity(op, operands=2, results=0)
    v.attr(op, "name")
    if not isinstance(op.operands[0].type, T.ClassType):
        v.fail(op, f"prim::SetAttr needs an object operand, got {op.operands[0].type}")


def _check_call_method(v, op):
    v.attr(op, "name")
    if not op.operands or not isinstance(op.operands[0].type, T.ClassType):
        v.fail(op, "prim::CallMethod needs an object as its first operand")
    cls, name = op.operands[0].type, op.attrs["name"]
    known = cls.methods.get(name)
    if known is None:
        return
    params, ret = [p.type for p in known.params], known.return_type
    args = op.operands[1:]
    for i, (p, a) in enumerate(zip(params, args)):
        if not registry.accepts(p, a.type, convert=True):
            v.fail(op, f"argument {i} of {cls}.{name} has type {a.type}, expected {p}")
    if len(op.results) == 1 and not _compatible(ret, op.results[0].type):
        v.fail(op, f"{cls}.{name} returns {ret}, not {op.results[0].type}")


def _check_call_function(v, op):
    v.attr(op, "name")


def _check_list_construct(v, op):
    v.arity(op, results=1)
    t = op.results[0].type
    if not isinstance(t, T.ListType):
        v.fail(op, f"prim::ListConstruct must produce a list, not {t}")
    for i, x in enumerate(op.operands):
        if not T.is_subtype(x.type, t.elem):
            v.fail(op, f"element {i} of prim::ListConstruct has type {x.type}, expected {t.elem}")


def _check_tuple_construct(v, op):
    v.arity(op, results=1)
    got = op.results[0].type
    names = getattr(got, "names", None)
    want = T.TupleType([x.type for x in op.operands], names, getattr(got, "qualified_name", None))
    if not T.is_subtype(want, got):
        v.fail(op, f"prim::TupleConstruct of {want} cannot have type {op.results[0].type}")


def _check_dict_construct(v, op):
    v.arity(op, results=1)
    t = op.results[0].type
    if len(op.operands) % 2 or not isinstance(t, T.DictType):
        v.fail(op, "prim::DictConstruct takes key, value pairs and produces a Dict")
    for i, x in enumerate(op.operands):
        want = t.value if i % 2 else t.key
        if not T.is_subtype(x.type, want):
            v.fail(op, f"operand {i} of prim::DictConstruct has type {x.type}, expected {want}")


def _check_unpack(v, op):
    v.arity(op, operands=1)
    t = op.operands[0].type
    if op.kind == "prim::TupleUnpack":
        if not isinstance(t, T.TupleType) or len(t.elems) != len(op.results):
            v.fail(op, f"prim::TupleUnpack of {t} into {len(op.results)} values")
        want = t.elems
    else:
        if not isinstance(t, T.ListType):
            v.fail(op, f"prim::ListUnpack needs a list, got {t}")
        want = [t.elem] * len(op.results)
    for i, (r, w) in enumerate(zip(op.results, want)):
        if not T.is_subtype(w, r.type):
            v.fail(op, f"result {i} of {op.kind} has type {r.type}, expected {w}")


def _check_terminator(v, op):
    pass


def _check_free_result(v, op):
    v.arity(op, results=1)


_SPECIAL = {
    "prim::If": _check_if,
    "prim::Loop": _check_loop,
    "prim::Constant": _check_constant,
    "prim::GetAttr": _check_get_attr,
    "prim::SetAttr": _check_set_attr,
    "prim::CallMethod": _check_call_method,
    "prim::CallFunction": _check_call_function,
    "prim::ListConstruct": _check_list_construct,
    "prim::TupleConstruct": _check_tuple_construct,
    "prim::DictConstruct": _check_dict_construct,
    "prim::TupleUnpack": _check_unpack,
    "prim::ListUnpack": _check_unpack,
    "prim::Yield": _check_terminator,
    "prim::Return": _check_terminator,
    "prim::Uninitialized": _check_free_result,
    "prim::unchecked_cast": _check_free_result,
}
