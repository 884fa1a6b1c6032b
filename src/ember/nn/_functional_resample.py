"""`interpolate` of `ember.nn.functional`: resizing the spatial dims of (N, C, *) input.

Written in the scripting subset, as PyTorch's is: scripted code compiles it from this source
and calls the ops torch's own F.interpolate calls (``aten::upsample_nearest2d.vec``, ...;
tracing records the same ops). Eager calls may give `size` and
`scale_factor` as one number for every spatial dim, as torch's do; scripted callers pass lists
(torch picks an overload of the function for numbers; ember's compiler has no overloads of
free functions). Modes 'nearest', 'nearest-exact', 'linear' (3-D input), 'bilinear' (4-D),
'trilinear' (5-D) and 'area' (3-D and 4-D) are supported, as the ops torch calls for them
(``aten::upsample_*``, ``aten::adaptive_avg_pool*``); 'bicubic', 'lanczos' and antialiasing
raise NotImplementedError.

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


@_op("aten::upsample_nearest1d")
def _nearest1d(input: Tensor, size: Optional[List[int]], scales: Optional[List[float]]) -> Tensor:
    return _call("aten::upsample_nearest1d.vec", input, size, scales)


@_op("aten::upsample_nearest2d")
def _nearest2d(input: Tensor, size: Optional[List[int]], scales: Optional[List[float]]) -> Tensor:
    return _call("aten::upsample_nearest2d.vec", input, size, scales)


@_op("aten::upsample_nearest3d")
def _nearest3d(input: Tensor, size: Optional[List[int]], scales: Optional[List[float]]) -> Tensor:
    return _call("aten::upsample_nearest3d.vec", input, size, scales)


@_op("aten::_upsample_nearest_exact1d")
def _exact1d(input: Tensor, size: Optional[List[int]], scales: Optional[List[float]]) -> Tensor:
    return _call("aten::_upsample_nearest_exact1d.vec", input, size, scales)


@_op("aten::_upsample_nearest_exact2d")
def _exact2d(input: Tensor, size: Optional[List[int]], scales: Optional[List[float]]) -> Tensor:
    return _call("aten::_upsample_nearest_exact2d.vec", input, size, scales)


@_op("aten::_upsample_nearest_exact3d")
def _exact3d(input: Tensor, size: Optional[List[int]], scales: Optional[List[float]]) -> Tensor:
    return _call("aten::_upsample_nearest_exact3d.vec", input, size, scales)


@_op("aten::upsample_linear1d")
def _linear1d(
    input: Tensor, size: Optional[List[int]], corners: bool, scales: Optional[List[float]]
) -> Tensor:
    return _call("aten::upsample_linear1d.vec", input, size, corners, scales)


@_op("aten::upsample_bilinear2d")
def _bilinear2d(
    input: Tensor, size: Optional[List[int]], corners: bool, scales: Optional[List[float]]
) -> Tensor:
    return _call("aten::upsample_bilinear2d.vec", input, size, corners, scales)


@_op("aten::upsample_trilinear3d")
def _trilinear3d(
    input: Tensor, size: Optional[List[int]], corners: bool, scales: Optional[List[float]]
) -> Tensor:
    return _call("aten::upsample_trilinear3d.vec", input, size, corners, scales)


@_op("aten::adaptive_avg_pool1d")
def _area1d(input: Tensor, size: List[int]) -> Tensor:
    return _call("aten::adaptive_avg_pool1d", input, size)


@_op("aten::adaptive_avg_pool2d")
def _area2d(input: Tensor, size: List[int]) -> Tensor:
    return _call("aten::adaptive_avg_pool2d", input, size)


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
    if mode == "area" and size is None:
        recompute_scale_factor = True  # torch's rule: area pools to a computed size
    output_size = _output_size(input, size, scale_factor, recompute_scale_factor)
    scale_factors = scale_factor
    if output_size is not None:
        scale_factors = None
    if antialias or mode == "bicubic" or mode == "lanczos":
        raise NotImplementedError(
            f"interpolate: mode {mode} (or antialias) is not supported by ember"
        )
    return _resample(input, output_size, scale_factors, mode, corners)


def _resample(
    input: Tensor,
    output_size: Optional[List[int]],
    scale_factors: Optional[List[float]],
    mode: str,
    corners: bool,
) -> Tensor:
    """The op of `mode` for `input`'s number of spatial dims."""
    dims = input.dim() - 2
    if mode == "nearest":
        if dims == 1:
            return _nearest1d(input, output_size, scale_factors)
        if dims == 2:
            return _nearest2d(input, output_size, scale_factors)
        if dims == 3:
            return _nearest3d(input, output_size, scale_factors)
    if mode == "nearest-exact":
        if dims == 1:
            return _exact1d(input, output_size, scale_factors)
        if dims == 2:
            return _exact2d(input, output_size, scale_factors)
        if dims == 3:
            return _exact3d(input, output_size, scale_factors)
    if mode == "area" and output_size is not None:
        if dims == 1:
            return _area1d(input, output_size)
        if dims == 2:
            return _area2d(input, output_size)
    wanted = {"linear": 1, "bilinear": 2, "trilinear": 3}
    if mode in wanted and 1 <= dims <= 3:
        if wanted[mode] != dims:
            raise NotImplementedError(
                f"Got {dims + 2}D input, but {mode} mode needs {wanted[mode] + 2}D input"
            )
        if dims == 1:
            return _linear1d(input, output_size, corners, scale_factors)
        if dims == 2:
            return _bilinear2d(input, output_size, corners, scale_factors)
        return _trilinear3d(input, output_size, corners, scale_factors)
    raise NotImplementedError(
        f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {dims + 2}D) for the "
        "modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
        f"nearest-exact (got {mode}) (ember: area on 5D input is not supported)"
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
