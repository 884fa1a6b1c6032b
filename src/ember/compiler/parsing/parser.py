"""Parse ember's scripting language (grammar.lark) into `ember.compiler.parsing.syntax` nodes.

One LALR parser, built once on first use, reads both user functions (`parse_function`)
and whole code files as `.code` prints them (`parse_file`). Text outside the subset fails
with a `CompileError` naming the construct and its location.

Example:
    >>> fn = parse_function("def f(a, b):\\n    return a if a > b else b\\n")
    >>> type(fn.body[0].value).__name__
    'IfExp'
    >>> parse_function("def f(x):\\n    g = lambda: x\\n")
    Traceback (most recent call last):
    ...
    ember.errors.CompileError: <string>:2:9: lambda is not supported in scripted code
        g = lambda: x
            ^
"""

from __future__ import annotations

import ast as pyast
import os
from dataclasses import fields

import lark
from lark.indenter import PythonIndenter

from ember.compiler.parsing import syntax as S  # noqa: N812
from ember.compiler.parsing.diagnostics import Source
from ember.compiler.parsing.unsupported import find_unsupported

__all__ = ["parse_function", "parse_file", "get_parser"]

_PARSER = None


def get_parser() -> lark.Lark:
    """The shared LALR parser (built on first use)."""
    global _PARSER
    if _PARSER is None:
        path = os.path.join(os.path.dirname(__file__), "grammar.lark")
        with open(path, encoding="utf-8") as f:
            grammar = f.read()
        _PARSER = _build(grammar, strict=True)
    return _PARSER


def _build(grammar: str, strict: bool) -> lark.Lark:
    try:
        return lark.Lark(
            grammar,
            parser="lalr",
            strict=strict,
            propagate_positions=True,
            maybe_placeholders=True,
            postlex=PythonIndenter(),
            start=["file_input", "func_input"],
            cache=True,
        )
    except lark.exceptions.LexError as e:
        if strict and "interegular" in str(e):  # strict mode's collision check is optional
            return _build(grammar, strict=False)
        raise


def parse_function(text, filename: str = "<string>", first_line: int = 1) -> S.FunctionDef:
    """Parse one (possibly indented, decorated) `def` into a `FunctionDef`."""
    src = text if isinstance(text, Source) else Source(text, filename, first_line)
    fn = _parse(src, "func_input")
    fn.source = src
    return fn


def parse_file(text, filename: str = "<string>") -> list:
    """Parse a code file (classes, functions, imports) into a list of top-level nodes."""
    src = text if isinstance(text, Source) else Source(text, filename)
    nodes = _parse(src, "file_input")
    for node in nodes:
        for fn in [node, *getattr(node, "body", [])] if isinstance(node, S.ClassDef) else [node]:
            if isinstance(fn, S.FunctionDef):
                fn.source = src
    return nodes


def _parse(src: Source, start: str):
    text = src.text if src.text.endswith("\n") else src.text + "\n"
    try:
        tree = get_parser().parse(text, start=start)
    except lark.exceptions.UnexpectedInput as e:
        raise _explain(src, text, e) from None
    return _ToAst().transform(tree)


def _explain(src: Source, text: str, e: lark.exceptions.UnexpectedInput):
    found = find_unsupported(text, allow_classes=False)
    if found is not None:
        line, col, what = found
        if (line, col) <= (e.line, e.column) or e.line < 0:
            return src.error(line, col, f"{what} is not supported in scripted code")
    line, col = max(e.line, 1), max(e.column, 1)
    if isinstance(e, lark.exceptions.UnexpectedToken) and e.token.type == "$END":
        return src.error(line, col, "unexpected end of input")
    if isinstance(e, lark.exceptions.UnexpectedToken):
        what = "end of line" if e.token.type == "_NEWLINE" else repr(e.token.value.strip())
        if e.token.type in ("_INDENT", "_DEDENT"):
            what = "indentation"
        return src.error(line, col, f"invalid syntax: unexpected {what}")
    if isinstance(e, lark.exceptions.UnexpectedCharacters):
        return src.error(line, col, f"invalid syntax: unexpected character {e.char!r}")
    return src.error(line, col, "invalid syntax")


def _at(node, meta):
    node.line, node.col = meta.line, meta.column
    return node


def _tok(node, token):
    node.line, node.col = token.line, token.column
    return node


