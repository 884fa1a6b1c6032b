"""Compile errors with a location: `file:line:col: message`, the source line and a caret.

A `Source` remembers where parsed text came from (file name, first line in the file and the
indentation removed by dedenting), so positions in the dedented text map back to the file.

Example:
    >>> src = Source("    def f(x):\\n        return lambda: x\\n", "m.py", first_line=10)
    >>> print(src.error(2, 12, "lambda is not supported in scripted code"))
    m.py:11:16: lambda is not supported in scripted code
            return lambda: x
                   ^
"""

from __future__ import annotations

import textwrap

from ember.errors import CompileError

__all__ = ["Source", "CompileError"]


class Source:
    """Text to parse plus the mapping of its positions back to the original file.

    `text` may be indented (a method's source); it is dedented for parsing and `indent`
    records how many columns were removed.
    """

    __slots__ = ("filename", "first_line", "original", "text", "indent")

    def __init__(self, text: str, filename: str = "<string>", first_line: int = 1):
        self.filename = filename
        self.first_line = first_line
        self.original = text.splitlines()
        self.text = textwrap.dedent(text)
        first = next((s for s in self.text.splitlines() if s.strip()), "")
        orig = next((s for s in self.original if s.strip()), "")
        self.indent = len(orig) - len(orig.lstrip()) - (len(first) - len(first.lstrip()))

    def location(self, line: int, col: int) -> tuple[int, int]:
        """File line and column (1-based) of a 1-based position in the dedented text."""
        return self.first_line + line - 1, col + self.indent

    def error(self, line: int, col: int, message: str) -> CompileError:
        """A CompileError for a 1-based position in the dedented text."""
        fline, fcol = self.location(line, col)
        text = self.original[line - 1] if 0 < line <= len(self.original) else ""
        rendered = f"{self.filename}:{fline}:{fcol}: {message}\n{text}\n{' ' * (fcol - 1)}^"
        err = CompileError(rendered)
        err.filename, err.line, err.col, err.msg = self.filename, fline, fcol, message
        return err

    def node_error(self, node, message: str) -> CompileError:
        """A CompileError located at an AST node."""
        return self.error(node.line or 1, node.col or 1, message)
