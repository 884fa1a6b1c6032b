"""What compiling one function needs: its parsed source, name scopes and defaults.

`FunctionSource.of_python(fn)` reads a Python function's source (`inspect.getsourcelines`,
parsed once per code object by `parse_python`) with its globals, closure and defaults;
archive code (`ember.compiler.modules.archive`) builds them from parsed code files.
`qualified_class_name` names Python classes and functions as TorchScript does.

Example:
    >>> def scale(x, k: float = 2.0):
    ...     return x * k
    >>> src = FunctionSource.of_python(scale)
    >>> src.fdef.name, src.defaults, src.qualified_name
    ('scale', {'k': 2.0}, '__torch__.torch.compiler.parsing.function_source.scale')
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import linecache
import textwrap

from ember.compiler.parsing.diagnostics import Source
from ember.compiler.parsing.parser import parse_function
from ember.errors import CompileError

__all__ = ["FunctionSource", "parse_python", "qualified_class_name", "qualified_function_name"]


def qualified_class_name(cls) -> str:
    """``__torch__`` name of a Python class (ember's own classes appear as torch's)."""
    return ".".join([*_module_parts(cls), cls.__qualname__.replace(".<locals>", "")])


def qualified_function_name(fn) -> str:
    """``__torch__`` name of a Python function: its module and its own name, as TorchScript
    names functions (a static method ``C.f`` is ``__torch__.<module>.f``, so that the name
    does not reach into the class's).

    >>> class C:
    ...     @staticmethod
    ...     def f(): pass
    >>> qualified_function_name(C.f).split(".")[-2:], qualified_function_name(lambda: 0)[-8:]
    (['function_source', 'f'], '._lambda')
    """
    name = fn.__name__
    return ".".join([*_module_parts(fn), "_lambda" if name == "<lambda>" else name])


def _module_parts(obj) -> list[str]:
    mod = getattr(obj, "__module__", None) or "__main__"
    if mod.startswith("ember."):
        mod = "torch." + mod[len("ember.") :]
    return ["__torch__", *([] if mod == "__main__" else mod.split("."))]


_PARSED: dict = {}


def parse_python(fn):
    """The AST of a Python function (cached per code object and file: equal code objects
    compare equal even when they come from different files, e.g. two doctests)."""
    code = fn.__code__
    key = (code, code.co_filename)
    tree = _PARSED.get(key)
    if tree is None:
        if code.co_name == "<lambda>":
            raise lambda_error(fn)
        try:
            lines, first = inspect.getsourcelines(fn)
        except (OSError, TypeError) as e:
            raise CompileError(f"cannot get the source of {fn.__qualname__}: {e}") from None
        filename = inspect.getsourcefile(fn) or code.co_filename
        if any(getattr(fn, mark, False) for mark in _SIGNATURE_ONLY):
            lines = _signature_only(lines)  # the body stays Python: it is never compiled
        tree = parse_function(Source("".join(lines), filename, first))
        _PARSED[key] = tree
    return tree


LAMBDA_MESSAGE = "lambdas cannot be scripted; define the function with def"


def lambda_error(fn) -> CompileError:
    """The located error for scripting a lambda (its source is an expression inside some
    statement, not a def).

    >>> square = lambda x: x * x  # noqa: E731
    >>> print(lambda_error(square))  # doctest: +ELLIPSIS
    <doctest ...>:1:10: lambdas cannot be scripted; define the function with def
    square = lambda x: x * x  # noqa: E731
             ^
    """
    code = fn.__code__
    text = "".join(linecache.getlines(code.co_filename))
    line = code.co_firstlineno
    col = _lambda_column(text, code) if text else 1
    return Source.whole_file(text, code.co_filename).error(line, col, LAMBDA_MESSAGE)


def _lambda_column(text: str, code) -> int:
    """1-based column of the lambda of `code` on its first line (the first lambda there
    whose body starts where the code's first instruction does)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return 1
    line = code.co_firstlineno
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda) and n.lineno == line]
    body_cols = {col for ln, _, col, _ in code.co_positions() if ln == line}
    chosen = next((n for n in found if n.body.col_offset in body_cols), None)
    chosen = chosen or (found[0] if found else None)
    if chosen is None:
        return 1
    encoded = text.splitlines()[line - 1].encode("utf-8")
    return len(encoded[: chosen.col_offset].decode("utf-8", "replace")) + 1


_SIGNATURE_ONLY = ("_ember_jit_unused", "_ember_jit_ignore", "_ember_overload_declaration")


def _signature_only(lines):
    """The source lines of a def up to its body, with the body replaced by `pass`."""
    text = textwrap.dedent("".join(lines))
    try:
        fdef = ast.parse(text).body[0]
    except (SyntaxError, IndexError):
        return lines
    first_body = fdef.body[0]
    start = first_body.lineno - 1
    if fdef.body[0].lineno == fdef.lineno:  # one-line def: `def f(x) -> int: ...`
        removed = len(lines[start]) - len(text.splitlines(True)[start])
        return [*lines[:start], lines[start][: first_body.col_offset + removed] + "pass\n"]
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    return [*lines[:start], indent + "pass\n"]


class FunctionSource:
    """What compiling one function needs: its AST, name scopes and parameter defaults."""

    def __init__(self, fdef, globals_, closure, defaults, qualified_name, python=None):
        self.fdef, self.globals, self.closure = fdef, globals_, closure
        self.defaults, self.qualified_name, self.python = defaults, qualified_name, python
        self.ignored = bool(getattr(python, "_ember_jit_ignore", False))
        self.unused = bool(getattr(python, "_ember_jit_unused", False))

    @classmethod
    def of_python(cls, fn):
        return cls(parse_python(fn), fn.__globals__, _closure(fn), _defaults(fn),
                   qualified_function_name(fn), fn)  # fmt: skip


def _closure(fn) -> dict:
    cells = fn.__closure__ or ()
    out = {}
    for name, cell in zip(fn.__code__.co_freevars, cells):
        with contextlib.suppress(ValueError):
            out[name] = cell.cell_contents
    return out


def _defaults(fn) -> dict:
    code = fn.__code__
    names = code.co_varnames[: code.co_argcount]
    out = dict(zip(names[len(names) - len(fn.__defaults__ or ()) :], fn.__defaults__ or ()))
    out.update(fn.__kwdefaults__ or {})
    return out
