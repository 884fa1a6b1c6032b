"""Kernels: creation (zeros, ones, full, arange, linspace, eye, *_like) and random numbers.

Random numbers come from one numpy Generator, reseeded by `manual_seed` (values differ from
PyTorch's generator; distributions and dtypes match).

Example:
    >>> from ember.ops.kernels.create import arange_start_step
    >>> arange_start_step(0, 1, 0.25).tolist()
    [0.0, 0.25, 0.5, 0.75]
"""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np

from ember import dtypes
from ember.ops.kernels.checks import c_type_name, fill_fits, require, scalar_fits
from ember.ops.kernels.promote import as_array, compute_np
from ember.ops.table import register

_OPTS = "ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None"
_LIKE = _OPTS + ", MemoryFormat? memory_format=None"
_C = ("creation",)
_RAND = ("creation", "nondeterministic")
_BY_NP = {d.np: d for d in dtypes.ALL_DTYPES}

_rng = [np.random.default_rng()]
_F32 = np.dtype(np.float32)


def manual_seed(seed: int) -> None:
    """Reseed ember's random generator (ember's values differ from PyTorch's)."""
    _rng[0] = np.random.default_rng(int(seed))


def generator() -> np.random.Generator:
    """The numpy Generator behind ember's random functions."""
    return _rng[0]


def _shape(size):
    shape = (size,) if isinstance(size, int) else tuple(int(s) for s in size)
    for s in shape:
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(shape)}"
            )
    return shape


def _dt(dtype):
    return (dtype or dtypes.get_default_dtype()).np


def zeros(size, dtype=None, layout=None, device=None, pin_memory=None, memory_format=None):
    """a tensor of zeros"""
    return np.zeros(_shape(size), _dt(dtype))


def ones(size, dtype=None, layout=None, device=None, pin_memory=None):
    """a tensor of ones"""
    return np.ones(_shape(size), _dt(dtype))


def full(size, fill_value, dtype=None, layout=None, device=None, pin_memory=None):
    """a tensor filled with `fill_value` (dtype inferred from it when not given)"""
    rt = dtype or dtypes.scalar_dtype(fill_value)
    out = np.empty(_shape(size), rt.np)
    fill_fits(fill_value, rt, out.size)
    if isinstance(fill_value, complex) and rt.kind != "c":
        fill_value = fill_value.real if rt.kind != "b" else bool(fill_value)
    out[...] = as_array(fill_value, rt.np)
    return out


def _like_dtype(a, dtype):
    return dtype.np if dtype is not None else a.dtype


def zeros_like(a, dtype=None, layout=None, device=None, pin_memory=None, memory_format=None):
    """zeros shaped like a"""
    return np.zeros(a.shape, _like_dtype(a, dtype))


def ones_like(a, dtype=None, layout=None, device=None, pin_memory=None, memory_format=None):
    """ones shaped like a"""
    return np.ones(a.shape, _like_dtype(a, dtype))


def full_like(
    a, fill_value, dtype=None, layout=None, device=None, pin_memory=None, memory_format=None
):
    """`fill_value` shaped like a (a's dtype unless given)"""
    return full(a.shape, fill_value, dtype or _BY_NP[a.dtype])


def _arange_dtype(values, dtype):
    if dtype is not None:
        return dtype
    if any(isinstance(v, float) for v in values):
        return dtypes.get_default_dtype()
    return dtypes.int64


def arange_start_step(start, end, step=1, dtype=None, layout=None, device=None, pin_memory=None):
    """values from start (inclusive) to end (exclusive) by step

    Integer dtypes take PyTorch's route with float arguments: int64 truncates all three
    before anything else (so a step under 1 is an error), other integer types count the
    elements from the floats but step from int(start) by int(step).
    """
    rt = _arange_dtype((start, end, step), dtype)
    require("arange_cpu", rt, "uif")
    floats = not all(isinstance(v, int) for v in (start, end, step))
    if rt is dtypes.int64 and floats:
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise ValueError("step must be nonzero")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = math.ceil((float(end) - float(start)) / float(step))
    if rt.kind in "bui":
        values = int(start) + np.arange(n, dtype=np.int64) * int(step)
        return values.astype(rt.np)
    return (float(start) + np.arange(n, dtype=np.float64) * float(step)).astype(rt.np)


def arange_end(end, dtype=None, layout=None, device=None, pin_memory=None):
    """values 0 .. end-1"""
    return arange_start_step(0, end, 1, dtype)