def _flat(items):
    out = []
    for it in items:
        if isinstance(it, list):
            out.extend(it)
        elif it is not None:
            out.append(it)
    return out


def _number(text: str):
    low = text.lower()
    if low.startswith(("0x", "0o", "0b")):
        return int(text, 0)
    if "." in text or "e" in low:
        return float(text)
    return int(text)


@lark.v_args(meta=True)
class _ToAst(lark.visitors.Transformer_NonRecursive):
    """lark tree -> syntax nodes (one method per grammar rule or alias); iterative, as a
    900-term sum or elif chain is a tree 900 levels deep."""

    # -- top level ---------------------------------------------------------------------------
    def file_input(self, meta, items):
        return _flat(items)

    def import_stmt(self, meta, c):
        return _at(S.Import(name=c[0]), meta)

    def func_input(self, meta, c):
        fn = c[-1]
        fn.decorators = [d for d in c[:-1] if d is not None]
        return fn

    def decorator(self, meta, c):
        return c[0]

    def dotted_name(self, meta, c):
        return ".".join(str(t) for t in c)

    def funcdef(self, meta, c):
        name, params, returns, body = c
        fn = S.FunctionDef(name=str(name), params=params or [], returns=returns, body=body)
        return _at(fn, meta)

    def parameters(self, meta, c):
        return _flat(c)

    def kwonly(self, meta, c):
        params = [p for p in c if p is not None]
        for p in params:
            p.kwonly = True
        return params

    def param(self, meta, c):
        name, ann, default = c
        return _at(S.Param(name=str(name), annotation=ann, default=default), meta)

    def classdef(self, meta, c):
        name, base, *members = c
        return _at(S.ClassDef(name=str(name), base=base, body=_flat(members)), meta)

    # -- statements --------------------------------------------------------------------------
    def simple_stmt(self, meta, c):
        return _flat(c)

    def suite(self, meta, c):
        return _flat(c)

    def expr_stmt(self, meta, c):
        return _at(S.ExprStmt(value=c[0]), meta)

    def assign(self, meta, c):
        return _at(S.Assign(targets=list(c[:-1]), value=c[-1]), meta)

    def augassign(self, meta, c):
        return _at(S.AugAssign(target=c[0], op=str(c[1])[:-1], value=c[2]), meta)

    def annassign(self, meta, c):
        return _at(S.AnnAssign(target=c[0], annotation=c[1], value=c[2]), meta)

    def pass_stmt(self, meta, c):
        return _at(S.Pass(), meta)

    def break_stmt(self, meta, c):
        return _at(S.Break(), meta)

    def continue_stmt(self, meta, c):
        return _at(S.Continue(), meta)

    def return_stmt(self, meta, c):
        return _at(S.Return(value=c[0]), meta)

    def raise_stmt(self, meta, c):
        return _at(S.Raise(exc=c[0]), meta)

    def assert_stmt(self, meta, c):
        return _at(S.Assert(test=c[0], msg=c[1]), meta)

    def if_stmt(self, meta, c):
        test, body, *rest = c
        orelse = rest[-1] if rest and isinstance(rest[-1], list) else []
        for clause in reversed([r for r in rest if isinstance(r, S.If)]):
            clause.orelse = orelse
            orelse = [clause]
        return _at(S.If(test=test, body=body, orelse=orelse or []), meta)

    def elif_clause(self, meta, c):
        return _at(S.If(test=c[0], body=c[1]), meta)

    def while_stmt(self, meta, c):
        return _at(S.While(test=c[0], body=c[1]), meta)

    def for_stmt(self, meta, c):
        return _at(S.For(target=c[0], iter=c[1], body=c[2]), meta)

    # -- expressions -------------------------------------------------------------------------
    def ifexp(self, meta, c):
        return _at(S.IfExp(body=c[0], test=c[1], orelse=c[2]), meta)

    def or_(self, meta, c):
        return _at(S.BoolOp(op="or", values=list(c)), meta)

    def and_(self, meta, c):
        return _at(S.BoolOp(op="and", values=list(c)), meta)

    def not_(self, meta, c):
        return _at(S.Not(operand=c[0]), meta)

    def comp_op(self, meta, c):
        return " ".join(str(t) for t in c)

    def compare(self, meta, c):
        return _at(S.Compare(left=c[0], ops=list(c[1::2]), comparators=list(c[2::2])), meta)

    def binop(self, meta, c):
        return _at(S.BinOp(op=str(c[1]), left=c[0], right=c[2]), meta)

    def unary(self, meta, c):
        return _at(S.UnaryOp(op=str(c[0]), operand=c[1]), meta)

    def call(self, meta, c):
        args = c[1] or []
        pos = [a for a in args if not isinstance(a, tuple)]
        kws = [a for a in args if isinstance(a, tuple)]
        return _at(S.Call(func=c[0], args=pos, kwargs=kws), meta)

    def arguments(self, meta, c):
        return list(c)

    def kwarg(self, meta, c):
        return (str(c[0]), c[1])

    def subscript(self, meta, c):
        return _at(S.Subscript(value=c[0], index=c[1]), meta)

    def subscripts(self, meta, c):
        return [x for x in c if x is not None]

    def slice(self, meta, c):
        lower, upper, step = (list(c) + [None, None, None])[:3]
        return _at(S.Slice(lower=lower, upper=upper, step=step), meta)

    def ellipsis(self, meta, c):
        return _at(S.Const(value=Ellipsis), meta)

    def attribute(self, meta, c):
        return _at(S.Attribute(value=c[0], attr=str(c[1])), meta)

    def empty_tuple(self, meta, c):
        return _at(S.TupleExpr(elts=[]), meta)

    def paren(self, meta, c):
        return c[0]

    def tuple(self, meta, c):
        return _at(S.TupleExpr(elts=_flat(c)), meta)

    def list(self, meta, c):
        return _at(S.ListExpr(elts=_flat(c)), meta)

    def listcomp(self, meta, c):
        elt, target, it, *conds = c
        return _at(S.ListComp(elt=elt, target=target, iter=it, conds=list(conds)), meta)

    def dict(self, meta, c):
        items = c[0] or []
        return _at(S.DictExpr(keys=items[0::2], values=items[1::2]), meta)

    def testlist_items(self, meta, c):
        return [x for x in c if x is not None]

    def dict_items(self, meta, c):
        return list(c)

    def name(self, meta, c):
        return _tok(S.Name(id=str(c[0])), c[0])

    def number(self, meta, c):
        return _tok(S.Const(value=_number(str(c[0]))), c[0])

    def string(self, meta, c):
        parts = [str(t) for t in c]
        if any(p[0] in "fF" for p in parts):
            return _tok(S.Const(value=_fstring(c)), c[0])
        return _tok(S.Const(value="".join(pyast.literal_eval(p) for p in parts)), c[0])

    def const_none(self, meta, c):
        return _at(S.Const(value=None), meta)

    def const_true(self, meta, c):
        return _at(S.Const(value=True), meta)

    def const_false(self, meta, c):
        return _at(S.Const(value=False), meta)


