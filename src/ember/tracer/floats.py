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

from ember.tensor import dispatch
from ember.tensor.tensor import Tensor
from ember.tracer.ints import (
    TENSOR_OPS,
    TracedInt,
    _warn_from_user,
    _warn_if_traced,
    plain,
    record,
    scalar_op_name,
    tensor_op,
)

__all__ = ["TracedFloat"]

_PY = {
    "add": float.__add__,
    "sub": float.__sub__,
    "mul": float.__mul__,
    "floordiv": float.__floordiv__,
    "mod": float.__mod__,
    "truediv": float.__truediv__,
    "pow": float.__pow__,
}
_COMPARE = {
    "lt": (float.__lt__, "aten::gt.Scalar"),
    "le": (float.__le__, "aten::ge.Scalar"),
    "gt": (float.__gt__, "aten::lt.Scalar"),
    "ge": (float.__ge__, "aten::le.Scalar"),
    "eq": (float.__eq__, "aten::eq.Scalar"),
    "ne": (float.__ne__, "aten::ne.Scalar"),
}


class TracedFloat(float):
    """A float computed from traced sizes; `_v` is its IR value, `_scope` where it lives."""

    def __new__(cls, value: float, ir_value, scope):
        self = float.__new__(cls, value)
        self._v = ir_value
        self._scope = scope
        return self

    def _binary(self, other, name: str, reverse: bool):
        base, tensor_left, tensor_right = TENSOR_OPS[name]
        if isinstance(other, Tensor):
            return tensor_op(tensor_right if not reverse else tensor_left, other, self)
        if isinstance(other, bool) or not isinstance(other, int | float):
            return NotImplemented
        a, b = (other, self) if reverse else (self, other)
        result = _PY[name](float(plain(a)), float(plain(b)))
        if result is NotImplemented or isinstance(result, complex):
            return result
        return record(scalar_op_name(base, a, b), (a, b), result)

    def __neg__(self):
        return record("aten::neg.float", (self,), -plain(self))

    def __pos__(self):
        return self

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

    def _compare(self, other, name: str):
        py, tensor = _COMPARE[name]
        if isinstance(other, Tensor):
            return dispatch.call(tensor, other, self)
        _warn_from_user("size_bool", 2)  # the comparing code <- __lt__ <- _compare
        return py(plain(self), other)

    __hash__ = float.__hash__

    def __repr__(self) -> str:
        return float.__repr__(self)


def _install() -> None:
    for name in TENSOR_OPS:

        def forward(self, o, name=name):
            return self._binary(o, name, False)

        def reflected(self, o, name=name):
            return self._binary(o, name, True)

        setattr(TracedFloat, f"__{name}__", forward)
        setattr(TracedFloat, f"__r{name}__", reflected)
    for name in _COMPARE:

        def compare(self, o, name=name):
            return self._compare(o, name)

        setattr(TracedFloat, f"__{name}__", compare)
    TracedFloat.__divmod__ = lambda self, o: (self // o, self % o)
    TracedFloat.__rdivmod__ = lambda self, o: (o // self, o % self)


_install()

SCALARS = (TracedInt, TracedFloat)
