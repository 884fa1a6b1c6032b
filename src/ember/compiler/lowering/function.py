"""Lowering statements to IR: environments, structured control flow and early exits.

NOTE: [Lowering control flow]
Variables live in an environment (name -> IR Value or compile-time value). An `if`
lowers both branches with copies of the environment; names changed by a branch become
results of the ``prim::If`` (yielded from each block). A loop's body sees the variables it
assigns that were defined before the loop as block arguments (loop-carried values) and
yields their new values; results of the ``prim::Loop`` rebind them afterwards.

Early exits (``return`` in a branch, ``break``/``continue``) are turned into a single exit
the way TorchScript does, by moving the statements that follow an `if` containing an exit
into its branches: every path through the region then ends at an exit, whose values (the
return value, or the loop's next condition and carried values) the branches yield.

Example:
    >>> import ember
    >>> def clip(x: int, hi: int) -> int:
    ...     if x > hi:
    ...         return hi
    ...     return x
    >>> ember.jit.script(clip)(7, 5), ember.jit.script(clip)(3, 5)
    (5, 3)
"""

from __future__ import annotations

from ember.compiler.lowering.calls import CallLowering
from ember.compiler.lowering.exprs import DEAD, ExprLowering
from ember.compiler.lowering.flow import (
    Region,
    RetryWithReturnType,
    has_exit,
    set_results,
    target_name,
)
from ember.compiler.lowering.indexing import IndexLowering
from ember.compiler.lowering.iteration import IterLowering
from ember.compiler.lowering.library import LibraryLowering
from ember.compiler.lowering.operators import OperatorLowering
from ember.compiler.lowering.pybuiltins import BuiltinLowering
from ember.compiler.lowering.setitem import ItemAssignLowering
from ember.compiler.lowering.typeinfo import TypeProblem, annotation_type
from ember.compiler.lowering.values import Known, ModuleRef
from ember.compiler.lowering.whiles import WhileLowering
from ember.compiler.modules.info import ModuleAccess
from ember.compiler.parsing import syntax as S  # noqa: N812
from ember.errors import CompileError, InternalError
from ember.ir import Value
from ember.ir import types as T  # noqa: N812

__all__ = ["FunctionLowering", "RetryWithReturnType"]

# What lowering a statement raises on purpose: the user's mistakes (CompileErrors, located
# where they are found), a compiler bug already reported at an inner statement, and the retry
# of a function whose loops return. Anything else is a bug in the compiler (`guarded`).
_EXPECTED = (CompileError, InternalError, RetryWithReturnType)


