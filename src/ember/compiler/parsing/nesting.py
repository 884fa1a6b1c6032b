"""How deep a function nests, as the lowering recurses over it; a located error past the limit.

A level is one step down the syntax tree (an operand inside its operator, a statement inside
its block), with what the lowering nests besides: each ``elif`` sits in the ``else`` of the
``if`` before it, each further value of ``a or b or ...`` (and of a comparison chain) inside
the test of the one before, and the statements after an ``if`` or loop that can ``return``,
``break`` or ``continue`` inside its branches. The walk is iterative (it runs before the
recursive ones, to size their room: `ember.ir.depth`).

Example:
    >>> import ember
    >>> from ember.compiler.parsing.parser import parse_function
    >>> nesting(parse_function("def f(x):\\n    return x + x + x\\n"))
    4
    >>> deep = "def f(x):\\n    return " + " + ".join(["x"] * 1200) + "\\n"
    >>> try:
    ...     check_nesting(parse_function(deep))
    ... except ember.CompileError as e:
    ...     print(e.msg, (e.line, e.col))
    this code nests too deeply: more than 1000 levels (see 'Limits' in docs/language.md) (2, 816)
"""

from __future__ import annotations

from dataclasses import fields

from ember.compiler.parsing import syntax as S  # noqa: N812
from ember.ir.depth import MAX_NESTING

__all__ = ["nesting", "check_nesting"]

_EXITS = (S.Return, S.Break, S.Continue)
_CHAINS = {S.BoolOp: "values", S.Compare: "comparators"}
_FIELDS: dict = {}


def check_nesting(fdef: S.FunctionDef) -> int:
    """`nesting(fdef)`, or a located CompileError when it passes `MAX_NESTING`."""
    depth, where = _deepest(fdef, MAX_NESTING)
    if depth > MAX_NESTING:
        where = where if where.line else fdef
        message = f"this code nests too deeply: more than {MAX_NESTING} levels"
        raise fdef.source.node_error(where, message + " (see 'Limits' in docs/language.md)")
    return depth


def nesting(fdef: S.FunctionDef) -> int:
    """The number of levels the lowering of `fdef` nests (see the module docstring)."""
    return _deepest(fdef, None)[0]


def _deepest(root, stop):
    exits = _exit_holders(root)
    deepest, where = 0, root
    pending = [(root, 0)]
    while pending:
        node, depth = pending.pop()
        if depth > deepest:
            deepest, where = depth, node
            if stop is not None and depth > stop:
                break
        for child, extra in _children(node, exits):
            pending.append((child, depth + 1 + extra))
    return deepest, where


def _children(node, exits):
    """(child, extra levels) of a node: statement lists and chains nest further."""
    chain = _CHAINS.get(type(node))
    for name in _field_names(node):
        value = getattr(node, name)
        if isinstance(value, S.Node):
            yield value, 0
        elif isinstance(value, str) and isinstance(value, S.FString):
            yield from ((v, 0) for v in value.values)
        elif isinstance(value, list):
            extra = 0
            for item in value:
                for part in item if isinstance(item, tuple) else (item,):
                    if isinstance(part, S.Node):
                        yield part, extra
                # a chain's next value, or what follows an exit (it moves into the branches)
                if name == chain or id(item) in exits:
                    extra += 1


def _field_names(node) -> tuple:
    names = _FIELDS.get(type(node))
    if names is None:
        names = _FIELDS[type(node)] = tuple(f.name for f in fields(node) if f.name != "source")
    return names


def _exit_holders(root) -> set:
    """ids of the nodes that contain a return, break or continue."""
    order, parents = [], {}
    pending = [root]
    while pending:
        node = pending.pop()
        order.append(node)
        for child, _ in _children(node, ()):
            parents[id(child)] = node
            pending.append(child)
    holders: set = set()
    for node in reversed(order):  # children before their parents
        if isinstance(node, _EXITS) or id(node) in holders:
            parent = parents.get(id(node))
            if parent is not None:
                holders.add(id(parent))
    return holders
