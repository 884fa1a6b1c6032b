"""Python code generation from IR: one plain Python function per graph (torch.fx's idea).

The generated function takes the graph inputs positionally (methods take the module object
as ``self``), binds every tensor op's caller (`ember.tensor.dispatch.invoker`, which honours
the dispatch hook), every value op's kernel and every helper as a global once, inlines
constants and the op table's Python templates (``aten::add.int`` is ``(a + b)``), and emits
``prim::If`` as ``if``/``else`` and ``prim::Loop`` as ``for ... in range`` or ``while``
(an if or loop nested deeper than `MAX_INDENT` becomes a module-level function of its own:
Python parses at most 100 levels of indentation, and an ``elif`` chain nests one per branch).
Nothing is looked up per call. The body sits in one ``try`` block; an exception leaving it
gets a note naming the IR op whose line raised and, if the op has one, its source location
and line (looked up only then)::

    While executing %2 : Tensor = aten::matmul(%z, %y)
      at model.py:12:11
        return z @ y

Example:
    >>> from ember.ir import Graph, Builder, types as T
    >>> b = Builder(Graph("f"))
    >>> n = b.add_input(T.IntType.get(), "n")
    >>> b.return_(b.emit("aten::mul.int", n, 2))
    >>> print(python_source(b.graph), end="")
    def f(n):
        try:
            _v0 = (n * 2)  # %1 : int = aten::mul(%n, %0)
            return _v0
        except BaseException as _e:
            _rt_annotate(_e)
            raise
"""

from __future__ import annotations

import functools
import itertools
import keyword
import math
import warnings

from ember.ir import registry
from ember.ir.core import Block, Graph, Operation, Value
from ember.ir.depth import block_depth, with_room
from ember.ir.printer import Namer, op_text
from ember.ir.unit import CompilationUnit, Function
from ember.runtime.codegen_prims import SPECIAL
from ember.runtime.helpers import HELPERS
from ember.tensor.dispatch import invoker

__all__ = ["python_source", "generate", "compile_graph", "function_callable"]

_file_ids = itertools.count()


# Python refuses over 100 levels of indentation: an op with blocks at this indentation
# (an `elif` chain nests one level per `elif`) becomes a function of its own (`_Emitter.outline`).
MAX_INDENT = 80


def python_source(graph: Graph, unit=None) -> str:
    """The Python source generated for `graph` (for reading; `generate` compiles it)."""
    return _emitted(graph, unit).text


def _emitted(graph: Graph, unit) -> _Emitter:
    def emit():
        em = _Emitter(graph, unit)
        em.text = em.source()
        return em

    return with_room(block_depth(graph), emit)


def generate(graph: Graph, unit=None):
    """Compile `graph` to a Python function (see the module docstring)."""
    em = _emitted(graph, unit)
    src = em.text
    filename = f"<ember graph {graph.name} #{next(_file_ids)}>"
    env = em.env
    env["_rt_annotate"] = _annotator(filename, em.line_ops, em.namer)
    with warnings.catch_warnings():  # `1 is not None` in generated code is not the user's
        warnings.simplefilter("ignore", SyntaxWarning)
        code = compile(src, filename, "exec")
    exec(code, env)
    fn = env[em.fn_name]
    fn.__ember_source__ = src
    fn.__ember_graph__ = graph
    return fn


def _annotator(filename, line_ops, namer):
    def annotate(exc: BaseException) -> None:
        tb, line = exc.__traceback__, None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == filename:
                line = tb.tb_lineno
            tb = tb.tb_next
        op = line_ops.get(line)
        if op is not None and hasattr(exc, "add_note"):
            exc.add_note(_note(op, namer))

    return annotate


def _note(op: Operation, namer: Namer) -> str:
    """What an exception raised by `op` is told: the op, then its location and source line."""
    note = f"While executing {op_text(op, namer).strip()}"
    loc = op.loc
    if loc is None:
        return note
    text = loc.text.strip()
    return f"{note}\n  at {loc}" + (f"\n    {text}" if text else "")


def _ident(name: str | None) -> str | None:
    if name is None:
        return None
    s = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    if not s or s[0].isdigit() or keyword.iskeyword(s) or s.startswith("_"):
        return None
    return s


