"""numpy kernels of Bernoulli sampling: aten::bernoulli_ (in place, float or Tensor p) and
aten::bernoulli (probabilities taken from the input, or one p).

Draws come from the op table's global generator (`ember.manual_seed` seeds it); the values
differ from PyTorch's for the same seed, but p=0 always gives 0 and p=1 always 1.

Example:
    >>> import numpy as np
    >>> bernoulli_(np.zeros(4, np.float32), 1.0).tolist()
    [1.0, 1.0, 1.0, 1.0]
    >>> bernoulli(np.array([0.0, 1.0])).tolist()
    [0.0, 1.0]
"""

from __future__ import annotations

import numpy as np

from ember.ops.kernels import create as k_create
from ember.ops.kernels.checks import kind_of, not_implemented
from ember.ops.kernels.writeback import write
from ember.ops.table import register

__all__ = ["bernoulli_", "bernoulli"]

_RANDOM = ("nondeterministic",)
_GEN = "*, Generator? generator=None"


def _draw(probabilities, shape) -> np.ndarray:
    return k_create.generator().random(shape) < probabilities


def _scalar_p(self, p: float) -> float:
    if kind_of(self) == "c":
        raise not_implemented("bernoulli_scalar_cpu_", self)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return p


def _tensor_p(self, p) -> np.ndarray:
    if kind_of(p) != "f":
        raise not_implemented("bernoulli_tensor_cpu_p_", p)
    if kind_of(self) == "c":
        raise not_implemented("bernoulli_tensor_cpu_self_", self)
    try:
        p = np.broadcast_to(p, self.shape)
    except ValueError:
        raise RuntimeError(
            f"expand(p of size {list(p.shape)}, size={list(self.shape)}): p must broadcast to "
            "the shape of self"
        ) from None
    wide = p.astype(np.float64)
    if ((wide < 0) | (wide > 1)).any():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    return wide


def bernoulli_(self, p=0.5, generator=None):
    """fill self with 1 with probability p (a float or a tensor broadcast to self), else 0"""
    probabilities = _tensor_p(self, p) if isinstance(p, np.ndarray) else _scalar_p(self, p)
    return write(self, _draw(probabilities, self.shape))


def bernoulli(self, p=None, generator=None):
    """a fresh tensor of 0s and 1s: 1 with probability p, or with probability self"""
    if p is None:
        return bernoulli_(np.empty_like(self), self)
    return bernoulli_(np.empty_like(self), p)


register(f"bernoulli_.Tensor(Tensor(a!) self, Tensor p, {_GEN}) -> Tensor(a!)", bernoulli_,
         traits=("inplace", *_RANDOM), faces="Tensor")  # fmt: skip
register(f"bernoulli_.float(Tensor(a!) self, float p=0.5, {_GEN}) -> Tensor(a!)", bernoulli_,
         traits=("inplace", *_RANDOM), faces="Tensor")  # fmt: skip
register(f"bernoulli(Tensor self, {_GEN}) -> Tensor", bernoulli, traits=_RANDOM,
         faces="ember Tensor")  # fmt: skip
register(f"bernoulli.p(Tensor self, float p, {_GEN}) -> Tensor", bernoulli, traits=_RANDOM,
         faces="ember Tensor")  # fmt: skip
