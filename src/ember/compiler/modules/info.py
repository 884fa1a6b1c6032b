"""Module types: the ClassType of an nn.Module instance, and attribute access in code.

`ModuleInfo` describes one module instance the way TorchScript's "concrete type" does:
its qualified name (``__torch__.`` + the class's module path, with ``ember.`` written as
``torch.`` and ``__main__`` dropped), its attributes in TorchScript's slot order (parameters,
buffers, ``training``, plain attributes, then submodules, each with its IR type), its constants
(``__constants__`` or ``Final`` annotations; inlined into code) and its compiled methods.
Instances whose concrete types are equal share one `ModuleInfo` type key, so their
methods are compiled once.
"""

from __future__ import annotations

import inspect

from ember.compiler.lowering.typeinfo import TypeProblem, python_type, value_type
from ember.compiler.lowering.values import BoundMethod, Known, ModuleRef, PyObj
from ember.compiler.parsing.function_source import FunctionSource, qualified_class_name
from ember.ir import types as T  # noqa: N812

__all__ = ["ModuleInfo", "ModuleAccess"]

_INTERNAL = {"training", "_parameters", "_buffers", "_modules", "_non_persistent_buffers_set",
             "_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_state_dict_hooks",
             "_load_state_dict_pre_hooks", "_version", "dump_patches", "call_super_init",
             "_is_full_backward_hook", "__constants__", "__annotations__"}  # fmt: skip
_CONTAINERS = ("ModuleList", "Sequential", "ModuleDict")


def _constant_names(cls) -> set:
    names = set()
    for klass in reversed(cls.__mro__):
        names |= set(getattr(klass, "__constants__", ()) or ())
        for name, ann in getattr(klass, "__annotations__", {}).items():
            if "Final" in str(ann):
                names.add(name)
    return names


def _container_base(cls):
    """'ModuleList', 'Sequential' or 'ModuleDict' for those classes and their subclasses."""
    for klass in cls.__mro__:
        if klass.__name__ in _CONTAINERS and klass.__module__.startswith("ember."):
            return klass.__name__
    return None


def _class_annotation(cls, name):
    for klass in cls.__mro__:
        ann = vars(klass).get("__annotations__", {})
        if name in ann and not isinstance(ann[name], str):
            return ann[name]
    return None


class ModuleInfo:
    """The compile-time view of one module instance (see the module docstring)."""

    def __init__(self, module, ctx):
        cls = type(module)
        self.module = module
        self.original_name = cls.__name__
        self.is_container = cls.__name__ in _CONTAINERS and cls.__module__.startswith("ember.")
        self.container = _container_base(cls)
        self.kinds: dict[str, str] = {}
        attrs: dict[str, T.Type] = {}
        self.submodules: dict[str, ModuleInfo] = {}
        self.constants: dict[str, object] = {}
        self.problems: dict[str, str] = {}
        self.methods: dict = {}
        d = module.__dict__
        for name, p in d["_parameters"].items():
            self.kinds[name] = "param" if p is not None else "attr"
            attrs[name] = T.TensorType.get() if p is not None else T.NoneType.get()
        for name, b in d["_buffers"].items():
            self.kinds[name] = "buffer" if b is not None else "attr"
            attrs[name] = T.TensorType.get() if b is not None else T.NoneType.get()
        self.kinds["training"], attrs["training"] = "attr", T.BoolType.get()
        modules: dict[str, T.Type] = {}
        for name, m in d["_modules"].items():
            if m is None:
                self.kinds[name], attrs[name] = "attr", T.NoneType.get()
                continue
            sub = ctx.module_info(m)
            self.submodules[name] = sub
            self.kinds[name], modules[name] = "module", sub.class_type
        consts = _constant_names(cls)
        for name in sorted(consts):
            if hasattr(module, name):
                self.constants[name] = getattr(module, name)
                self.kinds[name] = "const"
        self.functions: dict[str, object] = {}
        for name, value in d.items():
            if name in _INTERNAL or name in self.kinds:
                continue
            if callable(value):
                if hasattr(value, "__ember_op__") or hasattr(value, "__code__"):
                    self.functions[name] = value  # e.g. self.act = F.relu
                    self.kinds[name] = "function"
                continue
            try:
                hint = _class_annotation(cls, name)
                attrs[name] = python_type(hint) if hint is not None else value_type(value)
                self.kinds[name] = "attr"
            except TypeProblem as e:
                self.problems[name] = str(e)
        attrs.update(modules)
        self.key = (
            cls,
            tuple((n, self.kinds[n], str(attrs.get(n))) for n in self.kinds),
            tuple((n, repr(v)) for n, v in sorted(self.constants.items())),
            tuple((n, id(f)) for n, f in sorted(self.functions.items())),
            tuple(s.class_type.qualified_name for s in self.submodules.values()),
        )
        self.class_type = ct = ctx.class_type_for(self.key, qualified_class_name(cls), attrs)
        if not (ct.parameters or ct.buffers or ct.constants):  # a class type of this key is new
            ct.parameters = [n for n, k in self.kinds.items() if k == "param"]
            ct.buffers = [n for n, k in self.kinds.items() if k == "buffer"]
            ct.constants = dict(self.constants)

    def has_method(self, name: str) -> bool:
        return callable(getattr(type(self.module), name, None)) and not name.startswith("__")

    def method_source(self, name: str):
        """A `FunctionSource` for method `name` (inherited ones too), or None."""
        fn = getattr(type(self.module), name, None)
        if fn is None or not hasattr(fn, "__code__"):
            return None
        return FunctionSource.of_python(fn)


