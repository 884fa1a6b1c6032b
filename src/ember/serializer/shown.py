"""Values and exceptions from a hostile file, shortened for error messages.

`shown` never calls `repr` on a container: it walks at most a few levels and items of it, so a
memo-doubled tuple (2**40 leaves in 800 bytes of pickle) or a 200,000-deep nesting costs a few
microseconds to show. `error_text` does the same for an exception's message.

Example:
    >>> shown((1, 7**9000))
    '(1, <int of 25267 bits>)'
    >>> t = 0
    >>> for _ in range(40):
    ...     t = (t, t)
    >>> shown(t)
    '((((...), (...)), ((...), (...))), (((...), (...)), ((...), (...))))'
"""

from __future__ import annotations

import itertools

__all__ = ["shown", "error_text"]

_LEVELS = 3
_ITEMS = 6
_TEXT = 80
_BITS = 256
_BRACKETS = {tuple: "()", list: "[]", set: "{}", frozenset: "{}", dict: "{}"}


def shown(value, limit: int = 200) -> str:
    """A short `repr` of `value` for an error message (at most `limit` characters).

    >>> shown(list(range(100)))
    '[0, 1, 2, 3, 4, 5, ...]'
    """
    text = _short(value, _LEVELS)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _short(value, levels: int) -> str:
    for kind, brackets in _BRACKETS.items():
        if isinstance(value, kind):
            return _container(value, kind, brackets, levels)
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > _BITS:
        return f"<int of {value.bit_length()} bits>"
    if isinstance(value, (str, bytes, bytearray)) and len(value) > _TEXT:
        return repr(value[:_TEXT]) + "..."
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001  (deep nesting, odd or half-built objects)
        return f"<{type(value).__name__} that cannot be shown>"
    return text if len(text) <= _TEXT else text[: _TEXT - 3] + "..."


def _container(value, kind, brackets: str, levels: int) -> str:
    open_, close = brackets
    if kind is frozenset:
        open_, close = "frozenset({", "})"
    if not value:
        return repr(kind())
    if levels <= 0:
        return f"{open_}...{close}"
    if kind is dict:
        pairs = itertools.islice(value.items(), _ITEMS)
        parts = [f"{_short(k, levels - 1)}: {_short(v, levels - 1)}" for k, v in pairs]
    else:
        parts = [_short(item, levels - 1) for item in itertools.islice(value, _ITEMS)]
    if len(value) > _ITEMS:
        parts.append("...")
    elif kind is tuple and len(value) == 1:
        parts[0] += ","
    body = ", ".join(parts)
    if type(value) is not kind:  # OrderedDict, Counter, torch.Size, ...
        return f"{type(value).__name__}({open_}{body}{close})"
    return f"{open_}{body}{close}"


def error_text(exc: BaseException, limit: int = 300, named: bool = True) -> str:
    """`Type: message` of an exception (just the message if not `named`), shortened; a
    KeyError's key is shown with `shown`.

    >>> error_text(KeyError(tuple(range(50))))
    'KeyError: (0, 1, 2, 3, 4, 5, ...)'
    """
    name = type(exc).__name__
    if isinstance(exc, KeyError) and len(exc.args) == 1:
        text = shown(exc.args[0])
    else:
        try:
            text = str(exc)
        except Exception:  # noqa: BLE001
            text = ""
    if named or not text:
        text = f"{name}: {text}" if text else name
    return text if len(text) <= limit else text[: limit - 3] + "..."
