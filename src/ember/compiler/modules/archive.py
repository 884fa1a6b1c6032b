"""Compiling archive code: the TorchScript-style source `.code` prints (and PyTorch writes).

An archive's ``code/`` files hold classes (``class Net(Module):`` with ``__parameters__``,
``__buffers__``, ``name : Type`` attribute lines, ``Final`` constants and methods) and
functions, in the dialect `ember.ir.code_printer` emits: ``torch.<op>(...)`` calls an
``aten::`` operator, ``ops.<ns>.<op>(...)`` any other, ``__torch__.a.b`` names classes and
functions, ``CONSTANTS.cN`` is entry N of the archive's constants table, and ``annotate``,
``unchecked_cast`` and ``uninitialized`` are special forms. A `CodeUnit` parses files lazily
(by qualified-name prefix, as TorchScript's importer does) and compiles methods with the
same lowering as user code (the files are read by Python's parser, `parse_code`, which gives
the syntax tree ember's grammar gives them, faster).

Example:
    >>> files = {"__torch__": '''
    ... class Net(Module):
    ...   __parameters__ = []
    ...   __buffers__ = []
    ...   training : bool
    ...   scale : Final[int] = 3
    ...   def forward(self: __torch__.Net, x: Tensor, n: int=2) -> Tensor:
    ...     return torch.mul(__torch__.twice(x, ), torch.add(self.scale, n))
    ... def twice(x: Tensor) -> Tensor:
    ...   return torch.add(x, x)
    ... '''}
    >>> unit = CodeUnit(files.get)
    >>> info = unit.class_info("__torch__.Net")
    >>> fwd = unit.compiler.method(info, "forward")
    >>> import ember
    >>> ember.runtime.compile_graph(fwd.graph, unit.compiler.unit)(None, ember.tensor([1.0]), 2)
    tensor([10.])
"""

from __future__ import annotations

import math

from ember.compiler.driver import Compiler
from ember.compiler.lowering.typeinfo import TypeProblem, annotation_type
from ember.compiler.named_tuples import TypeScope, declare_named_tuple
from ember.compiler.parsing import syntax as S  # noqa: N812
from ember.compiler.parsing.code_parser import parse_code
from ember.compiler.parsing.function_source import FunctionSource
from ember.errors import CompileError
from ember.ir import types as T  # noqa: N812

__all__ = ["CodeUnit", "CodeModuleInfo", "declared_members"]


_CONTAINERS = ("ModuleList", "Sequential", "ModuleDict")
_CONTAINER_PREFIX = "__torch__.torch.nn.modules.container."
_NOT_NAMES = frozenset({"__getstate__", "__wrapped__", "__code__", "__ember_op__", "__name__",
                        "__module__", "__func__", "__self__", "__class__", "__dict__"})  # fmt: skip


class _OpRef:
    """``torch.add`` / ``ops.prim.NumToTensor``: a reference to an operator by name."""

    __module__ = "ember.compiler.modules.archive"

    def __init__(self, name):
        self.__ember_op__ = name
        self.__name__ = name.split("::")[1]


class _Namespace:
    def __init__(self, ns):
        self._ns = ns

    def __getattr__(self, name):
        if name in _NOT_NAMES or name.startswith("_ember"):
            raise AttributeError(name)
        return _OpRef(f"{self._ns}::{name}")


class _Ops:
    def __getattr__(self, ns):
        if ns.startswith("__"):
            raise AttributeError(ns)
        return _Namespace(ns)


class _Qualified:
    """``__torch__.a.b``: resolves to a compiled function when called."""

    def __init__(self, unit, name):
        self._unit, self._name = unit, name

    def __getattr__(self, name):
        if name in _NOT_NAMES or name.startswith("_ember"):
            raise AttributeError(name)
        return _Qualified(self._unit, f"{self._name}.{name}")

    @property
    def _ember_code_function(self):
        return self._unit.function_source(self._name)

    @property
    def _ember_named_tuple(self):
        return self._unit.named_tuple_class(self._name)


