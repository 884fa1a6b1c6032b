"""Lowering Python operators: arithmetic, unary, augmented assignment and comparisons.

Operators on numbers fold at compile time when both sides are constants; otherwise they
become the TorchScript operator of the same meaning (``a + b`` is ``aten::add``, ``a // b``
on tensors ``aten::floor_divide``, ``3 - t`` is ``aten::rsub``). A chained comparison
``a < b < c`` is ``a < b and b < c`` with every operand evaluated once and later
comparisons only run while the earlier ones hold (``prim::If``, as TorchScript emits it);
tensor comparisons inside a chain are made bools with ``aten::Bool``.

Example:
    >>> import ember
    >>> def inside(i: int, xs: list[int]) -> bool:
    ...     return 0 <= i < len(xs) > xs[i]
    >>> f = ember.jit.script(inside)
    >>> f(5, [1, 2]), f(0, [1, 2]), f(1, [1, 0])
    (False, True, True)
"""

from __future__ import annotations

import operator

from ember.compiler.lowering.values import Known, fold
from ember.compiler.parsing import syntax as S  # noqa: N812
from ember.ir import Value, registry
from ember.ir import types as T  # noqa: N812
from ember.ops.operators import BINARY, COMPARISONS, FLIPPED, UNARY

__all__ = ["OperatorLowering", "is_num", "is_tensor"]

_PYOPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
          "//": operator.floordiv, "%": operator.mod, "**": operator.pow, "&": operator.and_,
          "|": operator.or_, "^": operator.xor, "<<": operator.lshift, ">>": operator.rshift,
          "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
          "==": operator.eq, "!=": operator.ne}  # fmt: skip
_UNARY = {"-": operator.neg, "+": operator.pos, "~": operator.invert}
_COMPARE = {"in": lambda a, b: a in b, "not in": lambda a, b: a not in b}
_NUMBER = (T.IntType, T.FloatType, T.BoolType, T.NumberType)
_BOOL = T.BoolType.get()


def is_num(v) -> bool:
    return isinstance(v.type, _NUMBER)


def is_tensor(v) -> bool:
    return isinstance(v.type, T.TensorType)