class FunctionLowering(
    WhileLowering,
    IterLowering,
    BuiltinLowering,
    ModuleAccess,
    CallLowering,
    LibraryLowering,
    OperatorLowering,
    ItemAssignLowering,
    IndexLowering,
    ExprLowering,
):
    """Lowers one function's AST into the graph of `builder`."""

    def __init__(self, fn, builder, globals_, closure, ctx, self_ref=None):
        self.fn, self.src, self.b, self.ctx = fn, fn.source, builder, ctx
        self.globals, self.closure = globals_, closure
        self.env: dict = {}
        self.self_ref = self_ref
        self.return_type = None
        self.loop_returns: list = []
        self.partial: set = set()  # names defined on some paths only
        self.declared: dict = {}  # name -> type of an annotated assignment (`y: T = ...`)

    # -- entry -------------------------------------------------------------------------------
    def lower(self, return_type: T.Type | None):
        self.return_type = return_type
        exits = self.lower_seq(self.fn.body, Region("function"))
        if return_type is None and self.loop_returns:
            types = [t for t in self.loop_returns if not isinstance(t, T.AnyType)]
            if exits is not DEAD and not isinstance(exits[0].type, T.AnyType):
                types.append(exits[0].type)
            raise RetryWithReturnType(self.join(types, self.fn, "the return value"))
        if exits is DEAD:
            rt = return_type or T.NoneType.get()
            self.b.return_(self.b.uninitialized(rt))
            return rt
        value = exits[0]
        self.b.return_(value)
        return value.type

    def err(self, node, message):
        return self.src.node_error(node, message)

    def guarded(self, st, lower, *args):
        """`lower(*args)` for statement `st`, its ops located at it. Any exception but the
        expected ones is a bug in the compiler: an InternalError naming `st` (chaining it)."""
        try:
            with self.at(st):
                return lower(*args)
        except _EXPECTED:
            raise
        except Exception as e:
            raise self.src.node_error(st, _internal_message(e), InternalError) from e

    # -- sequences and exits ---------------------------------------------------------------------
    def lower_seq(self, stmts, region):
        """Lower a path; returns the exit values of the region, or DEAD after a raise."""
        for i, st in enumerate(stmts):
            exits = self.guarded(st, self.lower_path_stmt, st, stmts[i + 1 :], region)
            if exits is not None:
                return exits
        return self.exit_values(None, region)

    def lower_path_stmt(self, st, rest, region):
        """Lower statement `st` of a path; the region's exit values (or DEAD) if the path
        ends with it (an exit, or an `if` containing one, takes `rest` into its branches)."""
        if isinstance(st, S.If) and has_exit(st, region.kind):
            return self.lower_split_if(st, rest, region)
        if isinstance(st, S.Return | S.Break | S.Continue):
            return self.exit_values(st, region)
        returns = isinstance(st, S.For | S.While) and has_exit(st, "function")
        if returns and "$ret_flag" not in self.env:
            self.env["$ret_flag"] = self.b.constant(False)
            self.env["$ret_val"] = self.b.uninitialized(self.return_type or T.AnyType.get())
        self.lower_stmt(st)
        if self.env is DEAD:
            return DEAD
        if returns:  # the loop may have returned: `if $ret_flag: return $ret_val`
            flag = S.Name(line=st.line, col=st.col, id="$ret_flag")
            ret = S.Return(line=st.line, col=st.col, value=S.Name(id="$ret_val"))
            check = S.If(line=st.line, col=st.col, test=flag, body=[ret], orelse=[])
            return self.lower_split_if(check, rest, region)
        return None

    def exit_values(self, st, region):
        if region.kind == "function":
            if isinstance(st, S.Break | S.Continue):
                raise self.err(st, f"'{type(st).__name__.lower()}' outside a loop")
            if st is None or st.value is None:
                rt = self.return_type
                if rt is not None and not isinstance(rt, T.NoneType | T.OptionalType):
                    raise self.err(st or self.fn, f"function '{self.fn.name}' is annotated to "
                                   f"return {rt} but does not return on every path")  # fmt: skip
                return [self.b.constant(None)]
            v = self.value(st.value, expected=self.return_type)
            return [self.coerce(v, self.return_type, st.value, "the return value")]
        if isinstance(st, S.Return):
            v = self.b.constant(None) if st.value is None else self.value(st.value)
            self.loop_returns.append(v.type)
            if self.return_type is not None:
                v = self.coerce(v, self.return_type, st.value or st, "the return value")
            self.env["$ret_flag"], self.env["$ret_val"] = self.b.constant(True), v
        if isinstance(st, S.Break | S.Return) and region.unrolled:
            self.env["$broken"] = self.b.constant(True)
        if isinstance(st, S.Break | S.Return):
            cond = self.b.constant(False)
        elif region.test is not None:
            cond = self.materialize(self.condition_value(region.test), region.test)
        else:
            cond = self.b.constant(True)
        return [cond] + [self.env[n] for n in region.carried]

    def lower_split_if(self, st, rest, region):
        test, refine_t, refine_f = self.if_condition(st.test)
        if isinstance(test, Known):
            body = st.body if test.value else st.orelse
            self.apply_refinements(refine_t if test.value else refine_f)
            return self.lower_seq(body + rest, region)
        op = self.b.if_(test)
        saved, paths = self.env, []
        for block, body, refine in ((0, st.body, refine_t), (1, st.orelse, refine_f)):
            self.env = dict(saved)
            with self.b.at_end(op.blocks[block]):
                self.apply_refinements(refine)
                paths.append(self.lower_seq(body + rest, region))
        self.env = saved
        live = [p for p in paths if p is not DEAD]
        if not live:
            self.env = DEAD
            return DEAD
        types = [self.join([p[i].type for p in live], st, "a value leaving the if") for i in
                 range(len(live[0]))]  # fmt: skip
        for block, path in zip(op.blocks, paths):
            with self.b.at_end(block):
                if path is DEAD:
                    path = [self.b.uninitialized(t) for t in types]
                self.b.yield_(*path)
        set_results(op, types)
        return list(op.results)

    # -- statements ------------------------------------------------------------------------
    def lower_stmt(self, st):
        method = getattr(self, "stmt_" + type(st).__name__, None)
        if method is None:
            raise self.err(st, f"{type(st).__name__} is not supported in scripted code")
        self.guarded(st, method, st)

    def stmt_Pass(self, st):
        pass

    def stmt_ExprStmt(self, st):
        if isinstance(st.value, S.Const) and isinstance(st.value.value, str):
            return  # docstring
        self.expr(st.value)

    def stmt_Assign(self, st):
        target, v = st.targets[0], st.value
        pair = isinstance(target, S.TupleExpr | S.ListExpr) and isinstance(v, S.TupleExpr)
        if pair and len(st.targets) == 1 and len(target.elts) == len(v.elts):
            parts = [self.expr(e) for e in v.elts]  # `a, b = x, y`: no tuple is built
            for t, p in zip(target.elts, parts):
                self.assign(t, p, st.value)
            return
        value = self.expr(st.value)
        for target in st.targets:
            self.assign(target, value, st.value)

    def stmt_AnnAssign(self, st):
        try:
            t = annotation_type(st.annotation, self.ctx.classes)
        except TypeProblem as e:
            raise self.err(st.annotation, str(e)) from None
        if st.value is None:
            return
        v = self.value(st.value, expected=t)
        v = self.coerce(v, t, st.value, f"'{target_name(st.target)}'")
        if isinstance(st.target, S.Name):
            self.declared[st.target.id] = t
        self.assign(st.target, v, st)

    def stmt_AugAssign(self, st):
        target = st.target
        if isinstance(target, S.Attribute) and not isinstance(self.expr(target.value), ModuleRef):
            raise self.err(target, "only module attributes can be assigned in scripted code")
        if isinstance(target, S.Name | S.Attribute):
            self.assign(target, self.augmented(self.expr(target), st), st)
            return
        if isinstance(target, S.Subscript):
            if self.aug_assign_item(st):
                return
            current = self.expr(target)
            self.assign(target, self.binary(st.op, current, self.expr(st.value), st), st)
            return
        raise self.err(target, "unsupported target of an augmented assignment")

    def stmt_Assert(self, st):
        test, refine_t, _ = self.condition(st.test)
        if isinstance(test, Known):
            if not test.value:
                self.b.raise_(self.assert_message(st))
                self.env = DEAD
            return
        op = self.b.if_(test)
        with self.b.at_end(op.blocks[0]):
            self.b.yield_()
        with self.b.at_end(op.blocks[1]):  # the message is only computed when it fails
            self.b.raise_(self.assert_message(st))
            self.b.yield_()
        self.apply_refinements(refine_t)

    def assert_message(self, st):
        msg = "AssertionError: "
        if st.msg is None:
            return msg
        m = self.expr(st.msg)
        if isinstance(m, Known):
            return msg + str(m.value)
        if isinstance(m, Value) and isinstance(m.type, T.StrType):
            return self.emit("aten::add.str", self.b.constant(msg), m, node=st.msg)
        return msg

    def stmt_Raise(self, st):
        msg, cls = "Exception", "builtins.Exception"
        exc = st.exc
        if isinstance(exc, S.Call):
            cls = "builtins." + (
                getattr(exc.func, "id", None) or getattr(exc.func, "attr", "Exception")
            )
            if exc.args:
                m = self.expr(exc.args[0])
                if isinstance(m, Known):
                    msg = str(m.value)
                elif isinstance(m, Value) and isinstance(m.type, T.StrType):
                    msg = m  # a message computed at run time

            else:
                msg = ""
        elif isinstance(exc, S.Name):
            cls, msg = "builtins." + exc.id, ""
        self.b.raise_(msg, cls)
        self.env = DEAD

    def stmt_If(self, st):
        test, refine_t, refine_f = self.if_condition(st.test)
        if isinstance(test, Known):
            self.apply_refinements(refine_t if test.value else refine_f)
            for s in st.body if test.value else st.orelse:
                self.lower_stmt(s)
                if self.env is DEAD:
                    return
            return
        op = self.b.if_(test)
        saved, envs = self.env, []
        for block, body, refine in ((0, st.body, refine_t), (1, st.orelse, refine_f)):
            self.env = dict(saved)
            with self.b.at_end(op.blocks[block]):
                self.apply_refinements(refine)
                casts = {n: self.env[n] for n in refine if n in self.env}
                for s in body:
                    self.lower_stmt(s)
                    if self.env is DEAD:
                        break
            if self.env is not DEAD:
                for n, cast in casts.items():  # a refinement does not outlive its branch
                    if self.env.get(n) is cast:
                        self.env[n] = saved[n]
            envs.append(self.env)
        self.env = saved
        self.merge_branches(op, envs, st)

    def merge_branches(self, op, envs, st):
        saved = self.env
        live = [e for e in envs if e is not DEAD]
        if not live:
            for block in op.blocks:
                with self.b.at_end(block):
                    self.b.yield_()
            self.env = DEAD
            return
        names = [n for n in live[0] if all(n in e for e in live)]
        for e in live:
            self.partial.update(n for n in e if n not in names and n not in saved)
        differ = [n for n in names if any(e[n] is not saved.get(n) for e in live)]
        changed = [n for n in differ if all(isinstance(e[n], Value) for e in live)]
        types = [self.join([self.declared_type(n, e[n].type) for e in live], st, f"variable '{n}'")
                 for n in changed]  # fmt: skip
        for block, env in zip(op.blocks, envs):
            with self.b.at_end(block):
                if env is DEAD:
                    self.b.yield_(*[self.b.uninitialized(t) for t in types])
                else:
                    self.b.yield_(*[env[n] for n in changed])
        set_results(op, types, changed)
        env = {n: live[0][n] for n in names if n not in differ}
        if len(live) == 1:
            env = dict(live[0])
        for n, r in zip(changed, op.results):
            env[n] = r
        self.env = env


def _internal_message(e: Exception) -> str:
    return (f"internal error in ember's compiler while compiling this statement "
            f"({type(e).__name__}: {e}); this is a bug in ember, not in the scripted code: "
            "please report it")  # fmt: skip