class _Constants:
    def __init__(self, values):
        self._values = tuple(values)

    def __getattr__(self, name):
        if not (name.startswith("c") and name[1:].isdigit()):
            raise AttributeError(name)
        index = int(name[1:])
        if index >= len(self._values):
            raise CompileError(f"constant index {index} is out of bounds")
        return self._values[index]


def _special(name):
    def form(*args):
        raise RuntimeError(f"{name} is only meaningful in scripted code")

    form.__name__ = name
    form._ember_special = name
    return form


class CodeUnit:
    """The classes and functions of one archive's code files, compiled on demand.

    `read_source(prefix)` returns the text of the file for a qualified-name prefix
    (``'__torch__.torch.nn.modules.linear'``) or None; `constants` is the archive's
    constants table (``CONSTANTS.cN``).
    """

    def __init__(self, read_source, constants=(), compiler: Compiler | None = None):
        self.read_source = read_source
        self.compiler = compiler or Compiler()
        self._files: dict[str, dict] = {}
        self._infos: dict[str, CodeModuleInfo] = {}
        self._functions: dict[str, FunctionSource] = {}
        self.globals = {
            "torch": _Namespace("aten"),
            "ops": _Ops(),
            "__torch__": _Qualified(self, "__torch__"),
            "CONSTANTS": _Constants(constants),
            "annotate": _special("annotate"),
            "unchecked_cast": _special("unchecked_cast"),
            "uninitialized": _special("uninitialized"),
            "inf": math.inf,
            "nan": math.nan,
            "math": math,
        }

    def lookup(self, qualified: str):
        """The parsed class or function called `qualified` (its file is parsed once)."""
        prefix, _, name = qualified.rpartition(".")
        entries = self._files.get(prefix)
        if entries is None:
            text = self.read_source(prefix)
            if text is None:
                raise CompileError(f"no code file defines {qualified}")
            entries = {}
            for node in parse_code(text, prefix.replace(".", "/") + ".py"):
                if isinstance(node, S.ClassDef | S.FunctionDef):
                    entries[node.name] = node
            self._files[prefix] = entries
        node = entries.get(name)
        if node is None:
            raise CompileError(f"code file for {prefix} does not define {name}")
        return node

    def named_tuple_class(self, qualified: str):
        """The Python class of ``class X(NamedTuple):`` in archive code, or None when
        `qualified` names something else (its type is `named_tuple_type` of the class)."""
        try:
            node = self.lookup(qualified)
        except CompileError:
            return None
        if not isinstance(node, S.ClassDef) or node.base != "NamedTuple":
            return None
        fields = [st for st in node.body if isinstance(st, S.AnnAssign)]
        names = [st.target.id for st in fields]
        scope = TypeScope(self.compiler.classes, self.globals)
        try:
            types = [annotation_type(st.annotation, scope) for st in fields]
        except TypeProblem as e:
            raise CompileError(f"{qualified}: {e}") from None
        return declare_named_tuple(qualified, names, types)

    def class_info(self, qualified: str) -> CodeModuleInfo:
        info = self._infos.get(qualified)
        if info is None:
            node = self.lookup(qualified)
            if not isinstance(node, S.ClassDef):
                raise CompileError(f"{qualified} is not a class")
            info = CodeModuleInfo(self, node, qualified)
            self._infos[qualified] = info
            info.resolve_submodules()
        return info

    def infos(self) -> list[CodeModuleInfo]:
        """The class types read so far."""
        return list(self._infos.values())

    def function_source(self, qualified: str) -> FunctionSource:
        src = self._functions.get(qualified)
        if src is None:
            node = self.lookup(qualified)
            src = FunctionSource(node, self.globals, {}, _defaults(node), qualified)
            self._functions[qualified] = src
        return src

    def method_source(self, qualified_class: str, fdef) -> FunctionSource:
        return FunctionSource(fdef, self.globals, {}, _defaults(fdef), qualified_class)


