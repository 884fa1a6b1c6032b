"""Kernels: unary math and activations (float16/bfloat16 computed in float32, rounded once).

Example:
    >>> import numpy as np
    >>> from ember.ops.kernels.unary import relu
    >>> relu(np.array([-1.0, 2.0])).tolist()
    [0.0, 2.0]
"""

from __future__ import annotations

import math

import numpy as np

from ember import dtypes
from ember.ops.kernels.checks import no_complex, not_implemented, require, wrap_dim
from ember.ops.kernels.erf32 import erf_float32
from ember.ops.kernels.promote import cast, compute_np, float_result
from ember.ops.kernels.writeback import in_place
from ember.ops.table import register

_EW = ("pure", "elementwise")
_BY_NP = {d.np: d for d in dtypes.ALL_DTYPES}


def _floating(fn, a):
    """Apply `fn` in the compute dtype of a's floating result dtype."""
    rt = float_result(_BY_NP[a.dtype])
    ct = compute_np(rt)
    return cast(fn(a if a.dtype == ct else a.astype(ct)), rt)


def _float_kernel(fn, doc, real_only=""):
    """A kernel computing `fn` in the floating result dtype; `real_only` names the PyTorch
    kernel that refuses complex inputs (erf has no complex version)."""

    def kernel(a):
        if real_only:
            require(real_only, a, "biuf")
        return _floating(fn, a)

    kernel.__doc__ = doc
    return kernel


# Cephes' rational approximations (ndtr.c): erf on |x| < 1, erfc on 1 <= |x| < 8, both in
# float64 with relative error below 5e-16 against the C library's erf.
_ERF_T = (
    9.60497373987051638749e0,
    9.00260197203842689217e1,
    2.23200534594684319226e3,
    7.00332514112805075473e3,
    5.55923013010394962768e4,
)
_ERF_U = (
    3.35617141647503099647e1,
    5.21357949780152679795e2,
    4.59432382970980127987e3,
    2.26290000613890934246e4,
    4.92673942608635921086e4,
)
_ERFC_P = (
    2.46196981473530512524e-10,
    5.64189564831068821977e-1,
    7.46321056442269912687e0,
    4.86371970985681366614e1,
    1.96520832956077098242e2,
    5.26445194995477358631e2,
    9.34528527171957607540e2,
    1.02755188689515710272e3,
    5.57535335369399327526e2,
)
_ERFC_Q = (1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2,
           9.75708501743205489753e2, 1.82390916687909736289e3, 2.24633760818710981792e3,
           1.65666309194161350182e3, 5.57535340817727675546e2)  # fmt: skip


def _poly(x, coefs, monic=False):
    r = x + coefs[0] if monic else np.full_like(x, coefs[0])
    for c in coefs[1:]:
        r *= x
        r += c
    return r


_ERFC_R = (
    5.64189583547755073984e-1,
    1.27536670759978104416e0,
    5.01905042251180477414e0,
    6.16021097993053585195e0,
    7.40974269950448939160e0,
    2.97886665372100240670e0,
)
_ERFC_S = (
    2.26052863220117276590e0,
    9.39603524938001434673e0,
    1.20489539808096656605e1,
    1.70814450747565897222e1,
    9.60896809063285878198e0,
    3.36907645100081516050e0,
)


def _erfc_tail(a):
    """erfc(a) for float64 a >= 1: exp(-a*a) (with a*a split so it is exact) times Cephes'
    rational function for 1 <= a < 8 or for a >= 8. Past 30 the result underflows to 0, and
    clamping there keeps a = inf from making inf - inf."""
    a = np.minimum(a, 30.0)
    hi = np.floor(a * 32768.0 + 0.5) / 32768.0
    lo = a - hi
    gauss = np.exp(-hi * hi) * np.exp(-(2.0 * hi * lo + lo * lo))
    mid = _poly(a, _ERFC_P) / _poly(a, _ERFC_Q, monic=True)
    far = _poly(a, _ERFC_R) / _poly(a, _ERFC_S, monic=True)
    return gauss * np.where(a < 8.0, mid, far)


