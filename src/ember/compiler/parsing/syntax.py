"""The AST of ember's scripting language: small dataclasses with source positions.

Every node carries `line` and `col` (1-based, in the coordinates of the parsed text); the
parser builds them from lark's tree and `ember.compiler.parsing.diagnostics` turns them back into
`file:line:col` for errors.

Example:
    >>> from ember.compiler.parsing.parser import parse_function
    >>> fn = parse_function("def f(x: int = 2):\\n    return x + 1\\n")
    >>> fn.name, fn.params[0].default, type(fn.body[0].value).__name__
    ('f', Const(value=2), 'BinOp')
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Node", "Name", "Const", "Attribute", "Call", "Subscript", "Slice", "TupleExpr",
    "ListExpr", "DictExpr", "BinOp", "UnaryOp", "BoolOp", "Not", "Compare", "IfExp",
    "ListComp", "Assign", "AugAssign", "AnnAssign", "ExprStmt", "Return", "If", "While",
    "For", "Break", "Continue", "Pass", "Assert", "Raise", "Param", "FunctionDef",
    "ClassDef", "Import", "FString",
]  # fmt: skip


def _pos():
    return field(default=0, repr=False, compare=False)


@dataclass(slots=True)
class Node:
    line: int = _pos()
    col: int = _pos()


# -- expressions -----------------------------------------------------------------------------


@dataclass(slots=True)
class Name(Node):
    id: str = ""


@dataclass(slots=True)
class Const(Node):
    value: object = None


@dataclass(slots=True)
class Attribute(Node):
    value: Node = None
    attr: str = ""


@dataclass(slots=True)
class Call(Node):
    func: Node = None
    args: list = field(default_factory=list)
    kwargs: list = field(default_factory=list)  # [(name, expr)]


@dataclass(slots=True)
class Subscript(Node):
    value: Node = None
    index: list = field(default_factory=list)  # one entry per comma-separated item


@dataclass(slots=True)
class Slice(Node):
    lower: Node | None = None
    upper: Node | None = None
    step: Node | None = None


@dataclass(slots=True)
class TupleExpr(Node):
    elts: list = field(default_factory=list)


@dataclass(slots=True)
class ListExpr(Node):
    elts: list = field(default_factory=list)


@dataclass(slots=True)
class DictExpr(Node):
    keys: list = field(default_factory=list)
    values: list = field(default_factory=list)


@dataclass(slots=True)
class BinOp(Node):
    op: str = ""
    left: Node = None
    right: Node = None


@dataclass(slots=True)
class UnaryOp(Node):
    op: str = ""
    operand: Node = None


@dataclass(slots=True)
class BoolOp(Node):
    op: str = ""  # 'and' | 'or'
    values: list = field(default_factory=list)


@dataclass(slots=True)
class Not(Node):
    operand: Node = None


@dataclass(slots=True)
class Compare(Node):
    left: Node = None
    ops: list = field(default_factory=list)  # '<', 'not in', 'is not', ...
    comparators: list = field(default_factory=list)


@dataclass(slots=True)
class IfExp(Node):
    test: Node = None
    body: Node = None
    orelse: Node = None


@dataclass(slots=True)
class ListComp(Node):
    elt: Node = None
    target: Node = None
    iter: Node = None
    conds: list = field(default_factory=list)


# -- statements ------------------------------------------------------------------------------


@dataclass(slots=True)
class Assign(Node):
    targets: list = field(default_factory=list)
    value: Node = None


@dataclass(slots=True)
class AugAssign(Node):
    target: Node = None
    op: str = ""
    value: Node = None


@dataclass(slots=True)
class AnnAssign(Node):
    target: Node = None
    annotation: Node = None
    value: Node | None = None


@dataclass(slots=True)
class ExprStmt(Node):
    value: Node = None


@dataclass(slots=True)
class Return(Node):
    value: Node | None = None


@dataclass(slots=True)
class If(Node):
    test: Node = None
    body: list = field(default_factory=list)
    orelse: list = field(default_factory=list)


@dataclass(slots=True)
class While(Node):
    test: Node = None
    body: list = field(default_factory=list)


@dataclass(slots=True)
class For(Node):
    target: Node = None
    iter: Node = None
    body: list = field(default_factory=list)


@dataclass(slots=True)
class Break(Node):
    pass


@dataclass(slots=True)
class Continue(Node):
    pass


@dataclass(slots=True)
class Pass(Node):
    pass


@dataclass(slots=True)
class Assert(Node):
    test: Node = None
    msg: Node | None = None


@dataclass(slots=True)
class Raise(Node):
    exc: Node | None = None


@dataclass(slots=True)
class Param(Node):
    name: str = ""
    annotation: Node | None = None
    default: Node | None = None
    kwonly: bool = False


@dataclass(slots=True)
class FunctionDef(Node):
    name: str = ""
    params: list = field(default_factory=list)
    returns: Node | None = None
    body: list = field(default_factory=list)
    decorators: list = field(default_factory=list)
    source: object = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class ClassDef(Node):
    name: str = ""
    base: str | None = None
    body: list = field(default_factory=list)


class FString(str):
    """An f-string: its format text with ``{}`` holes, `values` (the holes' expressions) and
    `problem` (why it cannot be compiled, or None); lowered to ``aten::format``."""

    values: list = []
    problem: str | None = None


@dataclass(slots=True)
class Import(Node):
    name: str = ""
