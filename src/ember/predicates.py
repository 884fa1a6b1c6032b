"""`ember.is_tensor`, `ember.is_storage`, `ember.is_floating_point` as in PyTorch.

Example:
    >>> import ember
    >>> ember.is_tensor(ember.ones(1)), ember.is_tensor([1.0])
    (True, False)
"""

from ember.tensor import Tensor, TypedStorage, UntypedStorage


def is_tensor(obj) -> bool:
    """Whether `obj` is an ember Tensor (Parameters included)."""
    return isinstance(obj, Tensor)


def is_storage(obj) -> bool:
    """Whether `obj` is an untyped or typed storage."""
    return isinstance(obj, (UntypedStorage, TypedStorage))


def is_floating_point(input: Tensor) -> bool:  # noqa: A002 - PyTorch's argument name
    """Whether `input`'s dtype is a floating-point dtype."""
    return input.dtype.is_floating_point