def _erf_near(v):
    """erf(v) for float64 |v| < 1."""
    z = v * v
    return v * _poly(z, _ERF_T) / _poly(z, _ERF_U, monic=True)


def erf_np(x):
    """erf of a float array: float32 evaluated in float32 (`erf_float32`, within a few ulp),
    float64 by Cephes' rational functions."""
    if x.dtype == np.float32:
        return erf_float32(x)
    v = x.astype(np.float64)
    a = np.abs(v)
    far = 1.0 - _erfc_tail(np.maximum(a, 1.0))
    return np.where(a < 1.0, _erf_near(v), np.copysign(far, v)).astype(x.dtype)


def erfc_np(x):
    """erfc (1 - erf) of a float array, computed in float64 and rounded once to x's dtype."""
    v = x.astype(np.float64)
    a = np.abs(v)
    tail = _erfc_tail(np.maximum(a, 1.0))
    r = np.where(a < 1.0, 1.0 - _erf_near(v), np.where(v < 0, 2.0 - tail, tail))
    return r.astype(x.dtype)


def sigmoid_np(x):
    """1 / (1 + exp(-x)), in x's dtype."""
    out = np.negative(x, out=np.empty_like(x))  # `out=` keeps 0-d results arrays
    np.exp(out, out=out)
    out += 1
    return np.reciprocal(out, out=out)


def rsqrt_np(x):
    return np.reciprocal(np.sqrt(x))


def _same_dtype(fn, doc, allow_bool=True, name=""):
    def kernel(a):
        if not allow_bool and a.dtype == np.bool_:
            raise RuntimeError(
                f"{name}, the `-` operator, on a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        rt = _BY_NP[a.dtype]
        ct = compute_np(rt)
        return cast(np.asarray(fn(a if a.dtype == ct else a.astype(ct))), rt)

    kernel.__doc__ = doc
    return kernel


def abs_(a):
    """|a|"""
    require("abs_cpu", a, "uifc")
    rt = _BY_NP[a.dtype]
    if rt.is_complex:
        return np.abs(a)
    ct = compute_np(rt)
    return cast(np.abs(a if a.dtype == ct else a.astype(ct)), rt)


def sign(a):
    """-1, 0 or 1 by the sign of a (bool stays bool)"""
    if a.dtype == np.bool_:
        return a.copy()
    rt = _BY_NP[a.dtype]
    no_complex(
        a,
        "Unlike NumPy, torch.sign is not intended to support complex numbers. "
        "Please use torch.sgn instead.",
    )
    ct = compute_np(rt)
    return cast(np.sign(a if a.dtype == ct else a.astype(ct)), rt)


def relu(a):
    """max(a, 0)"""
    if a.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    no_complex(a, "clamp is not supported for complex types")
    rt = _BY_NP[a.dtype]
    ct = compute_np(rt)
    x = a if a.dtype == ct else a.astype(ct)
    if ct.kind == "f":
        return cast(_clip(x, 0, np.inf), rt)
    return cast(np.maximum(np.zeros((), ct), x), rt)


def hardtanh(a, min_val=-1, max_val=1):
    """x clamped to [min_val, max_val], in x's dtype"""
    if min_val > max_val:  # what F.hardtanh checks before it calls the op
        raise ValueError("min_val cannot be greater than max_val")
    if a.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for hardtanh")
    if a.dtype.kind == "u" and min_val < 0:
        raise RuntimeError("cannot do hardtanh on an unsigned type with negative limits")
    no_complex(a, "clamp is not supported for complex types")
    rt = _BY_NP[a.dtype]
    ct = compute_np(rt)
    x = a if a.dtype == ct else a.astype(ct)
    if ct.kind == "f":
        return cast(_clip(x, min_val, max_val), rt)
    return cast(np.minimum(max_val, np.maximum(min_val, x)), rt)


def _clip(x: np.ndarray, lo, hi) -> np.ndarray:
    """x clamped to [lo, hi] as torch clamps floats: NaN stays NaN and a tie keeps x (so
    -0.0 stays -0.0). numpy's clip with both bounds in x's dtype does exactly that, several
    times faster than maximum then minimum."""
    t = x.dtype.type
    return np.clip(x, t(lo), t(hi))


def _gelu_none(x):
    if x.dtype == np.float32:  # in place on erf's result: no full-size temporaries
        out = erf_float32(x * np.float32(math.sqrt(0.5)))
        out += np.float32(1)
        out *= x
        out *= np.float32(0.5)
        return out
    return 0.5 * x * (1.0 + erf_np(x * np.asarray(math.sqrt(0.5), x.dtype)))


def _gelu_tanh(x):
    k = np.asarray(math.sqrt(2.0 / math.pi), x.dtype)
    inner = k * (x + np.asarray(0.044715, x.dtype) * x * x * x)
    return 0.5 * x * (1.0 + np.tanh(inner))


def gelu(a, approximate="none"):
    """x * Phi(x); approximate 'tanh' uses the tanh formula"""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate}")
    require("GeluKernelImpl", a, "f")
    return _floating(_gelu_tanh if approximate == "tanh" else _gelu_none, a)


