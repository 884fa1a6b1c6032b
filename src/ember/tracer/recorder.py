"""Recording: every op call and submodule call of a running program, as straight-line IR.

A `Tracer` keeps a stack of `Scope`s, one per method being recorded (the traced function or
module's `forward`, and each submodule call inside it). A scope owns a `Graph` and maps the
tensors and traced ints it has seen to IR values. Two hooks feed it:

- the dispatch hook (`ember.tensor.dispatch.dispatch_hook`) sees each op call: operands become
  IR values (known tensors by identity, parameters and buffers through `prim::GetAttr` chains,
  any other tensor as a constant, traced ints by their value), the op runs, and its results
  are mapped to the new operation's results;
- the module call hook (`ember.nn.module._call_hook`) sees each submodule call: the callee
  gets a scope of its own (its graph becomes the submodule's `forward`, `forward1`, ... method)
  and the caller records `prim::CallMethod` on the submodule, as PyTorch's tracer does.

`finish` puts what was recorded into the tracer's `ember.ir.CompilationUnit` (`unit`): each
method on its module's class type, and a traced function as `function`.

Each recorded op carries the user's source location: the innermost stack frame outside ember
(`ember.tracer.diagnostics.user_location`), as PyTorch's tracer records it.

Example:
    >>> import ember
    >>> tracer = Tracer(None, "f")
    >>> x = ember.ones(2)
    >>> with tracer.recording(("x",), (x,)) as (inputs,):
    ...     y = inputs * 2 + inputs.size(0)
    >>> tracer.finish(y)
    >>> [op.kind for op in tracer.root.graph.block.ops if op.kind != "prim::Constant"]
    ['aten::mul', 'aten::size', 'aten::add', 'prim::Return']
"""

from __future__ import annotations

import inspect
from contextlib import contextmanager

import numpy as np

from ember.errors import TraceError
from ember.ir import types as irt
from ember.ir.builder import Builder
from ember.ir.core import Graph, Value
from ember.ir.passes import eliminate_dead_code
from ember.ir.unit import Function, Param
from ember.ir.verifier import verify
from ember.tensor import Tensor, dispatch
from ember.tensor.tensor import wrap
from ember.tracer import values as tv
from ember.tracer.attrs import ModuleIndex, get_attr
from ember.tracer.check import nondeterministic_ops
from ember.tracer.diagnostics import user_location
from ember.tracer.floats import SCALARS, TracedFloat
from ember.tracer.ints import plain
from ember.tracer.operands import (
    explicit_kwargs,
    int_list_params,
    is_traced,
    list_elem_type,
    optional_tensor_list_params,
)
from ember.tracer.structure import (
    Spec,
    check_strict,
    flatten,
    is_tensor_structure,
    without_none,
)
from ember.tracer.types import ModuleTypes

__all__ = ["Tracer", "Scope"]

_TENSOR = irt.TensorType.get()


class Scope:
    """One method being recorded: its graph, builder and the values it has seen."""

    def __init__(self, module, graph: Graph):
        self.module = module
        self.graph = graph
        self.b = Builder(graph)
        self.values: dict[int, Value] = {}
        self.keep: list = []  # keeps mapped objects alive so ids stay unique
        self.attrs: dict[tuple, Value] = {}
        self.self_value: Value | None = None
        # lists of tensors ops returned, by the ids of their elements
        self.lists: dict[tuple[int, ...], Value] = {}

    def bind(self, obj, value: Value) -> None:
        self.values[id(obj)] = value
        self.keep.append(obj)

    def lookup(self, obj) -> Value | None:
        return self.values.get(id(obj))


