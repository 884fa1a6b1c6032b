"""`TracedFloat`: a float computed from traced sizes (``x.size(0) / 2``, ``n * 0.5``).

The float counterpart of `TracedInt` (see NOTE: [Traced sizes] in `ember.tracer.values`): a
real `float` that also carries its IR value. Arithmetic records TorchScript's float ops
(``aten::mul.float``, ``aten::div.float_int`` ...), with tensors the tensor op taking it as
its scalar; `math.floor`, `math.ceil` and `math.trunc` record ``aten::floor.float`` ... and
give a `TracedInt` back. `int()`, `float()`, `round()`, comparisons and `bool()` give plain
values and warn (`math.sqrt(f)` goes through `float()`).

Example:
    >>> import math
    >>> f = TracedFloat(2.5, None, None)    # no trace running: behaves as the float 2.5
    >>> f * 2, math.floor(f), f > 2
    (5.0, 2, True)
"""

from __future__ import annotations

from ember.tracer.ints import (
    TracedInt,
    TracedScalar,
    _warn_from_user,
    _warn_if_traced,
    install_operators,
    plain,
    record,
)

__all__ = ["TracedFloat"]


class TracedFloat(TracedScalar, float):
    """A float computed from traced sizes; `_v` is its IR value, `_scope` where it lives."""

    _base = float
    __hash__ = float.__hash__

    def _compute(self, name: str, a, b):
        return TracedScalar._compute(self, name, float(a), float(b))

    def __neg__(self):
        return record("aten::neg.float", (self,), -plain(self))

    def __abs__(self):
        return record("prim::abs.float", (self,), abs(plain(self)))

    def __floor__(self):
        return record("aten::floor.float", (self,), float.__floor__(plain(self)))

    def __ceil__(self):
        return record("aten::ceil.float", (self,), float.__ceil__(plain(self)))

    def __trunc__(self):
        return record("aten::Int.float", (self,), float.__trunc__(plain(self)))

    def __round__(self, ndigits=None):
        _warn_if_traced("size_float")
        return round(plain(self), ndigits)

    def __int__(self):
        _warn_if_traced("size_int")
        return float.__int__(plain(self))

    def __float__(self):
        _warn_if_traced("size_float")
        return plain(self)

    def __bool__(self):
        _warn_from_user("size_truth", 1)
        return float.__bool__(plain(self))


install_operators(TracedFloat)

SCALARS = (TracedInt, TracedFloat)
