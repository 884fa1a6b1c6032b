"""The program: a compilation unit of functions and class types, as archives will store it.

A `CompilationUnit` holds free `Function`s by qualified name and `ClassType`s (module and
object types) by qualified name; a class type carries its attributes, which of them are
parameters and buffers, its ``Final`` constants and its methods (`Function`s). The compiler
and the tracer produce units, the runtime runs their functions, and the printers (`.code`,
an archive's ``code/`` files) read them.

Example:
    >>> from ember.ir import Builder, Graph, types as T
    >>> unit = CompilationUnit()
    >>> net = unit.define_class("__torch__.Net", {"training": T.BoolType.get()})
    >>> b = Builder(Graph("forward"))
    >>> me, x = b.add_input(net, "self"), b.add_input(T.TensorType.get(), "x")
    >>> b.return_(b.emit("aten::relu", x))
    >>> fwd = unit.add_method(net, Function("__torch__.Net.forward", b.graph,
    ...                                     [Param("x", T.TensorType.get())], T.TensorType.get()))
    >>> unit.method(net, "forward") is fwd, str(unit.define_class("__torch__.Net", {}))
    (True, '__torch__.___torch_mangle_0.Net')
"""

from __future__ import annotations

from dataclasses import dataclass

from ember.ir.core import Graph
from ember.ir.registry import MISSING
from ember.ir.types import ClassType, Type

__all__ = ["Param", "Function", "CompilationUnit", "MISSING"]


@dataclass(frozen=True)
class Param:
    """One parameter of a compiled function (``self`` is not listed for methods)."""

    name: str
    type: Type
    default: object = MISSING
    kwonly: bool = False


class Function:
    """A compiled function or method: its graph, parameters and return type.

    `python` is set for methods kept in Python (``@ember.jit.ignore``): callers run that
    function instead of the graph, which only raises.
    """

    __slots__ = ("qualified_name", "graph", "params", "return_type", "python")

    def __init__(self, qualified_name: str, graph: Graph, params, return_type: Type, python=None):
        self.qualified_name = qualified_name
        self.graph = graph
        self.params: tuple[Param, ...] = tuple(params)
        self.return_type = return_type
        self.python = python

    @property
    def name(self) -> str:
        return self.graph.name

    def bind(self, args, kwargs) -> list:
        """Positional arguments for the graph (after ``self``), with defaults filled in as
        Python binds them; TypeError naming what is missing or unexpected.

        >>> from ember.ir import types as T
        >>> f = Function("f", Graph("f"), [Param("a", T.IntType.get()),
        ...                                Param("b", T.IntType.get(), 2)], T.IntType.get())
        >>> f.bind((1,), {}), f.bind((), {"a": 3, "b": 4})
        ([1, 2], [3, 4])
        """
        out, kwargs = list(args), dict(kwargs)
        for p in self.params[len(args) :]:
            if p.name in kwargs:
                out.append(kwargs.pop(p.name))
            elif p.default is not MISSING:
                out.append(p.default)
            else:
                raise TypeError(f"{self.qualified_name}() missing argument '{p.name}'")
        if kwargs:
            raise TypeError(f"{self.qualified_name}() got unexpected arguments {sorted(kwargs)}")
        return out

    def __repr__(self) -> str:
        return f"<Function {self.qualified_name}>"


class CompilationUnit:
    """Class types and free functions by qualified name (see the module docstring)."""

    def __init__(self):
        self.classes: dict[str, ClassType] = {}
        self.functions: dict[str, Function] = {}
        self._mangled = 0
        self.generation = 0
        """Counts the classes, methods and functions added (caches compare it)."""

    def define_class(self, qualified_name: str, attributes, is_module: bool = True) -> ClassType:
        """A new class type; a name already taken gets torch's ``___torch_mangle_N`` part,
        N counting the unit's manglings (as TorchScript's compilation unit does)."""
        name = qualified_name
        while name in self.classes:
            head, _, last = qualified_name.rpartition(".")
            name = f"{head}.___torch_mangle_{self._mangled}.{last}"
            self._mangled += 1
        ct = ClassType(name, attributes, is_module=is_module)
        self.classes[name] = ct
        self.generation += 1
        return ct

    def unique_function_name(self, qualified_name: str) -> str:
        """`qualified_name`, or, if a function already has it, the name with torch's
        ``___torch_mangle_N`` part (two Python functions may share a module and a name)."""
        name = qualified_name
        while name in self.functions or name in self.classes:
            head, _, last = qualified_name.rpartition(".")
            name = f"{head}.___torch_mangle_{self._mangled}.{last}"
            self._mangled += 1
        return name

    def add_method(self, cls: ClassType, fn: Function) -> Function:
        cls.methods[fn.name] = fn
        self.generation += 1
        return fn

    def method(self, cls: ClassType, name: str) -> Function | None:
        return cls.methods.get(name)

    def add_function(self, fn: Function) -> Function:
        self.functions[fn.qualified_name] = fn
        self.generation += 1
        return fn

    def function(self, qualified_name: str) -> Function:
        """The free function called `qualified_name`; KeyError naming it if absent."""
        fn = self.functions.get(qualified_name)
        if fn is None:
            raise KeyError(f"no function {qualified_name} in this compilation unit")
        return fn

    def graphs(self) -> list[Graph]:
        """Every graph: each class's methods, then the free functions."""
        methods = [fn.graph for ct in self.classes.values() for fn in ct.methods.values()]
        return methods + [fn.graph for fn in self.functions.values()]
