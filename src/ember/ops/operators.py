"""Python's operators and the ops they run: one table read by eager tensors (their dunder
methods), the compiler (``a + b`` in scripted code) and the tracer (arithmetic on traced
sizes).

A row names the op for numbers (``aten::add`` has ``.int``, ``.float`` ... overloads), the op
for tensors (``//`` is ``aten::floordiv`` on ints but ``aten::floor_divide`` on tensors), the
in-place op ``t op= x`` runs, and how ``number OP tensor`` runs (`reflected`):

- ``"swap"``: the op commutes, so it runs as ``tensor OP number``;
- an op name (``"aten::rsub"``): that op on ``(tensor, number)``;
- ``"reciprocal"``: ``reciprocal(tensor) * number``, as PyTorch's ``Tensor.__rtruediv__``;
- ``"wrap"``: the tensor op with the number as its first operand (an overload taking a
  Scalar there if there is one, such as ``aten::pow.Scalar``; else the number as a 0-d
  tensor).

Comparisons reflect by flipping (``n < t`` is ``t > n``).

Example:
    >>> BINARY["-"].tensor_op, BINARY["-"].reflected, BINARY["//"].number_op
    ('aten::sub', 'aten::rsub', 'aten::floordiv')
    >>> overload_for("aten::add", "Tensor", "Scalar")
    'aten::add.Scalar'
    >>> FLIPPED["<"]
    '>'
"""

from __future__ import annotations

from dataclasses import dataclass

from ember.ops import table

__all__ = ["PyOperator", "BINARY", "COMPARISONS", "FLIPPED", "UNARY", "overload_for"]


@dataclass(frozen=True)
class PyOperator:
    """One Python operator: ``symbol``, its dunder stem (``add`` for ``__add__``,
    ``__radd__``, ``__iadd__``) and the ops it runs (see the module docstring)."""

    symbol: str
    dunder: str
    number_op: str | None
    tensor_op: str | None
    inplace: str | None = None
    reflected: str | None = None


BINARY = {
    op.symbol: op
    for op in (
        PyOperator("+", "add", "aten::add", "aten::add", "aten::add_", "swap"),
        PyOperator("-", "sub", "aten::sub", "aten::sub", "aten::sub_", "aten::rsub"),
        PyOperator("*", "mul", "aten::mul", "aten::mul", "aten::mul_", "swap"),
        PyOperator("/", "truediv", "aten::div", "aten::div", "aten::div_", "reciprocal"),
        PyOperator(
            "//", "floordiv", "aten::floordiv", "aten::floor_divide", "aten::floor_divide_", "wrap"
        ),  # fmt: skip
        PyOperator("%", "mod", "aten::remainder", "aten::remainder", "aten::remainder_", "wrap"),
        PyOperator("**", "pow", "aten::pow", "aten::pow", "aten::pow_", "wrap"),
        PyOperator("@", "matmul", None, "aten::matmul"),
        PyOperator("&", "and", "aten::__and__", "aten::bitwise_and", "aten::bitwise_and_", "swap"),
        PyOperator("|", "or", "aten::__or__", "aten::bitwise_or", "aten::bitwise_or_", "swap"),
        PyOperator("^", "xor", "aten::__xor__", "aten::bitwise_xor", "aten::bitwise_xor_", "swap"),
        PyOperator("<<", "lshift", "aten::__lshift__", None),
        PyOperator(">>", "rshift", "aten::__rshift__", None),
    )
}
COMPARISONS = {
    op.symbol: op
    for op in (
        PyOperator("==", "eq", "aten::eq", "aten::eq", reflected="=="),
        PyOperator("!=", "ne", "aten::ne", "aten::ne", reflected="!="),
        PyOperator("<", "lt", "aten::lt", "aten::lt", reflected=">"),
        PyOperator("<=", "le", "aten::le", "aten::le", reflected=">="),
        PyOperator(">", "gt", "aten::gt", "aten::gt", reflected="<"),
        PyOperator(">=", "ge", "aten::ge", "aten::ge", reflected="<="),
    )
}
FLIPPED = {symbol: op.reflected for symbol, op in COMPARISONS.items()}
UNARY = {"-": "aten::neg", "~": "aten::bitwise_not", "abs": "aten::abs"}
"""Unary operators on tensors (``-t``, ``~t``, ``abs(t)``); numbers negate with ``.int``."""


def overload_for(name: str, first: str, second: str | None = None) -> str | None:
    """The qualified name of the overload of `name` whose first parameters take a `first`
    and a `second` ('Tensor' or 'Scalar'), or None when there is none."""
    for op in table.overloads(name):
        args = op.schema.arguments
        kinds = [a.base_type for a in args[: 2 if second else 1]]
        if kinds == [first, second][: len(kinds)] and len(kinds) == (2 if second else 1):
            return op.qualified_name
    return None
