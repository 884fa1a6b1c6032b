"""The hard activations of `ember.nn.functional`: relu6, hardswish, hardsigmoid.

Written in the scripting subset (as PyTorch's are), so scripted callers compile them from
this source and call them; ``inplace=True`` runs the in-place op (``aten::hardswish_``),
which is what torch's archives of these functions call. `ember.nn.functional` re-exports
them (their ``__module__`` is set to it, so compiled code names them as torch does:
``__torch__.torch.nn.functional.hardswish``).

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> F.hardswish(ember.tensor([-4.0, 0.0, 1.0, 4.0]))
    tensor([-0.0000, 0.0000, 0.6667, 4.0000])
"""

from ember.tensor.dispatch import call as _call
from ember.tensor.tensor import Tensor

__all__ = ["relu6", "hardswish", "hardsigmoid"]


def _op(name: str):
    def mark(fn):
        fn.__ember_op__ = name
        return fn

    return mark


def _functional(fn):
    fn.__module__ = "ember.nn.functional"
    return fn


@_op("aten::relu6")
def _aten_relu6(self: Tensor) -> Tensor:
    return _call("aten::relu6", self)


@_op("aten::relu6_")
def _aten_relu6_(self: Tensor) -> Tensor:
    return _call("aten::relu6_", self)


@_op("aten::hardswish")
def _aten_hardswish(self: Tensor) -> Tensor:
    return _call("aten::hardswish", self)


@_op("aten::hardswish_")
def _aten_hardswish_(self: Tensor) -> Tensor:
    return _call("aten::hardswish_", self)


@_op("aten::hardsigmoid")
def _aten_hardsigmoid(self: Tensor) -> Tensor:
    return _call("aten::hardsigmoid", self)


@_op("aten::hardsigmoid_")
def _aten_hardsigmoid_(self: Tensor) -> Tensor:
    return _call("aten::hardsigmoid_", self)


@_functional
def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6) elementwise."""
    if inplace:
        return _aten_relu6_(input)
    return _aten_relu6(input)


@_functional
def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6 elementwise (floating dtypes)."""
    if inplace:
        return _aten_hardswish_(input)
    return _aten_hardswish(input)


@_functional
def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6 elementwise (floating dtypes)."""
    if inplace:
        return _aten_hardsigmoid_(input)
    return _aten_hardsigmoid(input)
