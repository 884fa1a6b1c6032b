"""`ember._assert`: PyTorch's `torch._assert`, an assert that scripted code keeps.

Model code calls ``torch._assert(condition, message)`` where a plain ``assert`` would be
stripped by ``python -O`` or be invisible to symbolic tracing. Eager, it raises
AssertionError(message) when the condition (a bool or a one-element tensor) is false; in
scripted code the compiler makes it the statement ``assert condition, message``: an ``If``
whose false branch raises ``AssertionError: message``, which is what TorchScript emits.

Example:
    >>> import ember
    >>> ember._assert(ember.tensor(2) > 1, "too small")
    >>> ember._assert(False, "too small")
    Traceback (most recent call last):
      ...
    AssertionError: too small
"""

__all__ = ["_assert"]


def _assert(condition, message: str) -> None:
    """Raise AssertionError(message) unless `condition` is true."""
    if not condition:
        raise AssertionError(message)


_assert._ember_special = "assert"
