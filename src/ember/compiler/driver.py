"""Compiling Python functions and module methods to IR graphs, with caches.

Source comes from `inspect.getsourcelines` and is parsed once per code object; a lowered
graph is kept per function and per (module type, method name), so scripting a second
instance of the same module class costs no parsing or lowering (TorchScript caches
compiled classes the same way).

Example:
    >>> def scale(x, k: float = 2.0):
    ...     return x * k
    >>> f = compile_function(scale)
    >>> f.qualified_name, [(n, str(t)) for n, t, _, _ in f.params], str(f.return_type)
    ('__torch__.torch.compiler.driver.scale', [('x', 'Tensor'), ('k', 'float')], 'Tensor')
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import textwrap

from ember.compiler.lowering.flow import RetryWithReturnType
from ember.compiler.lowering.function import FunctionLowering
from ember.compiler.lowering.typeinfo import TypeProblem, annotation_type, value_type
from ember.compiler.lowering.values import ModuleRef
from ember.compiler.modules.info import ModuleInfo, qualified_class_name
from ember.compiler.parsing.diagnostics import Source
from ember.compiler.parsing.parser import parse_function
from ember.errors import CompileError
from ember.ir import Builder, Graph, registry, run_passes, verify
from ember.ir import types as T  # noqa: N812
from ember.ir.passes import eliminate_dead_code

__all__ = [
    "Compiled",
    "CompileContext",
    "FunctionSource",
    "compile_function",
    "context",
    "parse_python",
]

_PARSED: dict = {}


def parse_python(fn):
    """The AST of a Python function (cached per code object)."""
    code = fn.__code__
    tree = _PARSED.get(code)
    if tree is None:
        try:
            lines, first = inspect.getsourcelines(fn)
        except (OSError, TypeError) as e:
            raise CompileError(f"cannot get the source of {fn.__qualname__}: {e}") from None
        filename = inspect.getsourcefile(fn) or code.co_filename
        if getattr(fn, "_ember_jit_unused", False) or getattr(fn, "_ember_jit_ignore", False):
            lines = _signature_only(lines)  # the body stays Python: it is never compiled
        tree = parse_function(Source("".join(lines), filename, first))
        _PARSED[code] = tree
    return tree


def _signature_only(lines):
    """The source lines of a def up to its body, with the body replaced by `pass`."""
    text = textwrap.dedent("".join(lines))
    try:
        fdef = ast.parse(text).body[0]
    except (SyntaxError, IndexError):
        return lines
    first_body = fdef.body[0]
    start = first_body.lineno - 1
    if fdef.body[0].lineno == fdef.lineno:  # one-line def
        return lines
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    return [*lines[:start], indent + "pass\n"]


class Compiled:
    """A compiled function or method: its graph, parameters and return type."""

    def __init__(self, qualified_name, graph, params, return_type, ctx):
        self.qualified_name, self.graph = qualified_name, graph
        self.params, self.return_type = params, return_type
        self._ctx, self._fn = ctx, None
        self.python = None
        """For @ignore'd methods: the Python function scripted code calls instead."""

    @property
    def run(self):
        """The runtime's Python function for the graph (built on first use)."""
        if self._fn is None:
            from ember.runtime import compile_graph

            self._fn = compile_graph(self.graph, self._ctx.resolve)
        return self._fn

    def bind(self, args, kwargs, skip_self=False):
        """Positional arguments for `run`, with defaults filled in (as Python binds them)."""
        out = list(args)
        for name, _, default, _ in self.params[len(args) :]:
            if name in kwargs:
                out.append(kwargs.pop(name))
            elif default is not registry.MISSING:
                out.append(default)
            else:
                raise TypeError(f"{self.qualified_name}() missing argument '{name}'")
        if kwargs:
            raise TypeError(f"{self.qualified_name}() got unexpected arguments {sorted(kwargs)}")
        return out

    def __call__(self, *args, **kwargs):
        return self.run(*self.bind(args, dict(kwargs)))


