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

from ember.errors import TraceError
from ember.tracer import Tracer, TracerWarning, TracingCheckError, compare_outputs
from ember.tracer.values import ACTIVE

__all__ = ["trace", "TracerWarning", "TracingCheckError"]


def trace(func, example_inputs, check_trace: bool = True, check_inputs=None, strict: bool = True):
    """Trace `func` (a function or an `nn.Module`) on `example_inputs`.

    `example_inputs` is a tensor or a tuple of arguments (each a tensor or nested
    tuples/lists/dicts of tensors). Returns a script module (for modules) or script function
    whose graph holds every op the example ran, with branches decided by the example. With
    `check_trace`, the traced program is re-run on the example and on each of
    `check_inputs` (a list of argument tuples) and compared with eager execution; a
    difference raises TracingCheckError. `strict=False` allows list and dict outputs.

    >>> import ember
    >>> traced = ember.jit.trace(lambda x: x + 1, ember.zeros(2))
    >>> traced(ember.ones(3))
    tensor([2., 2., 2.])
    """
    if ACTIVE[0] is not None:
        raise TraceError("ember.jit.trace cannot be called while another trace is running")
    args = example_inputs if isinstance(example_inputs, tuple) else (example_inputs,)
    is_module = _is_module(func)
    fn = func.forward if is_module else func
    names = _input_names(fn, len(args))
    tracer = Tracer(func if is_module else None, "forward" if is_module else _fn_name(fn))
    with tracer.recording(names, args) as traced_args:
        output = fn(*traced_args)
    tracer.finish(output, strict)
    traced = _wrap(tracer, func, is_module)
    if check_trace:
        _check(fn, traced, tracer, [args, *(_as_args(c) for c in check_inputs or ())])
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


def _as_args(inputs):
    return inputs if isinstance(inputs, tuple) else (inputs,)


def _wrap(tracer: Tracer, func, is_module: bool):
    if is_module:
        return TracedModule(func, tracer)
    return TracedFunction(tracer.root.graph, tracer.spec)


def _check(fn, traced, tracer: Tracer, inputs: list) -> None:
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
            expected = fn(*args)
        try:
            got = traced(*args)
        except Exception as e:
            raise TracingCheckError(
                f"ERROR: the traced function failed {label}, where the Python function ran:\n"
                f"{type(e).__name__}: {e}"
            ) from e
        compare_outputs(expected, got, label)


# -- what trace returns -------------------------------------------------------------------------


class TracedFunction:
    """A traced free function: `graph`, `code`, and calls run the graph on the Python runtime."""

    def __init__(self, graph, spec):
        self.graph = graph
        self.name = graph.name
        self._spec = spec
        self._fn = None

    @property
    def code(self) -> str:
        from ember.ir.code_printer import code_text

        return code_text(self.graph)

    def __call__(self, *args):
        if self._fn is None:
            from ember.runtime import compile_graph

            self._fn = compile_graph(self.graph)
        return self._fn(*args)

    def __repr__(self) -> str:
        return f"<ember.jit.ScriptFunction {self.name}>"


class TracedModule:
    """A traced module: the original's submodules, parameters and buffers (shared, not
    copied) and the recorded methods (`forward`, and `forward1`... for repeated calls)."""

    def __init__(self, original, tracer: Tracer):
        d = self.__dict__
        d["original_name"] = type(original).__name__
        d["_type"] = tracer.types.of(original)
        d["_graphs"] = {g.name: g for g in tracer.methods.get(id(original), [])}
        if original is tracer.module:
            d["_graphs"]["forward"] = tracer.root.graph
        d["_compiled"] = {}
        d["training"] = original.training
        d["_parameters"] = dict(original._parameters)
        d["_buffers"] = dict(original._buffers)
        d["_modules"] = {
            name: TracedModule(m, tracer) for name, m in original._modules.items() if m is not None
        }

    def __getattr__(self, name: str):
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if name in d[table]:
                return d[table][name]
        if name in d["_graphs"]:
            fn = d["_compiled"].get(name)
            if fn is None:
                from ember.runtime import compile_graph

                fn = d["_compiled"][name] = compile_graph(d["_graphs"][name])
            return fn.__get__(self)
        raise AttributeError(f"'{d['original_name']}' traced module has no attribute '{name}'")

    def __call__(self, *args):
        return self.forward(*args)

    @property
    def graph(self):
        return self._graphs["forward"]

    @property
    def code(self) -> str:
        from ember.ir.code_printer import code_text

        return code_text(self.graph)

    def named_children(self):
        return iter(self._modules.items())

    def __repr__(self) -> str:
        lines = [f"original_name={self.original_name}"]
        for name, m in self._modules.items():
            lines.append(f"({name}): " + repr(m).replace("\n", "\n  "))
        if len(lines) == 1:
            return f"{self.original_name}({lines[0]})"
        return f"{self.original_name}(\n  " + "\n  ".join(lines) + "\n)"
