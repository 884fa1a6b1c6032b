"""numpy kernels for convolution (aten::conv1d/conv2d) and the window helpers pools share.

Each kernel takes numpy arrays (None for an absent optional tensor) and plain Python values in
the order of the op's PyTorch schema, and returns FRESH arrays. Convolution unfolds the padded
input into columns through a strided window view (no Python loop over pixels) and does one
(batched) matmul; pools reduce over the same kind of window view.

Example:
    >>> import numpy as np
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> conv2d(x, np.ones((1, 1, 2, 2), np.float32), None, 2)[0, 0]
    array([[10., 18.],
           [42., 50.]], dtype=float32)
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ember.ops.kernels.checks import c_type_name, cpp_name, kind_of, not_implemented
from ember.ops.kernels.conv_depthwise import band_tile, depthwise_band, depthwise_unfolded
from ember.ops.table import register

__all__ = [
    "conv1d",
    "conv2d",
    "pair",
]

_LOW_PRECISION = ("float16", "bfloat16")


def pair(value, n: int = 2) -> tuple:
    """`value` (an int or a sequence of n ints, or of 1 int) as an n-tuple of ints."""
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            return tuple(int(value[0]) for _ in range(n))
        if len(value) != n:
            raise ValueError(f"expected {n} values, got {list(value)}")
        return tuple(int(v) for v in value)
    return tuple(int(value) for _ in range(n))


def _compute_dtype(array: np.ndarray) -> np.dtype:
    return np.dtype(np.float32) if array.dtype.name in _LOW_PRECISION else array.dtype


def _batched(x: np.ndarray, ndim: int, name: str) -> tuple[np.ndarray, bool]:
    """`x` with a batch dim (unbatched input has one dim fewer) and whether one was added."""
    if x.ndim == ndim:
        return x, False
    if x.ndim == ndim - 1:
        return x[None], True
    raise RuntimeError(
        f"Expected {ndim - 1}D (unbatched) or {ndim}D (batched) input to {name}, but got input "
        f"of size: {list(x.shape)}"
    )


def _windows(x: np.ndarray, out_hw, kernel, stride, dilation) -> np.ndarray:
    """A read-only view (N, C, OH, OW, KH, KW) of the windows of the 4-D array `x`."""
    n, c = x.shape[:2]
    sn, sc, sh, sw = x.strides
    shape = (n, c, out_hw[0], out_hw[1], kernel[0], kernel[1])
    strides = (sn, sc, sh * stride[0], sw * stride[1], sh * dilation[0], sw * dilation[1])
    return as_strided(x, shape, strides, writeable=False)


def _out_size(size, kernel, stride, pad_lo, pad_hi, dilation, ceil_mode=False) -> int:
    """Output length of a window sweep by PyTorch's formula (floor division; ceil_mode
    rounds up, but the last window must start inside the input or its left padding)."""
    span = size + pad_lo + pad_hi - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad_lo:
        out -= 1
    return out


# -- convolution --------------------------------------------------------------------------


def _conv_padding(padding, kernel, stride, dilation, n: int):
    """(low, high) pads per spatial dim, resolving the strings 'valid' and 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * n
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        pads = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            pads.append((total // 2, total - total // 2))
        return pads
    return [(p, p) for p in pair(padding, n)]


def _grouped_matmul(weight: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """(G, O, K) x (N, G, K, P) -> (N, G, O, P).

    numpy's broadcasting matmul is far slower than BLAS here, so few groups run as 2-D GEMMs
    written straight into the output; many small groups (depthwise) go through einsum.
    """
    n, groups = cols.shape[:2]
    if groups > 1 and n * groups > 16:
        return np.einsum("gok,ngkp->ngop", weight, cols)
    out = np.empty((n, groups, weight.shape[1], cols.shape[3]), cols.dtype)
    for i in range(n):
        for g in range(groups):
            np.matmul(weight[g], cols[i, g], out=out[i, g])
    return out


def _check_conv(x, w, bias, stride, pads, dilation, groups):
    """PyTorch's convolution argument checks, on the batched input and the original weight."""
    if any(p < 0 for pad in pads for p in pad):
        raise RuntimeError("negative padding is not supported")
    if any(v <= 0 for v in stride):
        raise RuntimeError("non-positive stride is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if w.shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size [{list(w.shape)}] instead"
        )
    if x.shape[1] != w.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(w.shape)}, expected input"
            f"{list(x.shape)} to have {w.shape[1] * groups} channels, but got {x.shape[1]} "
            "channels instead"
        )
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != w.shape[0]):
        raise RuntimeError(
            f"Given weight of size {list(w.shape)}, expected bias to be 1-dimensional with "
            f"{w.shape[0]} elements, but got bias of size {list(bias.shape)} instead"
        )
    padded = [size + lo + hi for size, (lo, hi) in zip(x.shape[2:], pads)]
    extent = [d * (k - 1) + 1 for k, d in zip(w.shape[2:], dilation)]
    if any(e > p for e, p in zip(extent, padded)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, extent))}). Kernel size can't be greater than "
            "actual input size"
        )
    _check_conv_dtypes(x, w, bias, dilation)


