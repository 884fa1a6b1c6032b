"""`ember.jit.script` and the decorators that steer it (ignore, unused, export).

Example:
    >>> import ember
    >>> @ember.jit.script
    ... def clamp_sum(xs: list[int], hi: int) -> int:
    ...     total = 0
    ...     for x in xs:
    ...         total += min(x, hi)
    ...     return total
    >>> clamp_sum([1, 5, 9], 4)
    9
"""

from __future__ import annotations

import typing

from ember.compiler.frontend import context
from ember.jit.script_module import RecursiveScriptModule, ScriptFunction

__all__ = ["script", "ignore", "unused", "export", "Final", "annotate", "is_scripting"]

Final = typing.Final


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """Compile a module instance or a function; a second positional argument is ignored.

    Modules give a `RecursiveScriptModule`, functions a `ScriptFunction`. Code outside the
    supported subset raises `ember.CompileError` with its location.
    """
    from ember.nn import Module

    if isinstance(obj, RecursiveScriptModule | ScriptFunction):
        return obj
    ctx = context()
    if isinstance(obj, Module):
        info = ctx.module_info(obj)
        return RecursiveScriptModule._construct(obj, info, ctx)
    if callable(obj) and hasattr(obj, "__code__"):
        return ScriptFunction(ctx.function(obj), obj)
    raise TypeError(f"ember.jit.script expects an nn.Module or a function, not {type(obj)}")


def ignore(drop=False, **kwargs):
    """Leave a method in Python: scripted code calls the Python function.

    Use as ``@ember.jit.ignore`` or ``@ember.jit.ignore(drop=True)`` (then like `unused`).
    """
    if callable(drop):
        drop._ember_jit_ignore = True
        return drop

    def deco(fn):
        if drop:
            fn._ember_jit_unused = True
        else:
            fn._ember_jit_ignore = True
        return fn

    return deco


def unused(fn):
    """Don't compile the body: calling the method from scripted code raises an exception."""
    fn._ember_jit_unused = True
    return fn


def export(fn):
    """Compile this method too (it becomes callable on the scripted module)."""
    fn._ember_jit_export = True
    return fn


def annotate(the_type, the_value):
    """In eager code returns `the_value`; in scripted code gives it the type `the_type`."""
    return the_value


def is_scripting() -> bool:
    """False in eager code; in scripted code the compiler makes it the constant True."""
    return False


annotate._ember_special = "annotate"
is_scripting._ember_special = "is_scripting"
