"""numpy kernels of resampling: aten::upsample_nearest{1,2,3}d, _upsample_nearest_exact
{1,2,3}d, upsample_linear1d, upsample_bilinear2d and upsample_trilinear3d, each with its
``.vec`` overload (the one torch's F.interpolate calls).

Source positions follow PyTorch's CPU kernels in float32 arithmetic: a given scale factor s
maps output index i through 1/s (not in/out); nearest takes floor(i * scale) (with torch's
shortcuts for equal and doubled sizes), nearest-exact floor((i + 0.5) * scale); linear modes
take ``scale * (i + 0.5) - 0.5`` clamped at 0, or ``i * (in - 1) / (out - 1)`` with
align_corners, and blend the two neighbours dim by dim from the last one outwards, which is
the order of torch's sums: ``(x00 w0 + x01 w1) h0 + (x10 w0 + x11 w1) h1`` in 2-D.

Bicubic and antialiased resampling are in the table (torch's archives of F.interpolate name
them) but raise NotImplementedError when run.

Example:
    >>> import numpy as np
    >>> x = np.arange(4, dtype=np.float32).reshape(1, 1, 2, 2)
    >>> nearest_vec(x, None, [2.0, 1.0])[0, 0].tolist()
    [[0.0, 1.0], [0.0, 1.0], [2.0, 3.0], [2.0, 3.0]]
    >>> linear_vec(x, [3, 3], True, None)[0, 0].tolist()
    [[0.0, 0.5, 1.0], [1.0, 1.5, 2.0], [2.0, 2.5, 3.0]]
"""

from __future__ import annotations

import numpy as np

from ember.ops.kernels.checks import not_implemented
from ember.ops.table import register

__all__ = ["nearest", "nearest_vec", "nearest_exact", "nearest_exact_vec", "linear",
           "linear_vec"]  # fmt: skip

_F32 = np.float32
_DIM_NAMES = {1: ("W",), 2: ("H", "W"), 3: ("D", "H", "W")}


def _check(input, output_size) -> None:
    k = len(output_size)
    if input.ndim != k + 2 or any(s == 0 for s in input.shape[1:]):
        raise RuntimeError(
            f"Non-empty {k + 2}D data tensor expected but got a tensor with sizes "
            f"{list(input.shape)}"
        )
    sizes = input.shape[2:]
    if min(*sizes, *output_size) <= 0:
        names = _DIM_NAMES[k]
        given = ", ".join(f"{n}: {s}" for n, s in zip(names, sizes, strict=True))
        wanted = ", ".join(f"{n}: {s}" for n, s in zip(names, output_size, strict=True))
        raise RuntimeError(
            f"Input and output sizes should be greater than 0, but got input ({given}) "
            f"output ({wanted})"
        )


def _vec_sizes(input, output_size, scale_factors, dims: int):
    """(output size, per-dim scales or Nones) of a ``.vec`` overload's arguments."""
    if (output_size is None) == (scale_factors is None):
        raise RuntimeError("Must specify exactly one of output_size and scale_factors")
    if output_size is not None:
        return [int(s) for s in output_size], [None] * dims
    if len(scale_factors) != dims:
        raise RuntimeError(
            f"It is expected scale_factors to have {dims} elements, but got {len(scale_factors)}"
        )
    sizes = [int(input.shape[2 + i] * float(s)) for i, s in enumerate(scale_factors)]
    return sizes, [float(s) for s in scale_factors]


def _scale(in_size: int, out_size: int, given) -> np.float32:
    """torch's compute_scales_value: 1/given when a positive scale was given, else in/out."""
    if given is not None and given > 0:
        return _F32(1.0 / given)
    return _F32(in_size) / _F32(out_size)


def _nearest_index(in_size: int, out_size: int, given, exact: bool) -> np.ndarray:
    dst = np.arange(out_size)
    if exact:
        src = (dst.astype(_F32) + _F32(0.5)) * _scale(in_size, out_size, given)
    elif out_size == in_size:
        return dst
    elif out_size == 2 * in_size:
        return dst >> 1
    else:
        src = dst.astype(_F32) * _scale(in_size, out_size, given)
    return np.minimum(np.floor(src).astype(np.int64), in_size - 1)


def _pick(input, output_size, scales, exact: bool):
    _check(input, output_size)
    if input.dtype.kind not in "fuV" or input.dtype == np.uint16:
        raise not_implemented("upsample_nearest", input)
    indices = [
        _nearest_index(size, out, given, exact)
        for size, out, given in zip(input.shape[2:], output_size, scales, strict=True)
    ]
    return input[(slice(None), slice(None), *np.ix_(*indices))]