def silu(a):
    """x * sigmoid(x) (floating and complex inputs)"""
    require("silu_cpu", a, "fc")
    return _floating(lambda x: x * sigmoid_np(x), a)


def _softmax_np(x, dim, log):
    if x.ndim == 0:
        return np.zeros_like(x) if log else np.ones_like(x)
    shifted = np.subtract(x, np.max(x, axis=dim, keepdims=True)) if x.size else x.copy()
    if log:
        shifted -= np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))
        return shifted
    np.exp(shifted, out=shifted)
    shifted /= np.sum(shifted, axis=dim, keepdims=True)
    return shifted


def _softmax_kernel(log):
    def kernel(a, dim, dtype=None):
        if dtype is not None:
            a = a.astype(dtype.np)
        rt = _BY_NP[a.dtype]
        if a.ndim:
            dim = wrap_dim(dim, a.ndim)
        if a.size == 0:
            return a.copy()
        if rt.kind != "f":
            last = "_lastdim" if a.ndim in (0, dim + 1) else ""
            raise not_implemented(f"{'log_' if log else ''}softmax{last}_kernel_impl", a)
        ct = compute_np(rt)
        return cast(_softmax_np(a if a.dtype == ct else a.astype(ct), dim, log), rt)

    kernel.__doc__ = "log(softmax(x)) along dim" if log else "exp(x) / sum(exp(x)) along dim"
    return kernel


_FLOAT_FUNCS = {
    "exp": (np.exp, "e ** x"),
    "log": (np.log, "natural logarithm"),
    "log2": (np.log2, "base-2 logarithm"),
    "log1p": (np.log1p, "log(1 + x)"),
    "sqrt": (np.sqrt, "square root"),
    "rsqrt": (rsqrt_np, "1 / sqrt(x)"),
    "sin": (np.sin, "sine"),
    "cos": (np.cos, "cosine"),
    "tan": (np.tan, "tangent"),
    "tanh": (np.tanh, "hyperbolic tangent"),
    "sigmoid": (sigmoid_np, "1 / (1 + exp(-x))"),
    "erf": (erf_np, "the error function"),
    "erfc": (erfc_np, "1 - erf(x)"),
    "reciprocal": (np.reciprocal, "1 / x"),
    "log10": (np.log10, "base-10 logarithm"),
    "expm1": (np.expm1, "exp(x) - 1"),
    "exp2": (np.exp2, "2 ** x"),
    "asin": (np.arcsin, "inverse sine"),
    "acos": (np.arccos, "inverse cosine"),
    "atan": (np.arctan, "inverse tangent"),
    "sinh": (np.sinh, "hyperbolic sine"),
    "cosh": (np.cosh, "hyperbolic cosine"),
}


