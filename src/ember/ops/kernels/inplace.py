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
from ember.ops.kernels.checks import cpp_name, fill_fits, require
from ember.ops.kernels.promote import as_array
from ember.ops.kernels.writeback import in_place, write
from ember.ops.table import register

_I = ("inplace",)
_BY_NP = {d.np: d for d in dtypes.ALL_DTYPES}


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
            f"Index put requires the source and destination dtypes match, got {cpp_name(a.dtype)} "
            f"for the destination and {cpp_name(v.dtype)} for the source."
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
    register(f"{_n}.Tensor{_ALPHA_T}", _direct(_u, _k), traits=_I, faces="Tensor")
    register(f"{_n}.Scalar{_ALPHA_S}", _direct(_u, _k), traits=_I, faces="Tensor")
for _n, _k in (
    ("mul_", k_arith.mul),
    ("remainder_", k_arith.remainder),
    ("fmod_", k_arith.fmod),
    ("bitwise_and_", k_compare._bitwise(np.bitwise_and, "bitwise_and")),
    ("bitwise_or_", k_compare._bitwise(np.bitwise_or, "bitwise_or")),
    ("bitwise_xor_", k_compare._bitwise(np.bitwise_xor, "bitwise_xor")),
):
    register(f"{_n}.Tensor{_T}", in_place(_k), traits=_I, faces="Tensor")
    register(f"{_n}.Scalar{_S}", in_place(_k), traits=_I, faces="Tensor")
register(
    "div_.Tensor" + _T,
    in_place(k_arith.div),
    traits=_I,
    version=4,
    faces="Tensor Tensor.true_divide_ Tensor.divide_",
)
register(
    "div_.Scalar" + _S,
    in_place(k_arith.div),
    traits=_I,
    version=4,
    faces="Tensor Tensor.true_divide_ Tensor.divide_",
)
register(
    "div_.Tensor_mode(Tensor(a!) self, Tensor other, *, str? rounding_mode) -> Tensor(a!)",
    in_place(k_arith.div),
    traits=_I,
    version=4,
    faces="Tensor Tensor.true_divide_ Tensor.divide_",
)
register(
    "div_.Scalar_mode(Tensor(a!) self, Scalar other, *, str? rounding_mode) -> Tensor(a!)",
    in_place(k_arith.div),
    traits=_I,
    version=4,
    faces="Tensor Tensor.true_divide_ Tensor.divide_",
)
register("floor_divide_.Tensor" + _T, in_place(k_arith.floor_divide), traits=_I, faces="Tensor")
register("floor_divide_.Scalar" + _S, in_place(k_arith.floor_divide), traits=_I, faces="Tensor")
register(
    "pow_.Tensor(Tensor(a!) self, Tensor exponent) -> Tensor(a!)",
    in_place(k_arith.pow_),
    traits=_I,
    faces="Tensor",
)
register(
    "pow_.Scalar(Tensor(a!) self, Scalar exponent) -> Tensor(a!)",
    in_place(k_arith.pow_),
    traits=_I,
    faces="Tensor",
)
register(
    "copy_(Tensor(a!) self, Tensor src, bool non_blocking=False) -> Tensor(a!)",
    copy_,
    traits=_I,
    faces="Tensor",
)
register(
    "fill_.Scalar(Tensor(a!) self, Scalar value) -> Tensor(a!)", fill_, traits=_I, faces="Tensor"
)
register(
    "fill_.Tensor(Tensor(a!) self, Tensor value) -> Tensor(a!)", fill_, traits=_I, faces="Tensor"
)
register("zero_(Tensor(a!) self) -> Tensor(a!)", zero_, traits=_I, faces="Tensor")
register(
    "clamp_(Tensor(a!) self, Scalar? min=None, Scalar? max=None) -> Tensor(a!)",
    in_place(k_compare.clamp, c_names=True),
    traits=_I,
    faces="Tensor",
)
register(
    "clamp_min_(Tensor(a!) self, Scalar min) -> Tensor(a!)",
    in_place(k_compare.clamp_min, c_names=True),
    traits=_I,
    faces="Tensor",
)
register(
    "clamp_max_(Tensor(a!) self, Scalar max) -> Tensor(a!)",
    in_place(k_compare.clamp_max, c_names=True),
    traits=_I,
    faces="Tensor",
)
register(
    "masked_fill_.Scalar(Tensor(a!) self, Tensor mask, Scalar value) -> Tensor(a!)",
    in_place(k_compare.masked_fill),
    traits=_I,
    faces="Tensor",
)
register(
    "masked_fill_.Tensor(Tensor(a!) self, Tensor mask, Tensor value) -> Tensor(a!)",
    in_place(k_compare.masked_fill),
    traits=_I,
    faces="Tensor",
)
register(
    "index_put_(Tensor(a!) self, Tensor?[] indices, Tensor values, bool accumulate=False)"
    " -> Tensor(a!)",
    index_put_,
    traits=_I,
    faces="Tensor",
)
register(
    "uniform_(Tensor(a!) self, float from=0, float to=1, *, Generator? generator=None)"
    " -> Tensor(a!)",
    uniform_,
    traits=("inplace", "nondeterministic"),
    faces="Tensor",
)
register(
    "normal_(Tensor(a!) self, float mean=0, float std=1, *, Generator? generator=None)"
    " -> Tensor(a!)",
    normal_,
    traits=("inplace", "nondeterministic"),
    faces="Tensor",
)
