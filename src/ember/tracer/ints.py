"""`TracedInt`: an int read from a traced tensor's sizes that records what is computed from it.

See NOTE: [Traced sizes] in `ember.tracer.values`. Arithmetic with plain or traced ints records
TorchScript's scalar ops (``aten::add.int``, ``aten::floordiv.int`` ...); arithmetic with a
tensor runs the tensor op with the TracedInt as its scalar operand, so the recorder sees the
int's IR value there too (``x + x.size(0)``). Comparisons give plain bools: the branch they
decide is baked into the trace, so comparing in user code warns.

Example:
    >>> n = TracedInt(3, None, None)    # no trace running: behaves as the int 3
    >>> n * 2 + 1, n > 2
    (7, True)
"""

from __future__ import annotations

import sys

from ember.tensor import dispatch
from ember.tensor.tensor import Tensor
from ember.tracer.diagnostics import _EMBER_DIR, warn_example_specific

__all__ = ["TracedInt", "ACTIVE"]

# The running Tracer (ember.tracer.recorder), or None. One trace at a time per process.
ACTIVE: list = [None]


def _like(t, n):
    """`n` as a tensor shaped and typed like `t` (ops taking Tensor self need a tensor)."""
    return dispatch.call("aten::full_like", t, n)


def _reciprocal_times(t, n):
    return dispatch.call("aten::mul.Scalar", dispatch.call("aten::reciprocal", t), n)


# name: (int op, Python op, tensor OP n, n OP tensor); the tensor ops take (tensor, n).
_OPS = {
    "add": ("aten::add.int", int.__add__, "aten::add.Scalar", "aten::add.Scalar"),
    "sub": ("aten::sub.int", int.__sub__, "aten::sub.Scalar", "aten::rsub.Scalar"),
    "mul": ("aten::mul.int", int.__mul__, "aten::mul.Scalar", "aten::mul.Scalar"),
    "floordiv": (
        "aten::floordiv.int",
        int.__floordiv__,
        "aten::floor_divide.Scalar",
        lambda t, n: dispatch.call("aten::floor_divide", _like(t, n), t),
    ),
    "mod": (
        "aten::remainder.int",
        int.__mod__,
        "aten::remainder.Scalar",
        lambda t, n: dispatch.call("aten::remainder.Tensor", _like(t, n), t),
    ),
    "truediv": (None, int.__truediv__, "aten::div.Scalar", _reciprocal_times),
    "pow": (
        None,
        int.__pow__,
        "aten::pow.Tensor_Scalar",
        lambda t, n: dispatch.call("aten::pow.Scalar", n, t),
    ),
}


def _tensor_op(op, t, n):
    return dispatch.call(op, t, n) if isinstance(op, str) else op(t, n)


class TracedInt(int):
    """An int computed from traced sizes; `_v` is its IR value, `_scope` where it lives."""

    def __new__(cls, value: int, ir_value, scope):
        self = int.__new__(cls, value)
        self._v = ir_value
        self._scope = scope
        return self

    def _binary(self, other, name: str, reverse: bool):
        int_op, py, tensor_left, tensor_right = _OPS[name]
        if isinstance(other, Tensor):
            return _tensor_op(tensor_right if not reverse else tensor_left, other, self)
        if not isinstance(other, int) or isinstance(other, bool):
            return py(_plain(self), other) if isinstance(other, float) else NotImplemented
        a, b = (other, self) if reverse else (self, other)
        result = py(_plain(a), _plain(b))
        tracer = ACTIVE[0]
        if tracer is None or int_op is None:
            return result
        return tracer.int_op(int_op, a, b, result)

    def __neg__(self):
        tracer = ACTIVE[0]
        if tracer is None:
            return -_plain(self)
        return tracer.int_op("aten::neg.int", self, None, -_plain(self))

    def __pos__(self):
        return self

    def __int__(self):
        if ACTIVE[0] is not None:
            warn_example_specific("size_int")
        return int.__int__(self)

    def _compare(self, other, py, tensor_op: str):
        if isinstance(other, Tensor):  # n < t is t > n: a tensor op, recorded
            return dispatch.call(tensor_op, other, self)
        # depth 2: _compare <- __lt__ <- the comparing code
        if ACTIVE[0] is not None and _from_user_code(2):
            warn_example_specific("size_bool")
        return py(_plain(self), other)

    def __lt__(self, o):
        return self._compare(o, int.__lt__, "aten::gt.Scalar")

    def __le__(self, o):
        return self._compare(o, int.__le__, "aten::ge.Scalar")

    def __gt__(self, o):
        return self._compare(o, int.__gt__, "aten::lt.Scalar")

    def __ge__(self, o):
        return self._compare(o, int.__ge__, "aten::le.Scalar")

    def __eq__(self, o):
        return self._compare(o, int.__eq__, "aten::eq.Scalar")

    def __ne__(self, o):
        return self._compare(o, int.__ne__, "aten::ne.Scalar")

    __hash__ = int.__hash__

    def __repr__(self) -> str:
        return int.__repr__(self)


_plain = int.__int__  # the value as an exact int, without TracedInt.__int__'s warning


def _from_user_code(depth: int) -> bool:
    """Whether the frame `depth` levels above the caller is user code (not ember's own)."""
    return not sys._getframe(depth + 1).f_code.co_filename.startswith(_EMBER_DIR)


def _install() -> None:
    for name in _OPS:

        def forward(self, o, name=name):
            return self._binary(o, name, False)

        def reflected(self, o, name=name):
            return self._binary(o, name, True)

        setattr(TracedInt, f"__{name}__", forward)
        setattr(TracedInt, f"__r{name}__", reflected)


_install()
