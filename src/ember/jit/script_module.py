"""`RecursiveScriptModule` and `ScriptFunction`: what `ember.jit.script` returns.

A RecursiveScriptModule is an `ember.nn.Module` holding the scripted module's parameters,
buffers (the same tensor objects as the original), attributes, constants and scripted
submodules; its methods run the Python runtime's function for each compiled graph, so
`state_dict`, `named_parameters`, `train`/`eval` and attribute access behave as for the
original module, and compiled code reads ``self.training`` at run time.

Example:
    >>> import ember
    >>> class Net(ember.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc = ember.nn.Linear(2, 1)
    ...     def forward(self, x):
    ...         return self.fc(x)
    >>> m = ember.jit.script(Net())
    >>> m
    RecursiveScriptModule(
      original_name=Net
      (fc): RecursiveScriptModule(original_name=Linear)
    )
    >>> [k for k, _ in m.named_parameters()]
    ['fc.weight', 'fc.bias']
"""

from __future__ import annotations

import copy
import types
import weakref

from ember.compiler.overloads import method_overloads
from ember.ir.code_printer import code_text
from ember.ir.inline import clone_graph, inline_calls
from ember.ir.printer import format_literal
from ember.ir.unit import MISSING
from ember.jit.mirrored import Mirrored as _Mirrored
from ember.jit.named import python_converter
from ember.jit.saving import save
from ember.nn import Module
from ember.nn.module import add_indent
from ember.runtime import compile_graph, function_callable

__all__ = ["RecursiveScriptModule", "ScriptFunction", "ScriptMethod", "ScriptModule"]

_TABLES = ("_parameters", "_buffers", "_modules")


class ScriptModule(Module):
    """Base class of scripted modules (PyTorch's `torch.jit.ScriptModule`)."""


