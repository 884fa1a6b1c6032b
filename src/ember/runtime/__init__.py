"""The Python runtime: executes IR graphs by compiling each to one Python function.

`compile_graph(graph, unit)` returns a callable taking the graph inputs positionally (a
method's first input is the module object, ``self``; ``prim::GetAttr`` reads its attributes
with ``getattr`` and ``prim::CallMethod`` calls ``getattr(obj, name)(*args)``). It is
compiled once and cached on the graph; call `ember.ir.Graph.changed()` (passes do) after
editing a graph to drop the cache. ``prim::CallFunction`` runs the function of that
qualified name in `unit` (an `ember.ir.CompilationUnit`), found on first use;
`function_callable` gives the callable for one of the unit's functions. Tensor ops run
through `ember.tensor.dispatch`, so a dispatch hook (the tracer) sees them.

Example:
    >>> import ember
    >>> from ember.ir import Graph, Builder, types as T
    >>> b = Builder(Graph("f"))
    >>> x = b.add_input(T.TensorType.get(), "x")
    >>> b.return_(b.emit("aten::relu", b.emit("aten::neg", x)))
    >>> fn = compile_graph(b.graph)
    >>> fn(ember.tensor([1.0, -2.0]))
    tensor([0., 2.])
"""

from ember.runtime.codegen import compile_graph, function_callable, python_source
from ember.runtime.helpers import ScriptError

__all__ = ["compile_graph", "function_callable", "python_source", "ScriptError"]
