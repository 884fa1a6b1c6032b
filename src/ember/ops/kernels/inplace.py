"""Kernels: in-place ops (`Tensor(a!) self`), writing into the tensor's view of its storage.

Each in-place op runs its out-of-place kernel, checks PyTorch's rules (the result must keep
self's shape and be castable to self's dtype), then copies into self's memory.

Example:
    >>> import numpy as np
    >>> from ember.ops.kernels.inplace import copy_
    >>> x = np.array([1, 2])
    >>> _ = copy_(x, np.array(3.7)); x.tolist()
    [3, 3]
"""

from __future__ import annotations

import numpy as np

from ember import dtypes
from ember.ops.kernels import arith as k_arith
from ember.ops.kernels import compare as k_compare
from ember.ops.kernels import create as k_create
from ember.ops.kernels import unary as k_unary
from ember.ops.kernels.checks import c_type_name, cpp_name, fill_fits, require
from ember.ops.kernels.promote import as_array
from ember.ops.table import register

_I = ("inplace",)
_BY_NP = {d.np: d for d in dtypes.ALL_DTYPES}
_CAT = {"b": 0, "u": 1, "i": 1, "f": 2, "V": 2, "c": 3}


def _name(d: np.dtype) -> str:
    return cpp_name(d)


def write(a, r, c_names: bool = False):
    """Copy result `r` into `a` after PyTorch's shape and dtype-cast checks (`c_names`: the
    message names a's dtype as a C++ type, as PyTorch's clamp_ family does)."""
    r = np.asarray(r)
    if _CAT[r.dtype.kind] > _CAT[a.dtype.kind]:
        target = c_type_name(a) if c_names else _name(a.dtype)
        raise RuntimeError(
            f"result type {_name(r.dtype)} can't be cast to the desired output type {target}"
        )
    if r.shape != a.shape and np.broadcast_shapes(r.shape, a.shape) != a.shape:
        raise RuntimeError(
            f"output with shape {list(a.shape)} doesn't match the broadcast shape {list(r.shape)}"
        )
    np.copyto(a, r, casting="unsafe")
    return a


def _inplace(kernel, c_names: bool = False):
    def fn(a, *args):
        return write(a, kernel(a, *args), c_names)

    fn.__doc__ = f"in-place {kernel.__doc__ or kernel.__name__}"
    return fn


def _direct(ufunc, kernel):
    """In-place arithmetic that runs `ufunc` straight into `a` when no promotion is involved."""

    def fn(a, b, alpha=1):
        if (
            alpha == 1
            and a.dtype.kind in "fiu"
            and (
                (b.__class__ is np.ndarray and b.dtype == a.dtype)
                or (b.__class__ is float and a.dtype.kind == "f")
            )
        ):
            try:
                ufunc(a, b, out=a)
                return a
            except ValueError:
                pass  # not broadcastable to a's shape: the checked path reports it
        return write(a, kernel(a, b, alpha))

    fn.__doc__ = f"in-place {kernel.__doc__}"
    return fn


def copy_(a, src, non_blocking=False):
    """copy src into self (broadcast, any dtype)"""
    if not isinstance(src, np.ndarray):
        src = as_array(src, a.dtype)
    elif src.dtype != a.dtype:
        src = dtypes.astype(src, a.dtype)
    np.copyto(a, src)
    return a


def fill_(a, value):
    """set every element to value"""
    if isinstance(value, np.ndarray) and value.ndim:
        raise RuntimeError(
            "fill_ only supports 0-dimension value tensor but got tensor with "
            f"{value.ndim} dimensions."
        )
    target = _BY_NP[a.dtype]
    fill_fits(value, target, a.size)
    if isinstance(value, complex) and target.kind != "c":
        value = value.real if target.kind != "b" else bool(value)
    a[...] = as_array(value, a.dtype)
    return a


def zero_(a):
    """set every element to zero"""
    a[...] = 0
    return a


def index_put_(a, indices, values, accumulate=False):
    """self[indices] = values (or += with accumulate)"""
    key = tuple(slice(None) if i is None else i for i in indices)
    v = values if isinstance(values, np.ndarray) else as_array(values, a.dtype)
    if v.dtype != a.dtype:  # PyTorch casts nothing here, not even int32 into int64
        raise RuntimeError(
            f"Index put requires the source and destination dtypes match, got {_name(a.dtype)} "
            f"for the destination and {_name(v.dtype)} for the source."
        )
    v = v.astype(a.dtype, copy=False)
    if accumulate:
        np.add.at(a, key, v)
    else:
        a[key] = v
    return a


def _random_(fill, doc, kernel):
    def fn(a, lo=0.0, hi=1.0, generator=None):
        require(kernel, a, "fc")
        if a.dtype.kind == "c":  # both parts drawn; normal parts get std / sqrt(2), as torch's
            spread = hi * np.sqrt(0.5) if kernel.startswith("normal") else hi
            parts = fill(k_create.generator(), lo, spread, a.shape + (2,))
            a[...] = parts[..., 0] + 1j * parts[..., 1]
            return a
        r = fill(k_create.generator(), lo, hi, a.shape)
        a[...] = r.astype(a.dtype)
        return a

    fn.__doc__ = doc
    return fn


uniform_ = _random_(
    lambda g, lo, hi, shape: g.uniform(lo, hi, shape),
    "fill from U(from, to)",
    "check_uniform_bounds",
)
normal_ = _random_(
    lambda g, mean, std, shape: g.normal(mean, std, shape),
    "fill from N(mean, std)",
    "normal_kernel_cpu",
)