class CompileContext:
    """Holds module types and compiled functions/methods for the whole process."""

    def __init__(self):
        self.classes: dict[str, T.ClassType] = {}
        self._types: dict = {}
        self.functions: dict = {}
        self.by_name: dict[str, Compiled] = {}
        self.methods: dict = {}
        self._busy: set = set()

    def resolve(self, name):
        return self.by_name[name].run

    def module_info(self, module) -> ModuleInfo:
        info = module.__dict__.get("_ember_info")  # already scripted
        return info if info is not None else ModuleInfo(module, self)

    def all_graphs(self):
        """Every graph compiled so far (methods, then functions)."""
        return [c.graph for c in [*self.methods.values(), *self.functions.values()]]

    def class_type_for(self, key, qualified_name, attrs) -> T.ClassType:
        ct = self._types.get(key)
        if ct is None:
            name, i = qualified_name, 0
            while name in self.classes:
                head, _, last = qualified_name.rpartition(".")
                name = f"{head}.___torch_mangle_{i}.{last}"
                i += 1
            ct = T.ClassType(name, attrs)
            self.classes[name] = ct
            self._types[key] = ct
        return ct

    def method(self, info, name, node=None, low=None) -> Compiled:
        key = (info.class_type.qualified_name, name)
        done = self.methods.get(key)
        if done is not None:
            return done
        src = info.method_source(name)
        if src is None:
            msg = f"module '{info.original_name}' has no method '{name}'"
            raise (low.err(node, msg) if low else CompileError(msg))
        if key in self._busy:
            raise low.err(node, f"recursive call of '{name}' is not supported in scripted code")
        self._busy.add(key)
        try:
            compiled = self._build(src, name, f"{key[0]}.{name}", info)
        finally:
            self._busy.discard(key)
        info.class_type.methods[name] = (tuple(p[1] for p in compiled.params), compiled.return_type)
        self.methods[key] = compiled
        return compiled

    def function(self, fn, node=None, low=None) -> Compiled:
        done = self.functions.get(fn)
        if done is not None:
            return done
        src = fn if isinstance(fn, FunctionSource) else FunctionSource.of_python(fn)
        qualified = src.qualified_name
        if fn in self._busy:
            raise low.err(node, f"recursive call of '{src.fdef.name}' is not supported")
        self._busy.add(fn)
        try:
            compiled = self._build(src, src.fdef.name, qualified, None)
        finally:
            self._busy.discard(fn)
        self.functions[fn] = compiled
        self.by_name[qualified] = compiled
        return compiled

    def _build(self, src, name, qualified, self_info, forced_return=None) -> Compiled:
        fdef = src.fdef
        graph = Graph(name)
        b = Builder(graph)
        low = FunctionLowering(fdef, b, src.globals, src.closure, self)
        params = list(fdef.params)
        if self_info is not None:
            if not params:
                raise fdef.source.node_error(fdef, f"method '{name}' needs a self parameter")
            first = params.pop(0)
            low.env[first.name] = ModuleRef(b.add_input(self_info.class_type, "self"), self_info)
        spec = []
        for p in params:
            default = src.defaults.get(p.name, registry.MISSING)
            t = _param_type(p, default, fdef.source, self.classes)
            low.env[p.name] = b.add_input(t, p.name, default, p.kwonly)
            spec.append((p.name, t, default, p.kwonly))
        rt = forced_return
        if fdef.returns is not None:
            try:
                rt = annotation_type(fdef.returns, self.classes)
            except TypeProblem as e:
                raise fdef.source.node_error(fdef.returns, str(e)) from None
        if src.ignored or src.unused:
            rt = rt or T.TensorType.get()
            with b.located(fdef.source.loc_of(fdef)):
                b.raise_(f"The method {name} was marked @ember.jit.unused", "builtins.Exception")
                b.return_(b.uninitialized(rt))
            compiled = Compiled(qualified, graph, spec, rt, self)
            compiled.python = src.python if src.ignored else None
            return compiled
        try:
            actual = low.lower(rt)
        except RetryWithReturnType as retry:  # a loop returns: now the return type is known
            return self._build(src, name, qualified, self_info, retry.args[0])
        # TorchScript's cleanup after emitting; verified after lowering and each pass in tests
        run_passes(graph, [eliminate_dead_code])
        verify(graph)
        return Compiled(qualified, graph, spec, rt or actual, self)


class FunctionSource:
    """What compiling one function needs: its AST, name scopes and parameter defaults.

    Python functions give theirs through `of_python`; archive code
    (`ember.compiler.modules.archive`) builds them from parsed code files.
    """

    def __init__(self, fdef, globals_, closure, defaults, qualified_name, python=None):
        self.fdef, self.globals, self.closure = fdef, globals_, closure
        self.defaults, self.qualified_name, self.python = defaults, qualified_name, python
        self.ignored = bool(getattr(python, "_ember_jit_ignore", False))
        self.unused = bool(getattr(python, "_ember_jit_unused", False))

    @classmethod
    def of_python(cls, fn):
        return cls(parse_python(fn), fn.__globals__, _closure(fn), _defaults(fn),
                   qualified_class_name(fn), fn)  # fmt: skip


def _closure(fn) -> dict:
    cells = fn.__closure__ or ()
    out = {}
    for name, cell in zip(fn.__code__.co_freevars, cells):
        with contextlib.suppress(ValueError):
            out[name] = cell.cell_contents
    return out


def _defaults(fn) -> dict:
    code = fn.__code__
    names = code.co_varnames[: code.co_argcount]
    out = dict(zip(names[len(names) - len(fn.__defaults__ or ()) :], fn.__defaults__ or ()))
    out.update(fn.__kwdefaults__ or {})
    return out


def _param_type(p, default, source, classes) -> T.Type:
    if p.annotation is not None:
        try:
            return annotation_type(p.annotation, classes)
        except TypeProblem as e:
            raise source.node_error(p.annotation, str(e)) from None
    if default is registry.MISSING:
        return T.TensorType.get()
    if default is None:
        return T.OptionalType(T.TensorType.get())
    try:
        return value_type(default)
    except TypeProblem as e:
        raise source.node_error(p, f"cannot infer the type of parameter '{p.name}': {e}") from None


_CONTEXT = CompileContext()


def context() -> CompileContext:
    """The process-wide compile context."""
    return _CONTEXT


def reset_context() -> CompileContext:
    """Start a fresh process-wide compile context (tests that edit compiled graphs in place
    use it so later compilations do not share the edited graphs)."""
    global _CONTEXT
    _CONTEXT = CompileContext()
    return _CONTEXT


def compile_function(fn) -> Compiled:
    """Compile a free Python function (and the functions it calls)."""
    return _CONTEXT.function(fn)
