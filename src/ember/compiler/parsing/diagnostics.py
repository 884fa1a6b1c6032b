"""Compile errors with a location: `file:line:col: message`, the source line and a caret.

A `Source` remembers where parsed text came from (file name, first line in the file and the
indentation removed by dedenting), so positions in the dedented text map back to the file:
for error messages (columns from 1) and for the `SourceLocation` of the ops lowered from an
AST node (columns from 0, as TorchScript prints them).

Example:
    >>> src = Source("    def f(x):\\n        return lambda: x\\n", "m.py", first_line=10)
    >>> print(src.error(2, 12, "lambda is not supported in scripted code"))
    m.py:11:16: lambda is not supported in scripted code
            return lambda: x
                   ^
    >>> from ember.compiler.parsing.syntax import Name
    >>> str(src.loc_of(Name(line=2, col=12, id="x")))
    'm.py:11:15'
"""

from __future__ import annotations

import textwrap

from ember.errors import CompileError, EmberError
from ember.ir.location import SourceLocation

__all__ = ["Source", "CompileError"]


class Source:
    """Text to parse plus the mapping of its positions back to the original file.

    `text` may be indented (a method's source); it is dedented for parsing and `indent`
    records how many columns were removed.
    """

    __slots__ = ("filename", "first_line", "original", "text", "indent", "_locs")

    def __init__(self, text: str, filename: str = "<string>", first_line: int = 1):
        self.filename = filename
        self.first_line = first_line
        self.original = text.splitlines()
        self.text = textwrap.dedent(text)
        first = next((s for s in self.text.splitlines() if s.strip()), "")
        orig = next((s for s in self.original if s.strip()), "")
        self.indent = len(orig) - len(orig.lstrip()) - (len(first) - len(first.lstrip()))
        self._locs: dict[tuple[int, int], SourceLocation] = {}

    @classmethod
    def whole_file(cls, text: str, filename: str) -> Source:
        """A Source for a whole file's text (not indented: nothing to dedent)."""
        self = cls.__new__(cls)
        self.filename, self.first_line, self.text, self.indent = filename, 1, text, 0
        self.original = text.splitlines()
        self._locs = {}
        return self

    def location(self, line: int, col: int) -> tuple[int, int]:
        """File line and column (1-based) of a 1-based position in the dedented text."""
        return self.first_line + line - 1, col + self.indent

    def line_text(self, line: int) -> str:
        """The original text of a 1-based line of the dedented text ('' past the end)."""
        return self.original[line - 1] if 0 < line <= len(self.original) else ""

    def loc_of(self, node) -> SourceLocation | None:
        """The `SourceLocation` of an AST node (None for a node the compiler made up)."""
        key = (node.line, node.col)
        loc = self._locs.get(key)
        if loc is None and node.line:
            fline, fcol = self.location(*key)
            loc = SourceLocation(self.filename, fline, fcol - 1, self.line_text(node.line))
            self._locs[key] = loc
        return loc

    def error(self, line: int, col: int, message: str, cls=CompileError) -> EmberError:
        """A CompileError (or another `cls`) for a 1-based position in the dedented text."""
        fline, fcol = self.location(line, col)
        text = self.line_text(line)
        rendered = f"{self.filename}:{fline}:{fcol}: {message}\n{text}\n{' ' * (fcol - 1)}^"
        err = cls(rendered)
        err.filename, err.line, err.col, err.msg = self.filename, fline, fcol, message
        return err

    def node_error(self, node, message: str, cls=CompileError) -> EmberError:
        """A CompileError (or another `cls`) located at an AST node."""
        return self.error(node.line or 1, node.col or 1, message, cls)