_T = "(Tensor(a!) self, Tensor other) -> Tensor(a!)"
_S = "(Tensor(a!) self, Scalar other) -> Tensor(a!)"
_ALPHA_T = "(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> Tensor(a!)"
_ALPHA_S = "(Tensor(a!) self, Scalar other, Scalar alpha=1) -> Tensor(a!)"
for _n, _u, _k in (("add_", np.add, k_arith.add), ("sub_", np.subtract, k_arith.sub)):
    register(f"{_n}.Tensor{_ALPHA_T}", _direct(_u, _k), traits=_I)
    register(f"{_n}.Scalar{_ALPHA_S}", _direct(_u, _k), traits=_I)
for _n, _k in (
    ("mul_", k_arith.mul),
    ("remainder_", k_arith.remainder),
    ("fmod_", k_arith.fmod),
    ("bitwise_and_", k_compare._bitwise(np.bitwise_and, "bitwise_and")),
    ("bitwise_or_", k_compare._bitwise(np.bitwise_or, "bitwise_or")),
    ("bitwise_xor_", k_compare._bitwise(np.bitwise_xor, "bitwise_xor")),
):
    register(f"{_n}.Tensor{_T}", _inplace(_k), traits=_I)
    register(f"{_n}.Scalar{_S}", _inplace(_k), traits=_I)
register("div_.Tensor" + _T, _inplace(k_arith.div), traits=_I, version=4)
register("div_.Scalar" + _S, _inplace(k_arith.div), traits=_I, version=4)
register(
    "div_.Tensor_mode(Tensor(a!) self, Tensor other, *, str? rounding_mode) -> Tensor(a!)",
    _inplace(k_arith.div),
    traits=_I,
    version=4,
)
register(
    "div_.Scalar_mode(Tensor(a!) self, Scalar other, *, str? rounding_mode) -> Tensor(a!)",
    _inplace(k_arith.div),
    traits=_I,
    version=4,
)
register("floor_divide_.Tensor" + _T, _inplace(k_arith.floor_divide), traits=_I)
register("floor_divide_.Scalar" + _S, _inplace(k_arith.floor_divide), traits=_I)
register(
    "pow_.Tensor(Tensor(a!) self, Tensor exponent) -> Tensor(a!)", _inplace(k_arith.pow_), traits=_I
)
register(
    "pow_.Scalar(Tensor(a!) self, Scalar exponent) -> Tensor(a!)", _inplace(k_arith.pow_), traits=_I
)
register(
    "copy_(Tensor(a!) self, Tensor src, bool non_blocking=False) -> Tensor(a!)", copy_, traits=_I
)
register("fill_.Scalar(Tensor(a!) self, Scalar value) -> Tensor(a!)", fill_, traits=_I)
register("fill_.Tensor(Tensor(a!) self, Tensor value) -> Tensor(a!)", fill_, traits=_I)
register("zero_(Tensor(a!) self) -> Tensor(a!)", zero_, traits=_I)
register(
    "clamp_(Tensor(a!) self, Scalar? min=None, Scalar? max=None) -> Tensor(a!)",
    _inplace(k_compare.clamp, c_names=True),
    traits=_I,
)
register(
    "clamp_min_(Tensor(a!) self, Scalar min) -> Tensor(a!)",
    _inplace(k_compare.clamp_min, c_names=True),
    traits=_I,
)
register(
    "clamp_max_(Tensor(a!) self, Scalar max) -> Tensor(a!)",
    _inplace(k_compare.clamp_max, c_names=True),
    traits=_I,
)
register(
    "masked_fill_.Scalar(Tensor(a!) self, Tensor mask, Scalar value) -> Tensor(a!)",
    _inplace(k_compare.masked_fill),
    traits=_I,
)
register(
    "masked_fill_.Tensor(Tensor(a!) self, Tensor mask, Tensor value) -> Tensor(a!)",
    _inplace(k_compare.masked_fill),
    traits=_I,
)
register("relu_(Tensor(a!) self) -> Tensor(a!)", _inplace(k_unary.relu), traits=_I)
register("neg_(Tensor(a!) self) -> Tensor(a!)", _inplace(k_unary.neg), traits=_I)
register(
    "index_put_(Tensor(a!) self, Tensor?[] indices, Tensor values, bool accumulate=False)"
    " -> Tensor(a!)",
    index_put_,
    traits=_I,
)
register(
    "uniform_(Tensor(a!) self, float from=0, float to=1, *, Generator? generator=None)"
    " -> Tensor(a!)",
    uniform_,
    traits=("inplace", "nondeterministic"),
)
register(
    "normal_(Tensor(a!) self, float mean=0, float std=1, *, Generator? generator=None)"
    " -> Tensor(a!)",
    normal_,
    traits=("inplace", "nondeterministic"),
)


def _unary_inplace_variants() -> None:
    """`abs_`, `exp_`, ...: the unary kernels written back into self (torch's cast checks)."""
    from ember.ops.kernels import unary as k_unary  # noqa: F401  (registers the out-of-place ops first)
    from ember.ops.table import _TABLE, get

    for name in _UNARY_INPLACE:
        if f"aten::{name}_" not in _TABLE:
            kernel = get(f"aten::{name}").kernel
            register(f"{name}_(Tensor(a!) self) -> Tensor(a!)", _inplace(kernel), traits=_I)


_UNARY_INPLACE = [
    "abs",
    "exp",
    "log",
    "log2",
    "log10",
    "log1p",
    "sqrt",
    "rsqrt",
    "sin",
    "cos",
    "tan",
    "tanh",
    "sigmoid",
    "floor",
    "ceil",
    "round",
    "trunc",
    "reciprocal",
    "sign",
    "erf",
    "expm1",
    "exp2",
    "square",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
]
_unary_inplace_variants()
