"""numpy kernels for 2-D pooling: aten::max_pool2d(_with_indices), avg_pool2d, adaptive_avg_pool2d.

Same conventions as `ember.ops.kernels.nn`. Pools combine whole-plane strided views, one per kernel
offset, so numpy's loops run along output rows rather than over tiny window axes.

Example:
    >>> import numpy as np
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> max_pool2d(x, 2)[0, 0]
    array([[ 5.,  7.],
           [13., 15.]], dtype=float32)
"""

from __future__ import annotations

import numpy as np

from ember.ops.kernels.checks import cpp_name as _cpp
from ember.ops.kernels.checks import kind_of, not_implemented, require
from ember.ops.kernels.nn import (
    _LOW_PRECISION,
    _batched,
    _compute_dtype,
    _out_size,
    _window_slices,
    pair,
)
from ember.ops.table import register

__all__ = ["max_pool2d", "max_pool2d_with_indices", "avg_pool2d", "adaptive_avg_pool2d"]


# -- pooling ------------------------------------------------------------------------------


def _pool_batched(input, name):
    """(N, C, H, W) `input` (unbatched inputs gain N=1) after PyTorch's shape checks."""
    if input.ndim not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    if any(size == 0 for size in input.shape[-3:]):
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
            f"but got:{list(input.shape)}"
        )
    return _batched(input, 4, name)


def _pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode):
    kernel = pair(kernel_size)
    stride = pair(stride) if stride not in (None, [], ()) else kernel
    padding, dilation = pair(padding), pair(dilation)
    if 0 in stride:
        raise RuntimeError("stride should not be zero")
    if min(kernel) <= 0:
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kH: {kernel[0]} kW: {kernel[1]}"
        )
    if min(dilation) <= 0:
        raise RuntimeError(
            "dilation should be greater than zero, but got dilationH: "
            f"{dilation[0]} dilationW: {dilation[1]}"
        )
    for k, p, d in zip(kernel, padding, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k} and dilation={d}"
            )
    if any(p > k // 2 for k, p in zip(kernel, padding)):
        raise RuntimeError(
            "pad should be smaller than or equal to half of kernel size, but got "
            f"padW = {padding[1]}, padH = {padding[0]}, kW = {kernel[1]}, kH = {kernel[0]}"
        )
    c, h, w = x.shape[-3:]
    oh = _out_size(h, kernel[0], stride[0], padding[0], padding[0], dilation[0], ceil_mode)
    ow = _out_size(w, kernel[1], stride[1], padding[1], padding[1], dilation[1], ceil_mode)
    if oh < 1 or ow < 1:
        raise RuntimeError(
            f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{oh}x{ow}). "
            "Output size is too small"
        )
    return kernel, stride, padding, dilation, (oh, ow)


def _pad_for_windows(x, fill, padding, kernel, stride, dilation, out_hw):
    """`x` padded by `padding` on the left and enough on the right for every window."""
    h, w = x.shape[-2:]
    need_h = (out_hw[0] - 1) * stride[0] + dilation[0] * (kernel[0] - 1) + 1
    need_w = (out_hw[1] - 1) * stride[1] + dilation[1] * (kernel[1] - 1) + 1
    hi_h = max(need_h - h - padding[0], 0)
    hi_w = max(need_w - w - padding[1], 0)
    if not (padding[0] or padding[1] or hi_h or hi_w):
        return x
    widths = ((0, 0), (0, 0), (padding[0], hi_h), (padding[1], hi_w))
    return np.pad(x, widths, constant_values=fill)


def _lowest(dtype: np.dtype):
    if dtype.kind == "f" or dtype.name in _LOW_PRECISION:
        return -np.inf
    return np.iinfo(dtype).min


def _pool_input(input, kernel_size, stride, padding, dilation, ceil_mode, fill):
    x, unbatched = _pool_batched(input, "max_pool2d")
    kernel, stride, padding, dilation, out_hw = _pool_geometry(
        x, kernel_size, stride, padding, dilation, ceil_mode
    )
    padded = _pad_for_windows(x, fill, padding, kernel, stride, dilation, out_hw)
    return x, unbatched, padded, (kernel, stride, padding, dilation, out_hw)


