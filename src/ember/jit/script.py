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

from ember.compiler import overloads
from ember.compiler.driver import default_compiler
from ember.jit.script_module import RecursiveScriptModule, ScriptFunction
from ember.tracer.values import ACTIVE

__all__ = ["script", "ignore", "unused", "export", "Final", "annotate", "is_scripting",
           "is_tracing", "_overload", "_overload_method"]  # fmt: skip

Final = typing.Final


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """Compile a module instance or a function; a second positional argument is ignored.

    Modules give a `RecursiveScriptModule`, functions a `ScriptFunction`. Code outside the
    supported subset raises `ember.CompileError` with its location.

    Example:
        >>> import ember
        >>> def first_positive(xs: list[int]) -> int:
        ...     for x in xs:
        ...         if x > 0:
        ...             return x
        ...     return -1
        >>> f = ember.jit.script(first_positive)
        >>> f([-2, 0, 5, 7]), f([])
        (5, -1)
        >>> ember.jit.script(ember.nn.Linear(2, 1))
        RecursiveScriptModule(original_name=Linear)
    """
    from ember.nn import Module

    if isinstance(obj, RecursiveScriptModule | ScriptFunction):
        return obj
    compiler = default_compiler()
    if isinstance(obj, Module):
        info = compiler.module_info(obj)
        return RecursiveScriptModule._construct(obj, info, compiler)
    if callable(obj) and hasattr(obj, "__code__"):
        return ScriptFunction(compiler.function(obj), obj, compiler.unit)
    raise TypeError(f"ember.jit.script expects an nn.Module or a function, not {type(obj)}")


def ignore(drop=False, **kwargs):
    """Leave a method in Python: scripted code calls the Python function.

    Use as ``@ember.jit.ignore`` or ``@ember.jit.ignore(drop=True)`` (then like `unused`).

    Example:
        >>> import ember
        >>> class Net(ember.nn.Module):
        ...     def forward(self, x):
        ...         return self.debug(x) + 1
        ...     @ember.jit.ignore
        ...     def debug(self, x):
        ...         return x * 10  # runs as Python, never compiled
        >>> ember.jit.script(Net())(ember.tensor([1.0]))
        tensor([11.])
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
    """Don't compile the body: calling the method from scripted code raises an exception.

    Example:
        >>> import ember
        >>> class Net(ember.nn.Module):
        ...     def forward(self, x, verbose: bool):
        ...         if verbose:
        ...             return self.report(x)
        ...         return x
        ...     @ember.jit.unused
        ...     def report(self, x):
        ...         import pdb  # not scriptable, and never compiled
        ...         return x
        >>> m = ember.jit.script(Net())
        >>> m(ember.tensor([1.0]), False)
        tensor([1.])
        >>> m(ember.tensor([1.0]), True)
        Traceback (most recent call last):
        ...
        Exception: The method report was marked @ember.jit.unused
        While executing ...
    """
    fn._ember_jit_unused = True
    return fn


def export(fn):
    """Compile this method too (it becomes callable on the scripted module).

    Example:
        >>> import ember
        >>> class Net(ember.nn.Module):
        ...     def forward(self, x):
        ...         return x
        ...     @ember.jit.export
        ...     def twice(self, n: int) -> int:
        ...         return 2 * n
        >>> m = ember.jit.script(Net())
        >>> m.twice(4)
        8
        >>> print(m.twice.code, end="")
        def twice(self,
            n: int) -> int:
          return torch.mul(2, n)
    """
    fn._ember_jit_export = True
    return fn


def annotate(the_type, the_value):
    """In eager code returns `the_value`; in scripted code gives it the type `the_type`.

    Example:
        >>> import ember
        >>> from typing import List
        >>> @ember.jit.script
        ... def squares(n: int) -> List[int]:
        ...     out = ember.jit.annotate(List[int], [])
        ...     for i in range(n):
        ...         out.append(i * i)
        ...     return out
        >>> squares(4)
        [0, 1, 4, 9]
    """
    return the_value


def is_scripting() -> bool:
    """False in eager code; in scripted code the compiler makes it the constant True.

    Example:
        >>> import ember
        >>> def where() -> str:
        ...     return "scripted" if ember.jit.is_scripting() else "eager"
        >>> where(), ember.jit.script(where)()
        ('eager', 'scripted')
    """
    return False


def is_tracing() -> bool:
    """True while `ember.jit.trace` records; in scripted code the constant False.

    Example:
        >>> import ember
        >>> def f(x):
        ...     return x + 1 if ember.jit.is_tracing() else x
        >>> x = ember.zeros(1)
        >>> f(x), ember.jit.trace(f, x, check_trace=False)(x), ember.jit.script(f)(x)
        (tensor([0.]), tensor([1.]), tensor([0.]))
    """
    return ACTIVE[0] is not None


def _overload(fn):
    """Declare one signature of a free function compiled once per declaration (its body is
    ``pass``; the undecorated definition that follows gives the body).

    Example:
        >>> from typing import List
        >>> import ember
        >>> @ember.jit._overload
        ... def width(x: ember.Tensor) -> int: ...
        >>> @ember.jit._overload
        ... def width(x: List[ember.Tensor]) -> int: ...
        >>> def width(x):
        ...     if isinstance(x, ember.Tensor):
        ...         return x.size(1)
        ...     return ember.cat(x, 1).size(1)
        >>> def both(x: ember.Tensor) -> int:
        ...     return width(x) + width([x, x])
        >>> ember.jit.script(both)(ember.zeros(1, 2))
        6
    """
    return overloads.declare_function(fn)


def _overload_method(fn):
    """Declare one signature of a module method; each declaration compiles to a method
    ``name__i`` and calls pick the first whose parameters accept the arguments.

    Example:
        >>> from typing import List
        >>> import ember
        >>> class Join(ember.nn.Module):
        ...     @ember.jit._overload_method
        ...     def forward(self, x: List[ember.Tensor]) -> ember.Tensor: ...
        ...     @ember.jit._overload_method
        ...     def forward(self, x: ember.Tensor) -> ember.Tensor: ...
        ...     def forward(self, x):
        ...         if isinstance(x, ember.Tensor):
        ...             return x
        ...         return ember.cat(x, 0)
        >>> class Net(ember.nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.join = Join()
        ...     def forward(self, x):
        ...         return self.join([x, self.join(x)])
        >>> ember.jit.script(Net())(ember.ones(1))
        tensor([1., 1.])
    """
    return overloads.declare_method(fn)


annotate._ember_special = "annotate"
is_tracing._ember_special = "is_tracing"
is_scripting._ember_special = "is_scripting"
