"""numpy kernel of aten::group_norm: normalisation over groups of channels.

An (N, C, *) input splits its C channels into `num_groups` groups; each (sample, group)
normalises with its own mean and biased variance (accumulated in float64), then each channel
scales and shifts by `weight` and `bias`. As PyTorch's CPU kernel, the per-channel terms are
folded first: out = x * (rstd * weight) + (bias - mean * rstd * weight).

Example:
    >>> import numpy as np
    >>> x = np.array([[1.0, 3.0, 0.0, 4.0]], np.float32)
    >>> group_norm(x, 2, None, None, 0.0).tolist()
    [[-1.0, 1.0, -1.0, 1.0]]
"""

from __future__ import annotations

import numpy as np

from ember.ops.kernels.checks import require
from ember.ops.table import register

__all__ = ["group_norm"]


def _check(input, num_groups: int, weight, bias) -> None:
    channels = input.shape[1] if input.ndim > 1 else 0
    if num_groups <= 0 or channels % num_groups != 0:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {list(input.shape)} and num_groups={num_groups}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.size != channels):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {list(t.shape)} and input of shape "
                f"{list(input.shape)}"
            )
    require("group_norm", input, "f")


def group_norm(input, num_groups: int, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    """aten::group_norm: normalise each group of channels of each sample"""
    if input.ndim < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.ndim}"
        )
    _check(input, num_groups, weight, bias)
    if input.size == 0:
        return input.copy()
    dtype = np.dtype(np.float64) if input.dtype == np.float64 else np.dtype(np.float32)
    n, c = input.shape[:2]
    x = input.astype(dtype, copy=False).reshape(n, num_groups, -1)
    mean = x.mean(axis=2, dtype=np.float64)
    var = np.square(x - mean[..., None].astype(dtype)).mean(axis=2, dtype=np.float64)
    rstd = (1.0 / np.sqrt(var + eps)).astype(dtype)
    per_group = c // num_groups
    scale = np.repeat(rstd, per_group, axis=1)  # (n, c)
    if weight is not None:
        scale = scale * weight.astype(dtype)
    shift = -np.repeat(mean.astype(dtype), per_group, axis=1) * scale
    if bias is not None:
        shift = shift + bias.astype(dtype)
    out = x.reshape(n, c, -1) * scale[..., None] + shift[..., None]
    return out.reshape(input.shape).astype(input.dtype, copy=False)


register(
    "group_norm(Tensor input, int num_groups, Tensor? weight=None, Tensor? bias=None, "
    "float eps=1.0000000000000001e-05, bool cudnn_enabled=True) -> Tensor",
    group_norm,
    doc="group normalisation over dim 1 split into num_groups groups",
)
