"""`ember.jit.trace`: run code once on example inputs and keep the ops it ran as a program.

The recording itself lives in `ember.tracer`; this module is the entry point: it runs the
function or module's `forward` under a `Tracer`, wraps the recorded graphs as script modules
(or a script function), and checks the result against eager execution (`check_trace`).

Example:
    >>> import ember
    >>> def f(x):
    ...     return x.view(x.size(0), -1) * 2
    >>> traced = ember.jit.trace(f, ember.ones(2, 2, 2))
    >>> traced(ember.ones(3, 1, 2)).shape
    ember.Size([3, 2])
"""

from __future__ import annotations

import inspect
import warnings

from ember.compiler.driver import Compiler
from ember.errors import TraceError
from ember.jit.script_module import RecursiveScriptModule, ScriptFunction
from ember.nn.module import add_indent
from ember.tracer import Tracer, TracerWarning, TracingCheckError, compare_outputs
from ember.tracer.types import ModuleTypes, base_name
from ember.tracer.values import ACTIVE

__all__ = ["trace", "TracerWarning", "TracingCheckError"]


def trace(
    func,
    example_inputs,
    check_trace: bool = True,
    check_inputs=None,
    strict: bool = True,
    *,
    check_tolerance: float = 1e-5,
):
    """Trace `func` (a function or an `nn.Module`) on `example_inputs`.

    `example_inputs` is a tensor or a tuple of arguments (each a tensor or nested
    tuples/lists/dicts of tensors). Returns a script module (for modules) or script function
    whose graph holds every op the example ran, with branches decided by the example. With
    `check_trace`, the traced program is re-run on the example and on each of
    `check_inputs` (a list of argument tuples) and compared with eager execution; a
    difference beyond `check_tolerance` (relative and absolute) raises TracingCheckError.
    `strict=False` allows list and dict outputs.

    >>> import ember
    >>> traced = ember.jit.trace(lambda x: x + 1, ember.zeros(2))
    >>> traced(ember.ones(3))
    tensor([2., 2., 2.])
    """
    if ACTIVE[0] is not None:
        raise TraceError("ember.jit.trace cannot be called while another trace is running")
    if _is_module(getattr(func, "__self__", None)):
        raise TraceError(
            "trace doesn't support compiling individual module's functions: their parameters "
            "would become constants. Trace the module (its forward) instead."
        )
    args = _as_args(example_inputs)
    is_module = _is_module(func)
    fn = func.forward if is_module else func
    names = _input_names(fn, len(args))
    compiler, info, types = _prepare(func, is_module)
    name = "forward" if is_module else _fn_name(fn)
    qualified = None if is_module else f"{base_name(func).rpartition('.')[0]}.{name}"
    tracer = Tracer(func if is_module else None, name, types, qualified)
    with tracer.recording(names, args) as traced_args:
        output = fn(*traced_args)
    tracer.finish(output, strict)
    traced = _wrap(tracer, func, is_module, compiler, info)
    if check_trace:
        checks = [args, *(_as_args(c) for c in check_inputs or ())]
        _check(fn, traced, tracer, checks, check_tolerance)
    return traced


def _is_module(obj) -> bool:
    from ember.nn import Module

    return isinstance(obj, Module)


def _fn_name(fn) -> str:
    name = getattr(fn, "__name__", "traced")
    return name if name.isidentifier() else "traced"


def _input_names(fn, count: int) -> list[str]:
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        params = []
    names = []
    for i in range(count):
        p = params[i] if i < len(params) else None
        if p is None or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            names.append(f"argument_{i + 1}")
        else:
            names.append(p.name)
    if len(params) < count and not any(p.kind == p.VAR_POSITIONAL for p in params):
        raise TraceError(f"{_fn_name(fn)} takes {len(params)} arguments; {count} example inputs")
    return names


def _as_args(inputs) -> tuple:
    """The argument tuple for `inputs`, as PyTorch's `make_tuple` reads it: a tensor or a dict is
    one argument, a tuple is the arguments, any other sequence (a list) is turned into one."""
    from ember.tensor import Tensor

    if isinstance(inputs, Tensor | dict):
        return (inputs,)
    if isinstance(inputs, tuple):
        return inputs
    try:
        return tuple(inputs)
    except TypeError:
        raise TraceError(
            f"example inputs must be a tensor, a dict or a tuple of arguments, "
            f"not {type(inputs).__name__}"
        ) from None


