"""What the tracer tells the user: TracerWarning (trace became example-specific) and
TracingCheckError (the traced program disagrees with eager code).

Warnings point at the user's own source line: the first stack frame outside the ember
package, so `warnings` prints ``model.py:12: TracerWarning: ...`` and the offending line.
Recorded ops carry the same frame's position as their `SourceLocation` (`user_location`).

Example:
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     warn_example_specific("bool")
    >>> w[0].category.__name__, "Python boolean" in str(w[0].message)
    ('TracerWarning', True)
"""

from __future__ import annotations

import functools
import itertools
import linecache
import os
import sys
import warnings

from ember.errors import TraceError
from ember.ir.location import SourceLocation

__all__ = [
    "TracerWarning",
    "TracingCheckError",
    "warn_example_specific",
    "warn",
    "user_frame",
    "user_location",
]

_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_EMBER_CODE = (_EMBER_DIR, "<ember ")


class TracerWarning(Warning):
    """The trace recorded a value of the example as a constant; it may not generalise."""

    __module__ = "ember.jit"


class TracingCheckError(TraceError):
    """check_trace found outputs of the traced program that differ from eager execution."""

    __module__ = "ember.jit"

    def __init__(self, message: str):
        super().__init__("Tracing failed sanity checks!\n" + message)


_CONVERT = (
    "Converting a tensor to a Python {what} might cause the trace to be incorrect. We can't "
    "record the data flow of Python values, so this value will be treated as a constant in the "
    "future. This means that the trace might not generalize to other inputs!"
)

_SIZE = (
    "Converting a tensor's size to a Python {what} might cause the trace to be "
    "incorrect: the trace keeps its value as a constant, so it might not generalize to "
    "inputs of other shapes! (Pass sizes on as they are: x.view(x.size(0), -1).)"
)

MESSAGES = {
    "bool": _CONVERT.format(what="boolean"),
    "int": _CONVERT.format(what="integer"),
    "float": _CONVERT.format(what="float"),
    "number": _CONVERT.format(what="number"),
    "list": _CONVERT.format(what="list"),
    "complex": _CONVERT.format(what="complex"),
    "numpy": _CONVERT.replace("a Python {what}", "a NumPy array"),
    "size_bool": (
        "Comparing a tensor's size to a Python value might cause the trace to be incorrect: "
        "the branch it decides is baked into the trace, so the trace might not generalize to "
        "inputs of other shapes!"
    ),
    "size_int": _SIZE.format(what="integer"),
    "size_float": _SIZE.format(what="float"),
    "size_truth": (
        "Using a tensor's size as a Python boolean might cause the trace to be incorrect: "
        "the branch it decides is baked into the trace, so the trace might not generalize to "
        "inputs of other shapes!"
    ),
    "len": (
        "Using len to get tensor shape might cause the trace to be incorrect. Recommended usage "
        "would be tensor.shape[0]. Passing a tensor of different shape might lead to errors or "
        "silently give incorrect results."
    ),
    "iter": (
        "Iterating over a tensor might cause the trace to be incorrect. Passing a tensor of "
        "different shape won't change the number of iterations executed (and might lead to "
        "errors or silently give incorrect results)."
    ),
}


def user_frame():
    """(stacklevel, frame) of the innermost caller outside ember (for warnings.warn); code
    ember generates (``<ember op aten::neg>``, ``<ember graph forward #3>``) is ember's too."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_EMBER_CODE):
        frame = frame.f_back
        level += 1
    return level, frame


def user_location() -> SourceLocation | None:
    """Where the user's code is running: the file, line and column (from 0) of the expression
    the innermost frame outside ember is executing, with the text of its line.

    >>> loc = user_location()
    >>> loc.line > 0, loc.text.strip()
    (True, 'loc = user_location()')
    """
    _, frame = user_frame()
    if frame is None:
        return None
    return _site(frame.f_code, frame.f_lasti, frame.f_lineno)


@functools.lru_cache(maxsize=4096)
def _site(code, lasti: int, lineno: int) -> SourceLocation:
    """The location of instruction `lasti` of `code` (cached: loops trace one site often)."""
    positions = itertools.islice(code.co_positions(), lasti // 2, None)
    line, _, col, _ = next(positions, (None, None, None, None))
    line = line or lineno
    text = linecache.getline(code.co_filename, line).rstrip("\r\n")
    return SourceLocation(code.co_filename, line, col or 0, text)


def warn(message: str) -> None:
    """Issue a TracerWarning attributed to the user's source line."""
    level, _ = user_frame()
    warnings.warn(message, TracerWarning, stacklevel=level)


def warn_example_specific(kind: str) -> None:
    """Warn that a tensor became a Python value of `kind` (see MESSAGES) during tracing."""
    warn(MESSAGES[kind])