def _rounding(fn, doc, name):
    """Rounding keeps the dtype; integers pass through unchanged (as a copy)."""

    def kernel(a):
        require(f"{name}_vml_cpu", a, "uifc")
        if a.dtype.kind in "iu":
            return a.copy()
        if name == "round":
            require("round_vml_cpu", a, "f")
        no_complex(a, f"{name} is not supported for complex inputs")
        return _same_dtype(fn, doc)(a)

    kernel.__doc__ = doc
    return kernel


def cumsum(a, dim, dtype=None):
    """running sums along dim (integers accumulate in int64)"""
    rt = dtype or (dtypes.int64 if a.dtype.kind in "biu" else _BY_NP[a.dtype])
    x = a.astype(compute_np(rt))
    if a.ndim == 0:
        return cast(x.copy(), rt)
    return cast(np.cumsum(x, axis=wrap_dim(dim, a.ndim)), rt)


def _square(a):
    if a.dtype == np.bool_:
        return a.astype(np.int64)
    return _same_dtype(np.square, "x * x")(a)


def unary(name: str, kernel, doc: str = "", faces: str = "ember Tensor", inplace: str = "Tensor"):
    """Register elementwise op `name` and, unless `inplace` is None, its in-place variant
    ``name_`` (the result written back into self) with the faces `inplace` names."""
    register(f"{name}(Tensor self) -> Tensor", kernel, traits=_EW, doc=doc, faces=faces)
    if inplace is not None:
        register(f"{name}_(Tensor(a!) self) -> Tensor(a!)", in_place(kernel), traits=("inplace",),
                 doc=f"in-place {name}", faces=inplace)  # fmt: skip


for _name, _fn in (("floor", np.floor), ("ceil", np.ceil), ("round", np.round),
                   ("trunc", np.trunc)):  # fmt: skip
    unary(_name, _rounding(_fn, f"{_name} of x", _name), f"{_name} of x")
unary("square", _square, "x * x")
for _name, (_fn, _doc) in _FLOAT_FUNCS.items():
    _faces = "ember Tensor F" if _name in ("tanh", "sigmoid") else "ember Tensor"
    _real_only = f"{_name}_vml_cpu" if _name in ("erf", "erfc") else ""
    unary(_name, _float_kernel(_fn, _doc, _real_only), _doc, _faces)

neg = _same_dtype(np.negative, "-x", allow_bool=False, name="Negation")
unary("neg", neg, "-x")
unary("abs", abs_, "|x|")
unary("sign", sign, "-1, 0 or 1 by the sign of x")
unary("relu", relu, "max(x, 0)", faces="ember Tensor F", inplace="ember Tensor F")
_HARDTANH = "(Tensor self, Scalar min_val=-1, Scalar max_val=1)"
register(f"hardtanh{_HARDTANH} -> Tensor", hardtanh, traits=_EW, faces="F")
register(f"hardtanh_{_HARDTANH.replace('Tensor self', 'Tensor(a!) self')} -> Tensor(a!)",
         in_place(hardtanh), traits=("inplace",), faces="F", doc="in-place hardtanh")  # fmt: skip
register("cumsum(Tensor self, int dim, *, ScalarType? dtype=None) -> Tensor", cumsum,
         faces="ember Tensor")  # fmt: skip
register("gelu(Tensor self, *, str approximate='none') -> Tensor", gelu, traits=_EW, version=10,
         faces="ember F")  # fmt: skip
register("silu(Tensor self) -> Tensor", silu, traits=_EW, faces="ember")
register("silu_(Tensor(a!) self) -> Tensor(a!)", in_place(silu), traits=("inplace",),
         doc="in-place silu (torch's F.silu(inplace=True), in archive code)")  # fmt: skip
for _name, _log in (("softmax", False), ("log_softmax", True)):
    register(f"{_name}.int(Tensor self, int dim, ScalarType? dtype=None) -> Tensor",
             _softmax_kernel(_log), faces="ember Tensor F")  # fmt: skip