class OperatorLowering:
    # -- arithmetic --------------------------------------------------------------------------
    def binary(self, op, left, right, node):
        if isinstance(left, Known) and isinstance(right, Known) and op in _PYOPS:
            folded = fold(_PYOPS[op], left, right)
            if folded is not None:
                return folded
        lv, rv = self.materialize(left, node), self.materialize(right, node)
        row = BINARY[op]
        name = row.number_op or row.tensor_op
        if is_tensor(lv) or is_tensor(rv):
            name = row.tensor_op or row.number_op
            if is_num(lv) and is_tensor(rv):  # `number OP tensor`, as ember.ops.operators says
                if row.reflected == "swap":
                    lv, rv = rv, lv
                elif row.reflected and row.reflected.startswith("aten::"):
                    return self.call_op(row.reflected, [rv, lv], {}, node, f"'{op}'")
                else:  # a 0-d tensor, as TorchScript's schema matching makes it
                    lv = self.emit("prim::NumToTensor.Scalar", lv, node=node)
        return self.call_op(name, [lv, rv], {}, node, f"'{op}'")

    def augmented(self, current, st):
        """``target op= value`` for a target whose current value is `current`: in place on
        tensors and lists (``xs += ys`` extends the list, as Python does), else a rebinding."""
        if not isinstance(current, Value):
            return self.binary(st.op, current, self.expr(st.value), st)
        if isinstance(current.type, T.TensorType):
            return self.augmented_tensor(current, st)
        if isinstance(current.type, T.ListType) and st.op == "+":
            other = self.value(st.value, current.type)
            return self.call_op("aten::add_", [current, other], {}, st, "'+='")
        return self.binary(st.op, current, self.expr(st.value), st)

    def augmented_tensor(self, current, st):
        """``x += y`` on a Tensor: the in-place op, as TorchScript emits it."""
        other = self.value(st.value)
        name = BINARY[st.op].inplace
        if name is None or registry.match_overload(name, [current.type, other.type]) is None:
            return self.binary(st.op, current, other, st)
        return self.call_op(name, [current, other], {}, st, f"'{st.op}='")

    def e_UnaryOp(self, node):
        v = self.expr(node.operand)
        if isinstance(v, Known) and isinstance(v.value, int | float):
            folded = fold(_UNARY[node.op], v)
            if folded is not None:
                return folded
        v = self.materialize(v, node.operand)
        if node.op == "+":
            return v
        if node.op == "~":
            if not is_tensor(v):
                raise self.err(node, f"'~' on {v.type} is not supported in scripted code "
                                     "(TorchScript has it for tensors only)")  # fmt: skip
            return self.call_op(UNARY["~"], [v], {}, node, "'~'")
        return self.call_op(UNARY["-"], [v], {}, node, "'-'")

    def e_BinOp(self, node):
        return self.binary(node.op, self.expr(node.left), self.expr(node.right), node)

    # -- comparisons -----------------------------------------------------------------------
    def e_Compare(self, node):
        if len(node.ops) == 1 and node.ops[0] in ("is", "is not"):
            return self.condition(node)[0]
        left = self.expr(node.left)
        if len(node.ops) == 1:
            return self.compare(node.ops[0], left, self.expr(node.comparators[0]), node)
        return self.chain(None, left, list(zip(node.ops, node.comparators)), node)

    def chain(self, result, left, pairs, node):
        """`result` (the comparisons so far, None at the start) ``and`` the comparisons of
        `pairs` [(op, comparator)], starting from the operand `left`."""
        for i, (op, comp) in enumerate(pairs):
            if isinstance(result, Known) and not result.value:
                return result
            if result is None or isinstance(result, Known):
                right = self.expr(comp)
                result, left = self.compare_bool(op, left, right, node), right
                continue
            branch = self.b.if_(result, [_BOOL])
            atomic = isinstance(comp, S.Name | S.Const)
            right = self.expr(comp) if atomic else None  # a name is safe to read here
            with self.b.at_end(branch.blocks[0]):
                if atomic:
                    out = self.compare_bool(op, left, right, node)
                else:  # evaluated only when needed, and the rest chains inside
                    right = self.expr(comp)
                    out = self.chain(self.compare_bool(op, left, right, node), right,
                                     pairs[i + 1 :], node)  # fmt: skip
                self.b.yield_(self.materialize(out, node))
            with self.b.at_end(branch.blocks[1]):
                self.b.yield_(self.b.constant(False))
            result, left = branch.results[0], right
            if not atomic:
                return result
        return result

    def compare_bool(self, op, left, right, node):
        r = self.compare(op, left, right, node)
        if isinstance(r, Known) or not is_tensor(r):
            return r
        return self.emit("aten::Bool.Tensor", r, node=node)

    def compare(self, op, left, right, node):
        if isinstance(left, Known) and isinstance(right, Known):
            folded = fold(_COMPARE.get(op) or _PYOPS.get(op), left, right)
            if folded is not None:
                return folded
        lv, rv = self.materialize(left, node), self.materialize(right, node)
        if op in ("in", "not in") and isinstance(rv.type, T.StrType):  # as TorchScript
            n = self.emit("aten::len.str", rv, node=node)
            found = self.call_op("aten::find", [rv, lv, self.b.constant(0), n], {}, node, "in")
            return self.emit(f"aten::{'ne' if op == 'in' else 'eq'}.int", found, -1, node=node)
        if op in ("in", "not in"):
            r = self.call_op("aten::__contains__", [rv, lv], {}, node, f"'{op}'")
            return r if op == "in" else self.emit("aten::__not__", r, node=node)
        if op in ("is", "is not"):
            raise self.err(node, "'is' comparisons are only supported against None")
        if is_num(lv) and is_tensor(rv):
            flipped = COMPARISONS[FLIPPED[op]].tensor_op
            return self.call_op(flipped, [rv, lv], {}, node, f"'{op}'")
        return self.call_op(COMPARISONS[op].tensor_op, [lv, rv], {}, node, f"'{op}'")
