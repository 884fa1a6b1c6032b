"""Parsing archive code files fast: Python's own parser, then the same syntax tree.

An archive's ``code/`` files are machine-printed TorchScript source, which is Python syntax and
lies inside ember's grammar (`grammar.lark`). Loading an archive parses every file, so
`parse_code` reads them with Python's C parser (`ast.parse`) and converts the result to the
nodes of `ember.compiler.parsing.syntax`, with the positions the lark grammar gives them
(code nested deeper than Python parses, over 100 indentation levels, goes to the grammar):
the lowering that follows is the one user code goes through. Constructs outside the grammar
raise a located `CompileError`; `tests/compiler/test_compiler_code_parser.py` checks that both
parsers give equal trees, positions included, for the code files of the corpora's archives.

Example:
    >>> nodes = parse_code("class M(Module):\\n  training : bool\\n  def forward(self: "
    ...                    "__torch__.M, x: Tensor) -> Tensor:\\n    return torch.relu(x)\\n")
    >>> cls = nodes[0]
    >>> cls.name, cls.base, [type(s).__name__ for s in cls.body]
    ('M', 'Module', ['AnnAssign', 'FunctionDef'])
    >>> ret = cls.body[1].body[0]
    >>> type(ret.value).__name__, ret.value.func.attr, (ret.line, ret.col)
    ('Call', 'relu', (4, 5))
"""

from __future__ import annotations

import ast

from ember.compiler.parsing import syntax as S  # noqa: N812
from ember.compiler.parsing.diagnostics import Source
from ember.compiler.parsing.parser import parse_file

__all__ = ["parse_code"]

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
           ast.Mod: "%", ast.MatMult: "@", ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>",
           ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^"}  # fmt: skip
