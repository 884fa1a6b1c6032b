"""`interpolate` of `ember.nn.functional`: nearest and bilinear resizing of (N, C, H, W) input.

Written in the scripting subset, as PyTorch's is: scripted code compiles it from this source
and calls ``aten::upsample_nearest2d.vec`` / ``aten::upsample_bilinear2d.vec``, the ops torch's
own F.interpolate calls (tracing records the same ops). Eager calls may give `size` and
`scale_factor` as one number for every spatial dim, as torch's do; scripted callers pass lists
(torch picks an overload of the function for numbers; ember's compiler has no overloads of
free functions). `mode` 'nearest' and 'bilinear' (with `align_corners`) on 4-D input are
supported; other modes raise NotImplementedError.

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> x = ember.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    >>> F.interpolate(x, scale_factor=2.0)[0, 0, 0]
    tensor([1., 1., 2., 2.])
    >>> F.interpolate(x, size=[3, 3], mode="bilinear", align_corners=True)[0, 0, 1]
    tensor([2.0000, 2.5000, 3.0000])
"""

# ruff: noqa: UP006, UP007, UP035, UP045 - typing.Optional/List: the scripting subset's spelling

import math
from typing import List, Optional

from ember.tensor.dispatch import call as _call
from ember.tensor.tensor import Tensor

__all__ = ["interpolate"]


def _is_scripting() -> bool:
    """False here; the compiler makes it True in scripted code (as ember.jit.is_scripting)."""
    return False


_is_scripting._ember_special = "is_scripting"


def _op(name: str):
    def mark(fn):
        fn.__ember_op__ = name
        return fn

    return mark


@_op("aten::upsample_nearest2d")
def _aten_upsample_nearest2d(
    input: Tensor, output_size: Optional[List[int]], scale_factors: Optional[List[float]]
) -> Tensor:
    return _call("aten::upsample_nearest2d.vec", input, output_size, scale_factors)


@_op("aten::upsample_bilinear2d")
def _aten_upsample_bilinear2d(
    input: Tensor,
    output_size: Optional[List[int]],
    align_corners: bool,
    scale_factors: Optional[List[float]],
) -> Tensor:
    return _call("aten::upsample_bilinear2d.vec", input, output_size, align_corners, scale_factors)


def _per_spatial_dim(value, dims: int):
    """Eager callers' one number for every spatial dim, as a list (lists stay lists)."""
    if value is None or isinstance(value, (list, tuple)):
        return None if value is None else list(value)
    return [value] * dims


def interpolate(
    input: Tensor,
    size: Optional[List[int]] = None,
    scale_factor: Optional[List[float]] = None,
    mode: str = "nearest",
    align_corners: Optional[bool] = None,
    recompute_scale_factor: Optional[bool] = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial dims of `input` to `size`, or by `scale_factor` (one of them)."""
    dims = input.dim() - 2
    if not _is_scripting():
        size = _per_spatial_dim(size, dims)
        scale_factor = _per_spatial_dim(scale_factor, dims)
    corners = False
    if mode == "nearest" or mode == "area" or mode == "nearest-exact":
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is not None:
        corners = align_corners
    output_size = _output_size(input, size, scale_factor, recompute_scale_factor)
    scale_factors = scale_factor
    if output_size is not None:
        scale_factors = None
    if antialias:
        raise NotImplementedError("interpolate: ember has no antialiased resampling")
    if mode == "nearest" and input.dim() == 4:
        return _aten_upsample_nearest2d(input, output_size, scale_factors)
    if mode == "bilinear" and input.dim() == 4:
        return _aten_upsample_bilinear2d(input, output_size, corners, scale_factors)
    if mode == "bilinear":
        raise NotImplementedError(f"Got {input.dim()}D input, but bilinear mode needs 4D input")
    raise NotImplementedError(
        f"interpolate: mode {mode} on {input.dim()}D input is not supported by ember "
        "(nearest and bilinear on 4D input are)"
    )


def _output_size(
    input: Tensor,
    size: Optional[List[int]],
    scale_factor: Optional[List[float]],
    recompute_scale_factor: Optional[bool],
) -> Optional[List[int]]:
    """The explicit output size, or, with recompute_scale_factor, floor(size * scale)."""
    dims = input.dim() - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    recompute = recompute_scale_factor is not None and recompute_scale_factor
    if size is not None:
        if len(size) != dims:
            raise ValueError(
                "Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {input.size()[2:]} and output size of {size}."
            )
        if recompute:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        return size
    if scale_factor is not None:
        if len(scale_factor) != dims:
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but "
                f"got input with spatial dimensions of {input.size()[2:]} and scale_factor of "
                f"shape {scale_factor}."
            )
        if not recompute:
            return None
        computed: List[int] = []
        for i in range(dims):
            computed.append(math.floor(float(input.size(i + 2)) * scale_factor[i]))
        return computed
    raise ValueError("either size or scale_factor should be defined")


interpolate.__module__ = "ember.nn.functional"  # compiled as torch's: torch.nn.functional
