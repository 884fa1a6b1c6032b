"""Text from a file, made safe to print: a name in a checkpoint may hold terminal escape
sequences (clearing the screen, moving the cursor), carriage returns and newlines (forging
report lines) or bidirectional overrides (showing text reversed). Everything the `ember`
command prints passes through `printable` (the report through `printable_report`), which
writes each character Python does not count printable as its escape, as `repr` does.

Example:
    >>> printable("w\\x1b[2J\\rok\\u202e")
    'w\\\\x1b[2J\\\\rok\\\\u202e'
    >>> printable("line 1\\nline 2", lines=True)
    'line 1\\nline 2'
"""

from __future__ import annotations

__all__ = ["printable", "printable_report"]


def printable(text: str, lines: bool = False) -> str:
    """`text` with every non-printable character escaped (`lines=True` keeps newlines and
    tabs, for whole files)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or (lines and c in "\n\t") else _escape(c) for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    if char in "\n\r\t":
        return repr(char)[1:-1]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable_report(report: dict) -> dict:
    """A copy of an `inspect_file` report with every string printable; the ``text`` of a
    code file or of the program record (whole files) keeps its lines."""
    out = {key: _escaped(value) for key, value in report.items()}
    if report.get("code"):
        out["code"] = [_whole_file(entry) for entry in report["code"]]
    if report.get("program"):
        out["program"] = _whole_file(report["program"])
    return out


def _whole_file(entry: dict) -> dict:
    return {k: printable(v, lines=True) if k == "text" else _escaped(v) for k, v in entry.items()}


def _escaped(value):
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable(k) if isinstance(k, str) else k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(v) for v in value]
    return value
