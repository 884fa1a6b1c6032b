"""Compiling Python functions and module methods into a compilation unit, with caches.

A `Compiler` lowers each function or method to a graph in its `ember.ir.CompilationUnit`.
Source comes from `inspect.getsourcelines` and is parsed once per code object; a compiled
function is kept per Python function and a method per (module type, method name), so
scripting a second instance of the same module class costs no parsing or lowering
(TorchScript caches compiled classes the same way).

Example:
    >>> def scale(x, k: float = 2.0):
    ...     return x * k
    >>> compiler = Compiler()
    >>> f = compiler.function(scale)
    >>> compiler.unit.functions[f.qualified_name] is f, str(f.return_type)
    (True, 'Tensor')
"""

from __future__ import annotations

from ember.compiler import overloads
from ember.compiler.lowering.flow import RetryWithReturnType
from ember.compiler.lowering.function import FunctionLowering
from ember.compiler.lowering.typeinfo import TypeProblem, annotation_type, value_type
from ember.compiler.lowering.values import ModuleRef
from ember.compiler.modules.info import ModuleInfo
from ember.compiler.named_tuples import TypeScope
from ember.compiler.parsing.function_source import FunctionSource
from ember.compiler.parsing.nesting import check_nesting
from ember.errors import CompileError
from ember.ir import Builder, Graph, run_passes, verify
from ember.ir import types as T  # noqa: N812
from ember.ir.depth import with_room
from ember.ir.passes import eliminate_dead_code
from ember.ir.unit import MISSING, CompilationUnit, Function, Param

__all__ = [
    "Compiler",
    "compile_function",
    "default_compiler",
    "reset",
]