def arange_start(start, end, dtype=None, layout=None, device=None, pin_memory=None):
    """values start .. end-1"""
    return arange_start_step(start, end, 1, dtype)


def _bounds(start, end, rt):
    """linspace/logspace bounds converted to dtype rt as PyTorch converts Scalars (checked;
    truncated toward zero for integer dtypes)."""
    for bound in (start, end):
        scalar_fits(bound, rt)
    if rt.kind in "iu":
        return int(start.real if isinstance(start, complex) else start), int(
            end.real if isinstance(end, complex) else end
        )
    if rt in (dtypes.float16, dtypes.bfloat16):  # the bounds become half-precision values
        return float(np.asarray(start, rt.np)), float(np.asarray(end, rt.np))
    return start, end


def _linspace_np(start, end, steps, ct):
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    if steps == 1:
        return np.array([start], ct)
    i = np.arange(steps, dtype=ct)
    step = (ct.type(end) - ct.type(start)) / ct.type(steps - 1)
    half = steps // 2
    return np.where(i < half, ct.type(start) + step * i, ct.type(end) - step * (steps - i - 1))


def linspace(start, end, steps, dtype=None, layout=None, device=None, pin_memory=None):
    """`steps` evenly spaced values from start to end inclusive"""
    rt = dtype or dtypes.get_default_dtype()
    if steps > 1:
        require("linspace_cpu", rt, "uifc")
    start, end = _bounds(start, end, rt)
    ct = np.dtype(np.float64) if rt.kind in "bui" else compute_np(rt)
    return _linspace_np(start, end, steps, ct).astype(rt.np)


def logspace(start, end, steps, base=10.0, dtype=None, layout=None, device=None, pin_memory=None):
    """base ** linspace(start, end, steps)"""
    rt = dtype or dtypes.get_default_dtype()
    if steps > 1:
        require("logspace_cpu", rt, "uifc")
    start, end = _bounds(start, end, rt)
    if rt in (dtypes.float16, dtypes.bfloat16):  # exponents in half precision, as torch's
        exps = _linspace_np(start, end, steps, _F32).astype(rt.np).astype(_F32)
        return np.power(_F32.type(base), exps).astype(rt.np)
    exps = _linspace_np(start, end, steps, np.dtype(np.float64))
    return np.power(float(base), exps).astype(rt.np)


def eye(n, dtype=None, layout=None, device=None, pin_memory=None):
    """an n x n identity matrix"""
    return eye_m(n, n, dtype)


def eye_m(n, m, dtype=None, layout=None, device=None, pin_memory=None):
    """an n x m identity matrix"""
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    return np.eye(n, m, dtype=_dt(dtype))


def _random_float(shape, rt, normal):
    """U[0, 1) or N(0, 1) values of floating or complex dtype rt (complex: each part, with
    variance 1/2 per part for the normal, as PyTorch draws them)."""
    require("normal_kernel_cpu" if normal else "check_uniform_bounds", rt, "fc")
    if rt.kind == "c":
        part = _random_float(shape + (2,), rt.to_real(), normal)
        z = part.view(rt.np)[..., 0]
        return z * np.sqrt(0.5, dtype=part.dtype) if normal else z
    ct = compute_np(rt)
    gen = _rng[0]
    r = gen.standard_normal(shape, dtype=ct) if normal else gen.random(shape, dtype=ct)
    return r.astype(rt.np) if rt.np != ct else r


def rand(size, dtype=None, layout=None, device=None, pin_memory=None):
    """uniform random values in [0, 1)"""
    return _random_float(_shape(size), dtype or dtypes.get_default_dtype(), False)


def randn(size, dtype=None, layout=None, device=None, pin_memory=None):
    """standard normal random values"""
    return _random_float(_shape(size), dtype or dtypes.get_default_dtype(), True)


def rand_like(a, dtype=None, layout=None, device=None, pin_memory=None, memory_format=None):
    """uniform random values shaped like a"""
    return _random_float(a.shape, dtype or _BY_NP[a.dtype], False)


def randn_like(a, dtype=None, layout=None, device=None, pin_memory=None, memory_format=None):
    """normal random values shaped like a"""
    return _random_float(a.shape, dtype or _BY_NP[a.dtype], True)


