"""Where an operation came from in the user's source: file, line, column and the line's text.

The compiler stamps each operation with the statement or expression it was lowered from, the
tracer with the user's stack frame that ran it. `.graph` prints locations after each op as
TorchScript does (``# file.py:12:8``), and run-time errors name the failing op's location and
source line. The column counts from 0, as TorchScript prints it and Python's `ast` reports it
(`CompileError` messages count from 1, as editors do). The line's text is kept so that errors
can show it without reading the file again.

Example:
    >>> loc = SourceLocation("model.py", 12, 11, "    return z @ y")
    >>> str(loc), loc.text.strip()
    ('model.py:12:11', 'return z @ y')
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SourceLocation"]


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """A position in a source file: `line` from 1, `col` from 0, `text` the whole line."""

    filename: str
    line: int
    col: int
    text: str = ""

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}:{self.col}"
