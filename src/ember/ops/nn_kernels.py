"""numpy kernels for convolution and pooling (aten::conv1d/conv2d, max/avg/adaptive pools).

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

from ember.ops.registry import register

__all__ = [
    "conv1d",
    "conv2d",
    "max_pool2d",
    "max_pool2d_with_indices",
    "avg_pool2d",
    "adaptive_avg_pool2d",
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
    raise ValueError(
        f"{name}: expected {ndim - 1}D (unbatched) or {ndim}D (batched) input, got {x.ndim}D"
    )


def _windows(x: np.ndarray, out_hw, kernel, stride, dilation) -> np.ndarray:
    """A read-only view (N, C, OH, OW, KH, KW) of the windows of the 4-D array `x`."""
    n, c = x.shape[:2]
    sn, sc, sh, sw = x.strides
    shape = (n, c, out_hw[0], out_hw[1], kernel[0], kernel[1])
    strides = (sn, sc, sh * stride[0], sw * stride[1], sh * dilation[0], sw * dilation[1])
    return as_strided(x, shape, strides, writeable=False)


def _out_size(size, kernel, stride, pad_lo, pad_hi, dilation, ceil_mode=False) -> int:
    span = size + pad_lo + pad_hi - dilation * (kernel - 1) - 1
    if span < 0:
        raise ValueError(f"input size {size} is smaller than the kernel's extent")
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    # The last window must start inside the input or its left padding (PyTorch's rule).
    if (out - 1) * stride >= size + pad_lo:
        out -= 1
    return out


# -- convolution --------------------------------------------------------------------------


def _conv_padding(padding, kernel, stride, dilation, n: int):
    """(low, high) pads per spatial dim, resolving the strings 'valid' and 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * n
        if padding != "same":
            raise ValueError(
                f"Invalid padding string '{padding}', should be one of 'valid', 'same'"
            )
        if any(s != 1 for s in stride):
            raise ValueError("padding='same' is not supported for strided convolutions")
        pads = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            pads.append((total // 2, total - total // 2))
        return pads
    return [(p, p) for p in pair(padding, n)]


def _conv2d_core(x, w, bias, stride, pads, dilation, groups):
    n, c, h, wd = x.shape
    out_ch, c_per_group, kh, kw = w.shape
    if c != c_per_group * groups or out_ch % groups:
        raise ValueError(
            f"conv: weight of shape {list(w.shape)} with groups={groups} expects input with "
            f"{c_per_group * groups} channels, but got {c} channels"
        )
    dtype = _compute_dtype(x)
    if any(p for pad in pads for p in pad):
        x = np.pad(x, ((0, 0), (0, 0), pads[0], pads[1]))
    oh = _out_size(h, kh, stride[0], *pads[0], dilation[0])
    ow = _out_size(wd, kw, stride[1], *pads[1], dilation[1])
    win = _windows(x, (oh, ow), (kh, kw), stride, dilation)
    # (N, C, OH, OW, KH, KW) -> (N, G, Cg*KH*KW, OH*OW): one copy, then one batched matmul.
    cols = win.transpose(0, 1, 4, 5, 2, 3).reshape(n, groups, c_per_group * kh * kw, oh * ow)
    cols = cols.astype(dtype, copy=False)
    weight = w.reshape(groups, out_ch // groups, c_per_group * kh * kw).astype(dtype, copy=False)
    out = np.matmul(weight, cols).reshape(n, out_ch, oh, ow)
    if bias is not None:
        out += bias.astype(dtype, copy=False).reshape(1, out_ch, 1, 1)
    return out.astype(x.dtype, copy=False)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """aten::conv2d / aten::conv2d.padding on (N, C, H, W) or (C, H, W) arrays."""
    x, unbatched = _batched(input, 4, "conv2d")
    stride, dilation = pair(stride), pair(dilation)
    pads = _conv_padding(padding, weight.shape[2:], stride, dilation, 2)
    out = _conv2d_core(x, weight, bias, stride, pads, dilation, int(groups))
    return out[0] if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """aten::conv1d / aten::conv1d.padding on (N, C, L) or (C, L) arrays (conv2d with H=1)."""
    x, unbatched = _batched(input, 3, "conv1d")
    stride, dilation = pair(stride, 1), pair(dilation, 1)
    pads = _conv_padding(padding, weight.shape[2:], stride, dilation, 1)
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


# -- pooling ------------------------------------------------------------------------------


def _pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode):
    kernel = pair(kernel_size)
    stride = pair(stride) if stride not in (None, [], ()) else kernel
    padding, dilation = pair(padding), pair(dilation)
    for k, p in zip(kernel, padding):
        if p > k // 2:
            raise ValueError(
                f"pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k}"
            )
    h, w = x.shape[-2:]
    oh = _out_size(h, kernel[0], stride[0], padding[0], padding[0], dilation[0], ceil_mode)
    ow = _out_size(w, kernel[1], stride[1], padding[1], padding[1], dilation[1], ceil_mode)
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


def max_pool2d_with_indices(
    input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False
) -> tuple:
    """aten::max_pool2d_with_indices: (values, int64 indices flat in each input plane)."""
    x, unbatched = _batched(input, 4, "max_pool2d")
    kernel, stride, padding, dilation, out_hw = _pool_geometry(
        x, kernel_size, stride, padding, dilation, ceil_mode
    )
    n, c, h, w = x.shape
    padded = _pad_for_windows(x, _lowest(x.dtype), padding, kernel, stride, dilation, out_hw)
    win = _windows(padded, out_hw, kernel, stride, dilation).reshape(n, c, *out_hw, -1)
    arg = np.argmax(win, axis=-1)
    values = np.take_along_axis(win, arg[..., None], axis=-1)[..., 0]
    rows = np.arange(out_hw[0])[:, None] * stride[0] - padding[0] + (arg // kernel[1]) * dilation[0]
    cols = np.arange(out_hw[1]) * stride[1] - padding[1] + (arg % kernel[1]) * dilation[1]
    indices = (rows * w + cols).astype(np.int64)
    values = np.ascontiguousarray(values)
    if unbatched:
        return values[0], indices[0]
    return values, indices


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """aten::max_pool2d on (N, C, H, W) or (C, H, W) arrays; NaN propagates as in PyTorch."""
    x, unbatched = _batched(input, 4, "max_pool2d")
    kernel, stride, padding, dilation, out_hw = _pool_geometry(
        x, kernel_size, stride, padding, dilation, ceil_mode
    )
    padded = _pad_for_windows(x, _lowest(x.dtype), padding, kernel, stride, dilation, out_hw)
    out = _windows(padded, out_hw, kernel, stride, dilation).max(axis=(4, 5))
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
    x, unbatched = _batched(input, 4, "avg_pool2d")
    kernel, stride, padding, dilation, out_hw = _pool_geometry(
        x, kernel_size, stride, padding, 1, ceil_mode
    )
    dtype = _compute_dtype(x)
    padded = _pad_for_windows(x, 0, padding, kernel, stride, dilation, out_hw)
    total = _windows(padded, out_hw, kernel, stride, dilation).sum(axis=(4, 5), dtype=dtype)
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


def adaptive_avg_pool2d(input, output_size):
    """aten::adaptive_avg_pool2d: window i spans [floor(i*H/OH), ceil((i+1)*H/OH))."""
    x, unbatched = _batched(input, 4, "adaptive_avg_pool2d")
    n, c, h, w = x.shape
    sizes = pair(output_size) if not isinstance(output_size, (list, tuple)) else output_size
    oh, ow = (h if sizes[0] is None else int(sizes[0])), (w if sizes[1] is None else int(sizes[1]))
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
    )
    register(
        _head.format(".padding") + f'{_ones}, str padding="valid"' + _tail,
        _conv,
        doc=_CONV_DOC.format(n=_n) + "; padding 'same' or 'valid'",
    )

_POOL_ARGS = "Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0"
register(
    f"max_pool2d({_POOL_ARGS}, int[2] dilation=1, bool ceil_mode=False) -> Tensor",
    max_pool2d,
    doc="2-D max pooling",
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
)
register(
    "adaptive_avg_pool2d(Tensor self, SymInt[2] output_size) -> Tensor",
    adaptive_avg_pool2d,
    doc="2-D average pooling to a fixed output size",
)