def randint_low(low, high, size, dtype=None, layout=None, device=None, pin_memory=None):
    """random integers in [low, high)"""
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    rt = dtype or dtypes.int64
    _check_random_bounds(low, high, rt)
    return _rng[0].integers(low, high, _shape(size), dtype=np.int64).astype(rt.np)


def _check_random_bounds(low, high, rt):
    """PyTorch's bounds check of random_ for dtype rt: from and to - 1 must be representable."""
    if rt.kind == "c":
        raise RuntimeError(
            "check_random_bounds handles only integral, floating-point and boolean types"
        )
    if rt.kind == "b":
        lo, hi = 0, 1
    elif rt.kind == "f":
        info = ml_dtypes.finfo(rt.np)
        lo, hi = float(info.min), float(info.max)
    else:
        info = np.iinfo(rt.np)
        lo, hi = int(info.min), int(info.max)
    if not lo <= low <= hi:
        raise RuntimeError(f"from is out of bounds for {c_type_name(rt)}")
    if not lo <= high - 1 <= hi:
        raise RuntimeError(f"to - 1 is out of bounds for {c_type_name(rt)}")


def randint(high, size, dtype=None, layout=None, device=None, pin_memory=None):
    """random integers in [0, high)"""
    return randint_low(0, high, size, dtype)


register(f"zeros(SymInt[] size, *, {_OPTS}) -> Tensor", zeros, traits=_C, faces="ember")
register(f"ones(SymInt[] size, *, {_OPTS}) -> Tensor", ones, traits=_C, faces="ember")
register(
    f"empty.memory_format(SymInt[] size, *, {_LIKE}) -> Tensor",
    zeros,
    traits=_C,
    faces="ember.empty",
)
register(
    f"full(SymInt[] size, Scalar fill_value, *, {_OPTS}) -> Tensor",
    full,
    traits=_C,
    version=5,
    faces="ember",
)
register(f"zeros_like(Tensor self, *, {_LIKE}) -> Tensor", zeros_like, traits=_C, faces="ember")
register(f"ones_like(Tensor self, *, {_LIKE}) -> Tensor", ones_like, traits=_C, faces="ember")
register(f"empty_like(Tensor self, *, {_LIKE}) -> Tensor", zeros_like, traits=_C, faces="ember")
register(
    f"full_like(Tensor self, Scalar fill_value, *, {_LIKE}) -> Tensor",
    full_like,
    traits=_C,
    faces="ember",
)
register(f"arange(Scalar end, *, {_OPTS}) -> Tensor", arange_end, traits=_C, faces="ember")
register(
    f"arange.start(Scalar start, Scalar end, *, {_OPTS}) -> Tensor",
    arange_start,
    traits=_C,
    faces="ember",
)
register(
    f"arange.start_step(Scalar start, Scalar end, Scalar step=1, *, {_OPTS}) -> Tensor",
    arange_start_step,
    traits=_C,
    faces="ember",
)
register(
    f"linspace(Scalar start, Scalar end, int steps, *, {_OPTS}) -> Tensor",
    linspace,
    traits=_C,
    version=8,
    faces="ember",
)
register(
    f"logspace(Scalar start, Scalar end, int steps, float base=10.0, *, {_OPTS}) -> Tensor",
    logspace,
    traits=_C,
    version=9,
    faces="ember",
)
register(f"eye(SymInt n, *, {_OPTS}) -> Tensor", eye, traits=_C, faces="ember")
register(f"eye.m(SymInt n, SymInt m, *, {_OPTS}) -> Tensor", eye_m, traits=_C, faces="ember")
register(f"rand(SymInt[] size, *, {_OPTS}) -> Tensor", rand, traits=_RAND, faces="ember")
register(f"randn(SymInt[] size, *, {_OPTS}) -> Tensor", randn, traits=_RAND, faces="ember")
register(f"rand_like(Tensor self, *, {_LIKE}) -> Tensor", rand_like, traits=_RAND, faces="ember")
register(f"randn_like(Tensor self, *, {_LIKE}) -> Tensor", randn_like, traits=_RAND, faces="ember")
_RI = _OPTS.replace("ScalarType? dtype=None", "ScalarType? dtype=long")
register(
    f"randint(SymInt high, SymInt[] size, *, {_RI}) -> Tensor", randint, traits=_RAND, faces="ember"
)
register(
    f"randint.low(SymInt low, SymInt high, SymInt[] size, *, {_RI}) -> Tensor",
    randint_low,
    traits=_RAND,
    faces="ember",
)
