"""Kernels: matmul (every rank combination), mm, bmm, linear.

Operands must share a dtype, as in PyTorch; half precision multiplies in float32.

Example:
    >>> import numpy as np
    >>> from ember.ops.k_linalg import linear
    >>> linear(np.ones((1, 2), np.float32), np.ones((3, 2), np.float32), None).shape
    (1, 3)
"""

from __future__ import annotations

import numpy as np

from ember import dtypes
from ember.ops.promote import compute_np
from ember.ops.registry import register

_BY_NP = {d.np: d for d in dtypes.ALL_DTYPES}


def _same_dtype(a, b, what="expected m1 and m2 to have the same dtype"):
    if a.dtype != b.dtype:
        da, db = _BY_NP[a.dtype], _BY_NP[b.dtype]
        raise RuntimeError(f"{what}, but got: {_legacy(da)} != {_legacy(db)}")
    rt = _BY_NP[a.dtype]
    if rt is dtypes.bool_:
        raise RuntimeError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    return rt


def _legacy(d) -> str:
    return {"float32": "float", "float64": "double", "int64": "long int"}.get(d.name, d.name)


def _mul(a, b, rt):
    ct = compute_np(rt)
    if ct != a.dtype:
        a, b = a.astype(ct), b.astype(ct)
    r = np.matmul(a, b)
    r = r if isinstance(r, np.ndarray) else np.array(r)
    return r if r.dtype == rt.np else r.astype(rt.np)


def matmul(a, b):
    """matrix product with numpy/PyTorch broadcasting of batch dims"""
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D"
        )
    rt = _same_dtype(a, b)
    _check_inner(a, b)
    return _mul(a, b, rt)


def _check_inner(a, b):
    k1 = a.shape[-1]
    k2 = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k1 != k2:
        rows = a.shape[-2] if a.ndim > 1 else 1
        cols = b.shape[-1] if b.ndim > 1 else 1
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k1} and {k2}x{cols})"
        )


def mm(a, b):
    """2-D matrix product"""
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError("self must be a matrix" if a.ndim != 2 else "mat2 must be a matrix")
    return matmul(a, b)


def bmm(a, b):
    """batched 3-D matrix product"""
    if a.ndim != 3 or b.ndim != 3:
        raise RuntimeError(
            "batch1 must be a 3D tensor" if a.ndim != 3 else "batch2 must be a 3D tensor"
        )
    if a.shape[0] != b.shape[0]:
        raise RuntimeError("batch1 and batch2 must have same number of batches")
    return matmul(a, b)


_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)


def linear(x, w, bias=None):
    """x @ w.T + bias"""
    dt = x.dtype
    if (
        (dt is _F32 or dt is _F64)
        and w.dtype is dt
        and w.ndim == 2
        and x.ndim
        and x.shape[-1] == w.shape[1]
    ):
        if bias is None:
            return np.matmul(x, w.T)
        if bias.dtype is dt and bias.ndim == 1 and bias.shape[0] == w.shape[0]:
            out = np.matmul(x, w.T)
            np.add(out, bias, out=out)
            return out
    return _linear_checked(x, w, bias)


def _linear_checked(x, w, bias):
    rt = _same_dtype(x, w, "mat1 and mat2 must have the same dtype")
    if w.ndim == 0 or x.ndim == 0:
        raise RuntimeError("linear: input and weight must be at least 1-D")
    wt = w.T
    _check_inner(x, wt)
    if bias is not None and bias.dtype != x.dtype:
        raise RuntimeError("linear: bias must have the same dtype as input")
    ct = compute_np(rt)
    out = _mul(x, wt, dtypes.float32 if ct != rt.np else rt)
    if bias is not None:
        out = out + bias.astype(out.dtype, copy=False)
    return out if out.dtype == rt.np else out.astype(rt.np)


register("matmul(Tensor self, Tensor other) -> Tensor", matmul)
register("mm(Tensor self, Tensor mat2) -> Tensor", mm)
register("bmm(Tensor self, Tensor mat2) -> Tensor", bmm)
register("linear(Tensor input, Tensor weight, Tensor? bias=None) -> Tensor", linear)