def max_pool2d_with_indices(
    input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False
) -> tuple:
    """aten::max_pool2d_with_indices: (values, int64 indices flat in each input plane)."""
    require("max_pool2d", input, "uif")
    x, unbatched, padded, geometry = _pool_input(
        input, kernel_size, stride, padding, dilation, ceil_mode, _lowest(input.dtype)
    )
    kernel, stride, padding, dilation, out_hw = geometry
    slices = _window_slices(padded, out_hw, kernel, stride, dilation)
    _, first = next(slices)
    best = first.copy()
    offset = np.zeros(best.shape, np.int64)
    check_nan = best.dtype.kind == "f"
    for k, view in slices:
        # PyTorch's rule: a strictly greater value or a NaN takes over.
        take = view > best
        if check_nan:
            take |= np.isnan(view)
        np.copyto(best, view, where=take)
        offset[take] = k
    rows = (
        np.arange(out_hw[0])[:, None] * stride[0] - padding[0] + (offset // kernel[1]) * dilation[0]
    )
    cols = np.arange(out_hw[1]) * stride[1] - padding[1] + (offset % kernel[1]) * dilation[1]
    # A window whose maximum is padding reports its first tap at or past the top-left edge.
    row0 = _first_tap(np.arange(out_hw[0]) * stride[0] - padding[0], dilation[0])[:, None]
    col0 = _first_tap(np.arange(out_hw[1]) * stride[1] - padding[1], dilation[1])
    padded_max = (rows < 0) | (cols < 0)
    rows, cols = np.where(padded_max, row0, rows), np.where(padded_max, col0, cols)
    indices = rows * x.shape[3] + cols
    if unbatched:
        return best[0], indices[0]
    return best, indices


def _first_tap(starts, dilation):
    """The first window position at or after 0 for windows starting at `starts`."""
    behind = np.maximum(-starts, 0)
    return starts + -(-behind // dilation) * dilation


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """aten::max_pool2d on (N, C, H, W) or (C, H, W) arrays; NaN propagates as in PyTorch."""
    require("max_pool2d", input, "uif")
    x, unbatched, padded, geometry = _pool_input(
        input, kernel_size, stride, padding, dilation, ceil_mode, _lowest(input.dtype)
    )
    slices = _window_slices(padded, geometry[4], *geometry[:2], geometry[3])
    _, first = next(slices)
    out = first.copy()
    for _, view in slices:
        np.maximum(out, view, out=out)
    return out[0] if unbatched else out


def _avg_divisors(size, out, kernel, stride, pad, count_include_pad) -> np.ndarray:
    start = np.arange(out) * stride - pad
    end = np.minimum(start + kernel, size + pad)
    if count_include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)


def avg_pool2d(
    input,
    kernel_size,
    stride=(),
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """aten::avg_pool2d with PyTorch's divisor rules (padding, ceil_mode, divisor_override)."""
    if kind_of(input) != "f" and input.dtype != np.int64:
        raise not_implemented("avg_pool2d", input)
    x, unbatched = _pool_batched(input, "avg_pool2d")
    kernel, stride, padding, dilation, out_hw = _pool_geometry(
        x, kernel_size, stride, padding, 1, ceil_mode
    )
    dtype = _compute_dtype(x)
    padded = _pad_for_windows(x, 0, padding, kernel, stride, dilation, out_hw)
    total = np.zeros((*x.shape[:2], *out_hw), dtype)
    for _, view in _window_slices(padded, out_hw, kernel, stride, dilation):
        total += view
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if divisor_override:
        out = total / dtype.type(divisor_override)
    else:
        h, w = x.shape[-2:]
        dh = _avg_divisors(h, out_hw[0], kernel[0], stride[0], padding[0], count_include_pad)
        dw = _avg_divisors(w, out_hw[1], kernel[1], stride[1], padding[1], count_include_pad)
        out = total / (dh[:, None] * dw[None, :]).astype(dtype)
    out = out.astype(x.dtype, copy=False)
    return out[0] if unbatched else out


def _adaptive_bounds(size: int, out: int):
    idx = np.arange(out)
    return (idx * size) // out, -((-(idx + 1) * size) // out)


def _adaptive_input(input, output_size):
    """(batched x, unbatched flag, (OH, OW)) after PyTorch's checks of adaptive_avg_pool2d."""
    if input.ndim not in (3, 4):
        raise RuntimeError(
            f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(input.shape)}"
        )
    for dim in range(input.ndim - 3, input.ndim):
        if input.shape[dim] == 0:
            raise RuntimeError(
                "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {list(input.shape)} with dimension {dim} being "
                "empty"
            )
    sizes = pair(output_size) if not isinstance(output_size, (list, tuple)) else output_size
    h, w = input.shape[-2:]
    oh, ow = (h if sizes[0] is None else int(sizes[0])), (w if sizes[1] is None else int(sizes[1]))
    if oh < 0 or ow < 0:
        raise RuntimeError(
            "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
            f"received {{{oh}, {ow}}}"
        )
    if (oh, ow) == (1, 1):  # PyTorch takes the mean() route, which also takes complex
        if kind_of(input) not in "fc":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {_cpp(input)}"
            )
    elif input.size:  # an empty batch returns before the kernel dispatches on the dtype
        require("adaptive_avg_pool2d", input, "f")
    x, unbatched = _batched(input, 4, "adaptive_avg_pool2d")
    return x, unbatched, (oh, ow)


