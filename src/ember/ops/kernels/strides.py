"""PyTorch's stride rules for views, where numpy's differ (size-1 dimensions).

Example:
    >>> view_strides((4, 1, 1), (1, 4, 12), (4, 1))
    [1, 12]
"""

from __future__ import annotations

__all__ = ["view_strides", "is_canonical"]


def view_strides(shape, strides, new_shape):
    """PyTorch's strides for viewing (shape, strides) as `new_shape`, or None if no view exists.

    Dimensions are merged or split chunk by chunk of memory-contiguous dims; size-1 dims of
    the new shape take the stride of their chunk (numpy picks other strides for them).
    """
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    base = strides[-1] if strides else 1
    tensor_numel = view_numel = 1
    for d in range(len(shape) - 1, -1, -1):
        tensor_numel *= shape[d]
        if d == 0 or (shape[d - 1] != 1 and strides[d - 1] != tensor_numel * base):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * base
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if d > 0:
                base, tensor_numel, view_numel = strides[d - 1], 1, 1
    while view_d >= 0 and new_shape[view_d] == 1:  # leading size-1 dims of a 0-d input
        new_strides[view_d] = base
        view_d -= 1
    return new_strides if view_d == -1 else None


def is_canonical(a) -> bool:
    """Whether a has exactly C-contiguous strides (size-1 dims included): then numpy's view
    strides for any shape are PyTorch's contiguous ones."""
    if not a.flags.c_contiguous:
        return False
    step = a.itemsize
    for size, stride in zip(reversed(a.shape), reversed(a.strides)):
        if stride != step:
            return False
        step *= size
    return True
