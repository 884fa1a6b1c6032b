"""ember.jit: scripting (`script`), tracing (`trace`) and the scripted module types.

Example:
    >>> import ember
    >>> @ember.jit.script
    ... def twice(x):
    ...     return x * 2
    >>> twice(ember.tensor([1.0, 2.0]))
    tensor([2., 4.])
"""

from ember.jit.loading import load
from ember.jit.saving import save
from ember.jit.script import (
    Final,
    _overload,
    _overload_method,
    annotate,
    export,
    ignore,
    is_scripting,
    is_tracing,
    script,
    unused,
)
from ember.jit.script_module import (
    RecursiveScriptModule,
    ScriptFunction,
    ScriptMethod,
    ScriptModule,
)
from ember.jit.trace import TracerWarning, TracingCheckError, trace

__all__ = [
    "script",
    "trace",
    "save",
    "load",
    "ignore",
    "unused",
    "export",
    "Final",
    "annotate",
    "is_scripting",
    "is_tracing",
    "_overload",
    "_overload_method",
    "RecursiveScriptModule",
    "ScriptModule",
    "ScriptFunction",
    "ScriptMethod",
    "TracerWarning",
    "TracingCheckError",
]