def _check_conv_dtypes(x, w, bias, dilation):
    if w.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {cpp_name(x)} but found {cpp_name(w)}")
    if bias is not None and bias.dtype != x.dtype:
        raise RuntimeError(
            f"Input type ({c_type_name(x)}) and bias type ({c_type_name(bias)}) should be the same"
        )
    dilated = any(d != 1 for d in dilation)
    if dilated and (kind_of(x) in "bu" or x.dtype in (np.int8, np.int16, np.int32)):
        raise not_implemented("slow_conv_dilated<>", x)
    if kind_of(x) == "b":
        raise not_implemented("slow_conv2d_cpu", x)


def _conv2d_core(x, w, bias, stride, pads, dilation, groups):
    n, c, h, wd = x.shape
    out_ch, c_per_group, kh, kw = w.shape
    dtype = _compute_dtype(x)
    oh = _out_size(h, kh, stride[0], *pads[0], dilation[0])
    ow = _out_size(wd, kw, stride[1], *pads[1], dilation[1])
    tile = band_tile(wd + sum(pads[1]), kw, stride, dilation, ow) if groups == c == out_ch else 0
    if tile:
        out = depthwise_band(x, w.astype(dtype, copy=False), pads, (oh, ow), dtype, tile)
    elif groups == c == out_ch:
        out = depthwise_unfolded(
            x, w.astype(dtype, copy=False), pads, (oh, ow), stride, dilation, dtype
        )
    else:
        if any(p for pad in pads for p in pad):
            x = np.pad(x, ((0, 0), (0, 0), pads[0], pads[1]))
        if _shift_pays(x.shape, w.shape, (oh, ow), stride, dilation, groups):
            return _shifted_matmul(x, w, bias, (oh, ow), dtype)
        return _im2col_matmul(x, w, bias, groups, (oh, ow), stride, dilation, dtype)
    if bias is not None:
        out += bias.astype(dtype, copy=False).reshape(1, out_ch, 1, 1)
    return out.astype(x.dtype, copy=False)