def declared_members(node: S.ClassDef) -> tuple[list, list]:
    """The parameter and buffer names a class of archive code declares (its
    ``__parameters__`` and ``__buffers__`` lines).

    >>> from ember.compiler.parsing.code_parser import parse_code
    >>> (cls,) = parse_code('class M(Module):\\n  __parameters__ = ["w", ]\\n  __buffers__ = []\\n')
    >>> declared_members(cls)
    (['w'], [])
    """
    params, buffers = [], []
    for st in node.body:
        if isinstance(st, S.Assign) and isinstance(st.targets[0], S.Name):
            target = st.targets[0].id
            if target in ("__parameters__", "__buffers__"):
                names = [e.value for e in getattr(st.value, "elts", [])]
                (params if target == "__parameters__" else buffers).extend(names)
    return params, buffers


class CodeModuleInfo:
    """A module type read from a class in archive code; used like `ModuleInfo`."""

    def __init__(self, unit: CodeUnit, node: S.ClassDef, qualified: str):
        self.unit, self.module = unit, None
        self.original_name = node.name
        self.is_container = node.name in _CONTAINERS and qualified.startswith(_CONTAINER_PREFIX)
        self.container = node.name if self.is_container else None
        self.is_module = node.base == "Module"
        self.kinds: dict[str, str] = {}
        self.submodules: dict = {}
        self.constants: dict = {}
        self.problems: dict = {}
        self.methods = {s.name: s for s in node.body if isinstance(s, S.FunctionDef)}
        params, buffers = declared_members(node)
        attrs = {}
        for st in node.body:
            if isinstance(st, S.Assign) and isinstance(st.targets[0], S.Subscript):
                key = st.targets[0].index[0].value  # __annotations__["0"] = Type
                attrs[key] = self._type(st.value)
            elif isinstance(st, S.AnnAssign) and isinstance(st.target, S.Name):
                if _is_final(st.annotation):
                    self.constants[st.target.id] = _literal(st.value)
                    self.kinds[st.target.id] = "const"
                else:
                    attrs[st.target.id] = self._type(st.annotation)
        for name, t in attrs.items():
            if name in params:
                self.kinds[name] = "param" if isinstance(t, T.TensorType) else "attr"
            elif name in buffers:
                self.kinds[name] = "buffer" if isinstance(t, T.TensorType) else "attr"
            elif isinstance(t, T.ClassType):
                self.kinds[name] = "module"
            else:
                self.kinds[name] = "attr"
        self.class_type = ct = unit.compiler.unit.define_class(qualified, attrs, self.is_module)
        ct.parameters, ct.buffers, ct.constants = params, buffers, dict(self.constants)

    def _type(self, node):
        try:
            return annotation_type(node, self.unit.compiler.classes)
        except TypeProblem as e:
            raise CompileError(f"{self.original_name}: {e}") from None

    def resolve_submodules(self):
        for name, kind in self.kinds.items():
            if kind == "module":
                sub = self.unit.class_info(self.class_type.attributes[name].qualified_name)
                self.submodules[name] = sub
                self.class_type.attributes[name] = sub.class_type

    def has_method(self, name: str) -> bool:
        return name in self.methods

    def method_source(self, name: str):
        fdef = self.methods.get(name)
        if fdef is None:
            return None
        return self.unit.method_source(self.class_type.qualified_name, fdef)


def _is_final(node) -> bool:
    return isinstance(node, S.Subscript) and getattr(node.value, "id", None) == "Final"


def _literal(node):
    if node is None:
        return None
    if isinstance(node, S.Const):
        return node.value
    if isinstance(node, S.UnaryOp) and node.op == "-":
        return -_literal(node.operand)
    if isinstance(node, S.ListExpr):
        return [_literal(e) for e in node.elts]
    if isinstance(node, S.TupleExpr):
        return tuple(_literal(e) for e in node.elts)
    if isinstance(node, S.Name) and node.id in ("inf", "nan"):
        return float(node.id)
    raise CompileError(f"unsupported default value in archive code at line {node.line}")


def _defaults(fdef) -> dict:
    return {p.name: _literal(p.default) for p in fdef.params if p.default is not None}
