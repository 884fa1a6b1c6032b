"""aten::is_grad_enabled: whether gradient mode is on (`ember.no_grad` turns it off).

Ember records no gradients; the flag only mirrors what PyTorch code sets and reads, in eager
and in scripted code (where ``torch.is_grad_enabled()`` is this op).

Example:
    >>> is_grad_enabled()
    True
"""

from __future__ import annotations

from ember import grad_mode
from ember.ops.table import register

__all__ = ["is_grad_enabled"]


def is_grad_enabled() -> bool:
    """whether gradient mode is on (ember.no_grad, set_grad_enabled and inference_mode set it)"""
    return grad_mode.is_grad_enabled()


register("is_grad_enabled() -> bool", is_grad_enabled, traits=(), faces="ember")