def _im2col_matmul(x, w, bias, groups, out_hw, stride, dilation, dtype):
    """Unfold the windows into (N, G, Cg*KH*KW, OH*OW) columns, one GEMM per group, then add
    the bias. A 1x1 kernel needs no unfolding: its columns are the (subsampled) input itself.
    """
    n = x.shape[0]
    out_ch, c_per_group, kh, kw = w.shape
    oh, ow = out_hw
    k = c_per_group * kh * kw
    if kh == kw == 1:
        if stride != (1, 1):
            x = x[
                :, :, : (oh - 1) * stride[0] + 1 : stride[0], : (ow - 1) * stride[1] + 1 : stride[1]
            ]
        cols = np.ascontiguousarray(x, dtype).reshape(n, groups, k, oh * ow)
    else:
        cols = np.empty((n, groups, k, oh * ow), dtype)
        win = _windows(x, (oh, ow), (kh, kw), stride, dilation)
        win = win.reshape(n, groups, c_per_group, oh, ow, kh, kw).transpose(0, 1, 2, 5, 6, 3, 4)
        cols.reshape(win.shape)[...] = win
    weight = w.astype(dtype, copy=False).reshape(groups, out_ch // groups, k)
    out = _grouped_matmul(weight, cols).reshape(n, out_ch, oh, ow)
    if bias is not None:
        out += bias.astype(dtype, copy=False).reshape(1, out_ch, 1, 1)
    return out.astype(x.dtype, copy=False)


def _shift_pays(x_shape, w_shape, out_hw, stride, dilation, groups) -> bool:
    """Whether `_shifted_matmul` beats unfolding: a dense stride-1 conv with at most half as
    many output channels as input ones (DenseNet's 3x3s: the shifted sums then touch far less
    memory than the columns would; at equal widths the two measure the same) on planes where
    the padded border adds at most a third to the GEMM (14x14 and up for 3x3)."""
    out_ch, c, kh, kw = w_shape
    if groups != 1 or stride != (1, 1) or dilation != (1, 1) or kh * kw == 1:
        return False
    border = x_shape[2] * x_shape[3] / (out_hw[0] * out_hw[1])
    return 2 * out_ch <= c and border <= 4 / 3


def _shifted_matmul(x, w, bias, out_hw, dtype):
    """Stride-1 convolution of the padded input `x` without unfolding it: one GEMM gives every
    kernel tap's partial output on the whole padded plane, (KH*KW*O, C) @ (C, Hp*Wp), and the
    output is the sum of those planes each shifted by its tap."""
    n, c, hp, wp = x.shape
    out_ch, _, kh, kw = w.shape
    oh, ow = out_hw
    taps = w.astype(dtype, copy=False).transpose(2, 3, 0, 1).reshape(kh * kw * out_ch, c)
    cols = np.ascontiguousarray(x, dtype).reshape(n, c, hp * wp)
    planes = np.matmul(taps, cols).reshape(n, kh, kw, out_ch, hp, wp)
    out = planes[:, 0, 0, :, :oh, :ow].copy()
    for i in range(kh):
        for j in range(kw):
            if i or j:
                np.add(out, planes[:, i, j, :, i : i + oh, j : j + ow], out=out)
    if bias is not None:
        out += bias.astype(dtype, copy=False).reshape(1, out_ch, 1, 1)
    return out.astype(x.dtype, copy=False)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """aten::conv2d / aten::conv2d.padding on (N, C, H, W) or (C, H, W) arrays."""
    x, unbatched = _batched(input, 4, "conv2d")
    stride, dilation = pair(stride), pair(dilation)
    pads = _conv_padding(padding, weight.shape[2:], stride, dilation, 2)
    _check_conv(x, weight, bias, stride, pads, dilation, int(groups))
    out = _conv2d_core(x, weight, bias, stride, pads, dilation, int(groups))
    return out[0] if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """aten::conv1d / aten::conv1d.padding on (N, C, L) or (C, L) arrays (conv2d with H=1)."""
    x, unbatched = _batched(input, 3, "conv1d")
    stride, dilation = pair(stride, 1), pair(dilation, 1)
    pads = _conv_padding(padding, weight.shape[2:], stride, dilation, 1)
    _check_conv(x, weight, bias, stride, pads, dilation, int(groups))
    out = _conv2d_core(
        x[:, :, None, :],
        weight[:, :, None, :],
        bias,
        (1, stride[0]),
        [(0, 0), pads[0]],
        (1, dilation[0]),
        int(groups),
    )[:, :, 0, :]
    out = np.ascontiguousarray(out)
    return out[0] if unbatched else out


def _window_slices(padded, out_hw, kernel, stride, dilation):
    """(kernel offset, strided view (N, C, OH, OW)) for each kernel position, in row order.

    Pools combine these whole-plane views elementwise, so numpy's inner loops run over a
    full output row instead of reducing tiny window axes.
    """
    h_span = (out_hw[0] - 1) * stride[0] + 1
    w_span = (out_hw[1] - 1) * stride[1] + 1
    for i in range(kernel[0]):
        top = i * dilation[0]
        for j in range(kernel[1]):
            left = j * dilation[1]
            view = padded[:, :, top : top + h_span : stride[0], left : left + w_span : stride[1]]
            yield i * kernel[1] + j, view


# -- registration in the op table (PyTorch's schemas, verbatim) -----------------------------

_CONV_DOC = "{n}-D convolution (cross-correlation) with stride, padding, dilation and groups"

for _n in (1, 2):
    _conv = conv1d if _n == 1 else conv2d
    _ones, _zeros = "[" + ", ".join(["1"] * _n) + "]", "[" + ", ".join(["0"] * _n) + "]"
    _head = f"conv{_n}d{{}}(Tensor input, Tensor weight, Tensor? bias=None, SymInt[{_n}] stride="
    _tail = f", SymInt[{_n}] dilation={_ones}, SymInt groups=1) -> Tensor"
    register(
        _head.format("") + f"{_ones}, SymInt[{_n}] padding={_zeros}" + _tail,
        _conv,
        doc=_CONV_DOC.format(n=_n),
        faces="F",
    )
    register(
        _head.format(".padding") + f'{_ones}, str padding="valid"' + _tail,
        _conv,
        doc=_CONV_DOC.format(n=_n) + "; padding 'same' or 'valid'",
        faces="F",
    )


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                groups, *_backend_flags):  # fmt: skip
    """aten::convolution / aten::_convolution (what torch.jit.trace records for Conv layers):
    conv1d or conv2d by the weight's rank; the backend flags of _convolution change nothing."""
    if transposed:
        raise RuntimeError("ember does not support transposed convolutions")
    rank = weight.ndim - 2
    if rank not in (1, 2):
        raise RuntimeError(f"ember supports 1-D and 2-D convolutions; the weight has rank {rank}")
    return (conv1d if rank == 1 else conv2d)(input, weight, bias, stride, padding, dilation,
                                             groups)  # fmt: skip


_CONVOLUTION = (
    "(Tensor input, Tensor weight, Tensor? bias, SymInt[] stride, SymInt[] padding, "
    "SymInt[] dilation, bool transposed, SymInt[] output_padding, SymInt groups"
)
register(
    f"convolution{_CONVOLUTION}) -> Tensor",
    convolution,
    doc="1-D or 2-D convolution by the weight's rank (transposed ones are not supported)",
)
register(
    f"_convolution{_CONVOLUTION}, bool benchmark, bool deterministic, bool cudnn_enabled, "
    "bool allow_tf32) -> Tensor",
    convolution,
    doc="convolution with backend flags (torch.jit.trace records it for Conv layers)",
)