def adaptive_avg_pool2d(input, output_size):
    """aten::adaptive_avg_pool2d: window i spans [floor(i*H/OH), ceil((i+1)*H/OH))."""
    x, unbatched, (oh, ow) = _adaptive_input(input, output_size)
    n, c, h, w = x.shape
    dtype = _compute_dtype(x)
    if oh and ow and h % oh == 0 and w % ow == 0:
        out = x.reshape(n, c, oh, h // oh, ow, w // ow).mean(axis=(3, 5), dtype=dtype)
    else:
        # Window sums from an integral image (float64, so differences stay exact enough).
        integral = np.zeros((n, c, h + 1, w + 1), np.float64)
        np.cumsum(np.cumsum(x, axis=2, dtype=np.float64), axis=3, out=integral[:, :, 1:, 1:])
        h0, h1 = _adaptive_bounds(h, oh)
        w0, w1 = _adaptive_bounds(w, ow)
        sums = (
            integral[:, :, h1[:, None], w1]
            - integral[:, :, h0[:, None], w1]
            - integral[:, :, h1[:, None], w0]
            + integral[:, :, h0[:, None], w0]
        )
        out = sums / ((h1 - h0)[:, None] * (w1 - w0)[None, :])
    out = np.ascontiguousarray(out.astype(x.dtype))
    return out[0] if unbatched else out


# -- registration in the op table (PyTorch's schemas, verbatim) -----------------------------

_POOL_ARGS = "Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0"
register(
    f"max_pool2d({_POOL_ARGS}, int[2] dilation=1, bool ceil_mode=False) -> Tensor",
    max_pool2d,
    doc="2-D max pooling",
    faces="F",
)
register(
    f"max_pool2d_with_indices({_POOL_ARGS}, int[2] dilation=1, bool ceil_mode=False) "
    "-> (Tensor, Tensor)",
    max_pool2d_with_indices,
    doc="2-D max pooling returning the flat input index of each maximum",
)
register(
    f"avg_pool2d({_POOL_ARGS}, bool ceil_mode=False, bool count_include_pad=True, "
    "int? divisor_override=None) -> Tensor",
    avg_pool2d,
    doc="2-D average pooling",
    faces="F",
)
register(
    "adaptive_avg_pool2d(Tensor self, SymInt[2] output_size) -> Tensor",
    adaptive_avg_pool2d,
    doc="2-D average pooling to a fixed output size",
    faces="F",
)