def nearest(input, output_size, *scales):
    """aten::upsample_nearest{1,2,3}d: each output element copies its nearest source one"""
    return _pick(input, output_size, list(scales) or [None] * len(output_size), False)


def nearest_exact(input, output_size, *scales):
    """aten::_upsample_nearest_exact{1,2,3}d: nearest by pixel centres (as PIL/OpenCV)"""
    return _pick(input, output_size, list(scales) or [None] * len(output_size), True)


def nearest_vec(input, output_size, scale_factors):
    """the ``.vec`` overload: the output size given, or the input's times the scales"""
    sizes, scales = _vec_sizes(input, output_size, scale_factors, input.ndim - 2)
    return nearest(input, sizes, *scales)


def nearest_exact_vec(input, output_size, scale_factors):
    """the ``.vec`` overload of nearest-exact"""
    sizes, scales = _vec_sizes(input, output_size, scale_factors, input.ndim - 2)
    return nearest_exact(input, sizes, *scales)


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


def linear(input, output_size, align_corners, *scales):
    """aten::upsample_{linear1d,bilinear2d,trilinear3d}: blend the 2, 4 or 8 nearest sources"""
    _check(input, output_size)
    if input.dtype.kind not in "fV":
        raise not_implemented("upsample_linear", input)
    scales = list(scales) or [None] * len(output_size)
    x = input.astype(np.float64 if input.dtype == np.float64 else _F32, copy=False)
    for axis in range(input.ndim - 1, 1, -1):
        k = axis - 2
        i0, i1, w0, w1 = _linear_taps(x.shape[axis], output_size[k], align_corners, scales[k])
        shape = (-1,) + (1,) * (input.ndim - 1 - axis)
        w0, w1 = w0.astype(x.dtype).reshape(shape), w1.astype(x.dtype).reshape(shape)
        x = np.take(x, i0, axis=axis) * w0 + np.take(x, i1, axis=axis) * w1
    return x.astype(input.dtype, copy=False)


def linear_vec(input, output_size, align_corners, scale_factors):
    """the ``.vec`` overload: the output size given, or the input's times the scales"""
    sizes, scales = _vec_sizes(input, output_size, scale_factors, input.ndim - 2)
    return linear(input, sizes, align_corners, *scales)


def _unsupported(name: str):
    def kernel(input, *args):
        raise NotImplementedError(f"{name} is not supported by ember")

    kernel.__doc__ = f"{name} (in the table for torch's archives; running it raises)"
    return kernel


_VEC = "(Tensor input, SymInt[]? output_size, float[]? scale_factors) -> Tensor"
_VEC_CORNERS = "(Tensor input, SymInt[]? output_size, bool align_corners, float[]? scale_factors)"
_SCALES = {1: "float? scales=None", 2: "float? scales_h=None, float? scales_w=None",
           3: "float? scales_d=None, float? scales_h=None, float? scales_w=None"}  # fmt: skip

for _k in (1, 2, 3):
    for _name, _kernel, _vec in (
        (f"upsample_nearest{_k}d", nearest, nearest_vec),
        (f"_upsample_nearest_exact{_k}d", nearest_exact, nearest_exact_vec),
    ):
        register(f"{_name}(Tensor self, SymInt[{_k}] output_size, {_SCALES[_k]}) -> Tensor",
                 _kernel)  # fmt: skip
        register(f"{_name}.vec{_VEC}", _vec)
for _k, _name in ((1, "upsample_linear1d"), (2, "upsample_bilinear2d"),
                  (3, "upsample_trilinear3d")):  # fmt: skip
    register(f"{_name}(Tensor self, SymInt[{_k}] output_size, bool align_corners, "
             f"{_SCALES[_k]}) -> Tensor", linear)  # fmt: skip
    register(f"{_name}.vec{_VEC_CORNERS} -> Tensor", linear_vec)
for _name in ("upsample_bicubic2d", "_upsample_bilinear2d_aa", "_upsample_bicubic2d_aa",
              "_upsample_lanczos2d_aa"):  # fmt: skip
    register(f"{_name}(Tensor self, SymInt[2] output_size, bool align_corners, {_SCALES[2]}) "
             "-> Tensor", _unsupported(_name))  # fmt: skip
    register(f"{_name}.vec{_VEC_CORNERS} -> Tensor", _unsupported(_name))
