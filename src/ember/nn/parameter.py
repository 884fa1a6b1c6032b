"""`Parameter`: a tensor that a Module registers as one of its parameters.

A Parameter shares its data's storage (no copy) and defaults to ``requires_grad=True``;
requires_grad is a stored flag only (ember has no autograd).

Example:
    >>> import ember
    >>> p = ember.nn.Parameter(ember.ones(3))
    >>> p
    Parameter containing:
    tensor([1., 1., 1.], requires_grad=True)
"""

from __future__ import annotations

import numpy as np

from ember import dtypes
from ember.tensor.tensor import Tensor

__all__ = ["Parameter", "Buffer", "as_plain_tensor"]


def as_plain_tensor(t: Tensor, requires_grad: bool = False) -> Tensor:
    """A plain Tensor viewing the same memory as `t` (what `detach()` gives)."""
    return Tensor._make(t._np, t.untyped_storage(), requires_grad)


class Parameter(Tensor):
    """A Tensor that is a module parameter; ``Parameter(data=None, requires_grad=True)``."""

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            data = Tensor._make(np.empty(0, dtypes.get_default_dtype().np))
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter data must be a Tensor, got {type(data).__name__}")
        param = cls._make(data._np, data.untyped_storage())
        param._set_requires_grad(requires_grad)
        return param

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True):
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    @property
    def data(self) -> Tensor:
        """A plain tensor over the parameter's memory; assigning one re-points the parameter."""
        return as_plain_tensor(self)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"Parameter.data must be a Tensor, got {type(value).__name__}")
        self._np, self._st = value._np, value.untyped_storage()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (as_plain_tensor(self), self.requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = Parameter(Tensor._make(self._np.copy()), self.requires_grad)
        memo[id(self)] = result
        return result


def _rebuild_parameter(data: Tensor, requires_grad: bool) -> Parameter:
    return Parameter(data, requires_grad)


class Buffer(Tensor):
    """Marks a tensor to be registered as a buffer when assigned to a Module attribute.

    ``Buffer(data, persistent=True)``; the module stores a plain tensor sharing `data`.
    """

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        if data is None:
            data = Tensor._make(np.empty(0, dtypes.get_default_dtype().np))
        t = cls._make(data._np, data.untyped_storage(), data.requires_grad)
        t.persistent = persistent
        return t

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True):
        pass