class Compiler:
    """Compiles Python functions and module methods into a `CompilationUnit`, with caches.

    `unit` receives every class type and function compiled; module types with equal
    concrete types (`ModuleInfo.key`) share one class type, so their methods compile once.
    """

    def __init__(self, unit: CompilationUnit | None = None):
        self.unit = unit if unit is not None else CompilationUnit()
        self._types: dict = {}
        self._functions: dict = {}
        self._busy: set = set()
        self._overload_sources: dict = {}

    @property
    def classes(self) -> dict[str, T.ClassType]:
        """The unit's class types by qualified name (annotations may name them)."""
        return self.unit.classes

    def module_info(self, module) -> ModuleInfo:
        info = module.__dict__.get("_ember_info")  # already scripted
        return info if info is not None else ModuleInfo(module, self)

    def class_type_for(self, key, qualified_name, attrs) -> T.ClassType:
        ct = self._types.get(key)
        if ct is None:
            ct = self._types[key] = self.unit.define_class(qualified_name, attrs)
        return ct

    def method(self, info, name, node=None, low=None) -> Function:
        ct = info.class_type
        done = ct.methods.get(name)
        if done is not None:
            return done
        src = info.method_source(name)
        if src is None:
            msg = f"module '{info.original_name}' has no method '{name}'"
            raise (low.err(node, msg) if low else CompileError(msg))
        key = (ct.qualified_name, name)
        if key in self._busy:
            raise low.err(node, f"recursive call of '{name}' is not supported in scripted code")
        self._busy.add(key)
        try:
            fn = self._build(src, name, f"{key[0]}.{name}", info)
        finally:
            self._busy.discard(key)
        return self.unit.add_method(ct, fn)

    def overloaded_method(self, info, name, index) -> Function:
        """Overload `index` of method `name` (declared with ``_overload_method``), compiled
        as the method ``name__index``."""
        ct = info.class_type
        mangled = f"{name}__{index}"
        done = ct.methods.get(mangled)
        if done is not None:
            return done
        definition = getattr(type(info.module), name)
        declaration = overloads.method_overloads(type(info.module), name)[index]
        src = overloads.overload_source(declaration, definition)
        fn = self._build(src, mangled, f"{ct.qualified_name}.{mangled}", info)
        return self.unit.add_method(ct, fn)

    def overloaded_function(self, definition, index) -> Function:
        """Overload `index` of free function `definition` (declared with ``_overload``)."""
        key = (definition, index)
        src = self._overload_sources.get(key)
        if src is None:
            declaration = overloads.function_overloads(definition)[index]
            src = self._overload_sources[key] = overloads.overload_source(declaration, definition)
        return self.function(src)

    def function(self, fn, node=None, low=None) -> Function:
        done = self._functions.get(fn)
        if done is not None:
            return done
        src = fn if isinstance(fn, FunctionSource) else FunctionSource.of_python(fn)
        if fn in self._busy:
            raise low.err(node, f"recursive call of '{src.fdef.name}' is not supported")
        self._busy.add(fn)
        try:
            name = self.unit.unique_function_name(src.qualified_name)
            compiled = self._build(src, src.fdef.name, name, None)
        finally:
            self._busy.discard(fn)
        self._functions[fn] = compiled
        return self.unit.add_function(compiled)

    def _build(self, src, name, qualified, self_info, forced_return=None) -> Function:
        levels = check_nesting(src.fdef)
        return with_room(levels, self._lower, src, name, qualified, self_info, forced_return)

    def _lower(self, src, name, qualified, self_info, forced_return=None) -> Function:
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
        scope = TypeScope(self.classes, src.globals)
        for p in params:
            default = src.defaults.get(p.name, MISSING)
            t = _param_type(p, default, fdef.source, scope)
            low.env[p.name] = b.add_input(t, p.name, default, p.kwonly)
            spec.append(Param(p.name, t, default, p.kwonly))
        rt = forced_return
        if fdef.returns is not None:
            try:
                rt = annotation_type(fdef.returns, scope)
            except TypeProblem as e:
                raise fdef.source.node_error(fdef.returns, str(e)) from None
        if src.ignored or src.unused:
            rt = rt or T.TensorType.get()
            with b.located(fdef.source.loc_of(fdef)):
                b.raise_(f"The method {name} was marked @ember.jit.unused", "builtins.Exception")
                b.return_(b.uninitialized(rt))
            return Function(qualified, graph, spec, rt, src.python if src.ignored else None)
        try:
            actual = low.lower(rt)
        except RetryWithReturnType as retry:  # a loop returns: now the return type is known
            return self._lower(src, name, qualified, self_info, retry.args[0])
        # TorchScript's cleanup after emitting; verified after lowering and each pass in tests
        run_passes(graph, [eliminate_dead_code])
        verify(graph)
        return Function(qualified, graph, spec, rt or actual)


def _param_type(p, default, source, classes) -> T.Type:
    if p.annotation is not None:
        try:
            return annotation_type(p.annotation, classes)
        except TypeProblem as e:
            raise source.node_error(p.annotation, str(e)) from None
    if default is MISSING:
        return T.TensorType.get()
    if default is None:
        return T.OptionalType(T.TensorType.get())
    try:
        return value_type(default)
    except TypeProblem as e:
        raise source.node_error(p, f"cannot infer the type of parameter '{p.name}': {e}") from None


_DEFAULT = Compiler()


def default_compiler() -> Compiler:
    """The process-wide compiler `ember.jit.script` uses."""
    return _DEFAULT


def reset() -> Compiler:
    """Start a fresh process-wide compiler (tests that edit compiled graphs in place use it
    so later compilations do not share the edited graphs)."""
    global _DEFAULT
    _DEFAULT = Compiler()
    return _DEFAULT


def compile_function(fn) -> Function:
    """Compile a free Python function (and the functions it calls) with the default compiler.

    >>> def scale(x, k: float = 2.0):
    ...     return x * k
    >>> f = compile_function(scale)
    >>> f.qualified_name, [(p.name, str(p.type)) for p in f.params], str(f.return_type)
    ('__torch__.torch.compiler.driver.scale', [('x', 'Tensor'), ('k', 'float')], 'Tensor')
    """
    return _DEFAULT.function(fn)
