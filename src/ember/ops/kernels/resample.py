"""numpy kernels of 2-D resampling: aten::upsample_nearest2d and aten::upsample_bilinear2d
(with their ``.vec`` overloads, which torch's F.interpolate calls).

Source positions follow PyTorch's CPU kernels in float32 arithmetic: a given scale factor s
maps output index i through 1/s (not in/out), nearest takes floor(i * scale) (with torch's
shortcuts for equal and doubled sizes), bilinear takes ``scale * (i + 0.5) - 0.5`` clamped at
0, or ``i * (in - 1) / (out - 1)`` with align_corners. Bilinear sums the two rows of two
columns as torch does, ``(x00 w0 + x01 w1) h0 + (x10 w0 + x11 w1) h1``, in float32.

Example:
    >>> import numpy as np
    >>> x = np.arange(4, dtype=np.float32).reshape(1, 1, 2, 2)
    >>> upsample_nearest2d_vec(x, None, [2.0, 1.0])[0, 0].tolist()
    [[0.0, 1.0], [0.0, 1.0], [2.0, 3.0], [2.0, 3.0]]
    >>> upsample_bilinear2d_vec(x, [3, 3], True, None)[0, 0].tolist()
    [[0.0, 0.5, 1.0], [1.0, 1.5, 2.0], [2.0, 2.5, 3.0]]
"""

from __future__ import annotations

import numpy as np

from ember.ops.kernels.checks import not_implemented
from ember.ops.table import register

__all__ = [
    "upsample_nearest2d", "upsample_nearest2d_vec", "upsample_bilinear2d",
    "upsample_bilinear2d_vec",
]  # fmt: skip

_F32 = np.float32


def _check(input, output_size) -> None:
    if input.ndim != 4 or any(s == 0 for s in input.shape[1:]):
        raise RuntimeError(
            f"Non-empty 4D data tensor expected but got a tensor with sizes {list(input.shape)}"
        )
    (h, w), (oh, ow) = input.shape[2:], output_size
    if min(h, w, oh, ow) <= 0:
        raise RuntimeError(
            "Input and output sizes should be greater than 0, but got input (H: "
            f"{h}, W: {w}) output (H: {oh}, W: {ow})"
        )


def _vec_sizes(input, output_size, scale_factors):
    """(output size, per-dim scales or None) of a ``.vec`` overload's arguments."""
    if (output_size is None) == (scale_factors is None):
        raise RuntimeError("Must specify exactly one of output_size and scale_factors")
    if output_size is not None:
        return [int(s) for s in output_size], [None, None]
    if len(scale_factors) != 2:
        raise RuntimeError(
            f"It is expected scale_factors to have 2 elements, but got {len(scale_factors)}"
        )
    sizes = [int(input.shape[2 + i] * float(s)) for i, s in enumerate(scale_factors)]
    return sizes, [float(s) for s in scale_factors]


def _scale(in_size: int, out_size: int, given) -> np.float32:
    """torch's compute_scales_value: 1/given when a positive scale was given, else in/out."""
    if given is not None and given > 0:
        return _F32(1.0 / given)
    return _F32(in_size) / _F32(out_size)


def _nearest_index(in_size: int, out_size: int, given) -> np.ndarray:
    dst = np.arange(out_size)
    if out_size == in_size:
        return dst
    if out_size == 2 * in_size:
        return dst >> 1
    src = np.floor(dst.astype(_F32) * _scale(in_size, out_size, given)).astype(np.int64)
    return np.minimum(src, in_size - 1)


def upsample_nearest2d(input, output_size, scales_h=None, scales_w=None):
    """aten::upsample_nearest2d: each output pixel copies its nearest source pixel"""
    _check(input, output_size)
    if input.dtype.kind not in "fuV" or input.dtype == np.uint16:
        raise not_implemented("upsample_nearest2d_channels_last", input)
    (h, w), (oh, ow) = input.shape[2:], output_size
    rows = _nearest_index(h, oh, scales_h)
    cols = _nearest_index(w, ow, scales_w)
    return input[:, :, rows[:, None], cols[None, :]]


def upsample_nearest2d_vec(input, output_size, scale_factors):
    """aten::upsample_nearest2d.vec: the output size given, or the input's times the scales"""
    sizes, scales = _vec_sizes(input, output_size, scale_factors)
    return upsample_nearest2d(input, sizes, *scales)


def _linear_taps(in_size: int, out_size: int, align_corners: bool, given):
    """(index0, index1, weight0, weight1) per output index, as torch's CPU kernel forms them."""
    dst = np.arange(out_size)
    if out_size == in_size:
        return dst, dst, np.ones(out_size, _F32), np.zeros(out_size, _F32)
    if align_corners:
        scale = _F32(in_size - 1) / _F32(out_size - 1) if out_size > 1 else _F32(0)
        src = scale * dst.astype(_F32)
    else:
        scale = _scale(in_size, out_size, given)
        src = np.maximum(scale * (dst.astype(_F32) + _F32(0.5)) - _F32(0.5), _F32(0))
    index0 = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    weight1 = np.clip(src - index0.astype(_F32), _F32(0), _F32(1)).astype(_F32)
    index1 = index0 + (index0 < in_size - 1)
    return index0, index1, (_F32(1) - weight1).astype(_F32), weight1


def upsample_bilinear2d(input, output_size, align_corners, scales_h=None, scales_w=None):
    """aten::upsample_bilinear2d: each output pixel blends its four nearest source pixels"""
    _check(input, output_size)
    if input.dtype.kind not in "fV":
        raise not_implemented("upsample_bilinear2d_channels_last", input)
    (h, w), (oh, ow) = input.shape[2:], output_size
    x = input.astype(np.float64 if input.dtype == np.float64 else _F32, copy=False)
    r0, r1, hw0, hw1 = _linear_taps(h, oh, align_corners, scales_h)
    c0, c1, ww0, ww1 = _linear_taps(w, ow, align_corners, scales_w)
    t = x.dtype.type

    def blend(rows):
        picked = x[:, :, rows, :]
        return picked[..., c0] * ww0.astype(t) + picked[..., c1] * ww1.astype(t)

    out = blend(r0) * hw0.astype(t)[:, None] + blend(r1) * hw1.astype(t)[:, None]
    return out.astype(input.dtype, copy=False)


def upsample_bilinear2d_vec(input, output_size, align_corners, scale_factors):
    """aten::upsample_bilinear2d.vec: the output size given, or the input's times the scales"""
    sizes, scales = _vec_sizes(input, output_size, scale_factors)
    return upsample_bilinear2d(input, sizes, align_corners, *scales)


register(
    "upsample_nearest2d(Tensor self, SymInt[2] output_size, float? scales_h=None, "
    "float? scales_w=None) -> Tensor",
    upsample_nearest2d,
)
register(
    "upsample_nearest2d.vec(Tensor input, SymInt[]? output_size, float[]? scale_factors) -> Tensor",
    upsample_nearest2d_vec,
)
register(
    "upsample_bilinear2d(Tensor self, SymInt[2] output_size, bool align_corners, "
    "float? scales_h=None, float? scales_w=None) -> Tensor",
    upsample_bilinear2d,
)
register(
    "upsample_bilinear2d.vec(Tensor input, SymInt[]? output_size, bool align_corners, "
    "float[]? scale_factors) -> Tensor",
    upsample_bilinear2d_vec,
)
