"""The Python runtime: executes IR graphs by compiling each to one Python function.

`compile_graph(graph)` returns a callable taking the graph inputs positionally (a method's
first input is the module object, ``self``; ``prim::GetAttr`` reads its attributes with
``getattr`` and ``prim::CallMethod`` calls ``getattr(obj, name)(*args)``). It is compiled
once and cached on the graph; call `ember.ir.Graph.changed()` (passes do) after editing a
graph to drop the cache. ``prim::CallFunction`` resolves its target by qualified name
through `resolve_function(name) -> callable` on first use. Table ops run through
`ember.tensor.dispatch`, so a dispatch hook (the tracer) sees them.

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

from ember.ir.core import Graph
from ember.runtime.codegen import generate, python_source
from ember.runtime.helpers import ScriptError

__all__ = ["compile_graph", "python_source", "ScriptError"]


def compile_graph(graph: Graph, resolve_function=None):
    """The Python function executing `graph` (cached on the graph until it changes)."""
    cached = graph.compiled
    if cached is not None and cached[0] is resolve_function:
        return cached[1]
    fn = generate(graph, resolve_function)
    graph.compiled = (resolve_function, fn)
    return fn