class _Emitter:
    def __init__(self, graph: Graph, unit):
        self.graph = graph
        self.resolve = functools.partial(_callable_by_name, unit)
        self.namer = Namer().name_graph(graph)
        self.env: dict = dict(HELPERS)
        self.lines: list[str] = []
        self.line_ops: dict[int, Operation] = {}
        self.exprs: dict[int, str] = {}
        self.counter = itertools.count()
        self.global_ids = itertools.count()
        self.fn_name = _ident(graph.name) or "graph_fn"
        self.outlined: list[tuple[list, dict]] = []  # (lines, line_ops) of `_outline`'s functions
        self.text = ""

    # -- names ----------------------------------------------------------------------------

    def new_var(self, v: Value) -> str:
        name = f"_v{next(self.counter)}"
        self.exprs[id(v)] = name
        return name

    def add_global(self, obj, prefix="_g") -> str:
        name = f"{prefix}{next(self.global_ids)}"
        self.env[name] = obj
        return name

    def expr(self, v: Value) -> str:
        e = self.exprs.get(id(v))
        if e is None:
            op = getattr(v, "op", None)
            if op is not None and op.kind == "prim::Constant":
                e = self.exprs[id(v)] = self.literal(op.attrs.get("value"))
            else:
                raise RuntimeError(f"value %{self.namer.name(v)} used before definition")
        return e

    def literal(self, value) -> str:
        if value is None or isinstance(value, bool | int | str):
            return repr(value)
        if isinstance(value, float) and math.isfinite(value):
            return repr(value)
        if isinstance(value, list) and all(_simple(x) for x in value):
            return repr(value)
        if isinstance(value, tuple) and all(_simple(x) for x in value):
            return repr(value)
        return self.add_global(value, "_c")

    # -- output ---------------------------------------------------------------------------

    def line(self, indent: int, text: str, op: Operation | None = None) -> None:
        if op is not None:
            if op.kind != "prim::Return":
                text += f"  # {op_text(op, self.namer)}"
            self.line_ops[len(self.lines) + 1] = op
        self.lines.append("    " * indent + text)

    def source(self) -> str:
        params = []
        for a in self.graph.inputs:
            name = _ident(a.name)
            if name is None or name in params or name == self.fn_name:
                name = f"_a{a.index}"
            self.exprs[id(a)] = name
            params.append(name)
        sig = ", ".join(self._param(p, a) for p, a in zip(params, self.graph.inputs))
        self.line(0, f"def {self.fn_name}({sig}):")
        self.line(1, "try:")
        self.block(self.graph.block, 2)
        self.line(1, "except BaseException as _e:")
        self.line(2, "_rt_annotate(_e)")
        self.line(2, "raise")
        for lines, line_ops in self.outlined:  # after the function, with their line numbers
            offset = len(self.lines)
            self.lines.extend(lines)
            self.line_ops.update((n + offset, op) for n, op in line_ops.items())
        return "\n".join(self.lines) + "\n"

    def _param(self, name, arg) -> str:
        if arg.name in self.graph.defaults:
            return f"{name}={self.literal(self.graph.defaults[arg.name])}"
        return name

    # -- blocks and ops -------------------------------------------------------------------

    def block(self, block: Block, indent: int) -> None:
        start = len(self.lines)
        for op in block.ops:
            if op.kind in ("prim::Yield",):
                continue
            self.op(op, indent)
        if len(self.lines) == start:
            self.line(indent, "pass")

    def assign(self, op: Operation, indent: int, rhs: str) -> None:
        if not op.results:
            self.line(indent, rhs, op)
        elif len(op.results) == 1:
            self.line(indent, f"{self.new_var(op.results[0])} = {rhs}", op)
        else:
            names = ", ".join(self.new_var(r) for r in op.results)
            self.line(indent, f"{names}, = {rhs}", op)

    def op(self, op: Operation, indent: int) -> None:
        if op.blocks and indent >= MAX_INDENT:
            self.outline(op, indent)
            return
        handler = SPECIAL.get(op.kind)
        if handler is not None:
            handler(self, op, indent)
            return
        sig = registry.lookup(op.qualified_name)
        if sig is None or sig.structural:
            raise RuntimeError(f"the runtime cannot run {op.qualified_name}")
        opdef = sig.opdef
        if opdef.inline is not None:
            self.inline(op, opdef.inline, indent)
        elif opdef.value_only:
            args = ", ".join(self.expr(v) for v in op.operands)
            self.assign(op, indent, f"{self.add_global(opdef.kernel, '_k')}({args})")
        else:
            self.table_op(op, sig, indent)

    def outline(self, op: Operation, indent: int) -> None:
        """Emit `op` (an if or loop) as a module-level function of the local variables it
        reads, returning its results, and call it here: indentation starts again at 1."""
        params = self.free_names(op)
        name = self.add_global(None, "_o")
        outer = self.lines, self.line_ops
        self.lines, self.line_ops = [], {}
        self.line(0, f"def {name}({', '.join(params)}):")
        self.op(op, 1)
        results = [self.expr(r) for r in op.results]
        self.line(1, f"return ({''.join(r + ', ' for r in results)})")
        self.outlined.append((self.lines, self.line_ops))
        self.lines, self.line_ops = outer
        del self.env[name]  # defined by the generated source itself
        targets = "".join(self.new_var(r) + ", " for r in op.results)
        self.line(indent, f"{targets} = {name}({', '.join(params)})" if targets else
                  f"{name}({', '.join(params)})", op)  # fmt: skip

    def free_names(self, op: Operation) -> list[str]:
        """The local variables of the generated function that `op` or its blocks read."""
        inside, used = set(), []
        for inner in op.walk():
            inside.update(id(r) for r in inner.results)
            inside.update(id(a) for b in inner.blocks for a in b.args)
            used.extend(inner.operands)
        names = {}
        for v in used:
            if id(v) not in inside:
                e = self.expr(v)
                if e.isidentifier() and not keyword.iskeyword(e) and e not in self.env:
                    names[e] = None
        return list(names)

    def inline(self, op, template, indent):
        """A value op's Python template, operands pasted in (see `ember.ops.table`)."""
        args = [self.expr(v) for v in op.operands]
        text = template.replace("{*1}", ", ".join(args[1:])).replace("{*}", ", ".join(args))
        self.assign(op, indent, text.format(*args))

    def table_op(self, op, sig, indent):
        """A tensor op through its dispatcher caller (which honours the dispatch hook)."""
        fn = self.add_global(invoker(sig.opdef), "_k")
        args = []
        n = sum(not p.kwarg_only for p in sig.params)
        while n and _is_default_constant(op.operands[n - 1], sig.params[n - 1]):
            n -= 1
        kept = [i < n or p.kwarg_only for i, p in enumerate(sig.params)]
        for p, v, keep in zip(sig.params, op.operands, kept):
            if not keep:
                continue
            if not p.kwarg_only:
                args.append(self.expr(v))
            elif not _is_default_constant(v, p):
                args.append(f"{p.name}={self.expr(v)}")
        self.assign(op, indent, f"{fn}({', '.join(args)})")


def _simple(x) -> bool:
    return (
        x is None or isinstance(x, bool | int | str) or (isinstance(x, float) and math.isfinite(x))
    )


def _is_default_constant(v, p) -> bool:
    op = getattr(v, "op", None)
    if op is None or op.kind != "prim::Constant" or p.default is registry.MISSING:
        return False
    value = op.attrs.get("value")
    return type(value) is type(p.default) and value == p.default


def compile_graph(graph: Graph, unit: CompilationUnit | None = None):
    """The Python function executing `graph` (cached on the graph until it changes);
    functions it calls are `unit`'s."""
    cached = graph.compiled
    if cached is not None and cached[0] is unit:
        return cached[1]
    fn = generate(graph, unit)
    graph.compiled = (unit, fn)
    return fn


def function_callable(fn: Function, unit: CompilationUnit):
    """What calling `fn` of `unit` runs: its graph, or the Python function it keeps
    (``@ember.jit.ignore``)."""
    return fn.python if fn.python is not None else compile_graph(fn.graph, unit)


def _callable_by_name(unit: CompilationUnit | None, name: str):
    if unit is None:
        raise RuntimeError(f"no compilation unit given to call {name}")
    return function_callable(unit.function(name), unit)
