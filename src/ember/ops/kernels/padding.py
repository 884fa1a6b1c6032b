"""numpy kernel of aten::pad: constant, reflect, replicate and circular padding.

`pad` lists (before, after) amounts from the last dim backwards, as torch's F.pad takes
them; negative amounts crop. Non-constant modes pad the last 1, 2 or 3 dims of a
(batched or not) input, as torch allows; for them a crop and a pad on the same dim act on
the original input (reflect or replicate it, then crop), while circular wraps the cropped
input: what torch's index arithmetic gives.

Example:
    >>> import numpy as np
    >>> x = np.arange(4.0).reshape(1, 4)
    >>> pad(x, [2, -1], "reflect").tolist()
    [[2.0, 1.0, 0.0, 1.0, 2.0]]
    >>> pad(x, [1, 1], "constant", 9.0).tolist()
    [[9.0, 0.0, 1.0, 2.0, 3.0, 9.0]]
"""

from __future__ import annotations

import numpy as np

from ember.ops.table import register

__all__ = ["pad"]

_NUMPY_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}
_DIM_NAMES = ("W", "H", "D")


def _pairs(input, pad):
    """[(dim, before, after)] for the padded dims, last dim first."""
    return [
        (input.ndim - 1 - i, int(pad[2 * i]), int(pad[2 * i + 1])) for i in range(len(pad) // 2)
    ]


def _crop_and_pad(input, pairs, mode: str, value):
    """Pad by the positive amounts, crop by the negative ones: circular crops first (it wraps
    the cropped input, as torch does), the other modes pad the original input first."""
    widths = [(0, 0)] * input.ndim
    crop = [slice(None)] * input.ndim
    crop_first = mode == "circular"
    for dim, before, after in pairs:
        widths[dim] = (max(before, 0), max(after, 0))
        size = input.shape[dim] + (0 if crop_first else max(before, 0) + max(after, 0))
        crop[dim] = slice(max(-before, 0), size - max(-after, 0))
    if crop_first:
        input = input[tuple(crop)]
    if mode == "constant":
        fill = np.array(value).astype(input.dtype)
        out = np.pad(input, widths, mode="constant", constant_values=fill)
    else:
        out = np.pad(input, widths, mode=_NUMPY_MODES[mode])
    return np.ascontiguousarray(out if crop_first else out[tuple(crop)])


def _constant(input, pairs, value):
    for dim, before, after in pairs:
        if input.shape[dim] + min(before, 0) + min(after, 0) < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    return _crop_and_pad(input, pairs, "constant", value)


def _check_wrapping(input, pad, pairs, mode: str) -> None:
    k = len(pad) // 2
    if k not in (1, 2, 3) or input.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    if any(s == 0 for s in input.shape[1:]):
        raise RuntimeError(
            f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and "
            f"other non-zero dimensions for input, but got: {list(input.shape)}"
        )
    for i, (dim, before, after) in enumerate(pairs):
        size = input.shape[dim]
        if mode == "reflect" and (before >= size or after >= size):
            raise RuntimeError(
                "Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({before}, {after}) at dimension {dim} of input "
                f"{list(input.shape)}"
            )
        kept = size + min(before, 0) + min(after, 0)  # circular wraps the cropped input
        if mode == "circular" and (before > kept or after > kept):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if size + before + after <= 0:
            name = _DIM_NAMES[i]
            raise RuntimeError(
                f"input ({name}: {size}) is too small. Calculated output {name}: "
                f"{size + before + after}"
            )


def pad(input, pad, mode: str = "constant", value=None):
    """aten::pad: pad (or, for negative amounts, crop) the trailing dims"""
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {input.ndim}"
        )
    pairs = _pairs(input, pad)
    if mode == "constant":
        return _constant(input, pairs, 0 if value is None else value)
    if value is not None:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if mode not in _NUMPY_MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    _check_wrapping(input, pad, pairs, mode)
    return _crop_and_pad(input, pairs, mode, None)


register(
    'pad(Tensor self, SymInt[] pad, str mode="constant", float? value=None) -> Tensor',
    pad,
    doc="pad (negative amounts crop) the trailing dims: constant, reflect, replicate, circular",
    faces="F",
)
