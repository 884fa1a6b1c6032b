"""Dropout.

Example:
    >>> import ember
    >>> from ember import nn
    >>> nn.Dropout(0.5).eval()(ember.ones(3))
    tensor([1., 1., 1.])
"""

from ember.nn import functional as F  # noqa: N812 - PyTorch's spelling
from ember.nn.module import Module
from ember.tensor.tensor import Tensor

__all__ = ["Dropout"]


class Dropout(Module):
    """In training, zero each element with probability `p` and scale the rest by 1/(1-p)."""

    __constants__ = ["p", "inplace"]

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        if self.inplace:
            return F._aten_dropout_(input, self.p, self.training)
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
