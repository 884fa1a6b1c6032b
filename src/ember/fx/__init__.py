"""`ember.fx`: the import-time surface of `torch.fx` that model files touch.

`wrap` marks a global function as a leaf for torch.fx's symbolic tracing (the traced graph
calls it instead of tracing into it). Ember has no symbolic tracer: `ember.jit.trace` records
the ops a wrapped function runs, as `torch.jit.trace` does, and `ember.jit.script` compiles it
like any other function, as TorchScript does. So `wrap` only checks its argument as torch
does and returns it unchanged; it must run at a module's top level, as torch's.

Example:
    >>> import ember
    >>> def clamp01(x):
    ...     return x.clamp(0, 1)
    >>> ember.fx.wrap(clamp01) is clamp01
    True
"""

import inspect

__all__ = ["wrap"]


def wrap(fn_or_name):
    """Mark a global function (or the global of that name) as a symbolic-tracing leaf."""
    if not callable(fn_or_name) and not isinstance(fn_or_name, str):
        raise RuntimeError(
            "Unsupported type for global function! Must be either a callable or string name"
        )
    caller = inspect.currentframe().f_back
    if caller.f_code.co_name != "<module>":
        raise NotImplementedError("wrap must be called at the top level of a module")
    return fn_or_name
