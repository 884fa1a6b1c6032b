"""Kernels: matmul (every rank combination), mm, bmm, linear.

`matmul` takes PyTorch's route for each rank pair (dot, mv, mm, or a batched bmm), so its
checks, errors and empty-input behaviour are those of the kernel it lands in: the operands
must share a dtype; an empty mm/mv/bmm returns zeros without running (even for bool, which
has no non-empty kernel); half precision multiplies in float32 and rounds once.

Example:
    >>> import numpy as np
    >>> from ember.ops.kernels.linalg import linear
    >>> linear(np.ones((1, 2), np.float32), np.ones((3, 2), np.float32), None).shape
    (1, 3)
"""

from __future__ import annotations

import numpy as np

from ember import dtypes
from ember.ops.kernels.arith import add
from ember.ops.kernels.checks import c_type_name, cpp_name, not_implemented
from ember.ops.kernels.promote import compute_np
from ember.ops.kernels.view import expand, t
from ember.ops.kernels.writeback import write
from ember.ops.table import register

_BY_NP = {d.np: d for d in dtypes.ALL_DTYPES}


def _mul(a, b, rt):
    """np.matmul in rt's compute dtype, as an array of rt."""
    ct = compute_np(rt)
    if ct != a.dtype:
        a, b = a.astype(ct), b.astype(ct)
    r = np.matmul(a, b)
    r = r if isinstance(r, np.ndarray) else np.array(r)
    return r if r.dtype == rt.np else r.astype(rt.np)


def _product(a, b, kernel: str, empty: bool):
    """a @ b once shapes and dtypes are checked: zeros when empty, refusing bool otherwise."""
    shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + a.shape[-2:-1] + b.shape[-1:]
    if empty:
        return np.zeros(shape, b.dtype)
    if b.dtype == np.bool_:
        raise not_implemented(kernel, b)
    return _mul(a, b, _BY_NP[b.dtype])


def _dot(a, b):
    if a.dtype != b.dtype:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{cpp_name(a)} and {cpp_name(b)}"
        )
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to "
            f"have the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements "
            "respectively"
        )
    if a.dtype == np.bool_:
        raise not_implemented("dot", a)
    return _mul(a, b, _BY_NP[a.dtype])


def _mv(m, v):
    """2-D matrix times vector (PyTorch's addmv)."""
    if m.dtype != v.dtype:
        names = cpp_name(v), cpp_name(m), cpp_name(v)
        raise RuntimeError(
            "addmv input tensors must have the same dtype, but got {}, {}, and {}".format(*names)
        )
    if m.shape[1] != v.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({m.shape[0]}), mat ({m.shape[0]}x{m.shape[1]}), "
            f"vec ({v.shape[0]})"
        )
    return _product(m, v[:, None], "addmv_impl_cpu", m.size == 0)[:, 0]


def _check_inner(a, b):
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
            f"{b.shape[0]}x{b.shape[1]})"
        )


def _mm(a, b):
    """2-D matrix product (PyTorch's addmm)."""
    _check_inner(a, b)
    if a.dtype != b.dtype:
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{c_type_name(a)} != {c_type_name(b)}"
        )
    return _product(a, b, "addmm_impl_cpu_", 0 in (a.shape[0], a.shape[1], b.shape[1]))


def _bmm(a, b):
    """3-D batched matrix product; empty products skip every dtype check, as PyTorch's do."""
    if b.shape[:2] != (a.shape[0], a.shape[2]):
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}]."
        )
    empty = 0 in (a.shape[0], a.shape[1], a.shape[2], b.shape[2])
    if not empty and a.dtype == np.bool_:
        raise not_implemented("bmm", a)
    if not empty and a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {cpp_name(a)} but found {cpp_name(b)}")
    return _product(a, b, "bmm", empty)


def _batched(a, b):
    """matmul with at least one operand of rank >= 3 whose other side needs batching."""
    a2 = a[None] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    batch = _broadcast_batch(a2.shape[:-2], b2.shape[:-2])
    n, k, m = a2.shape[-2], a2.shape[-1], b2.shape[-1]
    count = int(np.prod(batch))
    a3 = np.broadcast_to(a2, batch + (n, k)).reshape(count, n, k)
    b3 = np.broadcast_to(b2, batch + b2.shape[-2:]).reshape(count, *b2.shape[-2:])
    r = _bmm(a3, b3).reshape(batch + (n, m))
    if a.ndim == 1:
        r = r[..., 0, :]
    if b.ndim == 1:
        r = r[..., 0]
    return r


def _broadcast_batch(sa, sb):
    n = max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + sa, (1,) * (n - len(sb)) + sb
    for dim in range(n - 1, -1, -1):
        if sa[dim] != sb[dim] and 1 not in (sa[dim], sb[dim]):
            raise RuntimeError(
                f"The size of tensor a ({sa[dim]}) must match the size of tensor b ({sb[dim]}) "
                f"at non-singleton dimension {dim}"
            )
    return tuple(max(x, y) for x, y in zip(sa, sb))


def _rows(a):
    """a as a 2-D matrix of its leading dims by its last (explicit: -1 is ambiguous when empty)."""
    return a.reshape(int(np.prod(a.shape[:-1])), a.shape[-1])


