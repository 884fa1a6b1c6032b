"""ember.tracer: recording straight-line IR from a run on example inputs.

`ember.jit.trace` is the entry point; this package holds the machinery: `Tracer` (recording
through the dispatch hook and the module call hook), traced tensors and ints (sizes stay
symbolic), nested input/output specs, TracerWarning and the check_trace comparison.

Example:
    >>> import ember
    >>> tracer = Tracer(None, "double")
    >>> with tracer.recording(("x",), (ember.ones(2),)) as (x,):
    ...     y = x * 2
    >>> tracer.finish(y)
    >>> print(tracer.root.graph, end="")
    graph(%x : Tensor):
      %0 : int = prim::Constant[value=2]() # <doctest ember.tracer[2]>:2:8
      %1 : Tensor = aten::mul(%x, %0) # <doctest ember.tracer[2]>:2:8
      return (%1)
"""

from ember.tracer.check import compare_outputs
from ember.tracer.diagnostics import TracerWarning, TracingCheckError
from ember.tracer.recorder import Tracer
from ember.tracer.structure import Spec, flatten

__all__ = [
    "Tracer",
    "TracerWarning",
    "TracingCheckError",
    "compare_outputs",
    "Spec",
    "flatten",
]
