"""`TracedInt`: an int read from a traced tensor's sizes that records what is computed from it.

See NOTE: [Traced sizes] in `ember.tracer.values`. Arithmetic with plain or traced ints records
TorchScript's scalar ops (``aten::add.int``, ``aten::floordiv.int``, ``aten::div.int`` ...),
with floats the mixed ones (``aten::mul.int_float``: the result is a `TracedFloat`); arithmetic
with a tensor runs the tensor op with the TracedInt as its scalar operand, so the recorder sees
the int's IR value there too (``x + x.size(0)``). Comparisons, `bool()` and `float()` give
plain Python values: what they decide is baked into the trace, so doing that in user code
warns.

Python gives a `float` on the left of an operator first go (``0.5 * n``): that product is a
plain float the trace cannot follow. Put the size first (``n * 0.5``).

Example:
    >>> n = TracedInt(3, None, None)    # no trace running: behaves as the int 3
    >>> n * 2 + 1, n > 2, n / 2
    (7, True, 1.5)
"""

from __future__ import annotations

import operator
import sys

from ember.ops import operators
from ember.ops.operators import overload_for
from ember.tensor import dispatch
from ember.tensor.tensor import Tensor
from ember.tracer.diagnostics import _EMBER_DIR, warn_example_specific

__all__ = [
    "TracedInt",
    "TracedScalar",
    "ACTIVE",
    "COMPARE",
    "TENSOR_OPS",
    "install_operators",
    "tensor_op",
    "record",
    "scalar_op_name",
    "plain",
]

# The running Tracer (ember.tracer.recorder), or None. One trace at a time per process.
ACTIVE: list = [None]


def _like(t, n):
    """`n` as a tensor shaped and typed like `t` (ops taking Tensor self need a tensor)."""
    return dispatch.call("aten::full_like", t, n)


def _reciprocal_times(t, n):
    return dispatch.call("aten::mul.Scalar", dispatch.call("aten::reciprocal", t), n)


def _size_left(row):
    """How ``n OP tensor`` runs, as a function of (tensor, n) (`ember.ops.operators`)."""
    how = row.reflected
    if how == "reciprocal":
        return _reciprocal_times
    if how == "wrap":
        flipped = overload_for(row.tensor_op, "Scalar", "Tensor")
        if flipped is not None:
            return lambda t, n: dispatch.call(flipped, n, t)
        both = overload_for(row.tensor_op, "Tensor", "Tensor")
        return lambda t, n: dispatch.call(both, _like(t, n), t)
    return overload_for(row.tensor_op if how == "swap" else how, "Tensor", "Scalar")


_ARITHMETIC = ("add", "sub", "mul", "floordiv", "mod", "truediv", "pow")
_ROWS = {row.dunder: row for row in operators.BINARY.values()}
# dunder: (TorchScript's scalar op, tensor OP n, n OP tensor); the tensor ops take (tensor, n).
TENSOR_OPS = {
    name: (
        _ROWS[name].number_op.split("::")[1],
        overload_for(_ROWS[name].tensor_op, "Tensor", "Scalar"),
        _size_left(_ROWS[name]),
    )
    for name in _ARITHMETIC
}
# Integer-only operators: (scalar op, Python's op, tensor op on either side).
_BITWISE = {
    name: (
        _ROWS[name].number_op + ".int",
        getattr(int, f"__{name}__"),
        overload_for(_ROWS[name].tensor_op, "Tensor", "Scalar"),
    )
    for name in ("and", "or", "xor")
}
_PY = {name: getattr(operator, name) for name in _ARITHMETIC}
_POW_BY_MULTIPLYING = 8  # n ** k for plain 0 <= k <= this records k - 1 multiplications


def tensor_op(op, t, n):
    """Run tensor op `op` (a name or a function of (t, n)) on tensor `t` and scalar `n`."""
    return dispatch.call(op, t, n) if isinstance(op, str) else op(t, n)


def _kind(x) -> str:
    return "float" if isinstance(x, float) else "int"


def scalar_op_name(base: str, a, b) -> str:
    """TorchScript's overload of scalar op `base` for operands like `a` and `b`.

    >>> scalar_op_name("mul", 2, 0.5), scalar_op_name("div", 3, 2)
    ('aten::mul.int_float', 'aten::div.int')
    """
    ka, kb = _kind(a), _kind(b)
    return f"aten::{base}.{ka if ka == kb else f'{ka}_{kb}'}"


def record(name: str, operands, result):
    """`result`, recorded as op `name` on `operands` when a trace runs (plain otherwise)."""
    tracer = ACTIVE[0]
    if tracer is None:
        return result
    return tracer.scalar_op(name, operands, result)


# TorchScript's tensor op for `size OP tensor`, which reads as `tensor OP' size`.
COMPARE = {
    row.dunder: overload_for(operators.COMPARISONS[row.reflected].tensor_op, "Tensor", "Scalar")
    for row in operators.COMPARISONS.values()
}


