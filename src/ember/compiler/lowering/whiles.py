"""Lowering ``while`` loops, including the two forms `.code` prints for loops.

``while c: ...; c = ...`` (a condition variable reassigned at the end of the body) makes `c`
the loop's condition instead of a carried value; ``i = 0`` /
``while torch.__and__(torch.lt(i, n), c): ...; i = torch.add(i, 1)`` is one ``prim::Loop``
with trip count `n`, condition `c` and counter `i`. Printed code thus compiles back to the
graph it was printed from.
"""

from __future__ import annotations

from ember.compiler.lowering.flow import assigned, has_exit
from ember.compiler.lowering.values import Known
from ember.compiler.parsing import syntax as S  # noqa: N812
from ember.ir import MAX_TRIP, Value
from ember.ir import types as T  # noqa: N812

__all__ = ["WhileLowering"]


class WhileLowering:
    def stmt_While(self, st):
        bounded = _bounded_while(st, self.env)
        if bounded is not None:
            self.bounded_while(st, *bounded)
            return
        cond = self.condition_value(st.test)
        if isinstance(cond, Known):
            if not cond.value:
                return
            cond = self.b.constant(True)
        flag = _condition_flag(st, self.env)
        if flag is None:
            self.emit_loop(MAX_TRIP, cond, st.body, None, st.test, st)
            return
        # `while c: ...; c = ...` (as `.code` prints while loops): c is the loop condition,
        # not a carried value; it is True inside the body and False after the loop.
        if cond.name == flag:
            cond.name = None  # printed as the loop's own condition variable, like the original
        self.emit_loop(MAX_TRIP, cond, st.body, None, st.test, st, flag=flag)
        self.env[flag] = self.b.constant(False)

    def bounded_while(self, st, counter, limit, flag):
        """``i = 0`` / ``while torch.__and__(torch.lt(i, n), c): ...; i = torch.add(i, 1)``,
        the form `.code` prints for a loop with both a trip count and a condition: one
        ``prim::Loop`` with trip count n, condition c and i as its iteration counter."""
        trip, cond = self.env[limit], self.env[flag]
        for v, name in ((trip, limit), (cond, flag)):
            if v.name == name:
                v.name = None  # printed as the loop's own variables, like the original

        def bind(i):
            i.name = i.name or counter
            self.env[counter] = i

        loop_st = S.While(line=st.line, col=st.col, test=S.Name(id=flag), body=st.body[:-1])
        self.emit_loop(trip, cond, loop_st.body, bind, loop_st.test, loop_st, flag=flag)
        self.env[flag] = self.b.constant(False)
        self.env.pop(counter, None)  # its final value is not kept: reading it is an error


def _condition_flag(st, env):
    """The name `c` of ``while c:`` when the body assigns it and never breaks or returns."""
    test = st.test
    if not isinstance(test, S.Name) or test.id not in assigned(st.body):
        return None
    if has_exit(S.If(body=st.body), "loop"):
        return None
    v = env.get(test.id)
    return test.id if isinstance(v, Value) and isinstance(v.type, T.BoolType) else None


def _bounded_while(st, env):
    """(counter, limit, flag) names when `st` is the bounded while form `.code` prints."""
    t = st.test
    if not (_is_op_call(t, "__and__", 2) and isinstance(t.args[1], S.Name)):
        return None
    lt = t.args[0]
    if not (_is_op_call(lt, "lt", 2) and all(isinstance(a, S.Name) for a in lt.args)):
        return None
    counter, limit, flag = lt.args[0].id, lt.args[1].id, t.args[1].id
    last = st.body[-1] if st.body else None
    step = last.value if isinstance(last, S.Assign) else None
    if not (_is_op_call(step, "add", 2) and [_name(x) for x in last.targets] == [counter]):
        return None
    if _name(step.args[0]) != counter or getattr(step.args[1], "value", None) != 1:
        return None
    body = st.body[:-1]
    if counter in assigned(body) or limit in assigned(body) or flag not in assigned(body):
        return None
    if has_exit(S.If(body=body), "loop"):
        return None
    vals = [env.get(n) for n in (limit, flag)]
    if not all(isinstance(v, Value) for v in vals) or not isinstance(vals[1].type, T.BoolType):
        return None
    return counter, limit, flag


def _is_op_call(node, name, nargs) -> bool:
    return (
        isinstance(node, S.Call)
        and isinstance(node.func, S.Attribute)
        and node.func.attr == name
        and _name(node.func.value) == "torch"
        and len(node.args) == nargs
        and not node.kwargs
    )


def _name(node):
    return node.id if isinstance(node, S.Name) else None