_UNARY = {ast.UAdd: "+", ast.USub: "-", ast.Invert: "~"}
_COMPARE = {ast.Lt: "<", ast.Gt: ">", ast.Eq: "==", ast.GtE: ">=", ast.LtE: "<=", ast.NotEq: "!=",
            ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not"}  # fmt: skip


def parse_code(text: str, filename: str = "<string>") -> list:
    """The top-level classes, functions and statements of a code file, as syntax nodes."""
    src = Source.whole_file(text, filename)
    try:
        tree = ast.parse(text, filename)
    except SyntaxError as e:
        if "too many levels of indentation" in e.msg:  # Python's limit is 100 levels
            return parse_file(src)
        raise src.error(e.lineno or 1, e.offset or 1, f"invalid syntax: {e.msg}") from None
    except (RecursionError, MemoryError):  # Python's parser gives up on deep nesting
        return parse_file(src)
    try:
        return _Converter(src, text).body(tree.body)
    except RecursionError:  # parse_file's walks are iterative
        return parse_file(src)


class _Converter:
    """Python AST -> syntax nodes; positions 1-based columns in characters, as lark's."""

    def __init__(self, src: Source, text: str):
        self.src = src
        self.lines = src.original
        self.ascii = text.isascii()

    def at(self, node, py):
        node.line = py.lineno
        node.col = py.col_offset + 1 if self.ascii else self.char_col(py) + 1
        return node

    def char_col(self, py) -> int:
        """The column in characters (`col_offset` counts UTF-8 bytes)."""
        line = self.lines[py.lineno - 1] if py.lineno <= len(self.lines) else ""
        return len(line.encode("utf-8")[: py.col_offset].decode("utf-8", "replace"))

    def unsupported(self, py, what: str = ""):
        what = what or type(py).__name__
        return self.src.error(py.lineno, py.col_offset + 1, f"{what} is not supported in code")

    # -- statements -----------------------------------------------------------------------

    def body(self, stmts) -> list:
        return [self.stmt(s) for s in stmts]

    def stmt(self, py):
        method = _STMTS.get(type(py))
        if method is None:
            raise self.unsupported(py)
        return method(self, py)

    def s_FunctionDef(self, py):
        if py.decorator_list:
            raise self.unsupported(py.decorator_list[0], "a decorator")
        fn = S.FunctionDef(name=py.name, params=self.params(py.args), body=self.body(py.body))
        fn.returns = self.expr(py.returns) if py.returns is not None else None
        fn.source = self.src
        return self.at(fn, py)

    def params(self, args: ast.arguments) -> list:
        if args.vararg or args.kwarg or args.posonlyargs:
            raise self.unsupported(args.vararg or args.kwarg or args.posonlyargs[0], "*args")
        defaults = [None] * (len(args.args) - len(args.defaults)) + list(args.defaults)
        out = [self.param(a, d) for a, d in zip(args.args, defaults)]
        for a, d in zip(args.kwonlyargs, args.kw_defaults):
            p = self.param(a, d)
            p.kwonly = True
            out.append(p)
        return out

    def param(self, a: ast.arg, default):
        ann = self.expr(a.annotation) if a.annotation is not None else None
        dflt = self.expr(default) if default is not None else None
        return self.at(S.Param(name=a.arg, annotation=ann, default=dflt), a)

    def s_ClassDef(self, py):
        if len(py.bases) > 1 or py.keywords or py.decorator_list:
            raise self.unsupported(py, "this class header")
        base = ast.unparse(py.bases[0]) if py.bases else None
        return self.at(S.ClassDef(name=py.name, base=base, body=self.body(py.body)), py)

    def s_Import(self, py):
        if len(py.names) != 1 or py.names[0].asname:
            raise self.unsupported(py, "this import")
        return self.at(S.Import(name=py.names[0].name), py)

    def s_Expr(self, py):
        return self.at(S.ExprStmt(value=self.expr(py.value)), py)

    def s_Assign(self, py):
        targets = [self.expr(t) for t in py.targets]
        return self.at(S.Assign(targets=targets, value=self.expr(py.value)), py)

    def s_AugAssign(self, py):
        op = _BINOPS[type(py.op)]
        return self.at(S.AugAssign(target=self.expr(py.target), op=op,
                                   value=self.expr(py.value)), py)  # fmt: skip

    def s_AnnAssign(self, py):
        value = self.expr(py.value) if py.value is not None else None
        node = S.AnnAssign(target=self.expr(py.target), annotation=self.expr(py.annotation),
                           value=value)  # fmt: skip
        return self.at(node, py)

    def s_Pass(self, py):
        return self.at(S.Pass(), py)

    def s_Break(self, py):
        return self.at(S.Break(), py)

    def s_Continue(self, py):
        return self.at(S.Continue(), py)

    def s_Return(self, py):
        return self.at(S.Return(value=self.opt(py.value)), py)

    def s_Raise(self, py):
        if py.cause is not None:
            raise self.unsupported(py, "raise ... from")
        return self.at(S.Raise(exc=self.opt(py.exc)), py)

    def s_Assert(self, py):
        return self.at(S.Assert(test=self.expr(py.test), msg=self.opt(py.msg)), py)

    def s_If(self, py):
        node = S.If(test=self.expr(py.test), body=self.body(py.body), orelse=self.body(py.orelse))
        return self.at(node, py)

    def s_While(self, py):
        if py.orelse:
            raise self.unsupported(py, "while ... else")
        return self.at(S.While(test=self.expr(py.test), body=self.body(py.body)), py)

    def s_For(self, py):
        if py.orelse:
            raise self.unsupported(py, "for ... else")
        node = S.For(target=self.expr(py.target), iter=self.expr(py.iter), body=self.body(py.body))
        return self.at(node, py)

    # -- expressions ----------------------------------------------------------------------

    def opt(self, py):
        return self.expr(py) if py is not None else None

    def expr(self, py):
        method = _EXPRS.get(type(py))
        if method is None:
            raise self.unsupported(py)
        return method(self, py)

    def e_Name(self, py):
        return self.at(S.Name(id=py.id), py)

    def e_Constant(self, py):
        if isinstance(py.value, complex | bytes):
            raise self.unsupported(py, f"a {type(py.value).__name__} literal")
        return self.at(S.Const(value=py.value), py)

    def e_Attribute(self, py):
        return self.at(S.Attribute(value=self.expr(py.value), attr=py.attr), py)

    def e_Call(self, py):
        kwargs = []
        for kw in py.keywords:
            if kw.arg is None:
                raise self.unsupported(kw.value, "**kwargs")
            kwargs.append((kw.arg, self.expr(kw.value)))
        if any(isinstance(a, ast.Starred) for a in py.args):
            raise self.unsupported(py, "*args")
        args = [self.expr(a) for a in py.args]
        return self.at(S.Call(func=self.expr(py.func), args=args, kwargs=kwargs), py)

    def e_Subscript(self, py):
        index = py.slice
        items = index.elts if isinstance(index, ast.Tuple) else [index]
        node = S.Subscript(value=self.expr(py.value), index=[self.item(i) for i in items])
        return self.at(node, py)

    def item(self, py):
        if isinstance(py, ast.Slice):
            node = S.Slice(lower=self.opt(py.lower), upper=self.opt(py.upper),
                           step=self.opt(py.step))  # fmt: skip
            return self.at(node, py)
        return self.expr(py)

    def e_Tuple(self, py):
        return self.at(S.TupleExpr(elts=[self.expr(e) for e in py.elts]), py)

    def e_List(self, py):
        return self.at(S.ListExpr(elts=[self.expr(e) for e in py.elts]), py)

    def e_Dict(self, py):
        if any(k is None for k in py.keys):
            raise self.unsupported(py, "**mapping")
        keys, values = [self.expr(k) for k in py.keys], [self.expr(v) for v in py.values]
        return self.at(S.DictExpr(keys=keys, values=values), py)

    def e_BinOp(self, py):
        node = S.BinOp(op=_BINOPS[type(py.op)], left=self.expr(py.left), right=self.expr(py.right))
        return self.at(node, py)

    def e_UnaryOp(self, py):
        if isinstance(py.op, ast.Not):
            return self.at(S.Not(operand=self.expr(py.operand)), py)
        return self.at(S.UnaryOp(op=_UNARY[type(py.op)], operand=self.expr(py.operand)), py)

    def e_BoolOp(self, py):
        op = "and" if isinstance(py.op, ast.And) else "or"
        return self.at(S.BoolOp(op=op, values=[self.expr(v) for v in py.values]), py)

    def e_Compare(self, py):
        node = S.Compare(left=self.expr(py.left), ops=[_COMPARE[type(o)] for o in py.ops],
                         comparators=[self.expr(c) for c in py.comparators])  # fmt: skip
        return self.at(node, py)

    def e_IfExp(self, py):
        node = S.IfExp(test=self.expr(py.test), body=self.expr(py.body),
                       orelse=self.expr(py.orelse))  # fmt: skip
        return self.at(node, py)

    def e_ListComp(self, py):
        if len(py.generators) != 1 or py.generators[0].is_async:
            raise self.unsupported(py, "this comprehension")
        gen = py.generators[0]
        conds = [self.expr(c) for c in gen.ifs]
        node = S.ListComp(elt=self.expr(py.elt), target=self.expr(gen.target),
                          iter=self.expr(gen.iter), conds=conds)  # fmt: skip
        return self.at(node, py)


def _handlers(prefix: str) -> dict:
    """Python AST node type -> the converter's method for it (``s_If``, ``e_Call``, ...)."""
    return {
        getattr(ast, name[len(prefix) :]): fn
        for name, fn in vars(_Converter).items()
        if name.startswith(prefix)
    }


_STMTS, _EXPRS = _handlers("s_"), _handlers("e_")
