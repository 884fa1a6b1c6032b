"""Marks in printed code that record which op each piece of text came from.

The `.code` printer (`ember.ir.code_printer.code_text`, given a `marks` list) brackets the
text of each located op between two invisible characters, the first followed by one
character numbering the op's location in `marks`. Text built from nested expressions keeps
its marks, so after a whole code file is printed `strip_marks` recovers, for each stretch
of the clean text, the location of the innermost op it belongs to: an archive's source
ranges (``*.debug_pkl``). Line-length decisions use `visible_len`, which skips the marks.
"""

from __future__ import annotations

import re

__all__ = ["marked", "strip_marks", "visible_len"]

_BEGIN, _END, _INDEX = "\ue000", "\ue001", 0xF0000
_MAX_MARKS = 0x10FFFF - _INDEX
_MARK = re.compile(f"{_BEGIN}(.)|{_END}", re.DOTALL)


def marked(marks: list, loc, text: str) -> str:
    """`text` bracketed by marks naming `loc` (appended to `marks`; past the limit of
    distinct marks, the text stays unmarked).

    >>> marks = []
    >>> visible_len(marked(marks, "m.py:1:0", "torch.relu(x)")), marks
    (13, ['m.py:1:0'])
    """
    if len(marks) >= _MAX_MARKS:
        return text
    marks.append(loc)
    return f"{_BEGIN}{chr(_INDEX + len(marks) - 1)}{text}{_END}"


def visible_len(text: str) -> int:
    """The length of `text` without its marks."""
    return len(text) - 2 * text.count(_BEGIN) - text.count(_END)


def strip_marks(text: str, marks: list):
    """(text without marks, [(offset, location or None)]): from each offset on, the code
    came from that location, until the next entry (see `code_text`).

    >>> from ember.ir import Builder, Graph, SourceLocation, code_text, types as T
    >>> b = Builder(Graph("f"))
    >>> x = b.add_input(T.TensorType.get(), "x")
    >>> with b.located(SourceLocation("m.py", 3, 4, "    x.relu()")):
    ...     b.return_(b.emit("aten::relu", x))
    >>> marks = []
    >>> text, entries = strip_marks(code_text(b.graph, marks=marks), marks)
    >>> [(text[at:at + 10].strip(), str(loc)) for at, loc in entries]
    [('torch.relu', 'm.py:3:4'), ('', 'None')]
    """
    parts = _MARK.split(text)  # text, mark, text, mark, ...: a mark is its index or None (end)
    entries, stack, pos = [], [], len(parts[0])
    for i in range(1, len(parts), 2):
        index = parts[i]
        if index is not None:
            stack.append(marks[ord(index) - _INDEX])
        else:
            stack.pop()
        loc = stack[-1] if stack else None
        if entries and entries[-1][0] == pos:
            entries[-1] = (pos, loc)
        else:
            entries.append((pos, loc))
        pos += len(parts[i + 1])
    return "".join(parts[::2]), entries
