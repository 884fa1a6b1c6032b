"""Name the Python construct that made scripted source fail to parse.

The grammar alone decides what is accepted; this module only runs after a parse error, to
turn "unexpected token" into "lambda is not supported in scripted code" at the construct.

Example:
    >>> find_unsupported("def f(x):\\n    with x:\\n        pass\\n")
    (2, 5, 'with statement')
"""

from __future__ import annotations

import ast
import io
import tokenize

__all__ = ["find_unsupported"]

_NAMES = {
    ast.Lambda: "lambda",
    ast.With: "with statement",
    ast.AsyncWith: "async with statement",
    ast.Try: "try statement",
    ast.ClassDef: "class definition",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Global: "global statement",
    ast.Nonlocal: "nonlocal statement",
    ast.Delete: "del statement",
    ast.Import: "import statement",
    ast.ImportFrom: "import statement",
    ast.Starred: "star argument",
    ast.JoinedStr: "f-string",
    ast.Set: "set literal",
    ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression",
    ast.Await: "await",
    ast.AsyncFunctionDef: "async def",
    ast.AsyncFor: "async for",
    ast.NamedExpr: "assignment expression (:=)",
    ast.Match: "match statement",
}
if hasattr(ast, "TryStar"):
    _NAMES[ast.TryStar] = "try statement"


def find_unsupported(text: str, allow_classes: bool = False):
    """(line, col, construct) of the first construct outside the subset, 1-based, or None."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, RecursionError, MemoryError):  # Python's parser gives up on deep code
        return _first_keyword(text)
    found = []
    for parent in ast.walk(tree):
        for node in ast.iter_child_nodes(parent):
            what = _describe(node, parent, allow_classes)
            if what is not None and hasattr(node, "lineno"):
                stars = {"*args": 1, "**kwargs": 2}.get(what, 0)
                found.append((node.lineno, node.col_offset + 1 - stars, what))
    return min(found) if found else None


def _describe(node, parent, allow_classes):
    if isinstance(node, ast.Starred) and isinstance(node.ctx, ast.Store):
        return "starred assignment target"
    if isinstance(node, ast.Dict) and None in node.keys:
        return "** unpacking in a dict literal"
    if isinstance(node, ast.Raise) and node.cause is not None:
        return "raise ... from"
    if isinstance(node, ast.ListComp) and len(node.generators) > 1:
        return "a comprehension with several 'for' clauses"
    what = _NAMES.get(type(node))
    if what == "class definition" and (allow_classes and isinstance(parent, ast.Module)):
        return None
    if what is not None:
        return what
    if isinstance(node, ast.FunctionDef) and not isinstance(parent, ast.Module | ast.ClassDef):
        return "nested function definition"
    if isinstance(parent, ast.arguments) and node is parent.vararg:
        return "*args"
    if isinstance(parent, ast.arguments) and node is parent.kwarg:
        return "**kwargs"
    if isinstance(node, ast.keyword) and node.arg is None:
        return "** argument unpacking"
    if isinstance(node, ast.Constant) and node.value is Ellipsis and not _is_index(parent):
        return "Ellipsis (...) outside a subscript"
    if isinstance(node, ast.Constant) and isinstance(node.value, bytes | complex):
        return f"{type(node.value).__name__} literal"
    if isinstance(node, ast.For | ast.While) and node.orelse:
        return "else on a loop"
    return None


_KEYWORDS = {
    "lambda": "lambda",
    "with": "with statement",
    "try": "try statement",
    "except": "try statement",
    "finally": "try statement",
    "class": "class definition",
    "yield": "yield",
    "global": "global statement",
    "nonlocal": "nonlocal statement",
    "del": "del statement",
    "import": "import statement",
    "from": "import statement",
    "async": "async def",
    "await": "await",
}


def _first_keyword(text):
    """For text Python cannot parse either: the first unsupported keyword, if any."""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.NAME and tok.string in _KEYWORDS:
                return tok.start[0], tok.start[1] + 1, _KEYWORDS[tok.string]
    except (tokenize.TokenError, SyntaxError):
        pass
    return None


def _is_index(parent) -> bool:
    return isinstance(parent, ast.Subscript | ast.Tuple)
