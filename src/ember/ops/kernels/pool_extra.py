"""aten::adaptive_avg_pool1d (the 2-D kernel on a height-1 view) and aten::adaptive_avg_pool3d
(in the table because torch's archives of F.interpolate name it; running it raises).

Example:
    >>> import numpy as np
    >>> adaptive_avg_pool1d(np.arange(6.0, dtype=np.float32).reshape(1, 1, 6), [2]).tolist()
    [[[1.0, 4.0]]]
"""

from __future__ import annotations

from ember.ops.kernels import nn_pool as k_pool
from ember.ops.table import register

__all__ = ["adaptive_avg_pool1d"]


def adaptive_avg_pool1d(input, output_size):
    """average pooling of (N, C, L) or (C, L) input to output_size[0] along L"""
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument "
            "#1 'self' (while checking arguments for adaptive_avg_pool1d)"
        )
    out = k_pool.adaptive_avg_pool2d(input[..., None, :], [1, int(output_size[0])])
    return out[..., 0, :]


def _adaptive_avg_pool3d(input, output_size):
    raise NotImplementedError("adaptive_avg_pool3d is not supported by ember")


register("adaptive_avg_pool1d(Tensor self, int[1] output_size) -> Tensor", adaptive_avg_pool1d,
         faces="ember F")  # fmt: skip
register(
    "adaptive_avg_pool3d(Tensor self, SymInt[3] output_size) -> Tensor",
    _adaptive_avg_pool3d,
    doc="3-D adaptive average pooling (unsupported: raises)",
)
