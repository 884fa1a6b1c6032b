"""Expression forms of the `.code` printer: one function per specially printed op.

Each takes (printer, op, printed operand strings) and returns the expression text; ops not
listed here print as calls (``torch.<op>(...)`` / ``ops.<ns>.<op>(...)``).

Example:
    >>> attr_ref("self", "l0"), attr_ref("self", "0"), quote("a")
    ('self.l0', 'getattr(self, "0")', '"a"')
"""

from __future__ import annotations

import keyword

from ember.ir import registry
from ember.ir import types as T  # noqa: N812
from ember.ir.builder import MAX_TRIP
from ember.ir.core import Block, Operation, OpResult, Value

__all__ = [
    "RHS",
    "CAST",
    "attr_ref",
    "quote",
    "valid_identifier",
    "necessary_args",
    "loop_kind",
    "callee",
    "constants_in_use_order",
]

CAST = {"aten::Int": "int", "aten::Float": "float", "aten::Bool": "bool", "aten::str": "str"}


def _rhs_uninitialized(pr, op, args):
    return f"uninitialized({op.results[0].type})"


def _rhs_getitem(pr, op, args):
    base = args[0] if args[0].isidentifier() else f"({args[0]})"
    return f"{base}[{args[1]}]"


def _rhs_tuple_index(pr, op, args):
    return f"({args[0]})[{args[1]}]"


def _rhs_print(pr, op, args):
    return f"print({', '.join(args)})"


def _rhs_tuple(pr, op, args):
    named = getattr(op.results[0].type, "qualified_name", None)
    if named is not None:  # a NamedTuple: its class called
        return f"{named}({', '.join(args)})"
    return f"({args[0]},)" if len(args) == 1 else f"({', '.join(args)})"


def _rhs_list(pr, op, args):
    t = op.results[0].type
    items = f"[{', '.join(args)}]"
    if not args or not inferable(t.elem):
        return f"annotate({t}, {items})"
    return items


def _rhs_dict(pr, op, args):
    t = op.results[0].type
    body = "{" + ", ".join(f"{k}: {v}" for k, v in zip(args[::2], args[1::2])) + "}"
    if not args or not inferable(t.key) or not inferable(t.value):
        return f"annotate({t}, {body})"
    return body


def _rhs_get_attr(pr, op, args):
    return attr_ref(args[0], op.attrs["name"])


def _rhs_call_function(pr, op, args):
    return op.attrs["name"] + "(" + "".join(f"{a}, " for a in args) + ")"


def _rhs_call_method(pr, op, args):
    return f"({args[0]}).{op.attrs['name']}(" + "".join(f"{a}, " for a in args[1:]) + ")"


def _rhs_implicit(pr, op, args):
    return f"annotate({op.results[0].type}, {args[0]})"


def _rhs_cast(pr, op, args):
    return f"unchecked_cast({op.results[0].type}, {args[0]})"


RHS = {
    "prim::Uninitialized": _rhs_uninitialized,
    "aten::__getitem__": _rhs_getitem,
    "prim::TupleIndex": _rhs_tuple_index,
    "prim::Print": _rhs_print,
    "prim::TupleConstruct": _rhs_tuple,
    "prim::ListConstruct": _rhs_list,
    "prim::DictConstruct": _rhs_dict,
    "prim::GetAttr": _rhs_get_attr,
    "prim::CallFunction": _rhs_call_function,
    "prim::CallMethod": _rhs_call_method,
    "prim::unchecked_cast": _rhs_cast,
    "aten::IntImplicit": _rhs_implicit,
    "aten::FloatImplicit": _rhs_implicit,
    "aten::ScalarImplicit": _rhs_implicit,
}


def inferable(t: T.Type) -> bool:
    return not isinstance(t, T.OptionalType | T.NoneType | T.AnyType | T.NumberType)


def attr_ref(obj: str, name: str) -> str:
    if name.isidentifier() and not keyword.iskeyword(name):
        return f"{obj}.{name}"
    return f"getattr({obj}, {quote(name)})"


def valid_identifier(name: str) -> str:
    if name.isascii() and name.isidentifier():
        return name  # letters, digits and underscores, not a digit first: already valid
    out = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    return "_" + out if not out or out[0].isdigit() else out


def quote(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{out}"'


def necessary_args(params, operands) -> int:
    n = len(operands)
    while n > 0 and n <= len(params):
        p, v = params[n - 1], operands[n - 1]
        if p.default is registry.MISSING or not _is_constant(v, p.default):
            break
        n -= 1
    return n


def _is_constant(v: Value, default) -> bool:
    if not isinstance(v, OpResult) or v.op.kind != "prim::Constant":
        return False
    value = v.op.attrs.get("value")
    if default is None or value is None:
        return default is None and value is None
    if isinstance(default, list) and isinstance(value, list | tuple):
        return list(value) == default
    return type(value) is type(default) and value == default


def loop_kind(op: Operation) -> str:
    trip, cond = op.operands[:2]
    body = op.blocks[0]
    always = _const(cond) is True and body.returns and _const(body.returns[0]) is True
    unbounded = isinstance(_const(trip), int) and _const(trip) >= MAX_TRIP
    if always and not (unbounded and not body.args[0].uses):
        return "for"
    if unbounded and not body.args[0].uses:
        return "while"
    return "bounded"


def _const(v: Value):
    if isinstance(v, OpResult) and v.op.kind == "prim::Constant":
        return v.op.attrs.get("value")
    return None


_CALLEES: dict[tuple[str, str], tuple[str, tuple]] = {}


def callee(kind: str, overload: str) -> tuple[str, tuple]:
    """How a call of an operator starts (``torch.relu``, ``ops.prim.min``) and its parameters
    (remembered once the op table has the operator)."""
    found = _CALLEES.get((kind, overload))
    if found is None:
        ns, name = kind.split("::", 1)
        sig = registry.lookup(f"{kind}.{overload}" if overload else kind)
        found = (
            (f"torch.{name}" if ns == "aten" else f"ops.{ns}.{name}"),
            (sig.params if sig else ()),
        )
        if sig is not None:
            _CALLEES[(kind, overload)] = found
    return found


def constants_in_use_order(block: Block) -> list:
    """The constants `block`'s ops (nested ones too) use, each once, in order of first use."""
    seen, out = set(), []

    def visit(b):
        for op in b.ops:
            for v in op.operands:
                if isinstance(v, OpResult) and v.op.kind == "prim::Constant" and id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
            for inner in op.blocks:
                visit(inner)

    visit(block)
    return out