def _fstring(tokens) -> S.FString:
    """An f-string as a format text with ``{}`` holes and the AST of each hole's expression
    (parsed with this grammar, located where the hole's expression starts). As in
    TorchScript, the text's own braces stay as they are: ``aten::format`` fills only
    ``{}``."""
    text, values, problem = [], [], None
    for tok in tokens:
        p = str(tok)
        if p[0] not in "fF":
            text.append(pyast.literal_eval(p))
            continue
        for piece in pyast.parse(p, mode="eval").body.values:
            if isinstance(piece, pyast.Constant):
                text.append(piece.value)
                continue
            if piece.format_spec is not None or piece.conversion != -1:
                problem = "format specs and conversions in f-strings are not supported"
            fn = _parse(Source(f"def _f():\n    return ({pyast.unparse(piece.value)})\n"),
                        "func_input")  # fmt: skip
            v = piece.value
            line, col = tok.line + v.lineno - 1, (tok.column if v.lineno == 1 else 1) + v.col_offset
            values.append(_relocate(fn.body[0].value, line, col))
            text.append("{}")
    out = S.FString("".join(text))
    out.values, out.problem = values, problem
    return out


def _relocate(node, line, col):
    if isinstance(node, list):
        for n in node:
            _relocate(n, line, col)
    elif isinstance(node, S.Node):
        node.line, node.col = line, col
        for f in fields(node):
            _relocate(getattr(node, f.name), line, col)
    return node