def _clone(value):
    """A deep copy of the tensors in nested arguments (a check run must not see another's
    in-place writes to its inputs)."""
    if isinstance(value, tuple):
        items = [_clone(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, list):
        return [_clone(v) for v in value]
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    return value.clone() if hasattr(value, "clone") else value


def _check(fn, traced, tracer: Tracer, inputs: list, tolerance: float) -> None:
    """Compare traced and eager results on each argument tuple in `inputs`."""
    nondeterministic = tracer.nondeterministic_ops()
    if nondeterministic:
        warnings.warn(
            "Trace had nondeterministic nodes ("
            + ", ".join(nondeterministic)
            + "); check_trace skipped comparing its outputs with eager execution.",
            TracerWarning,
            stacklevel=3,
        )
        return
    for i, args in enumerate(inputs):
        label = "on the example input" if i == 0 else f"on check_inputs[{i - 1}]"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TracerWarning)
            expected = fn(*_clone(args))
        try:
            got = traced(*_clone(args))
        except Exception as e:
            raise TracingCheckError(
                f"ERROR: the traced function failed {label}, where the Python function ran:\n"
                f"{type(e).__name__}: {e}"
            ) from e
        compare_outputs(expected, got, label, rtol=tolerance, atol=tolerance)


# -- what trace returns: the compiler's script module types, holding recorded graphs ------------


class _TraceCompiler(Compiler):
    """A compiler whose module instances each get a class type of their own (traced
    instances of one class may record different methods); the tracer fills its unit."""

    def __init__(self):
        super().__init__()
        self._instances = 0

    def class_type_for(self, key, qualified_name, attrs):
        self._instances += 1
        return super().class_type_for((key, self._instances), qualified_name, attrs)


class _InfoTypes:
    """The tracer's module types, taken from the compiler's ModuleInfo tree."""

    def __init__(self, root, root_info, unit):
        self.unit = unit
        self.by_id: dict[int, object] = {}
        stack = [(root, root_info)]
        while stack:  # the module tree itself: a scripted child's info names its original
            module, info = stack.pop()
            self.by_id[id(module)] = info
            for name, sub in module._modules.items():
                if name in info.submodules:
                    stack.append((sub, info.submodules[name]))

    def of(self, module):
        return self.by_id[id(module)].class_type


class TracedModule(RecursiveScriptModule):
    """What `trace` returns for a module: a RecursiveScriptModule whose methods are the
    recorded graphs (`forward`, and `forward1`... where a submodule was called again)."""

    def _ember_method(self, name):
        if name in self._ember_info.class_type.methods:
            return RecursiveScriptModule._ember_method(self, name)
        original = self.original_name

        def not_traced(*args, **kwargs):
            raise TraceError(f"{original}.{name} was not called while tracing: it has no code")

        return not_traced

    def __getattr__(self, name):
        info = self.__dict__.get("_ember_info")
        if info is not None and name in info.class_type.methods:
            return self._ember_method(name)
        return RecursiveScriptModule.__getattr__(self, name)

    def _get_name(self) -> str:
        return self.original_name

    def __repr__(self) -> str:
        children = list(self._modules.items())
        if not children:
            return f"{self.original_name}(original_name={self.original_name})"
        lines = [f"original_name={self.original_name}"]
        lines += [f"({name}): {add_indent(repr(m), 2)}" for name, m in children]
        return f"{self.original_name}(\n  " + "\n  ".join(lines) + "\n)"


def _prepare(func, is_module: bool):
    """The compiler, and for modules the ModuleInfo tree and its types, before recording."""
    compiler = _TraceCompiler()
    if not is_module:
        return compiler, None, ModuleTypes(compiler.unit)
    info = compiler.module_info(func)
    return compiler, info, _InfoTypes(func, info, compiler.unit)


def _wrap(tracer: Tracer, func, is_module: bool, compiler, info):
    if not is_module:
        return ScriptFunction(tracer.function, func, compiler.unit)
    return TracedModule._construct(func, info, compiler)
