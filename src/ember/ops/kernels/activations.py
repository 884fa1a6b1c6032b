"""numpy kernels for the piecewise-linear activations of mobile networks: relu6, hardswish,
hardsigmoid (and their in-place variants).

Each computes in float32 for float16/bfloat16/float32 input (float64 in float64) with the
operation order of PyTorch's CPU kernels, so float32 results are bit for bit torch's:
hardswish is ``x * min(max(x + 3, 0), 6) / 6`` and hardsigmoid ``min(max(x + 3, 0), 6) / 6``.

Example:
    >>> import numpy as np
    >>> hardswish(np.array([-4.0, -1.0, 0.5, 4.0], np.float32)).tolist()
    [-0.0, -0.3333333432674408, 0.2916666567325592, 4.0]
    >>> hardsigmoid(np.array([-4.0, 0.0, 4.0], np.float32)).tolist()
    [0.0, 0.5, 1.0]
"""

from __future__ import annotations

import numpy as np

from ember import dtypes
from ember.ops.kernels.checks import require
from ember.ops.kernels.promote import cast, compute_np
from ember.ops.kernels.unary import hardtanh
from ember.ops.kernels.writeback import in_place
from ember.ops.table import register

__all__ = ["relu6", "hardswish", "hardsigmoid"]

_BY_NP = {d.np: d for d in dtypes.ALL_DTYPES}
_EW = ("pure", "elementwise")


def _clamped_shift(x: np.ndarray) -> np.ndarray:
    """min(max(x + 3, 0), 6) in x's dtype (NaN propagates, as torch's min/max do)."""
    t = x.dtype.type
    return np.minimum(np.maximum(x + t(3), t(0)), t(6))


def _float_only(name: str, a: np.ndarray):
    require(name, a, "f")
    rt = _BY_NP[a.dtype]
    ct = compute_np(rt)
    return rt, (a if a.dtype == ct else a.astype(ct))


def relu6(a):
    """min(max(x, 0), 6): hardtanh with limits 0 and 6, as PyTorch defines it"""
    return hardtanh(a, 0, 6)


def hardswish(a):
    """x * min(max(x + 3, 0), 6) / 6"""
    rt, x = _float_only("hardswish_cpu", a)
    return cast(x * _clamped_shift(x) / x.dtype.type(6), rt)


def hardsigmoid(a):
    """min(max(x + 3, 0), 6) / 6"""
    rt, x = _float_only("hardsigmoid_cpu", a)
    return cast(_clamped_shift(x) / x.dtype.type(6), rt)


for _name, _kernel in (("relu6", relu6), ("hardswish", hardswish), ("hardsigmoid", hardsigmoid)):
    register(f"{_name}(Tensor self) -> Tensor", _kernel, traits=_EW)
    register(f"{_name}_(Tensor(a!) self) -> Tensor(a!)", in_place(_kernel), traits=("inplace",),
             doc=f"in-place {_name} (torch's F.{_name}(inplace=True))")  # fmt: skip
