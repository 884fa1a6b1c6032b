"""Flatten.

Example:
    >>> import ember
    >>> from ember import nn
    >>> nn.Flatten()(ember.zeros(2, 3, 4)).shape
    ember.Size([2, 12])
"""

from ember.nn.module import Module
from ember.tensor.tensor import Tensor

__all__ = ["Flatten"]


class Flatten(Module):
    """Merges dims start_dim..end_dim (a view where possible)."""

    __constants__ = ["start_dim", "end_dim"]

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
