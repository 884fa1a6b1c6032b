"""numpy kernels of aten::diff (n-th forward differences along a dim, bool by xor) and
aten::baddbmm (beta * self + alpha * batch1 @ batch2).

Example:
    >>> import numpy as np
    >>> diff(np.array([1, 3, 7, 12])).tolist()
    [2, 4, 5]
    >>> baddbmm(np.ones((1, 1, 1)), np.ones((1, 1, 2)), np.ones((1, 2, 1)), 0.5, 2).tolist()
    [[[4.5]]]
"""

from __future__ import annotations

import numpy as np

from ember.ops.kernels import join as k_join
from ember.ops.kernels import linalg as k_linalg
from ember.ops.kernels.checks import wrap_dim
from ember.ops.table import register

__all__ = ["diff", "baddbmm"]


def _joined(self, dim: int, prepend, append):
    parts = [t for t in (prepend, self, append) if t is not None]
    for t in parts:
        if t.ndim != self.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    return k_join.cat(parts, dim) if len(parts) > 1 else self


def diff(self, n: int = 1, dim: int = -1, prepend=None, append=None):
    """the n-th forward difference along dim (xor for bool), after prepend/append"""
    if self.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = wrap_dim(dim, self.ndim)
    x = _joined(self, d, prepend, append)
    for _ in range(min(n, x.shape[d])):
        later = x[(slice(None),) * d + (slice(1, None),)]
        earlier = x[(slice(None),) * d + (slice(None, -1),)]
        x = np.logical_xor(later, earlier) if x.dtype == np.bool_ else later - earlier
    return np.array(x, copy=True)


def baddbmm(self, batch1, batch2, beta=1, alpha=1):
    """beta * self + alpha * (batch1 @ batch2), batch by batch; beta=0 ignores self"""
    if not self.dtype == batch1.dtype == batch2.dtype:
        raise RuntimeError(
            f"Input dtypes must be the same, got: input {self.dtype.name}, batch1: "
            f"{batch1.dtype.name}, batch2: {batch2.dtype.name}"
        )
    product = k_linalg.bmm(batch1, batch2)
    try:
        base = np.broadcast_to(self, product.shape)
    except ValueError:
        raise RuntimeError(
            f"The size of self {list(self.shape)} cannot be broadcast to the size of "
            f"batch1 @ batch2 {list(product.shape)}"
        ) from None
    kind = product.dtype.type
    if alpha != 1:
        product = product * kind(alpha)
    if beta == 0:
        return product.astype(self.dtype, copy=False)
    return (base * kind(beta) + product).astype(self.dtype, copy=False)


register("diff(Tensor self, int n=1, int dim=-1, Tensor? prepend=None, Tensor? append=None) "
         "-> Tensor", diff, faces="ember Tensor")  # fmt: skip
register("baddbmm(Tensor self, Tensor batch1, Tensor batch2, *, Scalar beta=1, Scalar alpha=1) "
         "-> Tensor", baddbmm, faces="ember Tensor")  # fmt: skip