class Tracer:
    """Records one traced call into `unit`; `methods` maps each module (by id) to the module
    and its recorded graphs. A traced function (no `module`) is named `qualified_name`."""

    def __init__(self, module, name: str = "forward", types=None, qualified_name=None):
        self.module = module
        self.name = name
        self.types = types if types is not None else ModuleTypes()
        self.unit = self.types.unit
        self.qualified_name = qualified_name or f"__torch__.{name}"
        self.function: Function | None = None
        self.scopes: list[Scope] = []
        self.methods: dict[int, tuple[object, list[Graph]]] = {}
        self.index = ModuleIndex(module)
        self.root: Scope | None = None
        self._all_scopes: list[Scope] = []
        self.spec: Spec | None = None

    # -- setup ------------------------------------------------------------------------------

    def _new_scope(self, module, name: str) -> Scope:
        scope = Scope(module, Graph(name))
        self._all_scopes.append(scope)
        if module is not None:
            scope.self_value = scope.b.add_input(self.types.of(module), "self")
        return scope

    @contextmanager
    def recording(self, names, args):
        """Record the root call: yields `args` rebuilt from traced tensors (pass them on)."""
        if tv.ACTIVE[0] is not None:
            raise TraceError("ember.jit.trace cannot run inside another trace")
        self.root = scope = self._new_scope(self.module, self.name)
        traced_args = [self._input(scope, n, a) for n, a in zip(names, args)]
        self.scopes.append(scope)
        tv.ACTIVE[0] = self
        try:
            with dispatch.dispatch_hook(self.on_op), _module_hook(self.on_call):
                yield traced_args
        finally:
            tv.ACTIVE[0] = None
            self.scopes.pop()

    def _input(self, scope: Scope, name: str, value):
        leaves, spec = flatten(value, name)
        v = scope.b.add_input(spec.type, name)
        aliases = [_alias(t) for t in leaves]
        for t, iv in zip(aliases, self._unpack(scope, v, spec)):
            scope.bind(t, iv)
        return spec.unflatten(aliases)

    def _unpack(self, scope: Scope, v: Value, spec: Spec) -> list[Value]:
        """IR values of the leaves of structured value `v` (TupleUnpack / __getitem__)."""
        if spec.kind == "tensor":
            return [v]
        if spec.kind == "none":
            return []
        b = scope.b
        if spec.kind == "tuple":
            parts = b.tuple_unpack(v) if spec.children else []
        elif spec.kind == "list":
            parts = b.list_unpack(v, len(spec.children)) if spec.children else []
        else:
            getter = "aten::__getitem__.Dict_str"
            if isinstance(spec.type.key, irt.IntType):
                getter = "aten::__getitem__.Dict_int"
            parts = [b.emit(getter, v, k, type=c.type) for k, c in zip(spec.keys, spec.children)]
        out: list[Value] = []
        for part, child in zip(parts, spec.children):
            out += self._unpack(scope, part, child)
        return out

    def finish(self, output, strict: bool = True) -> None:
        """Record the root's return of `output`, then tidy every recorded graph."""
        leaves, self.spec = flatten(output, "output")
        if strict:
            check_strict(self.spec)
        self.root.b.return_(self._pack(self.root, output))
        for t in leaves:
            tv.untag(t)
        if self.module is not None:  # results the code stored on modules (buffers, caches)
            for m in self.module.modules():
                for table in (m._buffers, m.__dict__):
                    for v in table.values():
                        tv.untag(v)
        for g in self.graphs():
            eliminate_dead_code(g)
            verify(g)
        self._define_functions()
        for scope in self._all_scopes:  # drop the example's tensors (ints may outlive us)
            scope.values.clear()
            scope.lists.clear()
            scope.keep.clear()
        self._all_scopes.clear()

    def _pack(self, scope: Scope, value) -> Value:
        b = scope.b
        if isinstance(value, Tensor):
            return self.value_of(scope, value)
        if value is None:
            return b.constant(None)
        if isinstance(value, tuple):
            return b.tuple_construct([self._pack(scope, v) for v in value])
        if isinstance(value, list):
            items = [self._pack(scope, v) for v in value]
            return b.list_construct(items, items[0].type if items else _TENSOR)
        keys = list(value)
        vals = [self._pack(scope, value[k]) for k in keys]
        return b.dict_construct(keys, vals, value_type=vals[0].type if vals else _TENSOR)

    def graphs(self) -> list[Graph]:
        """Every recorded graph: the root's, then each submodule method's."""
        return [self.root.graph] + [g for _, gs in self.methods.values() for g in gs]

    def _define_functions(self) -> None:
        """Put the recorded graphs into the unit: methods on their class types, a traced
        function under `qualified_name`."""
        for module, graphs in self.methods.values():
            for graph in graphs:
                self._add_method(module, graph)
        if self.module is not None:
            self._add_method(self.module, self.root.graph)
            return
        graph = self.root.graph
        fn = Function(self.qualified_name, graph, _params(graph.inputs), _result(graph))
        self.function = self.unit.add_function(fn)

    def _add_method(self, module, graph: Graph) -> None:
        cls = self.types.of(module)
        name = f"{cls.qualified_name}.{graph.name}"
        self.unit.add_method(cls, Function(name, graph, _params(graph.inputs[1:]), _result(graph)))

    def nondeterministic_ops(self) -> list[str]:
        """Qualified names of recorded ops whose results vary from run to run."""
        return nondeterministic_ops(self.graphs())

    # -- operands ---------------------------------------------------------------------------

    def value_of(self, scope: Scope, x, optional: bool = False) -> Value:
        """The IR value for a Python operand of an op recorded in `scope` (`optional`: a list
        for a `Tensor?[]` parameter)."""
        if isinstance(x, Tensor):
            v = scope.lookup(x)
            return v if v is not None else self._captured(scope, x)
        if x.__class__ in SCALARS:
            return x._v if x._scope is scope else scope.b.constant(plain(x))
        if isinstance(x, list | tuple) and x and isinstance(x[0], Tensor):
            whole = scope.lists.get(tuple(map(id, x)))  # an op's list, passed on whole
            if whole is not None:
                return whole
        if isinstance(x, list | tuple) and any(is_traced(e) for e in x):
            items = [self.value_of(scope, e) for e in x]
            return scope.b.list_construct(items, list_elem_type(x, optional))
        if hasattr(x, "scalar_type") and hasattr(x, "is_floating_point"):
            return scope.b.constant(x.scalar_type, irt.IntType.get())
        if isinstance(x, tuple):
            x = list(x)
        return scope.b.constant(x)

    def _captured(self, scope: Scope, t: Tensor) -> Value:
        """A tensor the code did not compute here: an attribute if it is one, else a constant."""
        owner = self.index.owner(t)
        if owner is not None and scope.module is not None:
            path = self.index.path_between(scope.module, owner[0])
            if path is not None:
                return get_attr(scope, (*path, owner[1]), self.types)
        v = scope.b.constant(wrap(np.array(t._np, copy=True)), _TENSOR)
        scope.bind(t, v)
        return v

    # -- the hooks ----------------------------------------------------------------------------

    def on_op(self, op, args, kwargs):
        """Dispatch hook: record `op` on these arguments, run it, map its results."""
        scope = self._located(self.scopes[-1])
        lists, optional = int_list_params(op), optional_tensor_list_params(op)
        operands = [
            self.value_of(scope, [a] if i in lists and isinstance(a, int) else a, i in optional)
            for i, a in enumerate(args)
        ]
        kw = {k: self.value_of(scope, v) for k, v in explicit_kwargs(op, kwargs).items()}
        tv.ACTIVE[0] = None  # kernels may read traced ints freely
        try:
            result = dispatch.call(op, *args, **kwargs)
        finally:
            tv.ACTIVE[0] = self
        rec = scope.b.op(op.qualified_name, operands, kwargs=kw)
        outs = rec.results
        if len(outs) == 1:
            self._bind_result(scope, result, outs[0])
        else:
            for r, v in zip(result, outs):
                self._bind_result(scope, r, v)
        return result

    @staticmethod
    def _located(scope: Scope) -> Scope:
        """`scope`, whose next ops carry the user's current source location."""
        scope.b.loc = user_location()
        return scope

    def _bind_result(self, scope: Scope, r, v: Value) -> None:
        if isinstance(r, Tensor):
            tv.retag(r)
            scope.bind(r, v)
        elif isinstance(r, list) and r and isinstance(r[0], Tensor):
            # the list as a whole keeps its length symbolic (cat(x.chunk(x.size(0))));
            # the unpacked elements are erased as dead code unless used one by one
            scope.lists[tuple(map(id, r))] = v
            for t, part in zip(r, scope.b.list_unpack(v, len(r))):
                tv.retag(t)
                scope.bind(t, part)

    def size_of(self, t: Tensor, dim: int):
        """`t.size(dim)` as a TracedInt recorded in the current scope."""
        n = t._np.shape[dim]
        scope = self.scopes[-1]
        v = scope.lookup(t)
        if v is None:
            return n
        self._located(scope)
        return tv.TracedInt(n, scope.b.emit("aten::size.int", v, dim), scope)

    def int_of(self, t: Tensor):
        """`int(t)` of a 0-d integer tensor as a TracedInt recorded as ``aten::Int``."""
        scope = self._located(self.scopes[-1])
        v = scope.b.emit("aten::Int.Tensor", self.value_of(scope, t))
        return tv.TracedInt(int(Tensor.item(t)), v, scope)

    def scalar_op(self, name: str, operands, result):
        """Record scalar op `name` (size arithmetic) giving `result`: a TracedInt or
        TracedFloat, or `result` itself when no operand was computed in this scope."""
        scope = self.scopes[-1]
        if not any(x.__class__ in SCALARS and x._scope is scope for x in operands):
            return result
        self._located(scope)
        v = scope.b.emit(name, *[self.value_of(scope, x) for x in operands])
        return (TracedFloat if isinstance(result, float) else tv.TracedInt)(result, v, scope)

    def on_call(self, module, args, kwargs):
        """Module call hook: record a submodule call as prim::CallMethod on its own graph."""
        caller = self.scopes[-1]
        path = None
        if caller.module is not None:
            path = self.index.path_between(caller.module, module)
        if not path:
            return module.forward(*args, **kwargs)
        return self._call_submodule(caller, module, path, args, kwargs)

    def _call_submodule(self, caller: Scope, module, path, args, kwargs):
        self._located(caller)
        sig = inspect.signature(module.forward)
        if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in sig.parameters.values()):
            return module.forward(*args, **kwargs)
        bound = sig.bind(*args, **kwargs)
        graphs = self.methods.setdefault(id(module), (module, []))[1]
        name = "forward" if not graphs else f"forward{len(graphs)}"
        callee = self._new_scope(module, name)
        traced, passed = {}, []
        for pname, value in bound.arguments.items():
            if is_tensor_structure(value):
                traced[pname] = self._input(callee, pname, value)
                passed.append(value)
            else:
                traced[pname] = value
        graphs.append(callee.graph)
        self.scopes.append(callee)
        try:
            output = module.forward(**traced)
        finally:
            self.scopes.pop()
        returns_int = isinstance(output, int) and not isinstance(output, bool)
        if returns_int:
            callee.b.return_(self.value_of(callee, output))
            out_type = irt.IntType.get()
        else:
            recorded = without_none(output)
            leaves, spec = flatten(recorded, f"output of {type(module).__name__}")
            callee.b.return_(self._pack(callee, recorded))
            out_type = spec.type
        obj = get_attr(caller, path, self.types)
        operands = [self._pack(caller, v) for v in passed]
        call = caller.b.call_method(obj, name, operands, [out_type])
        if returns_int:
            return tv.TracedInt(int.__int__(output), call.result, caller)
        for t, v in zip(leaves, self._unpack(caller, call.result, spec)):
            caller.bind(t, v)
        return output


def _params(inputs) -> list[Param]:
    return [Param(a.name, a.type) for a in inputs]


def _result(graph: Graph):
    return graph.outputs[0].type


def _alias(t: Tensor) -> tv.TracedTensor:
    """A TracedTensor over the same memory and storage object as `t`."""
    return tv.TracedTensor._make(t._np, t.untyped_storage(), t.requires_grad)


@contextmanager
def _module_hook(hook):
    from ember.nn import module as nn_module

    slot = getattr(nn_module, "_call_hook", None)
    if slot is None:  # an ember.nn without the hook: submodules are inlined
        yield
        return
    previous = slot[0]
    slot[0] = hook
    try:
        yield
    finally:
        slot[0] = previous
