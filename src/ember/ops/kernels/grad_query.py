"""aten::is_grad_enabled: whether gradient mode is on (`ember.no_grad` turns it off), and
aten::is_autocast_enabled / is_autocast_cpu_enabled: always False (ember has no autocast).

Ember records no gradients; the flag only mirrors what PyTorch code sets and reads, in eager
and in scripted code (where ``torch.is_grad_enabled()`` is this op). Model code asks for
autocast before choosing a path (torch's multi-head attention fast path does).

Example:
    >>> is_grad_enabled(), is_autocast_enabled()
    (True, False)
"""

from __future__ import annotations

from ember import grad_mode
from ember.ops.table import register

__all__ = ["is_grad_enabled", "is_autocast_enabled"]


def is_grad_enabled() -> bool:
    """whether gradient mode is on (ember.no_grad, set_grad_enabled and inference_mode set it)"""
    return grad_mode.is_grad_enabled()


register("is_grad_enabled() -> bool", is_grad_enabled, traits=(), faces="ember")


def is_autocast_enabled() -> bool:
    """whether autocast is on: never, ember has no autocast"""
    return False


register("is_autocast_enabled() -> bool", is_autocast_enabled, traits=(), faces="ember")
register("is_autocast_cpu_enabled() -> bool", is_autocast_enabled, traits=(), faces="ember")