class TracedScalar:
    """What `TracedInt` and `TracedFloat` share: the IR value they carry, arithmetic that
    records TorchScript's scalar ops, comparisons that give plain bools (and warn)."""

    _base: type  # int or float

    def __new__(cls, value, ir_value, scope):
        self = cls._base.__new__(cls, value)
        self._v = ir_value
        self._scope = scope
        return self

    def _operands(self, other, reverse: bool):
        return (other, self) if reverse else (self, other)

    def _binary(self, other, name: str, reverse: bool):
        base, tensor_left, tensor_right = TENSOR_OPS[name]
        if isinstance(other, Tensor):
            return tensor_op(tensor_right if not reverse else tensor_left, other, self)
        if isinstance(other, bool) or not isinstance(other, int | float):
            return NotImplemented
        a, b = self._operands(other, reverse)
        result = self._compute(name, plain(a), plain(b))
        if isinstance(result, complex):
            return result
        return record(scalar_op_name(base, a, b), (a, b), result)

    def _compute(self, name: str, a, b):
        return _PY[name](a, b)

    def _compare(self, other, name: str):
        if isinstance(other, Tensor):  # n < t is t > n: a tensor op, recorded
            return dispatch.call(COMPARE[name], other, self)
        _warn_from_user("size_bool", 2)  # the comparing code <- __lt__ <- _compare
        return getattr(self._base, f"__{name}__")(plain(self), other)

    def __pos__(self):
        return self

    def __repr__(self) -> str:
        return self._base.__repr__(self)


class TracedInt(TracedScalar, int):
    """An int computed from traced sizes; `_v` is its IR value, `_scope` where it lives."""

    _base = int
    __hash__ = int.__hash__

    def _binary(self, other, name: str, reverse: bool):
        if name == "pow" and isinstance(other, int) and not isinstance(other, bool):
            a, b = self._operands(other, reverse)
            return self._int_pow(a, b, plain(a) ** plain(b))
        return TracedScalar._binary(self, other, name, reverse)

    def _int_pow(self, a, b, result):
        """`a ** b` for ints: TorchScript's pow.int gives a float where Python gives an int,
        so a plain exponent 0..8 is recorded as multiplications; a traced one is baked."""
        if b.__class__ is TracedInt or b > _POW_BY_MULTIPLYING:
            _warn_if_traced("size_int")
            return result
        if b < 0:
            return record("aten::pow.int", (a, b), result)
        if b == 0:
            return 1
        product = a
        for _ in range(b - 1):
            product = product * a
        return product

    def _bitwise(self, other, name: str, reverse: bool):
        scalar, py, tensor = _BITWISE[name]
        if isinstance(other, Tensor):
            return dispatch.call(tensor, other, self)
        if isinstance(other, bool) or not isinstance(other, int):
            return NotImplemented
        a, b = (other, self) if reverse else (self, other)
        return record(scalar, (a, b), py(plain(a), plain(b)))

    def _shift(self, other, left: bool):
        """n << k and n >> k for a plain k >= 0: n * 2**k and n // 2**k (exact for ints)."""
        if isinstance(other, bool) or not isinstance(other, int):
            return NotImplemented
        if other.__class__ is TracedInt or other < 0:
            _warn_if_traced("size_int")
            return (int.__lshift__ if left else int.__rshift__)(plain(self), plain(other))
        return self * (1 << other) if left else self // (1 << other)

    def __lshift__(self, other):
        return self._shift(other, True)

    def __rshift__(self, other):
        return self._shift(other, False)

    def __neg__(self):
        return record("aten::neg.int", (self,), -plain(self))

    def __abs__(self):
        return record("prim::abs.int", (self,), abs(plain(self)))

    def __invert__(self):
        return -self - 1

    def __divmod__(self, other):
        return (self // other, self % other)

    def __rdivmod__(self, other):
        return (other // self, other % self)

    def __round__(self, ndigits=None):
        if ndigits is None:
            return self
        _warn_if_traced("size_int")
        return round(plain(self), ndigits)

    def __trunc__(self):
        return self

    __floor__ = __ceil__ = __trunc__

    def __int__(self):
        _warn_if_traced("size_int")
        return int.__int__(self)

    def __float__(self):
        _warn_if_traced("size_float")
        return int.__float__(self)

    def __bool__(self):
        _warn_from_user("size_truth", 1)
        return int.__bool__(self)


def plain(x):
    """`x` as an exact int or float, without the traced scalars' warnings."""
    if isinstance(x, int):
        return int.__int__(x)
    return float.__float__(x)


def _warn_if_traced(kind: str) -> None:
    """Warn (MESSAGES[kind]) while a trace runs: a size became a plain value, baked in."""
    if ACTIVE[0] is not None:
        warn_example_specific(kind)


def _warn_from_user(kind: str, depth: int) -> None:
    """Warn while a trace runs if the code `depth` frames above the caller is the user's: a
    size decided a branch there. ember's own code compares sizes freely (bounds checks)."""
    caller = sys._getframe(depth + 1).f_code.co_filename
    if ACTIVE[0] is not None and not caller.startswith(_EMBER_DIR):
        warn_example_specific(kind)


def install_operators(cls) -> None:
    """Give traced scalar class `cls` its arithmetic and comparison operators."""
    for name in TENSOR_OPS:

        def forward(self, o, name=name):
            return self._binary(o, name, False)

        def reflected(self, o, name=name):
            return self._binary(o, name, True)

        setattr(cls, f"__{name}__", forward)
        setattr(cls, f"__r{name}__", reflected)
    for name in COMPARE:

        def compare(self, o, name=name):
            return self._compare(o, name)

        setattr(cls, f"__{name}__", compare)


def _install_bitwise() -> None:
    for name in _BITWISE:

        def forward_bits(self, o, name=name):
            return self._bitwise(o, name, False)

        def reflected_bits(self, o, name=name):
            return self._bitwise(o, name, True)

        setattr(TracedInt, f"__{name}__", forward_bits)
        setattr(TracedInt, f"__r{name}__", reflected_bits)


install_operators(TracedInt)
_install_bitwise()
