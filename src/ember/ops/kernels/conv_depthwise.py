"""Depthwise convolution (groups == channels == output channels) on float arrays.

Two ways, chosen by `band_tile`: `depthwise_band` turns the filters into band matrices so that
BLAS does the multiply-adds (narrow planes, wide kernels); `depthwise_unfolded` copies each
kernel tap's shifted plane into columns and multiplies them by the taps (3x3 on wide planes,
strided or dilated kernels).

Example:
    >>> import numpy as np
    >>> x = np.arange(9, dtype=np.float32).reshape(1, 1, 3, 3)
    >>> w = np.ones((1, 1, 3, 3), np.float32)
    >>> depthwise_band(x, w, [(1, 1), (1, 1)], (3, 3), np.dtype(np.float32), 3)[0, 0]
    array([[ 8., 15., 12.],
           [21., 36., 27.],
           [20., 33., 24.]], dtype=float32)
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ["band_tile", "depthwise_band", "depthwise_unfolded"]


def _per_plane(filters, n: int):
    """The per-channel `filters` repeated for each of the n samples (plane p = sample, channel)."""
    return filters if n == 1 else np.concatenate([filters] * n)


def band_tile(padded_width, kw, stride, dilation, out_width):
    """Output columns per tile of `_depthwise_band`, or 0 where unfolding each tap is faster:
    it pays on narrow planes (one tile: its products spend padded_width / kw times the
    multiply-adds) and for wide kernels in 16-column tiles; never with stride or dilation."""
    if stride != (1, 1) or dilation != (1, 1):
        return 0
    if padded_width <= 5 * kw:
        return out_width
    return 16 if kw >= 5 else 0


def depthwise_band(x, w, pads, out_hw, dtype, tile):
    """Stride-1 depthwise convolution as one batched matmul per plane. The output is cut into
    column tiles of width `tile`; each row of a tile is the KH padded input rows it covers
    (tile + KW - 1 wide), laid end to end (a strided view, copied once), times a
    (KH*(tile+KW-1), tile) band matrix holding the filter's rows on its diagonals."""
    n, c, h, wd = x.shape
    (kh, kw), (oh, ow) = w.shape[2:], out_hw
    tiles, span = -(-ow // tile), tile + kw - 1
    right = tiles * tile + kw - 1 - wd - pads[1][0]  # zeros past the last tile
    planes = _zero_border_planes(x.reshape(n * c, h, wd), pads[0], (pads[1][0], right), dtype)
    s_plane, s_row, s_col = planes.strides
    shape = (n * c, tiles, oh, kh, span)
    rows = as_strided(planes, shape, (s_plane, tile * s_col, s_row, s_row, s_col))
    band = np.zeros((n * c, kh, span * tile), dtype)
    taps = _per_plane(w.reshape(c, kh, kw), n)
    for j in range(kw):  # band[p, i, o + j, o] = w[p, i, j]
        band[:, :, j * tile : j * tile + tile * (tile + 1) : tile + 1] = taps[:, :, j, None]
    out = np.matmul(rows.reshape(n * c, tiles * oh, kh * span), band.reshape(n * c, -1, tile))
    if tile == ow:
        return out.reshape(n, c, oh, ow)
    out = out.reshape(n * c, tiles, oh, tile).transpose(0, 2, 1, 3).reshape(n * c, oh, -1)
    return np.ascontiguousarray(out[..., :ow]).reshape(n, c, oh, ow)


# Bytes of unfolded taps per block in depthwise convolution: small enough to stay in L2.
_DEPTHWISE_BLOCK = 1 << 20


def depthwise_unfolded(x, w, pads, out_hw, stride, dilation, dtype):
    """One filter per channel, as a batched (1, KH*KW) x (KH*KW, pixels) matmul per plane.

    The planes are unfolded a block at a time into a cache-sized buffer. With stride 1 each
    kernel tap is one contiguous slice of the flattened padded plane: the output is computed
    on rows as wide as the padded input and the extra columns are cropped at the end.
    """
    n, c, h, wd = x.shape
    (kh, kw), (oh, ow) = w.shape[2:], out_hw
    wide = stride == (1, 1)
    hp, wp = h + sum(pads[0]) + (1 if wide else 0), wd + sum(pads[1])
    planes = _zero_border_planes(x.reshape(n * c, h, wd), (pads[0][0], hp - h - pads[0][0]),
                                 pads[1], dtype)  # fmt: skip
    row = wp if wide else ow
    taps = _per_plane(w.reshape(c, 1, kh * kw), n)
    out = np.empty((n * c, 1, oh * row), dtype)
    block = max(1, _DEPTHWISE_BLOCK // (kh * kw * oh * row * dtype.itemsize))
    cols = np.empty((block, kh * kw, oh * row), dtype)
    flat = planes.reshape(n * c, hp * wp)
    for p0 in range(0, n * c, block):
        p1 = min(n * c, p0 + block)
        buf = cols[: p1 - p0]
        for i in range(kh):
            for j in range(kw):
                top, left = i * dilation[0], j * dilation[1]
                if wide:
                    start = top * wp + left
                    buf[:, i * kw + j] = flat[p0:p1, start : start + oh * row]
                else:
                    view = planes[p0:p1, top : top + (oh - 1) * stride[0] + 1 : stride[0]]
                    view = view[:, :, left : left + (ow - 1) * stride[1] + 1 : stride[1]]
                    buf[:, i * kw + j].reshape(p1 - p0, oh, ow)[...] = view
        np.matmul(taps[p0:p1], buf, out=out[p0:p1])
    out = out.reshape(n, c, oh, row)
    return np.ascontiguousarray(out[..., :ow]) if wide else out


def _zero_border_planes(x, pad_h, pad_w, dtype):
    """(P, H, W) `x` in a fresh (P, H+pads, W+pads) array with zero borders (one pass)."""
    p, h, w = x.shape
    out = np.empty((p, h + sum(pad_h), w + sum(pad_w)), dtype)
    out[:, : pad_h[0]] = 0
    out[:, pad_h[0] + h :] = 0
    out[:, pad_h[0] : pad_h[0] + h, : pad_w[0]] = 0
    out[:, pad_h[0] : pad_h[0] + h, pad_w[0] + w :] = 0
    out[:, pad_h[0] : pad_h[0] + h, pad_w[0] : pad_w[0] + w] = x
    return out
