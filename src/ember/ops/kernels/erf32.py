"""erf of float32 arrays evaluated in float32 (within 3 ulp of the exact value; torch's
float32 erf is within 1), about 9x faster than evaluating it in float64 and rounding.

|x| < 1: erf(x) = x * P(x*x); 1 <= |x| < 4: erf(x) = sign(x) * (1 - exp(-x*x) * Q(1/|x| - 0.625));
|x| >= 4 rounds to +-1 in float32. P (degree 6) and Q (degree 10) are least-squares fits made
for ember with numpy's polyfit against Python's math.erf / math.erfc on 20 001 and 30 001
evenly spaced points (relative errors 5e-9 and 7e-9 in float64).

Example:
    >>> import numpy as np
    >>> erf_float32(np.array([0.0, 0.5, -2.0, 10.0], np.float32)).tolist()
    [0.0, 0.5204998850822449, -0.9953222870826721, 1.0]
"""

from __future__ import annotations

import numpy as np

__all__ = ["erf_float32"]

_F32 = np.float32
_NEAR = tuple(map(_F32, (
    1.1283791662326472, -0.37612629767094236, 0.11283634634319561, -0.026856069567831816,
    0.0051929578653704895, -0.0008053751099110395, 8.006874067938171e-05,
)))  # fmt: skip
_FAR = tuple(map(_F32, (
    0.3059529925871624, 0.38228376625062355, -0.17239486909745247, 0.04376753449794672,
    0.023336790657854115, -0.046960189153651834, 0.043087917735082734, -0.026740435982005213,
    0.005775381157449301, 0.02539108341727474, -0.03681724865734193,
)))  # fmt: skip


# Elements per block: the temporaries of one block stay in cache, and large inputs do not pay
# for fresh pages of several full-size temporaries.
_BLOCK = 65536


def _horner(t: np.ndarray, coefs: tuple, r: np.ndarray) -> np.ndarray:
    """sum(coefs[i] * t**i), written into `r`."""
    r.fill(coefs[-1])
    for c in coefs[-2::-1]:
        r *= t
        r += c
    return r


def _erf_block(x, out, a, t, r):
    """erf of the 1-D block `x` into `out`; a, t, r are scratch arrays of x's length."""
    np.abs(x, out=a)
    if a.max(initial=0) < 1:
        np.square(x, out=t)
        _horner(t, _NEAR, out)
        out *= x
        return
    np.clip(x, _F32(-1), _F32(1), out=r)  # near values stay finite for the blend below
    np.square(r, out=t)
    _horner(t, _NEAR, out)
    out *= r
    np.maximum(a, _F32(1), out=t)
    np.minimum(t, _F32(4), out=t)
    np.square(t, out=r)
    np.negative(r, out=r)
    far = np.exp(r, out=r)
    np.reciprocal(t, out=t)
    t -= _F32(0.625)
    far *= _horner(t, _FAR, np.empty_like(t))
    np.subtract(_F32(1), far, out=far)
    np.copysign(far, x, out=far)
    far -= out  # blend without a masked copy (numpy's `copyto(where=)` is ~50x slower)
    far *= a >= 1
    out += far


def erf_float32(x: np.ndarray) -> np.ndarray:
    """erf of a float32 array (a fresh float32 array of x's shape)."""
    x = np.asarray(x, _F32, order="C")
    out = np.empty_like(x)
    flat_x, flat_out = x.reshape(-1), out.reshape(-1)
    size = min(flat_x.size, _BLOCK)
    scratch = [np.empty(size, _F32) for _ in range(3)]
    for start in range(0, flat_x.size, _BLOCK):
        xb, ob = flat_x[start : start + _BLOCK], flat_out[start : start + _BLOCK]
        n = xb.size
        _erf_block(xb, ob, *(s[:n] for s in scratch))
    return out
