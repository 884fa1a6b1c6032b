"""Overload declarations (``torch.jit._overload`` and ``_overload_method``).

TorchScript has no union parameters, so code written for it declares a function's or a
method's signatures first, each with a body of ``pass``, and then defines the function once
without the decorator. Each declaration is compiled with the definition's body: overload
``i`` of method ``forward`` becomes the method ``forward__i``; overloads of a free function
keep its name (the unit mangles repeats). A call picks the first overload whose parameters
accept the arguments, as TorchScript does.

Example:
    >>> from typing import List
    >>> import ember
    >>> @declare_function
    ... def total(x: ember.Tensor) -> ember.Tensor: ...
    >>> @declare_function
    ... def total(x: List[ember.Tensor]) -> ember.Tensor: ...
    >>> def total(x):
    ...     if isinstance(x, ember.Tensor):
    ...         return x
    ...     return ember.cat(x)
    >>> len(function_overloads(total))
    2
"""

from __future__ import annotations

import dataclasses

from ember.compiler.parsing.function_source import FunctionSource, parse_python

__all__ = [
    "declare_function",
    "declare_method",
    "function_overloads",
    "method_overloads",
    "overload_source",
]

_FUNCTIONS: dict[tuple, list] = {}
_METHODS: dict[tuple, list] = {}


def declare_function(fn):
    """Record `fn` (a body-less declaration) as an overload of the function of its name."""
    fn._ember_overload_declaration = True
    _FUNCTIONS.setdefault((fn.__module__, fn.__qualname__), []).append(fn)
    return fn


def declare_method(fn):
    """Record `fn` as an overload of the method of its name, in the class being defined."""
    fn._ember_overload_declaration = True
    _METHODS.setdefault((fn.__module__, fn.__qualname__), []).append(fn)
    return fn


def function_overloads(fn) -> list:
    """The declarations of free function `fn`'s overloads (empty if it has none)."""
    return _FUNCTIONS.get((getattr(fn, "__module__", None), getattr(fn, "__qualname__", None)), [])


def method_overloads(cls, name: str) -> list:
    """The declarations of method `name`'s overloads in the class defining it for `cls`."""
    for klass in cls.__mro__:
        if name in vars(klass):
            return _METHODS.get((klass.__module__, f"{klass.__qualname__}.{name}"), [])
    return []


def overload_source(declaration, definition) -> FunctionSource:
    """The definition's body under the declaration's signature (its parameters, defaults
    and return annotation)."""
    body = FunctionSource.of_python(definition)
    signature = parse_python(declaration)
    fdef = dataclasses.replace(body.fdef, params=signature.params, returns=signature.returns)
    head = FunctionSource.of_python(declaration)
    return FunctionSource(
        fdef, body.globals, body.closure, head.defaults, body.qualified_name, definition
    )
