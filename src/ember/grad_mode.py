"""Gradient-mode switches as no-ops: ember has no autograd, but PyTorch code uses these.

`no_grad`, `enable_grad`, `inference_mode` and `set_grad_enabled` work as context managers and
as decorators, like PyTorch's; `is_grad_enabled()` reports the flag they set, which nothing
else reads.

Example:
    >>> import ember
    >>> with ember.no_grad():
    ...     ember.is_grad_enabled()
    False
    >>> ember.is_grad_enabled()
    True
"""

import functools

_enabled = [True]


def is_grad_enabled() -> bool:
    """Whether gradient mode is on (only the flag: ember records no gradients)."""
    return _enabled[0]


class _GradMode:
    """Context manager and decorator setting the flag to `self._mode` while active."""

    _mode = True

    def __enter__(self):
        self._prev = _enabled[0]
        _enabled[0] = self._mode
        return None

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__._clone(self):
                return func(*args, **kwargs)

        return wrapper

    def _clone(self):
        return self.__class__()


class no_grad(_GradMode):  # noqa: N801 - PyTorch's name
    """Turn gradient mode off (`with ember.no_grad():` or `@ember.no_grad()`)."""

    _mode = False


class enable_grad(_GradMode):  # noqa: N801 - PyTorch's name
    """Turn gradient mode on."""

    _mode = True


class inference_mode(_GradMode):  # noqa: N801 - PyTorch's name
    """`inference_mode(mode=True)`: gradient mode off while active (on if `mode` is False)."""

    def __init__(self, mode: bool = True):
        self._mode = not mode

    def __call__(self, func=None):
        if isinstance(func, bool):
            return inference_mode(func)
        return super().__call__(func)

    def _clone(self):
        return inference_mode(not self._mode)


class set_grad_enabled(_GradMode):  # noqa: N801 - PyTorch's name
    """Set gradient mode now (like PyTorch, the call itself applies it) and restore it on exit."""

    def __init__(self, mode: bool):
        self._prev = _enabled[0]
        self._mode = bool(mode)
        _enabled[0] = self._mode

    def __enter__(self):
        return None

    def _clone(self):
        clone = _GradMode()
        clone._mode = self._mode
        return clone

    def __call__(self, func):
        _enabled[0] = self._prev
        return super().__call__(func)