class RecursiveScriptModule(ScriptModule):
    """A scripted module instance (see the module docstring)."""

    @classmethod
    def _construct(cls, module, info, compiler):
        self = cls.__new__(cls)
        Module.__init__(self)
        d = self.__dict__
        d["training"] = module.training
        d["_ember_info"] = info
        d["_ember_compiler"] = compiler
        d["_ember_methods"] = {}
        d["original_name"] = info.original_name
        for name, kind in info.kinds.items():
            if kind == "param":
                self._parameters[name] = module._parameters[name]
            elif kind == "buffer":
                self._buffers[name] = module._buffers[name]
                if name in module._non_persistent_buffers_set:
                    self._non_persistent_buffers_set.add(name)
            elif kind == "module":
                sub = module._modules[name]
                self._modules[name] = cls._construct(sub, info.submodules[name], compiler)
            elif kind == "function":
                d[name] = info.functions[name]
            elif name != "training":
                d[name] = _copy_value(getattr(module, name, None))
        for name in ("forward", *_exported(type(module))):
            wanted = name != "forward" or _has_forward(module)
            # overloaded methods compile at their calls, as forward__0, forward__1...
            if hasattr(type(module), name) and wanted and not method_overloads(type(module), name):
                self._ember_method(name)
        for name, value in info.constants.items():
            d[name] = tuple(value) if isinstance(value, list) else value  # as torch's
        self._ember_mirror()
        return self

    @classmethod
    def _construct_loaded(cls, info, compiler, values: dict, training: bool = True):
        """A scripted module for a type read from archive code (`ember.compiler.modules.archive`):
        `values` maps attribute names to tensors, plain values and already built
        submodules; methods compile from the archive's code on first call."""
        from ember.nn.parameter import Parameter

        self = cls.__new__(cls)
        Module.__init__(self)
        d = self.__dict__
        d.update(training=training, _ember_info=info, _ember_compiler=compiler, _ember_methods={})
        d["original_name"] = info.original_name
        for name, kind in info.kinds.items():
            value = values.get(name)
            if kind == "param":
                is_param = isinstance(value, Parameter)
                keep = is_param or value is None
                self._parameters[name] = value if keep else Parameter(value, value.requires_grad)
            elif kind == "buffer":
                self._buffers[name] = value
            elif kind == "module":
                self._modules[name] = value
            elif kind == "const":
                d[name] = info.constants[name]
            elif name != "training":
                d[name] = value
        self._ember_mirror()
        return self

    def __deepcopy__(self, memo):
        """A copy with its own tensors that shares the compiled code."""
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        methods = self.__dict__.get("_ember_methods", {})
        d = new.__dict__
        for key, value in self.__dict__.items():
            if key in ("_ember_info", "_ember_compiler"):
                d[key] = value
            elif key == "_ember_methods":
                d[key] = {}
            elif key not in methods:
                d[key] = copy.deepcopy(value, memo)
        new._ember_mirror()
        return new

    def __setstate__(self, state):
        """`copy.copy` and unpickling: own tables, and methods bound to this instance."""
        methods = state.get("_ember_methods", {})
        state = {k: v for k, v in state.items() if k not in methods}
        state["_ember_methods"] = {}
        Module.__setstate__(self, state)
        self._ember_mirror()

    def _ember_mirror(self):
        """Make the parameter, buffer and submodule tables `_Mirrored`, so every write to
        them (assignment, ``del``, ``register_*``, ``to()``, ``load_state_dict``) also
        updates the copies in __dict__ that compiled code reads with plain `getattr`."""
        d = self.__dict__
        for table in _TABLES:
            current = d[table]
            if not isinstance(current, _Mirrored) or current.owner is not d:
                d[table] = _Mirrored(d, current)

    def _ember_method(self, name):
        methods = self.__dict__["_ember_methods"]
        fn = methods.get(name)
        if fn is None:
            compiler = self._ember_compiler
            info = self._ember_info
            compiled = info.class_type.methods.get(name) or compiler.method(info, name)
            if compiled.python is not None:
                fn = types.MethodType(compiled.python, self)
            else:
                fn = ScriptMethod(self, name, compiled, compiler.unit)
            methods[name] = fn
            self.__dict__[name] = fn
        return fn

    def forward(self, *args, **kwargs):
        return self._ember_method("forward")(*args, **kwargs)

    def __getattr__(self, name):
        d = self.__dict__
        methods = d.get("_ember_methods")
        if methods is not None:
            fn = methods.get(name)
            if fn is not None:
                return fn
            info = d["_ember_info"]
            if info.has_method(name) or name in info.class_type.methods:  # forward__0 too
                return self._ember_method(name)
        return Module.__getattr__(self, name)

    def _compiled(self, name="forward"):
        return self._ember_compiler.method(self._ember_info, name)

    @property
    def graph(self):
        """The IR graph of `forward` (prints as TorchScript's graph dump)."""
        return self._compiled().graph

    @property
    def code(self) -> str:
        """`forward` as TorchScript-style source."""
        return code_text(self._compiled().graph)

    @property
    def inlined_graph(self):
        """`forward`'s graph with every call of compiled code replaced by its body."""
        graph = clone_graph(self.graph)
        inline_calls(graph, self._ember_compiler.unit)
        return graph

    def _get_name(self) -> str:
        return "RecursiveScriptModule"

    def save(self, f, _extra_files=None) -> None:
        """Save as a TorchScript archive (see `ember.jit.save`)."""
        save(self, f, _extra_files)

    # -- scripted ModuleList / Sequential / ModuleDict: indexable and iterable, as torch's
    def _container(self):
        if not self.__dict__["_ember_info"].is_container:
            raise TypeError(f"'{self.original_name}' scripted module is not a container")
        return self._modules

    def __getitem__(self, key):
        modules = self._container()
        if isinstance(key, str) or self.original_name == "ModuleDict":
            return modules[key]
        names = list(modules)
        if isinstance(key, slice):
            raise TypeError("slicing a scripted container is not supported; index it")
        return modules[names[key]]

    def __len__(self) -> int:
        return len(self._container())

    def __iter__(self):
        modules = self._container()
        return iter(modules if self.original_name == "ModuleDict" else modules.values())

    def __contains__(self, key) -> bool:
        return key in self._container()

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        children = list(self._modules.items())
        if not children:
            return f"RecursiveScriptModule(original_name={self.original_name})"
        lines = [f"original_name={self.original_name}"]
        lines += [f"({name}): {add_indent(repr(m), 2)}" for name, m in children]
        return "RecursiveScriptModule(\n  " + "\n  ".join(lines) + "\n)"


