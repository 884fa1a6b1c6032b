"""Tensor printing, character for character like PyTorch 2.13's `repr` (with `ember.` names).

The rules, as PyTorch applies them:

- One formatter per tensor (two for complex: real and imaginary parts) decides the element
  width from the finite non-zero values: integer mode (`1.`) when all are whole numbers,
  scientific notation when max/min > 1000, max > 1e8 or min < 1e-4, fixed `precision`
  decimals otherwise. Every element is right-aligned to that width.
- Rows wrap at `linewidth`; tensors above `threshold` elements show `edgeitems` items at
  each end of every dimension with `...` between (the formatter sees only those).
- Suffixes: `size=` for empty tensors that are not 1-D, `dtype=` unless the dtype is the
  default float, its complex partner, int64 or bool (empty tensors: unless it is the default
  float), `requires_grad=True`.

This module reads tensors through `_np` only; it runs no table ops.

Example:
    >>> import ember
    >>> ember.tensor([[1.0, -2.5], [1e-5, 3.0]])
    tensor([[ 1.0000e+00, -2.5000e+00],
            [ 1.0000e-05,  3.0000e+00]])
"""

from __future__ import annotations

import contextlib
import dataclasses
import math

import numpy as np

from ember import dtypes

__all__ = ["set_printoptions", "get_printoptions", "printoptions"]


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTS = _PrintOptions()
_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(
    precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None
) -> None:
    """Set printing options, as `torch.set_printoptions` does (`sci_mode` always resets).

    >>> import ember
    >>> set_printoptions(precision=2)
    >>> ember.tensor([1.12345])
    tensor([1.12])
    >>> set_printoptions(profile="default")
    """
    if profile is not None:
        for key, value in _PROFILES[profile].items():
            setattr(_OPTS, key, value)
    given = dict(precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth)
    for key, value in given.items():
        if value is not None:
            setattr(_OPTS, key, value)
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """The current options as keyword arguments for `set_printoptions`."""
    return dataclasses.asdict(_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options (same arguments as `set_printoptions`)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Chooses one width and notation for every element of `values` (a numpy array)."""

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not self.floating:
            for value in flat.tolist():
                self.max_width = max(self.max_width, len(str(value)))
            return
        nonzero_finite = flat[np.isfinite(flat) & (flat != 0)]
        if nonzero_finite.size == 0:
            return
        magnitudes = np.abs(nonzero_finite).astype(np.float64)
        low, high = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(nonzero_finite == np.ceil(nonzero_finite)))
        if _OPTS.sci_mode is None:
            self.sci_mode = bool(high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4)
        else:
            self.sci_mode = _OPTS.sci_mode
        for value in nonzero_finite.tolist():
            self.max_width = max(self.max_width, self._width_of(value))

    def width(self) -> int:
        return self.max_width

    def _width_of(self, value: float) -> int:
        if self.sci_mode:
            return len(f"{value:.{_OPTS.precision}e}")
        if self.int_mode:
            return len(f"{value:.0f}") + 1
        return len(f"{value:.{_OPTS.precision}f}")

    def format(self, value) -> str:
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{_OPTS.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if not (math.isinf(value) or math.isnan(value)):
                text += "."
        else:
            text = f"{value:.{_OPTS.precision}f}"
        return (self.max_width - len(text)) * " " + text


class _ComplexFormatter:
    """Formats complex values with separate formatters for the real and imaginary parts."""

    def __init__(self, values: np.ndarray):
        self.real = _Formatter(values.real)
        self.imag = _Formatter(values.imag)

    def width(self) -> int:
        return self.real.max_width + self.imag.max_width + 1  # the trailing "j"

    def format(self, value: complex) -> str:
        real = self.real.format(value.real)
        imag = (self.imag.format(value.imag) + "j").lstrip()
        return real + imag if imag[0] in "+-" else real + "+" + imag


def _summarized(a: np.ndarray) -> np.ndarray:
    """The elements a summarised print shows (edge items of every dimension)."""
    edge = _OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        return np.concatenate((a[:edge], a[-edge:])) if a.shape[0] > 2 * edge else a
    if not edge:
        return np.empty((0,) * a.ndim, dtype=a.dtype)
    rows = range(a.shape[0])
    if a.shape[0] > 2 * edge:
        rows = [*range(edge), *range(a.shape[0] - edge, a.shape[0])]
    return np.stack([_summarized(a[i]) for i in rows])


def _vector_str(a: np.ndarray, indent: int, summarize: bool, fmt) -> str:
    element_length = fmt.width() + 2
    per_line = max(1, math.floor((_OPTS.linewidth - indent) / element_length))
    edge = _OPTS.edgeitems
    if summarize and not edge:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * edge:
        head, tail = a[:edge].tolist(), a[-edge:].tolist()
        data = [fmt.format(v) for v in head] + [" ..."] + [fmt.format(v) for v in tail]
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(a: np.ndarray, indent: int, summarize: bool, fmt) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    edge = _OPTS.edgeitems
    if summarize and a.shape[0] > 2 * edge:
        head = [_nested_str(a[i], indent + 1, summarize, fmt) for i in range(edge)]
        tail = [_nested_str(a[i], indent + 1, summarize, fmt) for i in range(-edge, 0)]
        slices = [*head, "...", *tail]
    else:
        slices = [_nested_str(a[i], indent + 1, summarize, fmt) for i in range(a.shape[0])]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _body(a: np.ndarray, indent: int) -> str:
    if a.size == 0:
        return "[]"
    summarize = a.size > _OPTS.threshold
    if a.dtype.kind == "V" or a.dtype == np.float16:
        a = a.astype(np.float32)
    shown = _summarized(a) if summarize else a
    fmt = _ComplexFormatter(shown) if a.dtype.kind == "c" else _Formatter(shown)
    return _nested_str(a, indent, summarize, fmt)


def _suffixes(t, dtype: dtypes.dtype) -> list[str]:
    a = t._np
    default = dtypes.get_default_dtype()
    suffixes = []
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if dtype is not default:
            suffixes.append(f"dtype={dtype!r}")
    else:
        if not _OPTS.edgeitems:
            suffixes.append(f"size={tuple(a.shape)}")
        if dtype not in (default, default.to_complex(), dtypes.int64, dtypes.bool_):
            suffixes.append(f"dtype={dtype!r}")
    if getattr(t, "requires_grad", False):
        suffixes.append("requires_grad=True")
    return suffixes


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > _OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    return "".join(parts) + ")"


def tensor_repr(t) -> str:
    """`repr(t)` for an ember tensor: `tensor(...)`, or `ClassName(...)` for subclasses."""
    name = type(t).__name__
    # torch's Buffer(...) is a plain Tensor (flagged), so it prints as one too
    prefix = "tensor(" if name in ("Tensor", "Parameter", "Buffer") else f"{name}("
    dtype = dtypes.from_numpy(t._np.dtype)
    body = _body(t._np, len(prefix))
    return _add_suffixes(prefix + body, _suffixes(t, dtype), len(prefix))
