"""How the code generator emits prim ops: structure, containers, calls and control flow.

Each handler takes (emitter, op, indent) and writes lines through the emitter
(`ember.runtime.codegen`). ``prim::If`` becomes ``if``/``else`` assigning the yielded values;
``prim::Loop`` becomes ``for i in range(n)`` when its condition is constantly true, else a
``while`` over the condition (and a counter when the trip count is bounded).

Example:
    >>> sorted(SPECIAL)[:3]
    ['prim::CallFunction', 'prim::CallMethod', 'prim::Constant']
"""

from __future__ import annotations

import keyword

from ember.ir.builder import MAX_TRIP

__all__ = ["SPECIAL"]


def _attr_ref(obj: str, name: str) -> str:
    return (
        f"{obj}.{name}"
        if name.isidentifier() and not keyword.iskeyword(name)
        else (f"getattr({obj}, {name!r})")
    )


def _constant(em, op, indent):
    em.expr(op.results[0])  # inlined at each use


def _get_attr(em, op, indent):
    em.assign(op, indent, _attr_ref(em.expr(op.operands[0]), op.attrs["name"]))


def _set_attr(em, op, indent):
    obj, value = (em.expr(v) for v in op.operands)
    name = op.attrs["name"]
    if name.isidentifier() and not keyword.iskeyword(name):
        em.line(indent, f"{obj}.{name} = {value}", op)
    else:
        em.line(indent, f"setattr({obj}, {name!r}, {value})", op)


def _call_method(em, op, indent):
    obj, *args = (em.expr(v) for v in op.operands)
    em.assign(op, indent, f"{_attr_ref(obj, op.attrs['name'])}({', '.join(args)})")


def _call_function(em, op, indent):
    fn = em.add_global(_LazyFunction(em.resolve, op.attrs["name"]), "_f")
    em.env[fn].bind(em.env, fn)
    em.assign(op, indent, f"{fn}({', '.join(em.expr(v) for v in op.operands)})")


class _LazyFunction:
    """Resolves a compiled function by name on first call, then replaces itself."""

    def __init__(self, resolve, name):
        self.resolve, self.name = resolve, name

    def bind(self, env, key):
        self.env, self.key = env, key

    def __call__(self, *args):
        fn = self.resolve(self.name)
        self.env[self.key] = fn
        return fn(*args)


def _list_construct(em, op, indent):
    em.assign(op, indent, "[" + ", ".join(em.expr(v) for v in op.operands) + "]")


def _tuple_construct(em, op, indent):
    items = [em.expr(v) for v in op.operands]
    em.assign(op, indent, f"({items[0]},)" if len(items) == 1 else "(" + ", ".join(items) + ")")


def _dict_construct(em, op, indent):
    items = [em.expr(v) for v in op.operands]
    pairs = ", ".join(f"{k}: {v}" for k, v in zip(items[::2], items[1::2]))
    em.assign(op, indent, "{" + pairs + "}")


def _unpack(em, op, indent):
    if op.results:
        names = ", ".join(em.new_var(r) for r in op.results)
        em.line(indent, f"{names}, = {em.expr(op.operands[0])}", op)


def _alias(em, op, indent):
    em.exprs[id(op.results[0])] = em.expr(op.operands[0])


def _uninitialized(em, op, indent):
    em.exprs[id(op.results[0])] = "None"


def _raise(em, op, indent):
    msg, cls = (em.expr(v) for v in op.operands)
    em.line(indent, f"raise _rt_raise({msg}, {cls})", op)


def _return(em, op, indent):
    outs = [em.expr(v) for v in op.operands]
    text = "None" if not outs else outs[0] if len(outs) == 1 else "(" + ", ".join(outs) + ")"
    em.line(indent, f"return {text}", op)


def _assign_values(em, targets: list[str], values, indent: int) -> None:
    exprs = [em.expr(v) for v in values]
    if len(targets) == 1:
        em.line(indent, f"{targets[0]} = {exprs[0]}")
    elif targets:
        em.line(indent, f"{', '.join(targets)} = {', '.join(exprs)}")


def _if(em, op, indent):
    em.line(indent, f"if {em.expr(op.operands[0])}:", op)
    targets = [f"_v{next(em.counter)}" for _ in op.results]
    for i, block in enumerate(op.blocks):
        if i == 1:
            em.line(indent, "else:")
        start = len(em.lines)
        em.block(block, indent + 1)
        if targets and em.lines[-1].strip() == "pass" and len(em.lines) == start + 1:
            em.lines.pop()
        _assign_values(em, targets, block.returns, indent + 1)
    for r, t in zip(op.results, targets):
        em.exprs[id(r)] = t


def _loop(em, op, indent):
    trip, cond, *init = op.operands
    body = op.blocks[0]
    it, *carried = body.args
    names = [em.new_var(a) for a in carried]
    _assign_values(em, names, init, indent)
    next_cond = body.returns[0] if body.returns else None
    simple_for = _is_true(cond) and next_cond is not None and _is_true(next_cond)
    it_name = em.new_var(it)
    if simple_for:
        em.line(indent, f"for {it_name} in range({em.expr(trip)}):", op)
        em.block(body, indent + 1)
        _assign_values(em, names, body.returns[1:], indent + 1)
    else:
        cvar = f"_v{next(em.counter)}"
        counted = it.uses or not _is_max(trip)
        em.line(indent, f"{cvar} = {em.expr(cond)}")
        if counted:
            em.line(indent, f"{it_name} = 0")
        bound = "" if _is_max(trip) else f" and {it_name} < {em.expr(trip)}"
        em.line(indent, f"while {cvar}{bound}:", op)
        em.block(body, indent + 1)
        _assign_values(em, [cvar, *names], body.returns, indent + 1)
        if counted:
            em.line(indent + 1, f"{it_name} += 1")
    for r, n in zip(op.results, names):
        em.exprs[id(r)] = n


_NOT_CONSTANT = object()


def _const_value(v):
    op = getattr(v, "op", None)
    if op is not None and op.kind == "prim::Constant":
        return op.attrs.get("value")
    return _NOT_CONSTANT


def _is_true(v) -> bool:
    return _const_value(v) is True


def _is_max(v) -> bool:
    value = _const_value(v)
    return isinstance(value, int) and value >= MAX_TRIP


SPECIAL = {
    "prim::Constant": _constant,
    "prim::GetAttr": _get_attr,
    "prim::SetAttr": _set_attr,
    "prim::CallMethod": _call_method,
    "prim::CallFunction": _call_function,
    "prim::ListConstruct": _list_construct,
    "prim::TupleConstruct": _tuple_construct,
    "prim::DictConstruct": _dict_construct,
    "prim::TupleUnpack": _unpack,
    "prim::ListUnpack": _unpack,
    "prim::unchecked_cast": _alias,
    "prim::Uninitialized": _uninitialized,
    "prim::RaiseException": _raise,
    "prim::Return": _return,
    "prim::If": _if,
    "prim::Loop": _loop,
}
