"""The op table's Python faces: functions and methods made from the faces the table lists.

A face (``ember.add``, ``Tensor.sum``, ``F.hardtanh``) with one overload calls it directly;
a face with several picks the overload from the arguments. Like PyTorch's Python bindings,
faces name the first parameter ``input`` (functions) or ``self`` (methods), refuse Python
numbers where the schema wants a Tensor, return tuples for ``Tensor[]`` results and take
``requires_grad=`` when the op makes tensors. Where PyTorch's Python signature is not the
schema's (``ember.zeros(*size)``, ``Tensor.view(*shape)``), a hand-written function marked
with `adapter` stands for the face instead.

Example:
    >>> import ember
    >>> relu = face_function("ember.relu")
    >>> relu(ember.tensor([-1.0, 2.0])), relu.__ember_face__
    (tensor([0., 2.]), 'ember.relu')
    >>> face_function("ember.maximum")(ember.ones(1), 2)
    Traceback (most recent call last):
      ...
    TypeError: maximum(): argument 'other' (position 2) must be Tensor, not int
"""

from __future__ import annotations

from ember.ops import table
from ember.tensor.dispatch import call, invoker, resolve

__all__ = ["adapter", "face_function", "faces_of", "install"]


def adapter(face: str):
    """Mark a hand-written function as the face `face` of the op table ('ember.zeros')."""

    def mark(fn):
        fn.__ember_face__ = face
        fn.__ember_op__ = table.by_face(face)[0].name
        return fn

    return mark


def faces_of(namespace: str) -> dict[str, str]:
    """Python name -> face for every face in `namespace` ('ember', 'Tensor', 'F')."""
    prefix = namespace + "."
    return {face[len(prefix) :]: face for face in table.faces() if face.startswith(prefix)}


def face_function(face: str, inplace: str | None = None):
    """The generated function for `face`; with `inplace` (a face such as 'F.relu_') it also
    takes PyTorch's ``inplace=False`` and calls that face's op when it is true."""
    ops = table.by_face(face)
    if not ops:
        raise KeyError(f"no op has the face {face}")
    first = "self" if face.startswith("Tensor.") else "input"
    fn = invoker(ops[0], first, face) if len(ops) == 1 else _resolving(face, ops, first)
    if any(r.base_type == "Tensor[]" for op in ops for r in op.schema.returns):
        fn = _tuples(fn)
    if all("creation" in op.traits for op in ops) and not _has_arg(ops, "requires_grad"):
        fn = _with_requires_grad(fn)
    if inplace is not None:
        fn = _with_inplace(fn, face_function(inplace), _positional_count(ops[0]))
    fn.__name__ = fn.__qualname__ = face.rsplit(".", 1)[1]
    fn.__ember_face__ = face
    fn.__ember_op__ = ops[0].name
    return fn


def _has_arg(ops, name: str) -> bool:
    return any(a.name == name for op in ops for a in op.schema.arguments)


def _resolving(face: str, ops, first: str):
    """A face over several overloads: the arguments' kinds pick one (cached per kinds)."""

    def fn(*args, **kwargs):
        if first in kwargs and "self" not in kwargs:  # input=x, as torch's functions take it
            kwargs["self"] = kwargs.pop(first)
            if not args:
                args = (kwargs.pop("self"),)
        return call(resolve(face, args, kwargs, ops), *args, **kwargs)

    fn.__doc__ = "\n".join(str(op.schema) for op in ops)
    return fn


def _tuples(inner):
    def fn(*args, **kwargs):
        r = inner(*args, **kwargs)
        return tuple(r) if isinstance(r, list) else r

    fn.__doc__ = inner.__doc__
    return fn


def _with_requires_grad(inner):
    def fn(*args, requires_grad=False, **kwargs):
        t = inner(*args, **kwargs)
        t._set_requires_grad(requires_grad)
        return t

    fn.__doc__ = inner.__doc__
    return fn


def _positional_count(op) -> int:
    return sum(not a.kwarg_only for a in op.schema.arguments)


def _with_inplace(inner, in_place, positional: int):
    """PyTorch's ``inplace=False`` parameter, after the op's own (keyword or positional)."""

    def fn(*args, inplace=False, **kwargs):
        if len(args) > positional:
            args, inplace = args[:positional], args[positional]
        return (in_place if inplace else inner)(*args, **kwargs)

    fn.__doc__ = inner.__doc__
    return fn


def install(namespace: str, adapters: dict, define) -> list[str]:
    """Make every face in `namespace`: its adapter from `adapters` (name -> function) when
    there is one, the adapter of a face over the same overloads (an alias: ``ember.concat``
    is ``ember.cat``), else a generated function; `define(name, fn)` puts each in place.
    Returns the names defined; ValueError for an adapter of a face the table lacks."""
    names = faces_of(namespace)
    strays = sorted(set(adapters) - set(names))
    if strays:
        raise ValueError(f"adapters for faces the op table lacks: {namespace}.{strays}")
    by_ops = {_ops_key(names[n]): fn for n, fn in adapters.items()}
    for name, face in sorted(names.items()):
        fn = adapters.get(name) or by_ops.get(_ops_key(face))
        if fn is None:
            inplace = names.get(name + "_") if namespace == "F" else None
            fn = face_function(face, inplace)
        define(name, fn)
    return sorted(names)


def _ops_key(face: str) -> tuple:
    return tuple(op.qualified_name for op in table.by_face(face))