def _foldable(big):
    """PyTorch folds a rank >= 3 operand into a matrix only when that needs no copy: empty, or
    its leading dims are contiguous with one another (the rank-2 side keeps its own layout)."""
    if big.size == 0:
        return True
    st, sh = big.strides, big.shape
    return all(st[i] == st[i + 1] * sh[i + 1] for i in range(big.ndim - 2))


def _folded(a, b):
    """a @ b with a of rank >= 3 folded into one matrix: mm, or mv when b is a vector."""
    if b.ndim == 1:
        return _mv(_rows(a), b).reshape(a.shape[:-1])
    return _mm(_rows(a), b).reshape(a.shape[:-1] + b.shape[-1:])


def matmul(a, b):
    """matrix product with numpy/PyTorch broadcasting of batch dims"""
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D"
        )
    if a.ndim == 1 and b.ndim == 1:
        return _dot(a, b)
    if a.ndim == 2 and b.ndim == 1:
        return _mv(a, b)
    if a.ndim == 1 and b.ndim == 2:
        return _mm(a[None], b)[0]
    if a.ndim == 2 and b.ndim == 2:
        return _mm(a, b)
    if b.ndim <= 2 and _foldable(a):
        return _folded(a, b)
    if a.ndim == 1 and _foldable(np.swapaxes(b, -1, -2)):
        return _folded(np.swapaxes(b, -1, -2), a)
    return _batched(a, b)


def mm(a, b):
    """2-D matrix product"""
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError("self must be a matrix" if a.ndim != 2 else "mat2 must be a matrix")
    return _mm(a, b)


def bmm(a, b):
    """batched 3-D matrix product"""
    if a.ndim != 3 or b.ndim != 3:
        raise RuntimeError(
            "batch1 must be a 3D tensor" if a.ndim != 3 else "batch2 must be a 3D tensor"
        )
    return _bmm(a, b)


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
            return _rows_times(x, w.T)
        if bias.dtype is dt and bias.ndim == 1 and bias.shape[0] == w.shape[0]:
            out = _rows_times(x, w.T)
            np.add(out, bias, out=out)
            return out
    return _linear_checked(x, w, bias)


def _rows_times(x, wt):
    """x @ wt as ONE GEMM over the rows of x: numpy's stacked matmul runs a slow non-BLAS loop
    when x is a permuted view (ConvNeXt's channels-last blocks), so x is folded to (rows, K),
    copied once if it must be."""
    if x.ndim <= 2:
        return np.matmul(x, wt)
    return np.matmul(x.reshape(-1, x.shape[-1]), wt).reshape(x.shape[:-1] + wt.shape[-1:])


def _linear_checked(x, w, bias):
    """PyTorch's linear: addmm on the rows of x when it fuses (x 2-D, or contiguous and 3-D
    or with a 1-D bias), else matmul then an in-place bias add; errors come from that route."""
    if w.ndim == 0 or x.ndim == 0:
        raise RuntimeError(
            f"both arguments to linear need to be at least 1D, but they are {x.ndim}D and {w.ndim}D"
        )
    wt = t(w)
    if bias is None:
        return matmul(x, wt)
    if x.ndim == 2 or (_fusable(bias) and x.flags.c_contiguous):
        out = _addmm(bias, _rows(x), wt)
        return out.reshape(x.shape[:-1] + out.shape[-1:])
    out = matmul(x, wt)
    return write(out, add(out, bias))


def _fusable(bias):
    """torch 2.13 fuses the bias into addmm for inputs beyond 2-D when it is contiguous and
    1-D once squeezed (so a (2, 3) bias broadcasts after matmul, a (2, 1) one is expanded)."""
    squeezed = sum(n != 1 for n in bias.shape)
    return bias.flags.c_contiguous and (bias.ndim == 1 or squeezed == 1)


def _addmm(bias, m1, m2):
    """bias + m1 @ m2 with addmm's checks, in their order; half precision rounds once."""
    if bias.dtype != m2.dtype:
        raise RuntimeError(
            f"self and mat2 must have the same dtype, but got {cpp_name(bias)} and {cpp_name(m2)}"
        )
    if m1.dtype != m2.dtype:
        raise RuntimeError(
            f"mat1 and mat2 must have the same dtype, but got {cpp_name(m1)} and {cpp_name(m2)}"
        )
    if m2.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {m2.ndim}-D tensor")
    _check_inner(m1, m2)
    rt = _BY_NP[m2.dtype]
    full = expand(bias, [m1.shape[0], m2.shape[1]])
    if 0 in m1.shape or m2.shape[1] == 0:
        if rt is dtypes.bool_ and full.size:  # torch scales the bias by an int beta here
            raise RuntimeError("result type Long can't be cast to the desired output type Bool")
        return np.array(full)
    if rt is dtypes.bool_:
        raise not_implemented("addmm_impl_cpu_", m2)
    wide = compute_np(rt) != rt.np
    ct = np.float32 if wide else rt.np
    out = np.matmul(m1.astype(ct, copy=False), m2.astype(ct, copy=False))
    out += full.astype(ct, copy=False)
    return out if out.dtype == rt.np else out.astype(rt.np)


register("matmul(Tensor self, Tensor other) -> Tensor", matmul, faces="ember Tensor")
register("mm(Tensor self, Tensor mat2) -> Tensor", mm, faces="ember Tensor")
register("bmm(Tensor self, Tensor mat2) -> Tensor", bmm, faces="ember Tensor")
register(
    "linear(Tensor input, Tensor weight, Tensor? bias=None) -> Tensor", linear, faces="ember F"
)