class ModuleAccess:
    """Mixin for the lowering: attributes, indexing and iteration of module values."""

    def module_attr(self, ref, attr, node):
        info = ref.info
        kind = info.kinds.get(attr)
        if kind == "function":
            return PyObj(info.functions[attr])
        if kind == "const":
            value = info.constants[attr]
            if isinstance(value, list):
                value = tuple(value)
            return Known(value)
        if kind == "module":
            sub = info.submodules[attr]
            return ModuleRef(self.b.get_attr(ref.value, attr, sub.class_type), sub)
        if kind is not None:
            return self.b.get_attr(ref.value, attr, info.class_type.attributes[attr])
        static = inspect.getattr_static(type(info.module), attr, None)
        if isinstance(static, staticmethod | classmethod):
            if isinstance(static, classmethod):
                raise self.err(node, f"classmethod '{attr}' is not supported in scripted code")
            return PyObj(static.__func__)  # compiled as a free function
        if info.has_method(attr):
            return BoundMethod(ref, attr)
        cls_attr = getattr(type(info.module), attr, None)
        if attr in info.problems:
            raise self.err(node, f"module attribute '{attr}' cannot be scripted: "
                                 f"{info.problems[attr]}")  # fmt: skip
        if cls_attr is not None and isinstance(cls_attr, bool | int | float | str | tuple):
            return Known(cls_attr)
        raise self.err(node, f"module '{info.original_name}' has no attribute '{attr}'")

    def module_children(self, ref, node):
        info = ref.info
        if info.container is None and not info.submodules:
            raise self.err(node, f"cannot iterate over module '{info.original_name}'")
        if info.container == "ModuleDict":
            return [Known(name) for name in info.submodules]
        return [self.module_attr(ref, name, node) for name in info.submodules]

    def module_dict_view(self, ref, name, node):
        """``keys()``, ``values()`` or ``items()`` of a ModuleDict: compile-time tuples, so
        loops over them unroll."""
        if ref.info.container is None or node.args or node.kwargs:
            raise self.err(node, f"cannot call {name}() on module '{ref.info.original_name}'")
        names = list(ref.info.submodules)
        if name == "keys":
            return Known(tuple(names))
        subs = [self.module_attr(ref, n, node) for n in names]
        if name == "values":
            return Known(tuple(subs))
        return Known(tuple(Known((Known(n), m)) for n, m in zip(names, subs)))

    def module_item(self, ref, node):
        info = ref.info
        if len(node.index) != 1:
            raise self.err(node, "module containers take a single index")
        idx = self.expr(node.index[0])
        if not isinstance(idx, Known):
            raise self.err(node, "module containers can only be indexed by constants")
        names = list(info.submodules)
        key = idx.value
        if isinstance(key, int):
            if not -len(names) <= key < len(names):
                raise self.err(node, f"index {key} is out of range for {info.original_name}")
            key = names[key]
        if key not in info.submodules:
            raise self.err(node, f"{info.original_name} has no entry {idx.value!r}")
        return self.module_attr(ref, key, node)