class ScriptMethod:
    """A compiled method bound to its scripted module: callable, with `.graph`, `.code`,
    `.schema` and `.name` (PyTorch's `torch.ScriptMethod`).

    Example:
        >>> import ember
        >>> class Net(ember.nn.Module):
        ...     def forward(self, x, k: int = 2):
        ...         return x * k
        >>> m = ember.jit.script(Net())
        >>> m.forward(ember.tensor([1, 2]), k=3)
        tensor([3, 6])
        >>> m.forward.schema.split(".")[-1]
        'Net self, Tensor x, int k=2) -> Tensor'
        >>> print(m.forward.code, end="")
        def forward(self,
            x: Tensor,
            k: int=2) -> Tensor:
          return torch.mul(x, k)
    """

    __slots__ = ("_owner", "_run", "_bind", "_n", "compiled", "name")

    def __init__(self, owner, name, compiled, unit):
        self._owner, self.name, self.compiled = owner, name, compiled
        self._run, self._bind = _python_results(compile_graph(compiled.graph, unit), compiled)
        self._n = len(compiled.params)

    def __call__(self, *args, **kwargs):
        if kwargs or len(args) < self._n:
            args = self._bind(args, kwargs)
        return self._run(self._owner, *args)

    @property
    def graph(self):
        return self.compiled.graph

    @property
    def code(self) -> str:
        return code_text(self.compiled.graph)

    @property
    def schema(self) -> str:
        owner = self._owner.__dict__["_ember_info"].class_type.qualified_name
        return _schema(self.name, self.compiled, f"{owner} self")

    def __repr__(self) -> str:
        return f"<ember.jit.ScriptMethod object at {hex(id(self))}>"


def _python_results(run, compiled):
    """(`run`, `compiled.bind`), `run` converting NamedTuple results to their classes."""
    convert = python_converter(compiled.return_type)
    if convert is None:
        return run, compiled.bind
    return (lambda *args: convert(run(*args))), compiled.bind


class ScriptFunction:
    """A scripted free function: callable, with `.graph`, `.code`, `.name` (`fn` is the Python
    function it was compiled from; `unit` the compilation unit its calls resolve in)."""

    def __init__(self, compiled, fn, unit):
        self._compiled = compiled
        self._unit = unit
        self._run = _python_results(function_callable(compiled, unit), compiled)[0]
        if fn is not None:  # None for functions compiled from archive code
            self.__wrapped__ = fn
            self.__doc__ = fn.__doc__
        self.name = compiled.name
        self.qualified_name = compiled.qualified_name

    def __call__(self, *args, **kwargs):
        return self._run(*self._compiled.bind(args, kwargs))

    @property
    def graph(self):
        return self._compiled.graph

    @property
    def code(self) -> str:
        return code_text(self._compiled.graph)

    @property
    def schema(self) -> str:
        return _schema(self.name, self._compiled)

    def save(self, f, _extra_files=None) -> None:
        """Save as a TorchScript archive whose module's `forward` is this function (as torch
        does; see `ember.jit.save`)."""
        save(self, f, _extra_files)

    def __repr__(self) -> str:
        return f"<ember.jit.ScriptFunction object at {hex(id(self))}>"


def _schema(name, compiled, first=None) -> str:
    parts, star = [first] if first else [], False
    for p in compiled.params:
        if p.kwonly and not star:
            parts.append("*")
            star = True
        text = f"{p.type.graph_str()} {p.name}"
        if p.default is not MISSING:
            text += "=" + format_literal(p.default)
        parts.append(text)
    return f"{name}({', '.join(parts)}) -> {compiled.return_type}"


def _copy_value(value):
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


_EXPORTED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _exported(cls) -> list[str]:
    """Names of the methods of `cls` marked ``@ember.jit.export`` (found once per class)."""
    names = _EXPORTED.get(cls)
    if names is None:
        names = _EXPORTED[cls] = [
            name
            for name in dict.fromkeys(n for k in reversed(cls.__mro__) for n in vars(k))
            if getattr(getattr(cls, name, None), "_ember_jit_export", False)
        ]
    return names


def _has_forward(module) -> bool:
    fwd = type(module).forward
    return fwd is not Module.forward and hasattr(fwd, "__code__")
